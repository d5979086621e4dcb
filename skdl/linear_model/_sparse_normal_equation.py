r"""Ridge regression on sparse ``X``, never centred or densified: explicit or implicit normal equations.

With sample weights :math:`w` (total :math:`W`), weighted means :math:`\mu` of the columns and
:math:`\bar y` of the targets, the centred problem is

.. math::

    \min_\theta\ \lVert A\theta - b\rVert^2 + \alpha\lVert\theta\rVert^2, \qquad
    A = \operatorname{diag}(\sqrt w)\,(X - \mathbf 1\mu^\top), \quad b = \sqrt w \circ (y - \bar y),

and the intercept is :math:`\bar y - \mu^\top\theta`. Centring a sparse ``X`` would fill it in, so
:math:`A` is never formed:

- **explicit** (few features): the Gram matrix is a sparse product and the centring a rank-one
  correction, :math:`A^\top A = X^\top W X - W\mu\mu^\top` (p x p, dense), and since the weighted
  residual targets sum to zero, :math:`A^\top b = X^\top (w \circ (y - \bar y))`. The system
  :math:`(A^\top A + \alpha I)\theta = A^\top b` is solved by Cholesky, or, when it is singular to
  working precision, by the minimum-norm solution from its eigendecomposition;
- **implicit** (many features, :math:`p \times p` too large to hold): :math:`A` as a
  ``LinearOperator`` whose products are :math:`A v = \sqrt w \circ (Xv - \mu^\top v)` and
  :math:`A^\top u = X^\top(\sqrt w \circ u) - \mu\,(\sqrt w^\top u)`, so memory is
  :math:`O(\mathrm{nnz} + n + p)`. ``"cg"`` runs Jacobi-preconditioned conjugate gradients on the
  normal equations, primal :math:`(A^\top A + \alpha I)` or, with more features than samples, the
  dual :math:`(AA^\top + \alpha I)u = b,\ \theta = A^\top u`; ``"lsqr"`` runs LSQR on
  :math:`A` with damping :math:`\sqrt\alpha` (also for :math:`\alpha = 0`, where it converges to
  the minimum-norm solution).

The rank-one correction subtracts two numbers of the size of :math:`W\mu_j^2`: a column far from
zero everywhere (a sparse matrix whose stored values are all about 1000) loses digits that a dense,
centred fit keeps. Such columns are rare in sparse data, whose zeros pull the means towards zero.
"""

import warnings

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.linalg.lapack import get_lapack_funcs
from scipy.sparse.linalg import LinearOperator, cg, lsqr
from sklearn.exceptions import ConvergenceWarning

from ..utils._threads import single_threaded_blas


def weighted_means(X, y, sample_weight):
    r"""Weighted column means :math:`\mu` of ``X`` (sparse or dense) and :math:`\bar y` of ``y``."""
    total = sample_weight.sum()
    return np.asarray(X.T @ sample_weight).ravel() / total, sample_weight @ y / total


def centred_gram(X, sample_weight, x_mean):
    r""":math:`X^\top W X - W\mu\mu^\top`, from one sparse product (float64, dense p x p)."""
    weighted_X = sp.diags_array(sample_weight) @ X
    gram = np.asarray((X.T @ weighted_X).toarray(), dtype=np.float64)
    gram -= sample_weight.sum() * np.outer(x_mean, x_mean)
    return gram


def _solve_symmetric(gram, rhs):
    """Cholesky solve of ``gram z = rhs``; the minimum-norm eigen solution when singular.

    Returns the solution and whether Cholesky was used. A factor is accepted when LAPACK's
    reciprocal condition number clears ``eps**(2/3)``: past that the Gram matrix (whose condition
    number is the square of the data's) is singular to working precision.
    """
    one_norm = np.abs(gram).sum(axis=0).max()
    try:
        factor = scipy.linalg.cho_factor(gram, lower=False, check_finite=False)
        pocon = get_lapack_funcs("pocon", (factor[0],))
        reciprocal_condition, info = pocon(factor[0], one_norm, uplo="U")
        if info == 0 and reciprocal_condition > np.finfo(np.float64).eps ** (2 / 3):
            return scipy.linalg.cho_solve(factor, rhs, check_finite=False), True
    except np.linalg.LinAlgError:
        pass
    eigenvalues, eigenvectors = scipy.linalg.eigh(gram, check_finite=False)
    # Eigenvalues within rounding error of the largest one's precision count as zero.
    cutoff = eigenvalues.max(initial=0.0) * np.finfo(np.float64).eps * gram.shape[0]
    inverse = np.divide(1.0, eigenvalues, out=np.zeros_like(eigenvalues), where=eigenvalues > cutoff)
    return eigenvectors @ (inverse[:, None] * (eigenvectors.T @ rhs.reshape(len(gram), -1))).reshape(rhs.shape), False


def solve_sparse_normal_equation(X, y, sample_weight, alpha, fit_intercept):
    """Ridge with an unpenalised intercept from the explicit, implicitly centred sparse Gram matrix.

    ``sample_weight=None`` means unit weights. Returns ``(coef, intercept, used_cholesky)``.
    """
    weights = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    X = X.astype(np.float64)
    if fit_intercept:
        x_mean, y_mean = weighted_means(X, y, weights)
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), np.zeros(y.shape[1:])
    gram = centred_gram(X, weights, x_mean)
    gram.flat[:: gram.shape[0] + 1] += alpha
    weighted_residual = (weights[:, None] if y.ndim == 2 else weights) * (y - y_mean)
    coef, used_cholesky = _solve_symmetric(gram, np.asarray(X.T @ weighted_residual))
    return coef, y_mean - x_mean @ coef, used_cholesky


def centred_operator(X, sample_weight, x_mean):
    r"""``LinearOperator`` of :math:`A = \operatorname{diag}(\sqrt w)(X - \mathbf 1\mu^\top)`; ``X`` untouched."""
    root_weights = np.sqrt(sample_weight)

    def matvec(v):
        v = np.ravel(v)
        return root_weights * (X @ v - x_mean @ v)

    def rmatvec(u):
        weighted = root_weights * np.ravel(u)
        return np.asarray(X.T @ weighted).ravel() - x_mean * weighted.sum()

    return LinearOperator(X.shape, matvec=matvec, rmatvec=rmatvec, dtype=np.float64)


def _squared_values_by_row_and_column(X, sample_weight):
    r""":math:`\sum_j x_{ij}^2` per row and :math:`\sum_i w_i x_{ij}^2` per column, from the stored values.

    No product and no sort (a CSR matrix's column indices need not be sorted): bincounts over the
    stored entries, which is all a preconditioner needs.
    """
    if not sp.issparse(X):
        return np.einsum("ij,ij->i", X, X), np.einsum("i,ij,ij->j", sample_weight, X, X)
    by_pointer = np.repeat(np.arange(X.shape[0] if X.format == "csr" else X.shape[1]), np.diff(X.indptr))
    rows, columns = (by_pointer, X.indices) if X.format == "csr" else (X.indices, by_pointer)
    squares = X.data * X.data
    return (np.bincount(rows, squares, minlength=X.shape[0]),
            np.bincount(columns, squares * sample_weight[rows], minlength=X.shape[1]))


def _jacobi_diagonal(X, sample_weight, x_mean, dual):
    r"""Diagonal of :math:`AA^\top` (dual) or of :math:`A^\top A`, the preconditioner of ``"cg"``.

    :math:`(AA^\top)_{ii} = w_i \lVert x_i - \mu\rVert^2` and
    :math:`(A^\top A)_{jj} = \sum_i w_i (x_{ij} - \mu_j)^2`.
    """
    row_squares, column_squares = _squared_values_by_row_and_column(X, sample_weight)
    if dual:
        norms = row_squares - 2 * np.asarray(X @ x_mean).ravel() + x_mean @ x_mean
        return sample_weight * np.maximum(norms, 0.0)
    return np.maximum(column_squares - sample_weight.sum() * x_mean**2, 0.0)


# A diagonal whose entries lie within this factor of each other is left out: it would only rescale
# the system (rows of TF-IDF, normalised to one, give such a diagonal) and cost iterations.
_USEFUL_JACOBI_SPREAD = 4.0


def _conjugate_gradient(A, b, alpha, jacobi, *, tol, max_iter):
    """CG on ``(A^T A + alpha I) x = A^T b`` (or its dual), Jacobi-preconditioned when that helps.

    Returns ``(x, iterations, converged)``.
    """
    n_samples, n_features = A.shape
    dual = n_features > n_samples and alpha > 0
    size = n_samples if dual else n_features
    if dual:
        normal = LinearOperator((size, size), matvec=lambda u: A.matvec(A.rmatvec(u)) + alpha * np.ravel(u))
        rhs = b
    else:
        normal = LinearOperator((size, size), matvec=lambda v: A.rmatvec(A.matvec(v)) + alpha * np.ravel(v))
        rhs = A.rmatvec(b)
    diagonal = jacobi(dual) + alpha
    preconditioner = None
    positive = diagonal[diagonal > 0]
    if positive.size and positive.max() > _USEFUL_JACOBI_SPREAD * positive.min():
        inverse_diagonal = np.divide(1.0, diagonal, out=np.ones(size), where=diagonal > 0)
        preconditioner = LinearOperator((size, size), matvec=lambda r: inverse_diagonal * np.ravel(r))
    iterations = [0]

    def count(_):
        iterations[0] += 1

    solution, info = cg(normal, rhs, rtol=tol, atol=0.0, maxiter=max_iter, M=preconditioner, callback=count)
    return (A.rmatvec(solution) if dual else solution), iterations[0], info == 0


def _solve_one_target(A, b, alpha, jacobi, *, solver, tol, max_iter):
    """One target's ``(coef, iterations, converged)`` by CG or LSQR."""
    if solver == "cg":
        return _conjugate_gradient(A, b, alpha, jacobi, tol=tol, max_iter=max_iter)
    result = lsqr(A, b, damp=np.sqrt(alpha), atol=tol, btol=tol, iter_lim=max_iter)
    # LSQR's stop code 7 is "iteration limit reached".
    return result[0], int(result[2]), result[1] != 7


def solve_sparse_iterative(X, y, sample_weight, alpha, fit_intercept, *, solver, tol, max_iter):
    """Ridge by CG or LSQR on the implicitly centred operator, one target at a time.

    Returns ``(coef, intercept, n_iter)``, ``n_iter`` the most iterations any target took; warns
    with ``ConvergenceWarning`` when a target ran out of ``max_iter``.
    """
    weights = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    X = X.astype(np.float64, copy=False)
    if fit_intercept:
        x_mean, y_mean = weighted_means(X, y, weights)
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), np.zeros(y.shape[1:])
    A = centred_operator(X, weights, x_mean)
    targets = np.sqrt(weights)[:, None] * (y - y_mean).reshape(len(y), -1)

    def jacobi(dual):
        return _jacobi_diagonal(X, weights, x_mean, dual)

    coefs, n_iter, converged = [], 0, True
    # Sparse products are single-threaded in scipy; the vector operations between them are too
    # small for BLAS threads, whose wake-ups cost more than they save (measured on a busy machine).
    with single_threaded_blas():
        for b in targets.T:
            coef, iterations, done = _solve_one_target(A, b, alpha, jacobi, solver=solver, tol=tol, max_iter=max_iter)
            coefs.append(coef)
            n_iter, converged = max(n_iter, iterations), converged and done
    if not converged:
        warnings.warn(
            f"LinearRegression(solver={solver!r}) did not reach tol={tol} in max_iter={max_iter} "
            "iterations; increase max_iter.",
            ConvergenceWarning,
        )
    coef = np.column_stack(coefs) if y.ndim == 2 else coefs[0]
    return coef, y_mean - x_mean @ coef, n_iter
