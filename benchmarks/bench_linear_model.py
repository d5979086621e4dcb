"""Benchmarks of the linear models: asv-style classes and the side-by-side comparisons.

The normal equation is compared with two peers: scikit-learn and scikit-learn-intelex (Intel's
oneDAL, in the ``bench`` extra; its comparisons are left out when it is not installed). Its
physical limit is one Gram product :math:`X^\top X` (BLAS ``syrk``), drawn beside the fit time
on the scaling plot.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk
from sklearn import linear_model as sk_linear
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_union

from skdl.datasets import load_sms_spam
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


def make_sms_tfidf(seed=0):
    """The SMS Spam Collection as word and character TF-IDF: ``(X_train, y_train, X_test, y_test)``.

    A stratified 75/25 split; the vectorisers are fitted on the training part only. The matrices
    are CSR, about 4,200 x 42,000 with 0.5% non-zeros.
    """
    texts, labels = load_sms_spam(return_X_y=True)
    train_texts, test_texts, y_train, y_test = train_test_split(
        texts, labels, test_size=0.25, stratify=labels, random_state=seed
    )
    vectoriser = make_tfidf_union()
    return vectoriser.fit_transform(train_texts), y_train, vectoriser.transform(test_texts), y_test


def make_tfidf_union():
    """Word TF-IDF next to character 2-5-gram TF-IDF (within word boundaries), sublinear counts."""
    return make_union(
        TfidfVectorizer(sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    )


def make_wide_sparse_regression(n_samples=20_000, n_features=100_000, density=0.001, seed=0):
    """Ridge data wider than tall: CSR with 0.1% non-zeros, dense only ``y``."""
    rng = np.random.default_rng(seed)
    X = sp.random_array((n_samples, n_features), density=density, format="csr", random_state=seed)
    y = X @ rng.normal(size=n_features) + 0.1 * rng.normal(size=n_samples)
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


class SMSSpamSuite:
    """asv: binary L-BFGS on the SMS Spam Collection as word + character TF-IDF (sparse)."""

    def setup(self):
        self.X_train, self.y_train, self.X_test, self.y_test = make_sms_tfidf()

    def time_fit(self):
        LogisticRegression().fit(self.X_train, self.y_train)

    def peakmem_fit(self):
        LogisticRegression().fit(self.X_train, self.y_train)

    def track_spam_f1(self):
        model = LogisticRegression().fit(self.X_train, self.y_train)
        return f1_score(self.y_test, model.predict(self.X_test))


class WideSparseRidgeSuite:
    """asv: ridge (alpha=1) on 20,000 x 100,000 CSR at 0.1% density, by CG on the implicit dual."""

    def setup(self):
        self.X, self.y = make_wide_sparse_regression()

    def time_fit(self):
        LinearRegression(alpha=1.0).fit(self.X, self.y)

    def peakmem_fit(self):
        LinearRegression(alpha=1.0).fit(self.X, self.y)


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
    return f"log-loss skdl - peer = {difference:+.1e}"


def _fit(make_estimator):
    return lambda data: make_estimator().fit(*data)


def _fit_train(make_estimator):
    return lambda data: make_estimator().fit(data[0], data[1])


def _spam_f1(ours, peer, data):
    X_train, y_train, X_test, y_test = data
    ours_f1, peer_f1 = f1_score(y_test, ours.predict(X_test)), f1_score(y_test, peer.predict(X_test))
    ours_loss, peer_loss = (log_loss(y_train, model.predict_proba(X_train)) for model in (ours, peer))
    return (
        f"spam F1 {ours_f1:.4f} vs {peer_f1:.4f}, training log-loss {ours_loss:.7f} vs {peer_loss:.7f}, "
        f"iterations {ours.n_iter_[0]} vs {peer.n_iter_[0]}"
    )


def _ridge_predictions_and_memory(ours, peer, data):
    X, y = data
    difference = np.abs(ours.predict(X) - peer.predict(X)).max() / np.abs(peer.predict(X)).max()
    peak = peak_memory_mb(_fit(lambda: LinearRegression(alpha=1.0, tol=1e-6)), data)
    return f"max relative prediction difference {difference:.1e}, skdl peak memory {peak:.0f} MiB"


def _sklearnex_logistic(**params):
    # Imported when run: the peer is optional (the bench extra); skdl's side needs nothing from it.
    from sklearnex.linear_model import LogisticRegression as IntelLogisticRegression

    return IntelLogisticRegression(**params)


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
        peers={
            "scikit-learn": Peer(
                _fit(lambda: sk_linear.LogisticRegression(C=1.0, max_iter=1000, tol=1e-6)),
                "sklearn LogisticRegression(lbfgs)", target=0.7,
            ),
            "scikit-learn-intelex": Peer(
                _fit(lambda: _sklearnex_logistic(C=1.0, max_iter=1000, tol=1e-6)),
                "sklearnex LogisticRegression(lbfgs)", requires=("sklearnex",),
            ),
        },
        quality=_log_loss_difference,
    ),
    # The same tolerance on both sides: scikit-learn's default (skdl's is 1e-6), then 1e-6. skdl's
    # tolerance is on the gradient in standardised coordinates, so the log-loss each reaches is
    # shown too.
    Comparison(
        "LogisticRegression, SMS spam word+char TF-IDF (sparse)",
        make_sms_tfidf,
        _fit_train(lambda: LogisticRegression(tol=1e-4)),
        peers={
            "scikit-learn": Peer(
                _fit_train(lambda: sk_linear.LogisticRegression(tol=1e-4)),
                "sklearn LogisticRegression(lbfgs)", target=1.0,
            ),
            "scikit-learn-intelex": Peer(
                _fit_train(lambda: _sklearnex_logistic(tol=1e-4)),
                "sklearnex LogisticRegression(lbfgs)", requires=("sklearnex",),
            ),
        },
        quality=_spam_f1,
    ),
    Comparison(
        "LogisticRegression, SMS spam word+char TF-IDF (tol=1e-6)",
        make_sms_tfidf,
        _fit_train(lambda: LogisticRegression(tol=1e-6)),
        peers={
            "scikit-learn": Peer(
                _fit_train(lambda: sk_linear.LogisticRegression(tol=1e-6)),
                "sklearn LogisticRegression(lbfgs)", target=1.0,
            ),
            "scikit-learn-intelex": Peer(
                _fit_train(lambda: _sklearnex_logistic(tol=1e-6)),
                "sklearnex LogisticRegression(lbfgs)", requires=("sklearnex",),
            ),
        },
        quality=_spam_f1,
    ),
    # The same tolerance on both sides: scikit-learn's default 1e-4 leaves its predictions 1e-4 apart.
    Comparison(
        "Ridge on wide sparse X, 20,000 x 100,000 at 0.1%",
        make_wide_sparse_regression,
        _fit(lambda: LinearRegression(alpha=1.0, tol=1e-6)),
        _fit(lambda: sk_linear.Ridge(alpha=1.0, solver="sparse_cg", tol=1e-6)),
        "sklearn Ridge(solver='sparse_cg')",
        target=1.0,
        quality=_ridge_predictions_and_memory,
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
