"""The from-scratch perceptron: backpropagation, the course's network, and the estimator contract."""

import pickle
import warnings

import numpy as np
from scipy.special import softmax
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl.datasets import load_course_network_weights
from skdl.neural_network import MLPClassifier, MLPRegressor
from skdl.neural_network._layers import batch_norm_forward, dropout_mask
from skdl.neural_network._network import initialize_parameters, network_loss_grad, predict_logits
from skdl.utils import check_gradient
from skdl.utils._validation import validation_split

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)


def _small_problem(kind, rng, n=15):
    X = rng.normal(size=(n, 4))
    if kind == "regressor":
        return X, rng.normal(size=(n, 2))
    n_classes = 2 if kind == "binary" else 3
    return X, np.resize(np.arange(n_classes), n)


def _objective_and_gradient(model, X, y, sample_weight):
    """The estimator's own batch objective as functions of a flat parameter vector."""
    Y = model._encode_targets(y, X.dtype, first_call=False)
    loss_grad = model._make_batch_loss_grad(X, Y, sample_weight)
    shapes = [a.shape for a in model._params]

    def unflatten(theta):
        arrays, start = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            arrays.append(theta[start : start + size].reshape(shape))
            start += size
        return arrays

    def fun(theta):
        return loss_grad(unflatten(theta), slice(None))[0]

    def grad(theta):
        return np.concatenate([g.ravel() for g in loss_grad(unflatten(theta), slice(None))[1]])

    return fun, grad, np.concatenate([a.ravel() for a in model._params])


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regressor"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_backpropagation_matches_numerical_gradient(kind, activation, batch_norm, weighted):
    rng = np.random.default_rng(0)
    X, y = _small_problem(kind, rng)
    cls = MLPRegressor if kind == "regressor" else MLPClassifier
    model = cls(hidden_layer_sizes=(5, 4), activation=activation, alpha=0.5, batch_norm=batch_norm,
                batch_size=None, max_iter=3, random_state=0)
    sample_weight = rng.uniform(0.5, 2.0, size=len(X)) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, sample_weight=sample_weight)
    for array in model._params:  # move away from the initial zero intercepts and unit scales
        array += rng.normal(scale=0.1, size=array.shape)
    fun, grad, theta = _objective_and_gradient(model, X, y, sample_weight)
    assert check_gradient(fun, grad, theta) < 1e-7


def test_intercepts_of_batch_normalised_layers_get_no_gradient():
    rng = np.random.default_rng(1)
    X, y = _small_problem("multiclass", rng)
    model = MLPClassifier(hidden_layer_sizes=(6,), batch_norm=True, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert np.all(model.intercepts_[0] == 0.0)
    assert np.any(model.intercepts_[1] != 0.0)


def _course_network():
    weights = load_course_network_weights()
    Theta1, Theta2 = weights.Theta1, weights.Theta2
    model = MLPClassifier.from_weights(
        [Theta1[:, 1:].T, Theta2[:, 1:].T], [Theta1[:, 0], Theta2[:, 0]],
        classes=np.arange(1, 11), activation="sigmoid", output_activation="logistic",
    )
    return model, Theta1, Theta2


def _course_feedforward(X, Theta1, Theta2):
    """ex4's nnCostFunction forward pass, written as the course writes it."""
    m = X.shape[0]
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), expit(z2)])
    return a1, z2, a2, expit(a2 @ Theta2.T)


def _course_cost_and_gradients(X, y, Theta1, Theta2, lam):
    """ex4's regularised cost and backpropagated gradients (labels 1..10)."""
    m = X.shape[0]
    a1, z2, a2, h = _course_feedforward(X, Theta1, Theta2)
    Y = np.eye(10)[y - 1]
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2[:, 1:]) * expit(z2) * (1 - expit(z2))
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    Theta1_grad[:, 1:] += lam / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lam / m * Theta2[:, 1:]
    return J, Theta1_grad, Theta2_grad


def test_course_network_computes_the_course_outputs():
    model, Theta1, Theta2 = _course_network()
    X = np.random.default_rng(0).uniform(-0.2, 1.0, size=(60, 400))
    h = _course_feedforward(X, Theta1, Theta2)[-1]
    np.testing.assert_allclose(model.predict_proba(X), h, rtol=1e-12)
    # predict.m: the label of the largest output unit (10 stands for the digit 0).
    np.testing.assert_array_equal(model.predict(X), np.argmax(h, axis=1) + 1)


@pytest.mark.parametrize("lam", [0.0, 1.0, 3.0])
def test_course_network_cost_and_gradient_are_the_course_equations(lam):
    model, Theta1, Theta2 = _course_network()
    rng = np.random.default_rng(int(lam))
    X = rng.uniform(-0.2, 1.0, size=(50, 400))
    y = rng.integers(1, 11, size=50)
    J, Theta1_grad, Theta2_grad = _course_cost_and_gradients(X, y, Theta1, Theta2, lam)
    model.set_params(alpha=lam)
    Y = model._encode_targets(y, X.dtype, first_call=False)
    loss, grads = model._make_batch_loss_grad(X, Y, None)(model._params, slice(None))
    assert loss == pytest.approx(J, rel=1e-12)
    np.testing.assert_allclose(grads[0], Theta1_grad[:, 1:].T, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(grads[1], Theta2_grad[:, 1:].T, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(grads[2], Theta1_grad[:, 0], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(grads[3], Theta2_grad[:, 0], rtol=1e-9, atol=1e-14)


def test_course_network_can_be_fine_tuned_with_partial_fit():
    model, _, _ = _course_network()
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, 1, size=(40, 400)), rng.integers(1, 11, size=40)
    before = model.predict_proba(X).copy()
    model.partial_fit(X, y)
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 1
    assert not np.allclose(model.predict_proba(X), before)


def test_l2_penalty_is_alpha_over_two_m_and_spares_the_intercepts():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 3, size=30)
    coefs, intercepts = initialize_parameters([3, 4, 3], "tanh", rng, np.float64)
    params = coefs + intercepts
    options = dict(activation="tanh", out_activation="softmax")
    plain, plain_grads, _ = network_loss_grad(X, y, 1 / 30, params, l2=0.0, **options)
    alpha, m = 2.0, 30
    penalised, grads, _ = network_loss_grad(X, y, 1 / 30, params, l2=alpha / m, **options)
    assert penalised - plain == pytest.approx(alpha / (2 * m) * sum(np.sum(W**2) for W in coefs))
    np.testing.assert_allclose(grads[0] - plain_grads[0], alpha / m * coefs[0])
    np.testing.assert_allclose(grads[2], plain_grads[2])


@pytest.mark.parametrize(("activation", "factor"), [("relu", 6.0), ("tanh", 6.0), ("sigmoid", 2.0)])
def test_initialisation_is_glorot_uniform_drawn_as_scikit_learn_draws_it(activation, factor):
    rng = np.random.RandomState(0)
    coefs, intercepts = initialize_parameters([400, 300, 10], activation, rng, np.float64)
    for W, b in zip(coefs, intercepts):
        bound = np.sqrt(factor / (W.shape[0] + W.shape[1]))
        assert bound * 0.99 < np.abs(W).max() <= bound and np.abs(b).max() <= bound
        assert np.std(W) == pytest.approx(bound / np.sqrt(3), rel=0.02)
    # scikit-learn's initial network: one SGD step of 1e-300 leaves every weight as drawn.
    X, y = np.random.default_rng(0).normal(size=(20, 400)), np.arange(20) % 10
    sklearn_name = {"sigmoid": "logistic"}.get(activation, activation)
    initial = SkMLPClassifier((300,), activation=sklearn_name, solver="sgd", momentum=0.0,
                              learning_rate_init=1e-300, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        initial.fit(X, y)
    for ours, theirs in zip(coefs + intercepts, initial.coefs_ + initial.intercepts_):
        np.testing.assert_array_equal(ours, theirs)


def test_inverted_dropout_keeps_the_expected_activation():
    mask = dropout_mask((2000, 50), 0.3, np.random.RandomState(0), np.float32)
    assert mask.dtype == np.float32
    assert set(np.unique(mask)) == {0.0, np.float32(1 / 0.7)}
    assert mask.mean() == pytest.approx(1.0, abs=0.01)


def test_dropout_changes_training_but_not_prediction(digits):
    X_train, X_test, y_train, _ = digits
    options = dict(hidden_layer_sizes=(32,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPClassifier(**options).fit(X_train, y_train)
        dropped = MLPClassifier(dropout=0.5, **options).fit(X_train, y_train)
    assert dropped.loss_curve_[-1] > plain.loss_curve_[-1]
    # Inverted dropout scales at training time, so prediction is the plain forward pass through
    # the learned weights, with no mask and no rescaling: computed here by hand.
    (W1, W2), (b1, b2) = dropped.coefs_, dropped.intercepts_
    logits = np.maximum(X_test @ W1 + b1, 0.0) @ W2 + b2
    np.testing.assert_allclose(dropped.predict_proba(X_test), softmax(logits, axis=1), rtol=1e-10)


def test_batch_norm_prediction_uses_the_running_statistics():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)) * 5 + 2, rng.integers(0, 2, size=40)
    model = MLPClassifier(hidden_layer_sizes=(6,), batch_norm=True, batch_size=None, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    # With the running statistics set to the full data's, prediction is the training-mode pass.
    _, _, (mean, var) = batch_norm_forward(X @ model.coefs_[0], model.bn_gammas_[0], model.bn_betas_[0], 1 / 40)
    model.bn_running_means_[0][:] = mean
    model.bn_running_vars_[0][:] = var
    Y = model._encode_targets(y, X.dtype, first_call=False)
    batch_loss_grad = model._make_batch_loss_grad(X, Y, None)
    train_loss = batch_loss_grad(model._params, slice(None))[0]
    h = model.predict_proba(X)[:, 1]
    loss = -np.mean(y * np.log(h) + (1 - y) * np.log(1 - h))
    penalty = model.alpha / 80 * sum(np.sum(W**2) for W in model.coefs_)
    assert loss + penalty == pytest.approx(train_loss, rel=1e-10)


def test_batch_norm_running_statistics_track_the_hidden_layer(digits):
    X_train, _, y_train, _ = digits
    model = MLPClassifier(hidden_layer_sizes=(16,), batch_norm=True, learning_rate=0.01,
                          max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    Z = X_train @ model.coefs_[0]
    np.testing.assert_allclose(model.bn_running_means_[0], Z.mean(axis=0), atol=0.1 * Z.std(axis=0).max())
    assert model.score(X_train, y_train) > 0.95


@pytest.mark.parametrize(
    ("solver", "options"),
    [("sgd", {"learning_rate": 0.3}), ("sgd", {"learning_rate": 0.05, "momentum": 0.9}),
     ("sgd", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
     ("rmsprop", {"learning_rate": 0.003}), ("adam", {"learning_rate": 0.003})],
    ids=["sgd", "momentum", "nesterov", "rmsprop", "adam"],
)
def test_every_solver_learns_digits(digits, solver, options):
    # Batches of 50 leave a last batch of 47 of the 1,347 rows. With batches of 64 the last one
    # has 3 rows, and at a step of 0.3 plain SGD's step on those 3 rows undoes much of the epoch
    # (test accuracy 0.62 to 0.97 over three seeds; scikit-learn's SGD does the same, 0.74 on
    # seed 0): the network returned is the one after the last step.
    X_train, X_test, y_train, y_test = digits
    model = MLPClassifier(hidden_layer_sizes=(32,), solver=solver, schedule="inverse_time", batch_size=50,
                          max_iter=20, random_state=0, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.93
    assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_accuracy_matches_scikit_learn_on_digits(digits):
    X_train, X_test, y_train, y_test = digits
    options = dict(hidden_layer_sizes=(64,), batch_size=100, max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**options).fit(X_train, y_train).score(X_test, y_test)
        theirs = SkMLPClassifier(**options).fit(X_train, y_train).score(X_test, y_test)
    assert ours >= theirs - 0.015
    assert ours > 0.96


def test_early_stopping_keeps_the_best_epoch(digits):
    X_train, _, y_train, _ = digits
    model = MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True, n_iter_no_change=3,
                          learning_rate=0.05, max_iter=200, random_state=0).fit(X_train, y_train)
    assert model.n_iter_ < 200
    assert len(model.validation_scores_) == model.n_iter_ == len(model.loss_curve_)
    assert model.best_validation_score_ == max(model.validation_scores_)
    # The kept network is the best epoch's: recompute its validation score on the same split,
    # the shared early-stopping split drawn after the initial weights.
    _, held_out = validation_split(len(X_train), 0.1, _rng_after_init(model, X_train.shape[1]), classes=y_train)
    assert model.score(X_train[held_out], y_train[held_out]) == pytest.approx(model.best_validation_score_)


def _rng_after_init(model, n_features):
    rng = np.random.RandomState(model.random_state)
    initialize_parameters([n_features, 32, 10], model.activation, rng, np.float64)
    return rng


def test_regressor_early_stopping_records_r2():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(300, 2))
    y = X[:, 0] ** 2 + X[:, 1]
    model = MLPRegressor(hidden_layer_sizes=(16,), early_stopping=True, learning_rate=0.01,
                         random_state=0).fit(X, y)
    assert model.validation_scores_[-1] <= model.best_validation_score_ <= 1.0
    assert model.best_validation_score_ > 0.8


def test_partial_fit_needs_classes_then_continues(digits):
    X_train, _, y_train, _ = digits
    model = MLPClassifier(hidden_layer_sizes=(16,), random_state=0)
    with pytest.raises(ValueError, match="classes"):
        model.partial_fit(X_train, y_train)
    model.partial_fit(X_train[:100], y_train[:100], classes=np.arange(10))
    for _ in range(4):
        model.partial_fit(X_train, y_train)
    assert model.n_iter_ == 5 and len(model.loss_curve_) == 5
    assert model.loss_curve_[-1] < model.loss_curve_[1]
    with pytest.raises(ValueError, match="not in classes"):
        model.partial_fit(X_train[:3], [0, 1, 11])


def test_regressor_partial_fit_and_multioutput():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X[:, 0] - X[:, 1], X[:, 2]])
    model = MLPRegressor(hidden_layer_sizes=(16,), learning_rate=0.01, batch_size=20, random_state=0)
    for _ in range(30):
        model.partial_fit(X, Y)
    assert model.predict(X).shape == (200, 2)
    assert model.score(X, Y) > 0.9
    single = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert single.fit(X, Y[:, 0]).predict(X).shape == (200,)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_string_labels_binary_and_multiclass():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 2))
    for labels in (np.array(["no", "yes"]), np.array(["cat", "dog", "eel"])):
        y = labels[(X[:, 0] > 0).astype(int) + (len(labels) == 3) * (X[:, 1] > 0)]
        model = MLPClassifier(hidden_layer_sizes=(8,), learning_rate=0.02, random_state=0).fit(X, y)
        np.testing.assert_array_equal(model.classes_, labels)
        assert model.out_activation_ == ("logistic" if len(labels) == 2 else "softmax")
        assert model.predict_proba(X).shape == (90, len(labels))
        np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
        assert set(model.predict(X)) <= set(labels)
        assert model.score(X, y) > 0.9


def test_multilabel_targets_are_refused():
    with pytest.raises(ValueError, match="1d array"):
        MLPClassifier().fit(np.zeros((4, 2)), np.array([[0, 1], [1, 0], [1, 1], [0, 0]]))


def test_float32_is_kept(digits):
    X_train, X_test, y_train, _ = digits
    X32 = X_train.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(hidden_layer_sizes=(16,), batch_norm=True, max_iter=3, random_state=0).fit(X32, y_train)
    arrays = model.coefs_ + model.intercepts_ + model.bn_gammas_ + model.bn_running_vars_
    assert all(a.dtype == np.float32 for a in arrays)
    assert model.predict_proba(X_test.astype(np.float32)).dtype == np.float32
    assert model._optimizer.first_moments[0].dtype == np.float32


def test_sample_weight_equals_repeated_rows_with_batch_norm():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 3, size=20)
    weights = rng.integers(1, 4, size=20)
    options = dict(hidden_layer_sizes=(5,), batch_norm=True, batch_size=None, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = MLPClassifier(**options).fit(X, y, sample_weight=weights)
        repeated = MLPClassifier(**options).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-6)


def _fitted_for_objective(kind, batch_norm, rng):
    X, y = _small_problem(kind, rng, n=12)
    cls = MLPRegressor if kind == "regressor" else MLPClassifier
    model = cls(hidden_layer_sizes=(5,), activation="tanh", alpha=0.5, batch_norm=batch_norm,
                batch_size=None, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model, X, model._encode_targets(y, X.dtype, first_call=False)


@pytest.mark.parametrize("kind", ["multiclass", "regressor"])
def test_mini_batch_objectives_average_to_the_full_weighted_objective(kind):
    # The batches' losses and gradients, weighted by their sizes as the training loop averages
    # them, add up to the full objective exactly: light and heavy batches count by their weight,
    # and a batch whose rows all weigh zero brings the penalty only.
    rng = np.random.default_rng(0)
    model, X, Y = _fitted_for_objective(kind, False, rng)
    sample_weight = np.r_[np.zeros(3), rng.uniform(0.1, 0.5, 3), 0.0, rng.uniform(2.0, 4.0, 5)]
    loss_grad = model._make_batch_loss_grad(X, Y, sample_weight)
    full_loss, full_grads = loss_grad(model._params, slice(None))
    batches = [np.arange(0, 3), np.arange(3, 7), np.arange(7, 9), np.arange(9, 12)]
    results = [loss_grad(model._params, batch) for batch in batches]
    fractions = [len(batch) / len(X) for batch in batches]
    assert sum(f * loss for f, (loss, _) in zip(fractions, results)) == pytest.approx(full_loss, rel=1e-12)
    for index, full_grad in enumerate(full_grads):
        averaged = sum(f * grads[index] for f, (_, grads) in zip(fractions, results))
        np.testing.assert_allclose(averaged, full_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_batch_of_zero_weight_brings_only_the_penalty(batch_norm):
    rng = np.random.default_rng(0)
    model, X, Y = _fitted_for_objective("multiclass", batch_norm, rng)
    sample_weight = np.r_[np.zeros(4), np.ones(8)]
    running = [a.copy() for a in model._all_arrays()]
    with np.errstate(all="raise"):
        loss, grads = model._make_batch_loss_grad(X, Y, sample_weight)(model._params, np.arange(4))
    l2 = model.alpha / sample_weight.sum()
    assert loss == pytest.approx(l2 / 2 * sum(np.sum(W**2) for W in model.coefs_), rel=1e-12)
    for grad, array in zip(grads, model._params):
        is_coef = any(array is W for W in model.coefs_)
        np.testing.assert_allclose(grad, l2 * array if is_coef else 0.0, rtol=1e-12, atol=0)
    for before, after in zip(running, model._all_arrays()):  # running statistics untouched
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_rows_of_zero_weight_do_not_change_training(batch_norm):
    # Two thirds of the rows weigh zero, so with batches of 2 some batches weigh nothing at all:
    # training must neither divide 0 by 0 nor let those rows (here replaced by other values)
    # move the network or the batch-norm running statistics.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(24, 3)), rng.integers(0, 3, size=24)
    weights = np.r_[rng.uniform(0.5, 2.0, 8), np.zeros(16)]
    X_other, y_other = X.copy(), y.copy()
    X_other[8:] = rng.normal(scale=5.0, size=(16, 3))
    y_other[8:] = rng.integers(0, 3, size=16)
    options = dict(hidden_layer_sizes=(6,), batch_norm=batch_norm, batch_size=2, learning_rate=0.01,
                   max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(**options).fit(X, y, sample_weight=weights)
        other = MLPClassifier(**options).fit(X_other, y_other, sample_weight=weights)
    assert np.all(np.isfinite(model.loss_curve_))
    np.testing.assert_allclose(model.loss_curve_, other.loss_curve_, rtol=1e-12)
    for a, b in zip(model._all_arrays(), other._all_arrays()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("batch_size", "solver", "learning_rate"), [(1, "sgd", 0.003), (1, "adam", 0.003),
                                                                   (4, "sgd", 0.01)])
def test_sample_weight_counts_in_small_mini_batches(batch_size, solver, learning_rate):
    # A network without hidden layers is linear least squares, whose weighted solution (that of
    # the heavy rows repeated) is known exactly. The two halves of the rows disagree (slope 2
    # against -1) and the second half weighs 3 times more: the weighted slope is near -0.25 and
    # the unweighted one near 0.5, so ignoring the weights (as batches of one row did when each
    # batch's weights were normalised to sum to one) or flattening them in small batches misses
    # it by 0.05 to 0.8. Over 10 seeds the stochastic solvers end within 0.01 of it.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 1))
    heavy = np.arange(40) >= 20
    y = np.where(heavy, -1.0, 2.0) * X[:, 0]
    weights = np.where(heavy, 3.0, 1.0)
    expected = LinearRegression().fit(X, y, sample_weight=weights).coef_[0]
    model = MLPRegressor(hidden_layer_sizes=(), solver=solver, learning_rate=learning_rate, alpha=0.0,
                         batch_size=batch_size, max_iter=150, n_iter_no_change=1000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, sample_weight=weights)
    assert model.coefs_[0][0, 0] == pytest.approx(expected, abs=0.03)


def test_partial_fit_penalty_does_not_depend_on_how_the_stream_is_split():
    # One pass over 500 rows of a linear problem, as one call or as ten calls of 50 rows. Each
    # call descends the ridge objective of all the rows seen so far (penalty alpha / rows seen),
    # so both end near the ridge solution on all the rows; the penalty of the last call alone
    # (alpha / 50) would shrink the coefficients about twice as much, 0.5 to 0.7 away. SGD noise
    # (learning rate 0.05, batches of 5) leaves both within 0.03 of ridge over 10 seeds.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 3))
    y = X @ np.array([1.5, -1.0, 0.5])
    alpha = 50.0
    expected = Ridge(alpha=alpha).fit(X, y).coef_
    coefs = []
    for n_calls in (1, 10):
        model = MLPRegressor(hidden_layer_sizes=(), solver="sgd", learning_rate=0.05, batch_size=5,
                             alpha=alpha, random_state=0)
        for rows in np.array_split(np.arange(500), n_calls):
            model.partial_fit(X[rows], y[rows])
        coefs.append(model.coefs_[0][:, 0])
    np.testing.assert_allclose(coefs[0], expected, atol=0.1)
    np.testing.assert_allclose(coefs[1], expected, atol=0.1)
    np.testing.assert_allclose(coefs[0], coefs[1], atol=0.1)
    assert model._seen_weight == 500
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_params(max_iter=2).fit(X[:40], y[:40], sample_weight=np.full(40, 0.5))
    assert model._seen_weight == 20  # fit starts the count again, with the weight of its rows
    model.partial_fit(X[:10], y[:10])
    assert model._seen_weight == 30


def test_sparse_input_gives_the_dense_result(digits):
    X_train, X_test, y_train, _ = digits
    options = dict(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = MLPClassifier(**options).fit(X_train, y_train)
        sparse = MLPClassifier(**options).fit(sp.csr_matrix(X_train), y_train)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X_test)), dense.predict_proba(X_test))


def test_random_state_reproducibility_and_convergence_warning(digits):
    X_train, _, y_train, _ = digits
    options = dict(hidden_layer_sizes=(8,), dropout=0.2, max_iter=2, random_state=3)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        first = MLPClassifier(**options).fit(X_train, y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        second = MLPClassifier(**options).fit(X_train, y_train)
        other = MLPClassifier(**{**options, "random_state": 4}).fit(X_train, y_train)
    np.testing.assert_array_equal(first.coefs_[0], second.coefs_[0])
    assert not np.array_equal(first.coefs_[0], other.coefs_[0])


def test_bad_input_is_refused():
    X, y = np.zeros((6, 2)), [0, 1, 0, 1, 0, 1]
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    with pytest.raises(ValueError, match="activation"):
        MLPClassifier(activation="softplus").fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier().fit(np.array([[np.nan, 1.0]] * 6), y)
    with pytest.raises(ValueError, match="one class"):
        MLPClassifier().fit(X, [1] * 6)
    with pytest.raises(ValueError, match="units"):
        MLPClassifier.from_weights([np.zeros((2, 3))], [np.zeros(3)], classes=[0, 1])


def test_works_in_pipeline_search_and_pickle(digits):
    X_train, X_test, y_train, _ = digits
    mlp = MLPClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, batch_size=50, max_iter=20, random_state=0)
    pipeline = make_pipeline(StandardScaler(), mlp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipeline, {"mlpclassifier__alpha": [1e-4, 1.0]}, cv=2).fit(X_train, y_train)
        scores = cross_val_score(MLPRegressor(max_iter=5, random_state=0), X_train, y_train, cv=2)
    assert search.best_score_ > 0.9 and scores.shape == (2,)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X_test), search.best_estimator_.predict(X_test))


def test_predict_logits_without_hidden_layers_is_linear():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    np.testing.assert_allclose(predict_logits(X, [W], [b], "relu"), X @ W + b)
    model = MLPRegressor.from_weights([W], [b])
    np.testing.assert_allclose(model.predict(X), X @ W + b)


def test_dataframe_feature_names_and_log_proba():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 2)), columns=["a", "b"])
    y = (X["a"] > 0).map({True: "pos", False: "neg"}).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(X, y)
        np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), model.predict_proba(X))
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b"])


@pytest.mark.parametrize("batch_norm", [False, True])
def test_dropout_backpropagation_with_a_fixed_mask(batch_norm):
    # A fresh generator with the same seed draws the same mask at every call, which makes the
    # objective a deterministic function of the parameters and its gradient checkable.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 4)), np.resize(np.arange(3), 12)
    coefs, intercepts = initialize_parameters([4, 6, 5, 3], "tanh", np.random.RandomState(0), np.float64)
    params = coefs + intercepts
    if batch_norm:
        params += [np.ones(6), np.ones(5), np.zeros(6), np.zeros(5)]
    shapes = [a.shape for a in params]
    splits = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]

    def loss_grad(theta):
        arrays = [a.reshape(s) for a, s in zip(np.split(theta, splits), shapes)]
        return network_loss_grad(X, y, 1 / 12, arrays, activation="tanh", out_activation="softmax", l2=0.1,
                                 batch_norm=batch_norm, dropout=0.4, rng=np.random.RandomState(1))

    theta = np.concatenate([a.ravel() for a in params])
    grad = lambda t: np.concatenate([g.ravel() for g in loss_grad(t)[1]])  # noqa: E731
    assert check_gradient(lambda t: loss_grad(t)[0], grad, theta) < 1e-7


# ---------------------------------------------------------------------- against scikit-learn's network
def _check_regression_data():
    """The data of scikit-learn's check_regressors_train: 200 x 10, scaled targets."""
    from sklearn.preprocessing import scale
    from sklearn.utils.estimator_checks import _regression_dataset

    X, y = _regression_dataset()
    return X, scale(y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_full_batch_training_is_scikit_learns_network(activation):
    # Same seed, same initial network; one batch of all 200 rows (scikit-learn's batch_size
    # "auto"), Adam at 1e-3: the two libraries take the same steps, to rounding.
    X, y = _check_regression_data()
    options = dict(activation=activation, alpha=0.01, max_iter=20, random_state=0)
    ours = MLPRegressor(**options).fit(X, y)
    theirs = SkMLPRegressor(**{**options, "activation": {"sigmoid": "logistic"}.get(activation, activation)},
                            shuffle=False).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_classes", [2, 3])
def test_full_batch_classifier_is_scikit_learns_network(n_classes):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (n_classes == 3) * (X[:, 2] > 1)
    ours = MLPClassifier(max_iter=20, random_state=0).fit(X, y)
    theirs = SkMLPClassifier(max_iter=20, shuffle=False, random_state=0).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_passes_check_regressors_train_at_fifty_epochs():
    # scikit-learn's check asks R^2 > 0.5 with alpha=0.01; He's initialisation reached 0.13 after
    # 50 epochs (and -1.19 after 20) where scikit-learn's Glorot start reaches 0.85.
    X, y = _check_regression_data()
    ours = MLPRegressor(max_iter=50, alpha=0.01, random_state=0).fit(X, y).score(X, y)
    theirs = SkMLPRegressor(max_iter=50, alpha=0.01, random_state=0).fit(X, y).score(X, y)
    assert ours > 0.5
    assert ours == pytest.approx(theirs, abs=0.01)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_learns_digits_as_well_as_scikit_learn(digits):
    # Digits as a regression on the digit's value, the same budget on both sides (200 epochs of
    # Adam in batches of 200). The mini-batch order differs, the initial network does not.
    X_train, X_test, y_train, y_test = digits
    ours = MLPRegressor(random_state=0).fit(X_train, y_train).score(X_test, y_test)
    theirs = SkMLPRegressor(random_state=0).fit(X_train, y_train).score(X_test, y_test)
    assert ours >= theirs - 0.01


# ---------------------------------------------------------------------- from_weights and probabilities
def _raw_network(rng, n_outputs):
    return [rng.normal(size=(4, 5)), rng.normal(size=(5, n_outputs))], [rng.normal(size=5), rng.normal(size=n_outputs)]


@pytest.mark.parametrize(("classes", "output_activation"), [([2, 0, 1], "softmax"), ([2, 0, 1], "logistic"),
                                                            (["b", "a"], "softmax")])
def test_from_weights_with_unsorted_classes_predicts_and_trains_the_given_labels(classes, output_activation):
    rng = np.random.default_rng(0)
    coefs, intercepts = _raw_network(rng, 1 if len(classes) == 2 else len(classes))
    X = rng.normal(size=(30, 4))
    Z = np.tanh(X @ coefs[0] + intercepts[0]) @ coefs[1] + intercepts[1]
    expected = np.asarray(classes)[(Z[:, 0] > 0).astype(int) if Z.shape[1] == 1 else Z.argmax(axis=1)]
    model = MLPClassifier.from_weights(coefs, intercepts, classes=classes, activation="tanh",
                                       output_activation=output_activation)
    np.testing.assert_array_equal(model.classes_, np.sort(classes))
    np.testing.assert_array_equal(model.predict(X), expected)
    # The same network with the classes listed in order: partial_fit trains both alike.
    order = np.argsort(classes)
    if len(classes) == 2:
        sorted_coefs, sorted_intercepts = [coefs[0], -coefs[1]], [intercepts[0], -intercepts[1]]
    else:
        sorted_coefs, sorted_intercepts = [coefs[0], coefs[1][:, order]], [intercepts[0], intercepts[1][order]]
    reference = MLPClassifier.from_weights(sorted_coefs, sorted_intercepts, classes=np.sort(classes),
                                           activation="tanh", output_activation=output_activation)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), rtol=1e-12)
    options = dict(random_state=0, learning_rate=0.05)
    model.set_params(**options).partial_fit(X, expected)
    reference.set_params(**options).partial_fit(X, expected)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), rtol=1e-10)
    assert model.score(X, expected) == reference.score(X, expected)


def test_from_weights_refuses_repeated_classes():
    rng = np.random.default_rng(0)
    coefs, intercepts = _raw_network(rng, 3)
    with pytest.raises(ValueError, match="each output unit's label once"):
        MLPClassifier.from_weights(coefs, intercepts, classes=[0, 1, 1])


def test_binary_log_probabilities_are_finite_at_large_logits():
    model = MLPClassifier.from_weights([np.ones((1, 1))], [np.zeros(1)], classes=[0, 1])
    X = np.array([[40.0], [-40.0], [800.0]])
    log_proba = model.predict_log_proba(X)
    np.testing.assert_allclose(log_proba[:2], [[-40.0, -np.exp(-40.0)], [-np.exp(-40.0), -40.0]], rtol=1e-12)
    assert log_proba[2, 0] == pytest.approx(-800.0)
    np.testing.assert_allclose(model.predict_proba(X[:1]), [[np.exp(-40.0), 1.0]], rtol=1e-12)
    course = MLPClassifier.from_weights([np.ones((1, 3))], [np.zeros(3)], classes=[0, 1, 2],
                                        output_activation="logistic")
    assert np.all(np.isfinite(course.predict_log_proba(np.array([[-800.0]]))))


# ---------------------------------------------------------------------- early stopping
def test_early_stopping_of_one_sample_says_so():
    with pytest.raises(ValueError, match="at least 2 samples; got n_samples=1.*early_stopping=False"):
        MLPRegressor(early_stopping=True).fit([[0.0, 1.0]], [1.0])
    model = MLPRegressor(early_stopping=True, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit([[0.0], [1.0]], [1.0, 2.0])  # two rows: one trains, one is held out
    assert len(model.validation_scores_) == model.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_early_stopping_ranks_epochs_of_a_small_hold_out():
    # Ten rows hold out one, whose R^2 about its own mean is undefined (scikit-learn's r2_score
    # warns and returns NaN, and early stopping then never stops); held-out targets that are all
    # equal score 0 at every epoch, so the first epoch's network was kept. The score about the
    # training mean ranks the epochs as the held-out squared error does.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 2))
    y = X[:, 0] + 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no UndefinedMetricWarning
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor((8,), early_stopping=True, learning_rate=0.01, n_iter_no_change=5,
                             max_iter=300, random_state=0).fit(X, y)
    scores = np.asarray(model.validation_scores_)
    assert np.all(np.isfinite(scores)) and len(np.unique(scores)) > 1
    assert model.best_validation_score_ == scores.max() and model.n_iter_ > 1


# ---------------------------------------------------------------------- state across fits
def _standardised_binary_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 5))
    return X, (X @ rng.normal(size=5) + rng.normal(size=1000) > 0).astype(int)


def test_divergence_raises_and_leaves_the_estimator_unfitted():
    from sklearn.exceptions import NotFittedError

    X, y = _standardised_binary_problem()
    model = MLPClassifier((8,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    model.set_params(solver="sgd", learning_rate=50.0, batch_size=10, max_iter=200)
    with pytest.raises(FloatingPointError, match="learning_rate=50"), np.errstate(all="ignore"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    # partial_fit starts afresh (it asks for the classes again) instead of resuming the broken network.
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X, y)
    model = MLPClassifier((8,), solver="sgd", learning_rate=50.0, batch_size=10, random_state=0)
    with pytest.raises(FloatingPointError, match="diverged"), np.errstate(all="ignore"):
        for _ in range(200):
            model.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(model, "coefs_") and not hasattr(model, "n_iter_")


def test_refused_batch_keeps_the_network():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
    model = MLPRegressor((4,), random_state=0).partial_fit(X, Y)
    before = [a.copy() for a in model.coefs_]
    with pytest.raises(ValueError, match="y has 1 target, but the network was trained for 2.*fit"):
        model.partial_fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="3 targets, but the network was trained for 2"):
        model.partial_fit(X, np.column_stack([Y, Y[:, 0]]))
    with pytest.raises(ValueError, match="NaN"):
        model.partial_fit(np.full((2, 3), np.nan), Y[:2])
    for a, b in zip(before, model.coefs_):
        np.testing.assert_array_equal(a, b)
    assert model.n_iter_ == 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fit_counts_its_own_epochs_and_partial_fit_uses_the_current_solver(digits):
    X_train, _, y_train, _ = digits
    model = MLPClassifier((8,), solver="sgd", learning_rate=0.1, max_iter=7, random_state=0).fit(X_train, y_train)
    model.set_params(solver="adam", learning_rate=1e-3, max_iter=3).fit(X_train, y_train)
    assert model.n_iter_ == len(model.loss_curve_) == 3
    model.set_params(solver="sgd", momentum=0.5, learning_rate=0.01)
    model.partial_fit(X_train, y_train)
    assert type(model._optimizer).__name__ == "GradientDescent" and model._optimizer.momentum == 0.5
    assert model._optimizer.learning_rate == 0.01
    assert model.n_iter_ == len(model.loss_curve_) == 4  # partial_fit adds its epoch


def test_partial_fit_refuses_other_classes():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), np.arange(30) % 3
    model = MLPClassifier((4,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    model.partial_fit(X, y, classes=[2, 1, 0])  # the same classes in another order
    with pytest.raises(ValueError, match=r"classes=\[0, 1, 2, 3\] differs from the classes .* \[0, 1, 2\]"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])
    assert model.n_iter_ == 2


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_continues_the_network_as_scikit_learn_does():
    X, y = _check_regression_data()
    options = dict(alpha=0.01, max_iter=5, warm_start=True, random_state=0)
    ours = MLPRegressor(**options)
    theirs = SkMLPRegressor(**options, shuffle=False)
    for _ in range(3):
        ours.fit(X, y)
        theirs.fit(X, y)
    # n_iter_ counts the last fit's epochs, loss_curve_ every epoch of the network.
    assert ours.n_iter_ == theirs.n_iter_ == 5
    assert len(ours.loss_curve_) == len(theirs.loss_curve_) == 15
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    cold = MLPRegressor(**{**options, "warm_start": False}).fit(X, y)
    assert cold.n_iter_ == 5 and ours.loss_ < cold.loss_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_needs_the_same_classes():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), np.arange(30) % 3
    model = MLPClassifier((4,), max_iter=2, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"warm_start=True .* classes \[0, 1, 2\].* \[0, 1\]"):
        model.fit(X, y % 2)
    assert model.n_iter_ == 2 and model.predict(X).shape == (30,)


# ---------------------------------------------------------------------- labels and scales
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_object_dtype_integer_labels_are_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.array([int(v) for v in (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)], dtype=object)
    model = MLPClassifier((8,), learning_rate=0.02, random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.classes_.dtype.kind == "i" and model.score(X, y.astype(int)) > 0.8
    with pytest.raises(ValueError, match=r"mix types \(int, str\)"):
        MLPClassifier().fit(X[:4], np.array([0, 1, "a", "b"], dtype=object))


@pytest.mark.parametrize("scale", [1e300, 1e-300])
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_extreme_scales_are_refused_naming_the_problem(cls, scale):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=r"X .*(as large as \d\.\d+e\+300|is \d\.\d+e-300).*Scale X"):
        cls().fit(X * scale, y)
    with pytest.raises(ValueError, match="Scale X"):
        cls((4,)).fit(X.astype(np.float32) * np.float32(1e30 if scale > 1 else 1e-30), y)


def test_huge_regression_targets_are_refused():
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="y has values as large as 1e\\+300.*Scale y"):
        MLPRegressor().fit(X, np.full(20, 1e300))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_positively_homogeneous_network_classifies_large_scales_alike():
    # A ReLU network without intercepts' influence scales its logits with X, so the classes
    # stay right far from unit scale (scikit-learn's MLP too); only the extremes are refused.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] > 0).astype(int)
    for scale in (1e6, 1e100):
        assert MLPClassifier(max_iter=50, random_state=0).fit(X * scale, y).score(X * scale, y) > 0.95


# ---------------------------------------------------------------------- sparse input
@pytest.fixture
def no_densifying(monkeypatch):
    """Sparse matrices that refuse to become dense while the block runs."""
    def refuse(self, *args, **kwargs):
        raise AssertionError("a sparse input was densified")

    for cls in (sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.csc_array):
        for method in ("toarray", "todense", "__array__"):
            monkeypatch.setattr(cls, method, refuse, raising=False)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array, sp.csc_matrix])
@pytest.mark.parametrize("options", [{}, {"batch_norm": True, "early_stopping": True}, {"batch_size": None}])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_first_layer_gives_the_dense_network(digits, container, options, dtype, request):
    X_train, X_test, y_train, _ = digits
    X_train, X_test = X_train[:400].astype(dtype), X_test.astype(dtype)
    y_train = y_train[:400]
    params = dict(hidden_layer_sizes=(16,), max_iter=4, random_state=0, **options)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y_train))
    dense = MLPClassifier(**params).fit(X_train, y_train, sample_weight=weights)
    X_sparse, X_test_sparse = container(X_train), container(X_test)
    request.getfixturevalue("no_densifying")
    sparse = MLPClassifier(**params).fit(X_sparse, y_train, sample_weight=weights)
    sparse.partial_fit(X_sparse[:50], y_train[:50])
    proba = sparse.predict_proba(X_test_sparse)
    dense.partial_fit(X_train[:50], y_train[:50])
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(proba, dense.predict_proba(X_test), rtol=rtol, atol=rtol / 10)
    assert proba.dtype == dtype


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_regressor_on_a_wide_bag_of_words(no_densifying):
    # 200,000 columns would make a dense X of 3.2 GB; the sparse first layer needs nnz + W.
    rng = np.random.default_rng(0)
    X = sp.random(2000, 200_000, density=2e-5, format="csr", random_state=0)
    Y = np.column_stack([np.asarray(X.sum(axis=1)).ravel(), rng.normal(size=2000)])
    model = MLPRegressor((2,), max_iter=2, random_state=0).fit(X, Y)
    assert model.predict(X).shape == (2000, 2)
    assert model.coefs_[0].shape == (200_000, 2)


def test_tags_declare_sparse_input():
    from sklearn.utils import get_tags

    assert get_tags(MLPClassifier()).input_tags.sparse and get_tags(MLPRegressor()).input_tags.sparse


# ---------------------------------------------------------------------- vocabulary
def _fitted_coefs(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y).coefs_


@pytest.mark.parametrize(("old", "new"), [
    ({"learning_rate_init": 0.05}, {"learning_rate": 0.05}),
    ({"lr_schedule": "inverse_time"}, {"schedule": "inverse_time"}),
    ({"solver": "momentum"}, {"solver": "sgd", "momentum": 0.9}),
    ({"solver": "momentum", "nesterov": True}, {"solver": "sgd", "momentum": 0.9, "nesterov": True}),
])
def test_deprecated_names_still_work_with_a_future_warning(old, new):
    X, y = _standardised_binary_problem()
    base = dict(hidden_layer_sizes=(4,), learning_rate=0.01, batch_size=50, max_iter=3, random_state=0)
    with pytest.warns(FutureWarning, match=f"{next(iter(new))}") as record:
        deprecated = _fitted_coefs(MLPClassifier(**{**base, **old}), X, y)
    assert record[0].filename == __file__  # the warning points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        renamed = _fitted_coefs(MLPClassifier(**{**base, **new}), X, y)
    for a, b in zip(deprecated, renamed):
        np.testing.assert_array_equal(a, b)


def test_deprecated_names_warn_in_partial_fit_too():
    X, y = _standardised_binary_problem()
    with pytest.warns(FutureWarning, match="learning_rate_init was renamed learning_rate"):
        MLPRegressor((4,), learning_rate_init=0.01).partial_fit(X, y)


def test_sgd_is_plain_sgd_unless_momentum_is_given():
    X, y = _standardised_binary_problem()
    model = MLPClassifier((4,), solver="sgd", max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
        assert model._optimizer.momentum == 0.0 and model._optimizer.velocities is None
        model.set_params(momentum=0.9, nesterov=True).fit(X, y)
    assert model._optimizer.momentum == 0.9 and model._optimizer.nesterov
    with pytest.raises(ValueError, match="momentum"):
        MLPClassifier(momentum=1.0).fit(X, y)


def test_partial_fit_counts_every_epoch_after_fit():
    X, y = _standardised_binary_problem()
    model = MLPClassifier((4,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    for expected in (4, 5, 6):
        model.partial_fit(X, y)
        assert model.n_iter_ == len(model.loss_curve_) == expected


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = _standardised_binary_problem()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
        assert capsys.readouterr().out == ""
        MLPClassifier((4,), max_iter=3, verbose=1, random_state=0).fit(X, y)
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 3
        assert all(line.startswith(f"MLPClassifier epoch {i}: loss=") and "elapsed" in line
                   for i, line in enumerate(lines, start=1))
        model = MLPRegressor((4,), early_stopping=True, max_iter=2, verbose=1, random_state=0).fit(X, y)
        lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("validation_score=" in line for line in lines)
    model.partial_fit(X, y)
    assert capsys.readouterr().out.startswith("MLPRegressor epoch 3: loss=")
