"""What the common test needs beyond the estimators themselves.

``expected_failed_checks`` is the one place where an estimator may declare a scikit-learn estimator
check that it is known to fail, each with the reason; ``check_instances`` lists the instances the
common test runs the checks on (the default, plus a configuration per solver that changes which
methods exist or which code runs).
"""

from sklearn.base import clone, is_classifier


def expected_failed_checks(estimator):
    """Return ``{check name: reason}`` of the checks ``estimator`` is expected to fail.

    Passed as ``expected_failed_checks`` to :func:`sklearn.utils.estimator_checks.parametrize_with_checks`.

    Parameters
    ----------
    estimator : estimator instance
        One of the instances of :func:`check_instances`.

    Returns
    -------
    dict of str to str
        The name of each check the instance fails and why; empty when it passes them all.

    See Also
    --------
    check_instances : The instances the common test checks.

    Examples
    --------
    >>> from skdl.linear_model import LinearRegression
    >>> from skdl.utils.estimator_checks import expected_failed_checks
    >>> expected_failed_checks(LinearRegression())
    {}
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


# check_sample_weight_equivalence_* fits 15 weighted rows against the same rows repeated by
# their weights, 27 rows (scikit-learn 1.9's data): a mini-batch of fewer rows splits either fit.
_SAMPLE_WEIGHT_CHECK_REPEATED_ROWS = 27


def _stochastic_mlp_reason(estimator):
    stochastic = {
        "dropout": estimator.dropout > 0,
        "early stopping": estimator.early_stopping,
        "mini-batches": estimator.batch_size is not None
        and estimator.batch_size < _SAMPLE_WEIGHT_CHECK_REPEATED_ROWS,
    }
    causes = [cause for cause, present in stochastic.items() if present]
    if not causes:
        return None
    return (
        f"Training with {' and '.join(causes)} is stochastic, and a row of weight k is one draw "
        "where k repeated rows are k: dropout draws one mask for the weighted row and k "
        "independent masks for its copies; early stopping's random hold-out is drawn from the "
        "15 distinct rows in one fit and from the 27 repeated rows in the other (copies of a row "
        "can land on both sides), so the two fits train, are scored and stop on different rows; "
        "mini-batches put the k copies into different batches. Full-batch training without "
        "dropout or early stopping (the default instance on the check's data) passes this check."
    )


_MLP_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": _stochastic_mlp_reason,
    "check_sample_weight_equivalence_on_sparse_data": _stochastic_mlp_reason,
}


def _kmeans_random_init_reason(estimator):
    return (
        "The starting centroids are drawn at random: a row of weight k and k repeated rows occupy "
        "different positions in the sampling distribution, so the same seed picks different "
        "starting centroids and the cluster numbering (and possibly the local optimum) differs. "
        "From the same explicit init array, weights and repetitions give the same clustering "
        "(tests/test_kmeans.py checks this); scikit-learn marks its own KMeans the same way."
    )


def _svc_sample_weight_reason(estimator):
    if estimator.kernel == "precomputed":
        return None
    return (
        "The dual of weight k and that of k repeated rows have the same optimum, but SMO stops "
        "when the KKT conditions hold to tol (1e-3, libsvm's default), at points of the two "
        "problems that differ by about tol; and gamma='scale' is computed from the unweighted "
        "variance of X, as scikit-learn and libsvm define it, so the two fits do not even share "
        "a kernel. scikit-learn marks its own SVC the same way; tests/test_svc.py checks the "
        "equivalence to the solver's tolerance."
    )


_SVC_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": _svc_sample_weight_reason,
    "check_sample_weight_equivalence_on_sparse_data": _svc_sample_weight_reason,
}


def _dual_cd_sample_weight_reason(estimator):
    return (
        "Weight k and k repeated rows give the same primal problem (tests/test_linear_svc.py "
        "checks the same weights to 1e-6 at a tight tolerance), but dual coordinate descent "
        "visits the coordinates in a random order and stops at tol (1e-4): the k copies of a row "
        "are k separate coordinates, so the two runs stop at different points near the optimum. "
        "scikit-learn marks its own LinearSVC the same way."
    )


_LINEAR_SVC_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": _dual_cd_sample_weight_reason,
    "check_sample_weight_equivalence_on_sparse_data": _dual_cd_sample_weight_reason,
}


# The CNN architectures without batch normalisation (its batch statistics count rows, not weights).
_CNN_WITHOUT_BATCH_NORM = ("lenet", "alexnet")


def _stochastic_deep_reason(estimator):
    if estimator.dropout == 0 and getattr(estimator, "architecture", None) in _CNN_WITHOUT_BATCH_NORM:
        return None  # one full batch on the check's data, no dropout: deterministic, and passes
    return (
        "Mini-batch training with dropout is stochastic: a row of weight k is one draw of a dropout "
        "mask in one mini-batch, while k repeated rows are k draws spread over several mini-batches, "
        "and batch normalisation counts rows, not weights, in its batch statistics. The weighted "
        "loss is the repeated rows' loss in expectation; tests/neural_network/test_sample_weight.py "
        "shows the equivalence exactly for full-batch training without dropout."
    )


_DEEP_FAILURES = {"check_sample_weight_equivalence_on_dense_data": _stochastic_deep_reason}


# {class name: {check name: callable(estimator) -> reason, or None when it applies}}.
_EXPECTED_FAILURES = {
    "LinearRegression": {
        "check_sample_weight_equivalence_on_dense_data": _sgd_sample_weight_reason,
        "check_sample_weight_equivalence_on_sparse_data": _sgd_sample_weight_reason,
    },
    "LogisticRegression": {
        "check_sample_weight_equivalence_on_dense_data": _sgd_sample_weight_reason,
        "check_sample_weight_equivalence_on_sparse_data": _sgd_sample_weight_reason,
    },
    "MLPClassifier": _MLP_FAILURES,
    "MLPRegressor": _MLP_FAILURES,
    "KMeans": {
        "check_sample_weight_equivalence_on_dense_data": _kmeans_random_init_reason,
        "check_sample_weight_equivalence_on_sparse_data": _kmeans_random_init_reason,
    },
    "SVC": _SVC_FAILURES,
    "LinearSVC": _LINEAR_SVC_FAILURES,
    "CNNClassifier": _DEEP_FAILURES,
    "RNNClassifier": _DEEP_FAILURES,
}


def check_instances(estimator_class):
    """Return the instances of ``estimator_class`` to run the estimator checks on.

    The default instance gets the speed settings of ``_CHECK_PARAMS`` (fewer epochs, smaller
    layers), as scikit-learn's own ``_set_checking_parameters`` does for its estimators.

    Parameters
    ----------
    estimator_class : type
        A public skdl estimator class.

    Returns
    -------
    list of estimator instances
        The default configuration first, then one per solver (or option) that changes which
        methods exist or which code runs.

    See Also
    --------
    expected_failed_checks : The checks each instance is known to fail, with the reasons.

    Examples
    --------
    >>> from skdl.linear_model import LinearRegression
    >>> from skdl.utils.estimator_checks import check_instances
    >>> [estimator.solver for estimator in check_instances(LinearRegression)]
    ['auto', 'gd', 'sgd']
    """
    name = estimator_class.__name__
    default = estimator_class().set_params(**_CHECK_PARAMS.get(name, {}))
    return [default] + [clone(estimator_class(**params)) for params in _VARIANTS.get(name, [])]


# Speed settings for the checks, which fit each estimator many times: {class name: parameters}.
# Like scikit-learn's ``_set_checking_parameters``, they change cost only, never the code path.
_CHECK_PARAMS = {
    "CNNClassifier": {"max_epochs": 5, "width": 4, "dropout": 0.0, "lr": 1e-2, "random_state": 0},
    "RNNClassifier": {"max_epochs": 10, "hidden_size": 8, "embedding_dim": 4, "random_state": 0},
}


_SMALL_CNN = {"max_epochs": 5, "dropout": 0.0, "lr": 1e-2, "random_state": 0}

# Extra configurations to check: {class name: [constructor parameters, ...]}.
_VARIANTS = {
    "LinearRegression": [{"solver": "gd", "max_iter": 5000}, {"solver": "sgd", "batch_size": 16}],
    "LogisticRegression": [{"solver": "cg"}, {"solver": "sgd", "batch_size": 16}],
    "GaussianAnomalyDetector": [{"covariance": "full"}],
    "CollaborativeFilter": [{"solver": "lbfgs"}, {"implicit": True}],
    "MLPClassifier": [
        {"batch_norm": True, "dropout": 0.1, "solver": "sgd", "momentum": 0.9, "nesterov": True, "batch_size": 16},
        {"early_stopping": True, "activation": "tanh", "solver": "rmsprop"},
    ],
    "MLPRegressor": [
        {"batch_norm": True, "dropout": 0.1, "solver": "sgd", "momentum": 0.9, "nesterov": True, "batch_size": 16},
        {"early_stopping": True, "activation": "sigmoid", "solver": "rmsprop"},
    ],
    "KMeans": [{"init": "random", "n_clusters": 3}],
    "LinearSVC": [{"loss": "hinge", "class_weight": "balanced", "intercept_scaling": 10.0}],
    "SVC": [
        {"kernel": "linear"},
        {"kernel": "poly", "degree": 2, "coef0": 1.0, "class_weight": "balanced"},
        {"kernel": "sigmoid", "gamma": "auto", "shrinking": False},
        {"kernel": "precomputed"},
    ],
    # Every architecture (the default, densenet, is the default instance), small: the checks'
    # images are one-row "images" of 2 to 10 pixels, where every layer costs its overhead only.
    "CNNClassifier": [
        {"architecture": "lenet", "width": 8, "hidden_size": 32, **_SMALL_CNN},
        {"architecture": "lenet_bn", "width": 4, "hidden_size": 16, **_SMALL_CNN},
        {"architecture": "alexnet", "width": 8, "hidden_size": 32, **_SMALL_CNN},
        {"architecture": "vgg", "width": 4, "hidden_size": 16, **_SMALL_CNN},
        {"architecture": "nin", "width": 8, **_SMALL_CNN},
        {"architecture": "googlenet", "width": 4, **{**_SMALL_CNN, "max_epochs": 8}},
        {"architecture": "resnet", "width": 4, **_SMALL_CNN},
    ],
    "PCA": [
        {"n_components": 2, "svd_solver": "full"},
        {"n_components": 2, "svd_solver": "covariance_eigh"},
        {"n_components": 2, "svd_solver": "randomized", "random_state": 0},
        {"n_components": 0.9},
    ],
}
