"""A small fitted instance of every public estimator, for the tests that must cover them all.

``FITTED_EXAMPLES[name]()`` returns ``(estimator, X, y)`` with a freshly fitted estimator, its
training inputs and targets (None for unsupervised ones). Each new estimator adds its entry here;
a test fails loudly when one is missing.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skdl.anomaly import GaussianAnomalyDetector
from skdl.cluster import KMeans
from skdl.decomposition import PCA
from skdl.linear_model import LinearRegression, LogisticRegression
from skdl.neural_network import MLPClassifier, MLPRegressor
from skdl.feature_extraction import EmailVectorizer
from skdl.recommender import CollaborativeFilter
from skdl.svm import SVC, LinearSVC


def _regression(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 4))
    return X, X @ rng.normal(size=4) + rng.normal(size=80)


def _classification(seed=0, n_classes=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(90, 4))
    return X, np.argmax(X @ rng.normal(size=(4, n_classes)), axis=1)


def _fit(estimator, X, y=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X) if y is None else estimator.fit(X, y)
    return estimator, X, y


def _ratings(seed=0, n_ratings=400):
    rng = np.random.default_rng(seed)
    users = rng.choice(["ann", "bob", "cy", "dee", "eve", "fay"], size=n_ratings)
    items = rng.integers(1, 40, size=n_ratings)
    X = np.column_stack([users, items.astype(str)]).astype(object)
    return X, rng.integers(1, 6, size=n_ratings).astype(float)


def _cnn():
    from skdl.neural_network import CNNClassifier

    X, y = _classification()
    X = np.random.default_rng(0).random((90, 64)).astype(np.float32) + 0.1 * y[:, None]
    return _fit(CNNClassifier(max_epochs=2, width=4, hidden_size=8, random_state=0), X, y)


def _rnn():
    from skdl.neural_network import RNNClassifier

    texts = np.array(["win a prize now", "see you at lunch", "cheap pills, buy now", "call mum later"] * 10, dtype=object)
    return _fit(RNNClassifier(max_epochs=2, hidden_size=8, embedding_dim=4, random_state=0), texts, np.arange(40) % 2)


FITTED_EXAMPLES = {
    "CNNClassifier": _cnn,
    "RNNClassifier": _rnn,
    "KMeans": lambda: _fit(KMeans(n_clusters=3, random_state=0), _regression()[0]),
    "PCA": lambda: _fit(PCA(n_components=2, whiten=True), _regression()[0]),
    "MLPClassifier": lambda: _fit(
        MLPClassifier((8,), batch_norm=True, max_iter=20, random_state=0), *_classification()
    ),
    "MLPRegressor": lambda: _fit(MLPRegressor((8,), solver="rmsprop", max_iter=20, random_state=0), *_regression()),
    "CollaborativeFilter": lambda: _fit(CollaborativeFilter(n_factors=3, random_state=0), *_ratings()),
    "GaussianAnomalyDetector": lambda: _fit(GaussianAnomalyDetector(covariance="full"), _regression()[0]),
    "LinearRegression": lambda: _fit(LinearRegression(solver="sgd", max_iter=20, random_state=0), *_regression()),
    "LogisticRegression": lambda: _fit(LogisticRegression(solver="sgd", max_iter=20, random_state=0), *_classification()),
    "SVC": lambda: _fit(SVC(probability=True, random_state=0), *_classification()),
    "LinearSVC": lambda: _fit(LinearSVC(random_state=0), *_classification()),
    "EmailVectorizer": lambda: _fit(
        EmailVectorizer(), np.array(["Click here to win $1000!", "Lunch at 12:30?"], dtype=object)
    ),
}
