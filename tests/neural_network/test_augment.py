"""Image augmentation (d2l 14.1): per batch, on the device, in training only, reproducible."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="image augmentation needs torch")
pytest.importorskip("skorch", reason="CNNClassifier needs skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skdl.neural_network import CNNClassifier, ImageAugmentation  # noqa: E402
from skdl.neural_network._augment import random_affine, random_crop, random_horizontal_flip  # noqa: E402


def _generator(seed=0):
    return torch.Generator().manual_seed(seed)


def _dots(n=16, side=8):
    """Images with one bright pixel each, at a known place."""
    x = torch.zeros(n, 1, side, side)
    rows, cols = torch.arange(n) % (side - 2) + 1, (3 * torch.arange(n)) % (side - 2) + 1
    x[torch.arange(n), 0, rows, cols] = 1.0
    return x, rows, cols


def test_crop_with_padding_shifts_each_image_by_at_most_the_padding():
    x, rows, cols = _dots()
    out = random_crop(x, 1, 1, _generator())
    assert out.shape == x.shape
    for i in range(len(x)):
        (r,), (c,) = torch.nonzero(out[i, 0] == 1.0, as_tuple=True)
        assert abs(int(r) - int(rows[i])) <= 1 and abs(int(c) - int(cols[i])) <= 1
    assert not torch.equal(out, x)  # some images moved


def test_flip_mirrors_about_half_of_the_images():
    x = torch.rand(200, 3, 4, 5, generator=_generator(1))
    out = random_horizontal_flip(x, _generator())
    flipped = torch.tensor([torch.equal(out[i], x[i].flip(2)) for i in range(len(x))])
    kept = torch.tensor([torch.equal(out[i], x[i]) for i in range(len(x))])
    assert bool((flipped | kept).all()) and 60 < int(flipped.sum()) < 140


def test_affine_without_rotation_or_zoom_is_the_identity_and_otherwise_moves_pixels():
    x = torch.rand(6, 2, 8, 8, generator=_generator(1))
    torch.testing.assert_close(random_affine(x, 0.0, 0.0, _generator()), x, atol=1e-5, rtol=0)
    rotated = random_affine(x, 30.0, 0.0, _generator())
    assert rotated.shape == x.shape and not torch.allclose(rotated, x, atol=1e-2)


def test_augmentation_is_reproducible_from_its_generator():
    x = torch.rand(8, 1, 8, 8, generator=_generator(1))
    augment = ImageAugmentation(horizontal_flip=True)
    torch.testing.assert_close(augment(x, _generator(3)), augment(x, _generator(3)))
    assert not torch.allclose(augment(x, _generator(3)), augment(x, _generator(4)))


def test_crop_padding_is_pixels_or_a_fraction_of_the_side():
    assert ImageAugmentation(crop_padding=0.125)._padding(8) == 1
    assert ImageAugmentation(crop_padding=0.125)._padding(32) == 4
    assert ImageAugmentation(crop_padding=2)._padding(8) == 2
    x = torch.rand(4, 1, 8, 8)
    off = ImageAugmentation(crop_padding=0, rotation=0.0, scale=0.0)
    assert torch.equal(off(x, _generator()), x)


@pytest.mark.parametrize(
    "params, name",
    [({"crop_padding": -1}, "crop_padding"), ({"rotation": 400}, "rotation"), ({"scale": 1.5}, "scale"),
     ({"horizontal_flip": "yes"}, "horizontal_flip")],
)
def test_bad_augmentation_parameters_are_refused_in_fit(params, name):
    X, y = np.random.default_rng(0).random((20, 64)), np.arange(20) % 2
    with pytest.raises(ValueError, match=name):
        CNNClassifier("lenet", max_epochs=1, augment=ImageAugmentation(**params)).fit(X, y)
    with pytest.raises(ValueError, match="Invalid parameter"):
        ImageAugmentation().set_params(rotate=3)


def test_training_only_reproducible_and_tunable(monkeypatch):
    rng = np.random.default_rng(0)
    X, y = rng.random((60, 1, 8, 8), dtype=np.float32), np.arange(60) % 2
    params = dict(architecture="lenet", max_epochs=2, random_state=0)
    augmented = CNNClassifier(**params, augment=True).fit(X, y)
    again = CNNClassifier(**params, augment=True).fit(X, y)
    plain = CNNClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(augmented.predict_proba(X), again.predict_proba(X))
    assert not np.allclose(augmented.predict_proba(X), plain.predict_proba(X))
    # Prediction never augments: calling it twice gives the same answer, and never calls augment.
    calls = []
    monkeypatch.setattr(ImageAugmentation, "__call__", lambda self, x, g: calls.append(1) or x)
    np.testing.assert_array_equal(augmented.predict_proba(X), again.predict_proba(X))
    assert not calls
    model = CNNClassifier(**params, augment=ImageAugmentation(rotation=5.0))
    assert model.get_params()["augment__rotation"] == 5.0
    assert clone(model).augment == ImageAugmentation(rotation=5.0)
    monkeypatch.undo()
    search = GridSearchCV(model, {"augment__rotation": [0.0, 15.0]}, cv=2).fit(X, y)
    assert search.best_params_["augment__rotation"] in (0.0, 15.0)
