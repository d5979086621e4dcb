r"""Weighted means and centred scatter matrices in one pass over the rows, merged exactly.

The fits whose answer depends on the data only through its first two moments (the normal
equation of least squares and ridge, PCA's covariance, the Gaussian density of the anomaly
detector) read their data once, here. The rows of :math:`Z = [X \mid Y]` are taken in blocks of a
few thousand; each block is shifted by the running mean, in float64, while it sits in the
cache, and one BLAS ``syrk`` of it (with a column of ones) gives its weight, sums and scatter. Blocks are merged by the exact update
of Chan, Golub and LeVeque: for parts :math:`a, b` with weights :math:`W_a, W_b`, means
:math:`m_a, m_b` and scatters :math:`S_a, S_b`, with :math:`\delta = m_b - m_a` and
:math:`W = W_a + W_b`,

.. math::

    m = m_a + \frac{W_b}{W}\,\delta, \qquad
    S = S_a + S_b + \frac{W_a W_b}{W}\,\delta\delta^\top .

Every product is of centred values, so data far from the origin lose nothing to cancellation
(the uncentred :math:`X^\top X - W\bar x\bar x^\top` loses the digits the offset takes), and the
accuracy is that of the two-pass computation on the centred data. Extra memory is one block and
one :math:`q \times q` matrix per thread: ``X`` is never copied whole. float32 data are
accumulated in float64.

Row blocks are spread over threads (single-threaded BLAS each, see :mod:`skdl.utils._threads`);
a dask array is reduced chunk by chunk on its workers (:mod:`skdl.utils._dask`), with the same
merge, so the two give the same statistics up to rounding.

API
---
:class:`RowMoments`
    ``weight``, ``n_rows``, ``n_positive``, ``mean`` (``shift + offset``), ``scatter`` of
    :math:`[X \mid Y]`, with views
    on the ``X`` and ``Y`` parts (``x_mean``, ``y_mean``, ``xx``, ``xy``, ``yy``).
:func:`row_moments`
    ``row_moments(X, Y=None, sample_weight=None, scatter="full")`` for numpy or dask inputs.
:func:`merge_moments`
    Chan's update of two :class:`RowMoments`.
:func:`check_moments_finite`
    Turn non-finite statistics into the error that names the cause (NaN/inf in ``X``, overflow).
:func:`check_variances_representable`
    Refuse variances that the output dtype cannot hold (overflow; underflow of a varying column).

References
----------
T. F. Chan, G. H. Golub and R. J. LeVeque, "Algorithms for computing the sample variance:
analysis and recommendations", The American Statistician 37(3), 1983.

Examples
--------
>>> import numpy as np
>>> from skdl.utils._moments import row_moments
>>> X = 1e8 + np.array([[1.0, 2.0], [3.0, 5.0], [5.0, 11.0]])
>>> moments = row_moments(X)
>>> moments.mean - 1e8
array([3., 6.])
>>> moments.scatter  # sum of (x - mean)(x - mean)^T, exact despite the offset
array([[ 8., 18.],
       [18., 42.]])
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils import assert_all_finite

from ._threads import map_in_threads, n_threads, row_blocks

# Rows per block: a block of about 2 MiB of float64 (a buffer per thread) is long enough for
# syrk to run near full speed (measured at 20,000 x 500: 8 MiB blocks gain 3%, for 4 times the
# memory).
_BLOCK_VALUES = 2**18
_MIN_BLOCK_ROWS = 256


@dataclass
class RowMoments:
    r"""Weighted first and second moments of the rows of :math:`Z = [X \mid Y]`.

    The mean is kept as a shift (a row of the data) plus a small offset, so that the
    difference of two parts' means in Chan's update, :math:`\delta = (s_b - s_a) + (d_b - d_a)`,
    is computed without the rounding of two large means (the difference of two nearby shifts is
    exact in floating point).

    Attributes
    ----------
    weight : float
        :math:`W = \sum_i w_i` (the number of rows without weights).
    n_rows : int
        Rows read, zero weights included.
    n_positive : int
        Rows of positive weight.
    shift : ndarray of shape (q,)
        A reference point :math:`s` near the data (float64).
    offset : ndarray of shape (q,)
        :math:`d = m - s`, the mean's offset from it (float64).
    scatter : ndarray of shape (q, q) or (q,)
        :math:`S = \sum_i w_i (z_i - m)(z_i - m)^\top` (symmetric), or its diagonal only, float64.
    n_x : int
        How many of the ``q`` columns are ``X`` (the rest are ``Y``).
    """

    weight: float
    n_rows: int
    n_positive: int
    shift: np.ndarray
    offset: np.ndarray
    scatter: np.ndarray
    n_x: int

    @property
    def mean(self):
        r""":math:`m = \frac1W \sum_i w_i z_i = s + d`."""
        return self.shift + self.offset

    @property
    def is_diagonal(self):
        """Whether only the diagonal of the scatter matrix was accumulated."""
        return self.scatter.ndim == 1

    @property
    def x_mean(self):
        """The mean of the ``X`` columns."""
        return self.mean[: self.n_x]

    @property
    def y_mean(self):
        """The mean of the ``Y`` columns."""
        return self.mean[self.n_x:]

    @property
    def xx(self):
        r""":math:`\sum_i w_i (x_i - \bar x)(x_i - \bar x)^\top` (or its diagonal)."""
        return self.scatter[: self.n_x] if self.is_diagonal else self.scatter[: self.n_x, : self.n_x]

    @property
    def xy(self):
        r""":math:`\sum_i w_i (x_i - \bar x)(y_i - \bar y)^\top`, shape (n_x, n_y)."""
        return self.scatter[: self.n_x, self.n_x:]

    @property
    def yy(self):
        r""":math:`\sum_i w_i (y_i - \bar y)(y_i - \bar y)^\top` (or its diagonal)."""
        return self.scatter[self.n_x:] if self.is_diagonal else self.scatter[self.n_x:, self.n_x:]


def moments_of_mean_and_scatter(weight, n_rows, n_positive, mean, scatter, n_x):
    """:class:`RowMoments` from a mean and scatter computed elsewhere (shift zero)."""
    mean = np.asarray(mean, dtype=np.float64)
    return RowMoments(float(weight), n_rows, n_positive, np.zeros_like(mean), mean, scatter, n_x)


def merge_moments(a, b):
    r"""Chan's exact merge of the moments of two disjoint sets of rows.

    Parameters
    ----------
    a, b : RowMoments
        Moments of the same columns, with symmetric (or diagonal) scatters.

    Returns
    -------
    merged : RowMoments
        The moments of the union (with the shift of ``a``); ``a`` and ``b`` are not modified.
    """
    with np.errstate(invalid="ignore", over="ignore"):  # non-finite moments are reported later
        scatter = a.scatter + b.scatter
        if b.weight == 0:
            offset = a.offset.copy()
        elif a.weight == 0:
            offset = (b.shift - a.shift) + b.offset
        else:
            total = a.weight + b.weight
            delta = (b.shift - a.shift) + (b.offset - a.offset)
            offset = a.offset + (b.weight / total) * delta
            outer = delta * delta if a.is_diagonal else np.outer(delta, delta)
            scatter += (a.weight * b.weight / total) * outer
    return RowMoments(
        a.weight + b.weight, a.n_rows + b.n_rows, a.n_positive + b.n_positive, a.shift, offset, scatter, a.n_x
    )


def _shift_block(Z_parts, w, centre, buffer):
    r"""Write the block's rows minus ``centre`` into ``buffer``, times :math:`\sqrt{w}` when weighted.

    ``centre`` is the running mean of the blocks before, close to this block's mean, so the
    shifted values are small and their sums lose nothing to cancellation. A full scatter's buffer
    has one more column, :math:`\sqrt{w}` (ones without weights), so that one ``syrk`` gives the
    block's weight :math:`W_b`, its weighted sums and its scatter about ``centre`` together.
    """
    start = 0
    for part in Z_parts:
        columns = slice(start, start + part.shape[1])
        np.subtract(part, centre[columns], out=buffer[:, columns])
        start = columns.stop
    if w is not None:
        root = np.sqrt(w)
        buffer[:, :start] *= root[:, None]
        if buffer.shape[1] > start:
            buffer[:, start] = root


class _Accumulator:
    r"""Sequential Chan updates of one thread's blocks, in place.

    A block shifted by the running mean :math:`c` has weight :math:`W_b`, mean offset
    :math:`d` and scatter about its own mean :math:`S_b = \sum_i w_i (z_i - c)(z_i - c)^\top -
    W_b dd^\top`; its difference from the running mean is then (nearly) :math:`d` itself, never a
    difference of two large means. Rounding may leave the sum a hair from symmetric, so the
    result is read from its upper triangle.
    """

    def __init__(self, n_columns, diagonal):
        self.weight, self.n_rows, self.n_positive = 0.0, 0, 0
        self.shift = None
        self.offset = np.zeros(n_columns)
        shape = (n_columns,) if diagonal else (n_columns, n_columns)
        self.scatter = np.zeros(shape)
        self.diagonal = diagonal
        self._gram = None if diagonal else np.zeros((n_columns + 1, n_columns + 1))

    def centre(self, Z_parts, w):
        """Where the next block is shifted: the running mean (at first, a row of weight)."""
        if self.shift is None:
            row = 0 if w is None else int(np.flatnonzero(w)[0])
            self.shift = np.concatenate([np.asarray(part[row], dtype=np.float64) for part in Z_parts])
        return self.shift + self.offset

    def _block_diagonal(self, buffer, w):
        r"""``(W_b, d, diagonal of S_b)`` of a buffer holding :math:`\sqrt{w}(z - c)`."""
        if w is None:
            weight, d = float(len(buffer)), buffer.mean(axis=0)
        else:
            weight = float(w.sum())
            d = (np.sqrt(w) @ buffer) / weight
        return weight, d, np.einsum("ij,ij->j", buffer, buffer) - weight * d * d

    def add(self, buffer, w, centre):
        """Merge the block in ``buffer`` (shifted by ``centre`` with :func:`_shift_block`)."""
        q = len(self.offset)
        if self.diagonal:
            weight, d, block_scatter = self._block_diagonal(buffer, w)
            self.scatter += block_scatter
        else:
            # numpy's matmul runs B^T B as one syrk and releases the GIL, so the threads'
            # blocks are multiplied at once (scipy's BLAS wrappers hold it: they would take turns).
            gram = np.matmul(buffer.T, buffer, out=self._gram)
            weight = float(gram[q, q])
            d = gram[:q, q] / weight
        total = self.weight + weight
        correction = self.weight * weight / total
        # The block's mean is centre + d; centre - shift is exact (Sterbenz), offset its rounding.
        delta = ((centre - self.shift) - self.offset) + d
        if self.diagonal:
            self.scatter += correction * delta * delta
        else:
            # S += (G - W_b d d^T) + correction * delta delta^T, the block's Chan update.
            self.scatter += gram[:q, :q]
            self.scatter -= np.outer(weight * d, d)
            if correction:
                self.scatter += np.outer(correction * delta, delta)
        self.offset = self.offset + (weight / total) * delta
        self.weight = total

    def result(self, n_x):
        scatter = self.scatter
        if not self.diagonal:
            scatter = np.triu(scatter) + np.triu(scatter, 1).T
        shift = np.zeros_like(self.offset) if self.shift is None else self.shift
        return RowMoments(self.weight, self.n_rows, self.n_positive, shift, self.offset, scatter, n_x)


def _as_2d(Y):
    return None if Y is None else (Y[:, None] if Y.ndim == 1 else Y)


def _rows_moments(X, Y, w, rows, diagonal, block_rows):
    """The moments of ``X[rows]`` (and ``Y[rows]``), block by block on this thread.

    NaN, inf or overflow make the moments non-finite, which :func:`check_moments_finite`
    explains afterwards, so the floating-point warnings on the way are silenced.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        return _rows_moments_unchecked(X, Y, w, rows, diagonal, block_rows)


def _rows_moments_unchecked(X, Y, w, rows, diagonal, block_rows):
    n_columns = X.shape[1] + (0 if Y is None else Y.shape[1])
    accumulator = _Accumulator(n_columns, diagonal)
    # A full scatter's buffer carries a last column of ones (sqrt(w) when weighted): see _shift_block.
    buffer = np.empty((block_rows, n_columns + (0 if diagonal else 1)))
    if not diagonal:
        buffer[:, n_columns] = 1.0
    for start in range(rows.start, rows.stop, block_rows):
        block = slice(start, min(start + block_rows, rows.stop))
        w_block = None if w is None else w[block]
        parts = [X[block]] if Y is None else [X[block], Y[block]]
        n = block.stop - block.start
        n_positive = n if w is None else int(np.count_nonzero(w_block))
        accumulator.n_rows += n
        accumulator.n_positive += n_positive
        if n_positive == 0:
            continue
        centre = accumulator.centre(parts, w_block)
        _shift_block(parts, w_block, centre, buffer[:n])
        accumulator.add(buffer[:n], w_block, centre)
    return accumulator.result(X.shape[1])


def _numpy_row_moments(X, Y, w, diagonal, threads):
    n_columns = X.shape[1] + (0 if Y is None else Y.shape[1])
    block_rows = max(_MIN_BLOCK_ROWS, _BLOCK_VALUES // n_columns)
    threads = n_threads() if threads is None else threads
    ranges = row_blocks(X.shape[0], threads, min_rows=block_rows)
    parts = map_in_threads(lambda rows: _rows_moments(X, Y, w, rows, diagonal, block_rows), ranges, threads)
    merged = parts[0]
    for part in parts[1:]:
        merged = merge_moments(merged, part)
    return merged


def _chunk_moments(X, Y, w, diagonal):
    """The statistic of one dask chunk: its moments on the worker's own thread."""
    from ._dask import check_chunk_sample_weight

    check_chunk_sample_weight(w)
    return _numpy_row_moments(X, _as_2d(Y), w, diagonal, threads=1)


def row_moments(X, Y=None, sample_weight=None, *, scatter="full", n_jobs=None):
    r"""Weighted mean and centred scatter of the rows of :math:`[X \mid Y]`, in one pass.

    Parameters
    ----------
    X : ndarray or dask array of shape (n_samples, n_features)
        float64 or float32 data (numpy: any memory layout, read-only is fine).
    Y : ndarray or dask array of shape (n_samples,) or (n_samples, n_targets), default=None
        Targets accumulated alongside ``X`` (their cross-products with ``X`` in the scatter).
    sample_weight : ndarray or dask array of shape (n_samples,), default=None
        Non-negative weights (already validated); None means unit weights.
    scatter : {"full", "diag"}, default="full"
        The whole scatter matrix, or only its diagonal (per-column sums of squares).
    n_jobs : int, default=None
        Threads for a numpy input (None: every core available). Dask inputs use the workers.

    Returns
    -------
    moments : RowMoments
        float64 statistics; non-finite when ``X`` has NaN or inf or its squares overflow
        (:func:`check_moments_finite` says which).
    """
    diagonal = scatter == "diag"
    from ._dask import align_row_chunks, is_dask_collection, reduce_row_chunks

    if is_dask_collection(X):
        Y, sample_weight = align_row_chunks(X, Y, sample_weight)
        moments = reduce_row_chunks(_chunk_moments, merge_moments, X, Y, sample_weight, args=(diagonal,))
        if moments.weight <= 0:
            raise ValueError("sample_weight must have at least one positive weight.")
        return moments
    return _numpy_row_moments(X, _as_2d(Y), sample_weight, diagonal, n_jobs)


def _check_finite(array, name, estimator_name):
    """Raise scikit-learn's message when ``array`` (numpy or dask) has NaN or infinity."""
    if array is None:
        return
    if hasattr(array, "compute"):
        if not bool(np.isfinite(array).all().compute()):
            raise ValueError(f"Input {name} contains NaN or infinity.")
    else:
        assert_all_finite(array, input_name=name, estimator_name=estimator_name)


def check_moments_finite(moments, X, Y=None, *, estimator_name):
    """Raise the error that explains non-finite moments; do nothing when they are finite.

    NaN or infinity in ``X`` (or ``Y``) gives scikit-learn's own missing-value message
    (``check_array`` finds it, only on this failure path); finite data whose squares overflow
    float64 give a message that names the scale and what to do.

    Parameters
    ----------
    moments : RowMoments
        The statistics of ``X`` (and ``Y``).
    X : ndarray or dask array
        The data they came from (read again only if the moments are not finite).
    Y : ndarray or dask array, default=None
        The targets accumulated with ``X``, if any.
    estimator_name : str
        Named in the messages.

    Raises
    ------
    ValueError
        When the moments are not finite.
    """
    if np.all(np.isfinite(moments.mean)) and np.all(np.isfinite(moments.scatter)):
        return
    _check_finite(X, "X", estimator_name)
    _check_finite(Y, "y", estimator_name)
    largest = abs(X).max()
    largest = float(largest.compute() if hasattr(largest, "compute") else largest)
    data = "X" if Y is None else "X or y"
    raise ValueError(
        f"{estimator_name}: the scale of {data} is too large: its (co)variances overflow float64 "
        f"(X's values reach about {largest:.1e}). Divide {data} by a constant before fitting; the "
        "fit is scale-equivariant, so the answer rescales exactly."
    )


def _varying(X, columns, sample_weight):
    """Which of ``columns`` of ``X`` hold at least two different values (in rows of positive weight)."""
    if len(columns) == 0:
        return columns
    block = X[:, columns]
    if sample_weight is not None:
        block = block[(sample_weight if hasattr(sample_weight, "compute") else np.asarray(sample_weight)) > 0]
    spread = block.max(axis=0) - block.min(axis=0)
    if hasattr(spread, "compute"):
        spread = spread.compute()
    if hasattr(spread, "toarray"):  # sparse
        spread = spread.toarray()
    return columns[np.asarray(spread).ravel() > 0]


def check_variances_representable(moments, X, dtype, *, estimator_name, sample_weight=None):
    """Refuse data whose variances ``dtype`` cannot hold: overflow, or underflow of a varying column.

    The variances :math:`S_{jj} / W` are reported in the data's dtype. Below its smallest normal
    number they have lost their precision (or are 0) although the column may not be constant,
    which only a second look at those few columns can tell apart; above its largest value they
    would be infinite.

    Parameters
    ----------
    moments : RowMoments
        The (finite) statistics of ``X``.
    X : ndarray or dask array
        The data they came from (only the suspicious columns are read again).
    dtype : dtype
        The dtype the fitted variances are stored in.
    estimator_name : str
        Named in the messages.
    sample_weight : ndarray of shape (n_samples,), default=None
        The weights the moments were taken with: rows of zero weight do not count.

    Raises
    ------
    ValueError
        Naming the features and the scale, and what to do.
    """
    info = np.finfo(dtype)
    variances = np.diag(moments.xx) if not moments.is_diagonal else moments.xx
    variances = variances / max(moments.weight, np.finfo(np.float64).tiny)
    too_large = np.flatnonzero(variances > info.max)
    if len(too_large):
        raise ValueError(
            f"{estimator_name}: the scale of X is too large for {np.dtype(dtype).name}: the variances "
            f"of features {too_large[:10].tolist()} (up to {variances.max():.1e}) overflow "
            f"{np.dtype(dtype).name}. Divide X by a constant (or fit on float64) before fitting."
        )
    too_small = _varying(X, np.flatnonzero(variances < info.tiny), sample_weight)
    if len(too_small):
        raise ValueError(
            f"{estimator_name}: the scale of X is too small for {np.dtype(dtype).name}: the variances "
            f"of features {too_small[:10].tolist()} underflow {np.dtype(dtype).name} (values that "
            f"differ by less than about {np.sqrt(info.tiny):.0e}). Multiply X by a constant before "
            "fitting; the fit is scale-equivariant, so the answer rescales exactly."
        )
