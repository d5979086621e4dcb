"""GaussianAnomalyDetector: the course's exercise 8, closed forms, scikit-learn's GaussianMixture, the API."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse, stats
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import f1_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl.anomaly import GaussianAnomalyDetector, SingularCovarianceWarning, anomaly_f1_scorer
from skdl.anomaly._threshold import best_f1_threshold, weighted_percentile
from skdl.datasets import load_server_metrics

# The course's published figures (ex8.m): best epsilon and validation F1 on each data set.
COURSE = {1: {"epsilon": 8.99e-05, "f1": 0.875}, 2: {"epsilon": 1.38e-18, "f1": 0.615385}}


def course_select_threshold(yval, pval):
    """The course's selectThreshold.m: 1,000 evenly spaced densities from min(pval) to max(pval)."""
    best_epsilon, best_f1 = 0.0, 0.0
    step = (pval.max() - pval.min()) / 1000
    for epsilon in np.arange(pval.min(), pval.max(), step):
        predictions = pval < epsilon
        tp = np.sum(predictions & (yval == 1))
        fp = np.sum(predictions & (yval == 0))
        fn = np.sum(~predictions & (yval == 1))
        if tp == 0:
            continue
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_epsilon, best_f1 = epsilon, f1
    return best_epsilon, best_f1


@pytest.fixture(scope="module", params=[1, 2])
def server_metrics(request):
    return request.param, load_server_metrics(request.param)


def test_course_mean_and_variance_ex8data1():
    data = load_server_metrics(1)
    detector = GaussianAnomalyDetector(reg_covar=0.0).fit(data.X)
    assert_allclose(detector.mean_, [14.112, 14.998], atol=1e-3)
    assert_allclose(detector.covariance_, [1.833, 1.710], atol=1e-3)
    # The course's 1/m variance, not the unbiased 1/(m-1) one.
    assert_allclose(detector.covariance_, np.var(data.X, axis=0, ddof=0), rtol=1e-12)


def test_course_threshold_and_f1(server_metrics):
    which, data = server_metrics
    detector = GaussianAnomalyDetector().fit(data.X)
    # Our log-densities, exponentiated, reproduce the course's own search and its figures.
    densities = np.exp(detector.score_samples(data.X_val))
    course_epsilon, course_f1 = course_select_threshold(data.y_val, densities)
    assert course_epsilon == pytest.approx(COURSE[which]["epsilon"], rel=5e-3)
    assert course_f1 == pytest.approx(COURSE[which]["f1"], abs=1e-6)
    detector.select_threshold(data.X_val, data.y_val)
    assert detector.threshold_source_ == "validation"
    assert detector.threshold_f1_ >= course_f1 - 1e-12
    assert detector.threshold_f1_ >= COURSE[which]["f1"] - 1e-6
    # threshold_f1_ is the F1 the fitted detector really reaches on the validation data.
    flagged = detector.predict(data.X_val) == -1
    assert f1_score(data.y_val, flagged) == pytest.approx(detector.threshold_f1_)
    assert detector.epsilon_ == pytest.approx(np.exp(detector.offset_))


def test_ex8data1_threshold_close_to_course():
    data = load_server_metrics(1)
    detector = GaussianAnomalyDetector().fit(data.X).select_threshold(data.X_val, data.y_val)
    assert detector.epsilon_ == pytest.approx(COURSE[1]["epsilon"], rel=0.05)
    assert np.sum(detector.predict(data.X) == -1) == 6


def test_ex8data2_course_epsilon_finds_117_anomalies():
    data = load_server_metrics(2)
    scores_val = GaussianAnomalyDetector().fit(data.X).score_samples(data.X_val)
    # The course's unrounded epsilon (it prints 1.38e-18), given as a density.
    epsilon, _ = course_select_threshold(data.y_val, np.exp(scores_val))
    detector = GaussianAnomalyDetector(epsilon=epsilon).fit(data.X)
    assert detector.threshold_source_ == "epsilon"
    assert detector.offset_ == pytest.approx(np.log(epsilon))
    assert np.sum(detector.predict(data.X) == -1) == 117


def test_distinct_scores_search_beats_course_grid_with_full_covariance(server_metrics):
    _, data = server_metrics
    detector = GaussianAnomalyDetector("full").fit(data.X)
    _, grid_f1 = course_select_threshold(data.y_val, np.exp(detector.score_samples(data.X_val)))
    assert detector.select_threshold(data.X_val, data.y_val).threshold_f1_ >= grid_f1 - 1e-12


def test_best_f1_threshold_matches_brute_force_with_ties():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 40, size=300).astype(float)  # many ties
    is_anomaly = rng.random(300) < 0.1 + 0.3 * (scores < 8)
    threshold, f1 = best_f1_threshold(scores, is_anomaly)
    cuts = np.unique(scores)
    brute = [f1_score(is_anomaly, scores <= cut) for cut in cuts]
    assert f1 == pytest.approx(max(brute))
    best_cut = cuts[int(np.argmax(brute))]  # fewest flagged among the best
    assert f1_score(is_anomaly, scores < threshold) == pytest.approx(f1)
    assert best_cut < threshold < cuts[cuts > best_cut].min()


def test_weighted_f1_and_percentile_equal_repeated_rows():
    rng = np.random.default_rng(1)
    scores, weights = rng.normal(size=40), rng.integers(0, 4, size=40)
    is_anomaly = rng.random(40) < 0.3
    repeated = np.repeat(np.arange(40), weights)
    assert best_f1_threshold(scores, is_anomaly, weights) == pytest.approx(
        best_f1_threshold(scores[repeated], is_anomaly[repeated])
    )
    for q in (0.0, 1.0, 12.5, 50.0, 100.0):
        assert weighted_percentile(scores, weights, q) == pytest.approx(np.percentile(scores[repeated], q))


def test_diag_log_density_is_sum_of_normal_logpdfs():
    data = load_server_metrics(2)
    detector = GaussianAnomalyDetector("diag").fit(data.X)
    expected = stats.norm.logpdf(data.X_val, detector.mean_, np.sqrt(detector.covariance_)).sum(axis=1)
    assert_allclose(detector.score_samples(data.X_val), expected, rtol=1e-10)


def test_full_log_density_matches_scipy_and_gaussian_mixture():
    data = load_server_metrics(2)
    detector = GaussianAnomalyDetector("full", reg_covar=1e-6).fit(data.X)
    expected = stats.multivariate_normal(detector.mean_, detector.covariance_).logpdf(data.X_val)
    assert_allclose(detector.score_samples(data.X_val), expected, rtol=1e-10)
    mixture = GaussianMixture(1, covariance_type="full", reg_covar=1e-6).fit(data.X)
    assert_allclose(detector.mean_, mixture.means_[0], rtol=1e-10)
    assert_allclose(detector.covariance_, mixture.covariances_[0], rtol=1e-8, atol=1e-10)
    assert_allclose(detector.score_samples(data.X_val), mixture.score_samples(data.X_val), rtol=1e-8)


@pytest.mark.parametrize("covariance", ["diag", "full"])
def test_log_space_survives_densities_that_underflow(covariance):
    rng = np.random.default_rng(2)
    X = 1000.0 * rng.normal(size=(400, 200))  # log-densities near -1,700: exp() underflows to 0
    detector = GaussianAnomalyDetector(covariance).fit(X)
    scores = detector.score_samples(X[:5])
    assert np.all(np.isfinite(scores)) and np.all(scores < -1000)
    if covariance == "full":
        expected = stats.multivariate_normal(detector.mean_, detector.covariance_).logpdf(X[:5])
        assert_allclose(scores, expected, rtol=1e-9)
    assert np.sum(detector.predict(X) == -1) == 4  # 1% of 400


@pytest.mark.parametrize("covariance", ["diag", "full"])
@pytest.mark.parametrize("contamination", [0.01, 0.05, 0.2])
def test_contamination_flags_that_fraction(covariance, contamination):
    X = np.random.default_rng(3).normal(size=(1000, 4))
    detector = GaussianAnomalyDetector(covariance, contamination=contamination).fit(X)
    assert detector.threshold_source_ == "contamination"
    assert np.sum(detector.predict(X) == -1) == round(1000 * contamination)
    assert_array_equal(detector.predict(X), np.where(detector.decision_function(X) >= 0, 1, -1))


def test_epsilon_parameter_is_a_density():
    data = load_server_metrics(1)
    detector = GaussianAnomalyDetector(epsilon=1e-4).fit(data.X)
    assert detector.epsilon_ == 1e-4 and detector.threshold_f1_ is None
    assert_allclose(detector.decision_function(data.X), detector.score_samples(data.X) - np.log(1e-4))
    assert_array_equal(detector.predict(data.X) == -1, np.exp(detector.score_samples(data.X)) < 1e-4)


def test_fit_with_labels_fits_normal_rows_and_picks_f1_threshold():
    data = load_server_metrics(2)
    detector = GaussianAnomalyDetector().fit(data.X_val, data.y_val)
    on_normal = GaussianAnomalyDetector().fit(data.X_val[data.y_val == 0])
    assert_allclose(detector.mean_, on_normal.mean_)
    assert_allclose(detector.covariance_, on_normal.covariance_)
    assert detector.threshold_source_ == "labels"
    expected_threshold, expected_f1 = best_f1_threshold(detector.score_samples(data.X_val), data.y_val == 1)
    assert detector.offset_ == pytest.approx(expected_threshold)
    assert detector.threshold_f1_ == pytest.approx(expected_f1)
    # A given epsilon wins over the labels, which then only select the rows.
    fixed = GaussianAnomalyDetector(epsilon=1e-18).fit(data.X_val, data.y_val)
    assert fixed.threshold_source_ == "epsilon"
    assert_allclose(fixed.mean_, on_normal.mean_)
    # Labels without any anomaly: the threshold comes from contamination.
    normal_only = GaussianAnomalyDetector().fit(data.X, np.zeros(len(data.X), dtype=int))
    assert normal_only.threshold_source_ == "contamination"


def test_grid_search_with_f1_scorer():
    data = load_server_metrics(2)
    X = np.vstack([data.X_val, data.X_val[data.y_val == 0]])
    y = np.concatenate([data.y_val, np.zeros(np.sum(data.y_val == 0), dtype=int)])
    search = GridSearchCV(
        GaussianAnomalyDetector(),
        {"covariance": ["diag", "full"], "epsilon": [None, 1e-20, 1e-18]},
        scoring=anomaly_f1_scorer,
        cv=3,
    ).fit(X, y)
    assert search.best_score_ > 0.3
    assert set(search.cv_results_["param_covariance"]) == {"diag", "full"}
    scores = cross_val_score(GaussianAnomalyDetector(), X, y, scoring=anomaly_f1_scorer, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    # The scorer is F1 of the anomaly class: course labels against predict's -1.
    fitted = search.best_estimator_
    expected = f1_score(y == 1, fitted.predict(X) == -1)
    assert anomaly_f1_scorer(fitted, X, y) == pytest.approx(expected)


def test_pipeline_pickle_and_clone():
    data = load_server_metrics(2)
    pipeline = make_pipeline(StandardScaler(), GaussianAnomalyDetector("full")).fit(data.X)
    restored = pickle.loads(pickle.dumps(pipeline))
    assert_array_equal(restored.predict(data.X_val), pipeline.predict(data.X_val))
    detector = GaussianAnomalyDetector("full", epsilon=1e-18, contamination=0.1, reg_covar=1e-4)
    cloned = clone(detector)
    assert cloned.get_params() == detector.get_params() and not hasattr(cloned, "mean_")
    fitted = detector.fit(data.X).select_threshold(data.X_val, data.y_val)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.threshold_source_ == "validation" and restored.offset_ == fitted.offset_


def test_refit_forgets_the_validation_threshold():
    data = load_server_metrics(1)
    detector = GaussianAnomalyDetector().fit(data.X).select_threshold(data.X_val, data.y_val)
    assert detector.threshold_source_ == "validation"
    assert detector.fit(data.X).threshold_source_ == "contamination" and detector.threshold_f1_ is None


@pytest.mark.parametrize("covariance", ["diag", "full"])
def test_sample_weight_equals_repeated_rows(covariance):
    data = load_server_metrics(2)
    weights = np.random.default_rng(4).integers(0, 3, size=len(data.X))
    repeated = np.repeat(np.arange(len(data.X)), weights)
    weighted = GaussianAnomalyDetector(covariance).fit(data.X, sample_weight=weights)
    plain = GaussianAnomalyDetector(covariance).fit(data.X[repeated])
    assert_allclose(weighted.covariance_, plain.covariance_, rtol=1e-10)
    assert weighted.offset_ == pytest.approx(plain.offset_, rel=1e-10)
    assert_allclose(weighted.decision_function(data.X_val), plain.decision_function(data.X_val), rtol=1e-9)


@pytest.mark.parametrize("covariance", ["diag", "full"])
def test_float32_kept(covariance):
    data = load_server_metrics(2)
    X32 = data.X.astype(np.float32)
    detector = GaussianAnomalyDetector(covariance).fit(X32)
    assert detector.mean_.dtype == np.float32 and detector.covariance_.dtype == np.float32
    for method in (detector.score_samples, detector.decision_function):
        assert method(X32).dtype == np.float32
    reference = GaussianAnomalyDetector(covariance).fit(data.X).score_samples(data.X)
    assert_allclose(detector.score_samples(X32), reference, rtol=1e-4)


def test_fewer_samples_than_features_warns_and_regularises():
    X = np.random.default_rng(5).normal(size=(10, 20))
    with pytest.warns(SingularCovarianceWarning, match="10 samples for 20 features"):
        detector = GaussianAnomalyDetector("full").fit(X)
    assert np.all(np.isfinite(detector.score_samples(X)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GaussianAnomalyDetector("diag").fit(X)  # per-feature variances exist


def test_redundant_and_constant_features_are_named():
    X = np.random.default_rng(6).normal(size=(200, 3))
    X = np.column_stack([X, X[:, 0] + 2 * X[:, 1], np.full(200, 7.0)])
    with pytest.warns(SingularCovarianceWarning, match=r"features \[4\] are constant.*features \[3\]"):
        detector = GaussianAnomalyDetector("full").fit(X)
    assert np.all(np.isfinite(detector.score_samples(X)))
    with pytest.warns(SingularCovarianceWarning, match=r"features \[4\] are constant"):
        GaussianAnomalyDetector("diag").fit(X)
    # reg_covar=0 cannot factorise a singular covariance: a larger jitter is used, still a warning.
    with pytest.warns(SingularCovarianceWarning):
        unregularised = GaussianAnomalyDetector("full", reg_covar=0.0).fit(X)
    assert np.all(np.isfinite(unregularised.score_samples(X)))
    with pytest.warns(SingularCovarianceWarning):
        assert np.all(np.isfinite(GaussianAnomalyDetector("diag", reg_covar=0.0).fit(X).score_samples(X)))


def test_regular_data_does_not_warn():
    data = load_server_metrics(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GaussianAnomalyDetector("full").fit(data.X)
        GaussianAnomalyDetector("diag").fit(data.X)


def test_bad_input_gives_clear_errors():
    data = load_server_metrics(1)
    X_nan = data.X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GaussianAnomalyDetector().fit(X_nan)
    with pytest.raises(NotFittedError):
        GaussianAnomalyDetector().predict(data.X)
    detector = GaussianAnomalyDetector().fit(data.X)
    with pytest.raises(ValueError, match="features"):
        detector.predict(data.X[:, :1])
    with pytest.raises(ValueError, match="NaN"):
        detector.score_samples(X_nan)
    with pytest.raises(ValueError, match="1 sample"):
        GaussianAnomalyDetector().fit(data.X[:1])
    with pytest.raises(TypeError, match="Sparse.*covariance='diag'"):
        GaussianAnomalyDetector("full").fit(sparse.csr_matrix(data.X))
    with pytest.raises(ValueError, match="at least 2 normal samples"):
        GaussianAnomalyDetector().fit(data.X[:5], [1, 1, 1, 1, 0])
    with pytest.raises(ValueError, match=r"scikit-learn's -1"):
        GaussianAnomalyDetector().fit(data.X_val, np.where(data.y_val == 1, -1, 1))
    with pytest.raises(ValueError, match="no anomaly"):
        detector.select_threshold(data.X_val, np.zeros_like(data.y_val))
    with pytest.raises(ValueError, match="1 for an anomaly and 0"):
        detector.select_threshold(data.X_val, data.y_val + 1)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        detector.select_threshold(data.X_val, data.y_val[:-1])
    with pytest.raises(ValueError, match="epsilon"):
        GaussianAnomalyDetector(epsilon=0.0).fit(data.X)
    with pytest.raises(ValueError, match="contamination"):
        GaussianAnomalyDetector(contamination=0.7).fit(data.X)


def test_targets_that_are_not_labels_are_ignored_with_a_warning():
    data = load_server_metrics(1)
    with pytest.warns(UserWarning, match="y is ignored"):
        detector = GaussianAnomalyDetector().fit(data.X, np.arange(len(data.X)) % 3)
    assert_allclose(detector.mean_, GaussianAnomalyDetector().fit(data.X).mean_)


def test_negative_weights_are_refused_and_zero_weight_anomalies_ignored():
    data = load_server_metrics(1)
    weights = np.ones(len(data.X))
    weights[0] = -1.0
    with pytest.raises(ValueError, match="[Nn]egative"):
        GaussianAnomalyDetector().fit(data.X, sample_weight=weights)
    y = np.zeros(len(data.X_val), dtype=int)
    y[:3] = 1
    weights = np.ones(len(data.X_val))
    weights[:3] = 0.0
    detector = GaussianAnomalyDetector().fit(data.X_val, y, sample_weight=weights)
    assert detector.threshold_source_ == "contamination"
    assert_allclose(detector.mean_, GaussianAnomalyDetector().fit(data.X_val[3:]).mean_)


# The labels through fit_predict, data far from the origin, extreme scales, sparse and pandas input.


def test_fit_predict_passes_the_labels_to_fit():
    # scikit-learn's default fit_predict drops y: 4 points flagged instead of fit(X, y)'s 7.
    data = load_server_metrics(1)
    flagged = GaussianAnomalyDetector().fit_predict(data.X_val, data.y_val)
    expected = GaussianAnomalyDetector().fit(data.X_val, data.y_val).predict(data.X_val)
    assert_array_equal(flagged, expected)
    assert np.sum(flagged == -1) == 7
    weights = np.random.default_rng(0).uniform(0.5, 2, size=len(data.X_val))
    assert_array_equal(
        GaussianAnomalyDetector().fit_predict(data.X_val, data.y_val, sample_weight=weights),
        GaussianAnomalyDetector().fit(data.X_val, data.y_val, sample_weight=weights).predict(data.X_val),
    )


def _correlated(n_samples=4_000, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(n_features, n_features)) / np.sqrt(n_features) + np.eye(n_features)
    return rng.normal(size=(n_samples, n_features)) @ mixing


@pytest.mark.parametrize("covariance", ["diag", "full"])
def test_float32_far_from_the_origin_keeps_the_float64_density(covariance):
    X = _correlated()
    reference = GaussianAnomalyDetector(covariance).fit(X)
    shifted = (X + 1000.0).astype(np.float32)
    detector = GaussianAnomalyDetector(covariance).fit(shifted)
    assert_allclose(detector.covariance_, reference.covariance_, rtol=1e-5, atol=1e-6)
    # Scores of float32 values near 1,000 are as exact as the values (about 6e-5 each).
    assert_allclose(detector.score_samples(shifted), reference.score_samples(X), atol=2e-3)


@pytest.mark.parametrize("covariance", ["diag", "full"])
@pytest.mark.parametrize("scale, problem", [(1e300, "overflow"), (1e-300, "underflow")])
def test_variances_float64_cannot_hold_are_refused(covariance, scale, problem):
    # Before, every sample was flagged (or none): the density was computed from inf or 0 variances.
    with pytest.raises(ValueError, match=f"variances.*{problem} float64.*constant"):
        GaussianAnomalyDetector(covariance).fit(_correlated(500) * scale)


@pytest.mark.parametrize("covariance", ["diag", "full"])
@pytest.mark.parametrize("scale", [1e150, 1e-150])
def test_extreme_but_representable_scales_flag_the_same_samples(covariance, scale):
    X = _correlated(500)
    # reg_covar is an absolute jitter, not scale-free: leave it out to compare scales.
    reference = GaussianAnomalyDetector(covariance, reg_covar=0.0).fit(X)
    detector = GaussianAnomalyDetector(covariance, reg_covar=0.0).fit(X * scale)
    assert_allclose(detector.covariance_ / scale**2, reference.covariance_, rtol=1e-10)
    # log p(s x) = log p(x) - d log s: the same samples fall below the threshold.
    assert_array_equal(detector.predict(X * scale), reference.predict(X))
    assert np.sum(detector.predict(X * scale) == -1) == 5


def test_a_failed_refit_leaves_no_fitted_state():
    X = _correlated(200)
    detector = GaussianAnomalyDetector().fit(X)
    X[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        detector.fit(X)
    assert not hasattr(detector, "mean_") and not hasattr(detector, "offset_")


@pytest.mark.parametrize("covariance", ["diag", "full"])
def test_the_fit_makes_no_copy_of_X(covariance):
    import tracemalloc

    X = _correlated(100_000, 50)  # 40 MB
    tracemalloc.start()
    try:
        GaussianAnomalyDetector(covariance).fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.25 * X.nbytes  # the centred copy alone would be 100%; the scores are 2%


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_array])
def test_sparse_input_with_the_diagonal_model_equals_dense(container):
    X = sparse.random(500, 12, density=0.3, random_state=0, format="csr") * 5.0
    y = np.zeros(500, dtype=int)
    y[:10] = 1
    weights = np.random.default_rng(1).uniform(0.5, 2.0, size=500)
    for fit_args in ({}, {"y": y}, {"sample_weight": weights}):
        dense = GaussianAnomalyDetector().fit(X.toarray(), **fit_args)
        detector = GaussianAnomalyDetector().fit(container(X), **fit_args)
        assert_allclose(detector.mean_, dense.mean_, rtol=1e-12)
        assert_allclose(detector.covariance_, dense.covariance_, rtol=1e-10)
        assert detector.offset_ == pytest.approx(dense.offset_, rel=1e-10)
        assert_allclose(detector.score_samples(container(X)), dense.score_samples(X.toarray()), rtol=1e-10)
    assert GaussianAnomalyDetector().__sklearn_tags__().input_tags.sparse is True
    assert GaussianAnomalyDetector("full").__sklearn_tags__().input_tags.sparse is False


def test_sparse_input_with_the_full_model_says_what_to_do():
    X = sparse.random(50, 4, density=0.5, random_state=0, format="csr")
    with pytest.raises(TypeError, match="covariance='diag'.*toarray"):
        GaussianAnomalyDetector("full").fit(X)
    detector = GaussianAnomalyDetector("full").fit(X.toarray())
    with pytest.raises(TypeError, match="covariance='diag'"):
        detector.score_samples(X)


def test_nullable_pandas_columns_are_numbers_and_their_missing_values_are_nan():
    pd = pytest.importorskip("pandas")
    X = _correlated(80, 2)
    frame = pd.DataFrame({"a": pd.array(X[:, 0], dtype="Float64"), "b": pd.array(np.arange(80) % 5, dtype="Int64")})
    expected = GaussianAnomalyDetector().fit(frame.to_numpy(dtype=np.float64))
    assert_allclose(GaussianAnomalyDetector().fit(frame).covariance_, expected.covariance_)
    frame.loc[7, "b"] = pd.NA
    with pytest.raises(ValueError, match="NaN"):
        GaussianAnomalyDetector().fit(frame)


@pytest.mark.parametrize("covariance", ["diag", "full"])
def test_threads_do_not_change_the_answer(covariance):
    X = _correlated(60_000, 8)
    one = GaussianAnomalyDetector(covariance, n_jobs=1).fit(X)
    two = GaussianAnomalyDetector(covariance, n_jobs=2).fit(X)
    assert_allclose(two.covariance_, one.covariance_, rtol=1e-12)
    assert two.offset_ == pytest.approx(one.offset_, rel=1e-9)
    assert_allclose(two.score_samples(X), one.score_samples(X), rtol=1e-9)
