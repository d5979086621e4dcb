"""Benchmarks of the from-scratch perceptron: asv-style classes and the side-by-side comparisons.

The workload is the issue's: scikit-learn's ``load_digits`` (pixels scaled to [0, 1]), a stratified
75/25 split, one hidden layer of 100 ReLU units, Adam at 1e-3, mini-batches of 200 and exactly 100
epochs on both sides (``tol=0`` and ``n_iter_no_change=100`` switch the convergence test off).
The sparse workload is the SMS Spam Collection as word TF-IDF, a CSR matrix that both libraries
keep sparse, for 10 epochs.
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from skdl.neural_network import MLPClassifier, MLPRegressor

try:
    from benchmarks._side_by_side import Comparison
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison

EPOCHS = 100
SHARED = dict(
    hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=1e-4, learning_rate=1e-3,
    batch_size=200, max_iter=EPOCHS, tol=0.0, n_iter_no_change=EPOCHS, random_state=0,
)
# scikit-learn calls the sigmoid "logistic" and the step size learning_rate_init, and its "sgd" has
# Nesterov's momentum 0.9 unless told otherwise; every other name is the same.
_SKLEARN_ACTIVATION = {"sigmoid": "logistic"}


def make_digits(dtype=np.float64, seed=0):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(dtype)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def make_digits_float32():
    return make_digits(np.float32)


def make_regression(n_samples=5000, n_features=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=n_samples)
    return train_test_split(X, y, test_size=0.25, random_state=seed)


def make_sms_tfidf(seed=0):
    """The SMS Spam Collection as word TF-IDF (CSR, about 7,000 columns), stratified 75/25."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from skdl.datasets import load_sms_spam

    texts, y = load_sms_spam(return_X_y=True)
    texts_train, texts_test, y_train, y_test = train_test_split(
        texts, y, test_size=0.25, stratify=y, random_state=seed
    )
    vectorizer = TfidfVectorizer().fit(texts_train)
    return vectorizer.transform(texts_train), vectorizer.transform(texts_test), y_train, y_test


SPARSE = {**SHARED, "max_iter": 10, "n_iter_no_change": 10}


def _sklearn_params(params):
    params = dict(params)
    params["activation"] = _SKLEARN_ACTIVATION.get(params["activation"], params["activation"])
    params["learning_rate_init"] = params.pop("learning_rate")
    if params["solver"] == "sgd":
        params["momentum"] = params.get("momentum", 0.0)
    return params


def _fit(estimator_class, params):
    def fit(data):
        X_train, _, y_train, _ = data
        return estimator_class(**params).fit(X_train, y_train)

    return fit


def _test_score(ours, peer, data):
    _, X_test, _, y_test = data
    return f"test score skdl {ours.score(X_test, y_test):.4f} vs sklearn {peer.score(X_test, y_test):.4f}"


class MLPClassifierSuite:
    """asv: 100 epochs of Adam on digits, 64-100-10 ReLU network."""

    def setup(self):
        self.X_train, self.X_test, self.y_train, self.y_test = make_digits()

    def time_fit(self):
        MLPClassifier(**SHARED).fit(self.X_train, self.y_train)

    def peakmem_fit(self):
        MLPClassifier(**SHARED).fit(self.X_train, self.y_train)

    def track_test_accuracy(self):
        return MLPClassifier(**SHARED).fit(self.X_train, self.y_train).score(self.X_test, self.y_test)


class MLPClassifierSparseSuite:
    """asv: 10 epochs of Adam on the SMS TF-IDF matrix, kept sparse (about 7,000 x 100 first layer)."""

    def setup(self):
        self.X_train, self.X_test, self.y_train, self.y_test = make_sms_tfidf()

    def time_fit(self):
        MLPClassifier(**SPARSE).fit(self.X_train, self.y_train)

    def peakmem_fit(self):
        MLPClassifier(**SPARSE).fit(self.X_train, self.y_train)


class MLPClassifierBatchNormDropoutSuite:
    """asv: the same network with batch normalisation and dropout 0.2."""

    def setup(self):
        self.X_train, self.X_test, self.y_train, self.y_test = make_digits()

    def time_fit(self):
        MLPClassifier(batch_norm=True, dropout=0.2, **SHARED).fit(self.X_train, self.y_train)

    def track_test_accuracy(self):
        model = MLPClassifier(batch_norm=True, dropout=0.2, **SHARED).fit(self.X_train, self.y_train)
        return model.score(self.X_test, self.y_test)


COMPARISONS = [
    Comparison(
        "MLPClassifier fit, digits, 100 ReLU, adam, batch 200, 100 epochs",
        make_digits,
        _fit(MLPClassifier, SHARED),
        _fit(SkMLPClassifier, _sklearn_params(SHARED)),
        "sklearn MLPClassifier",
        target=1.0,
        quality=_test_score,
    ),
    Comparison(
        "MLPClassifier fit, digits float32, 100 ReLU, adam, 100 epochs",
        make_digits_float32,
        _fit(MLPClassifier, SHARED),
        _fit(SkMLPClassifier, _sklearn_params(SHARED)),
        "sklearn MLPClassifier",
        target=1.0,
        quality=_test_score,
    ),
    Comparison(
        "MLPClassifier fit, digits, 100 sigmoid, sgd 0.1, 100 epochs",
        make_digits,
        _fit(MLPClassifier, {**SHARED, "activation": "sigmoid", "solver": "sgd", "learning_rate": 0.1}),
        _fit(SkMLPClassifier, _sklearn_params({**SHARED, "activation": "sigmoid", "solver": "sgd", "learning_rate": 0.1})),
        "sklearn MLPClassifier(sgd)",
        target=1.0,
        quality=_test_score,
    ),
    Comparison(
        "MLPClassifier fit, SMS TF-IDF (CSR), 100 ReLU, adam, 10 epochs",
        make_sms_tfidf,
        _fit(MLPClassifier, SPARSE),
        _fit(SkMLPClassifier, _sklearn_params(SPARSE)),
        "sklearn MLPClassifier",
        target=1.0,
        quality=_test_score,
    ),
    Comparison(
        "MLPRegressor fit, 3,750 x 20, 100 ReLU, adam, 100 epochs",
        make_regression,
        _fit(MLPRegressor, SHARED),
        _fit(SkMLPRegressor, _sklearn_params(SHARED)),
        "sklearn MLPRegressor",
        target=1.0,
        quality=_test_score,
    ),
]
