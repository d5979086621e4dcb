"""Principal component analysis: the course's ex7 PCA with three solvers and deterministic signs."""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import assert_all_finite, check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, RealNotInt, StrOptions, _fit_context, validate_data
from ..utils._dask import as_row_chunked, blockwise, check_dask_features, is_dask_collection
from ..utils._fit_state import discard_state_on_error
from ..utils._progress import EpochPrinter
from ..utils._threads import effective_n_jobs
from ._pca_solvers import (
    centred_operator,
    covariance_moments,
    mean_and_total_variance,
    pca_covariance_eigh,
    pca_full,
    pca_randomized,
)

# The rule of scikit-learn's "auto" (1.5 and later), so that both pick the same solver.
_COVARIANCE_MAX_FEATURES = 1_000
_COVARIANCE_MIN_RATIO = 10
_FULL_MAX_DIMENSION = 500


def _components_for_variance(explained_variance_ratio, fraction):
    """The course's rule: the smallest k whose components keep at least ``fraction`` of the variance."""
    cumulative = np.cumsum(explained_variance_ratio, dtype=np.float64)
    k = int(np.searchsorted(cumulative, fraction - 1e-12, side="left")) + 1
    return min(k, explained_variance_ratio.shape[0])


def _choose_solver(shape, n_components):
    """scikit-learn's ``"auto"`` rule for dense in-memory data."""
    n_samples, n_features = shape
    if n_features <= _COVARIANCE_MAX_FEATURES and n_samples >= _COVARIANCE_MIN_RATIO * n_features:
        return "covariance_eigh"
    if max(shape) <= _FULL_MAX_DIMENSION or not isinstance(n_components, Integral):
        return "full"
    return "randomized" if 1 <= n_components < 0.8 * min(shape) else "full"


def _choose_sparse_solver(shape, n_components):
    """For sparse data: the covariance when it is small, else the randomized SVD."""
    if shape[1] <= _COVARIANCE_MAX_FEATURES or not isinstance(n_components, Integral):
        return "covariance_eigh"
    return "randomized"


def _check_solver_for_input(solver, X):
    """Refuse the solvers that cannot take this kind of input, naming the ones that can."""
    if sp.issparse(X) and solver == "full":
        raise TypeError(
            "PCA(svd_solver='full') needs dense data: the thin SVD would densify the centred sparse "
            "matrix. Sparse input is centred implicitly by svd_solver='covariance_eigh' (a "
            "n_features x n_features covariance) or 'randomized' (an int n_components), or 'auto'."
        )
    if is_dask_collection(X) and solver != "covariance_eigh":
        raise ValueError(
            f"PCA(svd_solver={solver!r}) cannot fit a dask array exactly; use svd_solver="
            "'covariance_eigh' (or 'auto'): the covariance is reduced over the row chunks on the workers."
        )


def _check_variance_scale(total_variance, X, dtype):
    """Refuse data whose variances ``dtype`` cannot hold, instead of returning nonsense."""
    info = np.finfo(dtype)
    if not np.isfinite(total_variance) or total_variance > info.max:
        raise ValueError(
            f"PCA: the scale of X is too large: its variance ({total_variance:.1e}) overflows "
            f"{np.dtype(dtype).name}. Divide X by a constant before fitting; the components do not "
            "change and the variances scale by the constant's square."
        )
    if total_variance < info.tiny:
        spread = X.max() - X.min()
        spread = spread.compute() if hasattr(spread, "compute") else spread
        if spread > 0:
            raise ValueError(
                f"PCA: the scale of X is too small: its variance ({total_variance:.1e}) underflows "
                f"{np.dtype(dtype).name} (its values differ by very little). Multiply X by a constant "
                "before fitting; the components do not change and the variances scale by the "
                "constant's square."
            )


class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    r"""Principal component analysis, the course's ex7 dimensionality reduction.

    The data are projected onto the directions of largest variance, the leading eigenvectors of
    the covariance (right singular vectors of the centred data), found by one of three solvers.
    Dense, sparse (centred implicitly) and dask inputs (reduced on the workers) are accepted.

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
        ``n_components < 0.8 min(n_samples, n_features)``. For sparse ``X``, ``"auto"`` is
        ``"covariance_eigh"`` up to 1,000 features (or for a float ``n_components``), else
        ``"randomized"``; for a dask array it is ``"covariance_eigh"``, the one exact solver there.
    random_state : int, RandomState instance or None, default=None
        Draws the random test matrix of ``"randomized"``.
    n_jobs : int, default=None
        Threads for the row blocks of the covariance and of the randomized solver's products
        (``None`` and ``-1``: every core this process may use, counted through joblib, which
        reads cgroup quotas and CPU affinity).
    verbose : int, default=0
        With ``"randomized"``, print one line per power iteration with the sum of squares its
        basis captures and the elapsed time (one more product per iteration when on).

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
    sklearn.decomposition.PCA : The PCA of scikit-learn (same solvers, signs and ``"auto"`` rule).

    Notes
    -----
    With :math:`X` centred, the covariance is :math:`\Sigma = \frac{1}{n-1} X^\top X` and its
    eigenvectors :math:`u_j` (the right singular vectors of :math:`X`) are the directions of
    largest variance. The course projects :math:`z = U_k^\top x` (``projectData``) and recovers
    :math:`x_{\text{approx}} = U_k z` (``recoverData``); here the mean is subtracted before and
    added back after. The course normalises the features first: put a
    :class:`~sklearn.preprocessing.StandardScaler` before the PCA for that.

    ``"covariance_eigh"`` reads :math:`X` once, in row blocks, each centred by its own mean and
    merged exactly (Chan et al.), in float64: data far from the origin and float32 data give the
    covariance of the two-pass centred computation, and no copy of :math:`X` is made. A dask
    array is reduced the same way, chunk by chunk on its workers; ``transform`` of a dask array
    is a dask array. Sparse data are centred implicitly: the covariance is
    :math:`(X^\top X - n\bar x\bar x^\top)/(n-1)` and the randomized solver multiplies by
    :math:`X - 1\bar x^\top` as :math:`XQ - 1(\bar x^\top Q)`.

    References
    ----------
    N. Halko, P.-G. Martinsson and J. A. Tropp, "Finding structure with randomness: probabilistic
    algorithms for constructing approximate matrix decompositions", SIAM Review 53(2), 2011.

    T. F. Chan, G. H. Golub and R. J. LeVeque, "Algorithms for computing the sample variance:
    analysis and recommendations", The American Statistician 37(3), 1983.

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
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self, n_components=None, *, whiten=False, svd_solver="auto", random_state=None, n_jobs=None, verbose=0
    ):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

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

    def _validate_input(self, X):
        """``X`` validated for fit (numpy, sparse CSR/CSC or row-chunked dask) and the solver for it."""
        if is_dask_collection(X):
            check_dask_features(self, X, reset=True)
            X = as_row_chunked(X)
            if X.shape[0] < 2:
                raise ValueError(f"Found array with {X.shape[0]} sample(s) while a minimum of 2 is required.")
            solver = "covariance_eigh" if self.svd_solver == "auto" else self.svd_solver
        else:
            # The covariance's one pass finds NaN and inf itself (non-finite moments).
            X = validate_data(
                self, X, dtype=[np.float64, np.float32], ensure_min_samples=2,
                accept_sparse=("csr", "csc"), ensure_all_finite=False,
            )
            if self.svd_solver != "auto":
                solver = self.svd_solver
            elif sp.issparse(X):
                solver = _choose_sparse_solver(X.shape, self.n_components)
            else:
                solver = _choose_solver(X.shape, self.n_components)
            if solver != "covariance_eigh" or sp.issparse(X):
                assert_all_finite(X.data if sp.issparse(X) else X, input_name="X")
        _check_solver_for_input(solver, X)
        self._check_n_components(X.shape, solver)
        return X, solver

    def _solve(self, X, solver):
        """Run ``solver``; return mean, components, variances (whole spectrum or top k), total variance."""
        rank = min(X.shape)
        fixed_k = self.n_components if isinstance(self.n_components, Integral) else rank
        n_threads = effective_n_jobs(self.n_jobs)
        if solver == "covariance_eigh":
            moments = covariance_moments(X, n_threads)
            want_spectrum = not isinstance(self.n_components, Integral)
            return (moments.mean,) + pca_covariance_eigh(moments, fixed_k, want_spectrum)
        mean, total = mean_and_total_variance(X, n_threads)
        _check_variance_scale(total, X, X.dtype)
        if solver == "full":
            components, variance = pca_full(X, mean)
            return mean, components, variance, float(variance.sum())
        progress = EpochPrinter(self.verbose, "PCA", unit="power iteration")
        random_state = check_random_state(self.random_state)
        components, variance = pca_randomized(X, mean, fixed_k, random_state, n_threads, progress)
        return mean, components, variance, total

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find the principal components of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data. Sparse input is centred implicitly (``svd_solver`` ``"auto"``,
            ``"covariance_eigh"`` or ``"randomized"``); a dask array chunked by rows is fitted
            exactly by ``"covariance_eigh"`` without gathering it.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : PCA
            The fitted estimator.
        """
        X, solver = self._validate_input(X)
        with discard_state_on_error(self):
            mean, components, variance, total = self._solve(X, solver)
            _check_variance_scale(total, X, X.dtype)
            self._set_fitted(X, solver, mean, components, variance, total)
        return self

    def _set_fitted(self, X, solver, mean, components, variance, total):
        ratio = variance / total if total > 0 else np.zeros_like(variance)
        rank = min(X.shape)
        if self.n_components is None:
            k = rank
        elif isinstance(self.n_components, Integral):
            k = self.n_components
        else:
            k = _components_for_variance(ratio, self.n_components)
        n_samples = int(X.shape[0])
        discarded = total - float(variance[:k].sum())
        self.noise_variance_ = max(discarded, 0.0) / (rank - k) if k < rank else 0.0
        self.mean_ = mean.astype(X.dtype, copy=False)
        self.components_ = components[:k].astype(X.dtype, copy=False)
        self.explained_variance_ = variance[:k].astype(X.dtype, copy=False)
        self.explained_variance_ratio_ = ratio[:k].astype(X.dtype, copy=False)
        self.singular_values_ = np.sqrt(self.explained_variance_ * max(n_samples - 1, 1))
        self.n_components_ = k
        self.n_samples_ = n_samples
        self._solver = solver
        self._n_features_out = k

    def transform(self, X):
        r"""Project onto the components, the course's ``projectData``: :math:`z = U_k^\top(x - \bar x)`.

        Dense rows are centred block by block before the product (so data far from the origin
        keep their digits); sparse rows implicitly; a dask array gives a dask array.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            The data to project.

        Returns
        -------
        Z : ndarray or dask array of shape (n_samples, n_components_)
            The projections (whitened when ``whiten``).
        """
        check_is_fitted(self)
        if is_dask_collection(X):
            return blockwise(self.transform, X)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False, accept_sparse=("csr", "csc"))
        components = self.components_.astype(X.dtype, copy=False)
        times, _, _ = centred_operator(X, self.mean_.astype(X.dtype, copy=False), False, effective_n_jobs(self.n_jobs))
        Z = times(components.T)
        if self.whiten:
            Z /= np.sqrt(np.maximum(self.explained_variance_, np.finfo(Z.dtype).tiny)).astype(X.dtype)
        return Z

    def inverse_transform(self, Z):
        r"""Map projections back, the course's ``recoverData``: :math:`x_{\text{approx}} = U_k z + \bar x`.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_components_)
            Projections, as ``transform`` returns them.

        Returns
        -------
        X_approx : ndarray of shape (n_samples, n_features)
            The points of the principal subspace that ``Z`` stands for.
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
        tags.input_tags.sparse = self.svd_solver in ("auto", "covariance_eigh", "randomized")
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
