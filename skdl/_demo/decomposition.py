"""Demo cases of PCA, on the course's exercise 7 points and the exercise 6 e-mails."""

import numpy as np
from sklearn import decomposition as sk_decomposition
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..datasets import load_pca_points, load_spam_emails
from ..decomposition import PCA
from ._runner import DemoCase


def _points():
    X = load_pca_points()
    return X, None, X, None


def _emails():
    X_train = load_spam_emails(subset="train").data
    X_test = load_spam_emails(subset="test").data
    return X_train, None, X_test, None


def _reconstruction_error(estimator, X, y):
    """Mean squared error of ``X`` projected and recovered (the course's recoverData)."""
    return float(np.mean((X - estimator.inverse_transform(estimator.transform(X))) ** 2))


CASES = [
    DemoCase(
        "PCA", "ex7data1, normalised, k=1", "recovery MSE",
        _points, lambda: make_pipeline(StandardScaler(), PCA(n_components=1)), _reconstruction_error,
        lambda: make_pipeline(StandardScaler(), sk_decomposition.PCA(n_components=1)), "sklearn PCA",
    ),
    DemoCase(
        "PCA", "spam e-mails, 100 randomized (ex6)", "test recovery MSE",
        _emails, lambda: PCA(n_components=100, svd_solver="randomized", random_state=0),
        _reconstruction_error,
        lambda: sk_decomposition.PCA(n_components=100, svd_solver="randomized", random_state=0),
        "sklearn PCA(randomized)",
    ),
]
