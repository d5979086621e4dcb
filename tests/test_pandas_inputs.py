"""pandas 3 data in: nullable and pyarrow-backed numeric columns, with and without missing values.

Every numeric estimator takes a DataFrame whose columns are numpy, nullable (``Float64``,
``Int64``) or pyarrow-backed (``int64[pyarrow]``, ``double[pyarrow]``) and fits exactly what it fits
on the same numbers as a numpy array; a ``pd.NA`` anywhere gets the same missing-value error as
NaN. (The text and id columns of the RNN and the recommender are tested with those estimators.)
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from ._property_cases import CASES, outputs_of

pytest.importorskip("pyarrow", reason="pandas' pyarrow-backed dtypes need pyarrow (the dev extra)")

rng = np.random.default_rng(0)
X_INT = rng.integers(-5, 6, size=(40, 3))
Y = {"regression": X_INT @ np.array([1.0, -0.5, 2.0]) + rng.normal(size=40), "classification": np.arange(40) % 2}
NUMERIC = [name for name in sorted(CASES) if CASES[name].task != "ratings" and name != "RNNClassifier"]
DTYPES = ["float64", "Float64", "Int64", "int64[pyarrow]", "double[pyarrow]", "float32[pyarrow]"]


def _frame(dtype):
    return pd.DataFrame({f"x{j}": pd.array(X_INT[:, j], dtype=dtype) for j in range(3)})


def _fit_outputs(estimator, X, y, X_predict):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = estimator.fit(X) if y is None else estimator.fit(X, y)
        return fitted, outputs_of(fitted, X_predict)


def _skip_torch(name):
    if name == "CNNClassifier":
        pytest.importorskip("torch", reason="the torch estimators need the torch extra")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_pandas_columns_fit_as_their_numbers(name, dtype):
    _skip_torch(name)
    estimator, y = CASES[name].factory(), Y.get(CASES[name].task)
    frame = _frame(dtype)
    fitted, outputs = _fit_outputs(clone(estimator), frame, y, frame)
    _, reference = _fit_outputs(clone(estimator), X_INT.astype(np.float32 if dtype.startswith("float32") else np.float64), y, X_INT.astype(float))
    assert list(fitted.feature_names_in_) == ["x0", "x1", "x2"]
    for method, value in outputs.items():
        value, expected = np.asarray(value), np.asarray(reference[method])
        if value.dtype.kind == "f":
            np.testing.assert_allclose(value, expected, rtol=1e-4, atol=1e-5, err_msg=f"{name}.{method} on {dtype}")
        else:
            np.testing.assert_array_equal(value, expected, err_msg=f"{name}.{method} on {dtype}")


@pytest.mark.parametrize("dtype", ["Float64", "Int64", "int64[pyarrow]", "double[pyarrow]"])
@pytest.mark.parametrize("name", NUMERIC)
def test_a_missing_value_in_a_pandas_column_is_refused_like_nan(name, dtype):
    _skip_torch(name)
    estimator, y = CASES[name].factory(), Y.get(CASES[name].task)
    frame = _frame(dtype)
    frame.iloc[7, 1] = pd.NA
    with pytest.raises(ValueError, match="NaN"):
        _fit_outputs(clone(estimator), frame, y, frame)


def _is_transformer(name):
    try:
        return hasattr(CASES[name].factory(), "transform")
    except ImportError:  # a torch estimator without torch (none of them transforms)
        return False


@pytest.mark.parametrize("name", [name for name in NUMERIC if _is_transformer(name)])
def test_set_output_pandas_keeps_the_frame(name):
    frame = _frame("Float64")
    transformer = CASES[name].factory().set_output(transform="pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = transformer.fit(frame).transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.index) == list(frame.index)
    assert list(out.columns) == list(transformer.get_feature_names_out())
