"""CNNClassifier: image shapes, errors, modules of one's own, scikit-learn tools, digits accuracy."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="CNNClassifier needs torch")
pytest.importorskip("skorch", reason="CNNClassifier needs skorch")

from scipy import sparse  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402
from torch import nn  # noqa: E402

from skdl.neural_network import CNNClassifier  # noqa: E402
from skdl.neural_network._cnn import check_input_shape, image_shape  # noqa: E402

SMALL = dict(architecture="lenet", width=4, hidden_size=16, max_epochs=2, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)


@pytest.mark.parametrize(
    "data_shape, input_shape, expected",
    [
        ((3, 8, 8), None, (3, 8, 8)),
        ((8, 6), None, (1, 8, 6)),
        ((64,), None, (1, 8, 8)),
        ((12,), None, (1, 1, 12)),
        ((12,), (3, 4), (1, 3, 4)),
        ((12,), (3, 2, 2), (3, 2, 2)),
        ((12,), [np.int64(3), np.int64(4)], (1, 3, 4)),
    ],
)
def test_image_shape(data_shape, input_shape, expected):
    assert image_shape(data_shape, input_shape) == expected


@pytest.mark.parametrize(
    "data_shape, input_shape, message",
    [((12,), (1, 5, 5), "cannot be reshaped"), ((3, 8, 8), (1, 8, 8), "input_shape")],
)
def test_image_shape_errors(data_shape, input_shape, message):
    with pytest.raises(ValueError, match=message):
        image_shape(data_shape, input_shape)


@pytest.mark.parametrize(
    "input_shape", [(0, 8, 8), (1, -8, 8), (64,), (1, 1, 8, 8), ("8", 8), (8.0, 8.0), (True, 8), 64, "8x8"]
)
def test_malformed_input_shape_is_refused_with_the_rule(input_shape):
    with pytest.raises(ValueError, match=r"input_shape must be \(channels, height, width\)"):
        check_input_shape(input_shape)
    with pytest.raises(ValueError, match="input_shape.* must be"):
        CNNClassifier(**SMALL, input_shape=input_shape).fit(np.zeros((4, 64)), [0, 1, 0, 1])


@pytest.mark.parametrize("shape", [(40, 1, 8, 8), (40, 8, 8), (40, 64)])
def test_accepts_4d_3d_and_flattened_square_images(digits, shape):
    X_train, _, y_train, _ = digits
    X = X_train[:40].reshape(shape)
    model = CNNClassifier(**SMALL).fit(X, y_train[:40])
    assert model.input_shape_ == (1, 8, 8)
    assert model.predict(X).shape == (40,)


def test_tags_declare_3d_images():
    assert get_tags(CNNClassifier()).input_tags.three_d_array
    assert not get_tags(CNNClassifier()).input_tags.sparse


def test_flattened_images_with_input_shape_and_one_row_fallback():
    rng = np.random.default_rng(0)
    X, y = rng.random((30, 12)), np.arange(30) % 3
    assert CNNClassifier(**SMALL, input_shape=(3, 4)).fit(X, y).input_shape_ == (1, 3, 4)
    assert CNNClassifier(**SMALL).fit(X, y).input_shape_ == (1, 1, 12)


def test_bad_input_gets_clear_errors(digits):
    X_train, _, y_train, _ = digits
    X, y = X_train[:40], y_train[:40]
    model = CNNClassifier(**SMALL).fit(X.reshape(40, 8, 8), y)
    with pytest.raises(ValueError, match="features"):
        model.predict(np.zeros((2, 7, 9)))
    with pytest.raises(ValueError, match="shape"):
        model.predict(np.zeros((2, 8, 8, 8, 1)))
    with pytest.raises(ValueError, match="NaN"):
        CNNClassifier(**SMALL).fit(np.where(X == X.max(), np.nan, X), y)
    with pytest.raises(ValueError, match="cannot be reshaped"):
        CNNClassifier(**SMALL, input_shape=(1, 7, 7)).fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        CNNClassifier(**SMALL).fit(X, np.zeros(40))


@pytest.mark.parametrize("to_sparse", [sparse.csr_matrix, sparse.csr_array])
def test_sparse_input_is_refused_with_what_to_do(digits, to_sparse):
    X_train, _, y_train, _ = digits
    with pytest.raises(TypeError, match=r"dense data is required. Use '.toarray\(\)'"):
        CNNClassifier(**SMALL).fit(to_sparse(X_train[:40]), y_train[:40])


@pytest.mark.parametrize("scale, message", [(1e300, "beyond float32's range"), (1e-300, "below .* smallest normal")])
def test_values_float32_cannot_hold_are_refused(digits, scale, message):
    """1e300 would become float32 infinity (and 1e-300 zero): every image would look the same."""
    X_train, _, y_train, _ = digits
    X, y = X_train[:40] * scale, y_train[:40]
    with pytest.raises(ValueError, match=message):
        CNNClassifier(**SMALL).fit(X, y)
    model = CNNClassifier(**SMALL).fit(X_train[:40], y)
    with pytest.raises(ValueError, match=message):
        model.predict(X)


def test_batch_size_1_trains_every_sample_without_batch_norm_and_is_refused_with_it(digits):
    X_train, _, y_train, _ = digits
    X, y = X_train[:30], y_train[:30]
    model = CNNClassifier(**{**SMALL, "max_epochs": 1}, batch_size=1).fit(X, y)
    assert model.history_[-1, "train_batch_count"] == 30
    with pytest.raises(ValueError, match="batch_size=1 .* batch normalisation needs at least 2"):
        CNNClassifier(**{**SMALL, "architecture": "lenet_bn"}, batch_size=1).fit(X, y)
    # A trailing single sample is dropped only where batch normalisation cannot take it.
    bn = CNNClassifier(**{**SMALL, "architecture": "lenet_bn", "max_epochs": 1}, batch_size=29).fit(X, y)
    assert bn.history_[-1, "train_batch_count"] == 1


def test_string_labels_and_float32(digits):
    X_train, _, y_train, _ = digits
    labels = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    model = CNNClassifier(**SMALL).fit(X_train[:80].astype(np.float32), labels[y_train[:80]])
    assert set(model.predict(X_train[:80])) <= set(labels)
    np.testing.assert_array_equal(model.classes_, np.sort(np.unique(labels[y_train[:80]])))
    assert model.predict_proba(X_train[:5]).sum(axis=1) == pytest.approx(np.ones(5))


def test_mixed_int_and_str_labels_are_refused():
    X = np.random.default_rng(0).random((6, 64))
    with pytest.raises(ValueError, match=r"mix types \(int, str\)"):
        CNNClassifier(**SMALL).fit(X, np.array([0, "a", 1, "b", 0, "a"], dtype=object))


def test_pipeline_and_grid_search_over_lr_and_hidden_size(digits):
    X_train, _, y_train, _ = digits
    pipe = make_pipeline(MinMaxScaler(), CNNClassifier(**SMALL))
    search = GridSearchCV(pipe, {"cnnclassifier__lr": [1e-3, 3e-3], "cnnclassifier__hidden_size": [8, 16]}, cv=2)
    search.fit(X_train[:200], y_train[:200])
    assert set(search.best_params_) == {"cnnclassifier__lr", "cnnclassifier__hidden_size"}
    assert clone(search.best_estimator_).get_params()["cnnclassifier__hidden_size"] in (8, 16)


# -- a module of one's own ------------------------------------------------------------------------


class TinyNet(nn.Module):
    """A network of one's own: takes what it needs from the data through its signature."""

    def __init__(self, input_shape, n_classes, hidden=8):
        super().__init__()
        self.hidden = hidden
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(int(np.prod(input_shape)), hidden), nn.ReLU(),
                                    nn.Linear(hidden, n_classes))

    def forward(self, images):
        return self.layers(images)


def test_module_class_is_built_from_module_params_and_the_data(digits):
    X_train, X_test, y_train, y_test = digits
    model = CNNClassifier(module=TinyNet, module__hidden=12, max_epochs=3, random_state=0).fit(X_train, y_train)
    assert isinstance(model.module_, TinyNet) and model.module_.hidden == 12
    assert model.get_params()["module__hidden"] == 12
    assert clone(model).get_params()["module__hidden"] == 12
    assert model.score(X_test, y_test) > 0.5
    assert "module__hidden=12" in repr(model)


def test_grid_search_tunes_module_params(digits):
    X_train, _, y_train, _ = digits
    search = GridSearchCV(
        CNNClassifier(module=TinyNet, max_epochs=1, random_state=0), {"module__hidden": [4, 16]}, cv=2
    ).fit(X_train[:200], y_train[:200])
    assert search.best_estimator_.module_.hidden == search.best_params_["module__hidden"]


def test_module_instance_is_copied_and_trained_from_its_weights(digits):
    X_train, _, y_train, _ = digits
    torch.manual_seed(0)
    instance = TinyNet((1, 8, 8), 10)
    before = {name: tensor.clone() for name, tensor in instance.state_dict().items()}
    model = CNNClassifier(module=instance, max_epochs=1, random_state=0).fit(X_train, y_train)
    assert model.module_ is not instance
    assert all(torch.equal(before[name], tensor) for name, tensor in instance.state_dict().items())
    zero_epochs = CNNClassifier(module=instance, max_epochs=1, lr=1e-12, random_state=0).fit(X_train, y_train)
    for name, tensor in zero_epochs.module_.state_dict().items():
        torch.testing.assert_close(tensor, before[name], atol=1e-6, rtol=0)


def test_module_errors_are_clear(digits):
    X_train, _, y_train, _ = digits
    with pytest.raises(ValueError, match=r"outputs of shape \(2, 3\); it must give \(2, 10\)"):
        CNNClassifier(module=TinyNet, module__n_classes=3, max_epochs=1).fit(X_train, y_train)
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['hiden_size'\]"):
        CNNClassifier(hiden_size=3).fit(X_train, y_train)
    with pytest.raises(TypeError, match="unexpected keyword argument 'hiden'"):
        CNNClassifier(module=TinyNet, module__hiden=3, max_epochs=1).fit(X_train, y_train)


@pytest.mark.slow
def test_digits_accuracy_with_defaults(digits):
    """With default hyperparameters, test accuracy at least 0.98 (scikit-learn's SVC: 0.987)."""
    X_train, X_test, y_train, y_test = digits
    model = CNNClassifier(random_state=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.98
