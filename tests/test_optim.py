"""The shared optimisers, schedules, training loop and losses."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from skdl._optim import (
    LossHistory,
    binary_logistic_loss_grad,
    iterate_minibatches,
    make_optimizer,
    make_schedule,
    minimize_first_order,
    minimize_scipy,
    multinomial_loss_grad,
    squared_loss_grad,
)
from skdl.utils import check_gradient

# A convex quadratic J(theta) = 1/2 (theta - c)^T A (theta - c) with a known minimum c.
A = np.diag([1.0, 4.0])
CENTRE = np.array([3.0, -2.0])


def quadratic(params, batch):
    difference = params[0] - CENTRE
    return 0.5 * difference @ A @ difference, [A @ difference]


@pytest.mark.parametrize(
    "name, options, learning_rate",
    [("gd", {}, 0.2), ("momentum", {}, 0.05), ("momentum", {"nesterov": True}, 0.05),
     ("rmsprop", {}, 0.01), ("adam", {}, 0.1)],
)
def test_every_optimiser_finds_the_minimum_of_a_quadratic(name, options, learning_rate):
    params = [np.zeros(2)]
    schedule = make_schedule("inverse_time", learning_rate, decay_rate=0.001)
    optimizer = make_optimizer(name, schedule, **options)
    minimize_first_order(quadratic, params, optimizer, n_samples=1, max_iter=5000, tol=1e-14)
    assert_allclose(params[0], CENTRE, atol=1e-3)


def test_adam_first_step_is_the_learning_rate_times_the_gradient_sign():
    params = [np.array([1.0, -1.0, 5.0])]
    make_optimizer("adam", 0.1).step(params, [np.array([3.0, -0.5, 1e-3])])
    assert_allclose(params[0], [0.9, -0.9, 4.9], atol=1e-4)


def test_momentum_accumulates_velocity():
    params = [np.zeros(1)]
    optimizer = make_optimizer("momentum", 1.0, momentum=0.5)
    optimizer.step(params, [np.ones(1)])
    optimizer.step(params, [np.ones(1)])
    assert_allclose(params[0], [-(1.0 + 1.5)])


def test_schedules():
    assert make_schedule("constant", 0.1)(50) == 0.1
    assert make_schedule("inverse_time", 0.1, decay_rate=1.0)(9) == pytest.approx(0.01)
    assert make_schedule("exponential", 1.0, decay_rate=0.5)(3) == pytest.approx(0.125)
    assert make_schedule("step", 1.0, drop=0.1, every=10)(25) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="Unknown learning-rate schedule"):
        make_schedule("cosine-ish", 0.1)
    with pytest.raises(ValueError, match="Unknown optimiser"):
        make_optimizer("lion", 0.1)


def test_loss_history_convergence_test():
    history = LossHistory(tol=0.01, n_iter_no_change=2)
    assert not history.record(10.0)
    assert not history.record(5.0)
    assert not history.record(4.99)  # improvement below tol * |best|: one epoch without
    assert history.record(4.98)  # two in a row: converged
    full_batch = LossHistory(tol=0.01, n_iter_no_change=1, full_batch=True)
    full_batch.record(1.0)
    assert not full_batch.record(2.0)  # a rising full-batch loss is not a plateau


def test_minibatches_cover_every_row_once_per_epoch():
    rng = np.random.RandomState(0)
    batches = list(iterate_minibatches(10, 3, rng))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches)) == list(range(10))
    assert list(iterate_minibatches(10, None)) == [slice(None)]


def test_loop_warns_when_max_iter_runs_out_and_reports_divergence():
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        minimize_first_order(quadratic, [np.zeros(2)], make_optimizer("gd", 0.01), 1, max_iter=3)
    with pytest.raises(FloatingPointError, match="diverged"), np.errstate(over="ignore", invalid="ignore"):
        minimize_first_order(quadratic, [np.zeros(2)], make_optimizer("gd", 10.0), 1, max_iter=2000)


def _standardised_regression(n_samples=1000, n_features=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    return X, X @ rng.normal(size=n_features) + rng.normal(size=n_samples)


def _divergent_fits():
    from skdl.linear_model import LinearRegression, LogisticRegression
    from skdl.neural_network import MLPClassifier, MLPRegressor

    X, y = _standardised_regression()
    labels = (y > 0).astype(int)
    return {
        # The case of the report: a rising loss used to count as "no improvement", so after six
        # epochs this fit stopped as converged with an R^2 of about -6e216.
        "LinearRegression": (LinearRegression(solver="sgd", learning_rate=2.0, batch_size=10, random_state=0), X, y),
        "LinearRegression-gd": (LinearRegression(solver="gd", learning_rate=5.0), X, y),
        "LogisticRegression": (LogisticRegression(solver="sgd", learning_rate=1e6, batch_size=10, random_state=0), X, labels),
        "MLPRegressor": (MLPRegressor(solver="sgd", learning_rate=5.0, batch_size=10, random_state=0), X, y),
        "MLPClassifier": (MLPClassifier(solver="sgd", learning_rate=50.0, batch_size=10, random_state=0), X, labels),
    }


@pytest.mark.parametrize("name", sorted(_divergent_fits()))
def test_a_diverging_first_order_fit_raises_and_names_the_learning_rate(name):
    estimator, X, y = _divergent_fits()[name]
    with pytest.raises(FloatingPointError, match=r"diverged.*learning_rate=.*lower it"):
        with np.errstate(all="ignore"):
            estimator.fit(X, y)


def test_a_first_epoch_that_already_blew_up_is_measured_against_the_starting_loss():
    from sklearn.datasets import load_digits

    from skdl.neural_network import MLPClassifier

    X, y = load_digits(return_X_y=True)
    # The first epoch's mean loss is already ~1e8; compared with itself nothing would be raised
    # and the fit would end at 10% accuracy with only a ConvergenceWarning.
    with pytest.raises(FloatingPointError, match=r"at the start\) at epoch 1.*learning_rate=1000"):
        with np.errstate(all="ignore"):
            MLPClassifier(solver="sgd", learning_rate=1e3, random_state=0, max_iter=20).fit(X / 16, y)


def test_a_diverging_partial_fit_raises():
    from skdl.linear_model import LinearRegression

    X, y = _standardised_regression()
    model = LinearRegression(solver="sgd", learning_rate=2.0, batch_size=10, random_state=0)
    with pytest.raises(FloatingPointError, match="diverged"), np.errstate(all="ignore"):
        for _ in range(5):
            model.partial_fit(X, y)


def test_a_loss_rising_by_orders_of_magnitude_is_divergence_not_a_plateau():
    def exploding(params, batch):
        params[0] *= 1e3  # each step multiplies the loss
        return float(params[0][0] ** 2), [np.zeros(1)]

    with pytest.raises(FloatingPointError, match=r"became 5e\+11 \(from 1e\+06 at the start\) at epoch 1"):
        minimize_first_order(exploding, [np.ones(1)], make_optimizer("gd", 0.1), 10, batch_size=5, max_iter=50,
                             rng=np.random.default_rng(0), n_iter_no_change=5)


def test_callback_can_stop_training():
    history, n_iter = minimize_first_order(
        quadratic, [np.zeros(2)], make_optimizer("gd", 0.01), 1, max_iter=100, tol=0.0,
        callback=lambda epoch, loss: epoch >= 7,
    )
    assert n_iter == 7 and len(history.losses) == 7


@pytest.mark.parametrize("method", ["lbfgs", "cg"])
def test_scipy_minimisers(method):
    def fun_grad(theta):
        return quadratic([theta], None)[0], quadratic([theta], None)[1][0]

    theta, n_iter = minimize_scipy(fun_grad, np.zeros(2), method=method, tol=1e-10)
    assert_allclose(theta, CENTRE, atol=1e-6)
    with pytest.warns(ConvergenceWarning):
        minimize_scipy(lambda t: (np.sum(np.cosh(t - 5)), np.sinh(t - 5)), np.zeros(3), method=method, max_iter=1)


def _check_loss(loss, X, y, weights, coef_shape, intercept_shape, l2):
    rng = np.random.default_rng(1)
    coef, intercept = rng.normal(size=coef_shape), rng.normal(size=intercept_shape)
    n_coef = coef.size

    def split(theta):
        return theta[:n_coef].reshape(coef_shape), theta[n_coef:].reshape(intercept_shape)

    def fun(theta):
        return loss(X, y, weights, *split(theta), l2)[0]

    def grad(theta):
        _, grad_coef, grad_intercept = loss(X, y, weights, *split(theta), l2)
        return np.concatenate([grad_coef.ravel(), np.ravel(grad_intercept)])

    theta = np.concatenate([coef.ravel(), np.ravel(intercept)])
    assert check_gradient(fun, grad, theta) < 1e-8


def test_every_loss_gradient_passes_the_numerical_check():
    rng = np.random.default_rng(0)
    X, weights = rng.normal(size=(30, 4)), rng.uniform(0.1, 2.0, size=30)
    l2 = rng.uniform(0.1, 1.0, size=4)  # one penalty per feature, as the scaled solvers use
    _check_loss(squared_loss_grad, X, rng.normal(size=30), weights, (4,), (), l2)
    _check_loss(squared_loss_grad, X, rng.normal(size=(30, 2)), weights, (4, 2), (2,), l2)
    _check_loss(binary_logistic_loss_grad, X, rng.integers(0, 2, 30).astype(float), weights, (4,), (), l2)
    one_hot = np.eye(3)[rng.integers(0, 3, 30)]
    _check_loss(binary_logistic_loss_grad, X, one_hot, weights, (4, 3), (3,), 0.3)
    _check_loss(multinomial_loss_grad, X, one_hot, weights, (4, 3), (3,), l2)


def test_logistic_loss_is_stable_for_large_scores():
    X = np.array([[1000.0], [-1000.0]])
    loss, grad, _ = binary_logistic_loss_grad(X, np.array([0.0, 1.0]), np.ones(2), np.ones(1), 0.0)
    assert np.isfinite(loss) and loss == pytest.approx(1000.0)
    assert np.all(np.isfinite(grad))


def test_losses_take_sparse_X_and_give_the_dense_values():
    import scipy.sparse as sp

    rng = np.random.default_rng(2)
    X = sp.random_array((40, 6), density=0.3, format="csr", random_state=2)
    weights = rng.uniform(0.1, 2.0, size=40)
    one_hot = np.eye(3)[rng.integers(0, 3, 40)]
    cases = [
        (squared_loss_grad, rng.normal(size=40), (6,), ()),
        (binary_logistic_loss_grad, rng.integers(0, 2, 40).astype(float), (6,), ()),
        (binary_logistic_loss_grad, one_hot, (6, 3), (3,)),
        (multinomial_loss_grad, one_hot, (6, 3), (3,)),
    ]
    for loss, y, coef_shape, intercept_shape in cases:
        coef, intercept = rng.normal(size=coef_shape), rng.normal(size=intercept_shape)
        for kind in (sp.csr_matrix, sp.csc_array):
            sparse = loss(kind(X), y, weights, coef, intercept, 0.3)
            dense = loss(X.toarray(), y, weights, coef, intercept, 0.3)
            for got, expected in zip(sparse, dense):
                assert isinstance(got, (float, np.floating, np.ndarray)) and not hasattr(got, "toarray")
                assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_the_loops_report_progress_when_asked(capsys):
    from skdl.utils._progress import EpochPrinter

    minimize_first_order(quadratic, [np.zeros(2)], make_optimizer("gd", 0.2), 1, max_iter=1000, tol=1e-3,
                         progress=EpochPrinter(1, "Quadratic"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Quadratic epoch 1: loss=") and lines[-1].startswith(f"Quadratic epoch {len(lines)}:")
    minimize_first_order(quadratic, [np.zeros(2)], make_optimizer("gd", 0.2), 1, max_iter=1000, tol=1e-3)
    assert capsys.readouterr().out == ""  # progress is optional: nothing printed without it
