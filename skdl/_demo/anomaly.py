"""Demo case of the Gaussian anomaly detector, on the course's exercise 8 (ex8data2, 11 metrics).

Both sides fit the same model, independent per-feature Gaussians (the course's), on the unlabelled
``X``, and choose the threshold the same way, maximising F1 on the labelled validation set: the
peer is scikit-learn's ``GaussianMixture(n_components=1, covariance_type="diag")`` with the
threshold searched over its validation log-densities. The metric is the validation F1 the course
reports (0.615 with its 1,000-step grid).
"""

from sklearn.metrics import f1_score
from sklearn.mixture import GaussianMixture

from ..anomaly import GaussianAnomalyDetector
from ..anomaly._threshold import best_f1_threshold
from ..datasets import load_server_metrics
from ._runner import DemoCase


def _server_metrics():
    data = load_server_metrics(2)
    return data.X, None, data.X_val, data.y_val


def _validation_f1(estimator, X_val, y_val):
    if isinstance(estimator, GaussianAnomalyDetector):
        flagged = estimator.select_threshold(X_val, y_val).predict(X_val) == -1
    else:
        scores = estimator.score_samples(X_val)
        threshold, _ = best_f1_threshold(scores, y_val == 1)
        flagged = scores < threshold
    return f1_score(y_val, flagged)


CASES = [
    DemoCase(
        "GaussianAnomalyDetector", "server metrics (ex8data2)", "validation F1",
        _server_metrics, lambda: GaussianAnomalyDetector(), _validation_f1,
        lambda: GaussianMixture(n_components=1, covariance_type="diag", reg_covar=1e-6, random_state=0),
        "sklearn GaussianMixture diag",
    ),
]
