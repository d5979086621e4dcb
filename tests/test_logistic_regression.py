"""LogisticRegression: the course's exercise 2, spam e-mails, scikit-learn's answers, the contract."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk_linear
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

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


def test_spam_emails_test_accuracy():
    X_train, y_train = load_spam_emails(subset="train", return_X_y=True)
    X_test, y_test = load_spam_emails(subset="test", return_X_y=True)
    assert LogisticRegression(C=0.1).fit(X_train, y_train).score(X_test, y_test) >= 0.985


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
