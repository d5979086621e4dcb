"""
K-means step by step, and choosing K with the elbow
===================================================

The course's exercise 7 runs K-means on 300 two-dimensional points from the starting centroids
(3, 3), (6, 2) and (8, 5), and plots how the centroids travel. This example redraws that figure
by stopping the algorithm after 1, 2, ... 10 iterations, then draws the "elbow" curve: the
distortion (``inertia_``) of the best of 10 runs for K = 1 ... 8.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skdl.cluster import KMeans
from skdl.datasets import load_kmeans_points

X = load_kmeans_points()
initial = np.array([[3.0, 3.0], [6.0, 2.0], [8.0, 5.0]])

# The centroids after each iteration: a run stopped after ``n`` iterations from the same start.
history = [initial]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # stopping early on purpose
    for n_iter in range(1, 11):
        history.append(KMeans(n_clusters=3, init=initial, max_iter=n_iter).fit(X).cluster_centers_)
history = np.array(history)
final = KMeans(n_clusters=3, init=initial, max_iter=10).fit(X)

fig, (steps, elbow) = plt.subplots(1, 2, figsize=(11, 4.5))
steps.scatter(X[:, 0], X[:, 1], c=final.labels_, cmap="viridis", s=12, alpha=0.7)
for j in range(3):
    steps.plot(history[:, j, 0], history[:, j, 1], "k-x", markersize=7)
steps.set_title("Centroid paths over 10 iterations (ex7data2)")

ks = range(1, 9)
inertias = [KMeans(n_clusters=k, init="random", n_init=10, random_state=0).fit(X).inertia_ for k in ks]
elbow.plot(list(ks), inertias, "o-")
elbow.set_xlabel("number of clusters K")
elbow.set_ylabel("distortion (inertia)")
elbow.set_title("The elbow: K = 3")
fig.tight_layout()
plt.show()
