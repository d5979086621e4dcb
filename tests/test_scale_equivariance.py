"""Extreme scales: a scale-equivariant estimator gives the scaled answer, or refuses by name.

Multiplying X by s leaves the predictions of least squares, unpenalised logistic regression,
K-means' labels and the anomaly detector's flags unchanged, and scales PCA's projections by s.
At s = 1e300 a squared feature overflows and at 1e-300 it underflows, so a naive Gram matrix,
variance or distance is lost; the estimator must compute in a safe scale or refuse the input
with a ValueError that says the scale is the problem.
"""

import warnings

import numpy as np
import pytest

from skdl.anomaly import GaussianAnomalyDetector
from skdl.cluster import KMeans
from skdl.decomposition import PCA
from skdl.linear_model import LinearRegression, LogisticRegression

FLOAT64_SCALES = [1e-300, 1e-150, 1e-20, 1e20, 1e150, 1e300]
FLOAT32_SCALES = [1e-30, 1e-15, 1e15, 1e30]
SCALES = [(np.float64, s) for s in FLOAT64_SCALES] + [(np.float32, s) for s in FLOAT32_SCALES]


def _data(dtype, n_samples=60, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(size=(n_samples // 2, n_features)) - 2, rng.normal(size=(n_samples // 2, n_features)) + 2])
    y = X @ np.array([1.0, -2.0, 0.5])[:n_features] + 0.1 * rng.normal(size=n_samples)
    return X.astype(dtype), y.astype(dtype)


def _fit_or_refusal(estimator, X, y=None):
    """The fitted estimator, or None when it refused the scale with a message that names it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return estimator.fit(X) if y is None else estimator.fit(X, y)
    except ValueError as error:
        assert "scale" in str(error).lower(), f"refused with a message that does not name the scale: {error}"
        return None


def _rtol(dtype):
    return 1e-3 if dtype == np.float32 else 1e-6


@pytest.mark.parametrize("dtype, scale", SCALES)
@pytest.mark.parametrize("solver", ["normal", "gd", "sgd"])
def test_least_squares_predictions_do_not_depend_on_the_scale_of_X(dtype, scale, solver):
    X, y = _data(dtype)
    params = {"solver": solver, "random_state": 0, "max_iter": 200}
    reference = LinearRegression(**params).fit(X, y).predict(X)
    model = _fit_or_refusal(LinearRegression(**params), X * dtype(scale), y)
    if model is not None:
        np.testing.assert_allclose(model.predict(X * dtype(scale)), reference, rtol=_rtol(dtype) if solver == "normal" else 1e-3, atol=1e-3)


@pytest.mark.parametrize("dtype, scale", SCALES)
@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
def test_unpenalised_logistic_probabilities_do_not_depend_on_the_scale_of_X(dtype, scale, solver):
    X, y = _data(dtype)
    labels = (y > 0).astype(int)
    reference = LogisticRegression(penalty=None, solver=solver, max_iter=300).fit(X, labels).predict_proba(X)
    model = _fit_or_refusal(LogisticRegression(penalty=None, solver=solver, max_iter=300), X * dtype(scale), labels)
    if model is not None:
        np.testing.assert_allclose(model.predict_proba(X * dtype(scale)), reference, atol=1e-3)


@pytest.mark.parametrize("dtype, scale", SCALES)
def test_kmeans_labels_do_not_depend_on_the_scale_and_centres_scale_with_it(dtype, scale):
    X, _ = _data(dtype)
    reference = KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)
    model = _fit_or_refusal(KMeans(n_clusters=2, n_init=1, random_state=0), X * dtype(scale))
    if model is not None:
        np.testing.assert_array_equal(model.labels_, reference.labels_)
        np.testing.assert_array_equal(model.predict(X * dtype(scale)), reference.labels_)
        np.testing.assert_allclose(model.cluster_centers_ / dtype(scale), reference.cluster_centers_, rtol=_rtol(dtype), atol=1e-5)


@pytest.mark.parametrize("dtype, scale", SCALES)
@pytest.mark.parametrize("svd_solver", ["full", "covariance_eigh", "randomized"])
def test_pca_spectrum_and_projections_scale_with_X(dtype, scale, svd_solver):
    X, _ = _data(dtype)
    params = {"n_components": 2, "svd_solver": svd_solver, "random_state": 0}
    reference = PCA(**params).fit(X)
    model = _fit_or_refusal(PCA(**params), X * dtype(scale))
    if model is not None:
        assert model.components_.shape == reference.components_.shape
        np.testing.assert_allclose(model.explained_variance_ratio_, reference.explained_variance_ratio_, rtol=_rtol(dtype))
        projected = model.transform(X * dtype(scale)) / dtype(scale)
        np.testing.assert_allclose(np.abs(projected), np.abs(reference.transform(X)), rtol=_rtol(dtype), atol=1e-4)


@pytest.mark.parametrize("dtype, scale", SCALES)
@pytest.mark.parametrize("covariance", ["diag", "full"])
def test_anomaly_flags_do_not_depend_on_the_scale_of_X(dtype, scale, covariance):
    # reg_covar is an absolute floor on the variances (as GaussianMixture's), which no scaling
    # can respect; without it the detector's flags are scale-free.
    X, _ = _data(dtype, n_samples=200)
    params = {"covariance": covariance, "contamination": 0.05, "reg_covar": 0.0}
    reference = GaussianAnomalyDetector(**params).fit(X)
    model = _fit_or_refusal(GaussianAnomalyDetector(**params), X * dtype(scale))
    if model is not None:
        np.testing.assert_array_equal(model.predict(X * dtype(scale)), reference.predict(X))
