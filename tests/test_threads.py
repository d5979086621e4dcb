"""Thread helpers: blocked products, the cores a fit may use, and thread limits safe under concurrency."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from skdl.cluster import KMeans
from skdl.decomposition import PCA
from skdl.linear_model import LogisticRegression
from skdl.utils._threads import (
    ScopedProcessSetting,
    effective_n_jobs,
    map_in_threads,
    n_threads,
    row_blocks,
    single_threaded_blas,
)


def _blas_threads():
    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_row_blocks_cover_every_row_once():
    for n_rows, n_blocks in [(1, 4), (255, 2), (1000, 3), (100_000, 16)]:
        covered = np.concatenate([np.arange(n_rows)[rows] for rows in row_blocks(n_rows, n_blocks)])
        np.testing.assert_array_equal(covered, np.arange(n_rows))
        assert len(row_blocks(n_rows, n_blocks)) <= n_blocks


def test_map_in_threads_keeps_order_and_blas_is_restored():
    before = _blas_threads()
    X = np.random.default_rng(0).normal(size=(3000, 7))
    parts = map_in_threads(lambda rows: X[rows].T @ X[rows], row_blocks(len(X), 4))
    np.testing.assert_allclose(sum(parts), X.T @ X, rtol=1e-12, atol=1e-12)
    assert map_in_threads(lambda item: item * 2, range(10)) == [2 * i for i in range(10)]
    with single_threaded_blas():
        assert all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before


def test_effective_n_jobs_counts_the_cores_available():
    assert n_threads() >= 1
    assert effective_n_jobs(None) == effective_n_jobs(-1) == n_threads()
    assert effective_n_jobs(-2) == max(1, n_threads() - 1)
    assert effective_n_jobs(5) == 5
    with pytest.raises(ValueError, match="n_jobs == 0"):
        effective_n_jobs(0)


def test_scoped_setting_restores_the_callers_value_whatever_order_the_scopes_end():
    setting = {"value": 8}
    scoped = ScopedProcessSetting(
        save=lambda: setting["value"], apply=lambda v: setting.update(value=v), restore=lambda v: setting.update(value=v)
    )
    first, second = scoped.scope(1), scoped.scope(1)
    first.__enter__()
    second.__enter__()
    assert setting["value"] == 1
    first.__exit__(None, None, None)  # the first to enter leaves first: the other still needs 1
    assert setting["value"] == 1
    second.__exit__(None, None, None)
    assert setting["value"] == 8


def test_scoped_setting_is_restored_after_an_error():
    setting = {"value": 4}
    scoped = ScopedProcessSetting(lambda: setting["value"], lambda v: setting.update(value=v), lambda v: setting.update(value=v))
    with pytest.raises(RuntimeError), scoped.scope(1):
        raise RuntimeError
    assert setting["value"] == 4


def _fits():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 10))
    y = (X[:, 0] + 0.5 * rng.normal(size=3000) > 0).astype(int)
    return [
        lambda: LogisticRegression().fit(X, y).coef_,  # thin problem: runs with BLAS single-threaded
        lambda: KMeans(n_clusters=4, n_init=1, random_state=0).fit(X).cluster_centers_,
        lambda: PCA(n_components=3, svd_solver="randomized", random_state=0).fit(X).components_,
    ]


def test_fits_run_concurrently_in_threads_give_the_serial_results_and_leave_blas_as_it_was():
    fits = _fits()
    serial = [fit() for fit in fits]
    before = _blas_threads()
    barrier = threading.Barrier(4)

    def run(index):
        barrier.wait()  # start the fits together, so their thread limits overlap
        return [fit() for fit in fits[index % len(fits):] + fits[:index % len(fits)]]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(4)))
    for index, result in enumerate(results):
        shift = index % len(fits)
        for got, expected in zip(result, serial[shift:] + serial[:shift]):
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    assert _blas_threads() == before
