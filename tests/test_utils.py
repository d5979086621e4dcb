"""The gradient checker, estimator discovery and the expected-failure registry."""

import numpy as np
import pytest

from skdl.linear_model import LinearRegression, LogisticRegression
from skdl.utils import check_gradient, numerical_gradient
from skdl.utils.discovery import all_estimators
from skdl.utils.estimator_checks import check_instances, expected_failed_checks


def test_numerical_gradient_of_a_known_function():
    theta = np.array([[1.0, 2.0], [-3.0, 0.5]])
    gradient = numerical_gradient(lambda t: np.sum(np.sin(t)) + t[0, 1] ** 3, theta)
    expected = np.cos(theta)
    expected[0, 1] += 3 * theta[0, 1] ** 2
    np.testing.assert_allclose(gradient, expected, atol=1e-8)


def test_check_gradient_catches_a_wrong_gradient():
    def fun(t):
        return np.sum(t**2)

    assert check_gradient(fun, lambda t: 2 * t, np.array([1.0, -2.0, 3.0])) < 1e-9
    assert check_gradient(fun, lambda t: 2.01 * t, np.array([1.0, -2.0, 3.0])) > 1e-3


def test_discovery_finds_the_public_estimators():
    estimators = dict(all_estimators())
    assert estimators["LinearRegression"] is LinearRegression
    assert estimators["LogisticRegression"] is LogisticRegression


def test_check_instances_include_the_default_and_each_solver_variant():
    solvers = {estimator.solver for estimator in check_instances(LinearRegression)}
    assert solvers == {"auto", "gd", "sgd"}


def test_expected_failures_carry_reasons_and_only_where_they_apply():
    assert expected_failed_checks(LinearRegression()) == {}
    reasons = expected_failed_checks(LogisticRegression(solver="sgd"))
    assert set(reasons) == {
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
    }
    assert all(len(reason) > 40 for reason in reasons.values())


@pytest.mark.parametrize("name", ["sklearn.linear_model", "sklearn.cluster", "sklearn.decomposition"])
def test_no_scikit_learn_algorithm_is_imported_by_the_package(name):
    import pathlib

    import skdl

    root = pathlib.Path(skdl.__file__).parent
    offenders = [
        str(path) for path in root.rglob("*.py")
        if path.parts[-2] != "_demo" and f"from {name} import" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
