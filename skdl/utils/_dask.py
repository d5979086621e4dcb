"""Dask arrays in the estimators: statistics reduced over row chunks, predictions chunk by chunk.

A fit whose answer depends on the data only through sufficient statistics (sums, means, Gram
matrices, per-cluster sums) runs on a :mod:`dask.array` without ever gathering the data: each row
chunk's statistic is computed where the chunk lives, the statistics are combined pairwise in a
tree (``split_every`` at a time, on the workers), and only the final, small result reaches the
client. Predictions and transforms map the fitted estimator's own numpy method over the row
chunks and return a dask array, so nothing is computed until the caller asks.

The module imports dask only when it is given a dask collection, so skdl itself never needs it.

API
---
:func:`is_dask_collection`
    Whether an input is a dask collection (checked without importing dask).
:func:`as_row_chunked`
    A 2-D dask array of a float dtype, one chunk across the columns.
:func:`align_row_chunks`
    Targets and weights (numpy or dask) as dask arrays with the row chunks of ``X``.
:func:`reduce_row_chunks`
    ``combine(statistic(chunk_0), statistic(chunk_1), ...)`` as a tree reduction, computed.
:func:`map_row_chunks`
    A lazy dask array of ``function(chunk)`` for every row chunk.
:func:`check_dask_features`
    ``n_features_in_`` (and ``feature_names_in_``) set or checked, as ``validate_data`` does.
:func:`check_dask_sample_weight`, :func:`check_chunk_sample_weight`
    Sample weights for a dask ``X``, aligned to its chunks; each chunk's checked where it lives.
:func:`blockwise`
    A fitted estimator's method (``predict``, ``transform``, ``score_samples``) on a dask array,
    lazily, chunk by chunk.

Examples
--------
The column sums of a dask array, as a KMeans or a linear model would reduce its statistics:

>>> import numpy as np
>>> import pytest
>>> da = pytest.importorskip("dask.array")
>>> from skdl.utils._dask import reduce_row_chunks, map_row_chunks
>>> X = da.from_array(np.arange(12.0).reshape(6, 2), chunks=(2, 2))
>>> reduce_row_chunks(lambda chunk: chunk.sum(axis=0), np.add, X)
array([30., 36.])
>>> map_row_chunks(lambda chunk: chunk[:, 0] + chunk[:, 1], X, dtype=np.float64).compute()
array([ 1.,  5.,  9., 13., 17., 21.])
"""

import copy
import functools
import sys

import numpy as np

from ._compat import _check_feature_names, _check_n_features


def is_dask_collection(X):
    """Whether ``X`` is a dask collection (array, dataframe, series), without importing dask.

    Parameters
    ----------
    X : object
        Any input.

    Returns
    -------
    is_dask : bool
    """
    if "dask" not in sys.modules:
        return False
    from dask import is_dask_collection as _is_dask_collection

    return bool(_is_dask_collection(X))


def as_row_chunked(X, *, dtype=(np.float64, np.float32), name="X"):
    """``X`` as a 2-D dask array chunked by rows only, of one of the float ``dtype``s.

    A dask DataFrame becomes its array (with known chunk lengths). Chunks across the columns are
    merged (``rechunk({1: -1})``): the statistics of a row chunk need all of its columns. A dtype
    outside ``dtype`` is converted lazily to the first of them, as ``check_array`` would.

    Parameters
    ----------
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        The data.
    dtype : tuple of dtypes, default=(float64, float32)
        The accepted dtypes; any other numeric dtype is cast to the first.
    name : str, default="X"
        How the input is named in error messages.

    Returns
    -------
    X : dask array of shape (n_samples, n_features)

    Raises
    ------
    ValueError
        When ``X`` is not 2-D or has no rows or columns.
    TypeError
        When ``X`` is not numeric.
    """
    import dask.array as da

    if not isinstance(X, da.Array):
        if hasattr(X, "to_dask_array"):
            X = X.to_dask_array(lengths=True)
        else:
            raise TypeError(f"{name} must be a dask array or a dask DataFrame; got {type(X).__name__}.")
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array for {name}; got {X.ndim} dimension(s), shape {X.shape}.")
    if X.shape[1] == 0 or X.shape[0] == 0:
        raise ValueError(f"{name} has shape {X.shape}: at least one row and one column are required.")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric for a fit on a dask array; got dtype {X.dtype}.")
    if X.dtype not in [np.dtype(d) for d in dtype]:
        X = X.astype(dtype[0])
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    return X


def align_row_chunks(X, *arrays):
    """Each of ``arrays`` (numpy, dask or None) as a dask array with the row chunks of ``X``.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        The row-chunked data (see :func:`as_row_chunked`).
    *arrays : array-like of shape (n_samples,) or (n_samples, k), dask array or None
        Targets, weights: ``None`` stays ``None``; a numpy array is split into ``X``'s row
        chunks; a dask array is rechunked to them (one chunk across its columns).

    Returns
    -------
    aligned : list
        The arrays in the same order.

    Raises
    ------
    ValueError
        When an array's number of rows differs from that of ``X``.
    """
    import dask.array as da

    aligned = []
    for array in arrays:
        if array is None:
            aligned.append(None)
            continue
        if not isinstance(array, da.Array):
            array = np.asarray(array)
        if not np.isnan(X.shape[0]) and not np.isnan(array.shape[0]) and array.shape[0] != X.shape[0]:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: [{X.shape[0]}, {array.shape[0]}]."
            )
        row_chunks = {0: X.chunks[0]} | {axis: -1 for axis in range(1, array.ndim)}
        if isinstance(array, da.Array):
            if np.isnan(X.shape[0]):
                if array.numblocks[0] != X.numblocks[0]:
                    raise ValueError("With unknown chunk sizes, X and y must have the same number of row chunks.")
            else:
                array = array.rechunk(row_chunks)
        else:
            array = da.from_array(array, chunks=tuple(row_chunks[axis] for axis in range(array.ndim)))
        aligned.append(array)
    return aligned


def _chunk_statistics(statistic, arrays, args):
    """One delayed ``statistic(*chunks, *args)`` per row chunk.

    The chunks are taken from the arrays' graphs unoptimised, so that arrays computed from the
    same chunks (``y = X @ beta``, or X, y and weights generated together on the workers) share
    their keys and each chunk is computed once, on one worker, next to its statistic.
    """
    from dask import delayed

    columns = []
    for array in arrays:
        if array is None:
            columns.append(None)
            continue
        blocks = array.to_delayed(optimize_graph=False)
        columns.append(blocks.reshape(blocks.shape[0], -1)[:, 0])
    n_chunks = next(len(blocks) for blocks in columns if blocks is not None)
    extra = [delayed(arg, pure=True) if isinstance(arg, np.ndarray) else arg for arg in args]
    return [
        delayed(statistic, pure=True)(*(None if blocks is None else blocks[i] for blocks in columns), *extra)
        for i in range(n_chunks)
    ]


def _combine_all(combine, *statistics):
    return functools.reduce(combine, statistics)


def reduce_row_chunks(statistic, combine, *arrays, args=(), split_every=8):
    """The statistic of all the rows: ``statistic`` per row chunk, ``combine``\\ d in a tree, computed.

    Each task computes ``statistic(x_chunk, y_chunk, ..., *args)`` on the worker that holds the
    chunks; ``combine(a, b)`` merges two chunk results, applied ``split_every`` at a time on the
    workers, so that only the final result travels to the client. ``combine`` must be
    associative (sums; Chan's merge of moments) for the answer not to depend on the tree's shape.

    Parameters
    ----------
    statistic : callable
        ``statistic(*chunks, *args) -> result`` for one row chunk of each array (``None`` where
        an array is ``None``). Exceptions it raises (bad values) reach the caller.
    combine : callable
        ``combine(a, b) -> result`` of two results.
    *arrays : dask arrays or None
        Arrays with the same row chunks (see :func:`align_row_chunks`).
    args : tuple, default=()
        Extra arguments given to every ``statistic`` call (centroids, coefficients; small).
    split_every : int, default=8
        How many results one combining task merges.

    Returns
    -------
    result : object
        The combined statistic, on the client.
    """
    import dask
    from dask import delayed

    level = _chunk_statistics(statistic, arrays, args)
    merge = functools.partial(_combine_all, combine)
    while len(level) > 1:
        level = [
            delayed(merge, pure=True)(*level[start:start + split_every])
            for start in range(0, len(level), split_every)
        ]
    (result,) = dask.compute(level[0])
    return result


def map_row_chunks(function, X, *, dtype, n_columns=None, args=()):
    """A lazy dask array of ``function(x_chunk, *args)`` for every row chunk of ``X``.

    Parameters
    ----------
    function : callable
        ``function(x_chunk, *args)`` returns an array of ``len(x_chunk)`` rows: 1-D when
        ``n_columns`` is None, else with ``n_columns`` columns. A bound method of a fitted
        estimator (``self.predict``) works: the estimator is sent to the workers with the graph.
    X : dask array of shape (n_samples, n_features)
        Row-chunked data (see :func:`as_row_chunked`).
    dtype : dtype
        The dtype of the result.
    n_columns : int, default=None
        Columns of the result; None for a 1-D result (predictions, scores).
    args : tuple, default=()
        Extra arguments of ``function``.

    Returns
    -------
    result : dask array of shape (n_samples,) or (n_samples, n_columns)
    """
    if n_columns is None:
        return X.map_blocks(function, *args, dtype=dtype, drop_axis=1, meta=np.empty((0,), dtype=dtype))
    return X.map_blocks(
        function, *args, dtype=dtype, chunks=(X.chunks[0], (n_columns,)), meta=np.empty((0, 0), dtype=dtype)
    )


def check_dask_features(estimator, X, *, reset):
    """Set (``reset=True``, in ``fit``) or check ``n_features_in_`` and feature names for a dask input.

    ``validate_data`` would compute the whole array; this reads only its shape (and, for a dask
    DataFrame, its column names).

    Parameters
    ----------
    estimator : estimator instance
        The estimator being fitted or used.
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        The input, before :func:`as_row_chunked`.
    reset : bool
        Whether this is ``fit`` (store) or a later method (check).

    Raises
    ------
    ValueError
        When the number of features (or their names) differs from what the estimator was fitted on.
    """
    _check_feature_names(estimator, X, reset=reset)
    _check_n_features(estimator, X, reset=reset)


def check_dask_sample_weight(sample_weight, X):
    """Sample weights (numpy, dask or None) for a row-chunked dask ``X``, aligned to its chunks.

    A numpy weight is checked at once by :func:`skdl.utils._validation.check_sample_weight`. A
    dask weight is converted lazily: reading it separately would cost a pass over the data
    that produce it, so the statistic of each chunk checks its own weights with
    :func:`check_chunk_sample_weight`, in the same pass as the fit.

    Parameters
    ----------
    sample_weight : array-like or dask array of shape (n_samples,), or None
        The weights; None means unit weights (returned as None).
    X : dask array of shape (n_samples, n_features)
        The row-chunked data.

    Returns
    -------
    sample_weight : dask array of shape (n_samples,) or None
        float64, with the row chunks of ``X``.
    """
    import dask.array as da

    from ._validation import check_sample_weight

    if sample_weight is None:
        return None
    if not isinstance(sample_weight, da.Array):
        rows = np.empty((int(X.shape[0]), 0)) if not np.isnan(X.shape[0]) else None
        sample_weight = check_sample_weight(sample_weight, rows, dtype=np.float64)
        return align_row_chunks(X, sample_weight)[0]
    return align_row_chunks(X, sample_weight.astype(np.float64))[0]


def check_chunk_sample_weight(sample_weight):
    """Refuse negative or non-finite weights of one chunk (run where the chunk lives).

    Parameters
    ----------
    sample_weight : ndarray of shape (n_rows,) or None
        The chunk's weights.

    Raises
    ------
    ValueError
        Naming the first bad weight.
    """
    if sample_weight is None:
        return
    bad = np.flatnonzero(~np.isfinite(sample_weight) | (sample_weight < 0))
    if bad.size:
        raise ValueError(
            "sample_weight must be finite and non-negative (a weight counts repetitions of a row); "
            f"got {sample_weight[bad[0]]} in a chunk of the dask array."
        )


def blockwise(method, X):
    """A fitted estimator's ``method`` on every row chunk of the dask array ``X``, lazily.

    ``method`` is a bound method such as ``estimator.predict``; the estimator travels with the
    graph (a copy with ``n_jobs=1`` when it has that parameter: the workers are the
    parallelism). The features are checked as ``validate_data`` would, and one row of zeros
    tells the result's dtype and number of columns, so nothing is computed here.

    Parameters
    ----------
    method : bound method
        ``predict``, ``transform``, ``score_samples``, ``decision_function``...
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        The data.

    Returns
    -------
    result : dask array of shape (n_samples,) or (n_samples, n_outputs)
    """
    estimator = method.__self__
    check_dask_features(estimator, X, reset=False)
    X = as_row_chunked(X)
    if "n_jobs" in estimator.get_params(deep=False):
        # The workers are the parallelism: each chunk runs on its worker's one thread.
        estimator = copy.copy(estimator).set_params(n_jobs=1)
        method = getattr(estimator, method.__name__)
    probe = np.asarray(method(np.zeros((1, X.shape[1]), dtype=X.dtype)))
    n_columns = None if probe.ndim == 1 else probe.shape[1]
    return map_row_chunks(method, X, dtype=probe.dtype, n_columns=n_columns)
