"""Benchmarks of the SVMs: asv-style classes and the side-by-side comparisons.

The peers are scikit-learn's libsvm and liblinear wrappers and, for SVC, scikit-learn-intelex
(oneDAL, the ``bench`` extra) as a second peer of each workload (it has no LinearSVC). numba's one-off
costs are measured apart, in fresh processes (:func:`numba_compile_seconds`), so that no timed fit
pays them: every comparison runs one warm-up call of each side first.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn import svm as sk_svm
from sklearn.feature_extraction.text import TfidfVectorizer

from skdl.datasets import load_sms_spam, load_spam_emails, load_svm_points
from skdl.svm import SVC, LinearSVC

try:
    from benchmarks._side_by_side import Comparison, Peer
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison, Peer


def _intel_svc(**params):
    from sklearnex.svm import SVC as IntelSVC  # the bench extra; imported only when it runs

    return IntelSVC(**params)


def spam_data():
    """The course's spam features: (X_train, y_train, X_test, y_test), 4000 + 1000 x 1899."""
    X, y = load_spam_emails(return_X_y=True)
    X_test, y_test = load_spam_emails(subset="test", return_X_y=True)
    return X, y, X_test, y_test


def ex6data2_data():
    """The course's ex6data2 (863 x 2), predicted on itself."""
    X, y = load_svm_points(2, return_X_y=True)
    return X, y, X, y


def sms_tfidf_data():
    """The SMS Spam Collection as a TF-IDF matrix (5574 x 8713, sparse)."""
    data = load_sms_spam()
    return TfidfVectorizer().fit_transform(data.data), data.target


SPAM_LINEAR = dict(kernel="linear", C=0.1)
SPAM_RBF = dict(kernel="rbf", C=1.0)
EX6DATA2_RBF = dict(kernel="rbf", C=1.0, gamma=1 / (2 * 0.1**2))  # the course's sigma = 0.1


class SVCSuite:
    """asv: SVC fit and predict on the spam features (linear C=0.1, RBF) and on ex6data2."""

    params = ["spam linear", "spam rbf", "ex6data2 rbf"]
    param_names = ["workload"]
    _WORKLOADS = {
        "spam linear": (spam_data, SPAM_LINEAR),
        "spam rbf": (spam_data, SPAM_RBF),
        "ex6data2 rbf": (ex6data2_data, EX6DATA2_RBF),
    }

    def setup(self, workload):
        load, self.svc_params = self._WORKLOADS[workload]
        self.X, self.y, self.X_test, self.y_test = load()
        self.model = SVC(**self.svc_params).fit(self.X, self.y)

    def time_fit(self, workload):
        SVC(**self.svc_params).fit(self.X, self.y)

    def peakmem_fit(self, workload):
        SVC(**self.svc_params).fit(self.X, self.y)

    def time_predict(self, workload):
        self.model.predict(self.X_test)

    def track_test_accuracy(self, workload):
        return self.model.score(self.X_test, self.y_test)


class LinearSVCSuite:
    """asv: LinearSVC fit on the SMS TF-IDF matrix."""

    def setup(self):
        self.X, self.y = sms_tfidf_data()

    def time_fit(self):
        LinearSVC(random_state=0).fit(self.X, self.y)


_COMPILE_SCRIPT = """
import time
t = time.perf_counter()
from skdl.datasets import load_sms_spam, load_svm_points
from skdl.svm import SVC, LinearSVC
from sklearn.feature_extraction.text import TfidfVectorizer
import scipy.sparse as sp
X, y = load_svm_points(1, return_X_y=True)
data = load_sms_spam()
T = TfidfVectorizer().fit_transform(data.data[:200])
ready = time.perf_counter()
SVC(kernel="linear").fit(X, y); SVC().fit(sp.csr_matrix(X), y); LinearSVC().fit(T, data.target[:200]); LinearSVC().fit(X, y)
first = time.perf_counter()
SVC(kernel="linear").fit(X, y); SVC().fit(sp.csr_matrix(X), y); LinearSVC().fit(T, data.target[:200]); LinearSVC().fit(X, y)
print(first - ready - (time.perf_counter() - first))
"""


def numba_compile_seconds():
    """numba's one-off costs: ``(compile, load)`` seconds, each measured in a fresh process.

    ``compile`` is the first fits' extra time with an empty numba cache (what one new
    installation pays once); ``load`` the same with the cache filled (what each new process
    pays). Both exclude the fits themselves and the imports.
    """
    with tempfile.TemporaryDirectory() as cache_dir:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
        run = [sys.executable, "-c", _COMPILE_SCRIPT]
        compile_s = float(subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout)
        load_s = float(subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout)
    return compile_s, load_s


class NumbaCompileSuite:
    """asv: numba's compile time (empty cache) and cache-load time, once per process."""

    timeout = 600

    def track_compile_seconds(self):
        return numba_compile_seconds()[0]

    track_compile_seconds.unit = "seconds"

    def track_cache_load_seconds(self):
        return numba_compile_seconds()[1]

    track_cache_load_seconds.unit = "seconds"


# --- side by side ---------------------------------------------------------------------------------


def _fit_svc(make):
    return lambda data: make().fit(data[0], data[1])


def _fitted_predict(make):
    """A timed ``predict`` on the test part of a model fitted once, outside the timing."""
    fitted = {}

    def predict(data):
        key = id(data)
        if key not in fitted:
            fitted.clear()
            fitted[key] = make().fit(data[0], data[1])
        return fitted[key], fitted[key].predict(data[2])

    return predict


def _svc_answers(ours, peer, data):
    same_support = len(ours.support_) == len(peer.support_) and np.array_equal(np.sort(ours.support_), np.sort(peer.support_))
    scores, peer_scores = ours.decision_function(data[2]), peer.decision_function(data[2])
    relative = np.abs(scores - peer_scores).max() / np.abs(peer_scores).max()
    return (f"{len(ours.support_)} vs {len(peer.support_)} SVs ({'same' if same_support else 'different'}), "
            f"decision values {relative:.0e} relative")


def _same_predictions(ours, peer, data):
    (_, ours_labels), (_, peer_labels) = ours, peer
    return f"predictions identical on {np.mean(ours_labels == peer_labels):.1%}"


def _coef_difference(ours, peer, data):
    relative = np.abs(ours.coef_ - peer.coef_).max() / np.abs(peer.coef_).max()
    return f"max relative coef difference {relative:.1e}, {ours.n_iter_} vs {peer.n_iter_} passes"


def _svc_comparisons(label, load, params, repeat):
    """Fit and predict of one SVC workload against libsvm (with the target) and oneDAL."""
    ours = lambda: SVC(**params)  # noqa: E731
    peers = {
        "scikit-learn": (lambda: sk_svm.SVC(**params), "sklearn SVC (libsvm)", 1.0, ()),
        "scikit-learn-intelex": (lambda: _intel_svc(**params), "sklearnex SVC (oneDAL)", None, ("sklearnex",)),
    }
    fit_peers = {key: Peer(_fit_svc(make), name, target, requires) for key, (make, name, target, requires) in peers.items()}
    predict_peers = {key: Peer(_fitted_predict(make), name, target, requires)
                     for key, (make, name, target, requires) in peers.items()}
    return [
        Comparison(f"SVC fit, {label}", load, _fit_svc(ours), peers=fit_peers, quality=_svc_answers, repeat=repeat),
        Comparison(f"SVC predict, {label}", load, _fitted_predict(ours), peers=predict_peers,
                   quality=_same_predictions, repeat=repeat),
    ]


COMPARISONS = [
    *_svc_comparisons("spamTrain linear C=0.1 (4000 x 1899)", spam_data, SPAM_LINEAR, repeat=5),
    *_svc_comparisons("spamTrain RBF C=1 (4000 x 1899)", spam_data, SPAM_RBF, repeat=5),
    *_svc_comparisons("ex6data2 RBF C=1 sigma=0.1 (863 x 2)", ex6data2_data, EX6DATA2_RBF, repeat=51),
    Comparison(
        "LinearSVC fit, SMS TF-IDF (5574 x 8713 sparse)",
        sms_tfidf_data,
        lambda data: LinearSVC(random_state=0).fit(*data),
        lambda data: sk_svm.LinearSVC(random_state=0).fit(*data),
        "sklearn LinearSVC (liblinear)",
        target=1.0,
        quality=_coef_difference,
        repeat=31,
    ),
]


if __name__ == "__main__":
    compile_s, load_s = numba_compile_seconds()
    print(f"numba: {compile_s:.1f} s to compile (empty cache, once per installation), "
          f"{load_s:.2f} s to load the compiled code (once per process)")
