"""The shared machinery of the torch estimators: optional import, seeding, batching, pickling."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the deep estimators need torch")
pytest.importorskip("skorch", reason="the deep estimators need skorch")

from skdl.neural_network import CNNClassifier, RNNClassifier  # noqa: E402
from skdl.neural_network._skorch_base import BatchIterator, TensorDataset, cosine_factor  # noqa: E402


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
    assert len(loaded.history_) == 4


def test_a_net_pickled_on_a_gpu_loads_on_the_cpu():
    X, y = _images()
    model = CNNClassifier(**SMALL, random_state=0).fit(X, y)
    expected = model.predict_proba(X)
    # As if trained on a GPU: the pickle holds the state dicts as numpy arrays (no device, no torch
    # types) and the device the net came from.
    model.device_ = "cuda:0"
    state = model.__getstate__()
    assert all(isinstance(array, np.ndarray) for array in state["_net_state"]["module"].values())
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: the CPU fallback cannot be exercised")
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded.device_ == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=1e-6)


def test_device_auto_and_fitted_device():
    X, y = _images()
    model = CNNClassifier(**{**SMALL, "max_epochs": 1}).fit(X, y)
    assert model.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
    assert CNNClassifier(**{**SMALL, "max_epochs": 1}, device="cpu").fit(X, y).device_ == "cpu"


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
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="max_epochs"):
        CNNClassifier(**{**SMALL, "max_epochs": 2}, early_stopping=True, random_state=0).fit(X, y)


def test_partial_fit_runs_one_epoch_and_checks_labels():
    X, y = _images()
    model = CNNClassifier(**SMALL, random_state=0)
    model.partial_fit(X[:30], y[:30], classes=[0, 1])
    model.partial_fit(X[30:], y[30:])
    assert len(model.history_) == 2 and model.n_iter_ == 1
    with pytest.raises(ValueError, match="not in classes"):
        model.partial_fit(X, y + 5)


def test_n_jobs_restores_torch_threads():
    X, y = _images()
    before = torch.get_num_threads()
    CNNClassifier(**{**SMALL, "max_epochs": 1}, n_jobs=1).fit(X, y)
    assert torch.get_num_threads() == before


def test_batch_iterator_visits_every_sample_once_in_length_buckets():
    lengths = torch.tensor([5, 1, 3, 9, 2, 7, 4, 8, 6, 10])
    inputs = {"x": torch.arange(100).reshape(10, 10), "lengths": lengths}
    dataset = TensorDataset(inputs, torch.arange(10))
    iterator = BatchIterator(dataset, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))
    batches = list(iterator)
    seen = torch.cat([y for _, y in batches])
    assert sorted(seen.tolist()) == list(range(10)) and len(batches) == len(iterator) == 3
    for batch, y in batches:
        assert batch["x"].shape[1] == int(lengths[y].max())  # cut to the longest of the batch
    # A trailing single sample is dropped in training, kept for evaluation.
    assert len(list(BatchIterator(dataset, batch_size=3, shuffle=False))) == 4
    sorted_batches = list(BatchIterator(TensorDataset({"x": torch.zeros(7, 2)}, torch.arange(7)), 3, shuffle=True))
    assert [len(y) for _, y in sorted_batches] == [3, 3]


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
