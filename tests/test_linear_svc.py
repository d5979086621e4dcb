"""LinearSVC: liblinear's objective and answers, on text and on dense data."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import svm as sk_svm
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

from skdl.datasets import load_sms_spam, load_spam_emails
from skdl.svm import LinearSVC

TIGHT = dict(tol=1e-10, max_iter=100_000)


@pytest.fixture(scope="module")
def sms_tfidf():
    data = load_sms_spam()
    return TfidfVectorizer().fit_transform(data.data), data.target


def _multiclass(seed=0, n_samples=300, n_features=8, n_classes=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    return X, np.argmax(X @ rng.normal(size=(n_features, n_classes)) + rng.normal(size=(n_samples, n_classes)), axis=1)


def _primal_objective(model, X, y, C, loss):
    """liblinear's objective: 1/2 |w|^2 + 1/2 (b / B)^2 + C sum loss(y (w x + b)), y = +-1."""
    margin = np.where(y == model.classes_[1], 1.0, -1.0) * model.decision_function(X)
    hinge = np.maximum(0.0, 1.0 - margin)
    losses = hinge**2 if loss == "squared_hinge" else hinge
    return 0.5 * np.sum(model.coef_**2) + 0.5 * np.sum(model.intercept_**2) + C * losses.sum()


@pytest.mark.parametrize("loss", ["squared_hinge", "hinge"])
def test_sms_tfidf_model_is_liblinears(sms_tfidf, loss):
    X, y = sms_tfidf
    ours = LinearSVC(loss=loss, random_state=0, **TIGHT).fit(X, y)
    peer = sk_svm.LinearSVC(loss=loss, random_state=0, **TIGHT).fit(X, y)
    assert_allclose(ours.coef_, peer.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.intercept_, peer.intercept_, rtol=1e-6, atol=1e-8)
    assert _primal_objective(ours, X, y, 1.0, loss) <= _primal_objective(peer, X, y, 1.0, loss) * (1 + 1e-9)


def test_default_tolerance_gives_liblinears_predictions(sms_tfidf):
    X, y = sms_tfidf
    ours, peer = LinearSVC(random_state=0).fit(X, y), sk_svm.LinearSVC(random_state=0).fit(X, y)
    assert np.abs(ours.coef_ - peer.coef_).max() <= 1e-3 * np.abs(peer.coef_).max()
    assert np.mean(ours.predict(X) == peer.predict(X)) > 0.999


@pytest.mark.parametrize("params", [
    dict(C=0.3),
    dict(C=2.0, fit_intercept=False),
    dict(C=1.0, intercept_scaling=2.0, loss="hinge"),
    dict(C=1.0, class_weight="balanced"),
    dict(C=0.5, class_weight={0: 2.0, 1: 0.5, 2: 1.0, 3: 3.0}),
])
def test_dense_multiclass_one_vs_rest_is_liblinears(params):
    X, y = _multiclass()
    ours = LinearSVC(**params, **TIGHT).fit(X, y)
    peer = sk_svm.LinearSVC(**params, **TIGHT).fit(X, y)
    assert ours.coef_.shape == (4, 8) and ours.intercept_.shape == (4,)
    assert_allclose(ours.coef_, peer.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.intercept_, peer.intercept_, rtol=1e-6, atol=1e-8)
    assert_array_equal(ours.predict(X), peer.predict(X))


def test_sample_weight_scales_C_as_liblinear_and_equals_repeating_rows():
    X, y = _multiclass(seed=1)
    weights = np.random.default_rng(1).integers(0, 4, size=len(y)).astype(float)
    ours = LinearSVC(**TIGHT).fit(X, y, sample_weight=weights)
    peer = sk_svm.LinearSVC(**TIGHT).fit(X, y, sample_weight=weights)
    assert_allclose(ours.coef_, peer.coef_, rtol=1e-6, atol=1e-8)
    repeated = LinearSVC(**TIGHT).fit(np.repeat(X, weights.astype(int), axis=0), np.repeat(y, weights.astype(int)))
    assert_allclose(ours.coef_, repeated.coef_, rtol=1e-6, atol=1e-8)


def test_sparse_and_dense_input_give_the_same_model():
    X, y = load_spam_emails(return_X_y=True)
    X, y = X[:1000], y[:1000]
    dense = LinearSVC(C=0.1, random_state=0).fit(X, y)
    csr = LinearSVC(C=0.1, random_state=0).fit(sp.csr_matrix(X), y)
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-12, atol=1e-14)
    assert_allclose(dense.decision_function(sp.csr_matrix(X)), dense.decision_function(X))


def test_random_state_makes_the_fit_reproducible(sms_tfidf):
    X, y = sms_tfidf
    first, second = LinearSVC(random_state=3).fit(X, y), LinearSVC(random_state=3).fit(X, y)
    assert_array_equal(first.coef_, second.coef_)
    assert first.n_iter_ == second.n_iter_ >= 1


def test_binary_sign_and_string_labels_follow_classes():
    X, y = load_spam_emails(subset="test", return_X_y=True)
    labels = np.where(y == 1, "spam", "ham")
    model = LinearSVC(C=0.1, random_state=0).fit(X, labels)
    assert model.coef_.shape == (1, X.shape[1])
    assert_array_equal(model.predict(X) == "spam", model.decision_function(X) > 0)
    assert model.score(X, labels) > 0.99


def test_too_few_iterations_warn():
    X, y = _multiclass()
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        model = LinearSVC(max_iter=2, tol=1e-12).fit(X, y)
    assert model.n_iter_ == 2


@pytest.mark.parametrize("bad, message", [(-1.0, "non-negative"), (np.nan, "NaN")])
def test_negative_or_nan_weights_are_refused(bad, message):
    X, y = _multiclass()
    weights = np.ones(len(y))
    weights[0] = bad
    with pytest.raises(ValueError, match=message):
        LinearSVC().fit(X, y, sample_weight=weights)


def test_one_class_is_refused():
    X, y = _multiclass()
    with pytest.raises(ValueError, match="at least 2 classes"):
        LinearSVC().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="same class"):
        LinearSVC().fit(X, y, sample_weight=(y == 1).astype(float))
