"""Benchmarks of KMeans: asv-style classes and the side-by-side comparisons.

Dense: 100,000 x 20 overlapping blobs, k=16, one run from a fixed start, against scikit-learn's
Lloyd and scikit-learn-intelex (oneDAL). Sparse: the SMS Spam Collection as TF-IDF (5,574 x 8,713,
CSR), k=8, one run from a fixed start, against scikit-learn. Both sides run the same iterations
from the same start; the quality column says so (inertia and iteration counts).
"""

import time

import numpy as np
from sklearn import cluster as sk_cluster
from sklearn.datasets import make_blobs

from skdl.cluster import KMeans

try:
    from benchmarks._side_by_side import Comparison, Peer, require
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison, Peer, require


def make_kmeans_data(n_samples=100_000, n_features=20, n_clusters=16, dtype=np.float64, seed=0):
    """Overlapping blobs (about 70 Lloyd iterations from random samples) and a fixed start."""
    X, _ = make_blobs(
        n_samples=n_samples, n_features=n_features, centers=n_clusters, cluster_std=3.0, random_state=seed
    )
    X = X.astype(dtype)
    init = X[np.random.default_rng(seed + 1).choice(n_samples, n_clusters, replace=False)]
    return X, init


def make_sms_tfidf(n_clusters=8, seed=0):
    """The SMS Spam Collection as TF-IDF (scikit-learn's TfidfVectorizer defaults, CSR) and a fixed start."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from skdl.datasets import load_sms_spam

    texts, _ = load_sms_spam(return_X_y=True)
    X = TfidfVectorizer().fit_transform(texts)
    init = X[np.random.default_rng(seed).choice(X.shape[0], n_clusters, replace=False)].toarray()
    return X, init


def numba_compile_seconds():
    """Seconds the first fit in a fresh process spends beyond a warm fit (loading or compiling kernels).

    With numba's on-disk cache warm this is the loading of the cached machine code; after a change
    to the kernels (or on a new machine) it is their compilation, paid once and cached.
    """
    X, init = make_kmeans_data(n_samples=5_000, n_features=4, n_clusters=4)
    start = time.perf_counter()
    KMeans(n_clusters=4, init=init).fit(X)
    first = time.perf_counter() - start
    start = time.perf_counter()
    KMeans(n_clusters=4, init=init).fit(X)
    return first - (time.perf_counter() - start)


class KMeansSuite:
    """asv: Hamerly-bounded Lloyd fit on 100,000 x 20, k=16, one run from a fixed start."""

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


class SparseKMeansSuite:
    """asv: sparse Lloyd fit on the SMS TF-IDF matrix, k=8, one run from a fixed start."""

    def setup(self):
        self.X, self.init = make_sms_tfidf()

    def time_fit(self):
        KMeans(n_clusters=8, init=self.init).fit(self.X)

    def peakmem_fit(self):
        KMeans(n_clusters=8, init=self.init).fit(self.X)

    def track_inertia(self):
        return KMeans(n_clusters=8, init=self.init).fit(self.X).inertia_


class CompileSuite:
    """asv: what the first fit of a process pays for numba's kernels (cached on disk)."""

    def track_first_fit_extra_seconds(self):
        return numba_compile_seconds()

    track_first_fit_extra_seconds.unit = "seconds"


def _sklearnex_kmeans(n_clusters, init):
    require("sklearnex")
    from sklearnex.cluster import KMeans as IntelKMeans

    return IntelKMeans(n_clusters=n_clusters, init=init, n_init=1)


def _same_iterations(ours, peer, data):
    relative = (ours.inertia_ - peer.inertia_) / peer.inertia_
    return f"inertia {relative:+.2e} relative, {ours.n_iter_} vs {peer.n_iter_} iterations"


def _fit(make_estimator):
    return lambda data: make_estimator(data[1]).fit(data[0])


def _dense_peers(n_clusters, targets):
    return {
        "scikit-learn": Peer(
            _fit(lambda init: sk_cluster.KMeans(n_clusters=n_clusters, init=init, n_init=1)),
            "sklearn KMeans(lloyd)", target=targets[0],
        ),
        "scikit-learn-intelex": Peer(
            _fit(lambda init: _sklearnex_kmeans(n_clusters, init)),
            "sklearnex KMeans (oneDAL)", target=targets[1], requires=("sklearnex",),
        ),
    }


COMPARISONS = [
    Comparison(
        "KMeans fit, 100,000 x 20, k=16, n_init=1, same start",
        make_kmeans_data,
        _fit(lambda init: KMeans(n_clusters=16, init=init)),
        peers=_dense_peers(16, (0.8, 1.3)),
        quality=_same_iterations,
        repeat=5,
    ),
    Comparison(
        "KMeans fit, 100,000 x 20 float32, k=16, same start",
        lambda: make_kmeans_data(dtype=np.float32),
        _fit(lambda init: KMeans(n_clusters=16, init=init)),
        peers=_dense_peers(16, (None, None)),
        quality=_same_iterations,
        repeat=3,
    ),
    Comparison(
        "KMeans fit, SMS TF-IDF 5,574 x 8,713 sparse, k=8, same start",
        make_sms_tfidf,
        _fit(lambda init: KMeans(n_clusters=8, init=init)),
        _fit(lambda init: sk_cluster.KMeans(n_clusters=8, init=init, n_init=1)),
        "sklearn KMeans(lloyd), sparse",
        target=1.0,
        quality=_same_iterations,
        repeat=7,
    ),
]
