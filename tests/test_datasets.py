"""The bundled data loaders: shapes, types, the scikit-learn loader conventions."""

import inspect

import numpy as np
import pandas as pd
import pytest
from pandas.api.types import is_numeric_dtype, is_string_dtype

from skdl import datasets
from skdl.anomaly import GaussianAnomalyDetector
from skdl.cluster import KMeans
from skdl.linear_model import LinearRegression, LogisticRegression

# Loaders of things that are not a table of samples: a point cloud drawn by the exercises, an
# image, trained weights and factors. They return the arrays themselves.
NOT_SAMPLE_TABLES = {
    "load_bird_image",
    "load_course_network_weights",
    "load_kmeans_points",
    "load_movie_factors",
    "load_pca_points",
}
SAMPLE_LOADERS = [name for name in datasets.__all__ if name not in NOT_SAMPLE_TABLES]


def test_every_loader_is_either_a_sample_table_or_listed_as_not_one():
    assert set(NOT_SAMPLE_TABLES) <= set(datasets.__all__)
    assert len(SAMPLE_LOADERS) == 9


@pytest.mark.parametrize("name", SAMPLE_LOADERS)
def test_every_sample_loader_takes_return_X_y_and_as_frame(name):
    loader = getattr(datasets, name)
    parameters = inspect.signature(loader).parameters
    for keyword in ("return_X_y", "as_frame"):
        assert parameters[keyword].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters[keyword].default is False
    bunch = loader()
    X, y = loader(return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    if y is None:
        assert bunch.target is None
    else:
        np.testing.assert_array_equal(y, bunch.target)
    assert bunch.frame is None


@pytest.mark.parametrize("name", SAMPLE_LOADERS)
def test_as_frame_gives_pandas_dtypes_the_estimators_take(name):
    loader = getattr(datasets, name)
    X, y = loader(return_X_y=True, as_frame=True)
    plain_X, plain_y = loader(return_X_y=True)
    # The one text column of the SMS messages is 1-D as an array, a one-column DataFrame as a frame.
    assert isinstance(X, pd.DataFrame) and X.shape[0] == len(plain_X)
    # No object columns: numbers as numpy dtypes, text as pandas' string dtype ("str" in pandas 3).
    for column, dtype in X.dtypes.items():
        assert is_numeric_dtype(dtype) or (is_string_dtype(dtype) and dtype != object), (column, dtype)
    np.testing.assert_array_equal(X.to_numpy().reshape(np.shape(plain_X)), plain_X)
    bunch = loader(as_frame=True)
    assert list(X.columns) == bunch.feature_names
    if y is None:
        assert bunch.frame.equals(bunch.data)
    else:
        assert isinstance(y, pd.Series) and is_numeric_dtype(y.dtype)
        np.testing.assert_array_equal(y.to_numpy(), plain_y)
        assert list(bunch.frame.columns) == [*bunch.feature_names, y.name]


def test_sms_spam_text_is_pandas_string_dtype():
    X, _ = datasets.load_sms_spam(return_X_y=True, as_frame=True)
    assert X["text"].dtype == pd.Series(["a"], dtype="str").dtype


@pytest.mark.parametrize(
    "load, make_estimator",
    [
        (lambda: datasets.load_house_prices(return_X_y=True, as_frame=True), LinearRegression),
        (lambda: datasets.load_exam_admissions(return_X_y=True, as_frame=True),
         lambda: LogisticRegression(penalty=None)),
        (lambda: datasets.load_spam_emails(subset="test", return_X_y=True, as_frame=True),
         lambda: LogisticRegression(C=0.1)),
        (lambda: datasets.load_server_metrics(2, subset="val", return_X_y=True, as_frame=True),
         GaussianAnomalyDetector),
        (lambda: datasets.load_water_outflow(subset="val", return_X_y=True, as_frame=True),
         LinearRegression),
        (lambda: datasets.load_food_truck(return_X_y=True, as_frame=True),
         lambda: KMeans(n_clusters=3, random_state=0)),
    ],
)
def test_estimators_fit_frames_as_they_come_and_agree_with_arrays(load, make_estimator):
    X, y = load()
    from_frame = make_estimator().fit(X, y)
    from_array = make_estimator().fit(X.to_numpy(), y.to_numpy())
    np.testing.assert_array_equal(from_frame.feature_names_in_, X.columns)
    np.testing.assert_allclose(from_frame.predict(X), from_array.predict(X.to_numpy()))


def test_split_loaders_keep_every_split_under_the_course_names():
    water = datasets.load_water_outflow(subset="test")
    assert water.X.shape == (12, 1) and water.X_val.shape == (21, 1)
    np.testing.assert_array_equal(water.data, water.X_test)
    np.testing.assert_array_equal(water.target, water.y_test)
    metrics = datasets.load_server_metrics(1, as_frame=True)
    assert metrics.target is None and "y" not in metrics
    assert list(metrics.X_val.columns) == ["latency_ms", "throughput_mb_s"]
    assert metrics.y_val.dtype == np.int64 and metrics.y_val.sum() == 9
    with pytest.raises(ValueError, match="subset must be one of"):
        datasets.load_water_outflow(subset="validation")
    with pytest.raises(ValueError, match="subset must be one of"):
        datasets.load_server_metrics(1, subset="test")


def test_classification_targets_are_integer_labels():
    for loader in (datasets.load_exam_admissions, datasets.load_microchips, datasets.load_spam_emails,
                   datasets.load_sms_spam):
        assert loader().target.dtype == np.int64


@pytest.mark.parametrize(
    "loader, n_samples, n_features",
    [
        (datasets.load_food_truck, 97, 1),
        (datasets.load_house_prices, 47, 2),
        (datasets.load_exam_admissions, 100, 2),
        (datasets.load_microchips, 118, 2),
    ],
)
def test_course_csv_loaders_follow_scikit_learn_conventions(loader, n_samples, n_features):
    bunch = loader()
    assert bunch.data.shape == (n_samples, n_features)
    assert bunch.target.shape == (n_samples,)
    assert len(bunch.feature_names) == n_features
    assert "course" in bunch.DESCR
    X, y = loader(return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    frame_bunch = loader(as_frame=True)
    assert isinstance(frame_bunch.data, pd.DataFrame) and isinstance(frame_bunch.target, pd.Series)
    assert frame_bunch.frame.shape == (n_samples, n_features + 1)


def test_spam_emails():
    train, test = datasets.load_spam_emails(), datasets.load_spam_emails(subset="test")
    assert train.data.shape == (4000, 1899) and test.data.shape == (1000, 1899)
    assert set(np.unique(train.data)) == {0.0, 1.0} and set(np.unique(train.target)) == {0, 1}
    assert train.feature_names[0] == "aa" and len(train.feature_names) == 1899
    with pytest.raises(ValueError, match="subset"):
        datasets.load_spam_emails(subset="validation")


def test_movielens_rows_and_titles():
    movielens = datasets.load_movielens()
    assert movielens.data.shape == (100_000, 2)
    assert movielens.data[:, 0].min() == 1 and movielens.data[:, 0].max() == 943
    assert movielens.data[:, 1].min() == 1 and movielens.data[:, 1].max() == 1682
    assert set(np.unique(movielens.target)) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert len(np.unique(movielens.data, axis=0)) == 100_000  # one rating per (user, item)
    assert movielens.titles[0] == "Toy Story (1995)" and len(movielens.titles) == 1682
    assert "Harper" in movielens.DESCR
    frame = datasets.load_movielens(as_frame=True).frame
    assert list(frame.columns) == ["user_id", "item_id", "rating"]


def test_movielens_agrees_with_the_course_matrix():
    # The course's average rating of Toy Story (movie 1) is 3.8783.
    X, y = datasets.load_movielens(return_X_y=True)
    assert y[X[:, 1] == 1].mean() == pytest.approx(3.8783, abs=1e-4)


def test_sms_spam_collection():
    X, y = datasets.load_sms_spam(return_X_y=True)
    assert len(X) == 5574 and int(y.sum()) == 747
    assert all(isinstance(text, str) and text for text in X[:100])
    assert datasets.load_sms_spam().target_names == ["ham", "spam"]


def test_other_course_loaders():
    assert datasets.load_kmeans_points().shape == (300, 2)
    assert datasets.load_pca_points().shape == (50, 2)
    assert datasets.load_bird_image().shape == (128, 128, 3)
    metrics = datasets.load_server_metrics(1)
    assert metrics.X.shape == (307, 2) and metrics.y_val.sum() == 9
    with pytest.raises(ValueError, match="which"):
        datasets.load_server_metrics(3)
    assert datasets.load_water_outflow().X.shape == (12, 1)
    assert datasets.load_course_network_weights().Theta1.shape == (25, 401)
    assert datasets.load_movie_factors().Theta.shape == (943, 10)
