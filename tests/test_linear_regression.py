"""LinearRegression: the course's exercise 1, scikit-learn's answers, and the estimator contract."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk_linear
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skdl._optim import make_optimizer, minimize_first_order, squared_loss_grad
from skdl.datasets import load_food_truck, load_house_prices
from skdl.linear_model import LinearRegression
from skdl.linear_model._base import make_linear_loss_grad


@pytest.fixture
def food_truck():
    return load_food_truck(return_X_y=True)


def course_cost(X, y, theta):
    """The course's computeCost: J = 1/(2m) sum (X theta - y)^2 with theta = [theta0, theta1...]."""
    loss, _, _ = squared_loss_grad(X, y, np.ones(len(y)), np.asarray(theta[1:]), theta[0])
    return loss


def test_course_cost_values_on_food_truck(food_truck):
    X, y = food_truck
    assert course_cost(X, y, [0.0, 0.0]) == pytest.approx(32.07, abs=0.005)
    assert course_cost(X, y, [-1.0, 2.0]) == pytest.approx(54.24, abs=0.005)


def test_course_gradient_descent_1500_iterations_reproduces(food_truck):
    # The course runs 1500 unscaled gradient-descent steps with alpha = 0.01 from theta = 0.
    X, y = food_truck
    params = [np.zeros(1), np.zeros(())]
    loss_grad = make_linear_loss_grad(squared_loss_grad, X, y, np.ones(len(y)), 0.0, True)
    with pytest.warns(ConvergenceWarning):
        history, n_iter = minimize_first_order(
            loss_grad, params, make_optimizer("gd", 0.01), len(y), max_iter=1500, tol=0.0
        )
    assert n_iter == 1500
    assert_allclose([params[1], params[0][0]], [-3.6303, 1.1664], atol=5e-5)
    # The course's predictions for cities of 35,000 and 70,000 people, in dollars.
    profits = (np.array([3.5, 7.0]) * params[0][0] + params[1]) * 10_000
    assert_allclose(profits, [4519.77, 45342.45], atol=0.5)
    assert np.all(np.diff(history.losses) < 0)


@pytest.mark.parametrize("solver", ["normal", "gd"])
def test_exact_solvers_reach_the_least_squares_answer(food_truck, solver):
    X, y = food_truck
    model = LinearRegression(solver=solver, learning_rate=0.1, max_iter=20_000, tol=1e-14).fit(X, y)
    # The course's normal-equation answer, printed to four decimals.
    assert_allclose([model.intercept_, model.coef_[0]], [-3.8958, 1.1930], atol=5e-5)


def test_minibatch_sgd_reaches_the_least_squares_cost(food_truck):
    # Constant-step SGD ends in a noise ball around the minimum: its cost, not its coefficients,
    # is what it guarantees to get close to.
    X, y = food_truck
    exact = LinearRegression().fit(X, y)
    model = LinearRegression(solver="sgd", learning_rate=0.01, batch_size=16, random_state=0).fit(X, y)
    assert course_cost(X, y, [model.intercept_, model.coef_[0]]) <= 1.01 * course_cost(
        X, y, [exact.intercept_, exact.coef_[0]]
    )
    assert model.loss_curve_[-1] <= 1.05 * course_cost(X, y, [exact.intercept_, exact.coef_[0]])


def test_house_prices_normal_equation_matches_the_course():
    X, y = load_house_prices(return_X_y=True)
    model = LinearRegression(solver="normal").fit(X, y)
    assert model.predict([[1650, 3]])[0] == pytest.approx(293081.46, abs=0.01)


def test_gradient_descent_scales_internally_and_reports_original_units():
    # Unscaled, house sizes (~2000) and bedrooms (~3) make gradient descent crawl; scaled, it
    # converges and its coefficients are those of the normal equation.
    X, y = load_house_prices(return_X_y=True)
    gd = LinearRegression(solver="gd", learning_rate=0.3, max_iter=5000, tol=1e-14).fit(X, y)
    normal = LinearRegression(solver="normal").fit(X, y)
    assert_allclose(gd.coef_, normal.coef_, rtol=1e-5)
    assert gd.predict([[1650, 3]])[0] == pytest.approx(293081.46, rel=1e-6)
    assert gd.loss_curve_[0] > gd.loss_curve_[-1]
    # loss_curve_ is the course's J in the units of y: the final cost is that of the solution.
    residual = normal.predict(X) - y
    assert gd.loss_curve_[-1] == pytest.approx(residual @ residual / (2 * len(y)), rel=1e-6)


@pytest.mark.parametrize("alpha", [0.0, 2.5])
def test_matches_scikit_learn_with_weights_and_several_targets(alpha):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8)) * rng.uniform(0.1, 10, size=8) + 5
    Y = X @ rng.normal(size=(8, 3)) + rng.normal(size=(300, 3))
    weights = rng.uniform(0, 3, size=300)
    ours = LinearRegression(alpha=alpha).fit(X, Y, sample_weight=weights)
    reference = (sk_linear.Ridge(alpha=alpha) if alpha else sk_linear.LinearRegression()).fit(
        X, Y, sample_weight=weights
    )
    assert ours.coef_.shape == (3, 8) and ours.intercept_.shape == (3,)
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-6)
    assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-6)


def test_gradient_descent_with_penalty_matches_ridge():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 5)) * [1, 10, 100, 0.1, 1]
    y = X @ rng.normal(size=5) + rng.normal(size=200)
    ours = LinearRegression(alpha=10.0, solver="gd", learning_rate=0.3, max_iter=50_000, tol=1e-15).fit(X, y)
    assert_allclose(ours.coef_, sk_linear.Ridge(alpha=10.0).fit(X, y).coef_, rtol=1e-4)


def test_without_intercept_matches_scikit_learn():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(50, 3)) + 2, rng.normal(size=50)
    ours = LinearRegression(fit_intercept=False).fit(X, y)
    reference = sk_linear.LinearRegression(fit_intercept=False).fit(X, y)
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-8)
    assert ours.intercept_ == 0.0


@pytest.mark.parametrize(
    "make_X",
    [
        lambda X: np.column_stack([X, X[:, 0]]),  # a duplicated column
        lambda X: np.column_stack([X, 2 * X[:, 0] - X[:, 1]]),  # a collinear column
        lambda X: X[:4],  # more features than samples
    ],
    ids=["duplicated", "collinear", "wide"],
)
def test_singular_gram_matrix_falls_back_to_minimum_norm_least_squares(make_X):
    rng = np.random.default_rng(3)
    X = make_X(rng.normal(size=(40, 6)))
    y = rng.normal(size=X.shape[0])
    ours = LinearRegression().fit(X, y)
    reference = sk_linear.LinearRegression().fit(X, y)
    assert ours.solver_ == "lstsq"
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-6, atol=1e-10)
    assert_allclose(ours.predict(X), reference.predict(X), rtol=1e-8, atol=1e-10)


def test_float32_stays_float32():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(100, 3)).astype(np.float32), rng.normal(size=100).astype(np.float32)
    for solver in ["normal", "gd", "sgd"]:
        model = LinearRegression(solver=solver, max_iter=50).fit(X, y) if solver == "normal" else None
        if model is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model = LinearRegression(solver=solver, max_iter=50).fit(X, y)
        assert model.coef_.dtype == np.float32, solver
        assert model.predict(X).dtype == np.float32, solver


def test_sgd_partial_fit_streams_to_the_batch_answer():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(2000, 4)) * [1, 5, 0.5, 2] + 1
    y = X @ np.array([1.0, -2.0, 3.0, 0.5]) + 4 + 0.01 * rng.normal(size=2000)
    model = LinearRegression(solver="sgd", learning_rate=0.05, batch_size=50, random_state=0)
    for _ in range(20):
        for block in np.array_split(np.arange(2000), 10):
            model.partial_fit(X[block], y[block])
    assert_allclose(model.coef_, [1.0, -2.0, 3.0, 0.5], atol=0.01)
    assert model.intercept_ == pytest.approx(4.0, abs=0.02)
    assert len(model.loss_curve_) == 200
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :3], y)


def test_partial_fit_exists_only_for_sgd():
    assert not hasattr(LinearRegression(), "partial_fit")
    assert hasattr(LinearRegression(solver="sgd"), "partial_fit")


def test_sgd_is_reproducible_with_random_state():
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(300, 3)), rng.normal(size=300)
    first = LinearRegression(solver="sgd", batch_size=10, max_iter=5, random_state=42)
    second = clone(first)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert_allclose(first.fit(X, y).coef_, second.fit(X, y).coef_)


def test_gradient_descent_warns_when_max_iter_runs_out(food_truck):
    X, y = food_truck
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        LinearRegression(solver="gd", max_iter=3).fit(X, y)


def test_divergence_is_reported():
    X, y = load_house_prices(return_X_y=True)
    with pytest.raises(FloatingPointError, match="learning rate"):
        LinearRegression(solver="gd", learning_rate=100.0, max_iter=2000).fit(X, y)


@pytest.mark.parametrize(
    "X, y, message",
    [
        ([[1.0], [np.nan]], [1.0, 2.0], "NaN"),
        ([[1.0], [np.inf]], [1.0, 2.0], "infinity"),
        ([[1.0], [2.0]], [1.0, np.nan], "NaN"),
        (np.empty((0, 2)), [], "0 sample"),
        (np.array([["a"], ["b"]], dtype=object), [1.0, 2.0], "could not convert"),
        ([[1.0], [2.0], [3.0]], [1.0, 2.0], "inconsistent numbers of samples"),
    ],
    ids=["nan", "inf", "nan-target", "empty", "strings", "length"],
)
def test_bad_input_gets_a_clear_error(X, y, message):
    with pytest.raises(ValueError, match=message):
        LinearRegression().fit(X, y)


def test_wrong_number_of_features_at_predict(food_truck):
    model = LinearRegression().fit(*food_truck)
    with pytest.raises(ValueError, match="2 features, but LinearRegression is expecting 1"):
        model.predict([[1.0, 2.0]])


def test_works_in_pipeline_grid_search_and_cross_validation():
    X, y = load_house_prices(return_X_y=True)
    pipeline = make_pipeline(StandardScaler(), LinearRegression())
    reference = make_pipeline(StandardScaler(), sk_linear.Ridge())
    assert_allclose(
        cross_val_score(pipeline, X, y, cv=5, scoring="r2"),
        cross_val_score(reference.set_params(ridge__alpha=0.0), X, y, cv=5, scoring="r2"),
        rtol=1e-8,
    )
    grid = [0.0, 1.0, 30.0, 100.0]
    search = GridSearchCV(pipeline, {"linearregression__alpha": grid}, cv=3).fit(X, y)
    reference_search = GridSearchCV(reference, {"ridge__alpha": grid}, cv=3).fit(X, y)
    assert search.best_params_["linearregression__alpha"] == reference_search.best_params_["ridge__alpha"]
    assert_allclose(search.cv_results_["mean_test_score"], reference_search.cv_results_["mean_test_score"], rtol=1e-8)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    assert_allclose(restored.predict(X), search.best_estimator_.predict(X))


def test_sgd_keeps_sample_weights_across_mini_batches():
    # Weights must count across batches, not only within one: with batch_size=1 each batch is a
    # single row, and the weighted answer still has to be the weighted least-squares one.
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 3))
    y = X @ np.array([1.0, 2.0, 3.0]) + rng.normal(size=400)
    weights = np.where(np.arange(400) < 200, 10.0, 1.0)
    y[:200] += X[:200, 0]  # the heavy half pulls the first coefficient up
    exact = LinearRegression().fit(X, y, sample_weight=weights)
    unweighted = LinearRegression().fit(X, y)
    model = LinearRegression(solver="sgd", batch_size=1, learning_rate=0.002, max_iter=60, tol=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, sample_weight=weights)
    assert np.abs(model.coef_ - exact.coef_).max() < 0.1 * np.abs(exact.coef_ - unweighted.coef_).max() + 0.02
    # A batch whose rows all weigh zero contributes nothing, rather than 0 / 0.
    zero_first = np.where(np.arange(400) < 50, 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LinearRegression(solver="sgd", batch_size=10, max_iter=3, random_state=0).fit(X, y, sample_weight=zero_first)


def test_partial_fit_penalty_does_not_depend_on_how_the_stream_is_split():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(20_000, 3))
    y = X @ np.array([1.0, -2.0, 3.0]) + rng.normal(size=20_000)
    ridge = LinearRegression(alpha=4000.0).fit(X, y)  # a penalty strong enough to matter

    def stream(n_calls):
        # The step is in units where the curvature includes the penalty (strong here in the early calls).
        model = LinearRegression(alpha=4000.0, solver="sgd", learning_rate=0.03, batch_size=50, random_state=0)
        for block in np.array_split(np.arange(20_000), n_calls):
            model.partial_fit(X[block], y[block])
        return model.coef_

    assert_allclose(stream(1), ridge.coef_, atol=0.05)
    assert_allclose(stream(20), ridge.coef_, atol=0.05)


def test_refitting_with_another_solver_starts_afresh():
    rng = np.random.default_rng(9)
    X, y = rng.normal(size=(200, 2)), rng.normal(size=200)
    model = LinearRegression(solver="sgd", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    model.set_params(solver="normal").fit(X, y)
    assert not hasattr(model, "loss_curve_")
    model.set_params(solver="sgd").partial_fit(X, y)
    fresh = LinearRegression(solver="sgd", random_state=0).partial_fit(X, y)
    assert_allclose(model.coef_, fresh.coef_)
    assert len(model.loss_curve_) == 1


def test_wide_ridge_solves_the_dual_system_and_matches_scikit_learn():
    # More features than samples: the n x n dual (A A^T + alpha I) gives the ridge solution.
    rng = np.random.default_rng(11)
    X, y = rng.normal(size=(60, 500)), rng.normal(size=60)
    weights = rng.uniform(0.5, 2.0, size=60)
    ours = LinearRegression(alpha=3.0).fit(X, y, sample_weight=weights)
    reference = sk_linear.Ridge(alpha=3.0).fit(X, y, sample_weight=weights)
    assert ours.solver_ == "normal"
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-8, atol=1e-12)
    assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-8)


# Sparse input: every solver, never densified.

SPARSE_KINDS = {
    "csr_matrix": sp.csr_matrix,
    "csc_matrix": sp.csc_matrix,
    "csr_array": sp.csr_array,
    "csc_array": sp.csc_array,
}
# The iterative solvers take dense X through the same operator.
KINDS = {**SPARSE_KINDS, "dense": lambda X: X.toarray()}


def _sparse_regression(seed=12, n_samples=300, n_features=40, density=0.2, n_targets=None):
    rng = np.random.default_rng(seed)
    X = sp.random_array((n_samples, n_features), density=density, format="csr", random_state=seed) * 3
    shape = (n_features,) if n_targets is None else (n_features, n_targets)
    y = X @ rng.normal(size=shape) + 2.0 + rng.normal(size=(n_samples,) + shape[1:])
    return X, y, rng.uniform(0.2, 2.0, size=n_samples)


@pytest.mark.parametrize(
    "kind, solver",
    [(kind, solver) for kind in sorted(SPARSE_KINDS) for solver in ["normal", "cg", "lsqr"]]
    + [("dense", "cg"), ("dense", "lsqr")],
)
@pytest.mark.parametrize("alpha", [0.0, 2.0])
def test_sparse_direct_and_iterative_solvers_match_scikit_learn_on_dense_data(kind, solver, alpha):
    X, y, weights = _sparse_regression()
    ours = LinearRegression(alpha=alpha, solver=solver, tol=1e-12).fit(KINDS[kind](X), y, sample_weight=weights)
    reference = (sk_linear.Ridge(alpha=alpha) if alpha else sk_linear.LinearRegression()).fit(
        X.toarray(), y, sample_weight=weights
    )
    assert ours.solver_ == solver
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-7, atol=1e-9)
    assert ours.intercept_ == pytest.approx(reference.intercept_, rel=1e-8)
    assert_allclose(ours.predict(KINDS[kind](X)), reference.predict(X.toarray()), rtol=1e-8)


def test_sparse_several_targets_and_no_intercept():
    X, Y, weights = _sparse_regression(n_targets=3)
    for solver in ["normal", "cg", "lsqr"]:
        for fit_intercept in [True, False]:
            ours = LinearRegression(alpha=1.0, solver=solver, fit_intercept=fit_intercept, tol=1e-12)
            ours.fit(X, Y, sample_weight=weights)
            reference = sk_linear.Ridge(alpha=1.0, fit_intercept=fit_intercept).fit(X.toarray(), Y, sample_weight=weights)
            assert ours.coef_.shape == (3, 40)
            assert_allclose(ours.coef_, reference.coef_, rtol=1e-7, atol=1e-9)
            assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-7, atol=1e-9)


def test_sparse_singular_gram_falls_back_to_minimum_norm_least_squares():
    X, y, _ = _sparse_regression(n_features=10)
    X = sp.hstack([X, X[:, [0]]]).tocsr()  # a duplicated column
    ours = LinearRegression().fit(X, y)
    reference = sk_linear.LinearRegression().fit(X.toarray(), y)
    assert ours.solver_ == "lstsq"
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-6, atol=1e-9)


def test_auto_solves_wide_sparse_data_iteratively():
    X, y, _ = _sparse_regression(n_samples=200, n_features=3000, density=0.005)
    assert LinearRegression(alpha=1.0).fit(X, y).solver_ == "cg"
    assert LinearRegression().fit(X, y).solver_ == "lsqr"
    assert LinearRegression().fit(*_sparse_regression()[:2]).solver_ == "normal"


def test_wide_sparse_ridge_predictions_match_scikit_learn_sparse_cg():
    # A small version of the benchmark (20,000 x 100,000 at 0.1%): more features than samples, so
    # both solve the n x n dual by conjugate gradients through the implicitly centred X.
    rng = np.random.default_rng(13)
    X = sp.random_array((1_000, 5_000), density=0.002, format="csr", random_state=13)
    y = X @ rng.normal(size=5_000) + 0.1 * rng.normal(size=1_000)
    ours = LinearRegression(alpha=1.0, tol=1e-10).fit(X, y)
    reference = sk_linear.Ridge(alpha=1.0, solver="sparse_cg", tol=1e-10, max_iter=10_000).fit(X, y)
    assert ours.solver_ == "cg"
    assert_allclose(ours.predict(X), reference.predict(X), rtol=1e-4, atol=1e-4 * np.abs(y).max())
    assert_allclose(ours.coef_, reference.coef_, atol=1e-5)


def test_wide_sparse_data_is_never_densified():
    # Dense, this X would take 40 GB; fitted, the whole fit stays within a few vectors of length p.
    import tracemalloc

    n_samples, n_features, per_row = 5_000, 1_000_000, 10
    rng = np.random.default_rng(14)
    columns = rng.integers(0, n_features, size=n_samples * per_row)
    indptr = np.arange(0, n_samples * per_row + 1, per_row)
    X = sp.csr_array((rng.random(n_samples * per_row), columns, indptr), shape=(n_samples, n_features))
    X.sum_duplicates()
    y = np.asarray(X.sum(axis=1)).ravel() + rng.normal(size=n_samples)
    tracemalloc.start()
    try:
        model = LinearRegression(alpha=1.0).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert model.coef_.shape == (n_features,)
    assert peak < 30 * n_features * 8  # about 30 vectors of p floats, nothing of size n x p


@pytest.mark.parametrize("kind", ["csr_matrix", "csc_array"])
def test_sparse_gradient_descent_follows_the_dense_trajectory(kind):
    # The change of variables is applied to the parameters, never to X: sparse and dense X run the
    # same arithmetic, epoch for epoch.
    X, y, weights = _sparse_regression()
    model = {"solver": "gd", "alpha": 1.0, "learning_rate": 0.3, "max_iter": 2000, "tol": 1e-12}
    sparse = LinearRegression(**model).fit(SPARSE_KINDS[kind](X), y, sample_weight=weights)
    dense = LinearRegression(**model).fit(X.toarray(), y, sample_weight=weights)
    assert sparse.n_iter_ == dense.n_iter_
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-9)
    ridge = sk_linear.Ridge(alpha=1.0).fit(X.toarray(), y, sample_weight=weights)
    assert_allclose(sparse.coef_, ridge.coef_, atol=1e-5)


def test_sparse_partial_fit_streams_like_dense():
    X, y, _ = _sparse_regression(n_samples=1000)
    sparse = LinearRegression(solver="sgd", learning_rate=0.02, batch_size=25, random_state=0)
    dense = clone(sparse)
    for block in np.array_split(np.arange(1000), 8):
        sparse.partial_fit(X[block], y[block])
        dense.partial_fit(X[block].toarray(), y[block])
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-9)
    assert sparse.n_iter_ == dense.n_iter_ == 8


# Extreme scales: the estimator is scale-equivariant, and so is its internal scaling.


@pytest.mark.parametrize("solver", ["gd", "sgd"])
@pytest.mark.parametrize("factor", [1e300, 1e-300])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_first_order_solvers_are_scale_equivariant_at_extreme_scales(solver, factor, sparse):
    rng = np.random.default_rng(15)
    X = rng.normal(size=(200, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, 0.0]
    y = X @ np.array([1.0, -0.5, 3.0]) + 2.0 + 0.1 * rng.normal(size=200)
    model = LinearRegression(solver=solver, learning_rate=0.1, max_iter=300, batch_size=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        unit = clone(model).fit(X, y)
        scaled_X = sp.csr_matrix(X * factor) if sparse else X * factor
        scaled = clone(model).fit(scaled_X, y)
    assert np.all(np.isfinite(scaled.coef_))
    assert_allclose(scaled.coef_ * factor, unit.coef_, rtol=1e-6)
    assert_allclose(scaled.predict(scaled_X), unit.predict(X), rtol=1e-6)


def test_a_feature_too_small_to_invert_is_refused_by_name():
    X = np.column_stack([np.arange(10.0), np.arange(10.0) * 1e-310])  # subnormal spread
    with pytest.raises(ValueError, match="Feature 1 of X varies by only .*Rescale that feature"):
        LinearRegression(solver="gd").fit(X, np.arange(10.0))


# State across calls.


def test_n_iter_does_not_carry_over_from_another_solver():
    X, y, _ = _sparse_regression()
    model = LinearRegression(solver="normal").fit(X, y)
    model.set_params(solver="sgd").partial_fit(X, y)
    assert model.n_iter_ == 1  # the normal equation's n_iter_ = 1 used to be continued: 2
    model.partial_fit(X, y)
    assert model.n_iter_ == 2


def test_a_diverging_fit_leaves_the_estimator_unfitted_and_partial_fit_starts_afresh():
    rng = np.random.default_rng(16)
    X = rng.normal(size=(1000, 5))
    y = X @ rng.normal(size=5) + rng.normal(size=1000)
    model = LinearRegression(solver="sgd", learning_rate=2.0, batch_size=10, random_state=0)
    with pytest.raises(FloatingPointError), np.errstate(all="ignore"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(FloatingPointError), np.errstate(all="ignore"):
        for _ in range(5):
            model.partial_fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    model.set_params(learning_rate=0.01).partial_fit(X, y)
    assert model.n_iter_ == 1 and np.all(np.isfinite(model.coef_))


def test_a_bad_batch_leaves_the_streamed_model_as_it_was():
    X, y, _ = _sparse_regression()
    model = LinearRegression(solver="sgd", random_state=0).partial_fit(X, y)
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match="NaN"):
        model.partial_fit(np.full((3, 40), np.nan), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="non-negative"):
        model.partial_fit(X[:3], y[:3], sample_weight=[1.0, -1.0, 1.0])
    assert_allclose(model.coef_, coef)
    assert model.n_iter_ == 1


def test_a_later_partial_fit_with_another_number_of_targets_names_both():
    X, Y, _ = _sparse_regression(n_targets=2)
    model = LinearRegression(solver="sgd", random_state=0).partial_fit(X, Y)
    with pytest.raises(ValueError, match=r"3 target\(s\) given, 2 expected"):
        model.partial_fit(X, np.column_stack([Y, Y[:, 0]]))
    with pytest.raises(ValueError, match=r"1 target\(s\) given, 2 expected"):
        model.partial_fit(X, Y[:, 0])


@pytest.mark.parametrize("solver", ["normal", "cg", "lsqr", "gd", "sgd"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_every_solver_refuses_negative_and_non_finite_sample_weights(solver, sparse, bad):
    X, y, weights = _sparse_regression()
    weights[7] = bad
    with pytest.raises(ValueError, match="sample_weight|NaN|infinity"):
        LinearRegression(solver=solver).fit(X if sparse else X.toarray(), y, sample_weight=weights)
    if solver == "sgd":
        with pytest.raises(ValueError, match="sample_weight|NaN|infinity"):
            LinearRegression(solver=solver).partial_fit(X if sparse else X.toarray(), y, sample_weight=weights)


# One vocabulary: schedule, momentum, verbose.


def test_momentum_reaches_the_same_answer_in_fewer_epochs():
    X, y = load_house_prices(return_X_y=True)
    normal = LinearRegression().fit(X, y)
    plain = LinearRegression(solver="gd", learning_rate=0.05, max_iter=20_000, tol=1e-15).fit(X, y)
    heavy = LinearRegression(solver="gd", learning_rate=0.05, momentum=0.9, max_iter=20_000, tol=1e-15).fit(X, y)
    nesterov = clone(heavy).set_params(nesterov=True).fit(X, y)
    for model in (plain, heavy, nesterov):
        assert_allclose(model.coef_, normal.coef_, rtol=1e-5)
    assert heavy.n_iter_ < 0.6 * plain.n_iter_ and nesterov.n_iter_ < 0.6 * plain.n_iter_


def test_a_decaying_schedule_is_used():
    X, y = load_house_prices(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        constant = LinearRegression(solver="gd", learning_rate=0.01, max_iter=50).fit(X, y)
        decaying = LinearRegression(solver="gd", learning_rate=0.01, schedule="exponential", max_iter=50).fit(X, y)
    assert decaying.loss_curve_[-1] > constant.loss_curve_[-1]  # smaller steps, slower descent
    assert decaying.loss_curve_[0] == pytest.approx(constant.loss_curve_[0])


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = load_house_prices(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LinearRegression(solver="gd", learning_rate=0.1, max_iter=7, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7 and lines[0].startswith("LinearRegression epoch 1: loss=")
    assert "elapsed" in lines[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LinearRegression(solver="gd", max_iter=7).fit(X, y)
    assert capsys.readouterr().out == ""
    assert model.n_iter_ == 7
