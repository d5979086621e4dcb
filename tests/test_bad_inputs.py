"""A battery of named bad (or merely unusual) inputs, run against every public estimator.

Each entry builds the input a user might bring and says how the estimator must answer it:
``"error"`` (a ValueError or TypeError whose message matches the pattern) or ``"same"`` (the
fit succeeds and predicts what it predicts on the plain numpy equivalent).
"""

import collections
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier

from ._property_cases import CASES, outputs_of

OUTCOMES = collections.defaultdict(collections.Counter)

rng = np.random.default_rng(0)
X_PLAIN = rng.normal(size=(30, 4))
Y_REGRESSION = X_PLAIN @ np.array([1.0, -1.0, 0.5, 2.0]) + 0.1 * rng.normal(size=30)
Y_CLASSES = np.arange(30) % 3


def _targets(task):
    return {"regression": Y_REGRESSION, "classification": Y_CLASSES}.get(task)


def _fit(estimator, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, **kwargs) if y is None else estimator.fit(X, y, **kwargs)


# name: (applies(task, estimator), build(task) -> (X, y, fit kwargs, X_predict), expected, pattern)
BATTERY = {
    "3-D X": (
        lambda task, est: not _takes_images_or_sequences(est),
        lambda task: (X_PLAIN.reshape(30, 2, 2), _targets(task), {}, None),
        "error", r"2d|dimension|dim",
    ),
    "no samples": (
        lambda task, est: True,
        lambda task: (X_PLAIN[:0], None if _targets(task) is None else _targets(task)[:0], {}, None),
        "error", r"0 sample|empty|at least",
    ),
    "no features": (
        lambda task, est: True,
        lambda task: (X_PLAIN[:, :0], _targets(task), {}, None),
        "error", r"0 feature|feature|at least",
    ),
    "complex X": (
        lambda task, est: True,
        lambda task: (X_PLAIN + 1j, _targets(task), {}, None),
        "error", r"complex",
    ),
    "string X": (
        lambda task, est: not _takes_text(est),
        lambda task: (np.array([["a", "b", "c", "d"]] * 30), _targets(task), {}, None),
        "error", r"string|convert|numeric|dtype",
    ),
    "y of another length": (
        lambda task, est: task in ("regression", "classification"),
        lambda task: (X_PLAIN, _targets(task)[:-1], {}, None),
        "error", r"inconsistent|samples|length",
    ),
    "sample_weight of another length": (
        lambda task, est: CASES[type(est).__name__].sample_weight,
        lambda task: (X_PLAIN, _targets(task), {"sample_weight": np.ones(29)}, None),
        "error", r"shape|length|samples",
    ),
    "negative sample_weight": (
        lambda task, est: CASES[type(est).__name__].sample_weight,
        lambda task: (X_PLAIN, _targets(task), {"sample_weight": np.r_[-1.0, np.ones(29)]}, None),
        "error", r"negative",
    ),
    "NaN at predict": (
        lambda task, est: True,
        lambda task: (X_PLAIN, _targets(task), {}, np.where(np.eye(30, 4, dtype=bool), np.nan, X_PLAIN)),
        "error", r"nan",
    ),
    "another number of features at predict": (
        lambda task, est: True,
        lambda task: (X_PLAIN, _targets(task), {}, X_PLAIN[:, :3]),
        "error", r"feature",
    ),
    "pandas Float64 column with NA": (
        lambda task, est: not _takes_text(est),
        lambda task: (_frame_with_na(), _targets(task), {}, None),
        "error", r"nan|missing|na\b",
    ),
    "pandas Int64 / Float64 columns without NA": (
        lambda task, est: not _takes_text(est),
        lambda task: (pd.DataFrame({f"x{j}": pd.array(X_PLAIN[:, j], dtype="Float64") for j in range(4)}), _targets(task), {}, X_PLAIN),
        "same", None,
    ),
    "list of lists": (
        lambda task, est: not _takes_text(est),
        lambda task: (X_PLAIN.tolist(), None if _targets(task) is None else _targets(task).tolist(), {}, X_PLAIN),
        "same", None,
    ),
    "object-dtype integer labels": (
        lambda task, est: task == "classification",
        lambda task: (X_PLAIN, Y_CLASSES.astype(object), {}, X_PLAIN),
        "same", None,
    ),
    "string labels": (
        lambda task, est: task == "classification",
        lambda task: (X_PLAIN, np.array(["cat", "dog", "emu"])[Y_CLASSES], {}, X_PLAIN),
        "same", None,
    ),
    "mixed int and str labels": (
        lambda task, est: task == "classification",
        lambda task: (X_PLAIN, np.array([0, "spam", 2] * 10, dtype=object), {}, None),
        "error", r"label|type|mix",
    ),
    "continuous labels for a classifier": (
        lambda task, est: task == "classification",
        lambda task: (X_PLAIN, Y_REGRESSION, {}, None),
        "error", r"continuous|class",
    ),
    "read-only X": (
        lambda task, est: True,
        lambda task: (_read_only(X_PLAIN), _targets(task), {}, X_PLAIN),
        "same", None,
    ),
}


def _takes_images_or_sequences(estimator):
    return type(estimator).__name__ in ("CNNClassifier", "RNNClassifier")


def _takes_text(estimator):
    return type(estimator).__name__ == "RNNClassifier"


def _frame_with_na():
    frame = pd.DataFrame({f"x{j}": pd.array(X_PLAIN[:, j], dtype="Float64") for j in range(4)})
    frame.iloc[3, 2] = pd.NA
    return frame


def _read_only(X):
    X = X.copy()
    X.setflags(write=False)
    return X


def _comparable(value):
    value = np.asarray(value)
    return value.astype(str) if value.dtype.kind in "OUS" else value


def _run(name, entry):
    applies, build, expected, pattern = BATTERY[entry]
    estimator = CASES[name].factory()
    task = CASES[name].task
    if not applies(task, estimator):
        pytest.skip(f"{entry!r} is valid input for {name}")
    X, y, kwargs, X_predict = build(task)
    try:
        fitted = _fit(clone(estimator), X, y, **kwargs)
        outputs = outputs_of(fitted, X_PLAIN if X_predict is None else X_predict)
    except (ValueError, TypeError) as error:
        assert expected == "error", f"{name} refused {entry!r}, which it should accept: {error!r}"
        assert re.search(pattern, str(error).lower()), f"{name}: the message for {entry!r} does not name it: {error!r}"
        OUTCOMES[name]["clear error"] += 1
        return
    assert expected == "same", f"{name} accepted {entry!r} instead of refusing it"
    reference_y = None if y is None else (Y_CLASSES if task == "classification" else np.asarray(y))
    reference = outputs_of(_fit(clone(estimator), X_PLAIN, reference_y), X_PLAIN)
    for method, value in outputs.items():
        got, want = _comparable(value), _comparable(reference[method])
        if entry == "string labels" and method == "predict":
            want = np.array(["cat", "dog", "emu"])[reference[method]]
        if got.dtype.kind in "fc":
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8, err_msg=f"{name}.{method} on {entry}")
        else:
            np.testing.assert_array_equal(got, want, err_msg=f"{name}.{method} on {entry}")
    OUTCOMES[name]["right answer"] += 1


NAMES = [name for name in sorted(CASES) if CASES[name].task != "ratings"]


@pytest.mark.parametrize("entry", sorted(BATTERY))
@pytest.mark.parametrize("name", NAMES)
def test_bad_input_battery(name, entry):
    if name in ("CNNClassifier", "RNNClassifier"):
        pytest.importorskip("torch", reason="the torch estimators need the torch extra")
    _run(name, entry)
