"""Benchmarks of the linear models: asv-style classes and the side-by-side comparisons."""

import numpy as np
from sklearn import linear_model as sk_linear
from sklearn.metrics import log_loss

from skdl.linear_model import LinearRegression, LogisticRegression

try:
    from benchmarks._side_by_side import Comparison, Scaling
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison, Scaling


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
    """asv: normal-equation fit on dense 100,000 x 100 float64."""

    def setup(self):
        self.X, self.y = make_regression_data()

    def time_fit_normal(self):
        LinearRegression().fit(self.X, self.y)

    def peakmem_fit_normal(self):
        LinearRegression().fit(self.X, self.y)


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


def _log_loss_difference(ours, peer, data):
    X, y = data
    difference = log_loss(y, ours.predict_proba(X)) - log_loss(y, peer.predict_proba(X))
    return f"log-loss skdl - sklearn = {difference:+.1e}"


def _fit(make_estimator):
    return lambda data: make_estimator().fit(*data)


COMPARISONS = [
    Comparison(
        "LinearRegression fit, 100,000 x 100",
        make_regression_data,
        _fit(LinearRegression),
        _fit(sk_linear.LinearRegression),
        "sklearn LinearRegression",
        target=0.5,
        quality=_coef_difference,
    ),
    Comparison(
        "LinearRegression fit, 100,000 x 100 (vs Ridge cholesky)",
        make_regression_data,
        _fit(LinearRegression),
        _fit(lambda: sk_linear.Ridge(alpha=0.0, solver="cholesky")),
        "sklearn Ridge(solver='cholesky')",
        target=1.2,
        quality=_coef_difference,
    ),
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
SCALING = [
    Scaling(
        "LinearRegression fit, n x 100",
        [3_000, 10_000, 30_000, 100_000, 300_000],
        lambda n: make_regression_data(n_samples=n),
        _fit(LinearRegression),
        _fit(sk_linear.LinearRegression),
        "sklearn LinearRegression",
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
