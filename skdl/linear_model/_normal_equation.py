r"""The normal equation :math:`(X^\top X + \alpha I)\,\theta = X^\top y`, solved by Cholesky.

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


def solve_normal_equation(X, y, sample_weight, alpha, fit_intercept):
    r"""Weighted ridge regression with an unpenalised intercept, in closed form.

    Centring :math:`X` and :math:`y` by their weighted means removes the intercept from the
    system; rows are scaled by :math:`\sqrt{w_i}` so that the weighted problem is an ordinary one.
    ``sample_weight=None`` means unit weights. Returns ``(coef, intercept, used_cholesky)``.
    """
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
    intercept = y_mean - x_mean @ coef if fit_intercept else np.zeros(y.shape[1:], dtype=X.dtype)
    return coef, intercept, used_cholesky
