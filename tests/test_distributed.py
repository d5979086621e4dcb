"""skdl on Dask: grid search on a local cluster, and streaming through ``partial_fit``.

The cluster is a real ``LocalCluster`` with two worker processes started inside the test run.
"""

import os
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from skdl.anomaly import GaussianAnomalyDetector
from skdl.datasets import load_microchips
from skdl.decomposition import PCA
from skdl.linear_model import LinearRegression, LogisticRegression

pytest.importorskip("distributed", reason="dask.distributed is in the 'distributed' extra")
pytest.importorskip("dask_ml", reason="dask-ml is in the 'distributed' extra")

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import joblib  # noqa: E402
from dask_ml.model_selection import IncrementalSearchCV  # noqa: E402
from dask_ml.wrappers import Incremental  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from skdl.utils._dask import (  # noqa: E402
    align_row_chunks,
    as_row_chunked,
    is_dask_collection,
    map_row_chunks,
    reduce_row_chunks,
)


# The helpers of skdl.utils._dask, on dask's synchronous scheduler (no cluster needed).


def test_reduce_row_chunks_combines_every_chunk_in_a_tree():
    X = np.arange(200.0).reshape(100, 2)
    dX = da.from_array(X, chunks=(3, 2))  # 34 chunks: three levels of combining with split_every=4
    with dask.config.set(scheduler="synchronous"):
        total = reduce_row_chunks(lambda x: x.sum(axis=0), np.add, dX, split_every=4)
    np.testing.assert_array_equal(total, X.sum(axis=0))


def test_reduce_row_chunks_zips_aligned_targets_weights_and_extra_arguments():
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(50, 3)), rng.normal(size=50), rng.uniform(size=50)
    dX = as_row_chunked(da.from_array(X, chunks=(7, 2)))  # column chunks are merged
    assert dX.chunks[1] == (3,)
    dy, dw, none = align_row_chunks(dX, y, da.from_array(w, chunks=11), None)
    assert dy.chunks[0] == dw.chunks[0] == dX.chunks[0] and none is None
    shift = np.ones(3)

    def weighted_cross(x, y_chunk, w_chunk, missing, offset):
        assert missing is None
        return ((x - offset) * w_chunk[:, None]).T @ y_chunk

    with dask.config.set(scheduler="synchronous"):
        result = reduce_row_chunks(weighted_cross, np.add, dX, dy, dw, None, args=(shift,))
    np.testing.assert_allclose(result, ((X - shift) * w[:, None]).T @ y)


def test_align_row_chunks_refuses_a_different_number_of_rows():
    dX = as_row_chunked(da.zeros((10, 2), chunks=5))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        align_row_chunks(dX, np.zeros(9))


def test_as_row_chunked_names_what_it_cannot_take():
    with pytest.raises(ValueError, match="2-D"):
        as_row_chunked(da.zeros(10, chunks=5))
    with pytest.raises(TypeError, match="numeric"):
        as_row_chunked(da.from_array(np.array([["a"], ["b"]], dtype=object), chunks=1))
    assert as_row_chunked(da.zeros((4, 2), dtype=int, chunks=2)).dtype == np.float64
    assert as_row_chunked(da.zeros((4, 2), dtype=np.float32, chunks=2)).dtype == np.float32


def test_map_row_chunks_is_lazy_and_keeps_the_row_chunks():
    X = np.arange(12.0).reshape(6, 2)
    dX = da.from_array(X, chunks=(4, 2))
    sums = map_row_chunks(lambda x: x.sum(axis=1), dX, dtype=np.float64)
    doubled = map_row_chunks(lambda x, factor: factor * x, dX, dtype=np.float64, n_columns=2, args=(2.0,))
    assert is_dask_collection(sums) and sums.chunks == ((4, 2),)
    assert doubled.chunks == ((4, 2), (2,))
    np.testing.assert_array_equal(sums.compute(), X.sum(axis=1))
    np.testing.assert_array_equal(doubled.compute(), 2 * X)
    assert not is_dask_collection(X)


@pytest.fixture(scope="module")
def client():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as dask_client:
        yield dask_client


def _search_both_ways(estimator, grid, X, y, client):
    local = GridSearchCV(estimator, grid, cv=3, n_jobs=1).fit(X, y)
    with joblib.parallel_backend("dask"):
        distributed = GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X, y)
    return local, distributed


def test_grid_search_on_the_cluster_matches_the_local_search(client):
    X, y = load_microchips(return_X_y=True)
    pipeline = make_pipeline(PolynomialFeatures(6), StandardScaler(), LogisticRegression())
    grid = {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]}
    local, distributed = _search_both_ways(pipeline, grid, X, y, client)
    assert distributed.best_params_ == local.best_params_
    np.testing.assert_allclose(
        distributed.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


def test_workers_run_one_blas_thread_each(client):
    # Dask's nanny sets OMP/MKL/OpenBLAS threads to 1 in each worker: n_jobs workers, not n_jobs x cores.
    def threads():
        from threadpoolctl import threadpool_info

        return max((pool["num_threads"] for pool in threadpool_info()), default=1)

    assert set(client.run(threads).values()) == {1}


def _stream(X, y, chunk):
    return da.from_array(X, chunks=(chunk, X.shape[1])), da.from_array(y, chunks=chunk)


def test_incremental_logistic_regression_reaches_the_in_memory_score(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6000, 6))
    y = (X @ rng.normal(size=6) + 0.3 * rng.normal(size=6000) > 0).astype(int)
    in_memory = LogisticRegression().fit(X, y).score(X, y)
    streamed = Incremental(LogisticRegression(solver="sgd", learning_rate=0.05, random_state=0), scoring="accuracy")
    dX, dy = _stream(X, y, 1000)
    for _ in range(5):  # each Incremental.fit is one pass over the blocks
        streamed.partial_fit(dX, dy, classes=[0, 1])
    assert streamed.estimator_.n_features_in_ == 6
    assert streamed.score(dX, dy) == pytest.approx(in_memory, abs=0.02)


def test_incremental_linear_regression_reaches_the_in_memory_score(client):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6000, 5)) * [1, 3, 0.3, 2, 1] + 2
    y = X @ rng.normal(size=5) + 1 + 0.1 * rng.normal(size=6000)
    in_memory = LinearRegression().fit(X, y).score(X, y)
    streamed = Incremental(LinearRegression(solver="sgd", learning_rate=0.05, random_state=0))
    dX, dy = _stream(X, y, 1000)
    for _ in range(5):
        streamed.partial_fit(dX, dy)
    assert streamed.estimator_.score(X, y) == pytest.approx(in_memory, abs=0.01)


def test_incremental_search_over_a_stream(client):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4000, 5))
    y = (X @ rng.normal(size=5) > 0).astype(int)
    dX, dy = _stream(X, y, 500)
    search = IncrementalSearchCV(
        LogisticRegression(solver="sgd", random_state=0),
        {"learning_rate": [1e-4, 0.1]},
        n_initial_parameters=2,
        max_iter=4,
        decay_rate=None,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(dX, dy, classes=[0, 1])
    assert search.best_params_ == {"learning_rate": 0.1}
    assert search.best_score_ > 0.9


def test_incremental_collaborative_filter_folds_in_blocks_of_ratings(client):
    from sklearn.metrics import mean_squared_error
    from sklearn.model_selection import train_test_split

    from skdl.datasets import load_movielens
    from skdl.recommender import CollaborativeFilter

    X, y = load_movielens(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    in_memory = CollaborativeFilter(random_state=0).fit(X_train, y_train)
    # The first block fits the model; each later block folds its users and items in.
    streamed = Incremental(CollaborativeFilter(random_state=0))
    block = len(y_train) // 5 + 1
    streamed.partial_fit(da.from_array(X_train, chunks=(block, 2)), da.from_array(y_train, chunks=block))

    def rmse(model):
        return mean_squared_error(y_test, model.predict(X_test)) ** 0.5

    assert rmse(streamed.estimator_) == pytest.approx(rmse(in_memory), abs=0.02)
    assert len(streamed.estimator_.users_) == len(in_memory.users_)


def test_incremental_mlp_reaches_the_in_memory_score(client):
    from sklearn.datasets import load_digits

    from skdl.neural_network import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    in_memory = MLPClassifier((32,), max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        in_memory_score = in_memory.fit(X, y).score(X, y)
    streamed = Incremental(MLPClassifier((32,), random_state=0))
    dX, dy = _stream(X, y, 300)
    for _ in range(30):
        streamed.partial_fit(dX, dy, classes=np.arange(10))
    assert streamed.estimator_.n_features_in_ == 64
    assert streamed.estimator_.score(X, y) == pytest.approx(in_memory_score, abs=0.02)


def test_torch_estimator_grid_search_on_the_cluster_matches_the_local_search(client):
    pytest.importorskip("skorch", reason="the torch estimators need the 'torch' extra")
    from sklearn.datasets import load_digits

    from skdl.neural_network import CNNClassifier

    X, y = load_digits(return_X_y=True)
    X, y = (X[:300] / 16.0).astype(np.float32), y[:300]
    estimator = CNNClassifier(architecture="lenet", max_epochs=2, random_state=0)
    local, distributed = _search_both_ways(estimator, {"lr": [1e-3, 3e-3]}, X, y, client)
    assert distributed.best_params_ == local.best_params_
    np.testing.assert_allclose(
        distributed.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], atol=1e-6
    )


def test_torch_runs_one_thread_per_worker(client):
    pytest.importorskip("torch", reason="the torch estimators need the 'torch' extra")

    def torch_threads():
        import torch

        return torch.get_num_threads()

    assert set(client.run(torch_threads).values()) == {1}


def test_incremental_cnn_trains_block_by_block(client):
    pytest.importorskip("skorch", reason="the torch estimators need the 'torch' extra")
    from sklearn.datasets import load_digits

    from skdl.neural_network import CNNClassifier

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    in_memory = CNNClassifier(architecture="lenet", max_epochs=3, random_state=0).fit(X, y).score(X, y)
    streamed = Incremental(CNNClassifier(architecture="lenet", random_state=0))
    dX, dy = _stream(X, y, 600)
    for _ in range(3):  # each partial_fit of a block is one more epoch on that block
        streamed.partial_fit(dX, dy, classes=np.arange(10))
    assert streamed.estimator_.score(X, y) == pytest.approx(in_memory, abs=0.05)


# KMeans on dask arrays: Lloyd's per-cluster sums reduced over the row chunks.


def _kmeans_blobs():
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=5000, n_features=4, centers=6, cluster_std=2.0, random_state=1)
    return X, X[:6].copy()


@pytest.mark.parametrize("max_iter", [1, 2, 3, 5, 300])
def test_kmeans_on_dask_follows_the_in_memory_iterations(max_iter):
    from skdl.cluster import KMeans

    X, init = _kmeans_blobs()
    dX = da.from_array(X, chunks=(700, 4))
    with warnings.catch_warnings(), dask.config.set(scheduler="synchronous"):
        warnings.simplefilter("ignore", ConvergenceWarning)  # the early stops are the point
        in_memory = KMeans(n_clusters=6, init=init, max_iter=max_iter).fit(X)
        on_dask = KMeans(n_clusters=6, init=init, max_iter=max_iter).fit(dX)
        labels = on_dask.labels_.compute()
    assert is_dask_collection(on_dask.labels_)
    assert on_dask.n_iter_ == in_memory.n_iter_
    np.testing.assert_array_equal(labels, in_memory.labels_)
    np.testing.assert_allclose(on_dask.cluster_centers_, in_memory.cluster_centers_, rtol=1e-10, atol=1e-10)
    assert on_dask.inertia_ == pytest.approx(in_memory.inertia_, rel=1e-10)


@pytest.mark.parametrize("init", ["random", "k-means++"])
def test_kmeans_on_dask_draws_the_in_memory_start_from_the_same_seed(init):
    from skdl.cluster import KMeans

    X, _ = _kmeans_blobs()
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    dX, dw = da.from_array(X, chunks=(700, 4)), da.from_array(weights, chunks=1000)
    with dask.config.set(scheduler="synchronous"):
        in_memory = KMeans(n_clusters=6, init=init, n_init=2, random_state=3).fit(X, sample_weight=weights)
        on_dask = KMeans(n_clusters=6, init=init, n_init=2, random_state=3).fit(dX, sample_weight=dw)
        np.testing.assert_array_equal(on_dask.labels_.compute(), in_memory.labels_)
    np.testing.assert_allclose(on_dask.cluster_centers_, in_memory.cluster_centers_, rtol=1e-10, atol=1e-10)
    assert on_dask.inertia_ == pytest.approx(in_memory.inertia_, rel=1e-10)


def test_kmeans_predict_transform_score_on_dask_are_blockwise():
    from skdl.cluster import KMeans

    X, init = _kmeans_blobs()
    dX = da.from_array(X, chunks=(700, 4))
    kmeans = KMeans(n_clusters=6, init=init).fit(X)
    labels, distances = kmeans.predict(dX), kmeans.transform(dX)
    assert is_dask_collection(labels) and labels.chunks == (dX.chunks[0],)
    assert is_dask_collection(distances) and distances.chunks == (dX.chunks[0], (6,))
    with dask.config.set(scheduler="synchronous"):
        np.testing.assert_array_equal(labels.compute(), kmeans.predict(X))
        np.testing.assert_allclose(distances.compute(), kmeans.transform(X), rtol=1e-12)
        assert kmeans.score(dX) == pytest.approx(kmeans.score(X), rel=1e-12)
        with pytest.raises(ValueError, match="features"):
            kmeans.predict(dX[:, :3])


def test_kmeans_on_dask_refuses_what_the_in_memory_fit_refuses():
    from skdl.cluster import KMeans

    X, init = _kmeans_blobs()
    bad = X.copy()
    bad[4321, 2] = np.nan
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(ValueError, match="NaN"):
            KMeans(n_clusters=6, init=init).fit(da.from_array(bad, chunks=(700, 4)))
        with pytest.raises(ValueError, match="non-negative"):
            KMeans(n_clusters=6, init=init).fit(da.from_array(X, chunks=(700, 4)), sample_weight=-np.ones(len(X)))
        with pytest.raises(ValueError, match="n_samples=5 should be >= n_clusters=6"):
            KMeans(n_clusters=6).fit(da.from_array(X[:5], chunks=(2, 4)))


def _replicated_blobs(block_info=None, n_copies=25):
    """One row chunk of the big array: the same 5,000 blobs (rows 0, 1, 2, 3 in four groups) repeated."""
    rng = np.random.default_rng(0)
    centres = rng.uniform(-10, 10, size=(4, 10))
    groups = np.concatenate([np.arange(4), rng.integers(0, 4, size=4996)])
    base = centres[groups] + rng.normal(size=(5000, 10))
    return np.tile(base, (n_copies, 1))


@pytest.mark.slow
def test_kmeans_fits_a_dask_array_larger_than_the_workers_memory():
    # 105 chunks of 125,000 x 10 float64 (1.05 GB) on two workers with 500 MB each (a worker holds
    # about 300 MB once numpy, scipy, scikit-learn and numba are imported): each chunk is built
    # where it is used and dropped after its sums are taken; only k x p sums travel.
    from skdl.cluster import KMeans

    chunk_rows, n_chunks = 125_000, 105
    base = _replicated_blobs(n_copies=1)
    init = base[:4].copy()
    in_memory = KMeans(n_clusters=4, init=init).fit(base)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="500MB", dashboard_address=None
    ) as cluster, Client(cluster) as client:
        big = da.map_blocks(
            _replicated_blobs, dtype=np.float64, chunks=((chunk_rows,) * n_chunks, (10,)),
            meta=np.empty((0, 0)),
        )
        assert big.nbytes > 2 * 500e6
        workers_before = client.run(os.getpid)
        on_dask = KMeans(n_clusters=4, init=init).fit(big)
        assert client.run(os.getpid) == workers_before  # no worker was restarted
        first_chunk = on_dask.labels_[:5000].compute()
    np.testing.assert_allclose(on_dask.cluster_centers_, in_memory.cluster_centers_, rtol=1e-10, atol=1e-10)
    assert on_dask.inertia_ == pytest.approx(in_memory.inertia_ * 25 * n_chunks, rel=1e-10)
    assert on_dask.n_iter_ == in_memory.n_iter_
    np.testing.assert_array_equal(first_chunk, in_memory.labels_)


# Exact fits on dask arrays: sufficient statistics reduced over the row chunks on the workers.


def _dask_regression(n_samples, n_features=6, chunk=2_000, seed=0):
    """X (far from the origin), y and weights as dask arrays, built chunk by chunk where they live."""
    state = da.random.RandomState(seed)
    X = state.normal(size=(n_samples, n_features), chunks=(chunk, n_features)) * np.arange(1, n_features + 1) + 50.0
    beta = np.linspace(-2.0, 3.0, n_features)
    y = X @ beta + 4.0 + state.normal(size=n_samples, chunks=chunk)
    weights = state.uniform(0.0, 2.0, size=n_samples, chunks=chunk)
    return X, y, weights


def _relative(a, b):
    return np.abs(np.asarray(a) - np.asarray(b)).max() / np.abs(np.asarray(b)).max()


@pytest.mark.parametrize("alpha", [0.0, 10.0])
def test_linear_regression_on_a_dask_array_equals_the_in_memory_fit(client, alpha):
    X, y, weights = _dask_regression(20_000)
    fitted = LinearRegression(alpha=alpha).fit(X, y, sample_weight=weights)
    X_np, y_np, w_np = dask.compute(X, y, weights)
    in_memory = LinearRegression(alpha=alpha).fit(X_np, y_np, sample_weight=w_np)
    assert _relative(fitted.coef_, in_memory.coef_) < 1e-10
    assert fitted.intercept_ == pytest.approx(in_memory.intercept_, rel=1e-10)
    assert fitted.n_features_in_ == 6 and fitted.solver_ == "normal"
    predictions = fitted.predict(X)
    assert isinstance(predictions, da.Array) and predictions.chunks == X.chunks[:1]
    np.testing.assert_allclose(predictions.compute(), in_memory.predict(X_np), rtol=1e-10)


def test_linear_regression_on_dask_takes_several_targets_and_numpy_targets(client):
    X, y, _ = _dask_regression(6_000, chunk=1_000)
    X_np, y_np = dask.compute(X, y)
    Y = np.column_stack([y_np, -2 * y_np + 1])
    fitted = LinearRegression().fit(X, Y)  # a numpy y is split into X's chunks
    in_memory = LinearRegression().fit(X_np, Y)
    assert fitted.coef_.shape == (2, 6)
    assert _relative(fitted.coef_, in_memory.coef_) < 1e-10
    assert fitted.predict(X).compute().shape == (6_000, 2)


def test_pca_on_a_dask_array_equals_the_in_memory_fit(client):
    X, _, _ = _dask_regression(20_000, n_features=8)
    fitted = PCA(n_components=3).fit(X)
    X_np = X.compute()
    in_memory = PCA(n_components=3, svd_solver="covariance_eigh").fit(X_np)
    assert fitted._solver == "covariance_eigh"
    for name in ("components_", "explained_variance_", "mean_", "singular_values_"):
        assert _relative(getattr(fitted, name), getattr(in_memory, name)) < 1e-10, name
    assert fitted.noise_variance_ == pytest.approx(in_memory.noise_variance_, rel=1e-10)
    Z = fitted.transform(X)
    assert isinstance(Z, da.Array) and Z.chunks == (X.chunks[0], (3,))
    np.testing.assert_allclose(Z.compute(), in_memory.transform(X_np), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("covariance", ["diag", "full"])
def test_anomaly_detector_on_a_dask_array_equals_the_in_memory_fit(client, covariance):
    X, _, weights = _dask_regression(20_000, n_features=5)
    X_np, w_np = dask.compute(X, weights)
    for sample_weight, w_in_memory in ((None, None), (weights, w_np)):
        fitted = GaussianAnomalyDetector(covariance, contamination=0.02).fit(X, sample_weight=sample_weight)
        in_memory = GaussianAnomalyDetector(covariance, contamination=0.02).fit(X_np, sample_weight=w_in_memory)
        assert _relative(fitted.mean_, in_memory.mean_) < 1e-12
        assert _relative(fitted.covariance_, in_memory.covariance_) < 1e-10
        # The contamination percentile is exact: it comes from the lowest scores of each chunk.
        assert fitted.offset_ == pytest.approx(in_memory.offset_, rel=1e-10)
    scores = fitted.score_samples(X)
    assert isinstance(scores, da.Array)
    np.testing.assert_allclose(scores.compute(), in_memory.score_samples(X_np), rtol=1e-10)
    labels = fitted.predict(X)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), in_memory.predict(X_np))


def test_dask_fits_refuse_what_they_cannot_do_exactly(client):
    X, y, _ = _dask_regression(4_000, chunk=1_000)
    with pytest.raises(ValueError, match="Incremental"):
        LinearRegression(solver="sgd").fit(X, y)
    with pytest.raises(ValueError, match="covariance_eigh"):
        PCA(n_components=2, svd_solver="randomized").fit(X)
    with pytest.raises(ValueError, match="select_threshold"):
        GaussianAnomalyDetector().fit(X, (y > 0).astype(int))
    X_nan = da.where(X > 55.0, np.nan, X)
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(X_nan, y)
    with pytest.raises(ValueError, match="non-negative"):
        LinearRegression().fit(X, y, sample_weight=-da.ones(4_000, chunks=1_000))
    fitted = PCA(n_components=2).fit(X)
    with pytest.raises(ValueError, match="features"):
        fitted.transform(X[:, :3])


@pytest.fixture(scope="module")
def small_workers():
    """Two workers of 400 MB each, together less than the 1 GB array fitted below.

    (A worker that has imported scikit-learn already uses about 200 MB; at 300 MB dask pauses it.)
    """
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit="400MB"
    ) as cluster, Client(cluster) as dask_client:
        yield dask_client


def _worker_pids(dask_client):
    import os

    return set(dask_client.run(os.getpid).values())


def _chunk(block_id, rows, n_features, n_distinct):
    """Chunk ``block_id`` of X, y and the weights: chunk i repeats chunk i mod n_distinct."""
    rng = np.random.default_rng(block_id % n_distinct)
    X = rng.standard_normal((rows, n_features)) * np.linspace(0.5, 2.0, n_features) + 10.0
    y = X @ np.linspace(-1.0, 1.0, n_features) + rng.standard_normal(rows)
    return X, y, rng.uniform(0.0, 2.0, rows)


def _repeated_data(n_chunks, rows, n_features, n_distinct):
    """Dask arrays made on the workers, chunk by chunk: the first ``n_distinct`` chunks, repeated."""
    from dask import delayed

    parts = [delayed(_chunk, nout=3)(i, rows, n_features, n_distinct) for i in range(n_chunks)]
    X = da.concatenate([da.from_delayed(p[0], (rows, n_features), np.float64) for p in parts])
    y = da.concatenate([da.from_delayed(p[1], (rows,), np.float64) for p in parts])
    w = da.concatenate([da.from_delayed(p[2], (rows,), np.float64) for p in parts])
    return X, y, w


@pytest.mark.slow
def test_a_1_gb_array_fits_on_small_workers_and_equals_the_fit_on_a_small_copy(small_workers):
    n_chunks, rows, n_features, n_distinct = 100, 12_500, 100, 4  # 1 GB of float64 in chunks of 10 MB
    X, y, w = _repeated_data(n_chunks, rows, n_features, n_distinct)
    assert X.nbytes >= 1e9 > 2 * 400e6
    # The same data, small: the distinct chunks once. The big array is it repeated 25 times, which
    # leaves weighted least squares, the mean and the population covariance unchanged.
    X_small, y_small, w_small = (np.concatenate(part) for part in zip(*(_chunk(i, rows, n_features, n_distinct) for i in range(n_distinct))))
    pids = _worker_pids(small_workers)

    model = LinearRegression().fit(X, y, sample_weight=w)
    small = LinearRegression().fit(X_small, y_small, sample_weight=w_small)
    assert _relative(model.coef_, small.coef_) < 1e-10
    assert model.intercept_ == pytest.approx(small.intercept_, rel=1e-10)

    pca, pca_small = PCA(n_components=5).fit(X), PCA(n_components=5).fit(X_small)
    assert _relative(pca.components_, pca_small.components_) < 1e-8
    repeats = n_chunks // n_distinct
    # The n - 1 denominators differ: (N - 1) lambda_big = (n - 1) lambda_small summed over copies.
    np.testing.assert_allclose(
        pca.explained_variance_ * (X.shape[0] - 1), repeats * pca_small.explained_variance_ * (len(X_small) - 1),
        rtol=1e-10,
    )

    detector = GaussianAnomalyDetector("full", epsilon=1e-80).fit(X)
    detector_small = GaussianAnomalyDetector("full", epsilon=1e-80).fit(X_small)
    assert _relative(detector.covariance_, detector_small.covariance_) < 1e-10
    assert _worker_pids(small_workers) == pids  # no worker was restarted
