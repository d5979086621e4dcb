"""Principal component analysis: the course's ex7 PCA with three solvers and deterministic signs."""

from numbers import Integral

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, RealNotInt, StrOptions, _fit_context, validate_data
from ..utils._threads import map_in_threads, n_threads, row_blocks, single_threaded_blas

# The rule of scikit-learn's "auto" (1.5 and later), so that both pick the same solver.
_COVARIANCE_MAX_FEATURES = 1_000
_COVARIANCE_MIN_RATIO = 10
_FULL_MAX_DIMENSION = 500


def _flip_signs(U, Vt):
    """Make each component's largest-magnitude loading positive (``U``'s columns follow).

    The SVD fixes each singular pair only up to a common sign; this convention (scikit-learn's
    ``svd_flip`` on ``Vt``) makes the result deterministic across solvers and platforms.
    """
    largest = np.argmax(np.abs(Vt), axis=1)
    signs = np.sign(Vt[np.arange(Vt.shape[0]), largest])
    signs[signs == 0] = 1
    Vt *= signs[:, None]
    if U is not None:
        U *= signs
    return U, Vt


def _pca_full(X_centred, n_components):
    r"""Thin SVD of the centred data :math:`X = U S V^\top`: every component, every variance.

    Returns ``(components (k, d), explained_variance (r,), singular_values (r,))`` where ``r``
    is ``min(n, d)`` (the whole spectrum, for the variance ratios) and ``k = n_components``.
    """
    _, S, Vt = scipy.linalg.svd(X_centred, full_matrices=False, check_finite=False)
    _, Vt = _flip_signs(None, Vt)
    explained_variance = S**2 / max(X_centred.shape[0] - 1, 1)
    return Vt[:n_components], explained_variance, S


def _gram_and_sum(X):
    r""":math:`X^\top X` and the column sums of ``X``, by row blocks on all cores.

    Each thread forms the Gram matrix of its block with a single-threaded BLAS ``syrk`` (numpy
    uses it for ``A.T @ A``) and the blocks are added: the same arithmetic as one multithreaded
    call, which parallelises poorly over a short output and stalls when the cores are shared.
    """

    def block_gram(rows):
        block = X[rows]
        return block.T @ block, block.sum(axis=0)

    blocks = map_in_threads(block_gram, row_blocks(X.shape[0], n_threads(), min_rows=max(2048, X.shape[1])))
    gram, total = blocks[0]
    for other_gram, other_total in blocks[1:]:
        gram += other_gram
        total += other_total
    return gram, total


def _pca_covariance_eigh(X, n_components, want_spectrum):
    r"""Eigenvectors of the covariance :math:`\Sigma = \frac{1}{n-1}(X^\top X - n\,\bar x\bar x^\top)`.

    The course's ``Sigma = X'*X/m`` followed by ``svd(Sigma)``: for a symmetric positive
    semi-definite :math:`\Sigma` the SVD is the eigendecomposition, and ``eigh`` is cheaper. The
    :math:`d \times d` matrix is formed without a centred copy of ``X``; when only ``n_components``
    of many eigenpairs are needed, only those are computed (the total variance is the trace).

    Returns ``(mean, components (k, d), explained_variance, total_variance)``;
    ``explained_variance`` holds the whole spectrum when ``want_spectrum`` and the top ``k``
    otherwise.
    """
    n_samples, n_features = X.shape
    Sigma, column_sums = _gram_and_sum(X)
    mean = column_sums / n_samples
    Sigma -= n_samples * np.outer(mean, mean)
    Sigma /= max(n_samples - 1, 1)
    total_variance = float(np.trace(Sigma))
    subset = None if want_spectrum else [n_features - n_components, n_features - 1]
    eigenvalues, eigenvectors = scipy.linalg.eigh(
        Sigma, subset_by_index=subset, overwrite_a=True, check_finite=False
    )
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues = np.maximum(eigenvalues[order], 0)
    _, Vt = _flip_signs(None, np.ascontiguousarray(eigenvectors[:, order].T))
    return mean, Vt[:n_components], eigenvalues, total_variance


def _centred_operator(X, mean, transpose):
    r"""Products with :math:`A = X - 1\bar x^\top` (or :math:`A^\top`) without forming it.

    Returns ``(times, transpose_times, shape)``: ``times(Q) = A Q`` and ``transpose_times(P) = A^T P``
    (roles swapped when ``transpose``), so that no centred copy of ``X`` is ever made. Both run
    by row blocks of ``X`` on all cores, as the Gram matrix of the covariance solver does.
    """
    blocks = row_blocks(X.shape[0], n_threads())

    def times(Q):
        product = np.empty((X.shape[0], Q.shape[1]), dtype=np.result_type(X, Q))

        def block_times(rows):
            product[rows] = X[rows] @ Q

        map_in_threads(block_times, blocks)
        product -= mean @ Q
        return product

    def transpose_times(P):
        parts = map_in_threads(lambda rows: X[rows].T @ P[rows], blocks)
        product = parts[0]
        for part in parts[1:]:
            product += part
        product -= np.outer(mean, P.sum(axis=0))
        return product

    if transpose:
        return transpose_times, times, X.shape[::-1]
    return times, transpose_times, X.shape


def _randomized_range_finder(times, transpose_times, shape, size, n_iter, random_state, dtype):
    r"""An orthonormal basis :math:`Q` of (approximately) the top ``size`` left singular space of ``A``.

    Halko, Martinsson and Tropp (2011), algorithm 4.4: sample :math:`Y = (A A^\top)^q A\Omega` with a
    Gaussian :math:`\Omega`, renormalising by LU between products so that the small singular
    directions do not drown in rounding, then orthonormalise by QR. The factorisations of these
    thin matrices run on single-threaded BLAS, several times faster than multithreaded.
    """

    def lu(Y):
        with single_threaded_blas():
            return scipy.linalg.lu(Y, permute_l=True, check_finite=False)[0]

    Q = random_state.standard_normal(size=(shape[1], size)).astype(dtype, copy=False)
    for _ in range(n_iter):
        Q = lu(times(Q))
        Q = lu(transpose_times(Q))
    Y = times(Q)
    with single_threaded_blas():
        Q, _ = scipy.linalg.qr(Y, mode="economic", check_finite=False)
    return Q


def _pca_randomized(X, mean, n_components, random_state, n_oversamples=10):
    r"""Randomized truncated SVD of the centred data (Halko et al.): :math:`Q^\top A = \hat U S V^\top`.

    Wide data are handled through :math:`A^\top` (whose range is the smaller space), as
    scikit-learn does, which also makes the two agree closely for the same number of iterations.

    Returns ``(components (k, d), explained_variance (k,), singular_values (k,))``.
    """
    n_iter = 7 if n_components < 0.1 * min(X.shape) else 4
    size = min(n_components + n_oversamples, min(X.shape))
    transpose = X.shape[0] < X.shape[1]
    times, transpose_times, shape = _centred_operator(X, mean, transpose)
    Q = _randomized_range_finder(times, transpose_times, shape, size, n_iter, random_state, X.dtype)
    B = transpose_times(Q).T
    with single_threaded_blas():
        U_hat, S, Vt = scipy.linalg.svd(B, full_matrices=False, check_finite=False)
    components = np.ascontiguousarray((Q @ U_hat).T) if transpose else Vt
    _, components = _flip_signs(None, components)
    explained_variance = S**2 / max(X.shape[0] - 1, 1)
    return components[:n_components], explained_variance[:n_components], S[:n_components]


def _components_for_variance(explained_variance_ratio, fraction):
    """The course's rule: the smallest k whose components keep at least ``fraction`` of the variance."""
    cumulative = np.cumsum(explained_variance_ratio, dtype=np.float64)
    k = int(np.searchsorted(cumulative, fraction - 1e-12, side="left")) + 1
    return min(k, explained_variance_ratio.shape[0])


def _choose_solver(shape, n_components):
    n_samples, n_features = shape
    if n_features <= _COVARIANCE_MAX_FEATURES and n_samples >= _COVARIANCE_MIN_RATIO * n_features:
        return "covariance_eigh"
    if max(shape) <= _FULL_MAX_DIMENSION or not isinstance(n_components, Integral):
        return "full"
    return "randomized" if 1 <= n_components < 0.8 * min(shape) else "full"


class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    r"""Principal component analysis, the course's ex7 dimensionality reduction.

    Parameters
    ----------
    n_components : int, float or None, default=None
        Number of components :math:`k` to keep. A float in (0, 1) keeps the fewest components
        whose variance is at least that fraction of the total (the course's "99% of the variance
        retained" rule). ``None`` keeps ``min(n_samples, n_features)``.
    whiten : bool, default=False
        Scale the projections to unit variance (divide by :math:`\sqrt{\lambda_j}`).
    svd_solver : {"auto", "full", "covariance_eigh", "randomized"}, default="auto"
        ``"full"``: thin SVD of the centred data. ``"covariance_eigh"``: eigendecomposition of the
        :math:`d \times d` covariance, the course's method, cheapest when samples far outnumber
        features. ``"randomized"``: Halko et al.'s randomized SVD, for the leading components
        of large wide data (an int ``n_components`` only). ``"auto"`` picks as scikit-learn does:
        ``"covariance_eigh"`` when ``n_features <= 1000`` and ``n_samples >= 10 n_features``,
        else ``"full"`` for small data or a float ``n_components``, else ``"randomized"`` when
        ``n_components < 0.8 min(n_samples, n_features)``.
    random_state : int, RandomState instance or None, default=None
        Draws the random test matrix of ``"randomized"``.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        The principal directions :math:`u_1 \dots u_k` (rows), each with its largest-magnitude
        entry positive.
    explained_variance_ : ndarray of shape (n_components_,)
        Variance along each component, :math:`\lambda_j` (eigenvalues of the covariance with the
        :math:`n - 1` denominator).
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        :math:`\lambda_j / \sum_l \lambda_l`, the fraction of the total variance.
    singular_values_ : ndarray of shape (n_components_,)
        Singular values of the centred data, :math:`s_j = \sqrt{(n-1)\lambda_j}`.
    mean_ : ndarray of shape (n_features,)
        The per-feature mean subtracted before projecting.
    n_components_ : int
        The number of components kept.
    noise_variance_ : float
        Mean variance of the discarded directions (0 when none is discarded).
    n_samples_ : int
        Number of training samples.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.decomposition.PCA : scikit-learn's PCA (same solvers, signs and ``"auto"`` rule).

    Notes
    -----
    With :math:`X` centred, the covariance is :math:`\Sigma = \frac{1}{n-1} X^\top X` and its
    eigenvectors :math:`u_j` (the right singular vectors of :math:`X`) are the directions of
    largest variance. The course projects :math:`z = U_k^\top x` (``projectData``) and recovers
    :math:`x_{\text{approx}} = U_k z` (``recoverData``); here the mean is subtracted before and
    added back after. The course normalises the features first: put a
    :class:`~sklearn.preprocessing.StandardScaler` before the PCA for that.

    References
    ----------
    N. Halko, P.-G. Martinsson and J. A. Tropp, "Finding structure with randomness: probabilistic
    algorithms for constructing approximate matrix decompositions", SIAM Review 53(2), 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.decomposition import PCA
    >>> X = np.array([[-1.0, -1.0], [-2.0, -1.0], [-3.0, -2.0], [1.0, 1.0], [2.0, 1.0], [3.0, 2.0]])
    >>> pca = PCA(n_components=1).fit(X)
    >>> pca.explained_variance_ratio_
    array([0.9924...])
    >>> pca.components_
    array([[0.8384..., 0.5449...]])
    >>> pca.inverse_transform(pca.transform([[2.0, 1.0]]))
    array([[1.9...,  1.2...]])
    """

    _parameter_constraints = {
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
            None,
        ],
        "whiten": ["boolean"],
        "svd_solver": [StrOptions({"auto", "full", "covariance_eigh", "randomized"})],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=None, *, whiten=False, svd_solver="auto", random_state=None):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.random_state = random_state

    def _check_n_components(self, shape, solver):
        rank = min(shape)
        if isinstance(self.n_components, Integral) and self.n_components > rank:
            raise ValueError(
                f"n_components={self.n_components} must be between 1 and "
                f"min(n_samples, n_features)={rank}."
            )
        if solver == "randomized" and not isinstance(self.n_components, Integral) and self.n_components is not None:
            raise ValueError(
                f"n_components={self.n_components!r} (a fraction of the variance) needs the whole "
                "spectrum; use svd_solver='full' or 'covariance_eigh' instead of 'randomized'."
            )

    def _solve(self, X, solver):
        """Run ``solver``; return components, variances (whole spectrum or top k), total variance."""
        n_samples, _ = X.shape
        rank = min(X.shape)
        fixed_k = self.n_components if isinstance(self.n_components, Integral) else rank
        if solver == "covariance_eigh":
            want_spectrum = not isinstance(self.n_components, Integral)
            return _pca_covariance_eigh(X, fixed_k, want_spectrum)
        mean = X.mean(axis=0)
        if solver == "full":
            components, variance, _ = _pca_full(X - mean, rank)
            return mean, components, variance, float(variance.sum())
        random_state = check_random_state(self.random_state)
        components, variance, _ = _pca_randomized(X, mean, fixed_k, random_state)
        squares = np.einsum("ij,ij->j", X, X, dtype=np.float64)
        total = float((squares - n_samples * mean.astype(np.float64) ** 2).sum() / max(n_samples - 1, 1))
        return mean, components, variance, total

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find the principal components of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. Sparse matrices are not supported.
        y : Ignored

        Returns
        -------
        self : PCA
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        solver = self.svd_solver if self.svd_solver != "auto" else _choose_solver(X.shape, self.n_components)
        self._check_n_components(X.shape, solver)
        mean, components, variance, total = self._solve(X, solver)
        ratio = variance / total if total > 0 else np.zeros_like(variance)
        if self.n_components is None:
            k = min(X.shape)
        elif isinstance(self.n_components, Integral):
            k = self.n_components
        else:
            k = _components_for_variance(ratio, self.n_components)
        rank = min(X.shape)
        discarded = total - float(variance[:k].sum())
        self.noise_variance_ = max(discarded, 0.0) / (rank - k) if k < rank else 0.0
        self.mean_ = mean
        self.components_ = components[:k].astype(X.dtype, copy=False)
        self.explained_variance_ = variance[:k].astype(X.dtype, copy=False)
        self.explained_variance_ratio_ = ratio[:k].astype(X.dtype, copy=False)
        self.singular_values_ = np.sqrt(self.explained_variance_ * max(X.shape[0] - 1, 1))
        self.n_components_ = k
        self.n_samples_ = X.shape[0]
        self._solver = solver
        self._n_features_out = k
        return self

    def transform(self, X):
        r"""Project onto the components, the course's ``projectData``: :math:`z = U_k^\top(x - \bar x)`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components_)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        components = self.components_.astype(X.dtype, copy=False)
        Z = X @ components.T
        Z -= self.mean_.astype(X.dtype, copy=False) @ components.T
        if self.whiten:
            Z /= np.sqrt(np.maximum(self.explained_variance_, np.finfo(Z.dtype).tiny)).astype(X.dtype)
        return Z

    def inverse_transform(self, Z):
        r"""Map projections back, the course's ``recoverData``: :math:`x_{\text{approx}} = U_k z + \bar x`.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_components_)

        Returns
        -------
        X_approx : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=[np.float64, np.float32])
        if Z.ndim != 2 or Z.shape[1] != self.n_components_:
            raise ValueError(
                f"Z should have shape (n_samples, {self.n_components_}), got {Z.shape}."
            )
        components = self.components_
        if self.whiten:
            components = components * np.sqrt(self.explained_variance_)[:, None]
        return Z @ components.astype(Z.dtype, copy=False) + self.mean_.astype(Z.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
