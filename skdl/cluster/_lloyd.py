r"""Lloyd's two steps, written once for every K-means path (dense, sparse, in memory, on Dask).

K-means alternates the course's two steps (``findClosestCentroids``, ``computeCentroids``):

.. math::

    c^{(i)} = \arg\min_j \lVert x^{(i)} - \mu_j\rVert^2, \qquad
    \mu_j = \frac{\sum_{c^{(i)}=j} w_i x^{(i)}}{\sum_{c^{(i)}=j} w_i}.

Everything here works in a *frame*: coordinates :math:`z = (x - m) / s` with :math:`m` the centre
of the data's bounding box and :math:`s` a power of two (1 unless the data's spread is extreme).
The shift makes the expanded distance :math:`\lVert z\rVert^2 - 2 z\cdot\mu + \lVert\mu\rVert^2`
(one matrix product per block of rows) as accurate as on centred data, however far the data lie
from the origin; the power-of-two scale is exact and keeps squared distances inside the float64
range for data near 1e300 or 1e-300. Distances and cluster sums are always accumulated in float64,
also for float32 data. Sparse data are not shifted (that would densify them): their frame is a
scale only, as scikit-learn's sparse K-means works on the raw rows.

The loops that are the algorithm (the nearest and second-nearest centroid of each row, the
cluster sums, the distortion) are numba kernels that release the GIL, so row blocks run on all
cores from a thread pool whose size the estimator's ``n_jobs`` sets.
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numba import njit, uint64

from ..utils._threads import row_blocks, single_threaded_blas

# A block of rows holds at most this many float64 entries (512 KiB) of centred data or of
# products with the centroids: small enough to stay in cache between the three steps.
_BLOCK_ENTRIES = 2**16
# In the kernels, an index read from an array (a CSR column, a label) is cast to uint64 before it
# indexes another array: numba then drops its check for negative (wrap-around) indices, which
# costs a quarter of the sparse Lloyd pass.

# Below this many rows a part of the data is not worth a thread of its own...
_MIN_THREAD_ROWS = 8192
# ... nor below this many multiply-adds (sparse rows: stored entries times clusters).
_MIN_THREAD_WORK = 2**18
# Spreads outside [_TINY, _HUGE] are rescaled by a power of two (squares would under/overflow).
_HUGE, _TINY = 1e100, 1e-100


class Workers:
    """The threads of one fit or one prediction: a pool made once, BLAS held to one thread inside.

    Used as a context manager; ``map(function, items)`` runs over the pool, or in the calling
    thread when there is one thread, one item, or the context was not entered.

    Parameters
    ----------
    n_threads : int, default=1
        The pool's size (the estimator's resolved ``n_jobs``).
    """

    def __init__(self, n_threads=1):
        self.n_threads = max(1, int(n_threads))
        self._stack = self._pool = None

    def __enter__(self):
        self._stack = ExitStack()
        self._stack.enter_context(single_threaded_blas())
        if self.n_threads > 1:
            # The calling thread works too (see map), so the pool has one thread fewer.
            self._pool = self._stack.enter_context(ThreadPoolExecutor(self.n_threads - 1))
        return self

    def __exit__(self, *exc_info):
        self._stack.close()
        self._stack = self._pool = None

    def map(self, function, items):
        """``[function(item) for item in items]``, spread over the pool and the calling thread.

        The items are cut into one contiguous run per thread, and the calling thread works
        through the first run instead of waiting idle: one hand-off fewer per call, which
        matters for the short passes of an iteration on small data.
        """
        items = list(items)
        if self._pool is None or len(items) <= 1:
            return [function(item) for item in items]
        # One contiguous run of items per thread; the calling thread takes the first run.
        n_runs = min(self.n_threads, len(items))
        bounds = [len(items) * t // n_runs for t in range(n_runs + 1)]
        runs = [items[bounds[t]:bounds[t + 1]] for t in range(n_runs)]

        def run_all(run):
            return [function(item) for item in run]

        futures = [self._pool.submit(run_all, run) for run in runs[1:]]
        results = run_all(runs[0])
        for future in futures:
            results.extend(future.result())
        return results

    def row_slices(self, n_rows, min_rows):
        """One contiguous slice of rows per thread, none shorter than ``min_rows`` (but the last)."""
        return row_blocks(n_rows, self.n_threads, min_rows=min_rows)


# The default of the kernels' callers: never entered, so it runs everything in the calling thread.
SERIAL = Workers(1)


class Frame(NamedTuple):
    """The coordinates the kernels work in: :math:`z = (x - \\text{shift}) / \\text{scale}`."""

    shift: np.ndarray  # (n_features,) float64; zeros for sparse data
    scale: float  # a power of two

    @property
    def inv_scale(self):
        return 1.0 / self.scale

    def to_frame(self, points):
        """Dense points (m, n_features) in data coordinates -> float64 frame coordinates."""
        return (np.asarray(points, dtype=np.float64) - self.shift) * self.inv_scale

    def from_frame(self, points, dtype):
        """Frame coordinates -> data coordinates in ``dtype``."""
        return (points * self.scale + self.shift).astype(dtype, copy=False)

    def rows(self, X, rows):
        """Rows ``rows`` (a slice or indices) of ``X`` in frame coordinates, as a dense float64 array."""
        if sp.issparse(X):
            return X[rows].toarray().astype(np.float64, copy=False) * self.inv_scale
        block = np.subtract(X[rows], self.shift, dtype=np.float64)
        if self.scale != 1.0:
            block *= self.inv_scale
        return block


def _power_of_two_scale(spread):
    if spread > _HUGE or 0 < spread < _TINY:
        return float(2.0 ** np.frexp(spread)[1])
    return 1.0


def frame_of(X):
    """The frame of ``X``: its bounding box's centre (zero for sparse ``X``) and a safe scale."""
    if sp.issparse(X):
        spread = float(np.abs(X.data).max()) if X.nnz else 0.0
        return Frame(np.zeros(X.shape[1]), _power_of_two_scale(spread))
    return frame_from_extent(X.min(axis=0), X.max(axis=0))


def frame_from_extent(low, high):
    """The frame of data whose columns range over ``[low, high]``: the box centre and a safe scale."""
    # Halves first: (high - low) itself can overflow for data spanning +-1e308.
    low, high = np.asarray(low, dtype=np.float64) / 2, np.asarray(high, dtype=np.float64) / 2
    spread = float(np.max(high - low)) * 2 if low.size else 0.0
    return Frame(low + high, _power_of_two_scale(spread))


def frame_for(X, centroids):
    """The frame to compare ``X``'s rows with fitted ``centroids`` in: the centroids' box (dense ``X``)."""
    if sp.issparse(X):
        return Frame(np.zeros(X.shape[1]), _power_of_two_scale(float(np.abs(centroids).max(initial=0.0))))
    return frame_of(centroids)


def mean_variance(X, frame):
    """Mean over the features of each feature's variance, in frame units (the tolerance's scale)."""
    if sp.issparse(X):
        X = X.tocsr()
        return _csr_mean_variance(X.data, X.indices, X.indptr, X.shape[1], frame.inv_scale)
    sums, squares = dense_moments(X, frame.shift, frame.inv_scale)
    return variance_from_moments(sums, squares, X.shape[0])


def variance_from_moments(sums, squares, n_samples):
    """Mean feature variance from the column sums of :math:`z` and :math:`z^2` over ``n_samples`` rows."""
    # The frame's shift is the box centre, so these shifted moments lose no accuracy that matters
    # for a tolerance: the variance is at least range^2 / (2n), their rounding eps range^2 / 4.
    means = sums / n_samples
    return max(float(np.mean(squares / n_samples - means * means)), 0.0)


@njit(cache=True, nogil=True)
def dense_moments(X, shift, inv_scale):
    """Column sums of :math:`z = (x - \text{shift}) / s` and of :math:`z^2`, in one pass."""
    n, p = X.shape
    sums, squares = np.zeros(p), np.zeros(p)
    for i in range(n):
        for f in range(p):
            z = (X[i, f] - shift[f]) * inv_scale
            sums[f] += z
            squares[f] += z * z
    return sums, squares


@njit(cache=True, nogil=True)
def _csr_mean_variance(data, indices, indptr, n_features, inv_scale):
    n = indptr.size - 1
    means = np.zeros(n_features)
    counts = np.zeros(n_features)
    for position in range(indptr[n]):
        means[indices[position]] += data[position] * inv_scale
        counts[indices[position]] += 1
    means /= n
    # Two passes: the implicit zeros count (0 - mean)^2 each.
    squares = (n - counts) * means * means
    for position in range(indptr[n]):
        d = data[position] * inv_scale - means[indices[position]]
        squares[indices[position]] += d * d
    return np.mean(squares) / n


def row_blocks_for(X, n_points, n_rows=None):
    """Contiguous slices covering ``range(n_rows)`` (default: X's rows) for distances to ``n_points``.

    A block's products with the points and, for dense ``X``, its centred copy hold at most
    ``_BLOCK_ENTRIES`` entries each (a sparse block is never copied densely).
    """
    n_rows = X.shape[0] if n_rows is None else n_rows
    width = n_points if sp.issparse(X) else max(X.shape[1], n_points)
    size = max(16, _BLOCK_ENTRIES // max(width, 1))
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


@njit(cache=True, nogil=True)
def _nearest_two_of_row(products, z_squared, c_squared):
    r"""Nearest centroid of one row and its squared distances to the nearest and second nearest.

    ``products[j]`` is :math:`z\cdot\mu_j`, so :math:`\lVert z-\mu_j\rVert^2 = \lVert z\rVert^2
    - 2 z\cdot\mu_j + \lVert\mu_j\rVert^2`. Ties go to the first centroid. The scan is written
    without branches (min / max / select), several times faster than ``np.argmin`` per row.
    """
    best = 0
    best_d = c_squared[0] - 2.0 * products[0]
    second_d = np.inf
    for j in range(1, products.size):
        d = c_squared[j] - 2.0 * products[j]
        second_d = min(second_d, max(best_d, d))
        best = j if d < best_d else best
        best_d = min(best_d, d)
    return best, max(best_d + z_squared, 0.0), max(second_d + z_squared, 0.0)


@njit(cache=True, nogil=True)
def _nearest_two_from_products(products, z_squared, c_squared, labels, nearest_sq, second_sq):
    """:func:`_nearest_two_of_row` for every row of ``products`` (a block's ``Z @ mu.T``)."""
    for i in range(products.shape[0]):
        labels[i], nearest_sq[i], second_sq[i] = _nearest_two_of_row(products[i], z_squared[i], c_squared)


@njit(cache=True, nogil=True)
def _csr_row_squared_norms(data, indptr, inv_scale):
    n = indptr.size - 1
    out = np.empty(n)
    for i in range(n):
        total = 0.0
        for position in range(indptr[i], indptr[i + 1]):
            z = data[position] * inv_scale
            total += z * z
        out[i] = total
    return out


# Sparse rows are multiplied with the centroids in panels of eight, so that the eight running
# products stay in registers (an inner loop over all centroids, of a length unknown when
# compiling, was 1.5x slower).
_PANEL = 8


@njit(cache=True, nogil=True)
def panel_transpose(points):
    """The points as panels of eight: shape (ceil(m / 8), n_features, 8), C-ordered, zero-padded.

    ``panels[g, f, t]`` is feature ``f`` of point ``8 g + t``.
    """
    m, p = points.shape
    panels = np.zeros((-(-m // _PANEL), p, _PANEL))
    for j in range(m):
        for f in range(p):
            panels[j // _PANEL, f, j % _PANEL] = points[j, f]
    return panels


@njit(cache=True, nogil=True)
def _csr_row_products(data, indices, begin, end, inv_scale, panels, out):
    """``out[j] = z . point_j`` for one CSR row (entries begin..end); ``panels`` from :func:`panel_transpose`.

    Returns the row's squared norm.
    """
    begin, end = uint64(begin), uint64(end)
    z_squared = 0.0
    for g in range(panels.shape[0]):
        panel = panels[g]
        p0 = p1 = p2 = p3 = p4 = p5 = p6 = p7 = 0.0
        z_squared = 0.0
        for position in range(begin, end):
            z, f = data[position] * inv_scale, uint64(indices[position])
            z_squared += z * z
            p0 += z * panel[f, 0]
            p1 += z * panel[f, 1]
            p2 += z * panel[f, 2]
            p3 += z * panel[f, 3]
            p4 += z * panel[f, 4]
            p5 += z * panel[f, 5]
            p6 += z * panel[f, 6]
            p7 += z * panel[f, 7]
        o = _PANEL * g
        out[o], out[o + 1], out[o + 2], out[o + 3] = p0, p1, p2, p3
        out[o + 4], out[o + 5], out[o + 6], out[o + 7] = p4, p5, p6, p7
    return z_squared


@njit(cache=True, nogil=True)
def _csr_products(data, indices, indptr, start, stop, inv_scale, points_T):
    """``(Z @ points.T, ||z||^2)`` of CSR rows start..stop (products padded to a multiple of eight)."""
    products = np.empty((stop - start, _PANEL * points_T.shape[0]))
    z_squared = np.empty(stop - start)
    for i in range(start, stop):
        z_squared[i - start] = _csr_row_products(data, indices, indptr[i], indptr[i + 1], inv_scale, points_T,
                                                 products[i - start])
    return products, z_squared


@njit(cache=True, nogil=True)
def _csr_lloyd_rows(data, indices, indptr, start, stop, inv_scale, centroids_T, c_squared, sample_weight, labels,
                    nearest_sq, sums, weights):
    """Both Lloyd steps' work for CSR rows start..stop in one pass: assign, then add to the sums.

    ``centroids_T`` comes from :func:`panel_transpose`. Returns the rows' weighted squared
    distances to their centroid.
    """
    products = np.empty(_PANEL * centroids_T.shape[0])
    k = c_squared.size
    inertia = 0.0
    for i in range(start, stop):
        z_squared = _csr_row_products(data, indices, indptr[i], indptr[i + 1], inv_scale, centroids_T, products)
        best, distance_sq, _ = _nearest_two_of_row(products[:k], z_squared, c_squared)
        labels[i], nearest_sq[i] = best, distance_sq
        w = np.float64(sample_weight[i])
        weights[best] += w
        inertia += w * distance_sq
        row = sums[best]
        for position in range(uint64(indptr[i]), uint64(indptr[i + 1])):
            row[uint64(indices[position])] += w * (data[position] * inv_scale)
    return inertia


def _block_products(X, rows, frame, points, points_T=None):
    """``(Z @ points.T, ||z||^2)`` for the rows ``rows`` (a slice) of ``X`` in frame coordinates.

    ``points_T``, for sparse ``X``: :func:`panel_transpose` of ``points``, when the caller has it.
    """
    if sp.issparse(X):
        if points_T is None:
            points_T = panel_transpose(points)
        products, z_squared = _csr_products(X.data, X.indices, X.indptr, rows.start, rows.stop, frame.inv_scale,
                                            points_T)
        return products[:, : points.shape[0]], z_squared
    Z = frame.rows(X, rows)
    return Z @ points.T, np.einsum("ij,ij->i", Z, Z)


def nearest_centroids(X, frame, centroids, workers=SERIAL):
    """The course's ``findClosestCentroids`` for every row of ``X``, in blocks spread over ``workers``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The data, in data coordinates.
    frame : Frame
        The coordinates to compute in.
    centroids : ndarray of shape (n_clusters, n_features)
        The centroids in frame coordinates (float64).
    workers : Workers, default=SERIAL
        The threads to spread the blocks over.

    Returns
    -------
    labels : ndarray of shape (n_samples,) int32
        :math:`c^{(i)}`, 0-based.
    nearest_sq, second_sq : ndarrays of shape (n_samples,) float64
        Squared distances (frame units) to the nearest and the second-nearest centroid
        (``inf`` when there is one centroid).
    """
    n_samples = X.shape[0]
    labels = np.empty(n_samples, dtype=np.int32)
    nearest_sq, second_sq = np.empty(n_samples), np.empty(n_samples)
    c_squared = np.einsum("ij,ij->i", centroids, centroids)
    centroids_T = panel_transpose(centroids) if sp.issparse(X) else None

    def assign(rows):
        products, z_squared = _block_products(X, rows, frame, centroids, centroids_T)
        _nearest_two_from_products(products, z_squared, c_squared, labels[rows], nearest_sq[rows], second_sq[rows])

    workers.map(assign, row_blocks_for(X, centroids.shape[0]))
    return labels, nearest_sq, second_sq


def squared_distances(X, frame, points, workers=SERIAL):
    """Squared distances (frame units) of every row of ``X`` to every one of ``points``, (n, m)."""
    out = np.empty((X.shape[0], points.shape[0]))
    p_squared = np.einsum("ij,ij->i", points, points)
    points_T = panel_transpose(points) if sp.issparse(X) else None

    def fill(rows):
        products, z_squared = _block_products(X, rows, frame, points, points_T)
        products *= -2.0
        products += z_squared[:, None]
        products += p_squared
        np.maximum(products, 0.0, out=out[rows])

    workers.map(fill, row_blocks_for(X, points.shape[0]))
    return out


@njit(cache=True, nogil=True)
def _dense_cluster_sums(X, start, stop, shift, inv_scale, labels, sample_weight, sums, weights):
    """Add :math:`w_i z_i` to ``sums[c_i]`` and :math:`w_i` to ``weights[c_i]`` for rows start..stop."""
    p = X.shape[1]
    for i in range(start, stop):
        j, w = uint64(labels[i]), np.float64(sample_weight[i])
        weights[j] += w
        row = sums[j]
        for f in range(p):
            row[f] += w * ((X[i, f] - shift[f]) * inv_scale)


@njit(cache=True, nogil=True)
def _csr_cluster_sums(data, indices, indptr, start, stop, inv_scale, labels, sample_weight, sums, weights):
    for i in range(start, stop):
        j, w = uint64(labels[i]), np.float64(sample_weight[i])
        weights[j] += w
        row = sums[j]
        for position in range(indptr[i], indptr[i + 1]):
            row[uint64(indices[position])] += w * (data[position] * inv_scale)


def add_cluster_sums(X, rows, frame, labels, sample_weight, sums, weights):
    """The sums of :math:`\\mu_j`'s update over the rows ``rows`` (a slice), added to ``sums``, ``weights``."""
    if sp.issparse(X):
        _csr_cluster_sums(X.data, X.indices, X.indptr, rows.start, rows.stop, frame.inv_scale,
                          labels, sample_weight, sums, weights)
    else:
        _dense_cluster_sums(X, rows.start, rows.stop, frame.shift, frame.inv_scale, labels, sample_weight,
                            sums, weights)


def cluster_sums(X, frame, labels, sample_weight, n_clusters, workers=SERIAL):
    """Weighted sum of the samples (frame coordinates) and total weight of each cluster, float64."""
    def part(rows):
        sums, weights = np.zeros((n_clusters, X.shape[1])), np.zeros(n_clusters)
        add_cluster_sums(X, rows, frame, labels, sample_weight, sums, weights)
        return sums, weights

    parts = workers.map(part, workers.row_slices(X.shape[0], _MIN_THREAD_ROWS))
    if not parts:
        return np.zeros((n_clusters, X.shape[1])), np.zeros(n_clusters)
    sums, weights = parts[0]
    for part_sums, part_weights in parts[1:]:
        sums += part_sums
        weights += part_weights
    return sums, weights


@njit(cache=True, nogil=True)
def _dense_distortion(X, start, stop, shift, inv_scale, centroids, labels, sample_weight):
    r""":math:`\sum_i w_i \lVert z_i - \mu_{c_i}\rVert^2` over rows start..stop, the differences taken directly."""
    p = X.shape[1]
    total = 0.0
    for i in range(start, stop):
        centroid = centroids[uint64(labels[i])]
        d = 0.0
        for f in range(p):
            diff = (X[i, f] - shift[f]) * inv_scale - centroid[f]
            d += diff * diff
        total += np.float64(sample_weight[i]) * d
    return total


@njit(cache=True, nogil=True)
def _csr_distortion(data, indices, indptr, inv_scale, centroids, c_squared, labels, sample_weight):
    total = 0.0
    for i in range(indptr.size - 1):
        j = uint64(labels[i])
        centroid = centroids[j]
        # ||z - mu||^2 = ||mu||^2 + sum over the stored entries of (z_f^2 - 2 z_f mu_f).
        d = c_squared[j]
        for position in range(indptr[i], indptr[i + 1]):
            z = data[position] * inv_scale
            d += z * (z - 2.0 * centroid[uint64(indices[position])])
        total += np.float64(sample_weight[i]) * max(d, 0.0)
    return total


def distortion(X, frame, centroids, labels, sample_weight, workers=SERIAL):
    """The inertia of ``labels`` under ``centroids`` (frame units), in float64."""
    if sp.issparse(X):
        c_squared = np.einsum("ij,ij->i", centroids, centroids)
        return float(_csr_distortion(X.data, X.indices, X.indptr, frame.inv_scale, centroids, c_squared,
                                     labels, sample_weight))
    return float(sum(workers.map(
        lambda rows: _dense_distortion(X, rows.start, rows.stop, frame.shift, frame.inv_scale, centroids,
                                       labels, sample_weight),
        workers.row_slices(X.shape[0], _MIN_THREAD_ROWS),
    )))


class FarthestSamples(NamedTuple):
    """The positively weighted samples farthest from their centroid, farthest first (ties by row)."""

    sq_distances: np.ndarray  # (m,)
    rows: np.ndarray  # (m,) row indices (global)
    points: np.ndarray  # (m, n_features) frame coordinates
    labels: np.ndarray  # (m,)
    weights: np.ndarray  # (m,)


def farthest_samples(X, frame, labels, nearest_sq, sample_weight, count, offset=0):
    """The ``count`` positively weighted rows of ``X`` farthest from their centroid.

    ``offset`` is the global index of ``X``'s first row (for a chunk of a larger array).
    At most ``2 * n_clusters`` are ever needed: :func:`relocate_empty_clusters` fills at most
    one cluster per sample and skips at most one sample per cluster.
    """
    positive = np.flatnonzero(sample_weight > 0)
    order = positive[np.argsort(-nearest_sq[positive], kind="stable")[:count]]
    return FarthestSamples(nearest_sq[order], order + offset, frame.rows(X, order), labels[order],
                           np.asarray(sample_weight[order], dtype=np.float64))


def merge_farthest(parts, count):
    """The ``count`` farthest of several :class:`FarthestSamples`, in the same order as one of all rows."""
    sq = np.concatenate([p.sq_distances for p in parts])
    rows = np.concatenate([p.rows for p in parts])
    order = np.lexsort((rows, -sq))[:count]
    return FarthestSamples(sq[order], rows[order], np.concatenate([p.points for p in parts])[order],
                           np.concatenate([p.labels for p in parts])[order],
                           np.concatenate([p.weights for p in parts])[order])


def relocate_empty_clusters(sums, weights, farthest):
    """Move each empty cluster onto one of the samples farthest from their centroid (in place).

    The sample leaves its old cluster's sum so that no point counts twice, and a cluster is never
    emptied to fill another; clusters left empty (fewer distinct samples than clusters) keep
    their previous centroid.
    """
    empty = list(np.flatnonzero(weights == 0))
    for sq, point, old, weight in zip(farthest.sq_distances, farthest.points, farthest.labels, farthest.weights):
        if not empty or sq <= 0:
            break
        if weights[old] - weight <= 0:
            continue
        cluster = empty.pop(0)
        sums[old] -= weight * point
        weights[old] -= weight
        sums[cluster] = weight * point
        weights[cluster] = weight


@njit(cache=True, nogil=True)
def centroids_from_sums(sums, weights, previous):
    r"""The course's ``computeCentroids``, :math:`\mu_j = S_j / W_j`, and how far the centroids moved.

    An empty cluster keeps its ``previous`` centroid. Returns the centroids and the total squared
    shift :math:`\sum_j \lVert \mu_j - \mu_j^{\text{previous}}\rVert^2`.
    """
    centroids = previous.copy()
    shift = 0.0
    for j in range(sums.shape[0]):
        if weights[j] > 0:
            # Times the reciprocal, as scikit-learn averages (and one division per cluster).
            inverse = 1.0 / weights[j]
            for f in range(sums.shape[1]):
                centroids[j, f] = sums[j, f] * inverse
                difference = centroids[j, f] - previous[j, f]
                shift += difference * difference
    return centroids, shift


def lloyd_iterations(statistics, farthest, centroids, max_iter, tol, progress):
    r"""Lloyd's algorithm from ``centroids`` (frame coordinates), the data reached through two callables.

    ``statistics(centroids)`` assigns every sample to its nearest centroid and returns
    ``(sums, weights, inertia)`` of that assignment: :math:`S_j = \sum_{c_i=j} w_i z_i`,
    :math:`W_j = \sum_{c_i=j} w_i` and :math:`\sum_i w_i \lVert z_i - \mu_{c_i}\rVert^2`.
    ``farthest(centroids, count)`` returns the :class:`FarthestSamples` of the same assignment,
    asked for only when a cluster is empty. The data may be in memory or in chunks on a cluster:
    only these k x p statistics reach this loop.

    Stops when the total squared shift of the centroids is at most ``tol`` (an unchanged
    assignment gives a shift of exactly 0).

    Returns
    -------
    centroids, n_iter, converged
    """
    converged = False
    for n_iter in range(1, max_iter + 1):
        sums, weights, inertia = statistics(centroids)
        progress.step(n_iter, inertia=inertia)
        if np.any(weights == 0):
            relocate_empty_clusters(sums, weights, farthest(centroids, 2 * centroids.shape[0]))
        centroids, shift = centroids_from_sums(sums, weights, centroids)
        if shift <= tol:
            converged = True
            break
    return centroids, n_iter, converged


def lloyd_statistics(X, frame, centroids, sample_weight, workers=SERIAL):
    r"""Assign every row of ``X`` to its nearest centroid and sum each cluster: one Lloyd step's data work.

    Returns
    -------
    labels : ndarray of shape (n_samples,) int32
    nearest_sq : ndarray of shape (n_samples,)
        Squared distance to the assigned centroid (frame units).
    sums, weights : ndarrays of shape (n_clusters, n_features) and (n_clusters,)
        :math:`S_j = \sum_{c_i=j} w_i z_i` and :math:`W_j = \sum_{c_i=j} w_i`, float64.
    inertia : float
        :math:`\sum_i w_i \lVert z_i - \mu_{c_i}\rVert^2`.
    """
    n_clusters = centroids.shape[0]
    if not sp.issparse(X):
        labels, nearest_sq, _ = nearest_centroids(X, frame, centroids, workers)
        sums, weights = cluster_sums(X, frame, labels, sample_weight, n_clusters, workers)
        return labels, nearest_sq, sums, weights, float(nearest_sq @ sample_weight)
    n_samples = X.shape[0]
    labels, nearest_sq = np.empty(n_samples, dtype=np.int32), np.empty(n_samples)
    centroids_T = panel_transpose(centroids)
    # The squared norms as scikit-learn's row_norms sums them, so that exact ties (sparse rows
    # sharing no word with any centroid) go the same way.
    c_squared = np.einsum("ij,ij->i", centroids, centroids)

    def part(rows):
        sums, weights = np.zeros((n_clusters, X.shape[1])), np.zeros(n_clusters)
        inertia = _csr_lloyd_rows(X.data, X.indices, X.indptr, rows.start, rows.stop, frame.inv_scale, centroids_T,
                                  c_squared, sample_weight, labels, nearest_sq, sums, weights)
        return sums, weights, inertia

    # A sparse row costs (its stored entries) x (clusters) multiply-adds: split by that work.
    work_per_row = max(X.nnz / max(n_samples, 1), 1.0) * n_clusters
    parts = workers.map(part, workers.row_slices(n_samples, int(_MIN_THREAD_WORK / work_per_row) + 1))
    sums, weights, inertia = parts[0]
    for part_sums, part_weights, part_inertia in parts[1:]:
        sums += part_sums
        weights += part_weights
        inertia += part_inertia
    return labels, nearest_sq, sums, weights, inertia


def kmeans_single_lloyd(X, frame, sample_weight, centroids, max_iter, tol, workers, progress):
    """Plain Lloyd iterations on in-memory data (the sparse path; dense data use Hamerly's bounds).

    Returns
    -------
    labels, centroids, inertia, n_iter, converged
        Centroids and inertia in frame coordinates; ``labels`` the nearest of the final centroids.
    """
    state = {}

    def statistics(centroids):
        labels, nearest_sq, sums, weights, inertia = lloyd_statistics(X, frame, centroids, sample_weight, workers)
        state.update(labels=labels, nearest_sq=nearest_sq, centroids=centroids, inertia=inertia)
        return sums, weights, inertia

    def farthest(centroids, count):
        return farthest_samples(X, frame, state["labels"], state["nearest_sq"], sample_weight, count)

    centroids, n_iter, converged = lloyd_iterations(statistics, farthest, centroids, max_iter, tol, progress)
    if not np.array_equal(centroids, state["centroids"]):  # else the last assignment is already final
        statistics(centroids)
    return state["labels"], centroids, state["inertia"], n_iter, converged
