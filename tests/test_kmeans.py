"""KMeans: the course's ex7 steps, the bird image, scikit-learn on the same start, robustness."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import cluster as sk_cluster
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import pairwise_distances

from skdl.cluster import KMeans
from skdl.cluster import _lloyd
from skdl.cluster._hamerly import kmeans_single_hamerly
from skdl.cluster._lloyd import centroids_from_sums, cluster_sums, frame_of, kmeans_single_lloyd, nearest_centroids
from skdl.datasets import load_bird_image, load_kmeans_points
from skdl.utils._progress import EpochPrinter

COURSE_INIT = np.array([[3.0, 3.0], [6.0, 2.0], [8.0, 5.0]])


def _reference_kmeans(X, centroids, n_iter):
    """The course's runkMeans with its per-point loops, as a plain reference."""
    centroids = centroids.copy()
    for _ in range(n_iter):
        idx = np.array([np.argmin([np.sum((x - mu) ** 2) for mu in centroids]) for x in X])
        centroids = np.array([X[idx == j].mean(axis=0) for j in range(len(centroids))])
    return centroids, idx


def _closest_centroids(X, centroids):
    """findClosestCentroids through the shared kernel: labels and squared distances in data units."""
    frame = frame_of(X)
    labels, nearest_sq, _ = nearest_centroids(X, frame, frame.to_frame(centroids))
    return labels, nearest_sq * frame.scale**2


def _compute_centroids(X, labels, sample_weight, previous):
    """computeCentroids through the shared kernels, in data units."""
    frame = frame_of(X)
    sums, weights = cluster_sums(X, frame, labels, sample_weight, len(previous))
    return frame.from_frame(centroids_from_sums(sums, weights, frame.to_frame(previous)), X.dtype)


@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(n_samples=600, n_features=5, centers=4, cluster_std=1.5, random_state=0)
    init = X[np.random.default_rng(0).choice(len(X), 4, replace=False)]
    return X, init


def test_closest_centroids_match_the_course():
    X = load_kmeans_points()
    labels, _ = _closest_centroids(X, COURSE_INIT)
    # The course prints 1 3 2 (1-based) for the first three examples.
    np.testing.assert_array_equal(labels[:3], [0, 2, 1])


def test_compute_centroids_match_the_course():
    X = load_kmeans_points()
    labels, _ = _closest_centroids(X, COURSE_INIT)
    centroids = _compute_centroids(X, labels, np.ones(len(X)), COURSE_INIT)
    expected = [[2.428301, 3.157924], [5.813503, 2.633656], [7.119387, 3.616684]]
    np.testing.assert_allclose(centroids, expected, atol=1e-6)


def test_ten_iterations_match_the_reference_and_sklearn():
    X = load_kmeans_points()
    expected, expected_labels = _reference_kmeans(X, COURSE_INIT, 10)
    ours = KMeans(n_clusters=3, init=COURSE_INIT, max_iter=10).fit(X)
    peer = sk_cluster.KMeans(n_clusters=3, init=COURSE_INIT, n_init=1, max_iter=10).fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, expected, atol=1e-10)
    np.testing.assert_array_equal(ours.labels_, expected_labels)
    np.testing.assert_allclose(ours.cluster_centers_, peer.cluster_centers_, atol=1e-10)
    assert ours.inertia_ == pytest.approx(peer.inertia_, rel=1e-10)
    # The three groups of ex7data2 (the course's figure): centres near (2, 5), (3, 1) and (6, 3).
    np.testing.assert_allclose(expected, [[1.954, 5.026], [3.044, 1.015], [6.034, 3.001]], atol=1e-3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # the course's 10 iterations
def test_bird_image_compresses_to_16_colours():
    image = load_bird_image()
    pixels = image.reshape(-1, 3) / 255.0
    kmeans = KMeans(n_clusters=16, init="random", n_init=1, max_iter=10, random_state=0).fit(pixels)
    compressed = kmeans.cluster_centers_[kmeans.labels_]
    assert len(np.unique(compressed, axis=0)) == 16
    error_16 = np.mean((pixels - compressed) ** 2)
    error_1 = np.mean((pixels - pixels.mean(axis=0)) ** 2)
    assert error_16 < 0.15 * error_1
    assert kmeans.inertia_ == pytest.approx(error_16 * pixels.size, rel=1e-9)


def test_matches_sklearn_from_the_same_start(blobs):
    X, init = blobs
    ours = KMeans(n_clusters=4, init=init).fit(X)
    peer = sk_cluster.KMeans(n_clusters=4, init=init, n_init=1).fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, peer.cluster_centers_, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(ours.labels_, peer.labels_)
    assert ours.inertia_ == pytest.approx(peer.inertia_, rel=1e-10)
    assert ours.n_iter_ == peer.n_iter_
    np.testing.assert_allclose(ours.transform(X), peer.transform(X), rtol=1e-8, atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X[:50]), peer.predict(X[:50]))
    assert ours.score(X) == pytest.approx(-ours.inertia_, rel=1e-10)


def test_kmeans_plusplus_and_random_reach_sklearns_quality(blobs):
    X, _ = blobs
    best = sk_cluster.KMeans(n_clusters=4, n_init=10, random_state=0).fit(X).inertia_
    for init in ("k-means++", "random"):
        ours = KMeans(n_clusters=4, init=init, random_state=0).fit(X)
        assert ours.inertia_ <= best * 1.001


def test_more_runs_never_worse(blobs):
    X, _ = blobs
    single = [KMeans(n_clusters=6, init="random", n_init=1, random_state=seed).fit(X).inertia_ for seed in range(3)]
    several = KMeans(n_clusters=6, init="random", n_init=10, random_state=0).fit(X).inertia_
    assert several <= min(single) + 1e-9


def test_empty_cluster_is_reseeded_not_nan(blobs):
    X, init = blobs
    far_away = np.vstack([init, np.full((1, X.shape[1]), 1e6)])
    kmeans = KMeans(n_clusters=5, init=far_away).fit(X)
    assert np.all(np.isfinite(kmeans.cluster_centers_))
    assert len(np.unique(kmeans.labels_)) == 5
    assert np.abs(kmeans.cluster_centers_).max() < np.abs(X).max()


def test_fewer_distinct_points_than_clusters_stays_finite():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]], 4, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        kmeans = KMeans(n_clusters=5, random_state=0).fit(X)
    assert np.all(np.isfinite(kmeans.cluster_centers_))
    assert kmeans.inertia_ == pytest.approx(0.0, abs=1e-12)


def test_sample_weight_equals_repetition_from_the_same_start(blobs):
    X, init = blobs
    weights = np.random.default_rng(1).integers(0, 4, size=len(X))
    weighted = KMeans(n_clusters=4, init=init).fit(X, sample_weight=weights)
    repeated = KMeans(n_clusters=4, init=init).fit(np.repeat(X, weights, axis=0))
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_, rtol=1e-10)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=1e-10)


def test_blocked_distances_give_the_same_answer(blobs, monkeypatch):
    X, init = blobs
    whole = KMeans(n_clusters=4, init=init).fit(X)
    monkeypatch.setattr(_lloyd, "_BLOCK_ENTRIES", 4 * 16)  # blocks of 16 rows
    assert len(_lloyd.row_blocks_for(X, 4)) == 38
    blocked = KMeans(n_clusters=4, init=init).fit(X)
    np.testing.assert_array_equal(blocked.labels_, whole.labels_)
    np.testing.assert_allclose(blocked.cluster_centers_, whole.cluster_centers_, rtol=1e-12)
    np.testing.assert_allclose(blocked.transform(X), whole.transform(X), rtol=1e-12)


def test_ties_go_to_the_first_centroid():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0]])
    labels, min_sq = _closest_centroids(X, np.array([[0.0, 0.0], [2.0, 0.0]]))
    np.testing.assert_array_equal(labels, [0, 1, 0])
    np.testing.assert_allclose(min_sq, [0.0, 0.0, 1.0])


def test_far_from_origin_keeps_precision(blobs):
    X, init = blobs
    shifted = KMeans(n_clusters=4, init=init + 1e6).fit(X + 1e6)
    plain = KMeans(n_clusters=4, init=init).fit(X)
    np.testing.assert_array_equal(shifted.labels_, plain.labels_)
    np.testing.assert_allclose(shifted.cluster_centers_ - 1e6, plain.cluster_centers_, atol=1e-6)


def test_float32_is_kept(blobs):
    X, init = blobs
    kmeans = KMeans(n_clusters=4, init=init).fit(X.astype(np.float32))
    assert kmeans.cluster_centers_.dtype == np.float32
    assert kmeans.transform(X.astype(np.float32)).dtype == np.float32
    reference = KMeans(n_clusters=4, init=init).fit(X)
    np.testing.assert_allclose(kmeans.cluster_centers_, reference.cluster_centers_, rtol=1e-4, atol=1e-4)


def test_convergence_warning_when_max_iter_runs_out(blobs):
    X, _ = blobs
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        KMeans(n_clusters=4, init="random", n_init=1, max_iter=1, random_state=0).fit(X)


def test_random_state_reproducible(blobs):
    X, _ = blobs
    first = KMeans(n_clusters=5, random_state=3).fit(X)
    second = clone(first).fit(X)
    np.testing.assert_array_equal(first.cluster_centers_, second.cluster_centers_)
    np.testing.assert_array_equal(first.labels_, second.labels_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        starts = {
            KMeans(n_clusters=5, init="random", max_iter=1, random_state=seed).fit(X).inertia_
            for seed in range(4)
        }
    assert len(starts) > 1


def test_explicit_init_with_several_runs_warns(blobs):
    X, init = blobs
    with pytest.warns(RuntimeWarning, match="running once"):
        KMeans(n_clusters=4, init=init, n_init=3).fit(X)


@pytest.mark.parametrize(
    "X, params, message",
    [
        (np.array([[0.0, np.nan], [1.0, 1.0], [2.0, 2.0]]), {"n_clusters": 2}, "NaN"),
        (np.ones((3, 2)), {"n_clusters": 4}, "n_samples=3 should be >= n_clusters=4"),
        (np.ones((5, 2)), {"n_clusters": 2, "init": np.ones((3, 2))}, "init should have shape"),
        (sp.csr_matrix(np.eye(4)), {"n_clusters": 5}, "n_samples=4 should be >= n_clusters=5"),
    ],
)
def test_bad_input_is_refused(X, params, message):
    with pytest.raises((ValueError, TypeError), match=message):
        KMeans(**params).fit(X)


def test_wrong_number_of_features_at_predict(blobs):
    X, init = blobs
    kmeans = KMeans(n_clusters=4, init=init).fit(X)
    with pytest.raises(ValueError, match="features"):
        kmeans.predict(X[:, :3])


def test_transform_is_euclidean_distance(blobs):
    X, init = blobs
    kmeans = KMeans(n_clusters=4, init=init).fit(X)
    np.testing.assert_allclose(kmeans.transform(X), pairwise_distances(X, kmeans.cluster_centers_), atol=1e-7)


def test_pickle_pipeline_and_grid_search(blobs):
    import pickle

    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, _ = blobs
    kmeans = KMeans(n_clusters=4, random_state=0).fit(X)
    restored = pickle.loads(pickle.dumps(kmeans))
    np.testing.assert_array_equal(restored.predict(X), kmeans.predict(X))
    pipeline = make_pipeline(StandardScaler(), KMeans(n_clusters=4, random_state=0)).fit(X)
    assert pipeline.transform(X).shape == (len(X), 4)
    search = GridSearchCV(KMeans(random_state=0), {"n_clusters": [1, 4]}, cv=3).fit(X)
    assert search.best_params_ == {"n_clusters": 4}  # score is minus the inertia: more clusters fit better
    assert kmeans.get_feature_names_out().tolist() == [f"kmeans{i}" for i in range(4)]


def test_too_few_positively_weighted_samples_get_a_clear_error():
    X = np.arange(20, dtype=float).reshape(10, 2)
    weights = np.zeros(10)
    weights[:2] = 1.0
    for init in ["random", "k-means++"]:
        with pytest.raises(ValueError, match="positive sample_weight"):
            KMeans(n_clusters=3, init=init, random_state=0).fit(X, sample_weight=weights)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_hamerly_bounds_give_exactly_the_lloyd_iterations(weighted, n_threads, monkeypatch):
    from skdl.cluster import _hamerly

    monkeypatch.setattr(_hamerly, "_MIN_BLOCK_ROWS", 4000)  # several blocks, one thread each
    X, _ = make_blobs(n_samples=20_000, n_features=5, centers=12, cluster_std=3.0, random_state=3)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(X)) if weighted else np.ones(len(X))
    frame = frame_of(X)
    start = frame.to_frame(X[np.random.default_rng(4).choice(len(X), 12, replace=False)])
    silent = EpochPrinter(0, "KMeans")
    lloyd = kmeans_single_lloyd(X, frame, weights, start, 300, 0.0, _lloyd.SERIAL, silent)
    with _lloyd.Workers(n_threads) as workers:
        hamerly = kmeans_single_hamerly(X, frame, weights, start, 300, 0.0, workers, silent)
    np.testing.assert_array_equal(hamerly[0], lloyd[0])
    np.testing.assert_allclose(hamerly[1], lloyd[1], rtol=1e-10, atol=1e-10)
    assert hamerly[2] == pytest.approx(lloyd[2], rel=1e-12)
    assert hamerly[3] == lloyd[3] and hamerly[3] > 10  # same number of iterations, and not trivially few


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_data_path_matches_scikit_learn_with_weights(dtype):
    # Above _HAMERLY_MIN_SAMPLES fit runs the bounded iterations; the answer is scikit-learn's.
    X, _ = make_blobs(n_samples=6000, n_features=4, centers=6, cluster_std=1.0, random_state=5)
    X = X.astype(dtype)
    weights = np.random.default_rng(5).uniform(0.5, 2.0, len(X)).astype(dtype)
    start = X[:6].copy()
    ours = KMeans(n_clusters=6, init=start).fit(X, sample_weight=weights)
    reference = sk_cluster.KMeans(n_clusters=6, init=start, n_init=1).fit(X, sample_weight=weights)
    assert ours.cluster_centers_.dtype == dtype
    np.testing.assert_allclose(ours.cluster_centers_, reference.cluster_centers_, rtol=1e-4, atol=1e-4)
    assert ours.inertia_ == pytest.approx(reference.inertia_, rel=1e-5)
    assert np.mean(ours.labels_ == reference.labels_) > 0.999
