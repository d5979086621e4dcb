r"""Ranking metrics of top-k recommendation lists, judged against held-out ratings.

A held-out rating is *relevant* when it is at or above ``threshold``. For each user with at least
one relevant held-out rating (users without any are left out, where recall and NDCG are
undefined), let :math:`R_u` be those items, :math:`n_u = |R_u|`, and :math:`h_{u,r} = 1` when the
item at rank :math:`r \le k` of the user's list is in :math:`R_u`. Then

.. math::

    \mathrm{P@k} = \frac1k \sum_{r=1}^k h_{u,r}, \qquad
    \mathrm{R@k} = \frac{1}{n_u}\sum_{r=1}^k h_{u,r}, \qquad
    \mathrm{NDCG@k} = \frac{\sum_{r=1}^k h_{u,r} / \log_2(r + 1)}
                           {\sum_{r=1}^{\min(n_u, k)} 1 / \log_2(r + 1)}, \qquad
    \mathrm{AP@k} = \frac{1}{\min(n_u, k)} \sum_{r=1}^k h_{u,r}\,\mathrm{P@r},

each averaged over the users (MAP@k is the mean of AP@k). Relevance is binary: NDCG's gain is 1
for a relevant item, 0 otherwise. The lists come from the model, which leaves out the items a
user rated in training, so the held-out items compete with every unrated item, not only with
each other.
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ..recommender._ids import id_column, id_table


def precision_at_k(X_test, y_test, recommended, *, k=10, threshold=4.0, user_col=0, item_col=1):
    """Precision at k: the fraction of each user's top-k list that the user rated as relevant.

    Parameters
    ----------
    X_test : array-like or DataFrame of shape (n_ratings, n_columns)
        The held-out ratings' user and item ids, in columns ``user_col`` and ``item_col``.
    y_test : array-like of shape (n_ratings,)
        The held-out ratings.
    recommended : mapping
        Each evaluated user's ranked list of item ids, best first (a dict or a Series keyed by
        user id), for example ``dict(zip(users, model.recommend(users, n=k)))``.
    k : int, default=10
        Length of the lists judged; a shorter list counts its missing places as misses.
    threshold : float, default=4.0
        A held-out rating at or above it is relevant.
    user_col, item_col : int or str, default=0 and 1
        The id columns of ``X_test`` (positions, or names in a DataFrame).

    Returns
    -------
    score : float
        P@k averaged over the users with a relevant held-out rating (NaN, with a warning, when
        there is none).

    See Also
    --------
    recall_at_k : The share of the relevant items that each list finds.
    ndcg_at_k : Hits weighted by their rank.
    map_at_k : Precision at each hit's rank, averaged.
    make_ranking_scorer : Any of these as a scorer for model selection.

    Examples
    --------
    >>> from skdl.metrics import precision_at_k
    >>> X_test, y_test = [["ann", "up"], ["ann", "jaws"], ["bob", "up"]], [5, 2, 4]
    >>> precision_at_k(X_test, y_test, {"ann": ["up", "heat"], "bob": ["heat", "jaws"]}, k=2)
    0.25
    """
    hits, _ = _hits(X_test, y_test, recommended, k, threshold, user_col, item_col)
    return _mean(hits.sum(axis=1) / k)


def recall_at_k(X_test, y_test, recommended, *, k=10, threshold=4.0, user_col=0, item_col=1):
    """Recall at k: the fraction of each user's relevant held-out items found in the top-k list.

    Parameters
    ----------
    X_test : array-like or DataFrame of shape (n_ratings, n_columns)
        The held-out ratings' user and item ids, in columns ``user_col`` and ``item_col``.
    y_test : array-like of shape (n_ratings,)
        The held-out ratings.
    recommended : mapping
        Each evaluated user's ranked list of item ids, best first.
    k : int, default=10
        Length of the lists judged.
    threshold : float, default=4.0
        A held-out rating at or above it is relevant.
    user_col, item_col : int or str, default=0 and 1
        The id columns of ``X_test``.

    Returns
    -------
    score : float
        R@k averaged over the users with a relevant held-out rating.

    See Also
    --------
    precision_at_k : The share of each list that is relevant.
    ndcg_at_k : Hits weighted by their rank.
    map_at_k : Precision at each hit's rank, averaged.

    Examples
    --------
    >>> from skdl.metrics import recall_at_k
    >>> X_test, y_test = [["ann", "up"], ["ann", "jaws"], ["bob", "up"]], [5, 4, 4]
    >>> recall_at_k(X_test, y_test, {"ann": ["up", "heat"], "bob": ["heat", "up"]}, k=2)
    0.75
    """
    hits, n_relevant = _hits(X_test, y_test, recommended, k, threshold, user_col, item_col)
    return _mean(hits.sum(axis=1) / np.maximum(n_relevant, 1))


def ndcg_at_k(X_test, y_test, recommended, *, k=10, threshold=4.0, user_col=0, item_col=1):
    """Normalised discounted cumulative gain at k, with binary relevance.

    A hit at rank r gains :math:`1/\\log_2(r + 1)`; the sum is divided by that of a list with
    every relevant item first, so a perfect list scores 1.

    Parameters
    ----------
    X_test : array-like or DataFrame of shape (n_ratings, n_columns)
        The held-out ratings' user and item ids, in columns ``user_col`` and ``item_col``.
    y_test : array-like of shape (n_ratings,)
        The held-out ratings.
    recommended : mapping
        Each evaluated user's ranked list of item ids, best first.
    k : int, default=10
        Length of the lists judged.
    threshold : float, default=4.0
        A held-out rating at or above it is relevant.
    user_col, item_col : int or str, default=0 and 1
        The id columns of ``X_test``.

    Returns
    -------
    score : float
        NDCG@k averaged over the users with a relevant held-out rating.

    See Also
    --------
    precision_at_k : The share of each list that is relevant.
    map_at_k : Precision at each hit's rank, averaged.
    sklearn.metrics.ndcg_score : NDCG of dense score matrices with graded relevance.

    Examples
    --------
    >>> from skdl.metrics import ndcg_at_k
    >>> X_test, y_test = [["ann", "up"], ["bob", "up"]], [5, 4]
    >>> round(ndcg_at_k(X_test, y_test, {"ann": ["up", "heat"], "bob": ["heat", "up"]}, k=2), 4)
    0.8155
    """
    hits, n_relevant = _hits(X_test, y_test, recommended, k, threshold, user_col, item_col)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)[np.minimum(n_relevant, k) - 1]
    return _mean((hits * discounts).sum(axis=1) / ideal)


def map_at_k(X_test, y_test, recommended, *, k=10, threshold=4.0, user_col=0, item_col=1):
    """Mean average precision at k: precision at each hit's rank, averaged, then over users.

    Parameters
    ----------
    X_test : array-like or DataFrame of shape (n_ratings, n_columns)
        The held-out ratings' user and item ids, in columns ``user_col`` and ``item_col``.
    y_test : array-like of shape (n_ratings,)
        The held-out ratings.
    recommended : mapping
        Each evaluated user's ranked list of item ids, best first.
    k : int, default=10
        Length of the lists judged.
    threshold : float, default=4.0
        A held-out rating at or above it is relevant.
    user_col, item_col : int or str, default=0 and 1
        The id columns of ``X_test``.

    Returns
    -------
    score : float
        MAP@k over the users with a relevant held-out rating.

    See Also
    --------
    precision_at_k : The share of each list that is relevant.
    ndcg_at_k : Hits weighted by their rank.

    Examples
    --------
    >>> from skdl.metrics import map_at_k
    >>> X_test, y_test = [["ann", "up"], ["ann", "jaws"]], [5, 5]
    >>> map_at_k(X_test, y_test, {"ann": ["heat", "up", "jaws"]}, k=3)
    0.5833333333333333
    """
    hits, n_relevant = _hits(X_test, y_test, recommended, k, threshold, user_col, item_col)
    precision_at_rank = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    return _mean((precision_at_rank * hits).sum(axis=1) / np.minimum(n_relevant, k))


def relevant_users(X_test, y_test, *, threshold=4.0, user_col=0, item_col=1):
    """The distinct users of ``X_test`` with a held-out rating at or above ``threshold``."""
    users, _ = _relevant_pairs(X_test, y_test, threshold, user_col, item_col)
    return pd.unique(users)


def _relevant_pairs(X_test, y_test, threshold, user_col, item_col):
    table = id_table(X_test)
    users, items = id_column(table, user_col, "user_col"), id_column(table, item_col, "item_col")
    y_test = column_or_1d(np.asarray(y_test, dtype=float))
    check_consistent_length(users, y_test)
    relevant = y_test >= threshold
    return users[relevant], items[relevant]


def _hits(X_test, y_test, recommended, k, threshold, user_col, item_col):
    """``hits[u, r]`` (is the item at rank r of user u's list relevant) and each user's count."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}.")
    users, items = _relevant_pairs(X_test, y_test, threshold, user_col, item_col)
    user_codes, evaluated = pd.factorize(users)
    missing = [user for user in evaluated if user not in recommended]
    if missing:
        raise ValueError(
            f"recommended has no list for {len(missing)} user(s) with relevant held-out ratings, "
            f"for example {missing[:5]}; give a list (possibly empty) for each."
        )
    lists = [np.asarray(recommended[user], dtype=object)[:k] for user in evaluated]
    lengths = np.array([len(items_) for items_ in lists], dtype=np.int64)
    listed = np.concatenate(lists) if lists else np.zeros(0, dtype=object)
    item_codes, _ = pd.factorize(np.concatenate([np.asarray(items, dtype=object), listed]))
    n_codes = int(item_codes.max()) + 1 if len(item_codes) else 1
    relevant_keys = np.unique(user_codes * n_codes + item_codes[: len(items)])
    n_relevant = np.bincount(relevant_keys // n_codes, minlength=len(evaluated))
    rank_keys = np.full((len(evaluated), k), -1, dtype=np.int64)
    rows = np.repeat(np.arange(len(evaluated)), lengths)
    ranks = np.arange(len(listed)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    rank_keys[rows, ranks] = rows * n_codes + item_codes[len(items):]
    return np.isin(rank_keys, relevant_keys), n_relevant


def _mean(per_user):
    if not len(per_user):
        warnings.warn(
            "No held-out rating reaches the threshold, so no user can be evaluated; returning NaN.",
            UndefinedMetricWarning,
        )
        return float("nan")
    return float(np.mean(per_user))


_METRICS = {"precision": precision_at_k, "recall": recall_at_k, "ndcg": ndcg_at_k, "map": map_at_k}


class RankingScorer:
    """``scorer(estimator, X, y)``: a ranking metric of ``estimator.recommend`` on held-out ratings.

    Made by :func:`make_ranking_scorer`.
    """

    def __init__(self, metric, k, threshold):
        self.metric, self.k, self.threshold = metric, k, threshold

    def __call__(self, estimator, X, y, sample_weight=None):
        columns = {"user_col": getattr(estimator, "user_col", 0), "item_col": getattr(estimator, "item_col", 1)}
        users = relevant_users(X, y, threshold=self.threshold, **columns)
        lists = estimator.recommend(users, n=self.k) if len(users) else []
        recommended = dict(zip(users, lists))
        return self.metric(X, y, recommended, k=self.k, threshold=self.threshold, **columns)

    def __repr__(self):
        return f"make_ranking_scorer({self.metric.__name__!r}, k={self.k}, threshold={self.threshold})"


def make_ranking_scorer(metric="ndcg", *, k=10, threshold=4.0):
    """A scorer for ``GridSearchCV`` / ``cross_val_score`` from a ranking metric.

    The scorer, called as ``scorer(estimator, X_test, y_test)``, asks the fitted recommender for
    the top-``k`` list of every user with a relevant held-out rating (``estimator.recommend``,
    which leaves out the items each user rated in training) and scores the lists with
    ``metric``. Higher is better, as scikit-learn expects.

    Parameters
    ----------
    metric : {"precision", "recall", "ndcg", "map"} or callable, default="ndcg"
        :func:`precision_at_k`, :func:`recall_at_k`, :func:`ndcg_at_k`, :func:`map_at_k`, or a
        function with their signature.
    k : int, default=10
        Length of the lists.
    threshold : float, default=4.0
        A held-out rating at or above it is relevant.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``.

    See Also
    --------
    sklearn.metrics.make_scorer : The same for metrics of ``predict``.

    Examples
    --------
    >>> from sklearn.model_selection import KFold, cross_val_score
    >>> from skdl.datasets import load_movielens
    >>> from skdl.metrics import make_ranking_scorer
    >>> from skdl.recommender import CollaborativeFilter
    >>> X, y = load_movielens(return_X_y=True)
    >>> scores = cross_val_score(CollaborativeFilter(random_state=0), X, y,
    ...                          cv=KFold(3, shuffle=True, random_state=0),
    ...                          scoring=make_ranking_scorer("precision", k=10))
    >>> bool(scores.min() > 0.1)
    True
    """
    if isinstance(metric, str):
        if metric not in _METRICS:
            raise ValueError(f"metric must be one of {sorted(_METRICS)} or a callable; got {metric!r}.")
        metric = _METRICS[metric]
    return RankingScorer(metric, k, threshold)
