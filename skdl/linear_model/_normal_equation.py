r"""The normal equation :math:`(X^\top X + \alpha I)\,\theta = X^\top y`, solved by Cholesky.

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


def solve_least_squares(A, b, alpha=0.0):
    r"""Minimise :math:`\lVert A\theta - b\rVert^2 + \alpha\lVert\theta\rVert^2`; ``b`` (n,) or (n, k).

    Returns the solution and whether the Cholesky path was taken (False: minimum-norm ``lstsq``).
    """
    n_samples, n_features = A.shape
    if alpha > 0 or n_features <= n_samples:
        gram = gram_matrix(A)
        gram.flat[:: n_features + 1] += alpha
        upper = np.triu(gram)
        gram_one_norm = np.abs(upper + np.triu(upper, 1).T).sum(axis=0).max()
        try:
            factor = scipy.linalg.cho_factor(gram, lower=False, overwrite_a=True, check_finite=False)
        except np.linalg.LinAlgError:
            factor = None
        if factor is not None and _is_well_conditioned(factor[0], gram_one_norm):
            return scipy.linalg.cho_solve(factor, A.T @ b, check_finite=False), True
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
