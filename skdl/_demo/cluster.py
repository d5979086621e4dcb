"""Demo cases of KMeans, on the course's exercise 7 data."""

import numpy as np
from sklearn import cluster as sk_cluster

from ..cluster import KMeans
from ..datasets import load_bird_image, load_kmeans_points
from ._runner import DemoCase

_COURSE_INIT = np.array([[3.0, 3.0], [6.0, 2.0], [8.0, 5.0]])


def _points():
    X = load_kmeans_points()
    return X, None, X, None


def _bird_pixels():
    pixels = load_bird_image().reshape(-1, 3) / 255.0
    return pixels, None, pixels, None


def _inertia(estimator, X, y):
    return -estimator.score(X)


def _colour_error(estimator, X, y):
    """Mean squared error per pixel channel of the image redrawn with the cluster colours."""
    compressed = estimator.cluster_centers_[estimator.predict(X)]
    return float(np.mean((X - compressed) ** 2))


CASES = [
    DemoCase(
        "KMeans", "ex7data2, the course's start", "inertia",
        _points, lambda: KMeans(n_clusters=3, init=_COURSE_INIT), _inertia,
        lambda: sk_cluster.KMeans(n_clusters=3, init=_COURSE_INIT, n_init=1), "sklearn KMeans",
        compiled=True,
    ),
    DemoCase(
        "KMeans", "bird image, 16 colours (ex7)", "pixel MSE",
        _bird_pixels, lambda: KMeans(n_clusters=16, random_state=0), _colour_error,
        lambda: sk_cluster.KMeans(n_clusters=16, random_state=0), "sklearn KMeans",
        compiled=True,
    ),
]
