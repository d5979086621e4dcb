"""Mixed precision and the GPU code paths (bfloat16 autocast, channels-last, streaming, compile), run on the CPU."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the deep estimators need torch")
pytest.importorskip("skorch", reason="the deep estimators need skorch")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skdl.neural_network import CNNClassifier, RNNClassifier  # noqa: E402
from skdl.neural_network import _data, _skorch_base  # noqa: E402
from skdl.neural_network._skorch_base import autocast_dtype, uses_channels_last  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def float32_model(digits):
    X_train, _, y_train, _ = digits
    return CNNClassifier("lenet_bn", precision="float32", device="cpu", random_state=0).fit(X_train, y_train)


def test_auto_precision_is_bfloat16_on_cuda_and_float32_on_the_cpu(monkeypatch):
    assert autocast_dtype("auto", "cpu") is None
    assert autocast_dtype("float32", "cuda") is None
    assert autocast_dtype("bfloat16", "cpu") is torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert autocast_dtype("auto", "cuda:0") is torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert autocast_dtype("auto", "cuda") is None  # a GPU without bfloat16 stays in float32
    assert uses_channels_last("cuda", images=True) and not uses_channels_last("cpu", images=True)
    assert not uses_channels_last("cuda", images=False)


def test_bfloat16_predictions_equal_float32_ones_on_99_percent_of_digits(digits, float32_model):
    _, X_test, _, _ = digits
    expected = float32_model.predict(X_test)
    float32_model.set_params(precision="bfloat16")
    try:
        seen = []
        hook = float32_model.module_.features[0].register_forward_hook(lambda m, i, out: seen.append(out.dtype))
        agreement = np.mean(float32_model.predict(X_test) == expected)
        hook.remove()
    finally:
        float32_model.set_params(precision="float32")
    assert seen == [torch.bfloat16]  # the convolutions ran in bfloat16
    assert agreement >= 0.99


def test_training_in_bfloat16_on_the_cpu(digits, float32_model):
    X_train, X_test, y_train, y_test = digits
    model = CNNClassifier("lenet_bn", precision="bfloat16", device="cpu", random_state=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= float32_model.score(X_test, y_test) - 0.02
    assert all(parameter.dtype == torch.float32 for parameter in model.module_.parameters())


def test_rnn_in_bfloat16():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5, 2))
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    model = RNNClassifier(hidden_size=8, max_epochs=3, precision="bfloat16", random_state=0).fit(X, y)
    assert model.predict_proba(X).shape == (60, 2)


def test_the_cuda_path_channels_last_autocast_and_streaming_runs_on_the_cpu(digits, monkeypatch):
    """Every choice made for a GPU, forced on the CPU: channels-last images and module, bfloat16
    autocast, and data left in host memory and sent batch by batch (as when they do not fit)."""
    X_train, X_test, y_train, y_test = digits
    monkeypatch.setattr(_skorch_base, "autocast_dtype", lambda precision, device: torch.bfloat16)
    for module in ("_cnn", "_skorch_base"):
        monkeypatch.setattr(f"skdl.neural_network.{module}.uses_channels_last", lambda device, images: images)
    monkeypatch.setattr(_data, "fits_on", lambda device, arrays: False)
    seen = []
    model = CNNClassifier("lenet_bn", device="cpu", random_state=0, augment=True)
    model.fit(X_train, y_train)
    hook = model.module_.features[0].register_forward_pre_hook(lambda m, args: seen.append(args[0]))
    assert model.score(X_test, y_test) >= 0.9
    hook.remove()
    assert seen[0].is_contiguous(memory_format=torch.channels_last)
    assert model.module_.features[0].weight.is_contiguous(memory_format=torch.channels_last)


def test_compile_runs_the_network_through_torch_compile(digits, monkeypatch):
    X_train, X_test, y_train, y_test = digits
    # The eager backend traces with Dynamo and runs the graphs as they are: the code path of
    # compile=True without minutes of code generation on the CPU.
    monkeypatch.setattr(_skorch_base, "COMPILE_OPTIONS", {"backend": "eager"})
    compiled = []
    original = torch.compile
    monkeypatch.setattr(torch, "compile", lambda module, **options: compiled.append(options) or original(module, **options))
    model = CNNClassifier("lenet", max_epochs=2, compile=True, device="cpu", random_state=0).fit(X_train, y_train)
    assert compiled == [{"backend": "eager"}]
    plain = CNNClassifier("lenet", max_epochs=2, device="cpu", random_state=0).fit(X_train, y_train)
    np.testing.assert_allclose(model.predict_proba(X_test), plain.predict_proba(X_test), rtol=1e-4, atol=1e-6)
