r"""Lloyd's algorithm accelerated with Hamerly's distance bounds: the same iterations, less work.

Lloyd's algorithm recomputes the distance of every sample to every centroid at every iteration,
although after the first few iterations almost no sample changes cluster. Hamerly (2010) keeps,
for each sample :math:`x_i` assigned to centroid :math:`a_i`,

- an upper bound :math:`u_i \ge \lVert x_i - \mu_{a_i}\rVert`, and
- a lower bound :math:`\ell_i \le \min_{j \ne a_i} \lVert x_i - \mu_j\rVert`.

When the centroids move by :math:`\delta_j`, the triangle inequality keeps them valid as
:math:`u_i \leftarrow u_i + \delta_{a_i}` and :math:`\ell_i \leftarrow \ell_i - \max_{j \ne a_i}
\delta_j`. A sample cannot change cluster while :math:`u_i \le \max(\ell_i, s_{a_i})`, with
:math:`s_j` half the distance from :math:`\mu_j` to its nearest other centroid. A sample that fails
the test first has :math:`u_i` tightened to its exact distance; only if it still fails are its
distances to all centroids computed. The bounds are compared with a margin above rounding, so
every iteration produces the assignment of a Lloyd iteration, and the result, the number of
iterations and the stopping rule are those of :func:`._lloyd.lloyd_iterations`. The cluster
sums are updated by the samples that moved only.

The bookkeeping is one pass over three length-n arrays per iteration, a numba kernel per block of
rows (one block per thread), in float64; the exact distance that tightens an upper bound is taken
directly, :math:`\sum_f (z_f - \mu_f)^2`, and the unsettled rows' distances to all centroids are
one matrix product per chunk of them.

The bounds pay on dense data of moderate dimension. On high-dimensional sparse data (TF-IDF)
all distances are alike and most samples stay unsettled for most iterations (80-100% on the SMS
collection), so sparse data run plain Lloyd iterations (:func:`._lloyd.kmeans_single_lloyd`).

Reference: G. Hamerly, "Making k-means even faster", SIAM International Conference on Data
Mining, 2010.
"""

import numpy as np
from numba import njit, uint64

from ._lloyd import (
    _block_products,
    _dense_cluster_sums,
    _nearest_two_from_products,
    _nearest_two_of_row,
    centroids_from_sums,
    distortion,
    farthest_samples,
    nearest_centroids,
    relocate_empty_clusters,
    row_blocks_for,
)

# Below this many rows a block of the bookkeeping is not worth a thread of its own.
_MIN_BLOCK_ROWS = 8192


@njit(cache=True, nogil=True)
def _move_bounds(start, stop, labels, upper, lower, shifts, half_gaps, candidates, thresholds):
    r"""Move the bounds of rows start..stop by the centroid ``shifts``; list the rows they cannot settle.

    :math:`u_i \leftarrow u_i + \delta_{a_i}`, :math:`\ell_i \leftarrow \ell_i - \max_{j\ne a_i}
    \delta_j`; a row is a candidate when :math:`u_i > \max(s_{a_i}, \ell_i)`. The candidates and
    their thresholds are written to ``candidates`` and ``thresholds``; returns how many.
    """
    # The largest shift among the other centroids: the largest, or for the centroid that moved
    # most, the second largest.
    farthest_mover, largest, second = 0, 0.0, 0.0
    for j in range(shifts.size):
        if shifts[j] > largest:
            farthest_mover, second, largest = j, largest, shifts[j]
        elif shifts[j] > second:
            second = shifts[j]
    count = 0
    for i in range(start, stop):
        a = uint64(labels[i])  # unsigned: no wrap-around check on the indexing (see ._lloyd)
        u = upper[i] + shifts[a]
        l = lower[i] - (second if a == farthest_mover else largest)
        upper[i], lower[i] = u, l
        threshold = max(half_gaps[a], l)
        if u > threshold:
            candidates[count], thresholds[count] = i, threshold
            count += 1
    return count


@njit(cache=True, nogil=True)
def _tighten_dense(X, shift, inv_scale, centroids, labels, upper, candidates, thresholds, count, margin):
    """Set the candidates' upper bounds to their exact distance; keep (compacted) those still unsettled."""
    p = X.shape[1]
    kept = 0
    for c in range(count):
        i = uint64(candidates[c])
        centroid = centroids[uint64(labels[i])]
        d = 0.0
        for f in range(p):
            diff = (X[i, f] - shift[f]) * inv_scale - centroid[f]
            d += diff * diff
        upper[i] = np.sqrt(d) + margin
        if upper[i] > thresholds[c]:
            candidates[kept] = i
            kept += 1
    return kept


@njit(cache=True, nogil=True)
def _reassign_dense(rows, Z, products, z_squared, c_squared, labels, upper, lower, margin, sample_weight,
                    sums_delta, weights_delta):
    """Exact nearest and second-nearest centroids of ``rows`` (frame rows ``Z``, products ``Z @ mu.T``).

    Resets their bounds, moves their labels and adds the moves to the cluster-sum deltas.
    Returns how many changed cluster.
    """
    moved = 0
    for r in range(rows.size):
        i = rows[r]
        best, nearest_sq, second_sq = _nearest_two_of_row(products[r], z_squared[r], c_squared)
        upper[i], lower[i] = np.sqrt(nearest_sq) + margin, np.sqrt(second_sq)
        a = labels[i]
        if best != a:
            w = np.float64(sample_weight[i])
            weights_delta[a] -= w
            weights_delta[best] += w
            labels[i] = best
            for f in range(Z.shape[1]):
                sums_delta[a, f] -= w * Z[r, f]
                sums_delta[best, f] += w * Z[r, f]
            moved += 1
    return moved


def _half_gaps(centroids):
    """:math:`s_j`: half the distance from each centroid to its nearest other centroid."""
    if centroids.shape[0] == 1:
        return np.array([np.inf])
    D = np.sum((centroids[:, None, :] - centroids[None, :, :]) ** 2, axis=2)
    np.fill_diagonal(D, np.inf)
    return 0.5 * np.sqrt(D.min(axis=1))


def _shifts(centroids, previous):
    r""":math:`\delta_j = \lVert \mu_j - \mu_j^{\text{previous}}\rVert`."""
    return np.sqrt(np.sum((centroids - previous) ** 2, axis=1))


class _HamerlyState:
    """Labels, bounds and cluster sums of one run; the threads update them block by block."""

    def __init__(self, X, frame, sample_weight, n_clusters, workers):
        self.X, self.frame, self.sample_weight = X, frame, sample_weight
        n_samples, n_features = X.shape
        self.blocks = workers.row_slices(n_samples, _MIN_BLOCK_ROWS)
        self.workers = workers
        self.labels = np.empty(n_samples, dtype=np.int32)
        self.upper, self.lower = np.empty(n_samples), np.empty(n_samples)
        self.sums, self.weights = np.zeros((n_clusters, n_features)), np.zeros(n_clusters)
        self._deltas = [(np.zeros((n_clusters, n_features)), np.zeros(n_clusters)) for _ in self.blocks]
        self._candidates = np.empty(n_samples, dtype=np.intp)
        self._thresholds = np.empty(n_samples)

    def _map(self, function):
        return self.workers.map(lambda b: function(b, self.blocks[b]), range(len(self.blocks)))

    def _add_deltas(self):
        for sums, weights in self._deltas:
            self.sums += sums
            self.weights += weights

    def assign_all(self, centroids):
        """Exact nearest and second-nearest distances of every sample; the cluster sums from scratch.

        Returns the largest squared norm met (frame units), for the rounding margin.
        """
        X, frame = self.X, self.frame
        c_squared = np.einsum("ij,ij->i", centroids, centroids)

        def assign(b, block):
            sums, weights = self._deltas[b]
            sums[:], weights[:] = 0.0, 0.0
            largest = 0.0
            for rows in row_blocks_for(X, centroids.shape[0], block.stop - block.start):
                rows = slice(block.start + rows.start, block.start + rows.stop)
                products, z_squared = _block_products(X, rows, frame, centroids)
                _nearest_two_from_products(products, z_squared, c_squared, self.labels[rows], self.upper[rows],
                                           self.lower[rows])
                largest = max(largest, float(z_squared.max()))
            _dense_cluster_sums(X, block.start, block.stop, frame.shift, frame.inv_scale, self.labels,
                                self.sample_weight, sums, weights)
            return largest

        largest = max(self._map(assign))
        np.sqrt(self.upper, out=self.upper)
        np.sqrt(self.lower, out=self.lower)
        self.sums[:], self.weights[:] = 0.0, 0.0
        self._add_deltas()
        return largest

    def settle(self, centroids, shifts, margin):
        """Move the bounds by ``shifts`` and reassign what they cannot settle; update the sums."""
        X, frame = self.X, self.frame
        half_gaps = _half_gaps(centroids)
        c_squared = np.einsum("ij,ij->i", centroids, centroids)

        def settle(b, block):
            sums, weights = self._deltas[b]
            sums[:], weights[:] = 0.0, 0.0
            candidates, thresholds = self._candidates[block], self._thresholds[block]
            count = _move_bounds(block.start, block.stop, self.labels, self.upper, self.lower, shifts, half_gaps,
                                 candidates, thresholds)
            # A tightened upper bound often settles the row; the rest are reassigned exactly.
            count = _tighten_dense(X, frame.shift, frame.inv_scale, centroids, self.labels, self.upper, candidates,
                                   thresholds, count, margin)
            moved = 0
            # The unsettled rows' distances to every centroid: one matrix product per chunk of them.
            for chunk in row_blocks_for(X, centroids.shape[0], count):
                rows = candidates[chunk]
                Z = frame.rows(X, rows)
                moved += _reassign_dense(rows, Z, Z @ centroids.T, np.einsum("ij,ij->i", Z, Z), c_squared,
                                         self.labels, self.upper, self.lower, margin, self.sample_weight, sums,
                                         weights)
            return moved

        moved = sum(self._map(settle))
        if moved:
            self._add_deltas()
        return moved


def kmeans_single_hamerly(X, frame, sample_weight, centroids, max_iter, tol, workers, progress,
                          final_centroids=None):
    """Lloyd's iterations from ``centroids`` (frame coordinates) with Hamerly's bounds.

    ``final_centroids(centroids)`` maps the converged centroids to those the estimator stores
    (rounded to the data's dtype), so that the returned labels are the nearest of those.

    Returns
    -------
    labels, centroids, inertia, n_iter, converged
        Centroids and inertia in frame coordinates.
    """
    n_clusters = centroids.shape[0]
    state = _HamerlyState(X, frame, sample_weight, n_clusters, workers)
    largest_sq = state.assign_all(centroids)
    # The first bounds come from expanded distances, accurate to about eps (|z|^2 + |mu|^2);
    # a slack above that, as a distance, is kept added to the upper bounds.
    scale = largest_sq + float(np.max(np.einsum("ij,ij->i", centroids, centroids))) + 1e-300
    margin = np.sqrt(100 * np.finfo(np.float64).eps * scale)
    state.upper += margin
    converged = False
    bounds_at = centroids  # the centroids the labels and bounds refer to
    for n_iter in range(1, max_iter + 1):
        if progress:
            progress.step(n_iter, inertia=distortion(X, frame, centroids, state.labels, sample_weight, workers))
        centroids, shift = _move_centroids(state, centroids, workers)
        if shift <= tol:
            converged = True
            break
        state.settle(centroids, _shifts(centroids, bounds_at), margin)
        bounds_at = centroids
    # The final assignment: to the converged centroids as the estimator stores them.
    stored = centroids if final_centroids is None else final_centroids(centroids)
    state.settle(stored, _shifts(stored, bounds_at), margin)
    inertia = distortion(X, frame, stored, state.labels, sample_weight, workers)
    return state.labels, stored, inertia, n_iter, converged


def _move_centroids(state, centroids, workers):
    """The centroids of the current clusters and their squared shift; an empty cluster is re-seeded."""
    sums, weights = state.sums.copy(), state.weights.copy()
    if np.any(weights == 0):
        # The farthest samples by exact distances (a rare full pass).
        _, nearest_sq, _ = nearest_centroids(state.X, state.frame, centroids, workers)
        relocate_empty_clusters(sums, weights, farthest_samples(
            state.X, state.frame, state.labels, nearest_sq, state.sample_weight, 2 * centroids.shape[0]))
    return centroids_from_sums(sums, weights, centroids)
