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


def _kmeans_random_init_reason(estimator):
    return (
        "The starting centroids are drawn at random: a row of weight k and k repeated rows occupy "
        "different positions in the sampling distribution, so the same seed picks different "
        "starting centroids and the cluster numbering (and possibly the local optimum) differs. "
        "From the same explicit init array, weights and repetitions give the same clustering "
        "(tests/test_kmeans.py checks this); scikit-learn marks its own KMeans the same way."
    )


# {class name: {check name: callable(estimator) -> reason, or None when it applies}}.
_EXPECTED_FAILURES = {
    "LinearRegression": {"check_sample_weight_equivalence_on_dense_data": _sgd_sample_weight_reason},
    "LogisticRegression": {"check_sample_weight_equivalence_on_dense_data": _sgd_sample_weight_reason},
    "KMeans": {"check_sample_weight_equivalence_on_dense_data": _kmeans_random_init_reason},
}


def check_instances(estimator_class):
    """Return the instances of ``estimator_class`` to run the estimator checks on."""
    variants = _VARIANTS.get(estimator_class.__name__, [])
    return [estimator_class()] + [clone(estimator_class(**params)) for params in variants]


# Extra configurations to check: {class name: [constructor parameters, ...]}.
_VARIANTS = {
    "LinearRegression": [{"solver": "gd", "max_iter": 5000}, {"solver": "sgd", "batch_size": 16}],
    "LogisticRegression": [{"solver": "cg"}, {"solver": "sgd", "batch_size": 16}],
    "KMeans": [{"init": "random", "n_clusters": 3}],
    "PCA": [
        {"n_components": 2, "svd_solver": "full"},
        {"n_components": 2, "svd_solver": "covariance_eigh"},
        {"n_components": 2, "svd_solver": "randomized", "random_state": 0},
        {"n_components": 0.9},
    ],
}
