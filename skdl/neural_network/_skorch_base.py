"""The shared base of the torch estimators: a skorch net composed as ``net_``, built in ``fit``.

skorch is the training engine (its fit loop, callbacks, history and early stopping). What this
module adds is what makes the result a scikit-learn estimator and fast from NumPy:

- the net is built in ``fit`` from the estimator's parameters, after torch is seeded from
  ``random_state`` (inside :func:`torch.random.fork_rng`, so the caller's torch RNG is untouched);
- batches are cut from whole tensors by index (:class:`TensorDataset`, :class:`BatchIterator`),
  never by a Python call per sample, and the data set is moved to the device once when it fits;
- inference runs in large batches under ``torch.inference_mode`` without a DataLoader;
- early stopping holds out a stratified split of ``fit``'s data and restores the best weights;
- pickles hold CPU state dicts, so a net trained on a GPU loads on a CPU-only machine.
"""

import contextlib
import functools
import math
import os
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, LRScheduler
from skorch.helper import predefined_split
from skorch.history import History

from ..utils._compat import Interval, Options, StrOptions, _fit_context
from ..utils._validation import check_classification_labels

_OPTIMIZERS = {
    "adamw": (torch.optim.AdamW, {}),
    "adam": (torch.optim.Adam, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
}

# Rows per forward pass at inference: large enough to keep a GPU busy, small enough for CPU memory.
INFERENCE_BATCH_SIZE = 2048


def resolve_device(device):
    """``"auto"`` is CUDA when torch sees a GPU, else the CPU; any other name is kept."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _device_available(device):
    kind = torch.device(device).type
    return kind == "cpu" or (kind == "cuda" and torch.cuda.is_available())


@contextlib.contextmanager
def seeded(seed, device):
    """Seed torch's CPU (and this CUDA device's) generator, restoring the caller's state after."""
    device = torch.device(device)
    cuda = [device.index or 0] if device.type == "cuda" and torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(seed)
        yield


@contextlib.contextmanager
def torch_threads(n_jobs):
    """Run with ``n_jobs`` torch CPU threads: None means 1 (as in scikit-learn), -1 every core.

    One thread is the default because the small networks of this package gain little from
    more, while torch's default (a thread per core) slows to a crawl when the cores are shared
    with other processes, for instance the workers of a ``GridSearchCV(n_jobs=-1)``.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads({None: 1, -1: os.cpu_count()}.get(n_jobs, n_jobs))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _fits_on(device, arrays):
    """Whether the arrays take under half of the device's free memory (always true on the CPU)."""
    device = torch.device(device)
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    return sum(array.nbytes for array in arrays) < free / 2


def to_tensors(arrays, device):
    """NumPy arrays as torch tensors, on ``device`` when they fit there (else on the CPU)."""
    target = device if _fits_on(device, arrays.values()) else "cpu"
    # A read-only input (a memmap, say) is copied: torch refuses to share non-writable memory.
    return {
        name: torch.as_tensor(array if array.flags.writeable else array.copy()).to(target)
        for name, array in arrays.items()
    }


class TensorDataset(torch.utils.data.Dataset):
    """Named input tensors and targets, indexed a whole batch at a time.

    ``dataset[index]`` with a slice or a CPU tensor of indices returns ``({name: tensor[index]},
    y[index])``; the module is called as ``module(**inputs)``. For sequences, ``inputs`` holds
    ``"x"`` padded to the longest sequence and ``"lengths"``: each batch's ``x`` is then cut to the
    longest sequence of the batch.
    """

    def __init__(self, inputs, y):
        self.inputs = inputs
        self.y = y
        self.lengths = inputs["lengths"].cpu() if "lengths" in inputs else None

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        on_device = index if isinstance(index, slice) else index.to(self.y.device)
        batch = {name: tensor[on_device] for name, tensor in self.inputs.items()}
        if self.lengths is not None:
            batch["x"] = batch["x"][:, : int(self.lengths[index].max())]
        return batch, self.y[on_device]


class BatchIterator:
    """Mini-batches of a :class:`TensorDataset` by tensor indexing; the skorch ``iterator_*``.

    Shuffling draws one permutation per epoch from ``generator``. Sequences are bucketed: within
    each pool of 50 batches the samples are sorted by length, so a batch holds sequences of
    similar lengths (the recurrence runs for the longest of the batch), and the batches are then
    shuffled. A single-sample batch is dropped in training (it would make batch normalisation
    fail and adds only noise).
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def _batches(self):
        n = len(self.dataset)
        if not self.shuffle:
            return [slice(start, start + self.batch_size) for start in range(0, n, self.batch_size)]
        order = torch.randperm(n, generator=self.generator)
        lengths = self.dataset.lengths
        if lengths is not None:
            pools = order.split(50 * self.batch_size)
            order = torch.cat([pool[torch.argsort(lengths[pool], stable=True)] for pool in pools])
        batches = order.split(self.batch_size)
        if lengths is not None:
            batches = [batches[i] for i in torch.randperm(len(batches), generator=self.generator)]
        return [batch for batch in batches if len(batch) > 1 or n == 1]

    def __len__(self):
        n = len(self.dataset)
        full, rest = divmod(n, self.batch_size)
        return full + (rest > 1 or (rest == 1 and (not self.shuffle or n == 1)))

    def __iter__(self):
        for index in self._batches():
            yield self.dataset[index]


def cosine_factor(epoch, total, floor=0.01):
    """Cosine decay of the learning rate from 1 to ``floor`` over ``total`` epochs, then ``floor``."""
    progress = min(epoch, total) / max(total, 1)
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def _to_numpy(value):
    """A state dict with every tensor as a CPU numpy array: plain data that pickle and skops store
    without torch types, and that loads on a machine without the GPU it was trained on."""
    if torch.is_tensor(value):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {key: _to_numpy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(item) for item in value)
    return value


def _to_tensors(value):
    """Inverse of :func:`_to_numpy`: arrays back to (CPU) tensors."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, dict):
        return {key: _to_tensors(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_tensors(item) for item in value)
    return value


class SkorchClassifierBase(ClassifierMixin, BaseEstimator):
    """What the torch classifiers share: the skorch net, training, inference and pickling.

    Subclasses define ``_validate_fit_inputs(X, y)`` and ``_validate_predict_inputs(X)`` (which
    return a dict of NumPy arrays, the module's keyword arguments) and ``_build_module()``.
    """

    _parameter_constraints = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "schedule": [StrOptions({"cosine", "constant"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str],
        "n_jobs": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1}), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- fitting ---------------------------------------------------------------------------------

    def _validate_targets(self, y):
        y = check_classification_labels(y)
        unseen = np.setdiff1d(y, self.classes_)
        if unseen.size:
            raise ValueError(f"y contains labels {unseen.tolist()} not in classes {self.classes_.tolist()}.")
        return np.searchsorted(self.classes_, y)

    def _set_classes(self, y, classes=None):
        y = check_classification_labels(y)
        self.classes_ = np.unique(y if classes is None else classes)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0]!r}."
            )

    def _make_net(self, module, device, valid=None):
        """The skorch net around ``module``; early stopping only when ``valid`` data are given."""
        optimizer, optimizer_params = _OPTIMIZERS[self.optimizer]
        callbacks = []
        if self.schedule == "cosine":
            factor = functools.partial(cosine_factor, total=self.max_epochs)
            schedule = LRScheduler(policy=torch.optim.lr_scheduler.LambdaLR, lr_lambda=factor)
            callbacks.append(("lr_schedule", schedule))
        if valid is not None:
            stopping = EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change, threshold=self.tol,
                threshold_mode="abs", load_best=True,
            )
            callbacks.append(("early_stopping", stopping))
        generator = torch.Generator().manual_seed(self._shuffle_seed)
        # skorch prints a table of the epochs through its "print_log" callback: only when verbose.
        quiet = {} if self.verbose else {"callbacks__print_log": None}
        return NeuralNet(
            module=module,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_valid=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__generator=generator,
            iterator_valid__batch_size=INFERENCE_BATCH_SIZE,
            train_split=None if valid is None else predefined_split(valid),
            callbacks=callbacks,
            **quiet,
            device=device,
            verbose=int(self.verbose),
            **{f"optimizer__{key}": value for key, value in optimizer_params.items()},
            optimizer__weight_decay=self.weight_decay,
        ).initialize()

    def _split(self, inputs, y_index, rng):
        """Training and validation inputs: a stratified hold-out when early stopping is on."""
        if not self.early_stopping:
            return inputs, y_index, None
        counts = np.bincount(y_index)
        stratify = y_index if counts[counts > 0].min() >= 2 else None
        train, valid = train_test_split(
            np.arange(len(y_index)), test_size=self.validation_fraction, stratify=stratify,
            random_state=rng.randint(np.iinfo(np.int32).max),
        )
        take = lambda index: {name: array[index] for name, array in inputs.items()}  # noqa: E731
        return take(train), y_index[train], (take(valid), y_index[valid])

    def _dataset(self, inputs, y_index):
        tensors = to_tensors({**inputs, "__y": y_index.astype(np.int64)}, self.device_)
        y = tensors.pop("__y")
        return TensorDataset(tensors, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train a freshly built network for ``max_epochs`` epochs (fewer with early stopping).

        Parameters
        ----------
        X : array-like
            Training inputs (see the class documentation for the accepted forms).
        y : array-like of shape (n_samples,)
            Class labels, of any type.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        # A new fit starts from nothing: what an earlier fit learned (a vocabulary, best_epoch_...)
        # must not survive into this one.
        for stale in [name for name in vars(self) if name.endswith("_") and not name.endswith("__")]:
            del self.__dict__[stale]
        inputs, y = self._validate_fit_inputs(X, y)
        self._set_classes(y)
        y_index = np.searchsorted(self.classes_, y)
        rng = check_random_state(self.random_state)
        seed, self._shuffle_seed = (int(s) for s in rng.randint(np.iinfo(np.int32).max, size=2))
        self.device_ = resolve_device(self.device)
        train_inputs, train_y, valid = self._split(inputs, y_index, rng)
        valid_dataset = None if valid is None else self._dataset(*valid)
        with torch_threads(self.n_jobs), seeded(seed, self.device_):
            net = self._make_net(self._build_module(), self.device_, valid_dataset)
            net.partial_fit(self._dataset(train_inputs, train_y), None, epochs=self.max_epochs)
        self.n_iter_ = len(net.history)
        if valid is not None:
            self._finish_early_stopping(net)
        self.net_ = net
        return self

    def _finish_early_stopping(self, net):
        stopping = dict(net.callbacks_)["early_stopping"]
        self.best_epoch_ = int(stopping.best_epoch_)
        if stopping.misses_ < self.n_iter_no_change:
            warnings.warn(
                f"{type(self).__name__} ran all max_epochs={self.max_epochs} epochs and the validation "
                "loss was still improving; increase max_epochs.",
                ConvergenceWarning,
            )
        # The held-out data and the stopping rule belong to this fit; partial_fit trains on all it gets.
        net.train_split = None
        net.callbacks = [(name, callback) for name, callback in net.callbacks if name != "early_stopping"]
        net.initialize_callbacks()

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one more epoch on ``(X, y)`` (building the network on the first call).

        The learning-rate schedule goes on from where it was (it ends at 1% of ``lr`` after
        ``max_epochs`` epochs); no data are held out for early stopping.

        Parameters
        ----------
        X : array-like
            Training inputs, of the form seen on the first call.
        y : array-like of shape (n_samples,)
            Class labels, among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class label, needed on the first call when ``y`` lacks some (default:
            the labels in ``y``). Ignored afterwards.

        Returns
        -------
        self : object
            The estimator.
        """
        first_call = not hasattr(self, "net_")
        if first_call:
            inputs, y = self._validate_fit_inputs(X, y)
            self._set_classes(y, classes)
            rng = check_random_state(self.random_state)
            seed, self._shuffle_seed = (int(s) for s in rng.randint(np.iinfo(np.int32).max, size=2))
            self.device_ = resolve_device(self.device)
        else:
            inputs, y = self._validate_fit_inputs(X, y, reset=False)
        y_index = self._validate_targets(y)
        with torch_threads(self.n_jobs):
            if first_call:
                with seeded(seed, self.device_):
                    self.net_ = self._make_net(self._build_module(), self.device_)
            self.net_.partial_fit(self._dataset(inputs, y_index), None, epochs=1)
        self.n_iter_ = 1
        return self

    # -- prediction ------------------------------------------------------------------------------

    def _logits(self, inputs):
        """Forward passes over ``inputs`` in large batches, without a DataLoader or autograd.

        Sequences are run sorted by length (so little padding is computed) and put back in order.
        """
        n = len(next(iter(inputs.values())))
        order = np.argsort(inputs["lengths"], kind="stable") if "lengths" in inputs else np.arange(n)
        ordered = {name: array[order] for name, array in inputs.items()}
        dataset = self._dataset(ordered, np.zeros(n, dtype=np.int64))
        module = self.net_.module_
        module.eval()
        outputs = []
        with torch_threads(self.n_jobs), torch.inference_mode():
            for start in range(0, n, INFERENCE_BATCH_SIZE):
                batch, _ = dataset[slice(start, start + INFERENCE_BATCH_SIZE)]
                outputs.append(module(**{name: t.to(self.device_) for name, t in batch.items()}))
        logits = np.empty((n, len(self.classes_)), dtype=np.float32)
        logits[order] = torch.cat(outputs).float().cpu().numpy()
        return logits

    def predict_proba(self, X):
        """Class probabilities: the softmax of the network's outputs.

        Parameters
        ----------
        X : array-like
            Inputs of the form seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        logits = self._logits(self._validate_predict_inputs(X))
        return softmax(logits.astype(np.float64), axis=1)

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : array-like
            Inputs of the form seen in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        logits = self._logits(self._validate_predict_inputs(X))
        return self.classes_[np.argmax(logits, axis=1)]

    @property
    def history_(self):
        """skorch's training history: one dict per epoch (``train_loss``, ``valid_loss``, ...)."""
        check_is_fitted(self)
        return self.net_.history

    @property
    def module_(self):
        """The trained torch module."""
        check_is_fitted(self)
        return self.net_.module_

    # -- pickling --------------------------------------------------------------------------------

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ returns __dict__ itself
        net = state.pop("net_", None)
        if net is not None:
            state["_net_state"] = {
                "module": _to_numpy(dict(net.module_.state_dict())),
                "optimizer": _to_numpy(net.optimizer_.state_dict()),
                "history": net.history.to_list(),
            }
        return state

    def __setstate__(self, state):
        net_state = state.pop("_net_state", None)
        super().__setstate__(state)
        if net_state is None:
            return
        if not _device_available(self.device_):
            # Trained on a GPU, loaded where there is none: the CPU state dicts load as they are.
            self.device_ = "cpu"
        with seeded(0, self.device_):
            module = self._build_module()
        module.load_state_dict(_to_tensors(net_state["module"]))
        net = self._make_net(module, self.device_)
        net.optimizer_.load_state_dict(_to_tensors(net_state["optimizer"]))
        net.history = History(net_state["history"])
        self.net_ = net

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # GPU kernels (cuDNN convolutions, atomics) are not bitwise repeatable; CPU runs are.
        tags.non_deterministic = resolve_device(self.device) != "cpu"
        return tags
