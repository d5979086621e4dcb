r"""The rows of :math:`Q_{st} = y_s y_t K(x_s, x_t)` that the SMO solver asks for, in an LRU cache.

A row is computed only when the solver needs it, only over the positions it needs (the active
variables come first, so that is a prefix), and kept in single precision, as libsvm's, in a cache
of ``cache_size`` megabytes: when it is full, the least recently used row makes room. Rows of
mostly-zero data are computed over the non-zeros, sample by sample or, when that visits fewer,
through the columns of the row's own features. The RBF kernel's exponentials go through a
vectorising exp. A precomputed Gram matrix simply fills every row of the cache.

The solver keeps its variables in a permuted order; :func:`swap_cached` exchanges two positions in
the cache (the rows they own and the two columns of every cached row), as libsvm's cache does.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numba import njit

from ._kernels import as_csr, kernel_matrix, mostly_zero, writeable

# Kernel codes understood by the row computation; FULL means every row is already in the cache.
LINEAR, POLY, RBF, SIGMOID, FULL = 0, 1, 2, 3, 4
KERNEL_CODES = {"linear": LINEAR, "poly": POLY, "rbf": RBF, "sigmoid": SIGMOID}

class RowKernel(NamedTuple):
    """What the row computation needs, as numba reads it.

    The data as dense rows (``X``) or as CSR (``data``, ``indices``, ``indptr``) and CSC
    (``col_ptr``, ``col_rows``, ``col_data``), the unused form empty; the squared norms
    (RBF); the kernel's parameters; and scratch space of one row (``dots``, ``values``,
    ``bits``).
    """

    kind: int
    sparse: bool
    X: np.ndarray
    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    col_ptr: np.ndarray
    col_rows: np.ndarray
    col_data: np.ndarray
    x_square: np.ndarray
    gamma: float
    coef0: float
    degree: int
    dots: np.ndarray
    values: np.ndarray
    bits: np.ndarray


class RowCache(NamedTuple):
    """The LRU cache of rows, indexed by position like every array of the solver.

    ``storage`` (n_slots, n) single precision, ``slot_of[t]`` (-1 when not cached),
    ``owner[slot]``, ``length[slot]`` (the row is valid for its first ``length[slot]``
    positions), ``stamp[slot]`` (last use) and ``counters`` = [clock, slots in use].
    """

    storage: np.ndarray
    slot_of: np.ndarray
    owner: np.ndarray
    length: np.ndarray
    stamp: np.ndarray
    counters: np.ndarray


# --- kernel values ---------------------------------------------------------------------------


@njit(cache=True, fastmath={"reassoc"})
def _dense_dot(X, a, b):
    total = 0.0
    for f in range(X.shape[1]):
        total += X[a, f] * X[b, f]
    return total


# Inlined into the row loop: as a call it made the sparse kernel rows 1.5x slower (measured).
@njit(cache=True, fastmath={"reassoc"}, inline="always")
def _sparse_dot(data, indices, indptr, dense_a, b):
    total = 0.0
    for p in range(indptr[b], indptr[b + 1]):
        total += data[p] * dense_a[indices[p]]
    return total


@njit(cache=True)
def _kernel_from_dot(kind, dot, sq_a, sq_b, gamma, coef0, degree):
    if kind == LINEAR:
        return dot
    if kind == POLY:
        return (gamma * dot + coef0) ** degree
    if kind == RBF:
        return np.exp(-gamma * (sq_a + sq_b - 2.0 * dot))
    return np.tanh(gamma * dot + coef0)


# exp(x) = 2**k exp(r), k = round(x / ln 2), with ln 2 split in two for an exact reduction.
_LOG2_E = 1.4426950408889634
_LN2_HIGH = 6.93147180369123816490e-01
_LN2_LOW = 1.90821492927058770002e-10


@njit(cache=True, fastmath={"contract"})
def _exp_nonpositive(values, bits):
    r"""``values = exp(values)`` in place for values <= 0, within one ulp, in a loop that vectorises.

    The RBF kernel spends most of its time in ``exp``; the scalar library call does not
    vectorise. Here the reduced argument :math:`|r| \le \ln 2 / 2` goes through the degree-13
    Taylor polynomial (truncation error below :math:`10^{-17}`) and :math:`2^k` is built from its
    exponent bits (``bits`` is int64 scratch of the same length). Arguments below -700 give
    :math:`e^{-700}`, zero in the single-precision cache.
    """
    for t in range(values.shape[0]):
        x = max(values[t], -700.0)
        k = np.floor(x * _LOG2_E + 0.5)
        r = (x - k * _LN2_HIGH) - k * _LN2_LOW
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        values[t] = p * r + 1.0
        bits[t] = (np.int64(k) + 1023) << 52
    scale = bits.view(np.float64)
    for t in range(values.shape[0]):
        values[t] *= scale[t]


@njit(cache=True)
def _sparse_dots_by_column(kernel, a):
    r"""``kernel.dots[b] += x_a . x_b`` for every sample b, through the columns of ``a``'s features.

    Each column's non-zeros are visited once, so this costs :math:`\sum_{f \in x_a} n_f` (the
    column sizes), at most nnz(X): for word indicators about five times less than sample by
    sample. The terms of each sum come in increasing feature order, as in a row-by-row dot.
    """
    dots = kernel.dots
    for p in range(kernel.indptr[a], kernel.indptr[a + 1]):
        value = kernel.data[p]
        column = kernel.indices[p]
        for q in range(kernel.col_ptr[column], kernel.col_ptr[column + 1]):
            dots[kernel.col_rows[q]] += value * kernel.col_data[q]


@njit(cache=True)
def _fill_row(kernel, rows, y, perm, t, out, start, end):
    """``out[k] = y_t y_k K(x_t, x_k)`` for the positions ``start <= k < end``."""
    kind, sparse, X, data, indices, indptr = kernel.kind, kernel.sparse, kernel.X, kernel.data, kernel.indices, kernel.indptr
    x_square, gamma, coef0, degree, values = kernel.x_square, kernel.gamma, kernel.coef0, kernel.degree, kernel.values
    a = rows[perm[t]]
    by_column = False
    if sparse:
        # Through the columns when that visits fewer non-zeros than the rows start..end would.
        column_cost = 0
        for p in range(indptr[a], indptr[a + 1]):
            column_cost += kernel.col_ptr[indices[p] + 1] - kernel.col_ptr[indices[p]]
        row_cost = (end - start) * (len(data) / max(len(indptr) - 1, 1))
        by_column = column_cost < row_cost
        if by_column:
            _sparse_dots_by_column(kernel, a)
        else:
            for p in range(indptr[a], indptr[a + 1]):
                kernel.dots[indices[p]] = data[p]
    for k in range(start, end):
        b = rows[perm[k]]
        if by_column:
            dot = kernel.dots[b]
        elif sparse:
            dot = _sparse_dot(data, indices, indptr, kernel.dots, b)
        else:
            dot = _dense_dot(X, a, b)
        if kind == RBF:
            values[k] = -gamma * (x_square[a] + x_square[b] - 2.0 * dot)
        else:
            values[k] = _kernel_from_dot(kind, dot, 0.0, 0.0, gamma, coef0, degree)
    # Leave the scratch row at zero for the next call, whichever way it was used.
    if by_column:
        kernel.dots[: len(indptr) - 1] = 0.0
    elif sparse:
        for p in range(indptr[a], indptr[a + 1]):
            kernel.dots[indices[p]] = 0.0
    if kind == RBF:
        _exp_nonpositive(values[start:end], kernel.bits[start:end])
    y_t = y[t]
    for k in range(start, end):
        out[k] = y_t * y[k] * values[k]


@njit(cache=True, fastmath={"reassoc"}, inline="always")
def _self_dot(sparse, X, data, indptr, a):
    total = 0.0
    if sparse:
        for p in range(indptr[a], indptr[a + 1]):
            total += data[p] * data[p]
    else:
        for f in range(X.shape[1]):
            total += X[a, f] * X[a, f]
    return total


@njit(cache=True, nogil=True)
def squared_norms(sparse, X, data, indptr, n):
    r""":math:`\lVert x_a\rVert^2` of the first ``n`` samples, summed as the kernel rows are."""
    out = np.empty(n)
    for a in range(n):
        out[a] = _self_dot(sparse, X, data, indptr, a)
    return out


@njit(cache=True, nogil=True)
def kernel_diagonal(kernel, rows):
    """:math:`K(x_r, x_r)` for each row ``r`` of ``rows``, computed as the rows are."""
    diagonal = np.empty(len(rows))
    sparse, X, data, indptr, x_square = kernel.sparse, kernel.X, kernel.data, kernel.indptr, kernel.x_square
    for t in range(len(rows)):
        a = rows[t]
        dot = _self_dot(sparse, X, data, indptr, a)
        if kernel.kind == RBF:  # written out: a call per row costs more than the row (n calls)
            diagonal[t] = np.exp(-kernel.gamma * (x_square[a] + x_square[a] - 2.0 * dot))
        else:
            diagonal[t] = _kernel_from_dot(kernel.kind, dot, 0.0, 0.0, kernel.gamma, kernel.coef0, kernel.degree)
    return diagonal


# --- the LRU cache ------------------------------------------------------------------------------


@njit(cache=True)
def _take_slot(cache):
    storage, slot_of, owner, length, stamp, counters = cache
    if counters[1] < storage.shape[0]:
        slot = counters[1]
        counters[1] += 1
        return slot
    slot = np.argmin(stamp)  # the least recently used row makes room
    slot_of[owner[slot]] = -1
    return slot


@njit(cache=True)
def get_row(cache, kernel, rows, y, perm, t, needed):
    """The cached row of position ``t``, computed (or extended) up to ``needed`` positions."""
    storage, slot_of, owner, length, stamp, counters = cache
    slot = slot_of[t]
    if slot < 0:
        slot = _take_slot(cache)
        slot_of[t], owner[slot], length[slot] = slot, t, 0
    counters[0] += 1
    stamp[slot] = counters[0]
    if length[slot] < needed:
        _fill_row(kernel, rows, y, perm, t, storage[slot], length[slot], needed)
        length[slot] = needed
    return storage[slot]


@njit(cache=True)
def swap_cached(cache, i, j):
    """Exchange positions ``i < j`` in the cache: the rows they own and, inside rows, the columns."""
    storage, slot_of, owner, length, stamp, counters = cache
    slot_i, slot_j = slot_of[i], slot_of[j]
    slot_of[i], slot_of[j] = slot_j, slot_i
    if slot_i >= 0:
        owner[slot_i] = j
    if slot_j >= 0:
        owner[slot_j] = i
    for slot in range(counters[1]):
        if length[slot] > j:
            storage[slot, i], storage[slot, j] = storage[slot, j], storage[slot, i]
        elif length[slot] > i:
            length[slot] = i  # column j was never computed: keep the part still valid



# --- building them --------------------------------------------------------------------------------


def row_kernel(X, kernel, *, gamma, coef0, degree):
    """The kernel as the SMO solver computes its rows on demand (a :class:`RowKernel`).

    Dense data with few non-zeros (word indicators, say) is stored as CSR, and also as CSC so
    that a row can be computed through the columns of its features: a row of the kernel then
    costs the non-zeros it meets instead of ``n_samples * n_features``.
    """
    sparse, dense, data, indices, indptr = numba_rows(X)
    n_samples = X.shape[0]
    x_square = squared_norms(sparse, dense, data, indptr, n_samples) if kernel == "rbf" else np.zeros(0)
    if sparse:
        by_column = sp.csr_matrix((data, indices, indptr), shape=X.shape).tocsc()
        by_column.sort_indices()
        col_ptr, col_rows, col_data = by_column.indptr, by_column.indices, by_column.data
        dots = np.zeros(max(n_samples, X.shape[1]))
    else:
        col_ptr, col_rows, col_data, dots = np.zeros(1), np.zeros(0), np.zeros(0), np.zeros(0)
    return RowKernel(
        KERNEL_CODES[kernel], sparse, dense, data, indices, indptr,
        writeable(col_ptr, np.int64), writeable(col_rows, np.int64), writeable(col_data, np.float64),
        writeable(x_square, np.float64), float(gamma), float(coef0), int(degree),
        dots, np.empty(n_samples), np.empty(n_samples, dtype=np.int64),
    )


def numba_rows(X):
    """``(sparse, dense, data, indices, indptr)``: the rows of X as the numba solvers read them.

    Mostly-zero dense data becomes CSR, so that a row costs its non-zeros; the unused form is an
    empty array, so that one compiled solver serves both.
    """
    if mostly_zero(X):
        X = as_csr(X)
    if sp.issparse(X):
        X = X.tocsr()
        dense, data, indices, indptr = np.zeros((0, 0)), X.data, X.indices, X.indptr
    else:
        dense, data, indices, indptr = X, np.zeros(0), np.zeros(0), np.zeros(1)
    return (sp.issparse(X), writeable(dense, np.float64), writeable(data, np.float64),
            writeable(indices, np.int64), writeable(indptr, np.int64))


def full_kernel():
    """The solver's kernel when every row is in the cache already (nothing to compute)."""
    empty, no_index = np.zeros(0), np.zeros(0, np.int64)
    return RowKernel(FULL, False, np.zeros((0, 0)), empty, no_index, np.zeros(1, np.int64),
                     np.zeros(1, np.int64), no_index, empty, empty, 0.0, 0.0, 0, empty, empty, no_index)


def empty_cache(n, cache_size):
    """An LRU cache for rows of length ``n`` within ``cache_size`` MB (two rows at least)."""
    n_slots = int(min(n, max(2, cache_size * 2**20 // (4 * max(n, 1)))))
    return _cache_around(np.empty((n_slots, n), dtype=np.float32), 0)


def full_cache(Q):
    """A cache holding every row of ``Q`` (n x n), stored in single precision as libsvm's."""
    return _cache_around(np.asarray(Q, dtype=np.float32), Q.shape[0])


def _cache_around(storage, n_filled):
    n_slots, n = storage.shape
    slot_of = np.full(n, -1, dtype=np.int64)
    owner = np.full(n_slots, -1, dtype=np.int64)
    length = np.zeros(n_slots, dtype=np.int64)
    slot_of[:n_filled] = owner[:n_filled] = np.arange(n_filled)
    length[:n_filled] = n
    counters = np.array([0, n_filled], dtype=np.int64)
    return RowCache(storage, slot_of, owner, length, np.zeros(n_slots, dtype=np.int64), counters)


class TrainingKernel:
    """The kernel of the training data, in the form the solver and the decision values need.

    Named kernels compute rows on demand (``gram=None``); a precomputed or callable kernel gives
    the whole Gram matrix. Both answer ``solver_inputs`` (the solver's kernel, row cache and
    diagonal for a sub-problem) and ``between`` (a dense block of kernel values).
    """

    def __init__(self, X=None, kernel="rbf", *, gamma=1.0, coef0=0.0, degree=3, gram=None):
        self.X, self.kernel, self.gram = X, kernel, gram
        self.params = dict(gamma=gamma, coef0=coef0, degree=degree)
        if gram is None:
            self._rows = row_kernel(X, kernel, **self.params)

    def solver_inputs(self, rows, y, cache_size):
        """``(kernel, cache, QD)`` for the sub-problem on ``rows`` with labels ``y`` (+-1)."""
        if self.gram is not None:
            K = self.gram[np.ix_(rows, rows)]
            QD = np.diag(K).copy()
            K *= y[:, None]
            K *= y[None, :]
            return full_kernel(), full_cache(K), QD
        return self._rows, empty_cache(len(rows), cache_size), kernel_diagonal(self._rows, rows)

    def between(self, rows_a, rows_b):
        """``K(x_a, x_b)`` for ``a`` in ``rows_a`` and ``b`` in ``rows_b``, dense float64."""
        if self.gram is not None:
            return self.gram[np.ix_(rows_a, rows_b)]
        return kernel_matrix(self.X[rows_a], self.X[rows_b], self.kernel, **self.params)
