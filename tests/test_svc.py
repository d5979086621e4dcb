"""SVC: libsvm's answers (same support vectors, decision values, predictions) and the course's exercise 6."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import svm as sk_svm
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics.pairwise import polynomial_kernel
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl.datasets import load_spam_emails, load_svm_points
from skdl.svm import SVC, gaussian_kernel


def _dense(matrix):
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


def _random_problem(n_samples=240, n_features=6, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = np.argmax(X @ rng.normal(size=(n_features, n_classes)) + rng.normal(size=(n_samples, n_classes)), axis=1)
    return X, y


def _sparse_problem(seed=1):
    X, y = _random_problem(seed=seed)
    return sp.csr_matrix(np.where(np.abs(X) > 0.8, X, 0.0)), y


def assert_same_as_libsvm(X, y, sample_weight=None, X_test=None, **params):
    """Our SVC and scikit-learn's on the same data: the same model, to the solver's tolerance."""
    ours = SVC(**params).fit(X, y, sample_weight=sample_weight)
    peer = sk_svm.SVC(**params).fit(X, y, sample_weight=sample_weight)
    X_test = X if X_test is None else X_test
    assert_array_equal(ours.support_, peer.support_)
    assert_array_equal(ours.n_support_, peer.n_support_)
    scores, peer_scores = ours.decision_function(X_test), peer.decision_function(X_test)
    assert np.max(np.abs(scores - peer_scores)) <= 1e-3 * np.max(np.abs(peer_scores))
    assert_array_equal(ours.predict(X_test), peer.predict(X_test))
    assert_allclose(_dense(ours.dual_coef_), _dense(peer.dual_coef_), rtol=1e-3, atol=1e-6 * params.get("C", 1.0))
    assert_allclose(ours.intercept_, peer.intercept_, rtol=1e-3, atol=1e-6)
    return ours, peer


# --- the course's kernel ------------------------------------------------------------------------


def test_gaussian_kernel_is_the_courses_value():
    # ex6.m: "Gaussian Kernel between x1 = [1; 2; 1], x2 = [0; 4; -1], sigma = 2 : 0.324652"
    assert round(gaussian_kernel([1, 2, 1], [0, 4, -1], sigma=2), 6) == 0.324652


def test_rbf_with_gamma_one_over_two_sigma_squared_is_the_gaussian_kernel():
    X, y = load_svm_points(2, return_X_y=True)
    sigma = 0.1
    model = SVC(kernel="rbf", gamma=1 / (2 * sigma**2)).fit(X, y)
    x = np.array([[0.3, 0.6]])
    by_hand = sum(
        coef * gaussian_kernel(vector, x[0], sigma)
        for coef, vector in zip(model.dual_coef_[0], model.support_vectors_)
    ) + model.intercept_[0]
    assert_allclose(model.decision_function(x)[0], by_hand, rtol=1e-10)


def test_gaussian_kernel_refuses_a_bad_bandwidth_or_shapes():
    with pytest.raises(ValueError, match="sigma"):
        gaussian_kernel([1, 2], [1, 2], sigma=0)
    with pytest.raises(ValueError, match="same length"):
        gaussian_kernel([1, 2], [1, 2, 3], sigma=1)


# --- the same answer as libsvm ------------------------------------------------------------------


@pytest.mark.parametrize("which, params", [
    (1, dict(kernel="linear", C=1.0)),
    (1, dict(kernel="linear", C=100.0)),
    (2, dict(kernel="rbf", C=1.0, gamma=50.0)),
    (3, dict(kernel="rbf", C=1.0, gamma=50.0)),
    (3, dict(kernel="poly", C=0.3, degree=3, coef0=1.0)),
])
def test_course_sets_give_libsvms_model(which, params):
    X, y = load_svm_points(which, return_X_y=True)
    assert_same_as_libsvm(X, y, **params)


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf", "sigmoid"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_random_multiclass_data_gives_libsvms_model(kernel, sparse):
    X, y = _sparse_problem() if sparse else _random_problem()
    assert_same_as_libsvm(X, y, kernel=kernel, gamma="scale" if kernel != "sigmoid" else 0.05)


def test_class_weight_and_sample_weight_scale_C_as_in_libsvm():
    X, y = _random_problem(seed=3)
    weights = np.random.default_rng(3).uniform(0.2, 3.0, size=len(y))
    assert_same_as_libsvm(X, y, sample_weight=weights, C=2.0, class_weight="balanced")
    assert_same_as_libsvm(X, y, C=0.5, class_weight={0: 1.0, 1: 4.0, 2: 0.5})


def test_precomputed_and_callable_kernels_give_the_named_kernels_model():
    X, y = _random_problem(seed=4)
    named = SVC(kernel="poly", degree=2, gamma=0.5, coef0=1.0).fit(X, y)
    gram = polynomial_kernel(X, degree=2, gamma=0.5, coef0=1.0)
    precomputed = SVC(kernel="precomputed").fit(gram, y)
    assert_array_equal(precomputed.support_, named.support_)
    assert_allclose(precomputed.decision_function(gram), named.decision_function(X), rtol=1e-6, atol=1e-9)
    assert precomputed.support_vectors_.shape == (0, 0)

    def kernel(A, B):
        return polynomial_kernel(A, B, degree=2, gamma=0.5, coef0=1.0)

    by_callable = SVC(kernel=kernel).fit(X, y)
    assert_allclose(by_callable.decision_function(X[:20]), named.decision_function(X[:20]), rtol=1e-6, atol=1e-9)
    assert_array_equal(by_callable.predict(X), named.predict(X))


def test_precomputed_kernel_checks_its_shapes():
    X, y = _random_problem(seed=4)
    with pytest.raises(ValueError, match="square"):
        SVC(kernel="precomputed").fit(X @ X[:10].T, y)
    model = SVC(kernel="precomputed").fit(X @ X.T, y)
    with pytest.raises(ValueError, match="expecting 240 features"):
        model.predict(X[:5] @ X[:10].T)


def test_sparse_fit_stores_sparse_support_vectors_like_scikit_learn():
    X, y = _sparse_problem()
    model = SVC(kernel="linear").fit(X, y)
    assert sp.issparse(model.support_vectors_) and sp.issparse(model.dual_coef_)
    assert_allclose(_dense(model.coef_), _dense(sk_svm.SVC(kernel="linear").fit(X, y).coef_), rtol=1e-6, atol=1e-9)
    assert_allclose(model.decision_function(X.toarray()), model.decision_function(X))


def test_layout_of_the_fitted_model_matches_the_decision_values():
    X, y = _random_problem(n_classes=4, seed=5)
    model = SVC(decision_function_shape="ovo").fit(X, y)
    assert model.dual_coef_.shape == (3, len(model.support_))
    assert model.intercept_.shape == (6,) and model.n_iter_.shape == (6,)
    assert model.support_.dtype == np.int32 and model.n_support_.sum() == len(model.support_)
    # Classifier (i, j): class-i support vectors use row j - 1 of dual_coef_, class-j ones row i.
    starts = np.r_[0, np.cumsum(model.n_support_)]
    K = np.exp(-model._gamma * ((X[:5, None, :] - model.support_vectors_[None]) ** 2).sum(-1))
    pair = 0
    for i in range(4):
        for j in range(i + 1, 4):
            of_i, of_j = slice(starts[i], starts[i + 1]), slice(starts[j], starts[j + 1])
            by_hand = K[:, of_i] @ model.dual_coef_[j - 1, of_i] + K[:, of_j] @ model.dual_coef_[i, of_j]
            assert_allclose(model.decision_function(X[:5])[:, pair], by_hand + model.intercept_[pair], rtol=1e-10)
            pair += 1


def test_ovr_scores_and_tie_breaking_follow_scikit_learn():
    X, y = _random_problem(n_classes=4, seed=6)
    for shape in ("ovr", "ovo"):
        ours = SVC(decision_function_shape=shape).fit(X, y)
        peer = sk_svm.SVC(decision_function_shape=shape).fit(X, y)
        assert_allclose(ours.decision_function(X), peer.decision_function(X), rtol=1e-6, atol=1e-9)
    ours = SVC(break_ties=True).fit(X, y)
    peer = sk_svm.SVC(break_ties=True).fit(X, y)
    assert_array_equal(ours.predict(X), peer.predict(X))
    with pytest.raises(ValueError, match="break_ties"):
        SVC(break_ties=True, decision_function_shape="ovo").fit(X, y).predict(X)


def test_string_labels_and_binary_sign_follow_classes():
    X, y = load_svm_points(1, return_X_y=True)
    labels = np.where(y == 1, "positive", "negative")
    model = SVC(kernel="linear").fit(X, labels)
    assert_array_equal(model.classes_, ["negative", "positive"])
    assert set(model.predict(X)) <= {"negative", "positive"}
    assert_array_equal(model.decision_function(X) > 0, model.predict(X) == "positive")


# --- the solver -----------------------------------------------------------------------------------


def test_a_small_cache_shrinking_off_and_dense_storage_change_nothing():
    X, y = load_spam_emails(return_X_y=True)
    X, y = X[:800], y[:800]
    reference = SVC(kernel="rbf").fit(X, y)
    # 0.3 MB holds about 100 of the 800 rows: the LRU cache evicts all along.
    for params in (dict(cache_size=0.3), dict(shrinking=False)):
        other = SVC(kernel="rbf", **params).fit(X, y)
        assert_array_equal(other.support_, reference.support_)
        assert_allclose(other.decision_function(X), reference.decision_function(X), rtol=1e-3, atol=1e-6)
    # Mostly-zero dense rows are computed as CSR; genuinely sparse input must agree with them.
    as_csr = SVC(kernel="rbf").fit(sp.csr_matrix(X), y)
    assert_array_equal(as_csr.support_, reference.support_)
    assert_allclose(as_csr.decision_function(X), reference.decision_function(X), rtol=1e-9, atol=1e-12)


def test_max_iter_stops_the_solver_with_a_convergence_warning():
    X, y = load_svm_points(2, return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="max_iter=10"):
        model = SVC(gamma=50.0, max_iter=10).fit(X, y)
    assert model.fit_status_ == 1 and model.n_iter_.max() == 10
    assert SVC(gamma=50.0).fit(X, y).fit_status_ == 0


def test_float32_and_pandas_input_give_the_same_model():
    pd = pytest.importorskip("pandas")
    X, y = _random_problem(seed=7)
    X = X.astype(np.float32)
    reference = SVC().fit(X, y)
    frame = pd.DataFrame(X, columns=[f"f{k}" for k in range(X.shape[1])])
    model = SVC().fit(frame, pd.Series(y))
    assert_array_equal(model.support_, reference.support_)
    assert_array_equal(model.decision_function(frame), reference.decision_function(X))
    assert list(model.feature_names_in_) == list(frame.columns)


# --- sample weights -------------------------------------------------------------------------------


def test_weight_k_is_k_repeated_rows_to_the_solvers_tolerance():
    X, y = load_svm_points(3, return_X_y=True)
    weights = np.random.default_rng(8).integers(0, 4, size=len(y))
    params = dict(kernel="rbf", gamma=20.0, C=1.0, tol=1e-7)  # a fixed gamma: "scale" is unweighted
    weighted = SVC(**params).fit(X, y, sample_weight=weights)
    repeated = SVC(**params).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    assert_allclose(weighted.decision_function(X), repeated.decision_function(X), rtol=1e-4, atol=1e-5)


def test_zero_weights_leave_samples_out_and_support_indexes_the_full_data():
    X, y = load_svm_points(3, return_X_y=True)
    weights = np.ones(len(y))
    weights[::3] = 0.0
    weighted = SVC(gamma=20.0).fit(X, y, sample_weight=weights)
    kept = weights > 0
    without = SVC(gamma=20.0).fit(X[kept], y[kept])
    assert_array_equal(weighted.support_, np.flatnonzero(kept)[without.support_])
    assert_allclose(weighted.support_vectors_, X[weighted.support_])
    assert_allclose(weighted.decision_function(X), without.decision_function(X), rtol=1e-9)


@pytest.mark.parametrize("bad, message", [(-1.0, "non-negative"), (np.nan, "NaN")])
def test_negative_or_nan_weights_are_refused(bad, message):
    X, y = load_svm_points(1, return_X_y=True)
    weights = np.ones(len(y))
    weights[3] = bad
    with pytest.raises(ValueError, match=message):
        SVC().fit(X, y, sample_weight=weights)


def test_weights_that_leave_one_class_are_refused():
    X, y = load_svm_points(1, return_X_y=True)
    with pytest.raises(ValueError, match="same class"):
        SVC().fit(X, y, sample_weight=(y == 1).astype(float))
    with pytest.raises(ValueError, match="greater than one"):
        SVC().fit(X, np.zeros(len(y)))


# --- probabilities --------------------------------------------------------------------------------


def test_platt_probabilities_are_deterministic_and_follow_the_decision_values():
    X, y = load_svm_points(3, return_X_y=True)
    model = SVC(gamma=50.0, probability=True, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert model.probA_[0] < 0  # P(classes_[0]) falls as the (libsvm-sign) decision value falls
    order = np.argsort(model.decision_function(X))
    assert np.all(np.diff(proba[order, 1]) >= -1e-12)
    again = SVC(gamma=50.0, probability=True, random_state=0).fit(X, y)
    assert_array_equal(again.predict_proba(X), proba)
    assert_allclose(model.predict_log_proba(X), np.log(proba))
    with pytest.raises(AttributeError, match="predict_proba"):
        SVC().fit(X, y).predict_proba(X)


def test_multiclass_probabilities_agree_with_libsvm():
    X, y = _random_problem(n_classes=3, seed=9)
    ours = SVC(probability=True, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # scikit-learn 1.9 deprecates probability=True
        peer = sk_svm.SVC(probability=True, random_state=0).fit(X, y)
        peer_proba = peer.predict_proba(X)
    proba = ours.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    # The folds are drawn by different generators, so the sigmoids differ a little.
    assert np.abs(proba - peer_proba).max() < 0.1
    assert np.mean(proba.argmax(axis=1) == peer_proba.argmax(axis=1)) > 0.95


# --- the course's exercise 6 ---------------------------------------------------------------------


def test_ex6data1_C_100_fits_the_outlier_that_C_1_leaves():
    X, y = load_svm_points(1, return_X_y=True)
    outlier = np.argmin(X[:, 0] + np.where(y == 1, 0, 10))  # the positive point at x1 ~ 0.1
    soft, hard = SVC(kernel="linear", C=1.0).fit(X, y), SVC(kernel="linear", C=100.0).fit(X, y)
    assert soft.predict(X[[outlier]])[0] == 0 and soft.score(X, y) == 50 / 51
    assert hard.predict(X[[outlier]])[0] == 1 and hard.score(X, y) == 1.0


def test_ex6data3_validation_picks_the_courses_C_and_sigma():
    X, y = load_svm_points(3, return_X_y=True)
    X_val, y_val = load_svm_points(3, subset="val", return_X_y=True)
    values = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30]
    grid = {"svc__C": values, "svc__gamma": [1 / (2 * sigma**2) for sigma in values]}
    split = PredefinedSplit(np.r_[np.full(len(y), -1), np.zeros(len(y_val))])
    search = GridSearchCV(make_pipeline(StandardScaler(with_mean=False, with_std=False), SVC()), grid, cv=split)
    search.fit(np.vstack([X, X_val]), np.r_[y, y_val])
    sigma = 1 / np.sqrt(2 * search.best_params_["svc__gamma"])
    assert search.best_params_["svc__C"] == 1 and round(sigma, 6) == 0.1  # the course's choice
    assert search.best_score_ == 0.965


@pytest.mark.slow
def test_spam_linear_svm_reproduces_the_courses_accuracies():
    X, y = load_spam_emails(return_X_y=True)
    X_test, y_test = load_spam_emails(subset="test", return_X_y=True)
    model = SVC(kernel="linear", C=0.1).fit(X, y)
    # ex6_spam.m: "Training Accuracy: 99.825000", "Test Accuracy: 98.900000"
    assert round(100 * model.score(X, y), 3) == 99.825
    assert round(100 * model.score(X_test, y_test), 1) == 98.9
