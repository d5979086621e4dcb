"""K-means clustering: the course's two alternating steps, fast, exact and safe far from the origin."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._dask import (
    align_row_chunks,
    as_row_chunked,
    check_dask_features,
    is_dask_collection,
    map_row_chunks,
    reduce_row_chunks,
)
from ..utils._fit_state import discard_state_on_error
from ..utils._progress import EpochPrinter
from ..utils._threads import effective_n_jobs
from ..utils._validation import check_sample_weight
from ._hamerly import kmeans_single_hamerly
from ._lloyd import (
    SERIAL,
    Workers,
    frame_for,
    frame_of,
    kmeans_single_lloyd,
    mean_variance,
    nearest_centroids,
    squared_distances,
)


def _kmeans_plusplus(X, frame, n_clusters, sample_weight, random_state, workers=SERIAL):
    """Greedy k-means++ (Arthur and Vassilvitskii, 2007): spread the starting centroids out.

    Each new centroid is the best, by the resulting potential, of ``2 + log(k)`` candidates drawn
    with probability proportional to the weighted squared distance to the nearest chosen centroid
    (scikit-learn's draws, so the same seed picks the same samples). Frame coordinates in and out.
    """
    n_samples = X.shape[0]
    n_trials = 2 + int(np.log(n_clusters))
    centroids = np.empty((n_clusters, X.shape[1]))
    first = random_state.choice(n_samples, p=sample_weight / sample_weight.sum())
    centroids[0] = frame.rows(X, [first])[0]
    closest_sq = squared_distances(X, frame, centroids[:1], workers)[:, 0]
    potential = closest_sq @ sample_weight
    for c in range(1, n_clusters):
        cumulative = np.cumsum(sample_weight * closest_sq, dtype=np.float64)
        draws = random_state.uniform(size=n_trials) * potential
        candidates = np.minimum(np.searchsorted(cumulative, draws), n_samples - 1)
        candidate_sq = np.minimum(closest_sq[:, None], squared_distances(X, frame, frame.rows(X, candidates), workers))
        candidate_potentials = sample_weight @ candidate_sq
        best = int(np.argmin(candidate_potentials))
        potential, closest_sq = candidate_potentials[best], candidate_sq[:, best].copy()
        centroids[c] = frame.rows(X, candidates[[best]])[0]
    return centroids


def _initial_centroids(X, frame, init, n_clusters, sample_weight, random_state, workers=SERIAL):
    """Starting centroids in frame coordinates: k-means++, the course's random samples, or the given array."""
    if isinstance(init, str) and init == "k-means++":
        return _kmeans_plusplus(X, frame, n_clusters, sample_weight, random_state, workers)
    if isinstance(init, str) and init == "random":
        # The course's kMeansInitCentroids: K distinct samples in random order.
        chosen = random_state.choice(
            X.shape[0], size=n_clusters, replace=False, p=sample_weight / sample_weight.sum()
        )
        return frame.rows(X, chosen)
    return frame.to_frame(init)


class KMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    r"""K-means clustering, the course's ex7 algorithm made fast and robust.

    Groups the samples around ``n_clusters`` centroids by Lloyd's two alternating steps (assign
    each sample to its nearest centroid, move each centroid to the mean of its samples), started
    from k-means++, from random samples or from given centroids. Dense data run the iterations
    with Hamerly's distance bounds, sparse data plain Lloyd iterations, and a dask array is
    fitted chunk by chunk where its chunks live; all three give the same iterations.

    Parameters
    ----------
    n_clusters : int, default=8
        The number of clusters :math:`K` and of centroids :math:`\mu_1 \dots \mu_K`.
    init : {"k-means++", "random"} or array-like, default="k-means++"
        Starting centroids. ``"random"`` picks ``n_clusters`` distinct samples at random, the
        course's ``kMeansInitCentroids``; ``"k-means++"`` spreads them out with greedy k-means++;
        an array of shape (n_clusters, n_features) gives them explicitly (then only one run is
        made).
    n_init : "auto" or int, default="auto"
        Number of runs from different starting centroids; the run of lowest inertia is kept.
        ``"auto"`` is 10 for ``init="random"`` and 1 otherwise.
    max_iter : int, default=300
        Largest number of Lloyd iterations per run.
    tol : float, default=1e-4
        A run stops when the centroids move by at most ``tol`` times the mean feature variance
        (total squared shift), or when the assignment stops changing.
    verbose : int, default=0
        When positive, print one line per Lloyd iteration with the inertia and the elapsed time.
    random_state : int, RandomState instance or None, default=None
        Draws the starting centroids.
    n_jobs : int, default=None
        Threads for the distance computations and the bounds' bookkeeping. ``None`` and ``-1``
        mean every core this process may use (its CPU affinity and container quota), ``-2``
        all but one.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The centroids :math:`\mu_j`.
    labels_ : ndarray of shape (n_samples,)
        The cluster :math:`c^{(i)}` of each training sample (0-based): the nearest of
        ``cluster_centers_``, so ``predict`` on the training data gives ``labels_``.
    inertia_ : float
        The distortion :math:`\sum_i w_i \lVert x^{(i)} - \mu_{c^{(i)}}\rVert^2` of the kept run.
    n_iter_ : int
        Iterations of the kept run.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.cluster.KMeans : Scikit-learn's K-means (same objective and stopping rule).

    Notes
    -----
    K-means minimises the distortion

    .. math::

        J(c, \mu) = \sum_i w_i \lVert x^{(i)} - \mu_{c^{(i)}} \rVert^2

    by alternating the course's two steps until nothing changes:

    - cluster assignment: :math:`c^{(i)} = \arg\min_j \lVert x^{(i)} - \mu_j \rVert^2`;
    - move centroids: :math:`\mu_j = \sum_{c^{(i)}=j} w_i x^{(i)} / \sum_{c^{(i)}=j} w_i`.
      A cluster left empty is re-seeded on the sample farthest from its centroid instead of
      becoming NaN.

    Distances are computed in float64 relative to the centre of the data's bounding box, so
    that they keep their precision far from the origin and in float32. Dense data run these
    iterations with Hamerly's distance bounds, which recompute the distances of only the samples
    that might change cluster: the assignments, centroids and iteration count are those of plain
    Lloyd iterations. Sparse data (CSR or CSC) run plain Lloyd iterations, one sparse-dense
    product per block of rows, and are never densified. A ``dask.array`` ``X`` chunked by rows is
    fitted where its chunks live: each iteration sums each chunk's clusters and combines the
    sums by a tree reduction. A ``ConvergenceWarning`` says when ``max_iter`` ran out.

    References
    ----------
    D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.

    G. Hamerly, "Making k-means even faster", SIAM International Conference on Data Mining, 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.cluster import KMeans
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0], [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    >>> kmeans = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(kmeans.cluster_centers_.tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    >>> kmeans.predict([[0.0, 0.0], [12.0, 3.0]]) == kmeans.predict([[1.0, 2.0], [10.0, 2.0]])
    array([ True,  True])
    >>> float(kmeans.inertia_)
    16.0
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300, tol=1e-4, verbose=0,
        random_state=None, n_jobs=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _resolved_n_init(self):
        init_is_array = not isinstance(self.init, str)
        if init_is_array:
            if self.n_init != "auto" and self.n_init != 1:
                warnings.warn(
                    f"Explicit initial centroids were given: running once instead of n_init={self.n_init}.",
                    RuntimeWarning,
                )
            return 1
        if self.n_init == "auto":
            return 10 if self.init == "random" else 1
        return self.n_init

    def _check_init_array(self, X):
        init = np.asarray(self.init)
        if init.shape != (self.n_clusters, X.shape[1]):
            raise ValueError(
                f"init should have shape (n_clusters, n_features) = ({self.n_clusters}, {X.shape[1]}), "
                f"got {init.shape}."
            )
        if not np.all(np.isfinite(init)):
            raise ValueError("init contains NaN or infinity.")

    def _validate_training_data(self, X, sample_weight):
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], order="C")
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        sample_weight = check_sample_weight(sample_weight, X, dtype=X.dtype)
        if np.count_nonzero(sample_weight) < self.n_clusters:
            raise ValueError(
                f"Only {np.count_nonzero(sample_weight)} samples have a positive sample_weight; "
                f"n_clusters={self.n_clusters} centroids need at least as many."
            )
        if not isinstance(self.init, str):
            self._check_init_array(X)
        return X, sample_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Cluster ``X``: run Lloyd's algorithm ``n_init`` times and keep the lowest inertia.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data: an array, a CSR or CSC matrix, or a ``dask.array`` chunked by rows.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample; weight k counts as the row repeated k times.

        Returns
        -------
        self : KMeans
            The fitted estimator. With a dask ``X``, ``labels_`` is a dask array.
        """
        with discard_state_on_error(self):
            if is_dask_collection(X):
                self._fit_dask(X, sample_weight)
            else:
                self._fit_in_memory(X, sample_weight)
            self._n_features_out = self.n_clusters
        return self

    def _fit_in_memory(self, X, sample_weight):
        X, sample_weight = self._validate_training_data(X, sample_weight)
        frame = frame_of(X)
        tol = mean_variance(X, frame) * self.tol
        progress = EpochPrinter(self.verbose, "KMeans", unit="iteration")

        def stored(centroids):  # the labels refer to the centroids as stored, rounded to X's dtype
            return frame.to_frame(frame.from_frame(centroids, X.dtype))

        with Workers(effective_n_jobs(self.n_jobs)) as workers:

            def initial(random_state):
                return _initial_centroids(X, frame, self.init, self.n_clusters, sample_weight, random_state, workers)

            def single_run(centroids):
                if sp.issparse(X):
                    return kmeans_single_lloyd(X, frame, sample_weight, centroids, self.max_iter, tol, workers,
                                               progress)
                return kmeans_single_hamerly(X, frame, sample_weight, centroids, self.max_iter, tol, workers,
                                             progress, final_centroids=stored)

            self._keep_best_run(initial, single_run, frame, X.dtype)

    def _fit_dask(self, X, sample_weight):
        from ._kmeans_dask import DaskData

        data = DaskData(self, X, sample_weight)
        if data.n_samples < self.n_clusters:
            raise ValueError(f"n_samples={data.n_samples} should be >= n_clusters={self.n_clusters}.")
        if data.n_positive < self.n_clusters:
            raise ValueError(
                f"Only {data.n_positive} samples have a positive sample_weight; "
                f"n_clusters={self.n_clusters} centroids need at least as many."
            )
        if not isinstance(self.init, str):
            self._check_init_array(data.X)
        tol = data.mean_variance * self.tol
        progress = EpochPrinter(self.verbose, "KMeans", unit="iteration")
        frame = data.frame
        self._keep_best_run(
            lambda random_state: data.initial_centroids(self.init, self.n_clusters, random_state),
            lambda centroids: data.kmeans_single_lloyd(
                centroids, self.max_iter, tol, progress,
                lambda c: frame.to_frame(frame.from_frame(c, data.dtype)),
            ),
            frame, data.dtype,
        )

    def _keep_best_run(self, initial, single_run, frame, dtype):
        """``n_init`` runs from ``initial(random_state)``; the lowest inertia's result is stored."""
        random_state = check_random_state(self.random_state)
        best = None
        for _ in range(self._resolved_n_init()):
            run = single_run(initial(random_state))
            if best is None or run[2] < best[2]:
                best = run
        labels, centroids, inertia, n_iter, converged = best
        if not converged:
            warnings.warn(
                f"KMeans did not converge in max_iter={self.max_iter} iterations; increase max_iter.",
                ConvergenceWarning,
            )
        self.cluster_centers_ = frame.from_frame(centroids, dtype)
        self.labels_ = labels
        self.inertia_ = _in_data_units(inertia, frame)
        self.n_iter_ = n_iter

    def fit_predict(self, X, y=None, sample_weight=None):
        """Cluster ``X`` and return the cluster of each sample (``labels_``).

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The cluster of each sample (a dask array when ``X`` is one).
        """
        return self.fit(X, sample_weight=sample_weight).labels_

    def _as_fitted_dask(self, X):
        check_is_fitted(self)
        check_dask_features(self, X, reset=False)
        return as_row_chunked(X)

    def _validated_frame(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], order="C", reset=False)
        frame = frame_for(X, self.cluster_centers_)
        return X, frame, frame.to_frame(self.cluster_centers_)

    def _nearest(self, X):
        X, frame, centroids = self._validated_frame(X)
        with Workers(effective_n_jobs(self.n_jobs)) as workers:
            labels, nearest_sq, _ = nearest_centroids(X, frame, centroids, workers)
        return X, frame, labels, nearest_sq

    def predict(self, X):
        """Predict the closest centroid of each sample (the course's ``findClosestCentroids``).

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Index of the nearest of ``cluster_centers_``; a dask array (computed blockwise, lazily)
            when ``X`` is one.
        """
        if is_dask_collection(X):
            return map_row_chunks(self.predict, self._as_fitted_dask(X), dtype=np.int32)
        return self._nearest(X)[2]

    def transform(self, X):
        r"""Compute the Euclidean distance of every sample to every centroid.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
            :math:`\lVert x^{(i)} - \mu_j\rVert`, in ``X``'s dtype; a dask array (computed
            blockwise, lazily) when ``X`` is one.
        """
        if is_dask_collection(X):
            X = self._as_fitted_dask(X)
            return map_row_chunks(self.transform, X, dtype=X.dtype, n_columns=self.n_clusters)
        X, frame, centroids = self._validated_frame(X)
        with Workers(effective_n_jobs(self.n_jobs)) as workers:
            sq = squared_distances(X, frame, centroids, workers)
        distances = np.sqrt(sq, out=sq)
        distances *= frame.scale
        return distances.astype(X.dtype, copy=False)

    def score(self, X, y=None, sample_weight=None):
        r"""Return minus the distortion of ``X`` under the fitted centroids (higher is better).

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            The samples.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample.

        Returns
        -------
        score : float
            :math:`-\sum_i w_i \min_j \lVert x^{(i)} - \mu_j\rVert^2` (reduced over the chunks when
            ``X`` is a dask array).
        """
        if is_dask_collection(X):
            X = self._as_fitted_dask(X)
            (sample_weight,) = align_row_chunks(X, sample_weight)
            return float(reduce_row_chunks(_chunk_score, np.add, X, sample_weight, args=(self,)))
        X, frame, _, nearest_sq = self._nearest(X)
        sample_weight = check_sample_weight(sample_weight, X, dtype=np.float64)
        return -_in_data_units(float(nearest_sq @ sample_weight), frame)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _chunk_score(X, sample_weight, estimator):
    return estimator.score(X, sample_weight=sample_weight)


def _in_data_units(squared_distance, frame):
    """A sum of squared distances in frame units -> data units; refuses a value beyond float64."""
    with np.errstate(over="ignore"):
        value = float(np.float64(squared_distance) * frame.scale * frame.scale)
    if not np.isfinite(value):
        raise ValueError(
            f"X's scale is too large for K-means: the distortion ({squared_distance:.3g} x "
            f"{frame.scale:.3g}^2) exceeds the float64 range. Divide X by a constant (for example "
            "its largest absolute value) first."
        )
    return value
