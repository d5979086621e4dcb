"""LinearRegression's dense normal equation: one pass over X, float64 statistics, no copy of X."""

import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skdl.linear_model import LinearRegression


def _conditioned(n_samples, n_features, condition, seed=0):
    """Centred data whose singular values span ``condition``, and a noisy linear target."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.normal(size=(n_samples, n_features)))
    V, _ = np.linalg.qr(rng.normal(size=(n_features, n_features)))
    X = (U * np.logspace(0, np.log10(condition), n_features)) @ V.T * np.sqrt(n_samples)
    y = X @ rng.normal(size=n_features) + 0.1 * rng.normal(size=n_samples)
    return X, y


def _lstsq_with_intercept(X, y):
    """The float64 least-squares answer on exactly the values given (float32 values upcast)."""
    X, y = X.astype(np.float64), y.astype(np.float64)
    solution = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)[0]
    return solution[:-1], solution[-1]


def test_float32_at_condition_100_keeps_the_precision_of_float32():
    # A float32 Gram matrix squares the condition number in float32: 3 digits were lost.
    X, y = _conditioned(2_000, 5, condition=100.0)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    model = LinearRegression().fit(X32, y32)
    coef, intercept = _lstsq_with_intercept(X32, y32)
    assert model.coef_.dtype == np.float32 and model.solver_ == "normal"
    assert np.abs(model.coef_ - coef).max() / np.abs(coef).max() < 1e-6


@pytest.mark.parametrize("dtype, offset, tolerance", [(np.float64, 1e6, 1e-9), (np.float32, 1e3, 1e-6)])
def test_data_far_from_the_origin_give_the_centred_answer(dtype, offset, tolerance):
    X, y = _conditioned(5_000, 4, condition=10.0, seed=1)
    shifted = (X + offset).astype(dtype)
    model = LinearRegression().fit(shifted, y.astype(dtype))
    # The reference solves the same values moved back to the origin (an exact subtraction).
    coef, intercept = _lstsq_with_intercept(shifted.astype(np.float64) - offset, y.astype(dtype))
    assert np.abs(model.coef_ - coef).max() / np.abs(coef).max() < tolerance
    assert model.intercept_ == pytest.approx(intercept - offset * coef.sum(), rel=tolerance)


@pytest.mark.parametrize("alpha", [0.0, 5.0])
def test_weights_and_targets_ride_along_in_the_same_pass(alpha):
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(2)
    X = rng.normal(size=(30_000, 7)) * rng.uniform(0.5, 4, size=7) + 100.0
    Y = X @ rng.normal(size=(7, 3)) + rng.normal(size=(30_000, 3))
    weights = rng.uniform(0, 2, size=30_000)
    weights[:5_000] = 0.0
    ours = LinearRegression(alpha=alpha).fit(X, Y, sample_weight=weights)
    reference = Ridge(alpha=alpha, solver="svd").fit(X, Y, sample_weight=weights)
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-9)
    assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-9)


def test_the_fit_makes_no_copy_of_X():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100_000, 50))  # 40 MB
    y = X @ rng.normal(size=50) + rng.normal(size=100_000)
    weights = rng.uniform(size=100_000)
    tracemalloc.start()
    try:
        LinearRegression(alpha=1.0).fit(X, y, sample_weight=weights)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.25 * X.nbytes  # a centred or weighted copy alone would be 100%


@pytest.mark.parametrize("value, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_values_get_the_usual_message(value, message):
    X, y = _conditioned(100, 3, condition=2.0)
    X[7, 1] = value
    with pytest.raises(ValueError, match=message):
        LinearRegression().fit(X, y)
    X[7, 1] = 0.0
    y[3] = value
    with pytest.raises(ValueError, match=message):
        LinearRegression().fit(X, y)


def test_wide_data_with_nan_get_the_usual_message():
    X = np.array([[np.nan, -0.13]])  # more features than samples: the dual / lstsq path
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(X, [0.6])
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression(alpha=1.0).fit(np.ones((2, 5)), [0.6, np.nan])


def test_squares_that_overflow_are_refused_by_name():
    X, y = _conditioned(100, 3, condition=2.0)
    with pytest.raises(ValueError, match="overflow float64.*Divide X"):
        LinearRegression().fit(X * 1e300, y)


def test_a_failed_refit_leaves_no_fitted_state():
    X, y = _conditioned(100, 3, condition=2.0)
    model = LinearRegression().fit(X, y)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X, y)
    assert not hasattr(model, "coef_") and not hasattr(model, "n_features_in_")


def test_rank_deficient_data_still_get_the_minimum_norm_answer():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(500, 3)) + 50.0
    X = np.column_stack([X, X[:, 0] + X[:, 1]])
    y = X[:, :3] @ np.array([1.0, -1.0, 2.0]) + 0.01 * rng.normal(size=500)
    model = LinearRegression().fit(X, y)
    reference = np.linalg.lstsq(X - X.mean(axis=0), y - y.mean(), rcond=None)[0]
    assert model.solver_ == "lstsq"
    assert_allclose(model.coef_, reference, rtol=1e-8)


def test_nullable_pandas_columns_are_numbers_and_their_missing_values_are_nan():
    pd = pytest.importorskip("pandas")
    X, y = _conditioned(60, 2, condition=3.0)
    frame = pd.DataFrame({"a": pd.array(X[:, 0], dtype="Float64"), "b": pd.array(np.arange(60) % 4, dtype="Int64")})
    expected = LinearRegression().fit(frame.to_numpy(dtype=np.float64), y)
    assert_allclose(LinearRegression().fit(frame, y).coef_, expected.coef_, rtol=1e-12)
    frame.loc[5, "b"] = pd.NA
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(frame, y)
