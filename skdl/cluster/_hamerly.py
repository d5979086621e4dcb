r"""Lloyd's algorithm accelerated with Hamerly's distance bounds: the same iterations, less work.

Lloyd's algorithm recomputes the distance of every sample to every centroid at every iteration,
although after the first few iterations almost no sample changes cluster. Hamerly (2010) keeps,
for each sample :math:`x_i` assigned to centroid :math:`a_i`,

- an upper bound :math:`u_i \ge \lVert x_i - \mu_{a_i}\rVert`, and
- a lower bound :math:`\ell_i \le \min_{j \ne a_i} \lVert x_i - \mu_j\rVert`.

When the centroids move by :math:`\delta_j`, the triangle inequality keeps them valid as
:math:`u_i \leftarrow u_i + \delta_{a_i}` and :math:`\ell_i \leftarrow \ell_i - \max_{j \ne a_i}
\delta_j`. A sample cannot change cluster while :math:`u_i \le \max(\ell_i, s_{a_i})`, with
:math:`s_j` half the distance from :math:`\mu_j` to its nearest other centroid; only the samples
that fail this test have their distances recomputed. Every iteration therefore produces exactly the
assignment of a Lloyd iteration (the bounds are compared with a margin for rounding), so the
result, the number of iterations and the stopping rule are those of :func:`_kmeans_single_lloyd`.

Reference: G. Hamerly, "Making k-means even faster", SIAM International Conference on Data
Mining, 2010.
"""

import numpy as np

from concurrent.futures import ThreadPoolExecutor

from ..utils._threads import n_threads, row_blocks, single_threaded_blas
from ._kmeans import _BLOCK_ENTRIES, _argmin_rows, _centroids_from_sums, _closest_centroids, _cluster_sums

# Below this many rows a block is not worth a thread of its own.
_MIN_BLOCK_ROWS = 8192
# Tighten the upper bounds of the unsettled samples first only when they are fewer than this share.
_TIGHTEN_BELOW = 0.25


def _nearest_two(X_subset, centroids, c_squared, x_squared_norms_subset):
    """Nearest centroid and the distances to the nearest and second-nearest, by chunks of rows."""
    n_rows, n_clusters = X_subset.shape[0], centroids.shape[0]
    rows_per_chunk = max(16, _BLOCK_ENTRIES // max(n_clusters, 1))
    if n_rows <= rows_per_chunk:
        return _nearest_two_block(X_subset, centroids, c_squared, x_squared_norms_subset)
    parts = [
        _nearest_two_block(X_subset[start : start + rows_per_chunk], centroids, c_squared,
                           x_squared_norms_subset[start : start + rows_per_chunk])
        for start in range(0, n_rows, rows_per_chunk)
    ]
    return tuple(np.concatenate(arrays) for arrays in zip(*parts))


def _nearest_two_block(X_subset, centroids, c_squared, x_squared_norms_subset):
    # Centroids along the rows, as in Lloyd's step: the row-wise minimum is the fast direction.
    D = (-2.0 * centroids) @ X_subset.T
    D += c_squared[:, None]
    nearest, nearest_sq = _argmin_rows(D)
    if D.shape[0] > 1:
        D[nearest, np.arange(D.shape[1])] = np.inf
        second_sq = D.min(axis=0)
    else:
        second_sq = np.full_like(nearest_sq, np.inf)
    nearest_sq += x_squared_norms_subset
    second_sq += x_squared_norms_subset
    return nearest, np.sqrt(np.maximum(nearest_sq, 0)), np.sqrt(np.maximum(second_sq, 0))


def _half_gaps(centroids):
    """:math:`s_j`: half the distance from each centroid to its nearest other centroid."""
    c_squared = np.einsum("ij,ij->i", centroids, centroids)
    D = c_squared[:, None] - 2.0 * centroids @ centroids.T + c_squared[None, :]
    np.fill_diagonal(D, np.inf)
    return 0.5 * np.sqrt(np.maximum(D.min(axis=1), 0))


def _settle_rows(rows, X, x_squared_norms, centroids, labels, upper, lower, shifts, margin):
    """Move the bounds of ``rows`` (a slice; updated in place) and reassign what they cannot settle.

    ``upper`` carries the comparison ``margin`` already. Returns the indices (into ``X``) of the
    samples that changed cluster and their old labels.
    """
    c_squared = np.einsum("ij,ij->i", centroids, centroids)
    row_labels, row_upper, row_lower = labels[rows], upper[rows], lower[rows]
    row_upper += shifts[row_labels]
    row_lower -= shifts.max()
    threshold = np.maximum(_half_gaps(centroids)[row_labels], row_lower)
    candidates = np.flatnonzero(row_upper > threshold)
    X_rows, norms_rows = X[rows], x_squared_norms[rows]
    X_candidates = X_rows[candidates]
    # When many samples are unsettled (the first iterations) tightening first costs more than it saves.
    if candidates.size and candidates.size < _TIGHTEN_BELOW * row_labels.size:
        # First tighten the upper bound to the exact distance: that often settles the sample.
        assigned = row_labels[candidates]
        exact = norms_rows[candidates] + c_squared[assigned]
        exact -= 2.0 * np.einsum("ij,ij->i", X_candidates, centroids[assigned])
        row_upper[candidates] = np.sqrt(np.maximum(exact, 0)) + margin
        unsettled = row_upper[candidates] > threshold[candidates]
        candidates, X_candidates = candidates[unsettled], X_candidates[unsettled]
    if not candidates.size:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=labels.dtype)
    nearest, nearest_distance, second_distance = _nearest_two(
        X_candidates, centroids, c_squared, norms_rows[candidates]
    )
    row_upper[candidates] = nearest_distance + margin
    row_lower[candidates] = second_distance
    changed = nearest != row_labels[candidates]
    moved, old_labels = candidates[changed], row_labels[candidates[changed]]
    row_labels[candidates] = nearest
    return moved + rows.start, old_labels


def _kmeans_single_hamerly(X, sample_weight, centroids, x_squared_norms, max_iter, tol):
    """Lloyd's iterations from ``centroids`` with Hamerly's bounds (see the module docstring).

    The rows are split into one block per core; each block's bounds are moved and its unsettled
    samples reassigned in its own thread.

    Returns
    -------
    labels, centroids, inertia, n_iter, converged
    """
    n_samples, n_clusters = X.shape[0], centroids.shape[0]
    # Bounds are compared with a slack above the rounding of the expanded squared distances
    # (about eps |x|^2), taken as a distance: sqrt(100 eps |x|^2). It is kept added to ``upper``.
    scale = float(x_squared_norms.max()) + float(np.max(np.sum(centroids**2, axis=1))) + 1.0
    margin = np.sqrt(100 * np.finfo(X.dtype).eps * scale)
    c_squared = np.einsum("ij,ij->i", centroids, centroids)
    blocks = row_blocks(n_samples, n_threads(), min_rows=_MIN_BLOCK_ROWS)
    with single_threaded_blas(), ThreadPoolExecutor(len(blocks)) as pool:
        parts = list(pool.map(
            lambda rows: _nearest_two(X[rows], centroids, c_squared, x_squared_norms[rows]), blocks
        ))
        labels, upper, lower = (np.concatenate(arrays) for arrays in zip(*parts))
        upper += margin
        # Cluster sums are updated incrementally, so they are kept in float64 whatever X's dtype.
        sums, weights = _cluster_sums(X, labels, sample_weight, n_clusters)
        sums, weights = sums.astype(np.float64), weights.astype(np.float64)
        n_iter, centroids, converged = _hamerly_iterations(
            pool, blocks, X, sample_weight, centroids, x_squared_norms, max_iter, tol,
            labels, upper, lower, sums, weights, margin,
        )
    labels, min_sq = _closest_centroids(X, centroids, x_squared_norms)
    return labels, centroids, float(min_sq @ sample_weight), n_iter, converged


def _hamerly_iterations(pool, blocks, X, sample_weight, centroids, x_squared_norms, max_iter, tol,
                        labels, upper, lower, sums, weights, margin):
    """The iterations of :func:`_kmeans_single_hamerly`; the state arrays are updated in place."""
    n_clusters = centroids.shape[0]
    labels_changed, converged = True, False
    for n_iter in range(1, max_iter + 1):
        min_sq = None
        if np.any(weights == 0):
            # An empty cluster is re-seeded from exact distances, as Lloyd's step does.
            _, min_sq = _closest_centroids(X, centroids, x_squared_norms)
        centroids_new = _centroids_from_sums(
            sums.astype(X.dtype), weights.copy(), centroids, X, sample_weight, labels, min_sq
        )
        shifts = np.sqrt(np.sum((centroids_new - centroids) ** 2, axis=1))
        centroids = centroids_new
        if (n_iter > 1 and not labels_changed) or float(np.sum(shifts**2)) <= tol:
            converged = True
            break
        results = list(pool.map(
            lambda rows: _settle_rows(rows, X, x_squared_norms, centroids, labels, upper, lower, shifts, margin),
            blocks,
        ))
        moved = np.concatenate([result[0] for result in results])
        labels_changed = moved.size > 0
        if labels_changed:
            # Only the samples that changed cluster change the cluster sums.
            old_labels = np.concatenate([result[1] for result in results])
            w = sample_weight[moved]
            old_sums, old_weights = _cluster_sums(X[moved], old_labels, w, n_clusters)
            new_sums, new_weights = _cluster_sums(X[moved], labels[moved], w, n_clusters)
            sums += new_sums
            sums -= old_sums
            weights += new_weights
            weights -= old_weights
    return n_iter, centroids, converged
