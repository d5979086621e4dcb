"""Benchmarks of PCA: asv-style classes and the side-by-side comparisons.

The peers are scikit-learn and scikit-learn-intelex (in the ``bench`` extra; its comparison is
left out when it is not installed).
"""

import numpy as np
from sklearn import decomposition as sk_decomposition

from skdl.decomposition import PCA

try:
    from benchmarks._side_by_side import Comparison, Peer, peak_memory_mb
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison, Peer, peak_memory_mb


def make_pca_data(n_samples, n_features, rank=60, seed=0):
    """A decaying rank-``rank`` signal plus unit noise, away from the origin."""
    rng = np.random.default_rng(seed)
    scales = np.linspace(10.0, 1.0, rank)
    signal = (rng.normal(size=(n_samples, rank)) * scales) @ rng.normal(size=(rank, n_features))
    return signal + rng.normal(size=(n_samples, n_features)) + 3.0


def make_tall_data():
    return make_pca_data(20_000, 500)


def make_wide_data():
    return make_pca_data(2_000, 5_000)


class PCATallSuite:
    """asv: 20,000 x 500 to 50 components with the default solver (covariance eigh)."""

    def setup(self):
        self.X = make_tall_data()

    def time_fit(self):
        PCA(n_components=50).fit(self.X)

    def peakmem_fit(self):
        PCA(n_components=50).fit(self.X)

    def track_explained_variance_ratio(self):
        return float(PCA(n_components=50).fit(self.X).explained_variance_ratio_.sum())

    def track_peak_traced_memory_fraction_of_X(self):
        """Peak memory the fit allocates, as a fraction of the size of X (a copy would be 1)."""
        return peak_memory_mb(_fit(lambda: PCA(n_components=50)), self.X) * 2**20 / self.X.nbytes


class PCAWideSuite:
    """asv: 2,000 x 5,000 to 50 components with the randomized solver."""

    def setup(self):
        self.X = make_wide_data()

    def time_fit_randomized(self):
        PCA(n_components=50, svd_solver="randomized", random_state=0).fit(self.X)

    def peakmem_fit_randomized(self):
        PCA(n_components=50, svd_solver="randomized", random_state=0).fit(self.X)


def _variance_difference(ours, peer, data):
    relative = np.abs(ours.explained_variance_ / peer.explained_variance_ - 1).max()
    return f"max relative explained-variance difference {relative:.1e}"


def _fit(make_estimator):
    return lambda X: make_estimator().fit(X)


def _variance_difference_and_memory(ours, peer, X):
    peak = peak_memory_mb(_fit(lambda: PCA(n_components=50)), X)
    return f"{_variance_difference(ours, peer, X)}; skdl peak traced memory {peak:.1f} MiB (X is {X.nbytes / 2**20:.0f} MiB)"


def _fit_intelex(X):
    from sklearnex.decomposition import PCA as IntelexPCA  # the bench extra brings it

    return IntelexPCA(n_components=50).fit(X)


COMPARISONS = [
    Comparison(
        "PCA fit, 20,000 x 500 -> 50, default solver",
        make_tall_data,
        _fit(lambda: PCA(n_components=50)),
        peers={
            "scikit-learn": Peer(_fit(lambda: sk_decomposition.PCA(n_components=50)), "sklearn PCA(auto)", target=0.8),
            "scikit-learn-intelex": Peer(_fit_intelex, "sklearnex PCA", target=1.0, requires=("sklearnex",)),
        },
        quality=_variance_difference_and_memory,
    ),
    Comparison(
        "PCA fit, 2,000 x 5,000 -> 50, randomized",
        make_wide_data,
        _fit(lambda: PCA(n_components=50, svd_solver="randomized", random_state=0)),
        _fit(lambda: sk_decomposition.PCA(n_components=50, svd_solver="randomized", random_state=0)),
        "sklearn PCA(randomized)",
        target=1.2,
        quality=_variance_difference,
        repeat=3,
    ),
]
