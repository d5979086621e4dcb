"""Demo cases of the torch estimators: digits with a CNN, SMS spam with a character RNN.

The CNN's peer is scikit-learn's MLPClassifier, the neural network scikit-learn has, on the same
pixels: the same job, so the row shows the ratio of fit times. scikit-learn has no recurrent
network, so the RNN's peer, character TF-IDF with a logistic regression, gives a reference score
only. The RNN row trains for 3 epochs instead of the default 10 to keep the demo within a couple
of minutes on a CPU; its test (tests/neural_network/test_rnn.py) uses the defaults.
"""

from sklearn.datasets import load_digits
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline

from ..datasets import load_sms_spam
from ._runner import DemoCase

DEMO_RNN_EPOCHS = 3
QUICK_CNN_EPOCHS = 3


def _digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)
    return X_train, y_train, X_test, y_test


def _sms():
    X, y = load_sms_spam(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    return X_train, y_train, X_test, y_test


def _accuracy(estimator, X, y):
    return accuracy_score(y, estimator.predict(X))


def _spam_f1(estimator, X, y):
    return f1_score(y, estimator.predict(X))


def _cnn(**params):
    from ..neural_network import CNNClassifier

    return CNNClassifier(random_state=0, **params)


def _rnn(max_epochs=DEMO_RNN_EPOCHS):
    from ..neural_network import RNNClassifier

    return RNNClassifier(max_epochs=max_epochs, random_state=0)


def _sklearn_mlp(**params):
    return MLPClassifier(hidden_layer_sizes=(100,), random_state=0, **params)


def _tfidf_logistic():
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=1000),
    )


CASES = [
    DemoCase(
        "CNNClassifier", "digits 8x8, 25% test split", "test accuracy",
        _digits, _cnn, _accuracy, _sklearn_mlp, "sklearn MLPClassifier", requires="skorch",
        make_ours_quick=lambda: _cnn(max_epochs=QUICK_CNN_EPOCHS),
        make_peer_quick=lambda: _sklearn_mlp(max_iter=50),
        quick_dataset=f"digits 8x8, 25% test split ({QUICK_CNN_EPOCHS} epochs; MLP 50 iterations)",
    ),
    DemoCase(
        "RNNClassifier", f"SMS spam raw text ({DEMO_RNN_EPOCHS} epochs)", "spam F1",
        _sms, _rnn, _spam_f1, _tfidf_logistic, "char TF-IDF + LogisticRegression", requires="skorch",
        compare_times=False, make_ours_quick=lambda: _rnn(max_epochs=1), quick_dataset="SMS spam raw text (1 epoch)",
    ),
]
