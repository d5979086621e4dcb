"""Demo cases of the linear models, on the course's exercise data.

The scikit-learn peers run with the same tolerance as skdl (``tol=1e-6``), so both sides stop at
the same precision.
"""

from sklearn import linear_model as sk_linear
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from ..datasets import load_exam_admissions, load_house_prices, load_microchips, load_spam_emails
from ..linear_model import LinearRegression, LogisticRegression
from ._runner import DemoCase


def _train_is_test(loader):
    def load():
        X, y = loader(return_X_y=True)
        return X, y, X, y

    return load


def _spam():
    X_train, y_train = load_spam_emails(subset="train", return_X_y=True)
    X_test, y_test = load_spam_emails(subset="test", return_X_y=True)
    return X_train, y_train, X_test, y_test


def _rmse(estimator, X, y):
    return mean_squared_error(y, estimator.predict(X)) ** 0.5


def _accuracy(estimator, X, y):
    return accuracy_score(y, estimator.predict(X))


def _polynomial(classifier):
    return make_pipeline(PolynomialFeatures(6, include_bias=False), classifier)


CASES = [
    DemoCase(
        "LinearRegression", "house prices (ex1data2)", "train RMSE",
        _train_is_test(load_house_prices), lambda: LinearRegression(), _rmse,
        lambda: sk_linear.LinearRegression(), "sklearn LinearRegression",
    ),
    DemoCase(
        "LogisticRegression", "exam admissions (ex2data1)", "train accuracy",
        _train_is_test(load_exam_admissions), lambda: LogisticRegression(penalty=None), _accuracy,
        lambda: sk_linear.LogisticRegression(C=float("inf"), max_iter=1000, tol=1e-6), "sklearn LogisticRegression",
    ),
    DemoCase(
        "LogisticRegression", "microchips, degree 6 (ex2data2)", "train accuracy",
        _train_is_test(load_microchips), lambda: _polynomial(LogisticRegression(C=1.0)), _accuracy,
        lambda: _polynomial(sk_linear.LogisticRegression(C=1.0, max_iter=1000, tol=1e-6)), "sklearn LogisticRegression",
    ),
    DemoCase(
        "LogisticRegression", "spam e-mails (ex6 spamTest)", "test accuracy",
        _spam, lambda: LogisticRegression(C=0.1), _accuracy,
        lambda: sk_linear.LogisticRegression(C=0.1, max_iter=1000, tol=1e-6), "sklearn LogisticRegression",
    ),
]
