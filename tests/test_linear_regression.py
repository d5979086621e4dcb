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


def test_sparse_input_is_refused_clearly():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="dense data is required"):
        LinearRegression().fit(scipy_sparse.csr_matrix(np.eye(3)), [1.0, 2.0, 3.0])


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
        model = LinearRegression(alpha=4000.0, solver="sgd", learning_rate=0.02, batch_size=50, random_state=0)
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
