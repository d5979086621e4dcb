"""The estimators the property suite runs, each in a configuration cheap enough for many draws.

A case names the kind of targets the estimator learns (``task``), whether its ``fit`` takes
``sample_weight`` and how many draws it gets; the torch estimators get fewer, being slower.
"""

from dataclasses import dataclass
from typing import Callable

from skdl.anomaly import GaussianAnomalyDetector
from skdl.cluster import KMeans
from skdl.decomposition import PCA
from skdl.linear_model import LinearRegression, LogisticRegression
from skdl.neural_network import MLPClassifier, MLPRegressor
from skdl.feature_extraction import EmailVectorizer
from skdl.recommender import CollaborativeFilter
from skdl.svm import SVC, LinearSVC


@dataclass
class Case:
    factory: Callable
    task: str  # "regression", "classification", "clustering", "transform", "outlier", "ratings" or "text"
    sample_weight: bool = True
    max_examples: int = 60


def _cnn():
    from skdl.neural_network import CNNClassifier

    return CNNClassifier(max_epochs=2, width=4, hidden_size=8, batch_size=8, random_state=0)


def _rnn():
    from skdl.neural_network import RNNClassifier

    return RNNClassifier(max_epochs=2, hidden_size=4, embedding_dim=4, batch_size=8, random_state=0)


CASES = {
    "LinearRegression": Case(LinearRegression, "regression"),
    "LogisticRegression": Case(LogisticRegression, "classification"),
    "KMeans": Case(lambda: KMeans(n_clusters=2, n_init=1, random_state=0), "clustering"),
    "PCA": Case(PCA, "transform", sample_weight=False),
    "GaussianAnomalyDetector": Case(GaussianAnomalyDetector, "outlier"),
    "MLPClassifier": Case(lambda: MLPClassifier((5,), max_iter=30, random_state=0), "classification", max_examples=40),
    "MLPRegressor": Case(lambda: MLPRegressor((5,), max_iter=30, random_state=0), "regression", max_examples=40),
    "CNNClassifier": Case(_cnn, "classification", max_examples=12),
    "RNNClassifier": Case(_rnn, "classification", max_examples=12),
    "CollaborativeFilter": Case(lambda: CollaborativeFilter(n_factors=2, random_state=0), "ratings"),
    "SVC": Case(SVC, "classification"),
    "LinearSVC": Case(lambda: LinearSVC(random_state=0), "classification"),
    # Raw text in, not a numeric X: tests/test_email_vectorizer.py checks its inputs.
    "EmailVectorizer": Case(EmailVectorizer, "text", sample_weight=False),
}

# Tasks whose X is not a numeric matrix, left out of the numeric property and input suites.
NOT_NUMERIC = ("ratings", "text")

_OUTPUT_METHODS = ("predict", "predict_proba", "decision_function", "transform", "score_samples")


def outputs_of(estimator, X):
    """``{method: output}`` of every prediction method the fitted estimator has, on ``X``."""
    return {method: getattr(estimator, method)(X) for method in _OUTPUT_METHODS if hasattr(estimator, method)}
