"""Every public estimator passes scikit-learn's estimator checks, in each configuration we list."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdl.utils.discovery import all_estimators
from skdl.utils.estimator_checks import check_instances, expected_failed_checks

ESTIMATORS = [instance for _, cls in all_estimators() for instance in check_instances(cls)]


NUMPY_ESTIMATORS = {
    "LinearRegression", "LogisticRegression", "GaussianAnomalyDetector", "CollaborativeFilter",
    "MLPClassifier", "MLPRegressor", "KMeans", "PCA",
}
TORCH_ESTIMATORS = {"CNNClassifier", "RNNClassifier"}


def test_every_public_estimator_is_checked():
    names = {type(estimator).__name__ for estimator in ESTIMATORS}
    assert NUMPY_ESTIMATORS <= names


def test_the_torch_estimators_are_checked_where_torch_is_installed():
    pytest.importorskip("torch", reason="the torch estimators need the 'torch' extra")
    pytest.importorskip("skorch", reason="the torch estimators need the 'torch' extra")
    names = {type(estimator).__name__ for estimator in ESTIMATORS}
    assert TORCH_ESTIMATORS <= names


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
