"""
====================================================================
Bias and variance: learning curves and a validation curve for lambda
====================================================================

The course's exercise 5: predict the water flowing out of a dam from the
change of the water level (``ex5data1.mat``, loaded by
:func:`~skdl.datasets.load_water_outflow`, with the course's 12 training,
21 cross-validation and 21 test rows).

A straight line underfits (high bias); a degree-8 polynomial without penalty
overfits (high variance); the L2 penalty :math:`\\lambda` of
:class:`~skdl.linear_model.LinearRegression` (its ``alpha``) trades one for
the other. The errors are the course's
:math:`J = \\frac{1}{2m}\\sum_i (h_\\theta(x_i) - y_i)^2`, without the
penalty term.
"""

# %%
# The course's features
# ---------------------
# The polynomial features :math:`x, x^2, \dots, x^8` are standardised with the
# mean and standard deviation of the 12 training rows, once, as the course's
# ``featureNormalize`` does. Octave's ``std`` divides by :math:`m - 1` where
# scikit-learn's ``StandardScaler`` divides by :math:`m`, which would rescale
# every :math:`\lambda` by 12/11; the course's version is written out here to
# reproduce its numbers exactly. (In a pipeline, ``StandardScaler`` is the
# tool.)
import matplotlib.pyplot as plt
import numpy as np
from sklearn.preprocessing import PolynomialFeatures

from skdl.datasets import load_water_outflow
from skdl.linear_model import LinearRegression

# sphinx_gallery_thumbnail_number = 3
data = load_water_outflow()
polynomial = PolynomialFeatures(8, include_bias=False).fit(data.X)
mu = polynomial.transform(data.X).mean(axis=0)
sigma = polynomial.transform(data.X).std(axis=0, ddof=1)


def poly8(X):
    """The degree-8 features, standardised as the course does."""
    return (polynomial.transform(X) - mu) / sigma


def linear(X):
    """The raw feature, for the straight line."""
    return X


def error(model, X, y):
    """The course's unregularised cost J."""
    return np.mean((model.predict(X) - y) ** 2) / 2


def learning_curve(features, lam):
    """Train on the first i rows (i = 1..12); return their error and the
    error on the whole cross-validation set."""
    X, X_val = features(data.X), features(data.X_val)
    train, val = [], []
    for i in range(1, len(X) + 1):
        model = LinearRegression(alpha=lam).fit(X[:i], data.y[:i])
        train.append(error(model, X[:i], data.y[:i]))
        val.append(error(model, X_val, data.y_val))
    return np.array(train), np.array(val)


# %%
# The fits
# --------
# With fewer rows than features the normal equation is singular; the solver
# then returns the minimum-norm least-squares solution
# (``solver_ == "lstsq"``), which the first points of the learning curves
# below need.
settings = [
    (r"straight line, $\lambda$ = 0", linear, 0.0),
    (r"degree 8, $\lambda$ = 0", poly8, 0.0),
    (r"degree 8, $\lambda$ = 1", poly8, 1.0),
    (r"degree 8, $\lambda$ = 100", poly8, 100.0),
]
x_plot = np.linspace(data.X.min() - 15, data.X.max() + 25, 300)[:, None]
fig, axes = plt.subplots(2, 2, figsize=(9, 6.5), sharex=True, sharey=True)
for ax, (title, features, lam) in zip(axes.ravel(), settings):
    model = LinearRegression(alpha=lam).fit(features(data.X), data.y)
    ax.plot(data.X, data.y, "rx", markersize=8, label="training data")
    ax.plot(x_plot, model.predict(features(x_plot)), "b--", label="fit")
    ax.set_title(title, fontsize=10)
    ax.set_ylim(-60, 60)
for ax in axes[1]:
    ax.set_xlabel("change in water level")
for ax in axes[:, 0]:
    ax.set_ylabel("water flowing out")
axes[0, 0].legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Learning curves
# ---------------
# High bias: both errors stay high and meet. High variance: the training error
# is near zero and the cross-validation error stays well above it.
# :math:`\lambda = 1` closes the gap without lifting the training error much;
# :math:`\lambda = 100` is back to high bias.
fig, axes = plt.subplots(2, 2, figsize=(9, 6.5), sharex=True, sharey=True)
sizes = np.arange(1, len(data.X) + 1)
for ax, (title, features, lam) in zip(axes.ravel(), settings):
    train, val = learning_curve(features, lam)
    ax.plot(sizes, train, "o-", markersize=3, label="train")
    ax.plot(sizes, val, "s-", markersize=3, label="cross-validation")
    ax.set_title(title, fontsize=10)
    ax.set_ylim(0, 150)
    ax.set_xticks(range(0, 13, 2))
for ax in axes[1]:
    ax.set_xlabel("number of training examples")
for ax in axes[:, 0]:
    ax.set_ylabel("error $J$")
axes[0, 0].legend(fontsize=8)
fig.tight_layout()
plt.show()

train, val = learning_curve(linear, 0.0)
print(f"straight line, all 12 rows: train {train[-1]:.3f}, "
      f"cross-validation {val[-1]:.3f}   (course: 22.374, 29.434)")

# %%
# A validation curve for lambda
# -----------------------------
# The course's grid of :math:`\lambda`: the cross-validation error is lowest
# at :math:`\lambda = 3`, the value the course selects; the test error there
# estimates how the chosen model generalises.
lambdas = np.array([0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10])
X, X_val, X_test = (poly8(x) for x in (data.X, data.X_val, data.X_test))
models = [LinearRegression(alpha=lam).fit(X, data.y) for lam in lambdas]
train = [error(m, X, data.y) for m in models]
val = [error(m, X_val, data.y_val) for m in models]

fig, ax = plt.subplots(figsize=(6.5, 4.2))
ax.plot(lambdas, train, "o-", label="train")
ax.plot(lambdas, val, "s-", label="cross-validation")
ax.set_xscale("symlog", linthresh=1e-3)
ax.set_xlabel(r"$\lambda$ (LinearRegression's alpha)")
ax.set_ylabel("error $J$")
ax.set_title("Validation curve, degree-8 polynomial")
ax.legend()
fig.tight_layout()
plt.show()

best = int(np.argmin(val))
test_error = error(models[best], X_test, data.y_test)
print(f"lowest cross-validation error {val[best]:.3f}"
      f" at lambda = {lambdas[best]:g}")
print(f"test error at lambda = {lambdas[best]:g}: {test_error:.3f}"
      "   (course: 3.860 at lambda = 3)")
