"""Benchmarks of the torch estimators: asv-style classes and side-by-side comparisons on CPU.

The comparisons are small (digits, a LeNet, 3 epochs; one thread) so they run anywhere; the GPU
workload of issue 5 is ``benchmarks/gpu_throughput.py``.
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score

from benchmarks._side_by_side import Comparison, require
from benchmarks._torch_loops import predict_proba_loop, train_loop

EPOCHS, BATCH, LR = 3, 32, 3e-3


def make_digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


def make_texts(n_samples=600):
    from skdl.datasets import load_sms_spam

    X, y = load_sms_spam(return_X_y=True)
    return X[:n_samples], y[:n_samples]


def _cnn(**params):
    from skdl.neural_network import CNNClassifier

    return CNNClassifier(
        architecture="lenet", max_epochs=EPOCHS, batch_size=BATCH, lr=LR, weight_decay=0.0, dropout=0.0,
        schedule="constant", device="cpu", n_jobs=1, random_state=0, **params,
    )


def _lenet(seed=0):
    import torch

    from skdl.neural_network._modules import build_cnn

    torch.manual_seed(seed)
    return build_cnn("lenet", (1, 8, 8), 10, width=16, hidden_size=128, dropout=0.0)


class CNNClassifierSuite:
    """asv: LeNet on the 1,797 digits, 3 epochs, one CPU thread."""

    def setup(self):
        require("torch", "skorch")
        self.X, self.y = make_digits()
        self.model = _cnn().fit(self.X, self.y)

    def time_fit(self):
        _cnn().fit(self.X, self.y)

    def time_predict_proba(self):
        self.model.predict_proba(self.X)

    def peakmem_fit(self):
        _cnn().fit(self.X, self.y)

    def track_train_accuracy(self):
        return accuracy_score(self.y, self.model.predict(self.X))


class RNNClassifierSuite:
    """asv: character GRU on 600 SMS messages, 1 epoch, one CPU thread."""

    def setup(self):
        require("torch", "skorch")
        from skdl.neural_network import RNNClassifier

        self.X, self.y = make_texts()
        self.make = lambda: RNNClassifier(max_epochs=1, device="cpu", n_jobs=1, random_state=0)
        self.model = self.make().fit(self.X, self.y)

    def time_fit(self):
        self.make().fit(self.X, self.y)

    def time_predict_proba(self):
        self.model.predict_proba(self.X)


def _torch_fit(data):
    import torch

    torch.set_num_threads(1)
    X, y = data
    X, y = torch.from_numpy(X.reshape(-1, 1, 8, 8)), torch.from_numpy(y)
    return train_loop(_lenet(), X, y, epochs=EPOCHS, batch_size=BATCH, lr=LR)


def _skorch_net():
    import torch
    from skorch import NeuralNetClassifier

    return NeuralNetClassifier(
        _lenet(), criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.AdamW, optimizer__weight_decay=0.0,
        lr=LR, batch_size=BATCH, max_epochs=EPOCHS, train_split=None, iterator_train__shuffle=True,
        device="cpu", verbose=0,
    )


def _skorch_fit(data):
    import torch

    torch.set_num_threads(1)
    X, y = data
    return _skorch_net().fit(X.reshape(-1, 1, 8, 8), y)


def _accuracies(ours, peer, data):
    X, y = data
    if hasattr(peer, "predict"):
        peer_accuracy = accuracy_score(y, peer.predict(X.reshape(-1, 1, 8, 8)))
    else:
        peer_accuracy = accuracy_score(y, predict_proba_loop(peer, X.reshape(-1, 1, 8, 8)).argmax(axis=1))
    return f"train accuracy skdl {accuracy_score(y, ours.predict(X)):.3f}, peer {peer_accuracy:.3f}"


def _fitted(data):
    X, y = data
    return X, y, _cnn().fit(X, y), _skorch_fit(data), _torch_fit(data)


COMPARISONS = [
    Comparison(
        "CNNClassifier fit, digits LeNet 3 epochs (vs torch loop)",
        make_digits,
        lambda data: _cnn().fit(*data),
        _torch_fit,
        "hand-written torch loop",
        target=1.3,
        quality=_accuracies,
        repeat=3,
        requires=("torch", "skorch"),
    ),
    Comparison(
        "CNNClassifier fit, digits LeNet 3 epochs (vs skorch)",
        make_digits,
        lambda data: _cnn().fit(*data),
        _skorch_fit,
        "skorch NeuralNetClassifier",
        target=1.0,
        quality=_accuracies,
        repeat=3,
        requires=("torch", "skorch"),
    ),
    Comparison(
        "CNNClassifier predict_proba, digits (vs skorch)",
        lambda: _fitted(make_digits()),
        lambda data: data[2].predict_proba(data[0]),
        lambda data: data[3].predict_proba(data[0].reshape(-1, 1, 8, 8)),
        "skorch predict_proba",
        target=1.0,
        repeat=5,
        requires=("torch", "skorch"),
    ),
    Comparison(
        "CNNClassifier predict_proba, digits (vs torch loop)",
        lambda: _fitted(make_digits()),
        lambda data: data[2].predict_proba(data[0]),
        lambda data: predict_proba_loop(data[4], data[0].reshape(-1, 1, 8, 8)),
        "hand-written inference loop",
        target=1.25,
        repeat=5,
        requires=("torch", "skorch"),
    ),
]
