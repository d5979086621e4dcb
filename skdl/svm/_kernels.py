r"""Kernels as functions: the course's Gaussian kernel, and kernel blocks through BLAS for prediction.

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
from sklearn.utils.extmath import row_norms, safe_sparse_dot


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
    data, indices, indptr = _csr_arrays(writeable(X, np.float64))
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
        K += row_norms(X, squared=True)[:, None]
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
    Y_squared = row_norms(Y, squared=True) if kernel == "rbf" else None
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


def writeable(array, dtype):
    """A C-contiguous, writeable array of ``dtype`` (numba compiles read-only arrays separately)."""
    array = np.ascontiguousarray(array, dtype=dtype)
    return array if array.flags.writeable else array.copy()
