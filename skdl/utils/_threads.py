"""Threads: how many cores a fit may use, and thread limits that are safe when fits run concurrently.

numpy releases the GIL in its kernels, so row blocks of a large product can run on all cores
from Python threads. For the products of K-means (a few columns) and for Gram matrices of tall
data this is faster than one multithreaded BLAS call, and it degrades gracefully when the cores
are shared, where a multithreaded BLAS call stalls waiting for its threads.

A BLAS library's thread count (and torch's) is one setting for the whole process. A fit that
lowers it must not race with another fit doing the same in another thread, nor leave it changed:
:class:`ScopedProcessSetting` counts the calls inside the scope, applies the value when the first
enters and restores the caller's value when the last leaves.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache

from joblib import cpu_count
from threadpoolctl import ThreadpoolController


def n_threads():
    """The number of cores this process may actually run on.

    joblib's :func:`~joblib.cpu_count` reads the CPU quota of the container (cgroups) and the
    process's CPU affinity, not only the machine's core count.
    """
    return max(1, cpu_count(only_physical_cores=False))


def effective_n_jobs(n_jobs):
    """Resolve an ``n_jobs`` parameter to a number of threads for a fit's own thread pool.

    ``None`` and ``-1`` mean every core available to the process (:func:`n_threads`), as for
    scikit-learn's OpenMP-parallel estimators such as ``KMeans``; ``-2`` all but one, and so on;
    a positive number is taken as it is.

    Parameters
    ----------
    n_jobs : int or None
        The estimator's parameter.

    Returns
    -------
    n_threads : int
        At least 1.

    Examples
    --------
    >>> from skdl.utils._threads import effective_n_jobs
    >>> effective_n_jobs(3)
    3
    >>> effective_n_jobs(None) == effective_n_jobs(-1) >= 1
    True
    """
    if n_jobs is None:
        return n_threads()
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None, a positive number or -1.")
    if n_jobs < 0:
        return max(1, n_threads() + 1 + n_jobs)
    return int(n_jobs)


class ScopedProcessSetting:
    """A process-wide setting changed only while at least one caller is inside :meth:`scope`.

    The first caller to enter saves the current setting and applies its own value; callers
    entering while the scope is held share the value in force; the last to leave restores what
    was saved. Two fits running in threads therefore never leave the process with the other's
    limit, whatever order they finish in.

    Parameters
    ----------
    save : callable
        ``save() -> saved``, a record of the current setting.
    apply : callable
        ``apply(value)``, puts a value in force.
    restore : callable
        ``restore(saved)``, puts back what ``save`` recorded.
    """

    def __init__(self, save, apply, restore):
        self._save, self._apply, self._restore = save, apply, restore
        self._lock = threading.Lock()
        self._users = 0
        self._saved = None

    @contextmanager
    def scope(self, value):
        """Hold the setting at ``value`` (or at the value already in force) for the block."""
        with self._lock:
            if self._users == 0:
                self._saved = self._save()
                self._apply(value)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self._restore(self._saved)
                    self._saved = None


@lru_cache(maxsize=1)
def _blas_libraries():
    return ThreadpoolController().select(user_api="blas").lib_controllers


def _apply_blas_threads(n):
    for library in _blas_libraries():
        library.set_num_threads(n)


def _restore_blas_threads(saved):
    for library, n in saved:
        library.set_num_threads(n)


_BLAS_THREADS = ScopedProcessSetting(
    save=lambda: [(library, library.num_threads) for library in _blas_libraries()],
    apply=_apply_blas_threads,
    restore=_restore_blas_threads,
)


def single_threaded_blas():
    """Context manager in which BLAS runs on one thread; thread-safe and restored on exit."""
    return _BLAS_THREADS.scope(1)


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
