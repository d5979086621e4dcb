"""Anomaly detection: the course's Gaussian density-estimation detector.

Label conventions are written down once, in the Notes of :class:`GaussianAnomalyDetector`:
``predict`` returns scikit-learn's ``+1`` normal / ``-1`` anomaly, while labels given to the
detector follow the course's ``1`` anomaly / ``0`` normal; :data:`anomaly_f1_scorer` bridges them.
"""

from ._gaussian import GaussianAnomalyDetector, SingularCovarianceWarning
from ._threshold import anomaly_f1_scorer

__all__ = ["GaussianAnomalyDetector", "SingularCovarianceWarning", "anomaly_f1_scorer"]
