"""Benchmarks of the linear models: asv-style classes and the side-by-side comparisons.

The normal equation is compared with two peers: scikit-learn and scikit-learn-intelex (Intel's
oneDAL, in the ``bench`` extra; its comparisons are left out when it is not installed). Its
physical limit is one Gram product :math:`X^\top X` (BLAS ``syrk``), drawn beside the fit time
on the scaling plot.
"""

import numpy as np
from scipy.linalg.blas import dsyrk
from sklearn import linear_model as sk_linear
from sklearn.metrics import log_loss

from skdl.linear_model import LinearRegression, LogisticRegression
from skdl.utils._threads import map_in_threads, n_threads, row_blocks

try:
    from benchmarks._side_by_side import Comparison, Peer, Scaling, missing_requirements, peak_memory_mb
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison, Peer, Scaling, missing_requirements, peak_memory_mb


def make_regression_data(n_samples=100_000, n_features=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = X @ rng.normal(size=n_features) + 3.0 + rng.normal(size=n_samples)
    return X, y


def make_multiclass_data(n_samples=20_000, n_features=100, n_classes=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    W = rng.normal(size=(n_features, n_classes)) * 0.3
    y = np.argmax(X @ W + rng.gumbel(size=(n_samples, n_classes)), axis=1)
    return X, y


class LinearRegressionSuite:
    """asv: normal-equation fit on dense 100,000 x 100 float64 (least squares and ridge)."""

    def setup(self):
        self.X, self.y = make_regression_data()

    def time_fit_normal(self):
        LinearRegression().fit(self.X, self.y)

    def time_fit_ridge(self):
        LinearRegression(alpha=1.0).fit(self.X, self.y)

    def time_gram_limit(self):
        gram_limit((self.X, self.y))

    def peakmem_fit_normal(self):
        LinearRegression().fit(self.X, self.y)

    def peakmem_fit_ridge(self):
        LinearRegression(alpha=1.0).fit(self.X, self.y)

    def track_peak_traced_memory_fraction_of_X(self):
        """Peak memory the fit allocates, as a fraction of the size of X (a copy would be 1)."""
        return peak_memory_mb(_fit(LinearRegression), (self.X, self.y)) * 2**20 / self.X.nbytes


class LogisticRegressionSuite:
    """asv: multinomial L-BFGS fit on 20,000 x 100, 5 classes."""

    def setup(self):
        self.X, self.y = make_multiclass_data()

    def time_fit_lbfgs(self):
        LogisticRegression(C=1.0).fit(self.X, self.y)

    def track_log_loss(self):
        model = LogisticRegression(C=1.0).fit(self.X, self.y)
        return log_loss(self.y, model.predict_proba(self.X))


def _coef_difference(ours, peer, data):
    relative = np.abs(ours.coef_ - peer.coef_).max() / np.abs(peer.coef_).max()
    return f"max relative coef difference {relative:.1e}"


def _coef_difference_and_memory(make_ours):
    """The answers, and the peak memory the skdl fit allocates (traced) against X's size."""

    def quality(ours, peer, data):
        peak = peak_memory_mb(_fit(make_ours), data)
        return f"{_coef_difference(ours, peer, data)}; skdl peak traced memory {peak:.1f} MiB (X is {data[0].nbytes / 2**20:.0f} MiB)"

    return quality


def _log_loss_difference(ours, peer, data):
    X, y = data
    difference = log_loss(y, ours.predict_proba(X)) - log_loss(y, peer.predict_proba(X))
    return f"log-loss skdl - sklearn = {difference:+.1e}"


def _fit(make_estimator):
    return lambda data: make_estimator().fit(*data)


def gram_limit(data):
    """The physical limit of the normal equation: one Gram product X^T X (BLAS syrk, upper half).

    Formed on all cores as one single-threaded ``syrk`` per contiguous row range, summed: the
    same arithmetic as one multithreaded call, which on shared cores stalls (measured up to
    twenty times slower) and would draw a limit above the fits themselves.
    """
    X = data[0]
    ranges = row_blocks(X.shape[0], n_threads())
    return sum(map_in_threads(lambda rows: dsyrk(1.0, X[rows].T, trans=0), ranges))


def _ridge():
    return LinearRegression(alpha=1.0)


def _intelex(name, **params):
    """A scikit-learn-intelex linear model, imported when it runs (the bench extra brings it)."""

    def make():
        from sklearnex import linear_model

        return getattr(linear_model, name)(**params)

    return make


_NORMAL_EQUATION = [
    Comparison(
        "LinearRegression fit, 100,000 x 100",
        make_regression_data,
        _fit(LinearRegression),
        peers={
            "scikit-learn": Peer(_fit(sk_linear.LinearRegression), "sklearn LinearRegression", target=0.2),
            "scikit-learn-intelex": Peer(
                _fit(_intelex("LinearRegression")), "sklearnex LinearRegression", target=1.3,
                requires=("sklearnex",),
            ),
        },
        quality=_coef_difference_and_memory(LinearRegression),
    ),
    Comparison(
        "Ridge fit (alpha=1), 100,000 x 100",
        make_regression_data,
        _fit(_ridge),
        peers={
            "scikit-learn": Peer(_fit(lambda: sk_linear.Ridge(alpha=1.0)), "sklearn Ridge(alpha=1)", target=0.5),
            "scikit-learn-intelex": Peer(
                _fit(_intelex("Ridge", alpha=1.0)), "sklearnex Ridge(alpha=1)", target=1.3, requires=("sklearnex",),
            ),
        },
        quality=_coef_difference_and_memory(_ridge),
    ),
]

COMPARISONS = _NORMAL_EQUATION + [
    Comparison(
        "LogisticRegression multinomial fit, 20,000 x 100, 5 classes",
        make_multiclass_data,
        _fit(lambda: LogisticRegression(C=1.0)),
        _fit(lambda: sk_linear.LogisticRegression(C=1.0, max_iter=1000, tol=1e-6)),
        "sklearn LogisticRegression(lbfgs)",
        target=1.5,
        quality=_log_loss_difference,
    ),
]


# How fit time grows with the number of samples (the benchmark page's scaling plot).
_INTELEX = not missing_requirements(["sklearnex"])
SCALING = [
    Scaling(
        "LinearRegression fit, n x 100",
        [10_000, 30_000, 100_000, 300_000, 1_000_000],
        lambda n: make_regression_data(n_samples=n),
        _fit(LinearRegression),
        _fit(_intelex("LinearRegression") if _INTELEX else sk_linear.LinearRegression),
        "sklearnex LinearRegression" if _INTELEX else "sklearn LinearRegression",
        limit=gram_limit,
        limit_name="one Gram product X^T X (BLAS syrk)",
    ),
    Scaling(
        "LogisticRegression multinomial fit, n x 100, 5 classes",
        [1_000, 3_000, 10_000, 30_000],
        lambda n: make_multiclass_data(n_samples=n),
        _fit(lambda: LogisticRegression(C=1.0)),
        _fit(lambda: sk_linear.LogisticRegression(C=1.0, max_iter=1000, tol=1e-6)),
        "sklearn LogisticRegression(lbfgs)",
    ),
]
