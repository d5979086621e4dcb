"""
======================================================
Regularised logistic regression: microchips and lambda
======================================================

The course's exercise 2, second part: whether a microchip passes quality
assurance, from two test results (``ex2data2.txt``, loaded by
:func:`~skdl.datasets.load_microchips`). No straight line separates the
classes, so the two features are mapped to all their monomials up to degree 6
(27 features, the course's ``mapFeature``), and an L2 penalty keeps the
boundary from following every point.

The course writes the penalty as :math:`\\frac{\\lambda}{2m}\\lVert\\theta
\\rVert^2`; :class:`~skdl.linear_model.LogisticRegression`, like
scikit-learn, takes its inverse, ``C = 1 / lambda``. :math:`\\lambda = 0`
(``penalty=None``) overfits, :math:`\\lambda = 1` is the course's choice, and
:math:`\\lambda = 100` underfits.
"""

# %%
# One pipeline per lambda
# -----------------------
# ``PolynomialFeatures(6, include_bias=False)`` gives the 27 monomials; the
# estimator adds its own unpenalised intercept, as the course leaves
# :math:`\theta_0` out of the penalty.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from skdl.datasets import load_microchips
from skdl.linear_model import LogisticRegression

X, y = load_microchips(return_X_y=True)


def fit_for(lam):
    """The course's model with penalty lambda (0: no penalty)."""
    if lam == 0:
        logistic = LogisticRegression(penalty=None, max_iter=400)
    else:
        logistic = LogisticRegression(C=1 / lam)
    features = PolynomialFeatures(6, include_bias=False)
    return make_pipeline(features, logistic).fit(X, y)


lambdas = [0, 1, 10, 100]
with warnings.catch_warnings():
    # Without a penalty the data are nearly separable in 27 dimensions and the
    # weights keep growing until the iteration budget runs out: that is what
    # the first panel shows.
    warnings.simplefilter("ignore", ConvergenceWarning)
    models = {lam: fit_for(lam) for lam in lambdas}
for lam, model in models.items():
    print(f"lambda = {lam:<4} training accuracy {model.score(X, y):.1%}")
print("(the course reports 83.1% for lambda = 1)")

# %%
# The decision boundaries
# -----------------------
# The boundary is the zero contour of the linear score over the polynomial
# features.
grid_1, grid_2 = np.meshgrid(np.linspace(-1, 1.5, 250),
                             np.linspace(-0.8, 1.2, 250))
grid = np.column_stack([grid_1.ravel(), grid_2.ravel()])

fig, axes = plt.subplots(2, 2, figsize=(9, 8), sharex=True, sharey=True)
for ax, (lam, model) in zip(axes.ravel(), models.items()):
    score = model.decision_function(grid).reshape(grid_1.shape)
    ax.contourf(grid_1, grid_2, score > 0, levels=[-0.5, 0.5, 1.5],
                colors=["#f6d5d5", "#d5e3f6"])
    ax.contour(grid_1, grid_2, score, levels=[0], colors="b")
    ax.scatter(*X[y == 1].T, marker="+", c="k", s=40, label="accepted")
    ax.scatter(*X[y == 0].T, marker="o", facecolors="gold",
               edgecolors="k", s=25, label="rejected")
    C = "none" if lam == 0 else f"{1 / lam:g}"
    accuracy = model.score(X, y)
    ax.set_title(rf"$\lambda$ = {lam} (C = {C}), "
                 f"training accuracy {accuracy:.0%}", fontsize=10)
for ax in axes[1]:
    ax.set_xlabel("microchip test 1")
for ax in axes[:, 0]:
    ax.set_ylabel("microchip test 2")
axes[0, 0].legend(loc="upper right", fontsize=8)
fig.suptitle("Degree-6 logistic regression as lambda grows")
fig.tight_layout()
plt.show()
