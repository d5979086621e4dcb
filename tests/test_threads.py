"""The thread helpers behind the blocked products of KMeans and PCA."""

import numpy as np
from threadpoolctl import threadpool_info

from skdl.utils._threads import map_in_threads, row_blocks, single_threaded_blas


def test_row_blocks_cover_every_row_once():
    for n_rows, n_blocks in [(1, 4), (255, 2), (1000, 3), (100_000, 16)]:
        covered = np.concatenate([np.arange(n_rows)[rows] for rows in row_blocks(n_rows, n_blocks)])
        np.testing.assert_array_equal(covered, np.arange(n_rows))
        assert len(row_blocks(n_rows, n_blocks)) <= n_blocks


def test_map_in_threads_keeps_order_and_blas_is_restored():
    before = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    X = np.random.default_rng(0).normal(size=(3000, 7))
    parts = map_in_threads(lambda rows: X[rows].T @ X[rows], row_blocks(len(X), 4))
    np.testing.assert_allclose(sum(parts), X.T @ X, rtol=1e-12, atol=1e-12)
    assert map_in_threads(lambda item: item * 2, range(10)) == [2 * i for i in range(10)]
    with single_threaded_blas():
        assert all(info["num_threads"] == 1 for info in threadpool_info() if info["user_api"] == "blas")
    after = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    assert after == before
