"""LogisticRegression: the course's exercise 2, spam e-mails, scikit-learn's answers, the contract."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk_linear
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.utils.validation import check_is_fitted

from skdl._optim import binary_logistic_loss_grad
from skdl.datasets import load_exam_admissions, load_microchips, load_spam_emails
from skdl.linear_model import LogisticRegression


def course_cost_grad(X, y, theta, lam=0.0):
    """The course's costFunctionReg: theta = [theta0, theta1, ...], theta0 not penalised."""
    m = len(y)
    loss, grad_coef, grad_intercept = binary_logistic_loss_grad(
        X, y, np.ones(m), np.asarray(theta[1:], dtype=float), theta[0], lam / m
    )
    return loss, np.concatenate([[grad_intercept], grad_coef])


@pytest.fixture
def admissions():
    return load_exam_admissions(return_X_y=True)


@pytest.fixture
def microchips_degree_6():
    X, y = load_microchips(return_X_y=True)
    return PolynomialFeatures(6, include_bias=False).fit_transform(X), y


def test_course_cost_and_gradient_on_admissions(admissions):
    X, y = admissions
    cost, grad = course_cost_grad(X, y, [0.0, 0.0, 0.0])
    assert cost == pytest.approx(0.693, abs=5e-4)
    assert_allclose(grad, [-0.1000, -12.0092, -11.2628], atol=5e-5)
    cost, grad = course_cost_grad(X, y, [-24.0, 0.2, 0.2])
    assert cost == pytest.approx(0.218, abs=5e-4)
    assert_allclose(grad, [0.043, 2.566, 2.647], atol=5e-4)


@pytest.mark.parametrize("solver", ["lbfgs", "cg"])
def test_admissions_reproduce_the_course(admissions, solver):
    X, y = admissions
    model = LogisticRegression(penalty=None, solver=solver).fit(X, y)
    assert_allclose([model.intercept_[0], *model.coef_[0]], [-25.161, 0.206, 0.201], atol=5e-4)
    assert course_cost_grad(X, y, [model.intercept_[0], *model.coef_[0]])[0] == pytest.approx(0.203, abs=5e-4)
    assert model.predict_proba([[45, 85]])[0, 1] == pytest.approx(0.776, abs=5e-4)
    assert model.score(X, y) == pytest.approx(0.89)


def test_regularised_course_cost_and_gradient_on_microchips(microchips_degree_6):
    X, y = microchips_degree_6
    cost, grad = course_cost_grad(X, y, np.zeros(28), lam=1.0)
    assert cost == pytest.approx(0.693, abs=5e-4)
    assert_allclose(grad[:5], [0.0085, 0.0188, 0.0001, 0.0503, 0.0115], atol=5e-5)
    cost, grad = course_cost_grad(X, y, np.ones(28), lam=10.0)
    assert cost == pytest.approx(3.16, abs=5e-3)
    assert_allclose(grad[:5], [0.3460, 0.1614, 0.1948, 0.2269, 0.0922], atol=5e-5)


def test_regularised_microchips_accuracy_matches_the_course(microchips_degree_6):
    # lambda = 1 is C = 1; the course reports a training accuracy of about 83.1%.
    X, y = microchips_degree_6
    assert LogisticRegression(C=1.0).fit(X, y).score(X, y) == pytest.approx(0.831, abs=1e-3)


def _multiclass_data(seed=0, n_samples=400, n_features=6, n_classes=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) * rng.uniform(0.5, 3, size=n_features)
    y = np.argmax(X @ rng.normal(size=(n_features, n_classes)) + rng.gumbel(size=(n_samples, n_classes)), 1)
    return X, y, rng.uniform(0.2, 2.0, size=n_samples)


@pytest.mark.parametrize("solver", ["lbfgs", "cg"])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_matches_scikit_learn_with_sample_weights(solver, n_classes):
    X, y, weights = _multiclass_data(n_classes=n_classes)
    ours = LogisticRegression(C=0.5, solver=solver, tol=1e-10).fit(X, y, sample_weight=weights)
    reference = sk_linear.LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000).fit(X, y, sample_weight=weights)
    assert ours.coef_.shape == reference.coef_.shape
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-4, atol=1e-6)
    assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-4, atol=1e-6)
    assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-6)


def test_one_vs_rest_matches_scikit_learn():
    X, y, _ = _multiclass_data(1)
    ours = LogisticRegression(multi_class="ovr", tol=1e-10).fit(X, y)
    reference = OneVsRestClassifier(sk_linear.LogisticRegression(tol=1e-10, max_iter=10_000)).fit(X, y)
    coef = np.vstack([e.coef_ for e in reference.estimators_])
    assert_allclose(ours.coef_, coef, rtol=1e-4, atol=1e-6)
    assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-6)


def test_unpenalised_multinomial_reaches_scikit_learn_log_loss():
    X, y, _ = _multiclass_data(2)
    ours = LogisticRegression(penalty=None).fit(X, y)
    reference = sk_linear.LogisticRegression(C=np.inf, max_iter=10_000, tol=1e-10).fit(X, y)
    assert log_loss(y, ours.predict_proba(X)) == pytest.approx(log_loss(y, reference.predict_proba(X)), abs=1e-6)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_first_order_solvers_reach_the_lbfgs_answer(solver):
    X, y, _ = _multiclass_data(3, n_classes=3)
    exact = LogisticRegression(C=1.0).fit(X, y)
    model = LogisticRegression(
        C=1.0, solver=solver, learning_rate=0.5 if solver == "gd" else 0.2, max_iter=3000,
        tol=1e-12 if solver == "gd" else 1e-8, batch_size=20, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    tolerance = 1e-4 if solver == "gd" else 1e-2  # SGD stops at its noise floor
    assert log_loss(y, model.predict_proba(X)) == pytest.approx(log_loss(y, exact.predict_proba(X)), abs=tolerance)
    assert np.mean(model.predict(X) == exact.predict(X)) > 0.97


def test_string_labels_and_decision_function():
    X, y, _ = _multiclass_data(4, n_classes=2)
    labels = np.array(["ham", "spam"])[y]
    model = LogisticRegression().fit(X, labels)
    assert list(model.classes_) == ["ham", "spam"]
    scores = model.decision_function(X)
    assert scores.shape == (len(X),)
    assert_allclose(model.predict(X) == "spam", scores > 0)
    assert set(model.predict(X)) <= {"ham", "spam"}
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    assert_allclose(np.exp(model.predict_log_proba(X)), model.predict_proba(X))


def test_balanced_class_weight_equals_explicit_sample_weights():
    X, y, _ = _multiclass_data(5, n_classes=3)
    keep = (y != 0) | (np.arange(len(y)) % 4 == 0)  # make class 0 rare
    X, y = X[keep], y[keep]
    balanced = LogisticRegression(class_weight="balanced", tol=1e-10).fit(X, y)
    counts = np.bincount(y)
    weights = (len(y) / (3 * counts))[y]
    explicit = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=weights)
    assert_allclose(balanced.coef_, explicit.coef_, rtol=1e-6)


def test_sgd_partial_fit_streams_and_requires_classes_first():
    X, y, _ = _multiclass_data(6, n_samples=1200, n_classes=3)
    model = LogisticRegression(solver="sgd", learning_rate=0.05, batch_size=40, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X[:100], y[:100])
    for epoch in range(15):
        for block in np.array_split(np.arange(1200), 6):
            model.partial_fit(X[block], y[block], classes=[0, 1, 2])
    exact = LogisticRegression().fit(X, y)
    assert np.mean(model.predict(X) == exact.predict(X)) > 0.95
    with pytest.raises(ValueError, match="not in classes"):
        model.partial_fit(X[:5], [0, 1, 2, 3, 3])
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:5, :2], y[:5])


def test_float32_stays_float32():
    X, y, _ = _multiclass_data(7, n_classes=3)
    model = LogisticRegression().fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    assert model.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_convergence_warning_when_max_iter_runs_out():
    X, y, _ = _multiclass_data(8, n_classes=3)
    with pytest.warns(ConvergenceWarning):
        LogisticRegression(max_iter=2).fit(X, y)


@pytest.mark.parametrize(
    "X, y, message",
    [
        ([[1.0], [np.nan]], [0, 1], "NaN"),
        ([[1.0], [np.inf]], [0, 1], "infinity"),
        ([[1.0], [2.0]], [1, 1], "only one class"),
        (np.empty((0, 2)), [], "0 sample"),
        (np.array([["a"], ["b"]], dtype=object), [0, 1], "could not convert"),
        ([[1.0], [2.0]], [0.5, 1.5], "Unknown label type"),
    ],
    ids=["nan", "inf", "single-class", "empty", "strings", "continuous-target"],
)
def test_bad_input_gets_a_clear_error(X, y, message):
    with pytest.raises(ValueError, match=message):
        LogisticRegression().fit(X, y)


def test_wrong_number_of_features_at_predict(admissions):
    model = LogisticRegression().fit(*admissions)
    with pytest.raises(ValueError, match="3 features, but LogisticRegression is expecting 2"):
        model.predict([[1.0, 2.0, 3.0]])


def test_works_in_pipeline_grid_search_cross_validation_clone_and_pickle(microchips_degree_6):
    X, y = load_microchips(return_X_y=True)
    pipeline = make_pipeline(PolynomialFeatures(6), StandardScaler(), LogisticRegression())
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    assert cross_val_score(pipeline, X, y, cv=folds).mean() > 0.75
    search = GridSearchCV(pipeline, {"logisticregression__C": [0.01, 1.0, 100.0]}, cv=3).fit(X, y)
    assert search.best_params_["logisticregression__C"] in (0.01, 1.0, 100.0)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    assert_allclose(restored.predict_proba(X), search.best_estimator_.predict_proba(X))
    assert clone(LogisticRegression(C=3.0)).get_params()["C"] == 3.0


@pytest.mark.parametrize("labels", [np.array([1, 2]), np.array(["ham", "spam"])], ids=["ints", "strings"])
def test_class_weight_dict_is_keyed_by_label_as_in_scikit_learn(labels):
    X, y, _ = _multiclass_data(9, n_classes=2)
    y = labels[y]
    class_weight = {labels[0]: 10.0, labels[1]: 1.0}
    ours = LogisticRegression(class_weight=class_weight, tol=1e-10).fit(X, y)
    reference = sk_linear.LogisticRegression(class_weight=class_weight, tol=1e-10, max_iter=10_000).fit(X, y)
    assert_allclose(ours.coef_, reference.coef_, rtol=1e-4)
    assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-4)


def test_refit_with_another_solver_starts_afresh_and_classes_cannot_change():
    X, y, _ = _multiclass_data(10, n_classes=3)
    model = LogisticRegression().fit(X, y)
    model.set_params(solver="sgd").partial_fit(X, y, classes=[0, 1, 2])
    assert len(model.loss_curve_) == 1
    with pytest.raises(ValueError, match="cannot change"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])


# Sparse input: every solver and problem, sparse products only.

SPARSE_KINDS = {"csr_matrix": sp.csr_matrix, "csc_matrix": sp.csc_matrix, "csr_array": sp.csr_array, "csc_array": sp.csc_array}


def _sparse_classification(seed=20, n_samples=300, n_features=40, n_classes=3):
    rng = np.random.default_rng(seed)
    X = sp.random_array((n_samples, n_features), density=0.2, format="csr", random_state=seed) * 3
    scores = X @ rng.normal(size=(n_features, n_classes)) + rng.gumbel(size=(n_samples, n_classes))
    return X, np.argmax(scores, axis=1), rng.uniform(0.2, 2.0, size=n_samples)


@pytest.mark.parametrize(
    "kind, solver", [(kind, "lbfgs") for kind in sorted(SPARSE_KINDS)] + [("csr_matrix", "cg"), ("csc_array", "cg")]
)
@pytest.mark.parametrize("n_classes", [2, 4])
def test_sparse_fit_matches_scikit_learn_on_the_same_sparse_data(kind, solver, n_classes):
    X, y, weights = _sparse_classification(n_samples=200, n_features=30, n_classes=n_classes)
    X = SPARSE_KINDS[kind](X)
    ours = LogisticRegression(C=0.5, solver=solver, tol=1e-10).fit(X, y, sample_weight=weights)
    reference = sk_linear.LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000).fit(X, y, sample_weight=weights)
    assert_allclose(ours.coef_, reference.coef_, atol=1e-4)
    assert_allclose(ours.intercept_, reference.intercept_, atol=1e-4)
    assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-5)


def test_sparse_one_vs_rest_matches_scikit_learn():
    X, y, _ = _sparse_classification(21, n_samples=150, n_features=20, n_classes=3)
    ours = LogisticRegression(multi_class="ovr", tol=1e-10).fit(X, y)
    reference = OneVsRestClassifier(sk_linear.LogisticRegression(tol=1e-10, max_iter=10_000)).fit(X, y)
    assert_allclose(ours.coef_, np.vstack([e.coef_ for e in reference.estimators_]), atol=1e-4)
    assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("multi_class", ["multinomial", "ovr"])
def test_sparse_gradient_descent_follows_the_dense_trajectory(multi_class):
    X, y, weights = _sparse_classification(22)
    model = LogisticRegression(solver="gd", learning_rate=1.0, max_iter=200, multi_class=multi_class, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sparse = clone(model).fit(X.tocsc(), y, sample_weight=weights)
        dense = clone(model).fit(X.toarray(), y, sample_weight=weights)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-12)


def test_sparse_partial_fit_streams_like_dense():
    X, y, _ = _sparse_classification(23, n_samples=600)
    sparse = LogisticRegression(solver="sgd", learning_rate=0.1, batch_size=20, random_state=0)
    dense = clone(sparse)
    for block in np.array_split(np.arange(600), 6):
        sparse.partial_fit(X[block], y[block], classes=[0, 1, 2])
        dense.partial_fit(X[block].toarray(), y[block], classes=[0, 1, 2])
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-9, atol=1e-12)
    assert sparse.n_iter_.tolist() == dense.n_iter_.tolist() == [6]


def test_spam_emails_test_accuracy_dense_and_as_csr():
    # The course's spam classifier (exercise 6, there with an SVM) reaches about 98.5% on spamTest;
    # the same e-mails as a CSR matrix give the same accuracy and the same coefficients.
    X_train, y_train = load_spam_emails(subset="train", return_X_y=True)
    X_test, y_test = load_spam_emails(subset="test", return_X_y=True)
    dense = LogisticRegression(C=0.1).fit(X_train, y_train)
    sparse = LogisticRegression(C=0.1).fit(sp.csr_matrix(X_train), y_train)
    assert sparse.score(sp.csr_matrix(X_test), y_test) == dense.score(X_test, y_test) >= 0.985
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-8, atol=1e-10)


def test_wide_sparse_text_is_never_densified():
    import tracemalloc

    n_samples, n_features, per_row = 1_000, 200_000, 20
    rng = np.random.default_rng(24)
    columns = rng.integers(0, n_features, size=n_samples * per_row)
    indptr = np.arange(0, n_samples * per_row + 1, per_row)
    X = sp.csr_array((rng.random(n_samples * per_row), columns, indptr), shape=(n_samples, n_features))
    X.sum_duplicates()
    y = (np.asarray(X[:, : n_features // 2].sum(axis=1)).ravel() > 0.5 * per_row / 2).astype(int)
    tracemalloc.start()
    try:
        model = LogisticRegression(max_iter=50).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert model.coef_.shape == (1, n_features)
    # L-BFGS keeps 2 x 10 correction pairs and a few work vectors of length p; nothing of size
    # n x p (8 GB dense) is ever made.
    assert peak < 60 * n_features * 8


# Labels, state and the vocabulary.


def test_object_dtype_integer_labels_are_the_labels_they_are():
    X, y, _ = _multiclass_data(25, n_classes=3)
    as_objects = LogisticRegression().fit(X, y.astype(object))
    as_ints = LogisticRegression().fit(X, y)
    assert as_objects.classes_.tolist() == [0, 1, 2]
    assert_allclose(as_objects.coef_, as_ints.coef_)
    with pytest.raises(ValueError, match=r"mix types \(int, str\)"):
        LogisticRegression().fit(X[:4], np.array([0, "a", 0, "a"], dtype=object))


@pytest.mark.parametrize("multi_class, n_classes, shape", [("auto", 2, (1,)), ("auto", 3, (1,)), ("ovr", 3, (3,))])
@pytest.mark.parametrize("solver", ["lbfgs", "cg", "gd"])
def test_n_iter_has_scikit_learns_shape(multi_class, n_classes, shape, solver):
    X, y, _ = _multiclass_data(26, n_classes=n_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(solver=solver, multi_class=multi_class, max_iter=50).fit(X, y)
    assert isinstance(model.n_iter_, np.ndarray) and model.n_iter_.shape == shape
    assert np.all(model.n_iter_ >= 1)
    assert sk_linear.LogisticRegression().fit(X, y).n_iter_.shape == (1,)


def test_n_iter_accumulates_over_partial_fit_and_does_not_carry_over_from_another_solver():
    X, y, _ = _multiclass_data(27, n_classes=3)
    model = LogisticRegression().fit(X, y)
    model.set_params(solver="sgd")
    for call in range(1, 4):
        model.partial_fit(X, y, classes=[0, 1, 2])
        assert model.n_iter_.tolist() == [call]  # the L-BFGS iterations used to be continued


def test_warm_start_continues_from_the_previous_coefficients():
    X, y, _ = _multiclass_data(28, n_classes=3)
    cold = LogisticRegression(C=1.0, tol=1e-8).fit(X, y)
    warm = LogisticRegression(C=1.0, tol=1e-8, warm_start=True).fit(X, y)
    first_iterations = warm.n_iter_[0]
    warm.fit(X, y)
    assert warm.n_iter_[0] < first_iterations / 3
    assert_allclose(warm.coef_, cold.coef_, rtol=1e-5, atol=1e-7)
    # Other classes or features: nothing to continue from, a fresh fit.
    fresh = LogisticRegression(C=1.0, tol=1e-8, warm_start=True).fit(X, y).fit(X[:, :3], y)
    assert_allclose(fresh.coef_, LogisticRegression(C=1.0, tol=1e-8).fit(X[:, :3], y).coef_, rtol=1e-6)
    assert clone(warm).get_params()["warm_start"] is True


def test_warm_start_with_gradient_descent_starts_where_the_last_fit_ended():
    X, y, _ = _multiclass_data(29, n_classes=2)
    model = LogisticRegression(solver="gd", learning_rate=0.5, max_iter=20, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
        first = model.loss_curve_[-1]
        model.fit(X, y)
    assert model.loss_curve_[0] < first


@pytest.mark.parametrize("solver", ["lbfgs", "cg", "gd", "sgd"])
@pytest.mark.parametrize("factor", [1e300, 1e-300])
def test_every_solver_is_scale_equivariant_at_extreme_scales(solver, factor):
    # Unpenalised, the objective is invariant under X -> factor X, theta -> theta / factor.
    X, y, _ = _multiclass_data(30, n_classes=3)
    model = LogisticRegression(
        penalty=None, solver=solver, learning_rate=0.2, max_iter=200, batch_size=40, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        unit = clone(model).fit(X, y)
        scaled = clone(model).fit(X * factor, y)
    assert np.all(np.isfinite(scaled.coef_))
    assert_allclose(scaled.coef_ * factor, unit.coef_, rtol=1e-5, atol=1e-8)
    assert_allclose(scaled.predict_proba(X * factor), unit.predict_proba(X), atol=1e-7)


def test_a_diverging_fit_leaves_the_estimator_unfitted():
    X, y, _ = _multiclass_data(31, n_classes=2)
    model = LogisticRegression(solver="sgd", learning_rate=1e6, batch_size=10, random_state=0)
    with pytest.raises(FloatingPointError), np.errstate(all="ignore"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(FloatingPointError), np.errstate(all="ignore"):
        for _ in range(5):
            model.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(ValueError, match="classes must be passed"):  # a fresh start, not a resumed one
        model.partial_fit(X, y)


def test_a_bad_batch_leaves_the_streamed_model_as_it_was():
    X, y, _ = _multiclass_data(32, n_classes=3)
    model = LogisticRegression(solver="sgd", random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    coef = model.coef_.copy()
    for bad_call in [
        lambda: model.partial_fit(X[:3], [0, 1, 7]),
        lambda: model.partial_fit(np.full((3, 6), np.nan), [0, 1, 2]),
        lambda: model.partial_fit(X[:3], [0, 1, 2], sample_weight=[1.0, np.inf, 1.0]),
        lambda: model.partial_fit(X[:3], [0, 1, 2], classes=[0, 1]),
    ]:
        with pytest.raises(ValueError):
            bad_call()
    assert_allclose(model.coef_, coef)
    assert model.n_iter_.tolist() == [1]


@pytest.mark.parametrize("solver", ["lbfgs", "cg", "gd", "sgd"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_every_solver_refuses_negative_and_non_finite_sample_weights(solver, sparse, bad):
    X, y, weights = _sparse_classification(33)
    weights[5] = bad
    X = X if sparse else X.toarray()
    with pytest.raises(ValueError, match="sample_weight|NaN|infinity"):
        LogisticRegression(solver=solver).fit(X, y, sample_weight=weights)
    if solver == "sgd":
        with pytest.raises(ValueError, match="sample_weight|NaN|infinity"):
            LogisticRegression(solver=solver).partial_fit(X, y, classes=[0, 1, 2], sample_weight=weights)


@pytest.mark.parametrize("solver, unit", [("lbfgs", "iteration"), ("gd", "epoch")])
def test_verbose_prints_one_line_per_iteration(capsys, solver, unit):
    X, y, _ = _multiclass_data(34, n_classes=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(solver=solver, max_iter=6, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_[0] and lines[0].startswith(f"LogisticRegression {unit} 1: loss=")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LogisticRegression(solver=solver, max_iter=6).fit(X, y)
    assert capsys.readouterr().out == ""


def test_momentum_and_a_schedule_train_the_first_order_solvers():
    X, y, _ = _multiclass_data(35, n_classes=3)
    exact = LogisticRegression().fit(X, y)
    model = LogisticRegression(solver="gd", learning_rate=0.5, momentum=0.9, nesterov=True, max_iter=3000, tol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert log_loss(y, model.predict_proba(X)) == pytest.approx(log_loss(y, exact.predict_proba(X)), abs=1e-6)
    decaying = LogisticRegression(solver="sgd", schedule="inverse_time", batch_size=20, random_state=0).fit(X, y)
    assert np.mean(decaying.predict(X) == exact.predict(X)) > 0.95
