"""K-means clustering: the course's two alternating steps, vectorised and chunked."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._validation import check_sample_weight
from ..utils._threads import map_in_threads, n_threads

# A distance block holds at most this many entries (8 MiB in float64) whatever the data size.
_BLOCK_ENTRIES = 2**20
# Below this many rows a chunk is not worth a thread of its own.
_MIN_CHUNK_ROWS = 2048
# From this many samples on, fit uses Hamerly's bounds (measured faster from about 5,000).
_HAMERLY_MIN_SAMPLES = 2000


def _chunks(n_samples, n_clusters, n_parts=1):
    """Row slices: ``n_parts`` of them (one per thread) or more, none shorter than
    ``_MIN_CHUNK_ROWS`` unless that would make its distance block to ``n_clusters`` centroids
    exceed ``_BLOCK_ENTRIES``."""
    size = max(_MIN_CHUNK_ROWS, -(-n_samples // n_parts))
    size = min(size, max(16, _BLOCK_ENTRIES // max(n_clusters, 1)))
    return [slice(start, min(start + size, n_samples)) for start in range(0, n_samples, size)]


def _argmin_rows(D):
    """Index and value of the minimum of each column of ``D`` (shape (k, m)), first index on ties.

    ``np.argmin(D, axis=0)`` walks one short column at a time; comparing every row with the
    column minimum and keeping the smallest matching row index works on whole rows instead and is
    two to three times faster for the few-centroid case K-means lives in.
    """
    minimum = D.min(axis=0)
    k = D.shape[0]
    reversed_index = np.arange(k - 1, -1, -1, dtype=np.uint8 if k < 256 else np.intp)[:, None]
    labels = (k - 1) - ((D == minimum) * reversed_index).max(axis=0).astype(np.intp)
    return labels, minimum


def _assign_rows(X, rows, minus_twice, c_squared):
    r"""Nearest centroid of ``X[rows]`` and :math:`\lVert\mu_j\rVert^2 - 2x\cdot\mu_j` at it."""
    D = minus_twice @ X[rows].T
    D += c_squared
    return _argmin_rows(D)


def _closest_centroids(X, centroids, x_squared_norms):
    r"""The course's ``findClosestCentroids``: the nearest centroid of every sample.

    Squared distances are expanded as :math:`\lVert x\rVert^2 - 2x\cdot\mu_j + \lVert\mu_j\rVert^2`
    so that the work is one matrix product per chunk of rows; the chunks keep memory bounded and
    run on as many threads as there are cores (numpy releases the GIL).

    Returns
    -------
    labels : ndarray of shape (n_samples,) int
        :math:`c^{(i)}`, 0-based.
    min_sq_distances : ndarray of shape (n_samples,)
        :math:`\lVert x^{(i)} - \mu_{c^{(i)}}\rVert^2`, clipped at 0.
    """
    n_samples = X.shape[0]
    labels = np.empty(n_samples, dtype=np.intp)
    min_sq = np.empty(n_samples, dtype=X.dtype)
    minus_twice = -2.0 * centroids
    c_squared = np.einsum("ij,ij->i", centroids, centroids)[:, None]

    def assign(rows):
        labels[rows], min_sq[rows] = _assign_rows(X, rows, minus_twice, c_squared)

    map_in_threads(assign, _chunks(n_samples, centroids.shape[0], n_threads()))
    min_sq += x_squared_norms
    np.maximum(min_sq, 0, out=min_sq)
    return labels, min_sq


def _cluster_sums(X, labels, sample_weight, n_clusters):
    """Weighted sum of the samples and total weight of each cluster, by a one-hot sparse product."""
    n_samples = X.shape[0]
    one_hot = sp.csc_matrix(
        (sample_weight, labels, np.arange(n_samples + 1)), shape=(n_clusters, n_samples)
    )
    return np.asarray(one_hot @ X), np.bincount(labels, weights=sample_weight, minlength=n_clusters)


def _relocate_empty_clusters(X, sample_weight, sums, weights, labels, min_sq):
    """Move each empty cluster onto one of the samples farthest from their centroid (in place).

    The sample leaves its old cluster's sum so that no point counts twice, and a cluster is never
    emptied to fill another. Returns the clusters that stay empty (only when there are fewer
    distinct samples than clusters); the caller keeps their previous centroid.
    """
    empty = list(np.flatnonzero(weights == 0))
    for sample in np.argsort(-min_sq, kind="stable"):
        if not empty or min_sq[sample] <= 0:
            break
        old, weight = labels[sample], sample_weight[sample]
        if weight <= 0 or weights[old] - weight <= 0:
            continue
        cluster = empty.pop(0)
        sums[old] -= weight * X[sample]
        weights[old] -= weight
        sums[cluster] = weight * X[sample]
        weights[cluster] = weight
    return np.asarray(empty, dtype=np.intp)


def _centroids_from_sums(sums, weights, previous, X, sample_weight, labels, min_sq):
    """Divide the sums by the weights, re-seeding empty clusters first (when ``min_sq`` is given)."""
    if min_sq is not None and np.any(weights == 0):
        _relocate_empty_clusters(X, sample_weight, sums, weights, labels, min_sq)
    occupied = weights > 0
    centroids = np.array(previous, dtype=X.dtype, copy=True)
    centroids[occupied] = sums[occupied] / weights[occupied, None]
    return centroids


def _compute_centroids(X, labels, sample_weight, previous, min_sq=None):
    r"""The course's ``computeCentroids``: :math:`\mu_j = \sum_{c^{(i)}=j} w_i x^{(i)} / \sum_{c^{(i)}=j} w_i`.

    ``previous`` are the centroids the labels were computed from. Empty clusters are re-seeded on
    the samples farthest from their centroid (``min_sq`` are those squared distances) instead of
    producing NaN; without ``min_sq``, or with too few distinct samples, they keep their place.
    """
    sums, weights = _cluster_sums(X, labels, sample_weight, previous.shape[0])
    return _centroids_from_sums(sums, weights, previous, X, sample_weight, labels, min_sq)


def _lloyd_step(X, sample_weight, centroids, x_squared_norms):
    """One Lloyd iteration, ``_closest_centroids`` then ``_compute_centroids``, fused per chunk.

    Each chunk of rows is assigned and adds its partial cluster sums in the same task, so both
    halves of the iteration run on all cores; the partial sums are added at the end.

    Returns ``(labels, min_sq_distances, new_centroids)``.
    """
    n_samples, n_clusters = X.shape[0], centroids.shape[0]
    labels = np.empty(n_samples, dtype=np.intp)
    min_sq = np.empty(n_samples, dtype=X.dtype)
    minus_twice = -2.0 * centroids
    c_squared = np.einsum("ij,ij->i", centroids, centroids)[:, None]

    def step(rows):
        labels[rows], min_sq[rows] = _assign_rows(X, rows, minus_twice, c_squared)
        return _cluster_sums(X[rows], labels[rows], sample_weight[rows], n_clusters)

    parts = map_in_threads(step, _chunks(n_samples, n_clusters, n_threads()))
    sums, weights = parts[0]
    for part_sums, part_weights in parts[1:]:
        sums += part_sums
        weights += part_weights
    min_sq += x_squared_norms
    np.maximum(min_sq, 0, out=min_sq)
    return labels, min_sq, _centroids_from_sums(sums, weights, centroids, X, sample_weight, labels, min_sq)


def _kmeans_plusplus(X, n_clusters, x_squared_norms, sample_weight, random_state):
    """Greedy k-means++ (Arthur and Vassilvitskii, 2007): spread the starting centroids out.

    Each new centroid is the best, by the resulting potential, of ``2 + log(k)`` candidates drawn
    with probability proportional to the weighted squared distance to the nearest chosen centroid.
    """
    n_samples = X.shape[0]
    n_trials = 2 + int(np.log(n_clusters))
    centroids = np.empty((n_clusters, X.shape[1]), dtype=X.dtype)
    first = random_state.choice(n_samples, p=sample_weight / sample_weight.sum())
    centroids[0] = X[first]
    closest_sq = _squared_distances_to(X, X[[first]], x_squared_norms)[0]
    potential = closest_sq @ sample_weight
    for c in range(1, n_clusters):
        cumulative = np.cumsum(sample_weight * closest_sq, dtype=np.float64)
        draws = random_state.uniform(size=n_trials) * (potential if potential > 0 else 1.0)
        candidates = np.minimum(np.searchsorted(cumulative, draws), n_samples - 1)
        candidate_sq = np.minimum(closest_sq, _squared_distances_to(X, X[candidates], x_squared_norms))
        candidate_potentials = candidate_sq @ sample_weight
        best = int(np.argmin(candidate_potentials))
        potential, closest_sq = candidate_potentials[best], candidate_sq[best]
        centroids[c] = X[candidates[best]]
    return centroids


def _squared_distances_to(X, points, x_squared_norms):
    """Squared Euclidean distances of ``points`` (m, d) to every row of ``X``, shape (m, n)."""
    D = -2.0 * (points @ X.T)
    D += np.einsum("ij,ij->i", points, points)[:, None]
    D += x_squared_norms
    return np.maximum(D, 0, out=D)


def _kmeans_single_lloyd(X, sample_weight, centroids, x_squared_norms, max_iter, tol):
    r"""Lloyd's algorithm from ``centroids``: alternate cluster assignment and centroid move.

    Stops when the assignment no longer changes, or when the centroids move by at most ``tol``
    in total squared distance, as scikit-learn does.

    Returns
    -------
    labels, centroids, inertia, n_iter, converged
    """
    labels_old = None
    converged = False
    for n_iter in range(1, max_iter + 1):
        labels, _, centroids_new = _lloyd_step(X, sample_weight, centroids, x_squared_norms)
        shift = float(((centroids_new - centroids) ** 2).sum())
        centroids = centroids_new
        if labels_old is not None and np.array_equal(labels, labels_old):
            converged = True
            break
        if shift <= tol:
            converged = True
            break
        labels_old = labels
    labels, min_sq = _closest_centroids(X, centroids, x_squared_norms)
    return labels, centroids, float(min_sq @ sample_weight), n_iter, converged


def _initial_centroids(X, init, n_clusters, x_squared_norms, sample_weight, random_state):
    """Starting centroids: k-means++, the course's random samples, or the given array."""
    if isinstance(init, str) and init == "k-means++":
        return _kmeans_plusplus(X, n_clusters, x_squared_norms, sample_weight, random_state)
    if isinstance(init, str) and init == "random":
        # The course's kMeansInitCentroids: K distinct samples in random order.
        chosen = random_state.choice(
            X.shape[0], size=n_clusters, replace=False, p=sample_weight / sample_weight.sum()
        )
        return X[chosen].copy()
    return np.array(init, dtype=X.dtype, copy=True)


class KMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    r"""K-means clustering, the course's ex7 algorithm made fast and robust.

    Parameters
    ----------
    n_clusters : int, default=8
        The number of clusters :math:`K` and of centroids :math:`\mu_1 \dots \mu_K`.
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), default="k-means++"
        Starting centroids. ``"random"`` picks ``n_clusters`` distinct samples at random, the
        course's ``kMeansInitCentroids``; ``"k-means++"`` spreads them out with greedy k-means++;
        an array gives them explicitly (then only one run is made).
    n_init : "auto" or int, default="auto"
        Number of runs from different starting centroids; the run of lowest inertia is kept.
        ``"auto"`` is 10 for ``init="random"`` and 1 otherwise.
    max_iter : int, default=300
        Largest number of Lloyd iterations per run.
    tol : float, default=1e-4
        A run stops when the centroids move by at most ``tol`` times the mean feature variance
        (total squared shift), or when the assignment stops changing.
    random_state : int, RandomState instance or None, default=None
        Draws the starting centroids.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The centroids :math:`\mu_j`.
    labels_ : ndarray of shape (n_samples,)
        The cluster :math:`c^{(i)}` of each training sample (0-based).
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
    sklearn.cluster.KMeans : scikit-learn's K-means (same objective and stopping rule).

    Notes
    -----
    K-means minimises the distortion

    .. math::

        J(c, \mu) = \sum_i w_i \lVert x^{(i)} - \mu_{c^{(i)}} \rVert^2

    by alternating the course's two steps until nothing changes:

    - cluster assignment: :math:`c^{(i)} = \arg\min_j \lVert x^{(i)} - \mu_j \rVert^2`,
      computed as :math:`\lVert x\rVert^2 - 2x\cdot\mu_j + \lVert\mu_j\rVert^2`, one matrix product
      per chunk of rows (the chunks bound the memory);
    - move centroids: :math:`\mu_j = \sum_{c^{(i)}=j} w_i x^{(i)} / \sum_{c^{(i)}=j} w_i`, one
      sparse one-hot product. A cluster left empty is re-seeded on the sample farthest from its
      centroid instead of becoming NaN.

    The data are centred first so that the expanded distances do not lose precision far from
    the origin. After the first iteration most samples keep their cluster, so ``fit`` runs these
    same iterations with Hamerly's distance bounds, which recompute the distances of only the
    samples that might move: the assignments, centroids and iteration count are those of plain
    Lloyd iterations (exactly so in float64). A ``ConvergenceWarning`` says when ``max_iter`` ran
    out.

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
        "random_state": ["random_state"],
    }

    def __init__(
        self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300, tol=1e-4, random_state=None
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Cluster ``X``: run Lloyd's algorithm ``n_init`` times and keep the lowest inertia.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. Sparse matrices are not supported.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample; weight k counts as the row repeated k times.

        Returns
        -------
        self : KMeans
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], order="C")
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
        n_init = self._resolved_n_init()
        random_state = check_random_state(self.random_state)
        # Centring keeps ||x||^2 - 2 x.mu + ||mu||^2 accurate for data far from the origin.
        X_mean = X.mean(axis=0)
        X = X - X_mean  # a centred copy; the caller's X is left as it is
        x_squared_norms = np.einsum("ij,ij->i", X, X)
        # X is centred, so the mean feature variance is the mean squared norm over the features.
        tol = float(x_squared_norms.sum()) / X.size * self.tol
        # The bounds pay for their bookkeeping from a few thousand samples on; both give the same run.
        single_run = _kmeans_single_hamerly if X.shape[0] >= _HAMERLY_MIN_SAMPLES else _kmeans_single_lloyd
        best = None
        for _ in range(n_init):
            centroids = _initial_centroids(
                X, self.init, self.n_clusters, x_squared_norms, sample_weight, random_state
            )
            if not isinstance(self.init, str):
                centroids -= X_mean
            run = single_run(X, sample_weight, centroids, x_squared_norms, self.max_iter, tol)
            if best is None or run[2] < best[2]:
                best = run
        labels, centroids, inertia, n_iter, converged = best
        if not converged:
            warnings.warn(
                f"KMeans did not converge in max_iter={self.max_iter} iterations; increase max_iter.",
                ConvergenceWarning,
            )
        self.cluster_centers_ = (centroids + X_mean).astype(X.dtype, copy=False)
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        self._n_features_out = self.n_clusters
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Cluster ``X`` and return the cluster of each sample (``labels_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self.fit(X, sample_weight=sample_weight).labels_

    def _labels_min_sq(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], order="C", reset=False)
        centroids = self.cluster_centers_.astype(X.dtype, copy=False)
        return X, _closest_centroids(X, centroids, np.einsum("ij,ij->i", X, X))

    def predict(self, X):
        """The closest centroid of each sample (the course's ``findClosestCentroids``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self._labels_min_sq(X)[1][0]

    def transform(self, X):
        """Euclidean distance of every sample to every centroid.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], order="C", reset=False)
        centroids = self.cluster_centers_.astype(X.dtype, copy=False)
        return np.sqrt(_squared_distances_to(centroids, X, np.einsum("ij,ij->i", centroids, centroids)))

    def score(self, X, y=None, sample_weight=None):
        """Minus the distortion of ``X`` under the fitted centroids (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        X, (_, min_sq) = self._labels_min_sq(X)
        sample_weight = check_sample_weight(sample_weight, X, dtype=X.dtype)
        return -float(min_sq @ sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


from ._hamerly import _kmeans_single_hamerly  # noqa: E402  (it builds on this module's steps)
