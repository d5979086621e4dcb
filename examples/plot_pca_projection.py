"""
PCA: projecting onto the first principal component, and digits in two dimensions
================================================================================

Left: the course's exercise 7 data, normalised, with the principal directions drawn from the
mean (length proportional to the standard deviation along each) and every point joined to its
projection onto the first component, the course's ``projectData`` and ``recoverData``.
Right: the 64-pixel handwritten digits of scikit-learn's ``load_digits`` projected onto their
first two principal components.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from skdl.datasets import load_pca_points
from skdl.decomposition import PCA

X = StandardScaler().fit_transform(load_pca_points())
pca = PCA(n_components=2).fit(X)
one = PCA(n_components=1).fit(X)
X_rec = one.inverse_transform(one.transform(X))
print("first component:", pca.components_[0], "variance kept by it:", pca.explained_variance_ratio_[0])

fig, (course, digits) = plt.subplots(1, 2, figsize=(11, 5))
course.scatter(X[:, 0], X[:, 1], facecolors="none", edgecolors="tab:blue", label="normalised data")
course.scatter(X_rec[:, 0], X_rec[:, 1], c="tab:red", s=12, label="projection on u1")
for point, recovered in zip(X, X_rec):
    course.plot([point[0], recovered[0]], [point[1], recovered[1]], "k--", linewidth=0.7)
for component, variance in zip(pca.components_, pca.explained_variance_):
    end = pca.mean_ + 1.5 * np.sqrt(variance) * component
    course.annotate("", xy=end, xytext=pca.mean_, arrowprops={"arrowstyle": "->", "linewidth": 2})
course.set_aspect("equal")
course.legend(loc="upper left")
course.set_title("ex7data1: principal directions and projections")

images, target = load_digits(return_X_y=True)
Z = PCA(n_components=2, random_state=0).fit_transform(images)
scatter = digits.scatter(Z[:, 0], Z[:, 1], c=target, cmap="tab10", s=8)
digits.legend(*scatter.legend_elements(), title="digit", loc="best", fontsize=7)
digits.set_xlabel("first principal component")
digits.set_ylabel("second principal component")
digits.set_title("Digits (8 x 8 pixels) in two dimensions")
fig.tight_layout()
plt.show()
