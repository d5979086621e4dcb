"""Benchmarks of KMeans: asv-style classes and the side-by-side comparison with scikit-learn."""

import numpy as np
from sklearn import cluster as sk_cluster
from sklearn.datasets import make_blobs

from skdl.cluster import KMeans

try:
    from benchmarks._side_by_side import Comparison
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison


def make_kmeans_data(n_samples=100_000, n_features=20, n_clusters=16, dtype=np.float64, seed=0):
    """Overlapping blobs (about 70 Lloyd iterations from random samples) and a fixed start."""
    X, _ = make_blobs(
        n_samples=n_samples, n_features=n_features, centers=n_clusters, cluster_std=3.0, random_state=seed
    )
    X = X.astype(dtype)
    init = X[np.random.default_rng(seed + 1).choice(n_samples, n_clusters, replace=False)]
    return X, init


class KMeansSuite:
    """asv: Lloyd fit on 100,000 x 20, k=16, one run from a fixed start."""

    params = ["float64", "float32"]
    param_names = ["dtype"]

    def setup(self, dtype):
        self.X, self.init = make_kmeans_data(dtype=np.dtype(dtype))
        self.model = KMeans(n_clusters=16, init=self.init).fit(self.X[:10_000])

    def time_fit(self, dtype):
        KMeans(n_clusters=16, init=self.init).fit(self.X)

    def peakmem_fit(self, dtype):
        KMeans(n_clusters=16, init=self.init).fit(self.X)

    def time_predict(self, dtype):
        self.model.predict(self.X)

    def track_inertia(self, dtype):
        return KMeans(n_clusters=16, init=self.init).fit(self.X).inertia_


def _inertia_difference(ours, peer, data):
    relative = (ours.inertia_ - peer.inertia_) / peer.inertia_
    return f"inertia {relative:+.2%} vs sklearn, {ours.n_iter_} vs {peer.n_iter_} iterations"


def _fit(make_estimator):
    return lambda data: make_estimator(data[1]).fit(data[0])


COMPARISONS = [
    Comparison(
        "KMeans fit, 100,000 x 20, k=16, n_init=1, same start",
        make_kmeans_data,
        _fit(lambda init: KMeans(n_clusters=16, init=init)),
        _fit(lambda init: sk_cluster.KMeans(n_clusters=16, init=init, n_init=1)),
        "sklearn KMeans(lloyd)",
        target=1.2,
        quality=_inertia_difference,
        repeat=3,
    ),
    Comparison(
        "KMeans fit, 100,000 x 20 float32, k=16, same start",
        lambda: make_kmeans_data(dtype=np.float32),
        _fit(lambda init: KMeans(n_clusters=16, init=init)),
        _fit(lambda init: sk_cluster.KMeans(n_clusters=16, init=init, n_init=1)),
        "sklearn KMeans(lloyd)",
        quality=_inertia_difference,
        repeat=3,
    ),
]
