"""
=====================================================================
The Gaussian kernel: a non-linear boundary, and C and sigma validated
=====================================================================

The second and third parts of the course's exercise 6. The Gaussian kernel

.. math::

    K(x, z) = \\exp\\left(-\\frac{\\lVert x - z\\rVert^2}{2\\sigma^2}\\right)

(:func:`~skdl.svm.gaussian_kernel`) is :class:`~skdl.svm.SVC`'s ``"rbf"``
kernel with ``gamma = 1 / (2 * sigma**2)``. On ``ex6data2`` no line separates
the classes, and the kernel SVM with the course's :math:`C = 1`,
:math:`\\sigma = 0.1` follows the boundary. On ``ex6data3`` the course picks
:math:`C` and :math:`\\sigma` from :math:`\\{0.01, 0.03, 0.1, \\ldots, 30\\}` by
the error on a separate validation set; here that is
:class:`~sklearn.model_selection.GridSearchCV` with a
:class:`~sklearn.model_selection.PredefinedSplit` (train on the training set,
score on the validation set).
"""

# %%
# The course's kernel check
# -------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, PredefinedSplit

from skdl.datasets import load_svm_points
from skdl.svm import SVC, gaussian_kernel

print(f"gaussian_kernel([1, 2, 1], [0, 4, -1], sigma=2) = "
      f"{gaussian_kernel([1, 2, 1], [0, 4, -1], sigma=2):.6f} (the course: 0.324652)")


def gamma_of(sigma):
    return 1 / (2 * sigma**2)


# %%
# ex6data2: C = 1, sigma = 0.1
# ----------------------------
X2, y2 = load_svm_points(2, return_X_y=True)
curved = SVC(kernel="rbf", C=1.0, gamma=gamma_of(0.1)).fit(X2, y2)
print(f"ex6data2: training accuracy {curved.score(X2, y2):.1%}, {len(curved.support_)} support vectors")

# %%
# ex6data3: C and sigma chosen on the validation set
# ---------------------------------------------------
X3, y3 = load_svm_points(3, return_X_y=True)
X3_val, y3_val = load_svm_points(3, subset="val", return_X_y=True)
values = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30]
split = PredefinedSplit(np.r_[np.full(len(y3), -1), np.zeros(len(y3_val))])  # -1: always train
search = GridSearchCV(SVC(kernel="rbf"), {"C": values, "gamma": [gamma_of(s) for s in values]},
                      cv=split, refit=False)
search.fit(np.vstack([X3, X3_val]), np.r_[y3, y3_val])
best_C, best_sigma = search.best_params_["C"], 1 / np.sqrt(2 * search.best_params_["gamma"])
print(f"ex6data3: best C = {best_C:g}, sigma = {best_sigma:g}, validation accuracy "
      f"{search.best_score_:.1%} (the course: C = 1, sigma = 0.1)")
chosen = SVC(kernel="rbf", C=best_C, gamma=gamma_of(best_sigma)).fit(X3, y3)

# %%
# The boundaries, and the validation accuracy over the grid
# ----------------------------------------------------------
fig, axes = plt.subplots(1, 3, figsize=(14, 4.3))


def draw(ax, model, X, y, title):
    pad = 0.05 * (X.max(axis=0) - X.min(axis=0))
    grid_1, grid_2 = np.meshgrid(np.linspace(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0], 300),
                                 np.linspace(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1], 300))
    score = model.decision_function(np.column_stack([grid_1.ravel(), grid_2.ravel()])).reshape(grid_1.shape)
    ax.contourf(grid_1, grid_2, score > 0, levels=[-0.5, 0.5, 1.5], colors=["#f6ead5", "#d5e3f6"])
    ax.contour(grid_1, grid_2, score, levels=[0], colors="b")
    ax.scatter(*X[y == 1].T, marker="+", c="k", s=30)
    ax.scatter(*X[y == 0].T, marker="o", facecolors="gold", edgecolors="k", s=16)
    ax.set_title(title, fontsize=10)


draw(axes[0], curved, X2, y2, r"ex6data2: C = 1, $\sigma$ = 0.1")
draw(axes[1], chosen, X3, y3, rf"ex6data3: C = {best_C:g}, $\sigma$ = {best_sigma:g} (validated)")
scores = search.cv_results_["mean_test_score"].reshape(len(values), len(values))
image = axes[2].imshow(scores, cmap="viridis", origin="lower")
axes[2].set_xticks(range(len(values)), [f"{v:g}" for v in values])
axes[2].set_yticks(range(len(values)), [f"{v:g}" for v in values])
axes[2].set_xlabel(r"$\sigma$")
axes[2].set_ylabel("C")
axes[2].set_title("ex6data3: validation accuracy", fontsize=10)
fig.colorbar(image, ax=axes[2], shrink=0.8)
fig.tight_layout()
plt.show()
