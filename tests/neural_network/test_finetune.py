"""Fine-tuning (d2l 14.2): a network trained on some digits learns the others from its features."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="CNNClassifier needs torch")
pytest.importorskip("skorch", reason="CNNClassifier needs skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skdl.neural_network import CNNClassifier  # noqa: E402

SOURCE = dict(architecture="lenet_bn", max_epochs=10, random_state=0)


@pytest.fixture(scope="module")
def digits_halves():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)
    first, rest = y_train < 5, y_test >= 5
    source = CNNClassifier(**SOURCE).fit(X_train[first], y_train[first])
    # Few labelled samples of the new classes: what fine-tuning is for.
    new = np.flatnonzero(~first)[::8]
    return source, (X_train[new], y_train[new]), (X_test[rest], y_test[rest])


def _backbone(module):
    return {name: tensor.clone() for name, tensor in module.state_dict().items() if not name.startswith("output.")}


def test_fine_tuning_a_frozen_backbone_onto_the_other_classes(digits_halves):
    source, (X_new, y_new), (X_test, y_test) = digits_halves
    tuned = CNNClassifier(
        **{**SOURCE, "max_epochs": 30}, warm_start=source, freeze_backbone=True, lr=1e-2,
    ).fit(X_new, y_new)
    np.testing.assert_array_equal(tuned.classes_, [5, 6, 7, 8, 9])
    # The backbone (batch-norm statistics included) is the source's, untouched; the output is new.
    after = _backbone(tuned.module_)
    for name, tensor in _backbone(source.module_).items():
        assert torch.equal(after[name], tensor), name
    assert not torch.equal(tuned.module_.output.weight, source.module_.output.weight)
    # Features learned on 0-4 serve 5-9: better than the same training on a random frozen backbone.
    random_features = CNNClassifier(
        **{**SOURCE, "max_epochs": 30}, freeze_backbone=True, lr=1e-2,
    ).fit(X_new, y_new)
    assert tuned.score(X_test, y_test) >= 0.7  # 0.78 measured; the output layer alone learned it
    assert tuned.score(X_test, y_test) > random_features.score(X_test, y_test) + 0.3  # 0.32 measured


def test_fine_tuning_everything_with_a_ten_times_faster_output_layer(digits_halves):
    source, (X_new, y_new), (X_test, y_test) = digits_halves
    tuned = CNNClassifier(
        **{**SOURCE, "max_epochs": 30}, warm_start=source.module_, output_lr_multiplier=10.0, lr=3e-3,
    ).fit(X_new, y_new)
    groups = tuned.net_.optimizer_.param_groups
    assert sorted(group["initial_lr"] for group in groups) == pytest.approx([3e-3, 3e-2])
    output_group = next(group for group in groups if group["initial_lr"] == pytest.approx(3e-2))
    assert {id(p) for p in output_group["params"]} == {id(p) for p in tuned.module_.output.parameters()}
    before = _backbone(source.module_)
    assert any(not torch.equal(tensor, before[name]) for name, tensor in _backbone(tuned.module_).items())
    assert tuned.score(X_test, y_test) >= 0.9  # 0.946 measured


def test_warm_start_true_continues_from_the_previous_fit():
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 64)), np.arange(40) % 2
    model = CNNClassifier("lenet", max_epochs=3, random_state=0, warm_start=True).fit(X, y)
    first = model.predict_proba(X)
    model.set_params(lr=1e-12, max_epochs=1).fit(X, y)  # (almost) no step: the same network
    np.testing.assert_allclose(model.predict_proba(X), first, atol=1e-6)
    assert model.n_iter_ == 1
    fresh = CNNClassifier("lenet", max_epochs=1, lr=1e-12, random_state=1).fit(X, y)
    assert not np.allclose(fresh.predict_proba(X), first, atol=1e-3)


def test_warm_start_from_other_classes_keeps_the_backbone_and_draws_a_new_output_layer():
    rng = np.random.default_rng(0)
    X = rng.random((40, 64))
    source = CNNClassifier("lenet", max_epochs=2, random_state=0).fit(X, np.arange(40) % 2)
    model = CNNClassifier("lenet", max_epochs=1, lr=1e-12, warm_start=source, random_state=0)
    model.fit(X, np.arange(40) % 3)
    assert model.module_.output.weight.shape[0] == 3
    torch.testing.assert_close(model.module_.features[0].weight, source.module_.features[0].weight)


def test_warm_start_errors_are_clear():
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 64)), np.arange(40) % 2
    source = CNNClassifier("lenet", max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="not the architecture being fitted"):
        CNNClassifier("lenet_bn", max_epochs=1, warm_start=source).fit(X, y)
    with pytest.raises(ValueError, match="was built for other images or another width"):
        CNNClassifier("lenet", width=8, max_epochs=1, warm_start=source).fit(X, y)
    with pytest.raises(ValueError, match="is not fitted"):
        CNNClassifier("lenet", max_epochs=1, warm_start=clone(source)).fit(X, y)
