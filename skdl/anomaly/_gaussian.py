"""The course's Gaussian density-estimation anomaly detector, as a scikit-learn outlier detector."""

import functools
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._dask import (
    as_row_chunked,
    blockwise,
    check_dask_features,
    check_dask_sample_weight,
    is_dask_collection,
    map_row_chunks,
    reduce_row_chunks,
)
from ..utils._fit_state import discard_state_on_error
from ..utils._threads import effective_n_jobs
from ..utils._validation import check_sample_weight
from ._density import (
    constant_features,
    diag_log_density,
    full_log_density,
    gaussian_moments,
    redundant_features,
    regularised_cholesky,
    regularised_variances,
)
from ._threshold import (
    best_f1_threshold,
    lowest_values,
    merge_lowest_values,
    percentile_of_lowest,
    percentile_position,
    weighted_percentile,
)


class SingularCovarianceWarning(UserWarning):
    """The training covariance is singular (too few samples, constant or redundant features).

    The detector still fits: ``reg_covar`` (or, when that is not enough, a larger jitter named in
    the message) is added to the variances, so the density exists but is very peaked along the
    degenerate directions.

    See Also
    --------
    GaussianAnomalyDetector : The detector that warns.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skdl.anomaly import GaussianAnomalyDetector, SingularCovarianceWarning
    >>> X = np.column_stack([np.arange(10.0), np.full(10, 3.0)])  # the second feature is constant
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = GaussianAnomalyDetector().fit(X)
    >>> [type(w.message).__name__ for w in caught]
    ['SingularCovarianceWarning']
    """


def _anomaly_mask(y, n_samples, *, strict):
    """``y`` (1 = anomaly, 0 = normal) as a boolean mask.

    Any other ``y`` is an error when ``strict``; otherwise it is ignored with a warning, as
    scikit-learn's outlier detectors ignore ``y`` (``None`` is returned). scikit-learn's own
    outlier labels (-1/+1) are always an error: reading them either way would be a silent guess.
    """
    y = column_or_1d(y, warn=True)
    check_consistent_length(y, np.empty(n_samples))
    target_type = type_of_target(y, input_name="y", raise_unknown=True)
    values = set(np.unique(y).tolist())
    if target_type in ("binary", "multiclass") and values <= {0, 1}:
        return np.asarray(y == 1)
    message = (
        "Labels given to GaussianAnomalyDetector must be 1 for an anomaly and 0 for a normal "
        f"sample (the course's convention); got the values {sorted(values, key=str)[:10]}."
    )
    if values == {-1, 1}:
        raise ValueError(
            message + " For scikit-learn's -1 (anomaly) / +1 (normal), pass (y == -1).astype(int)."
        )
    if strict:
        raise ValueError(message)
    warnings.warn(message + " y is ignored.", UserWarning, stacklevel=3)
    return None


def _normal_weights(is_anomaly, weights, n_samples):
    """The weights the density is fitted with: the sample weights, zero on the labelled anomalies.

    Labels without any (positively weighted) anomaly only say that every row is normal, so
    ``is_anomaly`` comes back as ``None`` then. Returns ``(is_anomaly, normal_weights)``, where
    ``normal_weights`` is None for unit weights on every row.
    """
    if is_anomaly is not None and not np.any(is_anomaly if weights is None else is_anomaly & (weights > 0)):
        is_anomaly = None
    if is_anomaly is None:
        return None, weights
    normal = (~is_anomaly).astype(np.float64)
    return is_anomaly, normal if weights is None else normal * weights


def _check_enough_normal_rows(n_normal):
    if n_normal < 2:
        raise ValueError(
            "GaussianAnomalyDetector needs at least 2 normal samples (y == 0, positive weight) "
            f"to estimate variances; got {n_normal}."
        )


class GaussianAnomalyDetector(OutlierMixin, BaseEstimator):
    r"""Anomaly detection by Gaussian density estimation, the course's exercise 8.

    The training data (assumed mostly normal) is modelled by a Gaussian density :math:`p(x)`; a
    sample is an anomaly when :math:`p(x) < \varepsilon`. Everything is computed in log space:
    in 11 dimensions the course's densities already sit near ``1e-18``.

    Parameters
    ----------
    covariance : {"diag", "full"}, default="diag"
        ``"diag"`` is the course's model, a product of independent per-feature Gaussians
        :math:`\mathcal N(\mu_j, \sigma_j^2)`. ``"full"`` is the multivariate Gaussian
        :math:`\mathcal N(\mu, \Sigma)`, which also captures correlations between features (and
        needs more samples than features).
    epsilon : float, default=None
        The density threshold :math:`\varepsilon` (a density, not a log-density). ``None`` chooses
        it: from the labels when ``fit`` gets ``y``, otherwise from ``contamination``; either can
        be replaced afterwards by :meth:`select_threshold` on labelled validation data.
    contamination : float in (0, 0.5], default=0.01
        Fraction of the training samples flagged when the threshold comes from the training data
        (no ``epsilon``, no labels): ``offset_`` is that percentile of the training scores.
    reg_covar : float, default=1e-6
        Added to the variances (the diagonal of :math:`\Sigma`), as scikit-learn's
        ``GaussianMixture`` does, so a singular covariance still gives a density. A
        :class:`SingularCovarianceWarning` says when it was needed.
    n_jobs : int, default=None
        Threads for the row blocks of the moments and of the log-densities (``None`` and ``-1``:
        every core this process may use, counted through joblib, which reads cgroup quotas and
        CPU affinity).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        :math:`\mu`, the (weighted) mean of the normal training samples.
    covariance_ : ndarray of shape (n_features,) or (n_features, n_features)
        :math:`\sigma^2` for ``"diag"``, :math:`\Sigma` for ``"full"``: the population
        (:math:`1/m`, as the course) (co)variance, ``reg_covar`` included.
    offset_ : float
        :math:`\log\varepsilon`: ``decision_function = score_samples - offset_``.
    epsilon_ : float
        :math:`\varepsilon = e^{\text{offset\_}}` (it underflows to 0 for log-densities below
        about -745 and overflows to ``inf`` above 709; ``offset_`` is the exact value).
    threshold_source_ : {"epsilon", "labels", "contamination", "validation"}
        Where the threshold came from: the ``epsilon`` parameter, the labels given to ``fit``,
        ``contamination``, or :meth:`select_threshold`.
    threshold_f1_ : float or None
        F1 of the anomaly class at the threshold, on the labelled data that chose it; ``None``
        when no labels chose it.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.covariance.EllipticEnvelope : Robust (MCD) Gaussian outlier detector.
    sklearn.mixture.GaussianMixture : With ``n_components=1``, the same full Gaussian by EM.

    Notes
    -----
    With weights :math:`w_i` summing to :math:`W` (all 1 in the course),
    :math:`\mu = \frac1W\sum_i w_i x_i` and
    :math:`\Sigma = \frac1W\sum_i w_i (x_i-\mu)(x_i-\mu)^\top + r I` (``"diag"`` keeps the
    diagonal). ``score_samples`` is the log-density

    .. math::

        \log p(x) = -\tfrac12 (x-\mu)^\top \Sigma^{-1} (x-\mu) - \tfrac12 \log\det(2\pi\Sigma),

    evaluated through the Cholesky factor :math:`\Sigma = LL^\top`: with :math:`z = L^{-1}(x-\mu)`
    (a triangular solve), :math:`\log p(x) = -\frac12 z^\top z - \sum_j \log L_{jj} -
    \frac n2 \log 2\pi`. No inverse or determinant is formed.

    **Label conventions** (the one place they are written down):

    * ``predict`` follows scikit-learn's outlier detectors: ``+1`` normal, ``-1`` anomaly;
      ``decision_function`` and ``score_samples`` are higher for more normal samples and
      ``decision_function < 0`` exactly for the anomalies.
    * Labels *given to* the detector (``y`` in ``fit``, ``y_val`` in :meth:`select_threshold`)
      follow the course and its data: ``1`` anomaly, ``0`` normal.
    * So an F1 scorer must map the two: :data:`skdl.anomaly.anomaly_f1_scorer` does (F1 of the
      anomaly class from ``y == 1`` and ``predict == -1``). With scikit-learn's tools alone,
      ``make_scorer(f1_score, pos_label=-1)`` is right only if ``y`` is first recoded to ``-1``
      for anomalies and ``+1`` for normal samples, and ``fit`` must then not receive that ``y``.

    ``fit(X, y)`` fits the density on the normal rows (``y == 0``) and chooses the threshold
    maximising F1 on all rows, unless ``epsilon`` is given (then ``y`` only selects the rows). If
    ``y`` has no anomaly, the threshold comes from ``contamination``.

    References
    ----------
    Andrew Ng, *Machine Learning* (Coursera), programming exercise 8: anomaly detection.

    Examples
    --------
    >>> from skdl.anomaly import GaussianAnomalyDetector
    >>> from skdl.datasets import load_server_metrics
    >>> data = load_server_metrics(1)
    >>> detector = GaussianAnomalyDetector().fit(data.X)
    >>> detector.mean_.round(3)
    array([14.112, 14.998])
    >>> detector = detector.select_threshold(data.X_val, data.y_val)
    >>> round(detector.threshold_f1_, 3)
    0.875
    >>> int((detector.predict(data.X) == -1).sum())
    6
    """

    _parameter_constraints = {
        "covariance": [StrOptions({"diag", "full"})],
        "epsilon": [Interval(Real, 0, None, closed="neither"), None],
        "contamination": [Interval(Real, 0, 0.5, closed="right")],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, covariance="diag", *, epsilon=None, contamination=0.01, reg_covar=1e-6, n_jobs=None):
        self.covariance = covariance
        self.epsilon = epsilon
        self.contamination = contamination
        self.reg_covar = reg_covar
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Fit the Gaussian density and choose the threshold.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data, mostly normal samples. Sparse rows are accepted by ``"diag"`` (their
            column moments); a dask array chunked by rows is fitted without gathering it.
        y : array-like of shape (n_samples,), default=None
            Optional labels, 1 = anomaly, 0 = normal: the density is fitted on the normal rows
            and, unless ``epsilon`` is set, the threshold maximises F1 on all rows. scikit-learn's
            -1/+1 labels are an error; any other ``y`` (not 0/1) is ignored with a warning, as
            scikit-learn's outlier detectors ignore ``y``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample; weight k counts as the row repeated k times.

        Returns
        -------
        self : GaussianAnomalyDetector
            The fitted detector.
        """
        if is_dask_collection(X):
            return self._fit_dask(X, y, sample_weight)
        # The one pass of the moments finds NaN and inf itself (non-finite moments).
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], ensure_min_samples=2, ensure_all_finite=False,
            accept_sparse=("csr", "csc"),
        )
        self._check_sparse_input(X)
        weights = None
        if sample_weight is not None:
            weights = check_sample_weight(sample_weight, X, dtype=np.float64)
        is_anomaly = None if y is None else _anomaly_mask(y, X.shape[0], strict=False)
        is_anomaly, w_normal = _normal_weights(is_anomaly, weights, X.shape[0])
        with discard_state_on_error(self):
            self._fit_density(X, w_normal)
            self._set_threshold(X, is_anomaly, weights, w_normal)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit on ``X`` (with the labels ``y``, if given) and return ``predict(X)``.

        Unlike scikit-learn's default, the labels reach ``fit``: ``fit_predict(X, y)`` is
        ``fit(X, y).predict(X)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,), default=None
            Optional labels, 1 = anomaly, 0 = normal (see :meth:`fit`).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample.

        Returns
        -------
        labels : ndarray of int of shape (n_samples,)
            ``+1`` for normal samples, ``-1`` for anomalies.
        """
        return self.fit(X, y, sample_weight=sample_weight).predict(X)

    def _check_sparse_input(self, X):
        if sp.issparse(X) and self.covariance != "diag":
            raise TypeError(
                "Sparse data was passed to GaussianAnomalyDetector(covariance='full'), which needs "
                "the dense rows (centring fills in the zeros). Use covariance='diag', whose per-feature "
                "moments read sparse columns directly, or pass X.toarray() if it fits in memory."
            )

    def _fit_dask(self, X, y, sample_weight):
        """The density from moments reduced over the row chunks; the threshold without labels."""
        if y is not None:
            raise ValueError(
                "GaussianAnomalyDetector.fit(X, y) on a dask array: choosing the threshold by F1 "
                "needs every score and label in one place. Fit on the dask array without y (the "
                "threshold then comes from contamination or epsilon), then call "
                "select_threshold(X_val, y_val) on labelled validation data in memory."
            )
        check_dask_features(self, X, reset=True)
        X = as_row_chunked(X)
        weights = check_dask_sample_weight(sample_weight, X)
        with discard_state_on_error(self):
            total_weight = self._fit_density(X, weights)
            self._set_threshold_dask(X, weights, total_weight)
        return self

    def _fit_density(self, X, weights):
        """``mean_``, ``covariance_`` and the Cholesky factor of the normal rows' Gaussian; their weight."""
        mu, moments, n_effective, total_weight = gaussian_moments(
            X, weights, self.covariance, X.dtype, effective_n_jobs(self.n_jobs)
        )
        _check_enough_normal_rows(n_effective)
        constant = constant_features(mu, np.diag(moments) if moments.ndim == 2 else moments, n_effective)
        self._cholesky = None
        if self.covariance == "diag":
            sigma2, reg = regularised_variances(moments, self.reg_covar)
            self._warn_if_singular(X.shape[1], n_effective, constant, np.array([], dtype=int), reg)
            self.mean_, self.covariance_ = mu, sigma2
            return total_weight
        L, reg = regularised_cholesky(moments, self.reg_covar)
        redundant = None if n_effective <= X.shape[1] else redundant_features(moments, constant)
        self._warn_if_singular(X.shape[1], n_effective, constant, redundant, reg)
        self.mean_ = mu
        self.covariance_ = moments + moments.dtype.type(reg) * np.eye(len(moments), dtype=moments.dtype)
        self._cholesky = L
        return total_weight

    def _warn_if_singular(self, n_features, n_effective, constant, redundant, reg):
        if self.covariance == "full" and n_effective <= n_features:
            reason = (
                f"{n_effective} samples for {n_features} features: the covariance has rank at most "
                f"{n_effective - 1} (the multivariate model needs more samples than features)"
            )
        elif len(constant) or len(redundant) or reg > self.reg_covar:
            parts = [f"features {constant.tolist()} are constant"] if len(constant) else []
            if len(redundant):
                parts.append(f"features {redundant.tolist()} are (nearly) linear combinations of others")
            reason = " and ".join(parts) or "it is not numerically positive definite"
        else:
            return
        warnings.warn(
            f"Singular covariance: {reason}. It was regularised by adding {reg:.3g} to the variances "
            "(reg_covar); consider covariance='diag', removing redundant features or more data.",
            SingularCovarianceWarning,
            stacklevel=3,
        )

    def _set_threshold(self, X, is_anomaly, weights, w_normal):
        self.threshold_f1_ = None
        if self.epsilon is not None:
            self.offset_, self.epsilon_ = float(np.log(self.epsilon)), float(self.epsilon)
            self.threshold_source_ = "epsilon"
            return
        scores = self._log_density(X)
        if is_anomaly is not None:
            offset, self.threshold_f1_ = best_f1_threshold(scores, is_anomaly, weights)
            self._set_offset(offset, "labels")
            return
        if w_normal is None:
            offset = np.percentile(scores, 100.0 * self.contamination)
        else:
            offset = weighted_percentile(scores, w_normal, 100.0 * self.contamination)
        self._set_offset(offset, "contamination")

    def _set_threshold_dask(self, X, weights, total_weight):
        """The contamination percentile of the training scores, from their lowest few per chunk."""
        self.threshold_f1_ = None
        if self.epsilon is not None:
            self.offset_, self.epsilon_ = float(np.log(self.epsilon)), float(self.epsilon)
            self.threshold_source_ = "epsilon"
            return
        scores = map_row_chunks(functools.partial(self._log_density, n_threads=1), X, dtype=X.dtype)
        position = percentile_position(total_weight, 100.0 * self.contamination)
        lowest = reduce_row_chunks(
            _chunk_lowest_scores, lambda a, b: merge_lowest_values(a, b, position), scores, weights,
            args=(position,),
        )
        self._set_offset(percentile_of_lowest(lowest, position), "contamination")

    def _set_offset(self, offset, source):
        with np.errstate(over="ignore", under="ignore"):
            epsilon = float(np.exp(offset))
        self.offset_, self.epsilon_, self.threshold_source_ = float(offset), epsilon, source

    def _log_density(self, X, n_threads=None):
        threads = effective_n_jobs(self.n_jobs) if n_threads is None else n_threads
        if self.covariance == "diag":
            return diag_log_density(X, self.mean_, self.covariance_, threads)
        return full_log_density(X, self.mean_, self._cholesky, threads)

    def select_threshold(self, X_val, y_val):
        """Choose ``epsilon_`` maximising F1 on labelled validation data, as the course does.

        This changes a fitted detector after ``fit``; ``clone`` (and so ``GridSearchCV``) keeps
        only the constructor parameters, so to tune inside a search pass the labels to
        ``fit(X, y)`` instead.

        Every distinct validation score is a candidate cut (at least as good as the course's
        1,000 evenly spaced densities); the threshold is put half-way, in log-density, between
        the last flagged and the first unflagged validation sample.

        Parameters
        ----------
        X_val : array-like of shape (n_samples, n_features)
            Validation data.
        y_val : array-like of shape (n_samples,)
            1 = anomaly, 0 = normal (the course's ``yval``); at least one anomaly.

        Returns
        -------
        self : GaussianAnomalyDetector
            With ``offset_``, ``epsilon_``, ``threshold_f1_`` set and ``threshold_source_`` =
            ``"validation"``. A later ``fit`` chooses the threshold afresh.
        """
        check_is_fitted(self)
        X_val = validate_data(self, X_val, dtype=[np.float64, np.float32], reset=False, accept_sparse=("csr", "csc"))
        self._check_sparse_input(X_val)
        is_anomaly = _anomaly_mask(y_val, X_val.shape[0], strict=True)
        if not is_anomaly.any():
            raise ValueError("y_val has no anomaly (no label 1), so F1 cannot choose a threshold.")
        offset, self.threshold_f1_ = best_f1_threshold(self._log_density(X_val), is_anomaly)
        self._set_offset(offset, "validation")
        return self

    def score_samples(self, X):
        r"""Log-density :math:`\log p(x)` of each sample (higher means more normal).

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            The samples to score (sparse with ``"diag"`` only).

        Returns
        -------
        log_density : ndarray or dask array of shape (n_samples,)
            :math:`\log p(x)` of each sample; a dask array for a dask input, computed lazily.
        """
        check_is_fitted(self)
        if is_dask_collection(X):
            return blockwise(self.score_samples, X)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False, accept_sparse=("csr", "csc"))
        self._check_sparse_input(X)
        return self._log_density(X)

    def decision_function(self, X):
        r"""``score_samples(X) - offset_`` = :math:`\log p(x) - \log\varepsilon`; negative for anomalies.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        decision : ndarray or dask array of shape (n_samples,)
            :math:`\log p(x) - \log\varepsilon`, negative for the anomalies.
        """
        if is_dask_collection(X):
            return blockwise(self.decision_function, X)
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        r"""``+1`` for normal samples (:math:`p(x) \ge \varepsilon`), ``-1`` for anomalies.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            The samples to label.

        Returns
        -------
        labels : ndarray or dask array of int of shape (n_samples,)
            ``+1`` for normal samples, ``-1`` for anomalies.
        """
        if is_dask_collection(X):
            return blockwise(self.predict, X)
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.covariance == "diag"
        return tags


def _chunk_lowest_scores(scores, weights, position):
    """The lowest training scores of one chunk that the contamination percentile can need."""
    return lowest_values(scores, np.ones(len(scores)) if weights is None else weights, position)
