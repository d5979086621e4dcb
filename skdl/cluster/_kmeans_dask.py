r"""K-means on a dask array chunked by rows: Lloyd's iterations with per-chunk cluster sums.

Each Lloyd iteration needs the data only through k x p statistics: the per-cluster sums
:math:`S_j = \sum_{c_i=j} w_i z_i`, the weights :math:`W_j` and the inertia. Every row chunk computes
its own on the worker that holds it (:func:`._lloyd.lloyd_statistics`, the same kernels as in
memory), the chunks' statistics are added in a tree (:func:`skdl.utils._dask.reduce_row_chunks`),
and only the k x p result reaches the client, which moves the centroids
(:func:`._lloyd.lloyd_iterations`, the loop of the in-memory sparse path). From the same starting
centroids the iterations are those of the in-memory fit: the same labels, and centroids that
differ only by the order in which the sums were added.

Before the iterations, two passes give the frame (the columns' extent, checked finite) and the
tolerance (the column moments), exactly as in memory. ``init="random"`` draws the same sample
indices as in memory from the same seed; ``"k-means++"`` draws the same candidates by locating
each draw in the per-chunk totals of the weighted distances, then inside its chunk. The labels
of the fitted model are a lazy dask array, computed blockwise from the final centroids.
"""

import numpy as np

from ..utils._dask import align_row_chunks, as_row_chunked, check_dask_features, map_row_chunks, reduce_row_chunks
from ._lloyd import (
    farthest_samples,
    frame_from_extent,
    dense_moments,
    lloyd_iterations,
    lloyd_statistics,
    merge_farthest,
    nearest_centroids,
    squared_distances,
    variance_from_moments,
)


def _weights_of(x, w):
    return np.ones(x.shape[0], dtype=x.dtype) if w is None else np.asarray(w, dtype=x.dtype)


def _add(a, b):
    """Element-wise sum of two tuples of statistics."""
    return tuple(left + right for left, right in zip(a, b))


def _chunk_extent(x, w):
    """Column minima and maxima, rows, positively weighted rows; refuses NaN, inf and bad weights."""
    if not np.all(np.isfinite(x)):
        raise ValueError("Input X contains NaN or infinity.")
    w = _weights_of(x, w)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight must be finite and non-negative (a weight counts repetitions of a row).")
    if x.shape[0] == 0:
        return np.full(x.shape[1], np.inf), np.full(x.shape[1], -np.inf), 0, 0
    return x.min(axis=0), x.max(axis=0), x.shape[0], int(np.count_nonzero(w))


def _combine_extent(a, b):
    return np.minimum(a[0], b[0]), np.maximum(a[1], b[1]), a[2] + b[2], a[3] + b[3]


def _chunk_moments(x, frame):
    return dense_moments(x, frame.shift, frame.inv_scale)


def _chunk_statistics(x, w, frame, centroids):
    _, _, sums, weights, inertia = lloyd_statistics(x, frame, centroids, _weights_of(x, w))
    return sums, weights, inertia


def _chunk_farthest(x, w, rows, frame, centroids, count):
    labels, nearest_sq, _ = nearest_centroids(x, frame, centroids)
    offset = int(rows[0]) if rows.size else 0
    return farthest_samples(x, frame, labels, nearest_sq, _weights_of(x, w), count, offset)


def _chunk_labels(x, frame, centroids):
    return nearest_centroids(x, frame, centroids)[0]


def _chunk_inertia(x, w, frame, centroids):
    _, nearest_sq, _ = nearest_centroids(x, frame, centroids)
    return float(nearest_sq @ _weights_of(x, w))


class DaskData:
    """A dask array ``X`` (and weights) validated for K-means, with its frame and tolerance scale.

    Parameters
    ----------
    estimator : KMeans
        The estimator being fitted (its ``n_features_in_`` is set).
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        The data, chunked by rows (chunks across the columns are merged).
    sample_weight : array-like, dask array or None
        The weights.
    """

    def __init__(self, estimator, X, sample_weight):
        check_dask_features(estimator, X, reset=True)
        self.X = as_row_chunked(X)
        (self.sample_weight,) = align_row_chunks(self.X, sample_weight)
        low, high, self.n_samples, self.n_positive = reduce_row_chunks(
            _chunk_extent, _combine_extent, self.X, self.sample_weight
        )
        self.frame = frame_from_extent(low, high)
        sums, squares = reduce_row_chunks(_chunk_moments, _add, self.X, args=(self.frame,))
        self.mean_variance = variance_from_moments(sums, squares, self.n_samples)
        self.dtype = self.X.dtype

    def _client_weights(self):
        """All the weights, on the client (the random initialisations draw sample indices by them)."""
        if self.sample_weight is None:
            return np.ones(self.n_samples, dtype=self.dtype)
        return np.asarray(self.sample_weight.compute(), dtype=self.dtype)

    def rows(self, indices):
        """The rows ``indices`` of X in frame coordinates (only these rows reach the client)."""
        indices = np.asarray(indices)
        order = np.argsort(indices, kind="stable")
        rows = np.empty((indices.size, self.X.shape[1]))
        rows[order] = self.frame.to_frame(self.X[indices[order]].compute())
        return rows

    def random_init(self, n_clusters, random_state):
        """The course's random samples, the same indices as in memory from the same seed."""
        sample_weight = self._client_weights()
        chosen = random_state.choice(
            self.n_samples, size=n_clusters, replace=False, p=sample_weight / sample_weight.sum()
        )
        return self.rows(chosen)

    def kmeans_plusplus(self, n_clusters, random_state):
        """Greedy k-means++ with the in-memory draws; each step is a few passes over the chunks."""
        sample_weight = self._client_weights()
        weights = self.X[:, 0].map_blocks(lambda x: np.ones(x.shape[0])) if self.sample_weight is None \
            else self.sample_weight.astype(np.float64)
        n_trials = 2 + int(np.log(n_clusters))
        centroids = np.empty((n_clusters, self.X.shape[1]))
        centroids[0] = self.rows([random_state.choice(self.n_samples, p=sample_weight / sample_weight.sum())])[0]
        closest_sq = self._distances_to(centroids[:1])[:, 0].persist()
        potential = float((closest_sq * weights).sum().compute())
        for c in range(1, n_clusters):
            draws = random_state.uniform(size=n_trials) * potential
            candidates = self._locate(closest_sq * weights, draws)
            points = self.rows(candidates)
            candidate_sq = np.minimum(closest_sq[:, None], self._distances_to(points))
            candidate_potentials = (candidate_sq * weights[:, None]).sum(axis=0).compute()
            best = int(np.argmin(candidate_potentials))
            potential = float(candidate_potentials[best])
            closest_sq = candidate_sq[:, best].persist()
            centroids[c] = points[best]
        return centroids

    def _distances_to(self, points):
        """Lazy squared distances (frame units) of every row to ``points``, shape (n_samples, m)."""
        return map_row_chunks(
            lambda x, frame, points: squared_distances(x, frame, points), self.X, dtype=np.float64,
            n_columns=points.shape[0], args=(self.frame, points),
        )

    def _locate(self, values, draws):
        """``np.searchsorted(np.cumsum(values), draws)`` over the chunks, clipped to the last row."""
        totals = values.map_blocks(lambda v: np.array([v.sum()]), chunks=(1,), dtype=np.float64).compute()
        ends = np.cumsum(totals)
        chunk_of = np.minimum(np.searchsorted(ends, draws), len(totals) - 1)
        starts = np.concatenate([[0], np.cumsum(values.chunks[0])])
        blocks = values.to_delayed()
        located = []
        for draw, chunk in zip(draws, chunk_of):
            before = ends[chunk - 1] if chunk > 0 else 0.0
            local = blocks[chunk].compute()
            located.append(starts[chunk] + np.searchsorted(before + np.cumsum(local), draw))
        return np.minimum(np.asarray(located), self.n_samples - 1)

    def initial_centroids(self, init, n_clusters, random_state):
        """Starting centroids in frame coordinates, as :func:`._kmeans._initial_centroids` in memory."""
        if isinstance(init, str) and init == "k-means++":
            return self.kmeans_plusplus(n_clusters, random_state)
        if isinstance(init, str) and init == "random":
            return self.random_init(n_clusters, random_state)
        return self.frame.to_frame(init)

    def kmeans_single_lloyd(self, centroids, max_iter, tol, progress, final_centroids):
        """Lloyd's iterations with the statistics reduced over the chunks.

        Returns
        -------
        labels, centroids, inertia, n_iter, converged
            ``labels`` a lazy dask array (the nearest of ``final_centroids(centroids)``).
        """
        X, w, frame = self.X, self.sample_weight, self.frame
        row_indices = None

        def statistics(centroids):
            return reduce_row_chunks(_chunk_statistics, _add, X, w, args=(frame, centroids))

        def farthest(centroids, count):
            nonlocal row_indices
            if row_indices is None:
                import dask.array as da

                row_indices = da.arange(self.n_samples, chunks=(X.chunks[0],))
            return reduce_row_chunks(
                _chunk_farthest, lambda a, b: merge_farthest([a, b], count), X, w, row_indices,
                args=(frame, centroids, count),
            )

        centroids, n_iter, converged = lloyd_iterations(statistics, farthest, centroids, max_iter, tol, progress)
        stored = final_centroids(centroids)
        inertia = reduce_row_chunks(_chunk_inertia, np.add, X, w, args=(frame, stored))
        labels = map_row_chunks(_chunk_labels, X, dtype=np.int32, args=(frame, stored))
        return labels, stored, float(inertia), n_iter, converged
