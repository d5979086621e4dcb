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
    return frame.from_frame(centroids_from_sums(sums, weights, frame.to_frame(previous))[0], X.dtype)


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


# --- k-means++ draws as scikit-learn's --------------------------------------------------------


@pytest.mark.parametrize("sparse", [False, True])
def test_kmeans_plusplus_picks_sklearns_centres_from_the_same_seed(blobs, sparse):
    X, _ = blobs
    X = sp.csr_matrix(X) if sparse else X
    ours = KMeans(n_clusters=4, random_state=7).fit(X)
    peer = sk_cluster.KMeans(n_clusters=4, random_state=7, n_init=1).fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, peer.cluster_centers_, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(ours.labels_, peer.labels_)


# --- sparse data (issue 12) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sparse_blobs():
    """Non-negative sparse rows in five groups (each group uses its own band of columns, plus noise)."""
    rng = np.random.default_rng(0)
    n, p, k = 1500, 200, 5
    group = rng.integers(0, k, n)
    X = sp.random(n, p, density=0.03, random_state=1, format="lil")
    for i in range(n):
        columns = rng.choice(np.arange(40 * group[i], 40 * group[i] + 40), 6, replace=False)
        X[i, columns] = rng.uniform(0.5, 1.5, 6)
    X = X.tocsr()
    init = X[rng.choice(n, k, replace=False)].toarray()
    return X, init


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
def test_sparse_lloyd_matches_sklearn_from_the_same_start(sparse_blobs, container):
    X, init = sparse_blobs
    X = container(X)
    ours = KMeans(n_clusters=5, init=init).fit(X)
    peer = sk_cluster.KMeans(n_clusters=5, init=init, n_init=1).fit(X)
    assert ours.inertia_ == pytest.approx(peer.inertia_, rel=1e-10)
    assert ours.n_iter_ == peer.n_iter_
    np.testing.assert_array_equal(ours.labels_, peer.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, peer.cluster_centers_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.transform(X), peer.transform(X), rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))
    assert ours.score(X) == pytest.approx(peer.score(X), rel=1e-10)


def test_sparse_and_dense_give_the_same_clustering(sparse_blobs):
    X, init = sparse_blobs
    weights = np.random.default_rng(2).uniform(0.5, 2.0, X.shape[0])
    sparse = KMeans(n_clusters=5, init=init).fit(X, sample_weight=weights)
    dense = KMeans(n_clusters=5, init=init).fit(X.toarray(), sample_weight=weights)
    np.testing.assert_array_equal(sparse.labels_, dense.labels_)
    np.testing.assert_allclose(sparse.cluster_centers_, dense.cluster_centers_, rtol=1e-10, atol=1e-12)
    assert sparse.inertia_ == pytest.approx(dense.inertia_, rel=1e-10)
    np.testing.assert_allclose(sparse.transform(X), dense.transform(X.toarray()), rtol=1e-8, atol=1e-10)


def test_sparse_float32_is_kept_and_never_densified(sparse_blobs, monkeypatch):
    X, init = sparse_blobs
    X32 = X.astype(np.float32)

    def refuse(*args, **kwargs):
        raise AssertionError("a sparse matrix was densified")

    monkeypatch.setattr(type(X32), "toarray", refuse)
    monkeypatch.setattr(type(X32), "todense", refuse)
    kmeans = KMeans(n_clusters=5, init=init).fit(X32)
    assert kmeans.cluster_centers_.dtype == np.float32
    assert kmeans.transform(X32).dtype == np.float32
    assert np.mean(kmeans.predict(X32) == kmeans.labels_) == 1.0


def test_sparse_kmeans_plusplus_and_empty_clusters(sparse_blobs):
    X, _ = sparse_blobs
    kmeans = KMeans(n_clusters=5, random_state=0).fit(X)
    assert len(np.unique(kmeans.labels_)) == 5
    # A centroid no sample is near empties at once and is re-seeded on the farthest sample.
    start = np.vstack([X[:4].toarray(), np.full((1, X.shape[1]), 50.0)])
    reseeded = KMeans(n_clusters=5, init=start).fit(X)
    assert len(np.unique(reseeded.labels_)) == 5
    assert np.abs(reseeded.cluster_centers_).max() < 50.0


def test_set_output_pandas_keeps_working(blobs, sparse_blobs):
    pd = pytest.importorskip("pandas")
    X, _ = blobs
    frame = KMeans(n_clusters=4, random_state=0).set_output(transform="pandas").fit(X).transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [f"kmeans{i}" for i in range(4)]
    X_sparse, init = sparse_blobs
    from_sparse = KMeans(n_clusters=5, init=init).set_output(transform="pandas").fit(X_sparse).transform(X_sparse)
    assert isinstance(from_sparse, pd.DataFrame) and from_sparse.shape == (X_sparse.shape[0], 5)


# --- accuracy far from the origin and at extreme scales (issue 11) ----------------------------


def test_float32_far_from_the_origin_predicts_its_own_labels():
    # Old code: predict expanded ||x||^2 - 2 x.mu + ||mu||^2 in float32 around the origin, so at an
    # offset of 1,000 the rounding (about 0.06) exceeded the gaps between near-tied distances.
    X, _ = make_blobs(n_samples=3000, n_features=3, centers=5, cluster_std=2.0, random_state=0)
    X32 = (X + 1000.0).astype(np.float32)
    kmeans = KMeans(n_clusters=5, random_state=0).fit(X32)
    np.testing.assert_array_equal(kmeans.predict(X32), kmeans.labels_)
    # Distances and score as float64 computes them from the same float32 numbers, centred.
    X64, centres = X32.astype(np.float64), kmeans.cluster_centers_.astype(np.float64)
    exact = np.sqrt(((X64[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    np.testing.assert_allclose(kmeans.transform(X32), exact, rtol=2e-7)
    assert kmeans.score(X32) == pytest.approx(-(exact.min(axis=1) ** 2).sum(), rel=1e-6)
    assert kmeans.inertia_ == pytest.approx((exact.min(axis=1) ** 2).sum(), rel=1e-6)


def test_float64_far_from_the_origin_scores_like_centred_data(blobs):
    X, init = blobs
    centred = KMeans(n_clusters=4, init=init).fit(X)
    shifted = KMeans(n_clusters=4, init=init + 1e8).fit(X + 1e8)
    np.testing.assert_array_equal(shifted.predict(X + 1e8), centred.labels_)
    assert shifted.score(X + 1e8) == pytest.approx(centred.score(X), rel=1e-7)
    np.testing.assert_allclose(shifted.transform(X + 1e8), centred.transform(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1e150])
def test_extreme_scales_give_the_scaled_answer(blobs, scale):
    X, init = blobs
    reference = KMeans(n_clusters=4, init=init).fit(X)
    scaled = KMeans(n_clusters=4, init=init * scale).fit(X * scale)
    np.testing.assert_array_equal(scaled.labels_, reference.labels_)
    np.testing.assert_allclose(scaled.cluster_centers_ / scale, reference.cluster_centers_, rtol=1e-10)
    assert scaled.n_iter_ == reference.n_iter_
    np.testing.assert_allclose(scaled.transform(X * scale) / scale, reference.transform(X), rtol=1e-10)
    np.testing.assert_array_equal(scaled.predict(X * scale), reference.labels_)
    if scale**2 * reference.inertia_ > 1e-290:  # representable: the scaled inertia itself
        assert scaled.inertia_ == pytest.approx(reference.inertia_ * scale**2, rel=1e-10)


def test_a_distortion_beyond_float64_is_refused_and_leaves_no_state(blobs):
    from sklearn.exceptions import NotFittedError

    X, _ = blobs
    kmeans = KMeans(n_clusters=4, random_state=0).fit(X)
    with pytest.raises(ValueError, match="exceeds the float64 range"):
        kmeans.fit(X * 1e300)
    with pytest.raises(NotFittedError):
        kmeans.predict(X)


def test_a_failed_fit_leaves_no_fitted_state(blobs):
    from sklearn.exceptions import NotFittedError

    X, _ = blobs
    kmeans = KMeans(n_clusters=4, random_state=0).fit(X)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        kmeans.fit(bad)
    # Old code: the first fit's centroids and labels stayed, so the estimator still looked fitted.
    assert not hasattr(kmeans, "cluster_centers_") and not hasattr(kmeans, "n_features_in_")
    with pytest.raises(NotFittedError):
        kmeans.predict(X)


# --- verbose and n_jobs (issue 17) ------------------------------------------------------------


@pytest.mark.parametrize("sparse", [False, True])
def test_verbose_prints_one_line_per_iteration(blobs, sparse, capsys):
    X, init = blobs
    X = sp.csr_matrix(X) if sparse else X
    silent = KMeans(n_clusters=4, init=init).fit(X)
    assert capsys.readouterr().out == ""
    kmeans = KMeans(n_clusters=4, init=init, verbose=1).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == kmeans.n_iter_ == silent.n_iter_
    assert lines[0].startswith("KMeans iteration 1: inertia=") and "elapsed" in lines[0]
    inertias = [float(line.split("inertia=")[1].split(",")[0]) for line in lines]
    assert all(later <= earlier * (1 + 1e-9) for earlier, later in zip(inertias, inertias[1:]))


def test_n_jobs_changes_the_threads_not_the_answer(monkeypatch):
    from threadpoolctl import threadpool_info

    from skdl.cluster import _hamerly

    monkeypatch.setattr(_hamerly, "_MIN_BLOCK_ROWS", 1000)
    X, _ = make_blobs(n_samples=5000, n_features=4, centers=6, cluster_std=2.0, random_state=1)
    sizes = []
    real_workers = _lloyd.Workers

    def recording_workers(n_threads):
        sizes.append(n_threads)
        return real_workers(n_threads)

    monkeypatch.setattr("skdl.cluster._kmeans.Workers", recording_workers)
    before = [pool["num_threads"] for pool in threadpool_info()]
    fits = [KMeans(n_clusters=6, random_state=0, n_jobs=n_jobs).fit(X) for n_jobs in (1, 2, -1, None)]
    assert [pool["num_threads"] for pool in threadpool_info()] == before
    assert sizes[:2] == [1, 2] and sizes[2] == sizes[3] >= 1
    for other in fits[1:]:
        np.testing.assert_array_equal(other.labels_, fits[0].labels_)
        np.testing.assert_allclose(other.cluster_centers_, fits[0].cluster_centers_, rtol=1e-12)
    with pytest.raises(ValueError, match="n_jobs == 0"):
        KMeans(n_clusters=6, n_jobs=0).fit(X)
