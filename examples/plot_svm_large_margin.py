"""
==========================================================
Large-margin classification: the outlier of ex6data1 and C
==========================================================

The course's exercise 6 begins with a linear SVM on a two-dimensional set
(``ex6data1.mat``, loaded by :func:`~skdl.datasets.load_svm_points`) that a
straight line separates but for one positive outlier on the far left.

``C`` weighs the hinge losses against the margin, like the inverse of the
regularisation strength. With :math:`C = 1` the SVM keeps a wide margin and
misclassifies the outlier; with :math:`C = 100` it classifies every example
correctly, with a boundary that no longer follows the data's natural gap
(the course's figures 2 and 3).
"""

# %%
# Two linear SVMs
# ---------------
# :class:`~skdl.svm.SVC` with ``kernel="linear"`` solves the course's problem
# with SMO; the same model as scikit-learn's libsvm, support vector for
# support vector.
import matplotlib.pyplot as plt
import numpy as np

from skdl.datasets import load_svm_points
from skdl.svm import SVC

X, y = load_svm_points(1, return_X_y=True)
models = {C: SVC(kernel="linear", C=C).fit(X, y) for C in (1.0, 100.0)}
for C, model in models.items():
    w, b = model.coef_[0], model.intercept_[0]
    print(f"C = {C:>5g}: training accuracy {model.score(X, y):.1%}, "
          f"{len(model.support_)} support vectors, margin width {2 / np.linalg.norm(w):.3f}")

# %%
# The boundaries and their margins
# --------------------------------
# The decision boundary is :math:`w^\top x + b = 0`; the dashed lines
# :math:`w^\top x + b = \pm 1` bound the margin, and the circled points are the
# support vectors.
grid_1, grid_2 = np.meshgrid(np.linspace(0, 4.5, 300), np.linspace(1.5, 5, 300))
grid = np.column_stack([grid_1.ravel(), grid_2.ravel()])

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
for ax, (C, model) in zip(axes, models.items()):
    score = model.decision_function(grid).reshape(grid_1.shape)
    ax.contourf(grid_1, grid_2, score > 0, levels=[-0.5, 0.5, 1.5], colors=["#f6ead5", "#d5e3f6"])
    ax.contour(grid_1, grid_2, score, levels=[-1, 0, 1], colors="b", linestyles=["--", "-", "--"])
    ax.scatter(*X[y == 1].T, marker="+", c="k", s=50, label="positive")
    ax.scatter(*X[y == 0].T, marker="o", facecolors="gold", edgecolors="k", s=30, label="negative")
    support = X[model.support_]
    ax.scatter(*support.T, s=120, facecolors="none", edgecolors="tab:red", label="support vectors")
    ax.set_title(f"C = {C:g}: training accuracy {model.score(X, y):.0%}", fontsize=10)
    ax.set_xlabel("x1")
axes[0].set_ylabel("x2")
axes[0].legend(loc="lower left", fontsize=8)
fig.suptitle("ex6data1: a wide margin (C = 1) or every point right (C = 100)")
fig.tight_layout()
plt.show()
