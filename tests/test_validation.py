"""The shared validation helpers, and every estimator refusing bad sample weights through them."""

import inspect

import numpy as np
import pytest

from skdl.utils._validation import check_sample_weight, validation_split

from ._fitted_examples import FITTED_EXAMPLES


@pytest.mark.parametrize(
    "weights, message",
    [
        ([1.0, -0.5, 1.0], "non-negative.*-0.5 at row 1"),
        ([1.0, np.nan, 1.0], "NaN"),
        ([1.0, np.inf, 1.0], "infinity"),
        ([0.0, 0.0, 0.0], "zero"),
        ([1.0, 1.0], r"shape"),
        (-1.0, "non-negative"),
    ],
)
def test_bad_sample_weights_are_refused_by_name(weights, message):
    with pytest.raises(ValueError, match=message):
        check_sample_weight(weights, np.zeros((3, 2)))


def test_sample_weights_keep_the_requested_dtype():
    assert check_sample_weight([1, 2, 3], np.zeros((3, 1)), dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(check_sample_weight(2.0, np.zeros((2, 1))), [2.0, 2.0])


def test_validation_split_is_stratified_when_every_class_fits():
    classes = np.repeat([0, 1, 2], [30, 30, 40])
    train, validation = validation_split(100, 0.2, 0, classes=classes)
    assert len(validation) == 20 and len(train) == 80
    assert sorted(np.bincount(classes[validation])) == [6, 6, 8]
    assert np.intersect1d(train, validation).size == 0


@pytest.mark.parametrize("n_samples, n_classes", [(10, 5), (6, 3), (2, 2), (9, 9)])
def test_validation_split_works_when_the_hold_out_is_smaller_than_the_classes(n_samples, n_classes):
    classes = np.arange(n_samples) % n_classes
    train, validation = validation_split(n_samples, 0.1, 0, classes=classes)
    assert len(train) >= 1 and len(validation) >= 1
    assert sorted(np.concatenate([train, validation])) == list(range(n_samples))


def test_validation_split_of_one_sample_names_the_problem():
    with pytest.raises(ValueError, match="at least 2 samples.*early_stopping=False"):
        validation_split(1, 0.1, 0)


def test_validation_split_is_reproducible():
    first = validation_split(50, 0.3, 7, classes=np.arange(50) % 2)
    second = validation_split(50, 0.3, 7, classes=np.arange(50) % 2)
    np.testing.assert_array_equal(first[1], second[1])


def _takes_sample_weight(estimator):
    return "sample_weight" in inspect.signature(estimator.fit).parameters


@pytest.mark.parametrize("name", sorted(FITTED_EXAMPLES))
@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_every_estimator_refuses_negative_and_non_finite_sample_weights(name, bad):
    try:
        estimator, X, y = FITTED_EXAMPLES[name]()
    except ImportError as error:  # the torch estimators without torch
        pytest.skip(f"{name} needs an optional dependency: {error}")
    if not _takes_sample_weight(estimator):
        pytest.skip(f"{name}.fit takes no sample_weight")
    weights = np.ones(len(X))
    weights[3] = bad
    with pytest.raises(ValueError, match="sample_weight|Sample weights|NaN|infinity"):
        estimator.fit(X, sample_weight=weights) if y is None else estimator.fit(X, y, sample_weight=weights)


def test_a_failed_fit_leaves_no_fitted_state_but_keeps_scikit_learns_configuration():
    from skdl.decomposition import PCA
    from skdl.utils._fit_state import discard_state_on_error

    model = PCA(n_components=1).set_output(transform="pandas")
    model._parent_callback_ctx = object()  # what scikit-learn 1.9 sets inside cross-validation
    with pytest.raises(FloatingPointError), discard_state_on_error(model):
        model.components_ = np.ones((1, 2))
        model._private_state = 1
        raise FloatingPointError
    assert not hasattr(model, "components_") and not hasattr(model, "_private_state")
    assert hasattr(model, "_parent_callback_ctx") and model._sklearn_output_config == {"transform": "pandas"}
    assert model.n_components == 1
