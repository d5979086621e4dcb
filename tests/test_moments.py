"""The one-pass moments: the two-pass centred answer on data far from the origin, no copy of X."""

import tracemalloc

import numpy as np
import pytest

from skdl.utils._moments import (
    check_moments_finite,
    check_variances_representable,
    merge_moments,
    row_moments,
)


def _two_pass(Z, weights):
    """The reference: the weighted mean, then the scatter of the centred rows."""
    weights = np.ones(len(Z)) if weights is None else weights
    mean = (weights @ Z) / weights.sum()
    centred = (Z - mean) * np.sqrt(weights)[:, None]
    return mean, centred.T @ centred


def _data(n_samples=20_000, n_features=6, offset=1e8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) * np.arange(1, n_features + 1) + offset
    Y = X[:, :2] @ np.array([[1.0, -1.0], [2.0, 0.5]]) + rng.normal(size=(n_samples, 2))
    return X, Y, rng.uniform(0, 3, size=n_samples)


@pytest.mark.parametrize("weighted", [False, True])
def test_moments_far_from_the_origin_equal_the_two_pass_centred_ones(weighted):
    X, Y, weights = _data()
    weights = weights if weighted else None
    moments = row_moments(X, Y, weights)
    mean, scatter = _two_pass(np.hstack([X, Y]), weights)
    assert moments.n_x == 6 and moments.scatter.shape == (8, 8)
    np.testing.assert_allclose(moments.mean, mean, rtol=1e-13)
    np.testing.assert_allclose(moments.scatter, scatter, rtol=1e-9, atol=1e-9 * np.abs(scatter).max())
    np.testing.assert_allclose(moments.xy, scatter[:6, 6:], rtol=1e-9, atol=1e-9 * np.abs(scatter).max())
    # The one-pass uncentred formula loses the digits the offset takes: the test could fail.
    uncentred = X.T @ X - len(X) * np.outer(X.mean(axis=0), X.mean(axis=0))
    assert np.abs(uncentred - scatter[:6, :6]).max() > 1e-3 * np.abs(scatter[:6, :6]).max()


def test_diagonal_moments_are_the_diagonal_of_the_full_ones():
    X, _, weights = _data(offset=1e6)
    full, diagonal = row_moments(X, sample_weight=weights), row_moments(X, sample_weight=weights, scatter="diag")
    assert diagonal.is_diagonal and diagonal.scatter.shape == (6,)
    np.testing.assert_allclose(diagonal.scatter, np.diag(full.scatter), rtol=1e-12)
    np.testing.assert_allclose(diagonal.mean, full.mean, rtol=1e-13)


def test_merging_parts_gives_the_moments_of_the_whole_in_any_order():
    X, Y, weights = _data(n_samples=3_000)
    whole = row_moments(X, Y, weights)
    parts = [row_moments(X[rows], Y[rows], weights[rows]) for rows in (slice(0, 700), slice(700, 2_100), slice(2_100, None))]
    for merged in (merge_moments(merge_moments(parts[0], parts[1]), parts[2]),
                   merge_moments(parts[2], merge_moments(parts[1], parts[0]))):
        assert merged.weight == pytest.approx(whole.weight) and merged.n_rows == 3_000
        np.testing.assert_allclose(merged.mean, whole.mean, rtol=1e-13)
        np.testing.assert_allclose(merged.scatter, whole.scatter, rtol=1e-10)


def test_threads_and_blocks_do_not_change_the_answer():
    X, Y, weights = _data(n_samples=50_000)
    one, two = row_moments(X, Y, weights, n_jobs=1), row_moments(X, Y, weights, n_jobs=2)
    np.testing.assert_allclose(two.scatter, one.scatter, rtol=1e-12)
    np.testing.assert_allclose(two.mean, one.mean, rtol=1e-13)


def test_zero_weights_count_rows_but_not_their_values():
    X, _, weights = _data(n_samples=5_000)
    weights[:3_000] = 0.0  # whole blocks without weight
    X[:3_000] = 1e30  # which must not matter
    moments = row_moments(X, sample_weight=weights)
    reference = row_moments(X[3_000:], sample_weight=weights[3_000:])
    assert moments.n_rows == 5_000 and moments.n_positive == 2_000
    np.testing.assert_allclose(moments.scatter, reference.scatter, rtol=1e-12)


def test_float32_is_accumulated_in_float64():
    X, _, _ = _data(offset=1000.0)
    X32 = X.astype(np.float32)
    moments = row_moments(X32)
    mean, scatter = _two_pass(X32.astype(np.float64), None)
    assert moments.scatter.dtype == np.float64
    np.testing.assert_allclose(moments.scatter, scatter, rtol=1e-10)


def test_fortran_strided_and_read_only_inputs_give_the_same_moments():
    X, _, _ = _data(n_samples=4_000)
    reference = row_moments(X)
    read_only = X.copy()
    read_only.flags.writeable = False
    for variant in (np.asfortranarray(X), np.repeat(X, 2, axis=1)[:, ::2], read_only):
        np.testing.assert_allclose(row_moments(variant).scatter, reference.scatter, rtol=1e-12)


def test_no_copy_of_the_data_is_made():
    X, _, _ = _data(n_samples=100_000, n_features=50)  # 40 MB
    tracemalloc.start()
    try:
        row_moments(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.2 * X.nbytes


def test_non_finite_moments_are_explained():
    X = np.random.default_rng(0).normal(size=(100, 3))
    for value, message in ((np.nan, "NaN"), (np.inf, "infinity")):
        bad = X.copy()
        bad[5, 1] = value
        with pytest.raises(ValueError, match=message):
            check_moments_finite(row_moments(bad), bad, estimator_name="Test")
    huge = X * 1e300
    with pytest.raises(ValueError, match="overflow float64"):
        check_moments_finite(row_moments(huge), huge, estimator_name="Test")
    check_moments_finite(row_moments(X), X, estimator_name="Test")  # finite: nothing to say


def test_variances_a_dtype_cannot_hold_are_refused_but_constant_columns_are_not():
    X = np.random.default_rng(0).normal(size=(100, 3))
    tiny = X * 1e-300
    with pytest.raises(ValueError, match=r"features \[0, 1, 2\] underflow float64"):
        check_variances_representable(row_moments(tiny), tiny, np.float64, estimator_name="Test")
    constant = np.column_stack([X[:, :2], np.full(100, 1e-300)])
    check_variances_representable(row_moments(constant), constant, np.float64, estimator_name="Test")
    large = X * 1e25
    with pytest.raises(ValueError, match="overflow float32"):
        check_variances_representable(row_moments(large), large, np.float32, estimator_name="Test")
