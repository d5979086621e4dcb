"""Every estimator travels safely: skops round trips that trust only skdl's types, and pickle."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skdl.utils import trusted_types
from skdl.utils.discovery import all_estimators

from ._fitted_examples import FITTED_EXAMPLES

skops_io = pytest.importorskip("skops.io", reason="skops is in the 'distributed' extra")

ESTIMATOR_NAMES = [name for name, _ in all_estimators()]


def _outputs(estimator, X):
    methods = ["predict", "predict_proba", "transform", "score_samples", "decision_function"]
    outputs = {m: getattr(estimator, m)(X) for m in methods if hasattr(estimator, m)}
    return {m: out.toarray() if hasattr(out, "toarray") else out for m, out in outputs.items()}


def _assert_same_outputs(first, second):
    assert first.keys() == second.keys()
    for method in first:
        if np.asarray(first[method]).dtype.kind in "fc":
            assert_allclose(first[method], second[method], err_msg=method)
        else:
            np.testing.assert_array_equal(first[method], second[method], err_msg=method)


def test_every_estimator_has_a_fitted_example():
    # The torch estimators' examples stay listed where torch is missing (and discovery skips them).
    assert set(ESTIMATOR_NAMES) <= set(FITTED_EXAMPLES)


def test_trusted_types_are_skdl_classes_only():
    names = trusted_types()
    assert names and all(name.startswith("skdl.") for name in names)


@pytest.mark.parametrize("name", ESTIMATOR_NAMES)
def test_skops_round_trip_trusts_only_skdl_types(name, tmp_path):
    estimator, X, _ = FITTED_EXAMPLES[name]()
    path = tmp_path / "model.skops"
    skops_io.dump(estimator, path)
    untrusted = skops_io.get_untrusted_types(file=path)
    assert set(untrusted) <= set(trusted_types()), untrusted
    loaded = skops_io.load(path, trusted=trusted_types())
    assert type(loaded) is type(estimator)
    _assert_same_outputs(_outputs(estimator, X), _outputs(loaded, X))


def test_skops_refuses_a_file_naming_a_type_that_is_not_trusted(tmp_path):
    path = tmp_path / "model.skops"
    skops_io.dump({"payload": pickle.Unpickler}, path)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        skops_io.load(path, trusted=trusted_types())


@pytest.mark.parametrize("name", ESTIMATOR_NAMES)
def test_pickle_round_trip(name):
    estimator, X, _ = FITTED_EXAMPLES[name]()
    loaded = pickle.loads(pickle.dumps(estimator))
    _assert_same_outputs(_outputs(estimator, X), _outputs(loaded, X))
