"""What the common test needs beyond the estimators themselves.

``expected_failed_checks`` is the one place where an estimator may declare a scikit-learn estimator
check that it is known to fail, each with the reason; ``check_instances`` lists the instances the
common test runs the checks on (the default, plus a configuration per solver that changes which
methods exist or which code runs).
"""

from sklearn.base import clone


def expected_failed_checks(estimator):
    """Return ``{check name: reason}`` of the checks ``estimator`` is expected to fail.

    Passed as ``expected_failed_checks`` to :func:`sklearn.utils.estimator_checks.parametrize_with_checks`.
    """
    reasons = _EXPECTED_FAILURES.get(type(estimator).__name__, {})
    expected = {check: reason(estimator) for check, reason in reasons.items()}
    return {check: reason for check, reason in expected.items() if reason is not None}


def _sgd_sample_weight_reason(estimator):
    if getattr(estimator, "solver", None) != "sgd":
        return None
    return (
        "Mini-batch SGD is stochastic: a row of weight k is visited once per epoch with its "
        "gradient scaled by k, while k repeated rows land in different shuffled mini-batches, so "
        "the two runs follow different trajectories. They minimise the same expected objective "
        "(the deterministic solvers of the same estimator pass this check)."
    )


# {class name: {check name: callable(estimator) -> reason, or None when it applies}}.
_EXPECTED_FAILURES = {
    "LinearRegression": {"check_sample_weight_equivalence_on_dense_data": _sgd_sample_weight_reason},
    "LogisticRegression": {"check_sample_weight_equivalence_on_dense_data": _sgd_sample_weight_reason},
}


def check_instances(estimator_class):
    """Return the instances of ``estimator_class`` to run the estimator checks on.

    The default instance gets the speed settings of ``_CHECK_PARAMS`` (fewer epochs, smaller
    layers), as scikit-learn's own ``_set_checking_parameters`` does for its estimators.
    """
    name = estimator_class.__name__
    default = estimator_class().set_params(**_CHECK_PARAMS.get(name, {}))
    return [default] + [clone(estimator_class(**params)) for params in _VARIANTS.get(name, [])]


# Speed settings for the checks, which fit each estimator many times: {class name: parameters}.
# Like scikit-learn's ``_set_checking_parameters``, they change cost only, never the code path.
_CHECK_PARAMS = {
    "CNNClassifier": {"max_epochs": 10, "width": 8, "hidden_size": 32, "random_state": 0},
    "RNNClassifier": {"max_epochs": 10, "hidden_size": 8, "embedding_dim": 4, "random_state": 0},
}


# Extra configurations to check: {class name: [constructor parameters, ...]}.
_VARIANTS = {
    "LinearRegression": [{"solver": "gd", "max_iter": 5000}, {"solver": "sgd", "batch_size": 16}],
    "LogisticRegression": [{"solver": "cg"}, {"solver": "sgd", "batch_size": 16}],
}
