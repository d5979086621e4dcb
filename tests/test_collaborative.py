"""Tests of CollaborativeFilter: the course's ex8 results, the walkthrough, cold start, scale."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skdl.datasets import load_movie_factors, load_movielens
from skdl.recommender import CollaborativeFilter
from skdl.recommender._als import solve_ridge_rows, with_ones
from skdl.recommender._cost import cofi_cost_grad, flat_cost_grad, pack, unpack
from skdl.recommender._implicit import implicit_matrix
from skdl.recommender._ratings import RatingData
from skdl.utils import check_gradient

# The course's new user (ex8_cofi.m): 1-based movie id -> rating.
MY_RATINGS = {1: 4, 98: 2, 7: 3, 12: 5, 54: 4, 64: 5, 66: 3, 69: 5, 183: 4, 226: 5, 355: 5}


@pytest.fixture(scope="module")
def movielens():
    return load_movielens()


def _course_subset(movielens, n_users=4, n_movies=5, n_features=3):
    """The dense Y, R (movies x users) and parameters of ex8's small cost check."""
    X, y = movielens.data, movielens.target
    keep = (X[:, 0] <= n_users) & (X[:, 1] <= n_movies)
    Y, R = np.zeros((n_movies, n_users)), np.zeros((n_movies, n_users))
    Y[X[keep, 1] - 1, X[keep, 0] - 1] = y[keep]
    R[X[keep, 1] - 1, X[keep, 0] - 1] = 1
    factors = load_movie_factors()
    return Y, R, factors.X[:n_movies, :n_features], factors.Theta[:n_users, :n_features]


def _course_cost_dense(Y, R, X, Theta, lam):
    """ex8's cofiCostFunc written densely, as the course does, as an independent reference."""
    J = 0.5 * np.sum(((X @ Theta.T - Y) * R) ** 2) + lam / 2 * (np.sum(Theta**2) + np.sum(X**2))
    return J, ((X @ Theta.T - Y) * R) @ Theta + lam * X, ((X @ Theta.T - Y) * R).T @ X + lam * Theta


def _ratings_from_dense(Y, R):
    items, users = np.nonzero(R)
    ones = np.ones(len(users))
    return RatingData.from_ratings(users, items, Y[items, users], ones, R.shape[1], R.shape[0])


@pytest.mark.parametrize("lam, expected", [(0.0, 22.22), (1.5, 31.34)])
def test_course_cost_on_small_subset(movielens, lam, expected):
    Y, R, X, Theta = _course_subset(movielens)
    assert R.sum() > 0
    data = _ratings_from_dense(Y, R)
    cost, (grad_theta, grad_x) = cofi_cost_grad(Theta, X, data, lam)
    assert cost == pytest.approx(expected, abs=0.005)
    reference_cost, reference_grad_x, reference_grad_theta = _course_cost_dense(Y, R, X, Theta, lam)
    assert cost == pytest.approx(reference_cost, rel=1e-12)
    np.testing.assert_allclose(grad_x, reference_grad_x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_theta, reference_grad_theta, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("with_biases", [False, True])
def test_cost_gradient_passes_numerical_check(movielens, with_biases):
    Y, R, X, Theta = _course_subset(movielens)
    data = _ratings_from_dense(Y, R)
    rng = np.random.default_rng(0)
    arrays = [Theta, X] + ([rng.normal(size=4), rng.normal(size=5)] if with_biases else [])
    shapes = [a.shape for a in arrays]
    fun_grad = flat_cost_grad(data, 1.5, 3.5 if with_biases else 0.0, shapes, np.float64)
    theta = pack(arrays)
    relative_difference = check_gradient(lambda t: fun_grad(t)[0], lambda t: fun_grad(t)[1], theta)
    assert relative_difference < 1e-9
    assert [a.shape for a in unpack(theta, shapes, np.float64)] == shapes


def _with_new_user(movielens, user_id=0):
    X_new = np.array([[user_id, movie] for movie in MY_RATINGS])
    y_new = np.array(list(MY_RATINGS.values()), dtype=float)
    return X_new, y_new


def _assert_well_rated_popular_unseen(movielens, recommended):
    X, y = movielens.data, movielens.target
    counts = np.bincount(X[:, 1], minlength=X[:, 1].max() + 1)
    means = np.bincount(X[:, 1], weights=y, minlength=len(counts)) / np.maximum(counts, 1)
    assert len(recommended) == 10
    assert not set(recommended.tolist()) & set(MY_RATINGS)
    # The course's list is of this kind: Star Wars, Schindler's List, Titanic, ...
    assert counts[recommended].min() >= 50
    assert means[recommended].min() >= 3.9
    # Well above the typical movie: the mean rating of all movies is about 3.1.
    assert means[recommended].mean() > means[counts > 0].mean() + 1.0


def test_course_walkthrough_refit_recommends_well_rated_movies(movielens):
    X_new, y_new = _with_new_user(movielens)
    model = CollaborativeFilter(random_state=0).fit(
        np.vstack([movielens.data, X_new]), np.concatenate([movielens.target, y_new])
    )
    recommended = model.recommend(0, n=10)
    _assert_well_rated_popular_unseen(movielens, recommended)
    titles = movielens.titles[recommended - 1]
    assert "Star Wars (1977)" in titles or "Schindler's List (1993)" in titles
    # The course's "related movies": Star Wars's neighbours are its sequels.
    assert {172, 181} <= set(model.similar_items(50, n=3).tolist())
    # With exclude_seen=False the user's favourites may come back.
    assert set(model.recommend(0, n=1682, exclude_seen=False).tolist()) >= set(MY_RATINGS)


def test_partial_fit_gives_a_new_user_recommendations_at_once(movielens):
    model = CollaborativeFilter(random_state=0).fit(movielens.data, movielens.target)
    before = model.item_factors_.copy()
    X_new, y_new = _with_new_user(movielens)
    model.partial_fit(X_new, y_new)
    assert len(model.users_) == 944 and model.users_[-1] == 0
    assert np.abs(model.user_factors_[-1]).sum() > 0
    # Only the items the newcomer rated moved.
    moved = np.flatnonzero(np.abs(model.item_factors_ - before).sum(axis=1) > 0)
    assert set(model.items_[moved].tolist()) <= set(MY_RATINGS)
    recommended = model.recommend(0, n=10)
    _assert_well_rated_popular_unseen(movielens, recommended)
    refit = CollaborativeFilter(random_state=0).fit(
        np.vstack([movielens.data, X_new]), np.concatenate([movielens.target, y_new])
    )
    assert len(set(recommended.tolist()) & set(refit.recommend(0, n=10).tolist())) >= 6
    # The newcomer's own ratings are fitted about as well as by the full refit.
    own_error = np.abs(model.predict(X_new) - y_new).mean()
    assert own_error < np.abs(refit.predict(X_new) - y_new).mean() + 0.3


def test_partial_fit_on_unfitted_model_is_fit():
    X, y = [[1, 1], [1, 2], [2, 1]], [5.0, 3.0, 4.0]
    a = CollaborativeFilter(n_factors=2, random_state=0).partial_fit(X, y)
    b = CollaborativeFilter(n_factors=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_one_fold_rmse_beats_baselines(movielens):
    # The 5-fold figure (<= 0.925) is measured in benchmarks/bench_recommender.py.
    X, y = movielens.data, movielens.target
    train, test = next(KFold(5, shuffle=True, random_state=0).split(X))
    model = CollaborativeFilter(random_state=0).fit(X[train], y[train])
    rmse = mean_squared_error(y[test], model.predict(X[test])) ** 0.5
    biases_only = CollaborativeFilter(n_factors=1, alpha=1e6, random_state=0).fit(X[train], y[train])
    global_mean_rmse = np.std(y[test] - y[train].mean())
    assert rmse < 0.93
    assert rmse < global_mean_rmse - 0.18
    assert rmse < mean_squared_error(y[test], biases_only.predict(X[test])) ** 0.5


@pytest.mark.parametrize("solver", ["lbfgs", "cg"])
def test_gradient_solvers_reach_the_als_cost(solver):
    rng = np.random.default_rng(0)
    n_users, n_items, k = 40, 30, 3
    truth = rng.normal(size=(n_users, k)) @ rng.normal(size=(k, n_items))
    users, items = rng.integers(0, n_users, 500), rng.integers(0, n_items, 500)
    X, y = np.column_stack([users, items]), truth[users, items] + 3 + 0.1 * rng.normal(size=500)
    als = CollaborativeFilter(n_factors=k, alpha=1.0, max_iter=500, tol=1e-9, random_state=0).fit(X, y)
    gradient = CollaborativeFilter(
        n_factors=k, alpha=1.0, solver=solver, max_iter=5000, tol=1e-6, random_state=0
    ).fit(X, y)
    # The same objective: the minima found are equally good (non-convex, so not identical).
    assert gradient.cost_ == pytest.approx(als.cost_, rel=0.02)
    assert als.loss_curve_ == sorted(als.loss_curve_, reverse=True)


def test_cold_start_falls_back_to_biases():
    X = [["ann", "alien"], ["ann", "brazil"], ["bob", "alien"], ["bob", "casablanca"], ["cat", "brazil"]]
    y = [5.0, 4.0, 4.0, 1.0, 5.0]
    model = CollaborativeFilter(n_factors=2, alpha=0.5, random_state=0).fit(X, y)
    mu = model.global_mean_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pred = model.predict([["zoe", "alien"], ["ann", "dune"], ["zoe", "dune"]])
    alien, ann = list(model.items_).index("alien"), list(model.users_).index("ann")
    assert pred[0] == pytest.approx(mu + model.item_bias_[alien])
    assert pred[1] == pytest.approx(mu + model.user_bias_[ann])
    assert pred[2] == pytest.approx(mu)
    # An unknown user's recommendations are the items with the largest bias.
    assert model.recommend("zoe", n=1)[0] == model.items_[np.argmax(model.item_bias_)]


def test_predictions_are_clipped_to_the_training_range():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 20, size=(300, 2))
    y = rng.integers(1, 6, size=300).astype(float)
    model = CollaborativeFilter(n_factors=5, alpha=1e-3, random_state=0).fit(X, y)
    pred = model.predict(rng.integers(0, 25, size=(500, 2)))
    assert pred.min() >= 1.0 and pred.max() <= 5.0
    assert model.rating_range_ == (1.0, 5.0)


def test_string_ids_and_dataframes_match_integer_ids(movielens):
    X, y = movielens.data[:3000], movielens.target[:3000]
    as_ints = CollaborativeFilter(n_factors=4, random_state=0).fit(X, y)
    frame = pd.DataFrame({"user": [f"u{u:04d}" for u in X[:, 0]], "movie": [f"m{i:04d}" for i in X[:, 1]]})
    as_strings = CollaborativeFilter(n_factors=4, random_state=0).fit(frame, y)
    np.testing.assert_allclose(as_strings.predict(frame), as_ints.predict(X), rtol=1e-10)
    assert list(as_strings.feature_names_in_) == ["user", "movie"]
    assert as_strings.recommend("u0001", n=3).tolist() == [f"m{i:04d}" for i in as_ints.recommend(1, n=3)]
    assert as_strings.similar_items("m0050", n=2)[0].startswith("m")


def test_mixed_type_ids_are_accepted():
    X = np.array([[1, "a"], ["x", "a"], [1, 2.5], ["x", 2.5]], dtype=object)
    model = CollaborativeFilter(n_factors=1, random_state=0).fit(X, [1.0, 2.0, 3.0, 4.0])
    assert model.predict(X).shape == (4,)


def test_ratings_are_stored_sparse_and_no_dense_matrix_is_built():
    rng = np.random.default_rng(0)
    n_users, n_items, n_ratings = 20_000, 5_000, 50_000
    X = np.column_stack([rng.integers(0, n_users, n_ratings), rng.integers(0, n_items, n_ratings)])
    y = rng.integers(1, 6, n_ratings).astype(float)
    model = CollaborativeFilter(n_factors=4, max_iter=2, random_state=0)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # A dense users x items float64 matrix would take 800 MB.
    assert peak < 60 * 2**20
    ratings = model._store.compact
    assert sp.issparse(ratings.by_user(ratings.weight)) and sp.issparse(ratings.by_item(ratings.weight))
    assert ratings.n_pairs <= n_ratings


def test_recommend_and_similar_items():
    rng = np.random.default_rng(1)
    groups = np.repeat([0, 1], 10)
    X, y = [], []
    for user in range(30):
        for item in rng.choice(20, 12, replace=False):
            X.append([user, item])
            y.append(5.0 if groups[item] == user % 2 else 1.0)
    model = CollaborativeFilter(n_factors=2, alpha=0.1, max_iter=500, random_state=0).fit(X, y)
    seen = {i for u, i in X if u == 0}
    recommended = model.recommend(0, n=5)
    assert not set(recommended.tolist()) & seen
    assert all(groups[item] == 0 for item in recommended)
    similar = model.similar_items(0, n=5)
    assert 0 not in similar and all(groups[item] == 0 for item in similar)
    assert len(model.recommend(0, n=100)) == 20 - len(seen)
    assert len(model.recommend(0, n=0)) == 0
    with pytest.raises(KeyError, match="not seen in training"):
        model.similar_items(99)


def test_works_in_grid_search_and_cross_val_score(movielens):
    X, y = movielens.data[:5000], movielens.target[:5000]
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(
        CollaborativeFilter(n_factors=2, random_state=0), X, y, cv=cv, scoring="neg_root_mean_squared_error"
    )
    assert np.all(-scores < 1.1)
    search = GridSearchCV(
        CollaborativeFilter(n_factors=2, random_state=0), {"alpha": [0.01, 10.0]}, cv=cv,
        scoring="neg_root_mean_squared_error",
    ).fit(X, y)
    # Without regularisation a 2-factor model overfits 5,000 ratings.
    assert search.best_params_ == {"alpha": 10.0}


def test_sample_weight_is_repetition():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 15, size=(200, 2))
    y = rng.integers(1, 6, size=200).astype(float)
    weights = rng.integers(0, 3, size=200)
    weighted = CollaborativeFilter(n_factors=3, random_state=0).fit(X, y, sample_weight=weights)
    repeated = CollaborativeFilter(n_factors=3, random_state=0).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-7)


def test_random_state_pickle_and_float32(movielens):
    X, y = movielens.data[:2000], movielens.target[:2000]
    a = CollaborativeFilter(n_factors=3, random_state=0).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(a)).predict(X), a.predict(X))
    single = CollaborativeFilter(n_factors=3, random_state=0).fit(X, y.astype(np.float32))
    assert single.user_factors_.dtype == np.float32 and single.predict(X).dtype == np.float32
    np.testing.assert_allclose(single.predict(X), a.predict(X), atol=1e-3)


def test_convergence_warning_and_n_iter():
    X, y = [[1, 1], [1, 2], [2, 1], [2, 2], [3, 1]], [5.0, 1.0, 4.0, 2.0, 5.0]
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = CollaborativeFilter(n_factors=2, alpha=0.01, max_iter=1, tol=0.0, random_state=0).fit(X, y)
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 1


@pytest.mark.parametrize(
    "X, y, match",
    [
        ([[1, 1], [1, 2]], [5.0, np.nan], "NaN"),
        ([[1], [2]], [5.0, 3.0], "1 feature"),
        ([[1, 1], [1, 2], [2, 2]], [5.0, 3.0], "inconsistent numbers of samples"),
        ([[1, np.nan], [1, 2]], [5.0, 3.0], "missing item ids .* rows 0"),
        ([[1, np.inf], [1, 2]], [5.0, 3.0], "infinite item ids in rows 0"),
    ],
)
def test_bad_input_gives_clear_errors(X, y, match):
    with pytest.raises(ValueError, match=match):
        CollaborativeFilter().fit(X, y)


def test_predict_refuses_another_column_count_and_sparse_input():
    model = CollaborativeFilter(n_factors=1, random_state=0).fit([[1, 1], [2, 2]], [1.0, 2.0])
    with pytest.raises(ValueError, match="2 features"):
        model.predict([[1, 1, 1]])
    with pytest.raises(TypeError, match="dense data is required"):
        CollaborativeFilter().fit(sp.csr_matrix(np.ones((3, 2))), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="non-zero"):
        CollaborativeFilter().fit([[1, 1], [2, 2]], [1.0, 2.0], sample_weight=[0.0, 0.0])


@pytest.mark.parametrize("biases", [True, False])
def test_partial_fit_with_new_ids_of_another_type(biases):
    model = CollaborativeFilter(n_factors=2, biases=biases, random_state=0)
    model.fit([[1, 1], [2, 2], [1, 2], [2, 1]], [1.0, 2.0, 3.0, 4.0])
    old_prediction = model.predict([[1, 1]])
    model.partial_fit(np.array([["ann", 1], ["ann", "new film"]], dtype=object), [5.0, 5.0])
    assert model.users_.tolist() == [1, 2, "ann"] and model.items_.tolist() == [1, 2, "new film"]
    assert model.recommend("ann").tolist() == [2]
    # The newcomer's ratings were learned; a known user's other predictions moved only through
    # item 1, whose factors were solved again.
    assert model.predict(np.array([["ann", "new film"]], dtype=object))[0] > model.global_mean_
    assert model.predict([[1, 2]]).shape == (1,) and np.isfinite(old_prediction).all()
    if not biases:
        assert not model.user_bias_.any() and not model.item_bias_.any()


def test_als_user_solve_is_a_ridge_regression_per_user():
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    n_users, n_items, k, alpha, mu = 6, 15, 3, 2.0, 3.0
    users, items = rng.integers(0, n_users, 60), rng.integers(0, n_items, 60)
    ratings, weights = rng.integers(1, 6, 60).astype(float), rng.uniform(0.5, 2.0, 60)
    data = RatingData.from_ratings(users, items, ratings, weights, n_users, n_items)
    item_factors, item_bias = rng.normal(size=(n_items, k)), rng.normal(size=n_items)
    offset = mu + item_bias[data.items]
    solution = solve_ridge_rows(
        data.by_user(data.weight), data.by_user(data.weighted_rating - data.weight * offset),
        with_ones(item_factors), alpha,
    ).solution
    for user in range(n_users):
        mine = users == user
        # Ridge on the features (x_i, 1) without intercept: the bias is the last coefficient.
        features = np.column_stack([item_factors[items[mine]], np.ones(mine.sum())])
        target = ratings[mine] - mu - item_bias[items[mine]]
        ridge = Ridge(alpha=alpha, fit_intercept=False).fit(features, target, sample_weight=weights[mine])
        np.testing.assert_allclose(solution[user], ridge.coef_, rtol=1e-8, atol=1e-10)


# --- Implicit feedback (SVD++) -------------------------------------------------------------


def _small_ratings(seed=0, n_users=25, n_items=18, n_ratings=250):
    rng = np.random.default_rng(seed)
    users, items = rng.integers(0, n_users, n_ratings), rng.integers(0, n_items, n_ratings)
    return np.column_stack([users, items]), rng.integers(1, 6, n_ratings).astype(float)


@pytest.mark.parametrize("with_biases", [False, True])
def test_implicit_cost_gradient_passes_numerical_check(with_biases):
    X, y = _small_ratings(n_ratings=80)
    data = RatingData.from_ratings(X[:, 0], X[:, 1], y, np.ones(len(y)), 25, 18)
    S = implicit_matrix(data.users, data.items, 25, 18, np.float64)
    rng = np.random.default_rng(0)
    k = 3
    arrays = [rng.normal(size=(25, k)), rng.normal(size=(18, k))]
    arrays += [rng.normal(size=25), rng.normal(size=18)] if with_biases else []
    arrays += [rng.normal(size=(18, k))]
    shapes = [a.shape for a in arrays]
    fun_grad = flat_cost_grad(data, 1.5, 3.0, shapes, np.float64, implicit=(S, 4.0))
    theta = pack(arrays)
    # Larger values than the course's subset: central differences agree to about 1e-9 here.
    assert check_gradient(lambda t: fun_grad(t)[0], lambda t: fun_grad(t)[1], theta) < 1e-8


def test_implicit_prediction_is_the_svdpp_equation():
    X, y = _small_ratings()
    X = np.vstack([X, X[:5]])  # repeated ratings: an item counts once in N(u)
    y = np.concatenate([y, y[:5]])
    model = CollaborativeFilter(n_factors=3, implicit=True, alpha=0.5, alpha_implicit=0.5, random_state=0).fit(X, y)
    pairs = np.column_stack([np.repeat(np.arange(25), 18), np.tile(np.arange(18), 25)])
    expected = []
    for user, item in pairs:
        rated = np.unique(X[X[:, 0] == user, 1])  # users_ and items_ are 0..n-1 here
        z = model.implicit_factors_[rated].sum(axis=0) / np.sqrt(len(rated))
        p = model.user_factors_[user] + z
        expected.append(model.global_mean_ + model.user_bias_[user] + model.item_bias_[item]
                        + model.item_factors_[item] @ p)
    np.testing.assert_allclose(model.implicit_user_factors_[X[0, 0]],
                               model.implicit_factors_[np.unique(X[X[:, 0] == X[0, 0], 1])].sum(0)
                               / np.sqrt(len(np.unique(X[X[:, 0] == X[0, 0], 1]))), rtol=1e-10)
    np.testing.assert_allclose(model.predict(pairs), np.clip(expected, 1, 5), rtol=1e-10)
    assert np.abs(model.implicit_factors_).sum() > 0


def test_implicit_model_beats_the_default_on_one_fold(movielens):
    # The 5-fold figures (RMSE <= 0.905) are measured in benchmarks/bench_recommender.py.
    X, y = movielens.data, movielens.target
    train, test = next(KFold(5, shuffle=True, random_state=0).split(X))
    default = CollaborativeFilter(random_state=0).fit(X[train], y[train])
    implicit = CollaborativeFilter(implicit=True, random_state=0).fit(X[train], y[train])

    def rmse(model):
        return mean_squared_error(y[test], model.predict(X[test])) ** 0.5

    assert rmse(implicit) < 0.90 and rmse(implicit) < rmse(default) - 0.005
    assert implicit.loss_curve_ == sorted(implicit.loss_curve_, reverse=True)
    assert implicit.cost_ == pytest.approx(implicit._objective(), rel=1e-10)


@pytest.mark.parametrize("solver", ["lbfgs", "cg"])
def test_gradient_solvers_reach_the_implicit_als_cost(solver):
    X, y = _small_ratings(n_users=40, n_items=30, n_ratings=500)
    als = CollaborativeFilter(n_factors=3, implicit=True, alpha=1.0, max_iter=500, tol=1e-9, random_state=0).fit(X, y)
    gradient = CollaborativeFilter(
        n_factors=3, implicit=True, alpha=1.0, solver=solver, max_iter=5000, tol=1e-6, random_state=0
    ).fit(X, y)
    assert gradient.cost_ == pytest.approx(als.cost_, rel=0.02)
    assert als.loss_curve_ == sorted(als.loss_curve_, reverse=True)
    np.testing.assert_allclose(gradient.implicit_user_factors_[0], gradient.implicit_factors_[
        np.unique(X[X[:, 0] == gradient.users_[0], 1])].sum(0) / np.sqrt(len(np.unique(X[X[:, 0] == gradient.users_[0], 1]))))


@pytest.mark.parametrize("implicit", [False, True])
def test_sample_weight_is_repetition_with_and_without_implicit_feedback(implicit):
    X, y = _small_ratings(n_users=15, n_items=15, n_ratings=200)
    weights = np.random.default_rng(1).integers(0, 3, size=200)
    weighted = CollaborativeFilter(n_factors=3, implicit=implicit, random_state=0).fit(X, y, sample_weight=weights)
    repeated = CollaborativeFilter(n_factors=3, implicit=implicit, random_state=0).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-7)


# --- Validation and state --------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample_weight, match",
    [([1.0, -1.0, 1.0], "non-negative"), ([1.0, np.nan, 1.0], "NaN"), ([1.0, np.inf, 1.0], "infinity")],
)
def test_bad_sample_weights_are_refused(sample_weight, match):
    with pytest.raises(ValueError, match=match):
        CollaborativeFilter().fit([[1, 1], [1, 2], [2, 1]], [5.0, 3.0, 4.0], sample_weight=sample_weight)
    model = CollaborativeFilter(n_factors=1, random_state=0).fit([[1, 1], [1, 2], [2, 1]], [5.0, 3.0, 4.0])
    with pytest.raises(ValueError, match=match):
        model.partial_fit([[1, 1], [1, 2], [2, 1]], [5.0, 3.0, 4.0], sample_weight=sample_weight)


def test_a_failed_fit_leaves_an_unfitted_model_that_partial_fit_starts_afresh():
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    X, y = _small_ratings()
    model = CollaborativeFilter(n_factors=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="missing user ids"):
        model.fit(np.array([[None, 1], [2, 3]], dtype=object), [1.0, 2.0])
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert not hasattr(model, "user_factors_") and not hasattr(model, "_store")
    model.partial_fit(X[:50], y[:50])
    fresh = CollaborativeFilter(n_factors=2, random_state=0).fit(X[:50], y[:50])
    np.testing.assert_array_equal(model.predict(X), fresh.predict(X))
    assert model.n_iter_ == fresh.n_iter_


def test_n_iter_restarts_with_each_fit_and_counts_partial_fits():
    X, y = _small_ratings()
    model = CollaborativeFilter(n_factors=2, random_state=0).fit(X, y)
    assert model.n_iter_ == len(model.loss_curve_) >= 2
    model.set_params(solver="lbfgs").fit(X, y)
    lbfgs = CollaborativeFilter(n_factors=2, solver="lbfgs", random_state=0).fit(X, y)
    assert model.n_iter_ == lbfgs.n_iter_ == len(model.loss_curve_)
    model.partial_fit(X[:3], y[:3]).partial_fit(X[3:6], y[3:6])
    assert model.n_iter_ == lbfgs.n_iter_ + 2


def test_partial_fit_refuses_to_change_the_shape_of_the_model():
    X, y = _small_ratings()
    model = CollaborativeFilter(n_factors=2, random_state=0).fit(X, y)
    for change in ({"n_factors": 3}, {"biases": False}, {"implicit": True}):
        with pytest.raises(ValueError, match="cannot change the shape"):
            clone_of = pickle.loads(pickle.dumps(model)).set_params(**change)
            clone_of.partial_fit(X[:3], y[:3])


def test_lbfgs_with_default_budget_converges(movielens):
    X, y = movielens.data[:5000], movielens.target[:5000]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = CollaborativeFilter(solver="lbfgs", random_state=0).fit(X, y)
    als = CollaborativeFilter(random_state=0, tol=1e-6, max_iter=1000).fit(X, y)
    assert model.n_iter_ > 50  # more than the ALS budget: the two budgets are separate
    assert model.cost_ == pytest.approx(als.cost_, rel=0.01)


# --- partial_fit: only the touched rows ---------------------------------------------------


def _cost_from_scratch(model, X, y):
    """J of the model's parameters over all ratings, from a fresh RatingData (no store)."""
    users, items = model._users.lookup(X[:, 0]), model._items.lookup(X[:, 1])
    data = RatingData.from_ratings(users, items, y, np.ones(len(y)), len(model.users_), len(model.items_))
    cost, _ = cofi_cost_grad(model.user_factors_, model.item_factors_, data, model.alpha,
                             mu=model.global_mean_, user_bias=model.user_bias_, item_bias=model.item_bias_)
    return cost


def test_partial_fit_solves_only_the_rows_of_the_new_ratings(monkeypatch):
    from skdl.recommender import _fold_in
    from skdl.recommender._ratings import RatingStore

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 2000, 50_000), rng.integers(0, 500, 50_000)])
    y = rng.integers(1, 6, 50_000).astype(float)
    model = CollaborativeFilter(n_factors=4, random_state=0).fit(X, y)
    compact, factors_before = model._store.compact, model.item_factors_.copy()
    users_before = model.user_factors_.copy()
    asked, solved = [], []
    block, solve = RatingStore.block, _fold_in.solve_ridge_rows
    monkeypatch.setattr(RatingStore, "block", lambda self, side, rows: asked.append((side, list(rows))) or block(self, side, rows))
    monkeypatch.setattr(_fold_in, "solve_ridge_rows", lambda W, *args, **kw: solved.append(W.shape) or solve(W, *args, **kw))
    X_new = np.array([[5000, 3], [5000, 7], [5000, 9], [12, 7]])  # a new user and a known one
    model.partial_fit(X_new, [5.0, 4.0, 1.0, 2.0])
    assert asked == [("users", [model._users.lookup(np.array([12]))[0], 2000]), ("items", [3, 7, 9])]
    # The solves are the size of the touched rows, and use only the columns their pairs use.
    assert solved[0][0] == 2 and solved[1][0] == 3 and max(shape[1] for shape in solved) < 500
    # The stored ratings were not rebuilt: the compact part is the same object, the new pairs
    # are the only recent ones.
    assert model._store.compact is compact and model._store.recent.n_pairs == 4
    untouched_items = np.setdiff1d(np.arange(500), [3, 7, 9])
    np.testing.assert_array_equal(model.item_factors_[untouched_items], factors_before[untouched_items])
    untouched_users = np.setdiff1d(np.arange(2000), [12])
    np.testing.assert_array_equal(model.user_factors_[untouched_users], users_before[untouched_users])
    # cost_ was updated from the touched pairs alone, and is the cost over all ratings.
    assert model.cost_ == pytest.approx(_cost_from_scratch(model, np.vstack([X, X_new]), np.r_[y, 5, 4, 1, 2]), rel=1e-10)


@pytest.mark.parametrize("implicit", [False, True])
def test_many_partial_fits_keep_every_rating_through_compactions(implicit):
    rng = np.random.default_rng(0)
    X, y = _small_ratings(n_users=300, n_items=100, n_ratings=3000)
    model = CollaborativeFilter(n_factors=3, implicit=implicit, random_state=0).fit(X, y)
    batches = [(np.column_stack([rng.integers(0, 400, size), rng.integers(0, 120, size)]),
                rng.integers(1, 6, size).astype(float)) for size in (3, 700, 5000, 10, 1)]
    for X_new, y_new in batches:  # re-ratings of stored pairs, new users, new items
        model.partial_fit(X_new, y_new)
        X, y = np.vstack([X, X_new]), np.concatenate([y, y_new])
        assert model.cost_ == pytest.approx(model._objective(), rel=1e-9)
        if not implicit:
            assert model.cost_ == pytest.approx(_cost_from_scratch(model, X, y), rel=1e-9)
    assert model._store.compact.n_pairs > len(np.unique(X[:3000], axis=0))  # compacted at least once
    users = np.unique(X[:, 0])
    for user, items in zip(users[:50], model.recommend(users[:50], n=200)):
        assert not set(items.tolist()) & set(X[X[:, 0] == user, 1].tolist())
    if implicit:
        user = model._users.lookup(np.array([X[-1, 0]]))[0]
        rated = model._items.lookup(np.unique(X[X[:, 0] == X[-1, 0], 1]))
        np.testing.assert_allclose(model.implicit_user_factors_[user],
                                   model.implicit_factors_[rated].sum(0) / np.sqrt(len(rated)), rtol=1e-6)


# --- recommend for many users, columns, verbose, threads ------------------------------------


def test_recommend_for_many_users_equals_one_at_a_time(movielens):
    model = CollaborativeFilter(random_state=0).fit(movielens.data, movielens.target)
    model.partial_fit([[0, 50], [0, 181]], [5.0, 5.0])  # seen items added after fit are left out too
    users = np.array([1, 0, 99999, 943, 1])
    lists = model.recommend(users, n=10)
    assert lists.dtype == object and lists.shape == (5,)
    for user, items in zip(users, lists):
        np.testing.assert_array_equal(items, model.recommend(user, n=10))
    assert not {50, 181} & set(lists[1].tolist())
    # An unknown user gets the items of largest bias.
    np.testing.assert_array_equal(lists[2], model.items_[np.argsort(-model.item_bias_, kind="stable")[:10]])
    all_users = model.recommend(model.users_, n=10)
    assert len(all_users) == 944 and all(len(items) == 10 for items in all_users)
    assert len(model.recommend(pd.Series([1, 2]), n=2000)[0]) == 1682 - (movielens.data[:, 0] == 1).sum()


def test_extra_columns_are_ignored_and_columns_can_be_chosen():
    X, y = _small_ratings()
    extra = np.column_stack([np.arange(len(y)) % 7, X[:, 1], X[:, 0]])  # (other, item, user)
    chosen = CollaborativeFilter(n_factors=2, user_col=2, item_col=1, random_state=0).fit(extra, y)
    plain = CollaborativeFilter(n_factors=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(chosen.predict(extra), plain.predict(X), rtol=1e-12)
    assert chosen.n_features_in_ == 3
    with pytest.raises(ValueError, match="names a column, but X has no column names"):
        CollaborativeFilter(user_col="user").fit(X, y)
    with pytest.raises(ValueError, match="both 1"):
        CollaborativeFilter(user_col=1).fit(X, y)
    with pytest.raises(ValueError, match="is not a column of X"):
        CollaborativeFilter(user_col="user").fit(pd.DataFrame(X, columns=["a", "b"]), y)
    with pytest.raises(ValueError, match="3 features"):
        chosen.predict(X)


@pytest.mark.parametrize("solver, unit", [("als", "sweep"), ("lbfgs", "iteration")])
def test_verbose_prints_one_line_per_iteration(capsys, solver, unit):
    X, y = _small_ratings()
    CollaborativeFilter(n_factors=2, solver=solver, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""
    model = CollaborativeFilter(n_factors=2, solver=solver, verbose=1, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_ and model.n_iter_ > 1
    assert lines[0].startswith(f"CollaborativeFilter {unit} 1: loss=") and lines[0].endswith("s")
    assert float(lines[-1].split("loss=")[1].split(",")[0]) == pytest.approx(model.loss_curve_[-1], rel=1e-5)


@pytest.mark.parametrize("implicit", [False, True])
def test_n_jobs_solves_in_threads_to_the_same_model(implicit):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 3000, 20_000), rng.integers(0, 800, 20_000)])
    y = rng.integers(1, 6, 20_000).astype(float)
    serial = CollaborativeFilter(n_factors=4, implicit=implicit, random_state=0).fit(X, y)
    threaded = CollaborativeFilter(n_factors=4, implicit=implicit, n_jobs=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(threaded.predict(X), serial.predict(X), rtol=1e-10)
    assert threaded.n_iter_ == serial.n_iter_
