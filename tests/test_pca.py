"""PCA: the course's ex7 figures, scikit-learn's PCA for each solver, the variance rule, bad input."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import decomposition as sk_decomposition
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl.datasets import load_pca_points
from skdl.decomposition import PCA
from skdl.decomposition._pca import _choose_solver

SOLVERS = ["full", "covariance_eigh", "randomized"]


def _low_rank(n_samples, n_features, rank=8, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.linspace(10.0, 2.0, rank)
    signal = (rng.normal(size=(n_samples, rank)) * scales) @ rng.normal(size=(rank, n_features))
    return signal + 0.1 * rng.normal(size=(n_samples, n_features)) + 5.0


def _align_signs(A, B):
    """Flip the columns of ``A`` to match ``B`` (components are defined up to sign)."""
    signs = np.sign(np.sum(A * B, axis=0))
    signs[signs == 0] = 1
    return A * signs


@pytest.fixture(scope="module")
def course_points():
    X = load_pca_points()
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)  # the course's featureNormalize


@pytest.mark.parametrize("solver", ["auto", "full", "covariance_eigh"])
def test_course_ex7_pca(course_points, solver):
    pca = PCA(n_components=1, svd_solver=solver).fit(course_points)
    u1 = pca.components_[0]
    # The course prints U(:,1) = [-0.707107 -0.707107]: equal up to sign.
    np.testing.assert_allclose(np.abs(u1), [0.707107, 0.707107], atol=1e-6)
    Z = pca.transform(course_points)
    assert abs(Z[0, 0]) == pytest.approx(1.481274, abs=1e-6)  # the course's Z(1)
    X_rec = pca.inverse_transform(Z)
    np.testing.assert_allclose(X_rec[0], [-1.047419, -1.047419], atol=1e-6)  # the course's X_rec(1, :)


def test_course_steps_in_a_pipeline():
    X = load_pca_points()
    pipeline = make_pipeline(StandardScaler(), PCA(n_components=1)).fit(X)
    recovered = pipeline.inverse_transform(pipeline.transform(X))
    assert recovered.shape == X.shape
    assert np.mean((recovered - X) ** 2) < 0.15 * np.mean((X - X.mean(axis=0)) ** 2)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("shape", [(300, 40), (40, 300)])
def test_agrees_with_sklearn(solver, shape):
    X = _low_rank(*shape)
    ours = PCA(n_components=5, svd_solver=solver, random_state=0).fit(X)
    peer = sk_decomposition.PCA(n_components=5, svd_solver=solver, random_state=0).fit(X)
    np.testing.assert_allclose(ours.explained_variance_, peer.explained_variance_, rtol=1e-8)
    np.testing.assert_allclose(ours.explained_variance_ratio_, peer.explained_variance_ratio_, rtol=1e-8)
    np.testing.assert_allclose(ours.singular_values_, peer.singular_values_, rtol=1e-8)
    np.testing.assert_allclose(ours.mean_, peer.mean_, rtol=1e-12)
    Z_ours, Z_peer = ours.transform(X), peer.transform(X)
    np.testing.assert_allclose(_align_signs(Z_ours, Z_peer), Z_peer, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(ours.inverse_transform(Z_ours), peer.inverse_transform(Z_peer), atol=1e-7)
    np.testing.assert_allclose(ours.fit_transform(X), Z_ours, atol=1e-9)


def test_signs_are_deterministic_and_shared_by_the_solvers():
    X = _low_rank(500, 30)
    components = [PCA(n_components=4, svd_solver=s, random_state=0).fit(X).components_ for s in SOLVERS]
    for other in components[1:]:
        np.testing.assert_allclose(other, components[0], atol=1e-8)
    largest = np.abs(components[0]).argmax(axis=1)
    assert np.all(components[0][np.arange(4), largest] > 0)


@pytest.mark.parametrize("fraction", [0.5, 0.8, 0.95, 0.99])
def test_variance_fraction_rule(fraction):
    X = _low_rank(200, 20, rank=12)
    pca = PCA(n_components=fraction).fit(X)
    full_ratio = PCA().fit(X).explained_variance_ratio_
    k = pca.n_components_
    assert full_ratio[:k].sum() >= fraction
    assert k == 1 or full_ratio[: k - 1].sum() < fraction
    assert k == sk_decomposition.PCA(n_components=fraction).fit(X).n_components_
    assert pca.components_.shape == (k, 20)


def test_randomized_matches_the_exact_spectrum():
    X = _low_rank(150, 600, rank=20)
    exact = PCA(n_components=10, svd_solver="full").fit(X)
    approximate = PCA(n_components=10, svd_solver="randomized", random_state=0).fit(X)
    np.testing.assert_allclose(approximate.explained_variance_, exact.explained_variance_, rtol=1e-6)
    assert approximate.noise_variance_ == pytest.approx(exact.noise_variance_, rel=1e-6)


@pytest.mark.parametrize(
    "shape, n_components",
    [(shape, k) for shape in [(2000, 50), (100, 50), (60, 600)] for k in (5, 0.9, None)] + [((510, 505), 5)],
)
def test_auto_chooses_like_sklearn(shape, n_components):
    X = np.random.default_rng(0).normal(size=shape)
    peer = sk_decomposition.PCA(n_components=n_components, random_state=0).fit(X)
    assert _choose_solver(shape, n_components) == peer._fit_svd_solver
    ours = PCA(n_components=n_components, random_state=0).fit(X)
    assert ours._solver == peer._fit_svd_solver
    assert ours.n_components_ == peer.n_components_


def test_whitening_gives_unit_variance_and_inverts():
    X = _low_rank(500, 10)
    pca = PCA(n_components=3, whiten=True).fit(X)
    Z = pca.transform(X)
    np.testing.assert_allclose(Z.var(axis=0, ddof=1), 1.0, rtol=1e-10)
    plain = PCA(n_components=3).fit(X)
    np.testing.assert_allclose(pca.inverse_transform(Z), plain.inverse_transform(plain.transform(X)), atol=1e-8)


def test_all_components_reconstruct_exactly():
    X = _low_rank(60, 8)
    pca = PCA().fit(X)
    assert pca.n_components_ == 8
    np.testing.assert_allclose(pca.inverse_transform(pca.transform(X)), X, atol=1e-9)
    assert pca.explained_variance_ratio_.sum() == pytest.approx(1.0)
    assert pca.noise_variance_ == 0.0


@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_is_kept(solver):
    X = _low_rank(300, 20).astype(np.float32)
    pca = PCA(n_components=3, svd_solver=solver, random_state=0).fit(X)
    assert pca.components_.dtype == np.float32
    assert pca.transform(X).dtype == np.float32
    assert pca.inverse_transform(pca.transform(X)).dtype == np.float32
    reference = PCA(n_components=3, svd_solver=solver, random_state=0).fit(X.astype(np.float64))
    np.testing.assert_allclose(pca.explained_variance_, reference.explained_variance_, rtol=1e-3)


@pytest.mark.parametrize(
    "X, params, message",
    [
        (np.array([[0.0, np.nan], [1.0, 1.0], [2.0, 2.0]]), {}, "NaN"),
        (np.ones((10, 3)), {"n_components": 4}, "n_components=4 must be between 1 and"),
        (np.ones((10, 3)), {"n_components": 0.5, "svd_solver": "randomized"}, "fraction of the variance"),
        (np.ones((10, 3)), {"n_components": 1.5}, "n_components"),
        (sp.csr_matrix(np.eye(4)), {"svd_solver": "full"}, "needs dense data.*covariance_eigh.*randomized"),
        (np.ones((1, 3)), {}, "minimum of 2"),
    ],
)
def test_bad_input_is_refused(X, params, message):
    with pytest.raises((ValueError, TypeError), match=message):
        PCA(**params).fit(X)


def test_wrong_shapes_after_fit():
    X = _low_rank(50, 6)
    pca = PCA(n_components=2).fit(X)
    with pytest.raises(ValueError, match="features"):
        pca.transform(X[:, :4])
    with pytest.raises(ValueError, match="shape"):
        pca.inverse_transform(np.ones((3, 5)))


def test_pickle_pipeline_and_grid_search():
    import pickle

    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    X, y = load_digits(return_X_y=True)
    X, y = X[:400], y[:400]
    pca = PCA(n_components=10).fit(X)
    restored = pickle.loads(pickle.dumps(pca))
    np.testing.assert_allclose(restored.transform(X), pca.transform(X), rtol=1e-12, atol=1e-12)
    pipeline = make_pipeline(PCA(), StandardScaler(), LogisticRegression(max_iter=2000))
    search = GridSearchCV(pipeline, {"pca__n_components": [2, 20]}, cv=3).fit(X, y)
    assert search.best_params_ == {"pca__n_components": 20}
    assert pca.get_feature_names_out().tolist() == [f"pca{i}" for i in range(10)]


# Data far from the origin, float32, extreme scales, sparse and pandas input, threads, progress.


def _spread(n_samples=5_000, n_features=8, seed=0):
    """Centred data with a decaying spectrum."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(n_features, n_features)))
    return (rng.normal(size=(n_samples, n_features)) * np.linspace(3.0, 0.5, n_features)) @ rotation


@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_far_from_the_origin_keeps_the_float64_answer(solver):
    # The uncentred float32 Gram matrix put the explained variance 27-133% off at an offset of 1,000.
    X = _spread()
    reference = PCA(n_components=3, svd_solver="full").fit(X)
    shifted = (X + 1000.0).astype(np.float32)
    pca = PCA(n_components=3, svd_solver=solver, random_state=0).fit(shifted)
    np.testing.assert_allclose(pca.explained_variance_, reference.explained_variance_, rtol=1e-5)
    np.testing.assert_allclose(np.abs(np.sum(pca.components_ * reference.components_, axis=1)), 1.0, atol=1e-6)
    # The projection of float32 values near 1,000 is as exact as the values are (about 6e-5).
    Z, Z_reference = pca.transform(shifted), reference.transform(X)
    np.testing.assert_allclose(_align_signs(Z, Z_reference), Z_reference, atol=5e-4)


def test_float64_far_from_the_origin_matches_the_centred_fit():
    X = _spread()
    reference = PCA(n_components=3, svd_solver="full").fit(X)
    pca = PCA(n_components=3, svd_solver="covariance_eigh").fit(X + 1e8)
    np.testing.assert_allclose(pca.explained_variance_, reference.explained_variance_, rtol=1e-7)


@pytest.mark.parametrize("scale", [1e300, 1e-300])
@pytest.mark.parametrize("solver", SOLVERS)
def test_variances_float64_cannot_hold_are_refused(scale, solver):
    X = _spread(100, 4) * scale
    problem = "overflow" if scale > 1 else "underflow"
    with pytest.raises(ValueError, match=f"variance.*{problem}s? float64.*constant"):
        PCA(n_components=2, svd_solver=solver, random_state=0).fit(X)


@pytest.mark.parametrize("scale", [1e150, 1e-150])
def test_extreme_but_representable_scales_give_the_scaled_answer(scale):
    X = _spread(100, 4)
    reference, pca = PCA().fit(X), PCA().fit(X * scale)
    assert pca.n_components_ == 4 and pca.components_.shape == (4, 4)
    np.testing.assert_allclose(pca.components_, reference.components_, atol=1e-10)
    np.testing.assert_allclose(pca.explained_variance_ / scale**2, reference.explained_variance_, rtol=1e-10)


def test_constant_data_are_not_mistaken_for_an_underflow():
    pca = PCA(n_components=1, svd_solver="covariance_eigh").fit(np.full((20, 3), 1e-300))
    assert pca.explained_variance_[0] == 0.0


def test_a_failed_refit_leaves_no_fitted_state():
    X = _spread(100, 4)
    pca = PCA(n_components=2).fit(X)
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        pca.fit(X)
    assert not hasattr(pca, "components_") and not hasattr(pca, "n_features_in_")


def test_the_covariance_fit_makes_no_copy_of_X():
    import tracemalloc

    X = _spread(100_000, 50)  # 40 MB
    tracemalloc.start()
    try:
        PCA(n_components=5).fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.2 * X.nbytes


@pytest.mark.parametrize("solver", ["covariance_eigh", "randomized"])
@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_array])
def test_sparse_input_is_centred_implicitly(solver, container):
    X = sp.random(400, 30, density=0.1, random_state=0, format="csr") * 3.0
    dense = PCA(n_components=4, svd_solver=solver, random_state=0).fit(X.toarray())
    pca = PCA(n_components=4, svd_solver=solver, random_state=0).fit(container(X))
    np.testing.assert_allclose(pca.explained_variance_, dense.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(pca.components_, dense.components_, atol=1e-10)
    np.testing.assert_allclose(pca.transform(container(X)), dense.transform(X.toarray()), atol=1e-10)
    assert sp.issparse(X) and X.nnz < 0.11 * 400 * 30  # the input was not densified in place


def test_sparse_covariance_matches_scikit_learn():
    X = sp.random(500, 20, density=0.2, random_state=1, format="csr")
    ours = PCA(n_components=3).fit(X)
    peer = sk_decomposition.PCA(n_components=3, svd_solver="covariance_eigh").fit(X)
    assert ours._solver == "covariance_eigh"
    np.testing.assert_allclose(ours.explained_variance_, peer.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(np.abs(ours.transform(X)), np.abs(peer.transform(X)), atol=1e-10)


def test_wide_sparse_input_chooses_the_randomized_solver_and_full_is_refused_by_name():
    X = sp.random(200, 1_500, density=0.01, random_state=2, format="csr")
    assert PCA(n_components=5, random_state=0).fit(X)._solver == "randomized"
    with pytest.raises(TypeError, match=r"svd_solver='full'\) needs dense data.*'covariance_eigh'.*'randomized'"):
        PCA(n_components=5, svd_solver="full").fit(X)
    assert PCA(svd_solver="full").__sklearn_tags__().input_tags.sparse is False
    assert PCA().__sklearn_tags__().input_tags.sparse is True


def test_nullable_pandas_columns_are_numbers_and_their_missing_values_are_nan():
    pd = pytest.importorskip("pandas")
    X = _spread(50, 3)
    frame = pd.DataFrame({"a": pd.array(X[:, 0], dtype="Float64"), "b": X[:, 1], "c": pd.array(np.arange(50) % 7, dtype="Int64")})
    expected = PCA(n_components=2).fit(frame.to_numpy(dtype=np.float64))
    np.testing.assert_allclose(PCA(n_components=2).fit(frame).explained_variance_, expected.explained_variance_)
    frame.loc[4, "a"] = pd.NA
    with pytest.raises(ValueError, match="NaN"):
        PCA(n_components=2).fit(frame)


def test_pandas_output_keeps_working():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_spread(60, 4), columns=list("wxyz"))
    Z = PCA(n_components=2).set_output(transform="pandas").fit_transform(frame)
    assert isinstance(Z, pd.DataFrame) and list(Z.columns) == ["pca0", "pca1"]


def test_threads_do_not_change_the_answer():
    X = _low_rank(20_000, 30)
    one = PCA(n_components=4, n_jobs=1).fit(X)
    two = PCA(n_components=4, n_jobs=2).fit(X)
    np.testing.assert_allclose(two.explained_variance_, one.explained_variance_, rtol=1e-12)
    np.testing.assert_allclose(two.transform(X[:50]), one.transform(X[:50]), atol=1e-10)
    randomized = [PCA(n_components=4, svd_solver="randomized", random_state=0, n_jobs=n).fit(X) for n in (1, 2)]
    np.testing.assert_allclose(randomized[1].explained_variance_, randomized[0].explained_variance_, rtol=1e-12)


def test_verbose_prints_each_power_iteration_and_is_silent_by_default(capsys):
    X = _low_rank(300, 200, rank=20)
    quiet = PCA(n_components=5, svd_solver="randomized", random_state=0).fit(X)
    assert capsys.readouterr().out == ""
    loud = PCA(n_components=5, svd_solver="randomized", random_state=0, verbose=1).fit(X)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 7 and lines[0].startswith("PCA power iteration 1: captured_sum_of_squares=")
    assert all("elapsed" in line for line in lines)
    np.testing.assert_allclose(loud.components_, quiet.components_)  # reporting changes nothing
