"""Spread independent numpy work over threads, with BLAS held to one thread inside.

numpy releases the GIL in its kernels, so row blocks of a large product can run on all cores
from Python threads. For the products of K-means (a few columns) and for Gram matrices of tall
data this is faster than one multithreaded BLAS call, and it degrades gracefully when the cores
are shared, where a multithreaded BLAS call stalls waiting for its threads.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from threadpoolctl import ThreadpoolController


def n_threads():
    """The number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@lru_cache(maxsize=1)
def _controller():
    return ThreadpoolController()


def single_threaded_blas():
    """Context manager in which BLAS runs on one thread."""
    return _controller().limit(limits=1, user_api="blas")


def map_in_threads(function, items, max_threads=None):
    """``[function(item) for item in items]``, the items spread over threads, BLAS single-threaded."""
    items = list(items)
    workers = min(max_threads or n_threads(), len(items))
    if workers <= 1:  # nothing to spread: leave BLAS as it is and skip the set-up costs
        return [function(item) for item in items]
    with single_threaded_blas(), ThreadPoolExecutor(workers) as pool:
        return list(pool.map(function, items))


def row_blocks(n_rows, n_blocks, min_rows=256):
    """``n_blocks`` (or fewer, when rows are scarce) contiguous slices covering ``range(n_rows)``."""
    size = max(min_rows, -(-n_rows // max(n_blocks, 1)))
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]
