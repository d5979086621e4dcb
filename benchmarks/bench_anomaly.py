"""Benchmarks of the Gaussian anomaly detector: asv-style classes and the side-by-side comparisons.

The peers fit the same full Gaussian differently: ``GaussianMixture(n_components=1)`` by EM (a
k-means initialisation, then E and M steps until the log-likelihood settles; with one component
the first M step already gives the maximum-likelihood Gaussian), ``EllipticEnvelope`` by the
robust minimum covariance determinant (FastMCD), a harder problem, so its ratio is reported
without a target, and on 10,000 x 20: FastMCD took about 400 s on 100,000 x 50 on the shared
development machine.
"""

import numpy as np
from sklearn.covariance import EllipticEnvelope
from sklearn.mixture import GaussianMixture

from skdl.anomaly import GaussianAnomalyDetector

try:
    from benchmarks._side_by_side import Comparison, peak_memory_mb
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison, peak_memory_mb


def make_correlated_data(n_samples=100_000, n_features=50, seed=0):
    """Correlated Gaussian data with a few far-away rows, as float64."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(n_features, n_features)) / np.sqrt(n_features)
    X = rng.normal(size=(n_samples, n_features)) @ mixing + rng.normal(size=n_features)
    X[: n_samples // 100] += 4.0 * rng.normal(size=(n_samples // 100, n_features))
    return X


class GaussianAnomalyDetectorSuite:
    """asv: fit and score on 100,000 x 50, both covariance models."""

    params = ["diag", "full"]
    param_names = ["covariance"]

    def setup(self, covariance):
        self.X = make_correlated_data()
        self.detector = GaussianAnomalyDetector(covariance).fit(self.X)

    def time_fit(self, covariance):
        GaussianAnomalyDetector(covariance).fit(self.X)

    def time_score_samples(self, covariance):
        self.detector.score_samples(self.X)

    def peakmem_fit(self, covariance):
        GaussianAnomalyDetector(covariance).fit(self.X)

    def track_fraction_flagged(self, covariance):
        return float(np.mean(self.detector.predict(self.X) == -1))


def make_small_data():
    return make_correlated_data(10_000, 20)


def _fit_ours(X):
    return GaussianAnomalyDetector("full").fit(X)


def _fit_mixture(X):
    return GaussianMixture(n_components=1, covariance_type="full", reg_covar=1e-6, random_state=0).fit(X)


def _fit_envelope(X):
    return EllipticEnvelope(contamination=0.01, random_state=0).fit(X)


def _log_density_difference(ours, peer, X):
    rows = X[:2000]
    difference = np.abs(ours.score_samples(rows) - peer.score_samples(rows)).max()
    return f"max |log-density difference| {difference:.1e}"


def _log_density_difference_and_memory(ours, peer, X):
    peak = peak_memory_mb(_fit_ours, X)
    return f"{_log_density_difference(ours, peer, X)}; skdl peak traced memory {peak:.1f} MiB (X is {X.nbytes / 2**20:.0f} MiB)"


def _flagged_overlap(ours, peer, X):
    flagged_ours, flagged_peer = ours.predict(X) == -1, peer.predict(X) == -1
    shared = np.sum(flagged_ours & flagged_peer) / max(np.sum(flagged_ours | flagged_peer), 1)
    return f"flagged {flagged_ours.sum()} vs {flagged_peer.sum()}, Jaccard {shared:.2f}"


COMPARISONS = [
    Comparison(
        "GaussianAnomalyDetector full fit, 100,000 x 50",
        make_correlated_data,
        _fit_ours,
        _fit_mixture,
        "sklearn GaussianMixture(1, 'full')",
        target=0.1,
        quality=_log_density_difference_and_memory,
    ),
    Comparison(
        "GaussianAnomalyDetector full fit, 10,000 x 20 (vs EllipticEnvelope)",
        make_small_data,
        _fit_ours,
        _fit_envelope,
        "sklearn EllipticEnvelope",
        quality=_flagged_overlap,
        repeat=3,
    ),
]
