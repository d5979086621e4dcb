"""Choosing the density threshold: F1 on labelled data, or a (weighted) fraction of the training scores."""

import numpy as np
from sklearn.metrics import f1_score, make_scorer


def best_f1_threshold(scores, is_anomaly, weights=None):
    r"""Return ``(threshold, f1)``: the log-density cut that maximises F1 of the anomaly class.

    A sample is flagged when its score is strictly below the threshold. Every distinct score is a
    candidate cut: sorting the scores once, the true and false positives of all cuts are cumulative
    sums, so all candidates are evaluated at once. Among equally good cuts the one flagging fewest
    samples wins (the course's loop keeps the first, smallest, best epsilon). The threshold is put
    half-way (in log-density) between the last flagged and the first unflagged score.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        Log-densities, higher meaning more normal.
    is_anomaly : ndarray of bool of shape (n_samples,)
        True for the labelled anomalies; at least one must carry weight.
    weights : ndarray of shape (n_samples,), default=None
        Sample weights; weight k counts as k repeated samples.

    Returns
    -------
    threshold : float
        The chosen log-density cut.
    f1 : float
        F1 of the anomaly class at that cut, :math:`2\,tp / (2\,tp + fp + fn)`.
    """
    weights = np.ones(len(scores)) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = weights > 0
    scores, is_anomaly, weights = scores[keep], is_anomaly[keep], weights[keep]
    order = np.argsort(scores, kind="stable")
    scores, is_anomaly, weights = scores[order].astype(np.float64), is_anomaly[order], weights[order]
    true_positives = np.cumsum(np.where(is_anomaly, weights, 0.0))
    flagged = np.cumsum(weights)
    n_anomalies = true_positives[-1]
    # A cut can only fall after the last of a run of equal scores.
    cut = np.flatnonzero(np.r_[scores[1:] != scores[:-1], True])
    # 2 tp / (2 tp + fp + fn), with fp + tp = flagged and fn = n_anomalies - tp.
    f1 = 2.0 * true_positives[cut] / (flagged[cut] + n_anomalies)
    best = int(np.argmax(f1))
    last_flagged = cut[best]
    if last_flagged + 1 < len(scores):
        threshold = 0.5 * (scores[last_flagged] + scores[last_flagged + 1])
    else:
        threshold = np.nextafter(scores[last_flagged], np.inf)
    return float(threshold), float(f1[best])


def weighted_percentile(values, weights, q):
    """The ``q``-th percentile of ``values`` by numpy's default (linear) rule, with sample weights.

    With integer weights it equals ``np.percentile(np.repeat(values, weights), q)``: the position
    ``(W - 1) q / 100`` among the ``W`` repeated values, linearly interpolated between the two
    order statistics around it.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.anomaly._threshold import weighted_percentile
    >>> values, weights = np.array([3.0, 1.0, 2.0]), np.array([1, 0, 3])
    >>> float(weighted_percentile(values, weights, 80)), float(np.percentile([3, 2, 2, 2], 80))
    (2.4, 2.4)
    """
    weights = np.asarray(weights, dtype=np.float64)
    values, weights = _sorted_positive(values, weights)
    return _percentile_of_sorted(values, np.cumsum(weights), percentile_position(weights.sum(), q))


def percentile_position(total_weight, q):
    """The 0-based position, among ``total_weight`` repeated values, of numpy's ``q``-th percentile."""
    return max(total_weight - 1.0, 0.0) * q / 100.0


def _sorted_positive(values, weights):
    keep = weights > 0
    order = np.argsort(values[keep], kind="stable")
    return values[keep][order], weights[keep][order]


def _percentile_of_sorted(values, cumulative, position):
    """Linear interpolation between the repeated values at ``floor(position)`` and the next."""
    below = np.floor(position)
    # The k-th repeated value (0-based) is the first value whose cumulative weight exceeds k.
    index = np.minimum(np.searchsorted(cumulative, [below, below + 1.0], side="right"), len(values) - 1)
    low, high = values[index].astype(np.float64)
    return low + (position - below) * (high - low)


def lowest_values(values, weights, position):
    """The smallest ``values`` (sorted, with their weights) that a percentile at ``position`` can need.

    The values at repeated positions ``floor(position)`` and the next are among the smallest
    values whose weights add up past ``floor(position) + 1``: keeping only those from each part
    of the data (and again after merging two parts) loses nothing, so the percentile of data too
    large to gather comes from a small fraction of them (a dask tree reduction).
    """
    values, weights = _sorted_positive(values, np.asarray(weights, dtype=np.float64))
    needed = int(np.searchsorted(np.cumsum(weights), np.floor(position) + 1.0, side="right")) + 1
    return values[:needed], weights[:needed]


def merge_lowest_values(a, b, position):
    """:func:`lowest_values` of the union of two parts' lowest values."""
    return lowest_values(np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]), position)


def percentile_of_lowest(lowest, position):
    """The percentile at ``position`` from the lowest values of all the data."""
    values, weights = lowest
    return _percentile_of_sorted(values, np.cumsum(weights), position)


def _anomaly_f1(y_true, y_pred):
    return f1_score(np.asarray(y_true) == 1, np.asarray(y_pred) == -1, zero_division=0.0)


#: Scorer for ``GridSearchCV(scoring=...)``: F1 of the anomaly class, with ``y`` in the course's
#: labels (1 = anomaly, 0 = normal) and the detector's ``predict`` in scikit-learn's (-1 = anomaly).
anomaly_f1_scorer = make_scorer(_anomaly_f1)
anomaly_f1_scorer.__doc__ = """F1 of the anomaly class, for ``GridSearchCV(..., scoring=anomaly_f1_scorer)``.

Scores a fitted outlier detector on ``(X, y)`` with ``y`` in the course's convention (1 = anomaly,
0 = normal), mapping its ``predict`` (-1 = anomaly, +1 = normal) onto that convention first.
"""
