"""Demo case of the from-scratch perceptron: handwritten digits beside scikit-learn's MLPClassifier."""

from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

from ..neural_network import MLPClassifier
from ._runner import DemoCase

# The same network, optimiser and number of epochs on both sides.
_PARAMS = dict(hidden_layer_sizes=(100,), solver="adam", batch_size=200, max_iter=100, random_state=0)


def _digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)
    return X_train, y_train, X_test, y_test


def _accuracy(estimator, X, y):
    return accuracy_score(y, estimator.predict(X))


CASES = [
    DemoCase(
        "MLPClassifier", "digits 8x8 (sklearn), 100 ReLU", "test accuracy",
        _digits, lambda: MLPClassifier(**_PARAMS), _accuracy,
        lambda: SkMLPClassifier(**_PARAMS), "sklearn MLPClassifier",
    ),
]
