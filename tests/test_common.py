"""Every public estimator passes scikit-learn's estimator checks, in each configuration we list."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdl.utils.discovery import all_estimators
from skdl.utils.estimator_checks import check_instances, expected_failed_checks

ESTIMATORS = [instance for _, cls in all_estimators() for instance in check_instances(cls)]


def test_every_public_estimator_is_checked():
    names = {type(estimator).__name__ for estimator in ESTIMATORS}
    assert {"LinearRegression", "LogisticRegression", "GaussianAnomalyDetector", "CollaborativeFilter", "MLPClassifier", "MLPRegressor", "KMeans", "PCA", "CNNClassifier", "RNNClassifier", "SVC", "LinearSVC", "EmailVectorizer"} <= names


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
