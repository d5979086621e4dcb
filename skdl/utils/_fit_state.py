"""A fit that fails leaves no fitted state behind.

An exception in the middle of training (a diverging solver, a bad batch found late) would
otherwise leave some fitted attributes in place: the estimator would look fitted, and a later
``partial_fit`` would resume from the broken parameters. Wrapping the part of a method that
changes the estimator in :func:`discard_state_on_error` returns it to its unfitted state instead:
only its constructor parameters remain, as after ``clone``.
"""

from contextlib import contextmanager


# What scikit-learn itself attaches to an estimator, which is configuration, not fitted state:
# set_output's config, callbacks and their context (1.9), metadata routing requests.
_SCIKIT_LEARN_BOOKKEEPING = ("_sklearn_", "_skl_", "_parent_callback_ctx", "_metadata_request")


def reset_to_unfitted(estimator):
    """Remove everything but the constructor parameters (and scikit-learn's own configuration)."""
    parameters = set(estimator._get_param_names())
    fitted = [
        name for name in vars(estimator)
        if name not in parameters and not name.startswith(_SCIKIT_LEARN_BOOKKEEPING)
    ]
    for name in fitted:
        delattr(estimator, name)


@contextmanager
def discard_state_on_error(estimator):
    """Context manager: if the block raises, ``estimator`` is reset to unfitted and the error re-raised.

    Validate the input before entering the block, so that a ``partial_fit`` given a bad batch
    keeps the model it had; wrap the whole of ``fit``, which starts afresh anyway.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from skdl.utils._fit_state import discard_state_on_error
    >>> class Model(BaseEstimator):
    ...     def __init__(self, c=1.0):
    ...         self.c = c
    >>> model = Model()
    >>> try:
    ...     with discard_state_on_error(model):
    ...         model.coef_ = 1.0
    ...         raise FloatingPointError("diverged")
    ... except FloatingPointError:
    ...     pass
    >>> hasattr(model, "coef_")
    False
    """
    try:
        yield
    except BaseException:
        reset_to_unfitted(estimator)
        raise
