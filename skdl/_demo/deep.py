"""Demo cases of the torch estimators: digits with a CNN, SMS spam with a character RNN.

Each is compared with what does the same job in scikit-learn: the CNN with scikit-learn's
neural network (``MLPClassifier``), the RNN with a character TF-IDF + logistic regression. The
RNN row trains for 3 epochs instead of the default to keep the demo within a couple of minutes
on a CPU; its test (tests/neural_network/test_rnn.py) uses the defaults.
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


def _cnn():
    from ..neural_network import CNNClassifier

    return CNNClassifier(random_state=0)


def _rnn():
    from ..neural_network import RNNClassifier

    return RNNClassifier(max_epochs=DEMO_RNN_EPOCHS, random_state=0)


def _tfidf_logistic():
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=1000),
    )


CASES = [
    DemoCase(
        "CNNClassifier", "digits 8x8, 25% test split", "test accuracy",
        _digits, _cnn, _accuracy, lambda: MLPClassifier(max_iter=500, random_state=0), "sklearn MLPClassifier",
        requires="skorch",
    ),
    DemoCase(
        "RNNClassifier", f"SMS spam raw text ({DEMO_RNN_EPOCHS} epochs)", "spam F1",
        _sms, _rnn, _spam_f1, _tfidf_logistic, "char TF-IDF + LogisticRegression", requires="skorch",
    ),
]
