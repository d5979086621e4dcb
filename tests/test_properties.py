"""Property-based tests: every public estimator under any input a user may bring.

Each draw builds a small data set of random shape (one sample, one feature, more features than
samples), dtype, memory layout (C, Fortran, strided, read-only memmap), scale and offset, with
constant or duplicated columns, and possibly one defect (a NaN or infinity anywhere, a bad
sample weight, a bad label). The estimator must then do one of two things:

- refuse the input with a ``ValueError`` or ``TypeError`` whose message names the defect, or
- return finite output of the right shape that equals its answer on the same data in C order.

Anything else (another exception, a message that does not name the cause, non-finite or
misshapen output, an answer that depends on the memory layout) fails the test. Draws are
derandomised (a fixed seed), so CI runs the same examples every time; ``python -m
tests.test_properties`` prints how the draws ended, per estimator.
"""

import atexit
import collections
import os
import re
import shutil
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skdl.utils.discovery import all_estimators

from ._property_cases import CASES, outputs_of

# How each draw ended, per estimator: {name: Counter(outcome)}; read by the report.
OUTCOMES = collections.defaultdict(collections.Counter)

_MEMMAP_DIR = tempfile.mkdtemp(prefix="skdl-properties-")
atexit.register(shutil.rmtree, _MEMMAP_DIR, ignore_errors=True)

# What a refusal must mention, by the defect that was planted.
_CAUSE_WORDS = {
    "nan_in_X": r"nan|missing",
    "inf_in_X": r"inf|finite|too large",
    "nan_in_y": r"nan|missing|finite",
    "inf_in_y": r"inf|finite|too large",
    "negative_weight": r"negative",
    "nan_weight": r"nan|finite",
    "zero_weights": r"zero",
    "one_class": r"class",
    "nan_label": r"nan|missing|label|class",
}
# Words that name a problem of the data's size or scale, for draws with no planted defect.
_SIZE_WORDS = (
    r"sample|feature|class|cluster|component|scale|overflow|underflow|too large|too small|range|"
    r"finite|constant|variance|rank|singular|dimension|shape|input_shape|at least|needs|contain"
)


def _layout(X, layout, draw_id):
    if layout == "C":
        return np.ascontiguousarray(X)
    if layout == "F":
        return np.asfortranarray(X)
    if layout == "strided":
        wide = np.repeat(X, 2, axis=1)
        return wide[:, ::2]
    path = os.path.join(_MEMMAP_DIR, f"X-{draw_id}.npy")
    np.save(path, np.ascontiguousarray(X))
    return np.load(path, mmap_mode="r")


@st.composite
def datasets(draw, task):
    """A data set for ``task`` and the defect planted in it (``None`` for none)."""
    n_samples = draw(st.sampled_from([1, 2, 3, 5, 8, 13, 24]))
    n_features = draw(st.sampled_from([1, 2, 3, 5, 9]))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    exponent = draw(st.sampled_from([0, 0, 0, -8, 8, -150, 150, -300, 300]))
    if dtype == np.float32:
        exponent = int(np.clip(exponent, -30, 30))
    offset = draw(st.sampled_from([0.0, 0.0, 1e3]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    if n_features > 1 and draw(st.booleans()):
        X[:, draw(st.integers(0, n_features - 1))] = draw(st.sampled_from([0.0, 1.0, -3.5]))
    if n_features > 2 and draw(st.booleans()):
        X[:, 1] = X[:, 0]
    X = (X * 10.0**exponent + offset * 10.0**exponent).astype(dtype)
    y = _targets(task, X, rng, n_samples)
    weights = None
    defect = draw(st.sampled_from([None] * 6 + _defects(task)))
    if defect in ("nan_in_X", "inf_in_X"):
        X[draw(st.integers(0, n_samples - 1)), draw(st.integers(0, n_features - 1))] = (
            np.nan if defect == "nan_in_X" else -np.inf
        )
    elif defect in ("nan_in_y", "inf_in_y"):
        y[draw(st.integers(0, n_samples - 1))] = np.nan if defect == "nan_in_y" else np.inf
    elif defect in ("negative_weight", "nan_weight", "zero_weights"):
        weights = np.ones(n_samples)
        weights[draw(st.integers(0, n_samples - 1))] = {"negative_weight": -1.0, "nan_weight": np.nan}.get(defect, 0.0)
        if defect == "zero_weights":
            weights[:] = 0.0
    elif defect == "one_class":
        y = np.zeros(n_samples, dtype=int)
    elif defect == "nan_label":
        y = y.astype(float)
        y[draw(st.integers(0, n_samples - 1))] = np.nan
    layout = draw(st.sampled_from(["C", "F", "strided", "memmap"]))
    return X, y, weights, layout, defect, seed


def _targets(task, X, rng, n_samples):
    if task == "regression":
        return rng.normal(size=n_samples)
    if task == "classification":
        y = np.arange(n_samples) % 3
        rng.shuffle(y)
        return y
    return None


def _defects(task):
    defects = ["nan_in_X", "inf_in_X"]
    if task == "regression":
        defects += ["nan_in_y", "inf_in_y"]
    if task == "classification":
        defects += ["one_class", "nan_label"]
    return defects + ["negative_weight", "nan_weight", "zero_weights"]


def _fit_and_output(estimator, X, y, weights):
    kwargs = {} if weights is None else {"sample_weight": weights}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        estimator.fit(X, **kwargs) if y is None else estimator.fit(X, y, **kwargs)
        return outputs_of(estimator, X)


def _check_draw(name, estimator, data):
    X, y, weights, layout, defect, seed = data
    if weights is not None and not CASES[name].sample_weight:
        weights, defect = None, None
    X_used = _layout(X, layout, f"{name}-{seed}")
    try:
        outputs = _fit_and_output(clone(estimator), X_used, y, weights)
    except (ValueError, TypeError) as error:
        message = str(error).lower()
        pattern = _CAUSE_WORDS[defect] if defect is not None else _SIZE_WORDS
        assert re.search(pattern, message), (
            f"{name} refused a draw (defect={defect}, shape={X.shape}, dtype={X.dtype}, layout={layout}) "
            f"with a message that does not name the cause: {error!r}"
        )
        OUTCOMES[name]["clear error"] += 1
        return
    assert defect is None, f"{name} accepted a draw with the defect {defect!r} (shape={X.shape}) instead of refusing it"
    for method, value in outputs.items():
        value = np.asarray(value)
        assert value.shape[0] == X.shape[0], f"{name}.{method} returned {value.shape[0]} rows for {X.shape[0]}"
        if value.dtype.kind in "fc":
            assert np.isfinite(value).all(), f"{name}.{method} returned non-finite values (scale {np.abs(X).max():.3g})"
    if layout != "C":
        reference = _fit_and_output(clone(estimator), np.ascontiguousarray(X), y, weights)
        for method, value in outputs.items():
            _assert_same(np.asarray(value), np.asarray(reference[method]), f"{name}.{method} ({layout} vs C order)")
    OUTCOMES[name]["right answer"] += 1


def _assert_same(got, expected, what):
    if got.dtype.kind in "fc":
        scale = max(float(np.abs(expected).max(initial=0.0)), np.finfo(float).tiny)
        rtol = 1e-4 if got.dtype == np.float32 else 1e-7
        np.testing.assert_allclose(got / scale, expected / scale, rtol=0, atol=rtol, err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def _property_test(name):
    case = CASES[name]

    @settings(
        max_examples=case.max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=datasets(case.task))
    def check(data):
        _check_draw(name, case.factory(), data)

    return check


PUBLIC = [name for name, _ in all_estimators()]


def test_every_public_estimator_has_a_property_case():
    assert set(PUBLIC) <= set(CASES), f"add a case to tests/_property_cases.py for {set(PUBLIC) - set(CASES)}"


@pytest.mark.parametrize("name", [name for name in sorted(CASES) if name in PUBLIC and CASES[name].task != "ratings"])
def test_any_input_is_refused_by_name_or_answered_right(name):
    if name in ("CNNClassifier", "RNNClassifier"):
        pytest.importorskip("torch", reason="the torch estimators need the torch extra")
    _property_test(name)()


def report(outcomes=OUTCOMES):
    """The table of how the draws ended, per estimator."""
    lines = ["| estimator | draws | clear error | right answer | anything else |", "|---|---|---|---|---|"]
    for name in sorted(outcomes):
        counts = outcomes[name]
        total = sum(counts.values())
        lines.append(f"| {name} | {total} | {counts['clear error']} | {counts['right answer']} | {total - counts['clear error'] - counts['right answer']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    for name in sorted(CASES):
        if name in PUBLIC and CASES[name].task != "ratings":
            try:
                _property_test(name)()
            except Exception as error:  # noqa: BLE001 - the report counts it
                OUTCOMES[name]["anything else"] += 1
                print(f"{name}: {error}")
    print(report())
