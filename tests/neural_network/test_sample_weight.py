"""sample_weight in the torch estimators: weight k is k copies of a row, in training and validation."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the deep estimators need torch")
pytest.importorskip("skorch", reason="the deep estimators need skorch")

from skdl.neural_network import CNNClassifier, RNNClassifier  # noqa: E402
from skdl.utils._validation import validation_split  # noqa: E402

# Deterministic full-batch training: one batch holds every (repeated) row, no dropout.
FULL_BATCH = dict(max_epochs=5, batch_size=512, dropout=0.0, optimizer="sgd", lr=0.1, schedule="constant",
                  random_state=0)


def _images(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 1, 6, 6), dtype=np.float32)
    y = (X[:, 0, :3].mean(axis=(1, 2)) > X[:, 0, 3:].mean(axis=(1, 2))).astype(int) + 2 * (X[:, 0, 0, 0] > 0.7)
    return X, y


def _repeated(X, y, weight):
    index = np.repeat(np.arange(len(y)), weight)
    return X[index], y[index]


@pytest.mark.parametrize(
    "Estimator, params, data",
    [
        (CNNClassifier, dict(architecture="lenet", width=4, hidden_size=8), _images()),
        (RNNClassifier, dict(hidden_size=6, kernel_size=None), (_images()[0][:, 0], _images()[1])),
    ],
    ids=["cnn", "rnn"],
)
def test_weight_k_equals_k_copies_in_full_batch_training(Estimator, params, data):
    X, y = data
    weight = np.random.default_rng(1).integers(0, 4, size=len(y))
    weight[:4] = [1, 2, 3, 0]
    weighted = Estimator(**params, **FULL_BATCH).fit(X, y, sample_weight=weight)
    repeated = Estimator(**params, **FULL_BATCH).fit(*_repeated(X, y, weight))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-4, atol=1e-6)
    unweighted = Estimator(**params, **FULL_BATCH).fit(X, y)
    assert not np.allclose(weighted.predict_proba(X), unweighted.predict_proba(X), rtol=1e-3)


def test_weights_pull_mini_batch_training_towards_the_heavy_class():
    X, y = _images(120)
    rare = np.argmin(np.bincount(y))
    weight = np.where(y == rare, 20.0, 1.0)
    plain = CNNClassifier("lenet", max_epochs=5, random_state=0).fit(X, y)
    heavy = CNNClassifier("lenet", max_epochs=5, random_state=0).fit(X, y, sample_weight=weight)
    assert heavy.predict_proba(X)[:, rare].mean() > plain.predict_proba(X)[:, rare].mean() + 0.1


def test_early_stopping_monitors_the_weighted_validation_loss():
    X, y = _images(80)
    weight = np.random.default_rng(2).uniform(0.1, 5.0, size=len(y))
    model = CNNClassifier("lenet", max_epochs=30, early_stopping=True, n_iter_no_change=3, random_state=0)
    model.fit(X, y, sample_weight=weight)
    # The hold-out the fit drew: the seeds come from random_state in a fixed order.
    rng = np.random.RandomState(0)
    rng.randint(np.iinfo(np.int32).max, size=3)
    _, valid = validation_split(len(y), 0.1, rng.randint(np.iinfo(np.int32).max), classes=y)
    proba = model.predict_proba(X[valid])  # the restored weights are those of the best epoch
    losses = -np.log(proba[np.arange(len(valid)), np.searchsorted(model.classes_, y[valid])])
    expected = np.average(losses, weights=weight[valid])
    recorded = model.history_[model.best_epoch_ - 1, "valid_loss"]
    assert recorded == pytest.approx(expected, rel=1e-4)
    assert recorded != pytest.approx(losses.mean(), rel=1e-3)


@pytest.mark.parametrize(
    "weight, message",
    [([-1.0] + [1.0] * 39, "non-negative"), ([0.0] * 40, "at least one non-zero"), ([1.0] * 39, "sample_weight"),
     ([np.nan] + [1.0] * 39, "NaN")],
)
def test_bad_weights_are_refused(weight, message):
    X, y = _images()
    with pytest.raises(ValueError, match=message):
        CNNClassifier("lenet", max_epochs=1).fit(X, y, sample_weight=weight)


def test_partial_fit_takes_weights():
    X, y = _images()
    model = CNNClassifier("lenet", random_state=0).partial_fit(X, y, sample_weight=np.ones(len(y)))
    model.partial_fit(X, y, sample_weight=np.arange(len(y)) % 3)
    assert model.n_iter_ == 2
