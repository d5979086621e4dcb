"""Top-n recommendation lists for many users at once, through matrix products in batches.

Each batch of users gets its scores :math:`\\mu + c_i + x_i^\\top p_u` for every item as one
(batch x items) matrix product; the items a user rated are set to :math:`-\\infty` from the
user's stored pairs; ``argpartition`` then picks each row's best ``n`` without sorting the row.
"""

import numpy as np

_SCORES_PER_BATCH = 1 << 21


def top_n_codes(user_vectors, known, item_factors, item_offset, seen, n):
    """The codes of each user's ``n`` best items, best first.

    Parameters
    ----------
    user_vectors : callable
        ``user_vectors(codes)`` -> the vectors :math:`p_u` of those (known) users.
    known : ndarray of int
        User codes, -1 for a user the model does not know (scored by ``item_offset`` alone).
    item_factors : ndarray of shape (n_items, k)
    item_offset : ndarray of shape (n_items,)
        :math:`\\mu + c_i`.
    seen : callable or None
        ``seen(codes)`` -> ``(row, item)`` arrays of the rated pairs of those users (``row``
        indexing ``codes``); None keeps rated items in the lists.
    n : int

    Returns
    -------
    lists : list of ndarray
        One array of item codes per user, of length ``min(n, items not excluded)``.
    """
    n_items = len(item_offset)
    batch = max(1, _SCORES_PER_BATCH // max(n_items, 1))
    lists = []
    for start in range(0, len(known), batch):
        codes = known[start : start + batch]
        is_known = np.flatnonzero(codes >= 0)
        scores = np.tile(item_offset, (len(codes), 1))
        if len(is_known):
            scores[is_known] += user_vectors(codes[is_known]) @ item_factors.T
            if seen is not None:
                row, item = seen(codes[is_known])
                scores[is_known[row], item] = -np.inf
        lists.extend(top_n_rows(scores, n))
    return lists


def top_n_rows(scores, n):
    """Column indices of the ``n`` largest finite scores of each row, largest first."""
    n_rows, n_cols = scores.shape
    m = min(n, n_cols)
    if m <= 0:
        return [np.zeros(0, dtype=np.intp) for _ in range(n_rows)]
    if m < n_cols:
        candidates = np.argpartition(-scores, m - 1, axis=1)[:, :m]
    else:
        candidates = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols))
    candidate_scores = np.take_along_axis(scores, candidates, axis=1)
    order = np.argsort(-candidate_scores, axis=1, kind="stable")
    best = np.take_along_axis(candidates, order, axis=1)
    # Excluded items score -inf and sort last: each row keeps its finite prefix.
    n_finite = np.isfinite(np.take_along_axis(candidate_scores, order, axis=1)).sum(axis=1)
    return [best[r, : n_finite[r]] for r in range(n_rows)]
