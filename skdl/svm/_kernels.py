r"""Kernels: whole blocks with BLAS for prediction and small problems, rows on demand for SMO.

The four named kernels, as in scikit-learn and libsvm:

.. math::

    K_{\text{linear}}(x, z) = x^\top z,\quad
    K_{\text{poly}} = (\gamma x^\top z + r)^d,\quad
    K_{\text{rbf}} = e^{-\gamma\lVert x - z\rVert^2},\quad
    K_{\text{sigmoid}} = \tanh(\gamma x^\top z + r).

The course's Gaussian kernel :math:`e^{-\lVert x - z\rVert^2 / (2\sigma^2)}` is the RBF kernel
with :math:`\gamma = 1 / (2\sigma^2)`.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit
from sklearn.utils import gen_batches
from sklearn.utils.extmath import safe_sparse_dot

from ._smo import FULL, KERNEL_CODES, RowCache, RowKernel, kernel_diagonal
from ._smo import squared_norms as _squared_norms

# Blocks of a kernel matrix computed at once hold at most this many entries (32 MiB of float64).
_BLOCK_ENTRIES = 2**22
# Dense data with at most this share of non-zeros computes its kernel values as CSR.
_SPARSE_BELOW_DENSITY = 0.25


def gaussian_kernel(x1, x2, sigma):
    r"""The course's Gaussian kernel :math:`\exp(-\lVert x_1 - x_2\rVert^2 / (2\sigma^2))`.

    It is :class:`~skdl.svm.SVC`'s ``kernel="rbf"`` with ``gamma = 1 / (2 * sigma**2)``.

    Parameters
    ----------
    x1, x2 : array-like of shape (n_features,)
        The two points.
    sigma : float
        The bandwidth :math:`\sigma > 0`.

    Returns
    -------
    similarity : float
        In :math:`(0, 1]`, 1 when the points coincide.

    Examples
    --------
    The check printed by the course's ``ex6.m``:

    >>> from skdl.svm import gaussian_kernel
    >>> round(gaussian_kernel([1, 2, 1], [0, 4, -1], sigma=2), 6)
    0.324652
    """
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma!r}.")
    x1, x2 = np.asarray(x1, dtype=np.float64).ravel(), np.asarray(x2, dtype=np.float64).ravel()
    if x1.shape != x2.shape:
        raise ValueError(f"x1 and x2 must have the same length, got {x1.shape[0]} and {x2.shape[0]}.")
    difference = x1 - x2
    return float(np.exp(-(difference @ difference) / (2.0 * sigma**2)))


def resolve_gamma(gamma, X):
    """The numeric :math:`\\gamma` of ``"scale"`` (``1 / (n_features Var[X])``), ``"auto"`` or a float."""
    if gamma == "scale":
        if sp.issparse(X):
            variance = X.multiply(X).mean() - X.mean() ** 2
        else:
            variance = X.var()
        return 1.0 / (X.shape[1] * variance) if variance != 0 else 1.0
    if gamma == "auto":
        return 1.0 / X.shape[1]
    return float(gamma)


def squared_norms(X):
    """:math:`\\lVert x_i\\rVert^2` of each row."""
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1), dtype=np.float64).ravel()
    return np.einsum("ij,ij->i", X, X)


@njit(cache=True, nogil=True)
def _csr_arrays(X):
    """``(data, indices, indptr)`` of the C-ordered dense ``X``: two passes over its entries."""
    n_rows, n_columns = X.shape
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    for i in range(n_rows):
        count = 0
        for f in range(n_columns):
            count += X[i, f] != 0.0
        indptr[i + 1] = indptr[i] + count
    data, indices = np.empty(indptr[n_rows]), np.empty(indptr[n_rows], dtype=np.int64)
    for i in range(n_rows):
        p = indptr[i]
        for f in range(n_columns):
            if X[i, f] != 0.0:
                data[p], indices[p] = X[i, f], f
                p += 1
    return data, indices, indptr


def as_csr(X):
    """Dense ``X`` as a CSR matrix (four times faster than ``scipy.sparse.csr_matrix(X)``)."""
    data, indices, indptr = _csr_arrays(_writeable(X, np.float64))
    return sp.csr_matrix((data, indices, indptr), shape=X.shape)


def mostly_zero(X):
    """Whether dense ``X`` has few enough non-zeros to be computed with as CSR."""
    return not sp.issparse(X) and np.count_nonzero(X) <= _SPARSE_BELOW_DENSITY * X.size


def _kernel_block(X, Y_T, kernel, gamma, coef0, degree, Y_squared):
    """``K(X, Y)`` for one block of rows of X, as a dense array (BLAS products, numpy ufuncs).

    ``Y_T`` is ``Y`` transposed, contiguous (or CSR); a mostly-zero dense block is multiplied as
    CSR, which costs its non-zeros instead of its size.
    """
    X_product = as_csr(X) if mostly_zero(X) else X
    K = np.asarray(safe_sparse_dot(X_product, Y_T, dense_output=True), dtype=np.float64)
    if kernel == "linear":
        return K
    if kernel == "rbf":
        K *= -2.0
        K += squared_norms(X)[:, None]
        K += Y_squared[None, :]
        K *= -gamma
        return np.exp(K, out=K)
    K *= gamma
    K += coef0
    if kernel == "poly":
        return K**degree
    return np.tanh(K, out=K)


def _blocks(X, Y, kernel):
    """Row blocks of X, ``Y`` transposed for the products, and ``Y``'s squared norms (RBF)."""
    Y_T = Y.T.tocsr() if sp.issparse(Y) else np.ascontiguousarray(Y.T)
    Y_squared = squared_norms(Y) if kernel == "rbf" else None
    rows_per_block = max(1, _BLOCK_ENTRIES // max(Y.shape[0], 1))
    return gen_batches(X.shape[0], rows_per_block), Y_T, Y_squared


def kernel_matrix(X, Y, kernel, *, gamma, coef0, degree):
    """``K(X, Y)`` of shape (len(X), len(Y)) for a kernel name or callable, block by block."""
    if callable(kernel):
        return np.asarray(kernel(X, Y), dtype=np.float64)
    blocks, Y_T, Y_squared = _blocks(X, Y, kernel)
    K = np.empty((X.shape[0], Y.shape[0]))
    for rows in blocks:
        K[rows] = _kernel_block(X[rows], Y_T, kernel, gamma, coef0, degree, Y_squared)
    return K


def kernel_times(X, Y, coef, kernel, *, gamma, coef0, degree):
    """``K(X, Y) @ coef.T`` of shape (len(X), len(coef)), without holding all of ``K(X, Y)``."""
    blocks, Y_T, Y_squared = _blocks(X, Y, kernel)
    out = np.empty((X.shape[0], coef.shape[0]))
    for rows in blocks:
        out[rows] = _kernel_block(X[rows], Y_T, kernel, gamma, coef0, degree, Y_squared) @ coef.T
    return out


def _writeable(array, dtype):
    """A C-contiguous, writeable array of ``dtype`` (numba compiles read-only arrays separately)."""
    array = np.ascontiguousarray(array, dtype=dtype)
    return array if array.flags.writeable else array.copy()


def row_kernel(X, kernel, *, gamma, coef0, degree):
    """The kernel as the SMO solver computes its rows on demand (a :class:`RowKernel`).

    Dense data with few non-zeros (word indicators, say) is stored as CSR, and also as CSC so
    that a row can be computed through the columns of its features: a row of the kernel then
    costs the non-zeros it meets instead of ``n_samples * n_features``.
    """
    sparse, dense, data, indices, indptr = numba_rows(X)
    n_samples = X.shape[0]
    x_square = _squared_norms(sparse, dense, data, indptr, n_samples) if kernel == "rbf" else np.zeros(0)
    if sparse:
        by_column = sp.csr_matrix((data, indices, indptr), shape=X.shape).tocsc()
        by_column.sort_indices()
        col_ptr, col_rows, col_data = by_column.indptr, by_column.indices, by_column.data
        dots = np.zeros(max(n_samples, X.shape[1]))
    else:
        col_ptr, col_rows, col_data, dots = np.zeros(1), np.zeros(0), np.zeros(0), np.zeros(0)
    return RowKernel(
        KERNEL_CODES[kernel], sparse, dense, data, indices, indptr,
        _writeable(col_ptr, np.int64), _writeable(col_rows, np.int64), _writeable(col_data, np.float64),
        _writeable(x_square, np.float64), float(gamma), float(coef0), int(degree),
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
    return (sp.issparse(X), _writeable(dense, np.float64), _writeable(data, np.float64),
            _writeable(indices, np.int64), _writeable(indptr, np.int64))


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
