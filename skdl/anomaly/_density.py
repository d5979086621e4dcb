r"""The Gaussian density of the anomaly detector: its moments, regularisation and log-density.

The moments come from one pass over the rows (:mod:`skdl.utils._moments`: blocks centred by their
own mean, float64, merged exactly), so no centred copy of ``X`` is made, data far from the origin
keep their digits, and a dask array is reduced on its workers. Sparse rows (``"diag"`` only) give
their column means and variances directly. The log-density is evaluated block by block, on all
cores, again without a full-size temporary.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import LinAlgError, cholesky, lapack, solve_triangular
from sklearn.utils.sparsefuncs import mean_variance_axis

from ..utils._moments import (
    check_moments_finite,
    check_variances_representable,
    moments_of_mean_and_scatter,
    row_moments,
)
from ..utils._threads import map_in_threads, row_blocks

# A Python float, so that float32 arithmetic stays float32.
_LOG_2PI = float(np.log(2.0 * np.pi))
# Values per block of the log-density (2 MiB of float64).
_BLOCK_VALUES = 2**18


def _sparse_diagonal_moments(X, weights):
    """Column means and scatters of sparse rows (weighted), as :class:`RowMoments`."""
    X = X.astype(np.float64)
    mean, variance, total = mean_variance_axis(X, axis=0, weights=weights, return_sum_weights=True)
    total = float(np.asarray(total).ravel()[0]) if np.ndim(total) else float(total)
    n_positive = X.shape[0] if weights is None else int(np.count_nonzero(weights))
    return moments_of_mean_and_scatter(total, X.shape[0], n_positive, mean, np.asarray(variance) * total, X.shape[1])


def gaussian_moments(X, weights, covariance, dtype, n_threads=None):
    r"""Weighted mean :math:`\mu` and population (co)variance of ``X``, and the positive-weight rows.

    :math:`\mu = \sum_i w_i x_i / W` and :math:`\Sigma = \sum_i w_i (x_i-\mu)(x_i-\mu)^\top / W`
    (the course's :math:`1/m` with unit weights); ``"diag"`` returns the diagonal :math:`\sigma^2`.
    Both come back in ``dtype``, with the number of rows of positive weight and the total weight;
    NaN, inf and variances that ``dtype`` cannot hold are refused.
    """
    scatter = "diag" if covariance == "diag" else "full"
    if sp.issparse(X):
        moments = _sparse_diagonal_moments(X, weights)
    else:
        moments = row_moments(X, sample_weight=weights, scatter=scatter, n_jobs=n_threads)
    check_moments_finite(moments, X.data if sp.issparse(X) else X, estimator_name="GaussianAnomalyDetector")
    if moments.n_positive >= 2:
        check_variances_representable(
            moments, X, dtype, estimator_name="GaussianAnomalyDetector", sample_weight=weights
        )
    Sigma = moments.scatter / moments.weight
    return moments.mean.astype(dtype), Sigma.astype(dtype), moments.n_positive, moments.weight


def regularised_variances(sigma2, reg_covar):
    """``sigma2 + reg_covar``, and the regularisation actually used (larger when that is not positive)."""
    reg = reg_covar
    if np.any(sigma2 + reg <= 0):
        reg = max(reg_covar, np.finfo(sigma2.dtype).eps * max(float(sigma2.mean()), 1e-300) * 10)
    return sigma2 + sigma2.dtype.type(reg), reg


def regularised_cholesky(Sigma, reg_covar):
    r"""Lower Cholesky factor :math:`L` of :math:`\Sigma + r I` and the :math:`r` used.

    :math:`r` starts at ``reg_covar`` and grows tenfold (from a floor of machine epsilon times
    the mean variance) until the factorisation succeeds.
    """
    if not np.isfinite(Sigma).all():
        raise ValueError(
            "The covariance matrix of X overflowed: the scale of X is too large for its dtype. "
            "Divide X by a constant before fitting."
        )
    identity = np.eye(len(Sigma), dtype=Sigma.dtype)
    floor = np.finfo(Sigma.dtype).eps * max(float(np.trace(Sigma)) / len(Sigma), 1e-300) * 10
    reg = reg_covar
    for _ in range(64):  # from the floor, 64 tenfold steps pass any finite variance
        try:
            return cholesky(Sigma + Sigma.dtype.type(reg) * identity, lower=True, check_finite=False), reg
        except LinAlgError:
            reg = max(10.0 * reg, floor)
    raise ValueError("The covariance matrix of X could not be regularised into a positive definite one.")


def _by_row_blocks(function, X, n_threads):
    """``function(X[block])`` for every row block, on ``n_threads`` threads, concatenated (1-D results)."""
    block_rows = max(256, _BLOCK_VALUES // max(X.shape[1], 1))
    threads = n_threads if X.shape[0] > 4 * block_rows else 1
    ranges = row_blocks(X.shape[0], threads, min_rows=block_rows)
    out = np.empty(X.shape[0], dtype=X.dtype)

    def run(rows):
        for start in range(rows.start, rows.stop, block_rows):
            block = slice(start, min(start + block_rows, rows.stop))
            out[block] = function(X[block])

    map_in_threads(run, ranges, threads)
    return out


def diag_log_density(X, mu, sigma2, n_threads=1):
    r"""The course's product of per-feature Gaussians, in log space.

    :math:`\log p(x) = -\frac12 \sum_j \left[(x_j-\mu_j)^2/\sigma_j^2 + \log(2\pi\sigma_j^2)\right]`.
    Sparse rows expand the square, :math:`\sum_j (x_j^2 - 2x_j\mu_j)/\sigma_j^2 + \mu_j^2/\sigma_j^2`,
    so that the zeros stay zeros.
    """
    constant = np.sum(np.log(sigma2)) + X.shape[1] * _LOG_2PI
    if sp.issparse(X):
        precision = (1.0 / sigma2).astype(X.dtype)
        squares = np.asarray(X.multiply(X) @ precision).ravel() - 2.0 * np.asarray(X @ (mu * precision)).ravel()
        return (-0.5 * (squares + float(np.sum(mu**2 * precision)) + constant)).astype(X.dtype)
    scale = np.sqrt(sigma2)

    def block_log_density(block):
        z = (block - mu) / scale
        return -0.5 * (np.einsum("ij,ij->i", z, z) + constant)

    return _by_row_blocks(block_log_density, X, n_threads)


def full_log_density(X, mu, L, n_threads=1):
    r"""Multivariate Gaussian log-density from the mean and the Cholesky factor :math:`L`.

    With :math:`\Sigma = LL^\top` and :math:`z = L^{-1}(x-\mu)` (a triangular solve),
    :math:`\log p(x) = -\frac12\left(z^\top z + n\log 2\pi\right) - \sum_j \log L_{jj}`.
    """
    half_log_det = np.sum(np.log(np.diag(L)))
    constant = X.shape[1] * _LOG_2PI

    def block_log_density(block):
        z = solve_triangular(L, (block - mu).T, lower=True, check_finite=False)
        return -0.5 * (np.einsum("ij,ij->j", z, z) + constant) - half_log_det

    return _by_row_blocks(block_log_density, X, n_threads)


def constant_features(mu, sigma2, n_samples):
    """Indices of features whose variance is zero up to the rounding of computing it."""
    rounding = 10.0 * np.sqrt(n_samples) * np.finfo(sigma2.dtype).eps
    return np.flatnonzero(sigma2 <= (rounding * mu) ** 2)


def redundant_features(Sigma, skip):
    r"""Indices of features that are (nearly) linear combinations of the others.

    A pivoted Cholesky factorisation of the correlation matrix (LAPACK ``?pstrf``) takes next the
    feature with the largest variance left unexplained, :math:`1 - R_j^2`, and stops when that
    falls below :math:`\sqrt{\text{eps}}`: the features it did not take are the redundant ones.
    """
    keep = np.setdiff1d(np.arange(len(Sigma)), skip)
    if len(keep) == 0:
        return keep
    std = np.sqrt(np.diag(Sigma)[keep].astype(np.float64))
    correlation = Sigma[np.ix_(keep, keep)].astype(np.float64) / np.outer(std, std)
    # Exactly one on the diagonal, so that the first pivot does not depend on rounding.
    np.fill_diagonal(correlation, 1.0)
    _, pivots, rank, _ = lapack.dpstrf(correlation, tol=np.sqrt(np.finfo(Sigma.dtype).eps), lower=1)
    return np.sort(keep[pivots[rank:] - 1])
