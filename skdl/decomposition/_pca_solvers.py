r"""The solvers of PCA: thin SVD, covariance eigendecomposition, randomized SVD.

Each takes the data (and what it needs of them) and returns arrays; :class:`~skdl.decomposition.PCA`
chooses one and stores the result. No solver makes a centred copy of ``X`` except the thin SVD,
which factorises it: the covariance comes from the one-pass moments (:mod:`skdl.utils._moments`,
float64, exact on data far from the origin), and the randomized solver multiplies by
:math:`A = X - 1\bar x^\top` block by block (sparse ``X``: implicitly, as
:math:`XQ - 1(\bar x^\top Q)`, so that the zeros stay zeros).
"""

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from sklearn.utils.sparsefuncs import mean_variance_axis

from ..utils._moments import check_moments_finite, moments_of_mean_and_scatter, row_moments
from ..utils._threads import map_in_threads, row_blocks, single_threaded_blas

# Values per block of the centred products of the randomized solver (8 MiB of float64).
_OPERATOR_BLOCK_VALUES = 2**20


def flip_signs(Vt):
    """Make each component's largest-magnitude loading positive, in place; returns ``Vt``.

    The SVD fixes each singular pair only up to a common sign; this convention (scikit-learn's
    ``svd_flip`` on ``Vt``) makes the result deterministic across solvers and platforms.
    """
    largest = np.argmax(np.abs(Vt), axis=1)
    signs = np.sign(Vt[np.arange(Vt.shape[0]), largest])
    signs[signs == 0] = 1
    Vt *= signs[:, None]
    return Vt


def pca_full(X, mean):
    r"""Thin SVD of the centred data :math:`X - 1\bar x^\top = U S V^\top`: every component.

    Returns ``(components (r, d), explained_variance (r,))`` with ``r = min(n, d)``.
    """
    _, S, Vt = scipy.linalg.svd(X - mean.astype(X.dtype), full_matrices=False, check_finite=False)
    return flip_signs(Vt), S.astype(np.float64) ** 2 / max(X.shape[0] - 1, 1)


def _sparse_moments(X):
    r"""Mean and scatter of sparse rows, :math:`X^\top X - n\bar x\bar x^\top`, in float64.

    Centring would fill in the zeros, so the scatter is taken from the sparse Gram matrix; for
    sparse data the mean is small against the spread and the subtraction loses little.
    """
    X = X.astype(np.float64)
    n_samples = X.shape[0]
    mean = np.asarray(X.sum(axis=0)).ravel() / n_samples
    gram = X.T @ X
    scatter = gram.toarray() if sp.issparse(gram) else np.asarray(gram)
    scatter -= n_samples * np.outer(mean, mean)
    return moments_of_mean_and_scatter(n_samples, n_samples, n_samples, mean, scatter, X.shape[1])


def covariance_moments(X, n_jobs):
    """The moments of ``X`` (numpy, sparse or dask), NaN and overflow refused by name."""
    moments = _sparse_moments(X) if sp.issparse(X) else row_moments(X, n_jobs=n_jobs)
    check_moments_finite(moments, X, estimator_name="PCA")
    return moments


def pca_covariance_eigh(moments, n_components, want_spectrum):
    r"""Eigenvectors of the covariance :math:`\Sigma = S / (n - 1)` from the moments.

    The course's ``Sigma = X'*X/m`` followed by ``svd(Sigma)``: for a symmetric positive
    semi-definite :math:`\Sigma` the SVD is the eigendecomposition, and ``eigh`` is cheaper. When
    only ``n_components`` of many eigenpairs are needed, only those are computed (the total
    variance is the trace).

    Returns ``(components (k, d), explained_variance, total_variance)``: the whole spectrum when
    ``want_spectrum``, else the top ``k``.
    """
    n_features = len(moments.mean)
    Sigma = moments.xx / max(moments.weight - 1, 1)
    total_variance = float(np.trace(Sigma))
    subset = None if want_spectrum else [n_features - n_components, n_features - 1]
    # The tridiagonal reduction of a few hundred columns gains little from BLAS threads and
    # stalls (ten times slower, measured) when other processes share the cores.
    with single_threaded_blas():
        eigenvalues, eigenvectors = scipy.linalg.eigh(
            Sigma, subset_by_index=subset, overwrite_a=True, check_finite=False
        )
    order = np.argsort(eigenvalues)[::-1]
    components = flip_signs(np.ascontiguousarray(eigenvectors[:, order].T))
    return components[:n_components], np.maximum(eigenvalues[order], 0), total_variance


def centred_operator(X, mean, transpose, n_threads):
    r"""Products with :math:`A = X - 1\bar x^\top` (or :math:`A^\top`) without forming it.

    Returns ``(times, transpose_times, shape)``: ``times(Q) = A Q`` and ``transpose_times(P) =
    A^\top P`` (roles swapped when ``transpose``). Dense ``X`` is centred block by block (a block
    at a time, on ``n_threads`` threads), so the products are of centred values; sparse ``X``
    is centred implicitly.
    """
    if sp.issparse(X):
        def times(Q):
            return np.asarray(X @ Q) - mean @ Q

        def transpose_times(P):
            return np.asarray(X.T @ P) - np.outer(mean, P.sum(axis=0))
    else:
        mean = mean.astype(X.dtype)
        block_rows = max(64, _OPERATOR_BLOCK_VALUES // X.shape[1])
        ranges = row_blocks(X.shape[0], n_threads, min_rows=block_rows)

        def blocks(rows):
            for start in range(rows.start, rows.stop, block_rows):
                block = slice(start, min(start + block_rows, rows.stop))
                yield block, X[block] - mean

        def times(Q):
            product = np.empty((X.shape[0], Q.shape[1]), dtype=np.result_type(X, Q))

            def range_times(rows):
                for block, A in blocks(rows):
                    product[block] = A @ Q

            map_in_threads(range_times, ranges, n_threads)
            return product

        def transpose_times(P):
            def range_transpose_times(rows):
                return sum(A.T @ P[block] for block, A in blocks(rows))

            return sum(map_in_threads(range_transpose_times, ranges, n_threads))

    if transpose:
        return transpose_times, times, X.shape[::-1]
    return times, transpose_times, X.shape


def _randomized_range_finder(times, transpose_times, shape, size, n_iter, random_state, dtype, progress):
    r"""An orthonormal basis :math:`Q` of (approximately) the top ``size`` left singular space of ``A``.

    Halko, Martinsson and Tropp (2011), algorithm 4.4: sample :math:`Y = (A A^\top)^q A\Omega` with a
    Gaussian :math:`\Omega`, renormalising by LU between products so that the small singular
    directions do not drown in rounding, then orthonormalise by QR. The factorisations of these
    thin matrices run on single-threaded BLAS, several times faster than multithreaded. With
    ``progress`` on, each power iteration reports the variance its basis captures (one more
    product per iteration, only then).
    """

    def lu(Y):
        with single_threaded_blas():
            return scipy.linalg.lu(Y, permute_l=True, check_finite=False)[0]

    Q = random_state.standard_normal(size=(shape[1], size)).astype(dtype, copy=False)
    for iteration in range(1, n_iter + 1):
        Q = lu(times(Q))
        Q = lu(transpose_times(Q))
        if progress:
            basis = scipy.linalg.qr(Q, mode="economic", check_finite=False)[0]
            captured = float(np.sum(times(basis).astype(np.float64) ** 2))
            progress.step(iteration, captured_sum_of_squares=captured)
    Y = times(Q)
    with single_threaded_blas():
        Q, _ = scipy.linalg.qr(Y, mode="economic", check_finite=False)
    return Q


def pca_randomized(X, mean, n_components, random_state, n_threads, progress, n_oversamples=10):
    r"""Randomized truncated SVD of the centred data (Halko et al.): :math:`Q^\top A = \hat U S V^\top`.

    Wide data are handled through :math:`A^\top` (whose range is the smaller space), as
    scikit-learn does, which also makes the two agree closely for the same number of iterations.

    Returns ``(components (k, d), explained_variance (k,))``.
    """
    n_iter = 7 if n_components < 0.1 * min(X.shape) else 4
    size = min(n_components + n_oversamples, min(X.shape))
    transpose = X.shape[0] < X.shape[1]
    times, transpose_times, shape = centred_operator(X, mean, transpose, n_threads)
    Q = _randomized_range_finder(times, transpose_times, shape, size, n_iter, random_state, X.dtype, progress)
    B = transpose_times(Q).T
    with single_threaded_blas():
        U_hat, S, Vt = scipy.linalg.svd(B, full_matrices=False, check_finite=False)
    components = np.ascontiguousarray((Q @ U_hat).T) if transpose else Vt
    explained_variance = S.astype(np.float64) ** 2 / max(X.shape[0] - 1, 1)
    return flip_signs(components)[:n_components], explained_variance[:n_components]


def mean_and_total_variance(X, n_jobs):
    """Column means and the total variance (ddof=1) of ``X`` in one float64 pass."""
    n_samples = X.shape[0]
    if sp.issparse(X):
        mean, variance = mean_variance_axis(X.astype(np.float64), axis=0)
        return mean, float(variance.sum()) * n_samples / max(n_samples - 1, 1)
    moments = row_moments(X, scatter="diag", n_jobs=n_jobs)
    check_moments_finite(moments, X, estimator_name="PCA")
    return moments.mean, float(moments.scatter.sum()) / max(n_samples - 1, 1)
