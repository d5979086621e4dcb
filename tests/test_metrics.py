"""Tests of skdl.metrics: the ranking metrics against their definitions, and the scorer in CV."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, cross_validate

from skdl.datasets import load_movielens
from skdl.metrics import make_ranking_scorer, map_at_k, ndcg_at_k, precision_at_k, recall_at_k
from skdl.recommender import CollaborativeFilter


def _reference(X_test, y_test, recommended, k, threshold):
    """Each metric computed user by user from its textbook definition."""
    relevant = {}
    for (user, item), rating in zip(X_test, y_test):
        if rating >= threshold:
            relevant.setdefault(user, set()).add(item)
    scores = {"precision": [], "recall": [], "ndcg": [], "map": []}
    for user, items in relevant.items():
        ranked = list(recommended[user])[:k]
        hits = [item in items for item in ranked]
        scores["precision"].append(sum(hits) / k)
        scores["recall"].append(sum(hits) / len(items))
        dcg = sum(1 / np.log2(rank + 2) for rank, hit in enumerate(hits) if hit)
        ideal = sum(1 / np.log2(rank + 2) for rank in range(min(len(items), k)))
        scores["ndcg"].append(dcg / ideal)
        precisions = [sum(hits[: rank + 1]) / (rank + 1) for rank, hit in enumerate(hits) if hit]
        scores["map"].append(sum(precisions) / min(len(items), k))
    return {name: np.mean(values) for name, values in scores.items()}


METRICS = {"precision": precision_at_k, "recall": recall_at_k, "ndcg": ndcg_at_k, "map": map_at_k}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [1, 5, 10])
def test_metrics_match_their_definitions(seed, k):
    rng = np.random.default_rng(seed)
    users, items = rng.integers(0, 30, 400), rng.integers(0, 50, 400)
    X_test, y_test = np.column_stack([users, items]), rng.integers(1, 6, 400).astype(float)
    # Lists of varying length, some shorter than k, biased towards the held-out items.
    recommended = {
        user: rng.permutation(np.unique(np.concatenate([items[users == user][:3], rng.integers(0, 50, 8)])))[
            : rng.integers(0, 12)
        ]
        for user in range(30)
    }
    expected = _reference(X_test, y_test, recommended, k, threshold=4.0)
    for name, metric in METRICS.items():
        assert metric(X_test, y_test, recommended, k=k) == pytest.approx(expected[name], rel=1e-12)


def test_perfect_and_empty_lists():
    X_test = np.array([["ann", "up"], ["ann", "jaws"], ["bob", "heat"], ["bob", "alien"]], dtype=object)
    y_test = [5, 4, 5, 1]
    perfect = {"ann": ["jaws", "up"], "bob": ["heat"]}
    for metric in (recall_at_k, ndcg_at_k, map_at_k):
        assert metric(X_test, y_test, perfect, k=2) == 1.0
    assert precision_at_k(X_test, y_test, perfect, k=2) == pytest.approx((2 / 2 + 1 / 2) / 2)
    empty = {"ann": [], "bob": []}
    for metric in METRICS.values():
        assert metric(X_test, y_test, empty, k=2) == 0.0
    # Only ratings at or above the threshold count: "alien" (1 star) is no hit.
    assert precision_at_k(X_test, y_test, {"ann": [], "bob": ["alien"]}, k=1) == 0.0
    assert precision_at_k(X_test, y_test, {"ann": [], "bob": ["alien"]}, k=1, threshold=1) == 0.5


def test_dataframe_ids_by_name_and_clear_errors():
    frame = pd.DataFrame({"item": pd.array(["up", "jaws"], dtype="str"), "user": pd.array([7, 8], dtype="Int64")})
    assert ndcg_at_k(frame, [5, 5], {7: ["up"], 8: ["x", "jaws"]}, user_col="user", item_col="item", k=2) == (
        pytest.approx((1 + 1 / np.log2(3)) / 2)
    )
    with pytest.raises(ValueError, match="no list for 1 user"):
        precision_at_k(frame, [5, 5], {7: ["up"]}, user_col="user", item_col="item")
    with pytest.raises(ValueError, match="k must be a positive integer"):
        precision_at_k(frame, [5, 5], {7: [], 8: []}, k=0, user_col="user", item_col="item")
    with pytest.warns(UndefinedMetricWarning, match="No held-out rating"):
        assert np.isnan(recall_at_k([[1, 2]], [1.0], {}, threshold=4))


@pytest.fixture(scope="module")
def movielens_split():
    X, y = load_movielens(return_X_y=True)
    train, test = next(KFold(5, shuffle=True, random_state=0).split(X))
    return X[train], y[train], X[test], y[test]


def test_scorer_equals_the_metric_of_the_recommendations(movielens_split):
    X_train, y_train, X_test, y_test = movielens_split
    model = CollaborativeFilter(random_state=0).fit(X_train, y_train)
    users = np.unique(X_test[y_test >= 4, 0])
    recommended = dict(zip(users, model.recommend(users, n=10)))
    for name, metric in METRICS.items():
        assert make_ranking_scorer(name)(model, X_test, y_test) == metric(X_test, y_test, recommended)
    # The lists are far better than chance: random lists of unseen movies hit about 0.6% of the time.
    rng = np.random.default_rng(0)
    random_lists = {user: rng.choice(1682, 10, replace=False) + 1 for user in users}
    assert precision_at_k(X_test, y_test, recommended) > 5 * precision_at_k(X_test, y_test, random_lists)
    assert repr(make_ranking_scorer("map", k=5)) == "make_ranking_scorer('map_at_k', k=5, threshold=4.0)"
    with pytest.raises(ValueError, match="metric must be one of"):
        make_ranking_scorer("auc")


def test_scorer_in_cross_validation_and_grid_search(movielens_split):
    X, y = movielens_split[0][:20_000], movielens_split[1][:20_000]
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(CollaborativeFilter(random_state=0), X, y, cv=cv, scoring=make_ranking_scorer("ndcg"))
    assert scores.shape == (3,) and np.all((scores > 0) & (scores < 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        results = cross_validate(
            CollaborativeFilter(random_state=0), X, y, cv=cv,
            scoring={"rmse": "neg_root_mean_squared_error", "p@10": make_ranking_scorer("precision")},
        )
    assert np.all(results["test_p@10"] > 0)
    search = GridSearchCV(
        CollaborativeFilter(random_state=0), {"implicit": [False, True]}, cv=cv,
        scoring=make_ranking_scorer("precision", k=10),
    ).fit(X, y)
    means = search.cv_results_["mean_test_score"]
    assert np.all((means > 0) & (means < 1)) and means[0] != means[1]
    assert search.best_params_ == search.cv_results_["params"][int(np.argmax(means))]
