"""CNNClassifier: image shapes, architectures, errors, scikit-learn tools, and digits accuracy."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="CNNClassifier needs torch")
pytest.importorskip("skorch", reason="CNNClassifier needs skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from skdl.neural_network import CNNClassifier  # noqa: E402
from skdl.neural_network._cnn import image_shape  # noqa: E402
from skdl.neural_network._modules import build_cnn  # noqa: E402

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


@pytest.mark.parametrize("architecture", ["lenet", "vgg", "resnet"])
@pytest.mark.parametrize("input_shape", [(1, 28, 28), (3, 32, 32), (1, 8, 8), (1, 1, 5), (2, 3, 1)])
def test_architectures_are_sized_from_the_input(architecture, input_shape):
    module = build_cnn(architecture, input_shape, 7, width=4, hidden_size=8).eval()
    with torch.no_grad():
        assert module(torch.zeros(2, *input_shape)).shape == (2, 7)


def test_resnet_has_residual_blocks_with_batch_norm():
    module = build_cnn("resnet", (3, 32, 32), 10, width=8)
    names = {type(layer).__name__ for layer in module.modules()}
    assert {"_ResidualBlock", "BatchNorm2d", "AdaptiveAvgPool2d"} <= names


@pytest.mark.parametrize("shape", [(40, 1, 8, 8), (40, 8, 8), (40, 64)])
def test_accepts_4d_3d_and_flattened_square_images(digits, shape):
    X_train, _, y_train, _ = digits
    X = X_train[:40].reshape(shape)
    model = CNNClassifier(**SMALL).fit(X, y_train[:40])
    assert model.input_shape_ == (1, 8, 8)
    assert model.predict(X).shape == (40,)


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
    with pytest.raises(TypeError, match="Sparse|sparse"):
        from scipy import sparse

        CNNClassifier(**SMALL).fit(sparse.csr_matrix(X), y)


def test_string_labels_and_float32(digits):
    X_train, _, y_train, _ = digits
    labels = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    model = CNNClassifier(**SMALL).fit(X_train[:80].astype(np.float32), labels[y_train[:80]])
    assert set(model.predict(X_train[:80])) <= set(labels)
    np.testing.assert_array_equal(model.classes_, np.sort(np.unique(labels[y_train[:80]])))
    assert model.predict_proba(X_train[:5]).sum(axis=1) == pytest.approx(np.ones(5))


def test_pipeline_and_grid_search_over_lr_and_hidden_size(digits):
    X_train, _, y_train, _ = digits
    pipe = make_pipeline(MinMaxScaler(), CNNClassifier(**SMALL))
    search = GridSearchCV(pipe, {"cnnclassifier__lr": [1e-3, 3e-3], "cnnclassifier__hidden_size": [8, 16]}, cv=2)
    search.fit(X_train[:200], y_train[:200])
    assert set(search.best_params_) == {"cnnclassifier__lr", "cnnclassifier__hidden_size"}
    assert clone(search.best_estimator_).get_params()["cnnclassifier__hidden_size"] in (8, 16)


@pytest.mark.slow
def test_digits_accuracy_with_defaults(digits):
    """With default hyperparameters, test accuracy at least 0.99 (scikit-learn's SVC: 0.987)."""
    X_train, X_test, y_train, y_test = digits
    model = CNNClassifier(random_state=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.99
