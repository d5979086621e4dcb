"""The shared machinery of the torch estimators: optional import, seeding, state, threads, pickling."""

import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the deep estimators need torch")
pytest.importorskip("skorch", reason="the deep estimators need skorch")

from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from skdl.neural_network import CNNClassifier, RNNClassifier  # noqa: E402
from skdl.neural_network import _data  # noqa: E402
from skdl.neural_network._data import BatchIterator, TensorDataset  # noqa: E402
from skdl.neural_network._skorch_base import cosine_factor  # noqa: E402


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_importing_skdl_never_imports_torch():
    result = _run("import sys, skdl, skdl.neural_network; print('torch' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_missing_torch_names_the_extra():
    code = (
        "import sys\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "from skdl import neural_network\n"
        "try:\n    neural_network.CNNClassifier\nexcept ImportError as e:\n    print(e)\n"
    )
    result = _run(code)
    assert 'pip install "skdl[torch]"' in result.stdout, result.stdout + result.stderr


def _images(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 1, 6, 6), dtype=np.float32)
    y = (X[:, 0, :3].mean(axis=(1, 2)) > X[:, 0, 3:].mean(axis=(1, 2))).astype(int)
    return X, y


SMALL = dict(architecture="lenet", width=4, hidden_size=16, max_epochs=3)


def test_random_state_repeats_the_fit_and_leaves_torch_rng_alone():
    X, y = _images()
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    first = CNNClassifier(**SMALL, random_state=0).fit(X, y).predict_proba(X)
    assert torch.equal(torch.rand(3), expected_next)
    second = CNNClassifier(**SMALL, random_state=0).fit(X, y).predict_proba(X)
    other = CNNClassifier(**SMALL, random_state=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_pickle_round_trip_keeps_predictions_and_training_state():
    X, y = _images()
    model = CNNClassifier(**SMALL, random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(model.predict_proba(X), loaded.predict_proba(X))
    assert len(loaded.history_) == len(model.history_) == 3
    assert len(loaded.net_.optimizer_.state_dict()["state"]) > 0
    loaded.partial_fit(X, y)
    assert len(loaded.history_) == 4 and loaded.n_iter_ == 4


def test_a_net_pickled_on_a_gpu_loads_on_a_machine_without_one(monkeypatch):
    X, y = _images()
    model = CNNClassifier(**SMALL, random_state=0, device="cpu").fit(X, y)
    expected = model.predict_proba(X)
    # As if trained on a GPU: the pickle holds the state dicts as numpy arrays (no device, no torch
    # types) and the device the net came from.
    model.device_ = "cuda:0"
    state = model.__getstate__()
    assert all(isinstance(array, np.ndarray) for array in state["_net_state"]["module"].values())
    data = pickle.dumps(model)
    # Loaded where torch sees no GPU, whether or not this machine has one.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = pickle.loads(data)
    assert loaded.device_ == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=1e-6)


def test_device_auto_and_fitted_device():
    X, y = _images()
    model = CNNClassifier(**{**SMALL, "max_epochs": 1}).fit(X, y)
    assert model.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
    assert CNNClassifier(**{**SMALL, "max_epochs": 1}, device="cpu").fit(X, y).device_ == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="torch sees no such device"):
            CNNClassifier(**SMALL, device="cuda").fit(X, y)
    with pytest.raises(ValueError, match="not a torch device"):
        CNNClassifier(**SMALL, device="gpu").fit(X, y)


def test_early_stopping_keeps_the_best_epoch_and_warns_when_not_converged():
    X, y = _images(200)
    model = CNNClassifier(
        **{**SMALL, "max_epochs": 60}, lr=0.05, early_stopping=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    valid_loss = [entry["valid_loss"] for entry in model.history_]
    assert model.n_iter_ < 60
    assert model.best_epoch_ == 1 + int(np.argmin(valid_loss))
    assert model.n_iter_ == model.best_epoch_ + 3
    model.partial_fit(X, y)  # trains on all of X: no hold-out, no stopping rule
    assert len(model.history_) == model.best_epoch_ + 4 and "valid_loss" not in model.history_[-1]
    with pytest.warns(ConvergenceWarning, match="max_epochs"):
        CNNClassifier(**{**SMALL, "max_epochs": 2}, early_stopping=True, random_state=0).fit(X, y)


def test_early_stopping_with_a_validation_part_smaller_than_the_number_of_classes():
    rng = np.random.default_rng(0)
    X, y = rng.random((30, 1, 6, 6)), np.arange(30) % 10  # 3 validation rows, 10 classes
    model = CNNClassifier(**SMALL, early_stopping=True, validation_fraction=0.1, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert "valid_loss" in model.history_[-1] and len(model.classes_) == 10


def test_partial_fit_counts_epochs_and_checks_labels_and_classes():
    X, y = _images()
    model = CNNClassifier(**SMALL, random_state=0)
    model.partial_fit(X[:30], y[:30], classes=[0, 1])
    model.partial_fit(X[30:], y[30:])
    model.partial_fit(X[30:], y[30:], classes=[1, 0])  # the same classes again: fine
    assert len(model.history_) == 3 and model.n_iter_ == 3
    with pytest.raises(ValueError, match="not in classes"):
        model.partial_fit(X, y + 5)
    with pytest.raises(ValueError, match=r"classes=\[0, 1, 2\] differs from the classes of the first call"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    model.fit(X, y)
    assert model.n_iter_ == 3
    model.partial_fit(X, y)
    assert model.n_iter_ == 4 == len(model.history_)


def test_a_failed_fit_leaves_the_estimator_unfitted():
    X, y = _images()
    model = CNNClassifier(**SMALL, random_state=0).fit(X, y)
    with pytest.raises(FloatingPointError, match=r"diverged.*lr=1e\+30"):
        model.set_params(lr=1e30, optimizer="sgd").fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert not hasattr(model, "classes_") and not hasattr(model, "n_iter_")


def test_a_failed_partial_fit_does_not_leave_a_broken_model_to_resume_from():
    X, y = _images()
    model = CNNClassifier(**SMALL, random_state=0, lr=1e30, optimizer="sgd")
    with pytest.raises(FloatingPointError, match="diverged"):
        model.partial_fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    model.set_params(lr=1e-3).partial_fit(X, y)  # starts afresh
    assert np.isfinite(model.predict_proba(X)).all() and model.n_iter_ == 1
    before = model.predict_proba(X)
    with pytest.raises(ValueError, match="NaN"):  # a bad batch is refused before training
        model.partial_fit(np.full_like(X, np.nan), y)
    np.testing.assert_array_equal(model.predict_proba(X), before)


def test_sgd_is_plain_sgd_and_momentum_is_its_own_parameter():
    X, y = _images()
    plain = CNNClassifier(**SMALL, optimizer="sgd", random_state=0).fit(X, y).net_.optimizer_
    assert plain.defaults["momentum"] == 0 and not plain.defaults["nesterov"]
    heavy = CNNClassifier(**SMALL, optimizer="sgd", momentum=0.9, nesterov=True, random_state=0).fit(X, y)
    assert heavy.net_.optimizer_.defaults["momentum"] == 0.9 and heavy.net_.optimizer_.defaults["nesterov"]
    adam = CNNClassifier(**SMALL, optimizer="adamw", momentum=0.9, random_state=0).fit(X, y).net_.optimizer_
    assert isinstance(adam, torch.optim.AdamW)


def test_verbose_prints_one_line_per_epoch_with_loss_and_time(capsys):
    X, y = _images()
    CNNClassifier(**SMALL, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""
    with pytest.warns(ConvergenceWarning):
        CNNClassifier(**SMALL, random_state=0, verbose=1, early_stopping=True).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"CNNClassifier epoch {epoch}: loss=")
        assert "valid_loss=" in line and line.endswith("s") and "elapsed" in line


def test_concurrent_fits_in_threads_match_serial_fits_and_leave_torch_threads_alone():
    """torch's thread count is process-wide: fits in threads must neither race on it nor leak it."""
    X, y = _images()
    seeds = [0, 1, 2, 3]
    torch.set_num_threads(2)  # the caller's setting (the test fixture restores the suite's after)

    def fit(seed):
        return CNNClassifier(**SMALL, random_state=seed, device="cpu").fit(X, y).predict_proba(X)

    serial = [fit(seed) for seed in seeds]
    assert torch.get_num_threads() == 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(fit, seeds))
    assert torch.get_num_threads() == 2
    for a, b in zip(serial, concurrent):
        np.testing.assert_array_equal(a, b)


def test_n_jobs_sets_threads_only_inside_the_call():
    X, y = _images()
    torch.set_num_threads(2)
    model = CNNClassifier(**{**SMALL, "max_epochs": 1}, n_jobs=1).fit(X, y)
    model.predict(X)
    assert torch.get_num_threads() == 2


def test_data_that_does_not_fit_on_the_device_streams_through_batches(monkeypatch):
    """The path of a data set larger than the GPU's memory, run on the CPU."""
    X, y = _images()
    expected = CNNClassifier(**SMALL, random_state=0, device="cpu").fit(X, y).predict_proba(X)
    moved = []
    original = _data.to_device
    monkeypatch.setattr(_data, "fits_on", lambda device, arrays: False)
    monkeypatch.setattr("skdl.neural_network._net.to_device", lambda t, d: moved.append(1) or original(t, d))
    streamed = CNNClassifier(**SMALL, random_state=0, device="cpu").fit(X, y).predict_proba(X)
    assert moved
    np.testing.assert_allclose(streamed, expected, rtol=1e-6)


def test_batch_iterator_visits_every_sample_once_in_length_buckets():
    lengths = torch.tensor([5, 1, 3, 9, 2, 7, 4, 8, 6, 10])
    inputs = {"x": torch.arange(100).reshape(10, 10), "lengths": lengths}
    dataset = TensorDataset(inputs, torch.arange(10))
    iterator = BatchIterator(dataset, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))
    batches = list(iterator)
    seen = torch.cat([y for _, y, _ in batches])
    assert sorted(seen.tolist()) == list(range(10)) and len(batches) == len(iterator) == 3
    for batch, y, _ in batches:
        assert batch["x"].shape[1] == int(lengths[y].max())  # cut to the longest of the batch
    assert len(list(BatchIterator(dataset, batch_size=3, shuffle=True))) == 4
    # A trailing single sample is dropped in training when batch normalisation needs two.
    images = TensorDataset({"x": torch.zeros(7, 2)}, torch.arange(7))
    assert [len(y) for _, y, _ in BatchIterator(images, 3, shuffle=True, drop_single=True)] == [3, 3]
    assert len(BatchIterator(images, 3, shuffle=True, drop_single=True)) == 2
    assert len(list(BatchIterator(images, 3, shuffle=False, drop_single=True))) == 3


def test_cosine_schedule_ends_at_one_percent():
    assert cosine_factor(0, 10) == pytest.approx(1.0)
    assert cosine_factor(10, 10) == pytest.approx(0.01)
    assert cosine_factor(15, 10) == pytest.approx(0.01)
    assert cosine_factor(5, 10) == pytest.approx(0.505)


@pytest.mark.parametrize("Estimator", [CNNClassifier, RNNClassifier])
def test_bad_parameters_are_refused_in_fit(Estimator):
    X, y = _images()
    with pytest.raises(ValueError, match="max_epochs"):
        Estimator(max_epochs=0).fit(X.reshape(len(X), -1), y)
    with pytest.raises(ValueError, match="precision"):
        Estimator(precision="float16").fit(X.reshape(len(X), -1), y)
