r"""The normal equation :math:`(X^\top X + \alpha I)\,\theta = X^\top y`, solved by Cholesky.

For tall data (at least as many samples as features) the system is built from the weighted
moments of :math:`[X \mid y]` in one pass over the rows (:mod:`skdl.utils._moments`): the centred
Gram matrix :math:`S_{xx} = \sum_i w_i (x_i-\bar x)(x_i-\bar x)^\top` and
:math:`S_{xy} = \sum_i w_i (x_i-\bar x)(y_i-\bar y)`, accumulated in float64 block by block,
so no centred or weighted copy of :math:`X` is made, data far from the origin keep their digits
and float32 data are solved in float64 (a float32 Gram matrix squares the condition number in
float32 and loses three digits at a condition number of 100). A dask array is reduced the same
way, chunk by chunk, on its workers.

With more features than samples and a penalty, the equivalent dual system of the size of the
samples is solved instead.

When :math:`X^\top X` is singular (duplicated or collinear columns, more features than samples) the
Cholesky factor is missing or numerically meaningless; the solver then falls back to the
minimum-norm least-squares solution from an SVD-based ``lstsq``, as scikit-learn does.
"""

import numpy as np
import scipy.linalg
from scipy.linalg.blas import get_blas_funcs
from scipy.linalg.lapack import get_lapack_funcs
from sklearn.utils import assert_all_finite

from ..utils._moments import check_moments_finite, row_moments


def gram_matrix(A):
    r""":math:`A^\top A`, upper triangle only, through BLAS ``syrk`` (half the work of a product)."""
    A = np.ascontiguousarray(A)
    syrk = get_blas_funcs("syrk", (A,))
    return syrk(alpha=1.0, a=A.T, trans=0, lower=0)


def _is_well_conditioned(cholesky_factor, gram_one_norm):
    """Whether the reciprocal condition number of the factored matrix clears ``eps**(2/3)``.

    Past that, the Gram matrix is singular to working precision (its condition number is the square
    of that of ``X``) and the SVD-based solver is both safer and more accurate.
    """
    pocon = get_lapack_funcs("pocon", (cholesky_factor,))
    reciprocal_condition, info = pocon(cholesky_factor, gram_one_norm, uplo="U")
    return info == 0 and reciprocal_condition > np.finfo(cholesky_factor.dtype).eps ** (2 / 3)


def _regularised_cholesky_solve(gram, alpha, rhs):
    r"""Solve :math:`(G + \alpha I) z = r` by Cholesky; None when it is singular to working precision.

    ``gram`` holds the upper triangle only (it is overwritten); ``rhs`` is computed only if needed.
    """
    gram.flat[:: gram.shape[0] + 1] += alpha
    upper = np.triu(gram)
    gram_one_norm = np.abs(upper + np.triu(upper, 1).T).sum(axis=0).max()
    try:
        factor = scipy.linalg.cho_factor(gram, lower=False, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    if not _is_well_conditioned(factor[0], gram_one_norm):
        return None
    return scipy.linalg.cho_solve(factor, rhs(), check_finite=False)


def solve_least_squares(A, b, alpha=0.0):
    r"""Minimise :math:`\lVert A\theta - b\rVert^2 + \alpha\lVert\theta\rVert^2`; ``b`` (n,) or (n, k).

    Tall data solve the primal :math:`(A^\top A + \alpha I)\theta = A^\top b` (p x p); wide data
    with a penalty the dual :math:`\theta = A^\top (A A^\top + \alpha I)^{-1} b` (n x n), the same
    minimiser. Returns the solution and whether a Cholesky path was taken (False: minimum-norm
    ``lstsq``).
    """
    n_samples, n_features = A.shape
    if n_features <= n_samples:
        solution = _regularised_cholesky_solve(gram_matrix(A), alpha, lambda: A.T @ b)
        if solution is not None:
            return solution, True
    elif alpha > 0:
        dual = _regularised_cholesky_solve(gram_matrix(A.T), alpha, lambda: b)
        if dual is not None:
            return A.T @ dual, True
    if alpha > 0:
        # Ridge as ordinary least squares on [A; sqrt(alpha) I], [b; 0].
        A = np.vstack([A, np.sqrt(alpha) * np.eye(n_features, dtype=A.dtype)])
        b = np.concatenate([b, np.zeros((n_features,) + b.shape[1:], dtype=b.dtype)])
    # Singular values below this relative cut-off count as zero (scikit-learn's choice too).
    cutoff = np.finfo(A.dtype).eps * max(A.shape)
    solution = scipy.linalg.lstsq(A, b, cond=cutoff, lapack_driver="gelsd", check_finite=False)[0]
    return solution, False


def _normal_system(moments, fit_intercept):
    r"""The matrix and right-hand side :math:`(A, B)` of :math:`A\theta = B` from the moments.

    With an intercept the system is the centred one, :math:`(S_{xx}, S_{xy})`; without, the
    uncentred :math:`X^\top W X = S_{xx} + W\bar x\bar x^\top` (and likewise :math:`X^\top W y`).
    """
    A, B = moments.xx.copy(), moments.xy.copy()
    if not fit_intercept:
        A += moments.weight * np.outer(moments.x_mean, moments.x_mean)
        B += moments.weight * np.outer(moments.x_mean, moments.y_mean)
    return A, B


def _pseudo_inverse_solve(A, B, alpha):
    r"""Minimum-norm solution of :math:`(A + \alpha I)\theta = B` from the eigenpairs of :math:`A`.

    Used only when the data are out of reach (a dask array) and the Cholesky factor is refused:
    eigenvalues below ``eps * q * max`` count as zero, the Gram matrix's version of ``lstsq``'s
    cut-off on singular values.
    """
    eigenvalues, V = scipy.linalg.eigh(A, check_finite=False)
    eigenvalues = eigenvalues + alpha
    keep = eigenvalues > np.finfo(np.float64).eps * len(A) * max(eigenvalues.max(), 0.0)
    return V[:, keep] @ ((V[:, keep].T @ B) / eigenvalues[keep][:, None])


def _solve_from_moments(moments, alpha, fit_intercept, data=None):
    """``(coef (p, k), intercept (k,), used_cholesky)`` in float64 from the moments of [X | Y].

    When the Cholesky factor is refused, ``data()`` returns the in-memory ``(X, Y, w)`` for the
    minimum-norm ``lstsq``; without it (dask) the minimum-norm solve uses the eigenpairs.
    """
    A, B = _normal_system(moments, fit_intercept)
    coef = _regularised_cholesky_solve(A.copy(order="F"), alpha, lambda: B)
    used_cholesky = coef is not None
    if coef is None and data is None:
        coef = _pseudo_inverse_solve(A, B, alpha)
    elif coef is None:
        X, Y, w = data()
        coef = _centred_lstsq(X, Y, w, alpha, fit_intercept, moments)
    intercept = moments.y_mean - moments.x_mean @ coef if fit_intercept else np.zeros(B.shape[1])
    return coef, intercept, used_cholesky


def _centred_lstsq(X, Y, w, alpha, fit_intercept, moments):
    """The fallback on the data themselves, in float64: a centred, weighted copy and ``lstsq``."""
    A = np.asarray(X, dtype=np.float64)
    b = np.asarray(Y, dtype=np.float64)
    if fit_intercept:
        A, b = A - moments.x_mean, b - moments.y_mean
    if w is not None:
        root_weights = np.sqrt(w.astype(np.float64))[:, None]
        A, b = A * root_weights, b * root_weights
    n_features = A.shape[1]
    if alpha > 0:
        # Ridge as ordinary least squares on [A; sqrt(alpha) I], [b; 0].
        A = np.vstack([A, np.sqrt(alpha) * np.eye(n_features)])
        b = np.vstack([b, np.zeros((n_features, b.shape[1]))])
    # Singular values below this relative cut-off count as zero (scikit-learn's choice too).
    cutoff = np.finfo(np.float64).eps * max(A.shape)
    return scipy.linalg.lstsq(A, b, cond=cutoff, lapack_driver="gelsd", check_finite=False)[0]


def _shape_like_y(coef, intercept, y, dtype):
    if y.ndim == 1:
        coef, intercept = coef[:, 0], intercept[0]
    return coef.astype(dtype, copy=False), np.asarray(intercept, dtype=dtype)


def solve_normal_equation(X, y, sample_weight, alpha, fit_intercept):
    r"""Weighted ridge regression with an unpenalised intercept, in closed form.

    Centring :math:`X` and :math:`y` by their weighted means removes the intercept from the
    system. Tall data go through the one-pass moments (no copy of ``X``); wide data through
    :func:`solve_least_squares` on the centred, weighted rows. ``sample_weight=None`` means unit
    weights. ``X`` may be a dask array (tall data only). Returns
    ``(coef, intercept, used_cholesky)`` in the dtype of ``X``.
    """
    from ..utils._dask import is_dask_collection

    n_samples, n_features = X.shape
    if n_features <= n_samples or is_dask_collection(X):
        moments = row_moments(X, y, sample_weight)
        check_moments_finite(moments, X, y, estimator_name="LinearRegression")
        data = None if is_dask_collection(X) else (lambda: (X, y.reshape(n_samples, -1), sample_weight))
        coef, intercept, used_cholesky = _solve_from_moments(moments, alpha, fit_intercept, data)
        coef, intercept = _shape_like_y(coef, intercept, y, X.dtype)
        return coef, intercept, used_cholesky
    # The moments find NaN and inf on the tall path; the wide one checks first.
    assert_all_finite(X, input_name="X", estimator_name="LinearRegression")
    assert_all_finite(y, input_name="y", estimator_name="LinearRegression")
    return _solve_wide(X, y, sample_weight, alpha, fit_intercept)


def _solve_wide(X, y, sample_weight, alpha, fit_intercept):
    """More features than samples: the dual (with a penalty) or ``lstsq`` on the centred rows.

    float32 data are solved in float64, as the tall ones (the centring copies them anyway).
    """
    dtype = X.dtype
    X, y = X.astype(np.float64, copy=False), y.astype(np.float64, copy=False)
    if fit_intercept:
        x_mean = np.average(X, axis=0, weights=sample_weight)
        y_mean = np.average(y, axis=0, weights=sample_weight)
        A, b = X - x_mean, y - y_mean
    else:
        A, b = X, y
    if sample_weight is not None:
        root_weights = np.sqrt(sample_weight)
        A = A * root_weights[:, None]
        b = b * (root_weights[:, None] if b.ndim == 2 else root_weights)
    coef, used_cholesky = solve_least_squares(A, b, alpha)
    intercept = y_mean - x_mean @ coef if fit_intercept else np.zeros(y.shape[1:])
    return coef.astype(dtype, copy=False), np.asarray(intercept, dtype=dtype), used_cholesky
