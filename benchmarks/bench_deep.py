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

    from skdl.neural_network._architectures import build_cnn

    torch.manual_seed(seed)
    return build_cnn("lenet", (1, 8, 8), 10, dropout=0.0)


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
    return train_loop(_lenet(), X.reshape(-1, 1, 8, 8), y, epochs=EPOCHS, batch_size=BATCH, lr=LR)


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


# -- quality measurements (python benchmarks/bench_deep.py --help) --------------------------------


def digits_images(side=8, seed=0):
    """scikit-learn's digits as (n, 1, side, side) float32 images in [0, 1], bilinearly upsampled
    from 8x8 when ``side`` is larger, split 75/25 (stratified, ``seed``)."""
    import torch
    from sklearn.model_selection import train_test_split

    X, y = make_digits()
    X = torch.from_numpy(X).reshape(-1, 1, 8, 8)
    if side != 8:
        X = torch.nn.functional.interpolate(X, size=(side, side), mode="bilinear", align_corners=False)
    return train_test_split(X.numpy(), y, test_size=0.25, stratify=y, random_state=seed)


def architectures_on_digits(architectures, sides, seed=0):
    """Test accuracy and CPU time (one thread) of each architecture with its defaults on digits."""
    import time

    from skdl.neural_network import CNNClassifier

    rows = []
    for side in sides:
        X_train, X_test, y_train, y_test = digits_images(side)
        for architecture in architectures:
            start = time.process_time()
            model = CNNClassifier(architecture, device="cpu", random_state=seed).fit(X_train, y_train)
            seconds = time.process_time() - start
            rows.append((architecture, side, model.score(X_test, y_test), seconds))
            print(f"{architecture:<10} {side:>3}x{side:<3} test accuracy {rows[-1][2]:.4f}  "
                  f"fit {seconds:6.1f} s CPU", flush=True)
    return rows


def sms_spam_f1(seeds, max_train=None):
    """Spam F1 of RNNClassifier's defaults against character TF-IDF + LogisticRegression.

    The split is the 75/25 stratified one (seed 0) of the demo and the tests. The baselines are
    skdl's LogisticRegression on scikit-learn's ``TfidfVectorizer(analyzer="char_wb",
    ngram_range=(2, 5))`` (sparse), with the defaults and as the demo tunes it
    (``sublinear_tf``, ``C=10``), and with ``sublinear_tf`` and ``C`` chosen by cross-validation on
    the training part.
    """
    import time

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.pipeline import make_pipeline

    from skdl.datasets import load_sms_spam
    from skdl.linear_model import LogisticRegression
    from skdl.neural_network import RNNClassifier

    X, y = load_sms_spam(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    for name, vectorizer, C in [
        ("char TF-IDF + LogisticRegression (defaults)", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)), 1.0),
        ("char TF-IDF (sublinear) + LogisticRegression(C=10)",
         TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True), 10.0),
    ]:
        A_train = vectorizer.fit_transform(X_train)
        A_test = vectorizer.transform(X_test)
        baseline = LogisticRegression(C=C).fit(A_train, y_train)
        print(f"{name:<52} spam F1 {f1_score(y_test, baseline.predict(A_test)):.4f}", flush=True)
    pipeline = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)), LogisticRegression())
    grid = {"tfidfvectorizer__sublinear_tf": [False, True], "logisticregression__C": [1, 3, 10, 30, 100]}
    search = GridSearchCV(pipeline, grid, scoring="f1", cv=5).fit(X_train, y_train)
    chosen = {key.split("__")[1]: value for key, value in search.best_params_.items()}
    print(f"{'the same, chosen by 5-fold CV on the training part':<52} spam F1 "
          f"{f1_score(y_test, search.predict(X_test)):.4f}  ({chosen})", flush=True)
    scores = []
    for seed in seeds:
        start = time.process_time()
        model = RNNClassifier(device="cpu", random_state=seed).fit(X_train, y_train)
        seconds = time.process_time() - start
        scores.append(f1_score(y_test, model.predict(X_test)))
        print(f"RNNClassifier() random_state={seed:<31} spam F1 {scores[-1]:.4f}  fit {seconds:6.1f} s CPU",
              flush=True)
    if scores:
        print(f"RNNClassifier() mean over {len(seeds)} seeds{'':<22} spam F1 {np.mean(scores):.4f}")
    return scores


def _main(argv=None):
    import argparse

    import torch

    parser = argparse.ArgumentParser(description="Quality measurements of the torch estimators (one CPU thread).")
    parser.add_argument("--architectures", nargs="*", help="CNN architectures on digits (default: all)")
    parser.add_argument("--sides", nargs="*", type=int, default=[8, 32], help="image sides (default 8 32)")
    parser.add_argument("--sms", action="store_true", help="RNNClassifier's spam F1 against TF-IDF + LR")
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.architectures is not None:
        from skdl.neural_network._architectures import ARCHITECTURES

        architectures_on_digits(args.architectures or list(ARCHITECTURES), args.sides)
    if args.sms:
        sms_spam_f1(args.seeds)


if __name__ == "__main__":
    import pathlib
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    _main()
