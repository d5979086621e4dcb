"""The shared base of the torch estimators: a skorch net composed as ``net_``, built in ``fit``.

skorch is the training engine (its fit loop, callbacks, history and early stopping; the steps
inside an epoch are :class:`~skdl.neural_network._net.TrainingNet`'s). What this module adds is
what makes the result a scikit-learn estimator:

- the net is built in ``fit`` from the estimator's parameters, after torch is seeded from
  ``random_state`` (inside :func:`torch.random.fork_rng`, so the caller's torch RNG is untouched);
- validation: float32 range, classes, sample weights, the early-stopping split (the shared
  :func:`~skdl.utils._validation.validation_split`);
- state: a fit that fails leaves the estimator unfitted, ``partial_fit`` continues a fit;
- torch's CPU thread count, a process-wide setting, is held through a reference-counted scope,
  so concurrent fits in threads neither race nor leave it changed;
- pickles hold CPU state dicts, so a net trained on a GPU loads on a CPU-only machine.
"""

import contextlib
import functools
import math
import threading
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import EarlyStopping, LRScheduler
from skorch.helper import predefined_split
from skorch.history import History

from ..utils._compat import Interval, Options, StrOptions, _fit_context
from ..utils._threads import ScopedProcessSetting, effective_n_jobs
from ..utils._validation import (
    check_classification_labels, check_sample_weight, check_two_classes, class_indices, validation_split,
)
from ._data import BatchIterator, device_available, make_dataset, resolve_device
from ._net import INFERENCE_BATCH_SIZE, ProgressPrinter, TrainingNet

_OPTIMIZERS = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}

# Arguments of torch.compile when compile=True (the suite sets a fast backend to test the path).
COMPILE_OPTIONS = {}

_TORCH_THREADS = ScopedProcessSetting(
    save=torch.get_num_threads, apply=torch.set_num_threads, restore=torch.set_num_threads
)


def torch_threads(n_jobs):
    """Context manager: torch computes on ``n_jobs`` CPU threads (None means 1, -1 every core).

    One thread is the default because the small networks of this package gain little from
    more, while torch's default (a thread per core) slows to a crawl when the cores are shared
    with other processes, for instance the workers of a ``GridSearchCV(n_jobs=-1)``. The count is
    process-wide: fits running at once in threads share the count of the first to start, and
    the last to finish puts back the caller's.
    """
    return _TORCH_THREADS.scope(1 if n_jobs is None else effective_n_jobs(n_jobs))


# torch has one default random generator per process (and per GPU), which weight initialisation
# and dropout draw from: fits running at once in threads take turns on it.
_GLOBAL_RNG_LOCK = threading.Lock()


@contextlib.contextmanager
def seeded(seed, device):
    """Seed torch's CPU (and this CUDA device's) generator, restoring the caller's state after.

    The block holds the process's torch generator: a fit in another thread waits for it, so
    that concurrent fits give the results of serial ones (their predictions do not wait).
    """
    device = torch.device(device)
    cuda = [device.index or 0] if device.type == "cuda" and torch.cuda.is_available() else []
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=cuda):
        torch.manual_seed(seed)
        yield


def autocast_dtype(precision, device):
    """The dtype of autocast for ``precision`` on ``device``, or None for float32 throughout.

    ``"auto"`` is bfloat16 on a CUDA device that supports it, float32 elsewhere; ``"bfloat16"``
    is bfloat16 on any device (autocast on the CPU too).
    """
    if precision == "bfloat16":
        return torch.bfloat16
    if precision == "auto" and torch.device(device).type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


def uses_channels_last(device, images):
    """Channels-last memory for image batches on CUDA (what cuDNN's fastest kernels read)."""
    return images and torch.device(device).type == "cuda"


def cosine_factor(epoch, total, floor=0.01):
    """Cosine decay of the learning rate from 1 to ``floor`` over ``total`` epochs, then ``floor``."""
    progress = min(epoch, total) / max(total, 1)
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def as_float32(X, name="X"):
    """``X`` (finite, validated) as C-contiguous float32, refusing values float32 cannot hold.

    The networks compute in float32 (or lower): values beyond its range (about 3.4e38) would
    become infinite, and data whose largest value is below its smallest normal number (about
    1.2e-38) would become zeros, and either way every sample would look the same.
    """
    if X.dtype == np.float32 or X.size == 0:
        return np.ascontiguousarray(X)  # finite float32 (validated) is what the network takes
    largest = max(float(X.max()), -float(X.min()))
    limits = np.finfo(np.float32)
    if largest > float(limits.max):
        raise ValueError(
            f"{name} has values up to {largest:.3g} in magnitude, beyond float32's range "
            f"({limits.max:.3g}) in which the network computes: rescale {name} (for example with "
            "sklearn.preprocessing.StandardScaler)."
        )
    if 0 < largest < float(limits.smallest_normal):
        raise ValueError(
            f"{name}'s values are all below {largest:.3g} in magnitude, under float32's smallest "
            f"normal number ({limits.smallest_normal:.3g}) in which the network computes: rescale "
            f"{name} (for example with sklearn.preprocessing.StandardScaler)."
        )
    return np.ascontiguousarray(X, dtype=np.float32)


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


def _fitted_attributes(estimator):
    return [name for name in vars(estimator) if name.endswith("_") and not name.startswith(("_", "module__"))]


@contextlib.contextmanager
def forget_fit_on_error(estimator):
    """If the block raises, remove every fitted attribute (``name_``) of ``estimator`` and re-raise.

    Like :func:`skdl.utils._fit_state.discard_state_on_error`, except that private attributes
    stay: scikit-learn's callback machinery (1.9) sets ``_parent_callback_ctx`` on an estimator
    around its ``fit`` inside ``GridSearchCV`` and deletes it afterwards.
    """
    try:
        yield
    except BaseException:
        for name in _fitted_attributes(estimator):
            delattr(estimator, name)
        raise


def _label_types(y):
    """The Python types of an object array's labels, by name (empty for a typed array)."""
    y = np.asarray(y)
    if y.dtype != object:
        return set()

    def kind(label):
        if isinstance(label, str):
            return "str"
        return "number" if isinstance(label, (Integral, Real)) else type(label).__name__

    return {kind(label) for label in y.ravel()}


class SkorchClassifierBase(ClassifierMixin, BaseEstimator):
    """What the torch classifiers share: the skorch net, training, inference and pickling.

    Subclasses define ``_validate_fit_inputs(X, y, reset)`` and ``_validate_predict_inputs(X)``
    (which return a dict of NumPy arrays, the module's inputs in order) and ``_build_module()``;
    they may override ``_initial_module(previous)`` (the starting weights), ``_net_options()``
    (extra :class:`TrainingNet` arguments) and ``_has_batch_norm(module)``.
    """

    # Whether X holds images (for the channels-last memory format on CUDA).
    _images = False

    _parameter_constraints = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "schedule": [StrOptions({"cosine", "constant"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str],
        "precision": [StrOptions({"auto", "float32", "bfloat16"})],
        "compile": ["boolean"],
        "n_jobs": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1}), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- classes and weights ---------------------------------------------------------------------

    def _set_classes(self, y, classes=None):
        y = check_classification_labels(np.asarray(y))
        labels = y if classes is None else check_classification_labels(np.asarray(classes))
        self.classes_ = np.unique(labels)
        check_two_classes(self.classes_, type(self).__name__)

    def _class_indices(self, y):
        """``y`` as indices into ``classes_``, refusing labels outside it."""
        y = check_classification_labels(np.asarray(y))
        if len(_label_types(np.concatenate([np.asarray(y, dtype=object), self.classes_.astype(object)]))) > 1:
            raise ValueError(f"y holds labels of another type than the classes {self.classes_.tolist()}.")
        return class_indices(y, self.classes_)

    @staticmethod
    def _sample_weight(sample_weight, y):
        if sample_weight is None:
            return None
        return check_sample_weight(sample_weight, y, dtype=np.float64)

    # -- building the net ------------------------------------------------------------------------

    def _initial_module(self, previous=None):
        """The module training starts from: freshly initialised (subclasses may warm-start it)."""
        return self._build_module()

    def _net_options(self, module):
        """Extra :class:`TrainingNet` arguments and skorch parameters (subclasses add to them)."""
        return {}

    @staticmethod
    def _has_batch_norm(module):
        kinds = (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.BatchNorm3d, torch.nn.SyncBatchNorm)
        return any(isinstance(layer, kinds) for layer in module.modules())

    def _learning_rate(self):
        """``lr``, as resolved for this fit (subclasses may give None a meaning)."""
        return self.lr

    def _optimizer_params(self):
        if self.optimizer != "sgd":
            return {}
        return {"momentum": self.momentum, "nesterov": bool(self.nesterov and self.momentum > 0)}

    def _make_net(self, module, device, valid=None):
        """The skorch net around ``module``; early stopping only when ``valid`` data are given.

        The callbacks run in order at the end of an epoch: the progress line first, so that the
        epoch on which early stopping ends the training is printed too.
        """
        callbacks = [("progress", ProgressPrinter(self.verbose, type(self).__name__))]
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
        options = self._net_options(module)
        net = TrainingNet(
            module=module,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=_OPTIMIZERS[self.optimizer],
            lr=self._learning_rate(),
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_valid=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__generator=generator,
            iterator_train__drop_single=self._has_batch_norm(module),
            iterator_valid__batch_size=INFERENCE_BATCH_SIZE,
            train_split=None if valid is None else predefined_split(valid),
            callbacks=callbacks,
            device=device,
            verbose=0,
            autocast_dtype=autocast_dtype(self.precision, device),
            compile_forward=self.compile,
            compile_options=COMPILE_OPTIONS,
            name=type(self).__name__,
            optimizer__weight_decay=self.weight_decay,
            **{f"optimizer__{key}": value for key, value in self._optimizer_params().items()},
            **options,
        )
        return net.initialize()

    def _check_batches(self, module, n_train):
        """A network with batch normalisation needs batches of two samples or more."""
        if self._has_batch_norm(module) and (self.batch_size < 2 or n_train < 2):
            raise ValueError(
                f"batch_size={self.batch_size} with {n_train} training sample(s): batch normalisation "
                "needs at least 2 samples per batch to take their statistics. Use batch_size >= 2 "
                "(and 2 samples or more), or a network without batch normalisation."
            )

    def _device(self):
        device = resolve_device(self.device)
        try:
            torch.device(device)
        except RuntimeError as error:
            raise ValueError(f"device={self.device!r} is not a torch device: {error}") from None
        if not device_available(device):
            raise ValueError(f"device={self.device!r}, but torch sees no such device here; use 'auto' or 'cpu'.")
        return device

    def _dataset(self, inputs, y_index, sample_weight=None):
        return make_dataset(
            inputs, y_index, self.device_, sample_weight, channels_last=uses_channels_last(self.device_, self._images)
        )

    def _seeds(self):
        """Draw the seeds of torch, the shuffling and the augmentation; return the generator."""
        rng = check_random_state(self.random_state)
        self._torch_seed, self._shuffle_seed, self._augment_seed = (
            int(s) for s in rng.randint(np.iinfo(np.int32).max, size=3)
        )
        return rng

    def _split(self, inputs, y_index, sample_weight, rng):
        """Training and validation parts: the shared stratified hold-out when early stopping is on."""
        if not self.early_stopping:
            return (inputs, y_index, sample_weight), None
        train, valid = validation_split(
            len(y_index), self.validation_fraction, rng.randint(np.iinfo(np.int32).max), classes=y_index
        )

        def take(index):
            weight = None if sample_weight is None else sample_weight[index]
            return {name: array[index] for name, array in inputs.items()}, y_index[index], weight

        return take(train), take(valid)

    # -- fitting ---------------------------------------------------------------------------------

    def _previous_fit(self):
        """What a warm start continues from (see the subclasses); None by default."""
        return None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train a network for ``max_epochs`` epochs (fewer with early stopping).

        Parameters
        ----------
        X : array-like
            Training inputs (see the class documentation for the accepted forms).
        y : array-like of shape (n_samples,)
            Class labels, of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss (and in the early-stopping validation loss): a
            weight ``k`` counts like ``k`` copies of the sample, up to the randomness of the
            batches. None weighs every sample 1.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        previous = self._previous_fit()
        # A new fit starts from nothing: what an earlier fit learned (a vocabulary, best_epoch_...)
        # must not survive into this one; and if this fit fails, nothing of it survives either.
        for name in _fitted_attributes(self):
            delattr(self, name)
        with forget_fit_on_error(self):
            inputs, y = self._validate_fit_inputs(X, y)
            sample_weight = self._sample_weight(sample_weight, y)
            self._set_classes(y)
            y_index = np.searchsorted(self.classes_, y)
            rng = self._seeds()
            self.device_ = self._device()
            train, valid = self._split(inputs, y_index, sample_weight, rng)
            net = self._train_new_net(train, valid, self.max_epochs, previous)
            self.n_iter_ = len(net.history)
            if valid is not None:
                self._finish_early_stopping(net)
            self.net_ = net
        return self

    def _train_new_net(self, train, valid, epochs, previous=None):
        """Build the network (seeded), put it in a net and train it: ``train``, ``valid`` are
        ``(inputs, class indices, weights)``, ``valid`` None without early stopping."""
        with torch_threads(self.n_jobs), seeded(self._torch_seed, self.device_):
            module = self._initial_module(previous)
            self._check_batches(module, len(train[1]))
            net = self._make_net(module, self.device_, None if valid is None else self._dataset(*valid))
            net.partial_fit(self._dataset(*train), None, epochs=epochs)
        return net

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
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one more epoch on ``(X, y)`` (building the network on the first call).

        The learning-rate schedule goes on from where it was (it ends at 1% of ``lr`` after
        ``max_epochs`` epochs); no data are held out for early stopping. ``n_iter_`` counts the
        epochs: those of ``fit`` (if any) plus one per call.

        Parameters
        ----------
        X : array-like
            Training inputs, of the form seen on the first call.
        y : array-like of shape (n_samples,)
            Class labels, among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class label, needed on the first call when ``y`` lacks some (default: the
            labels in ``y``). A later call may repeat the same classes; other classes raise a
            ValueError (the output layer has one unit per class of the first call).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in this call's loss (relative to the others of the call).

        Returns
        -------
        self : object
            The estimator.
        """
        if not hasattr(self, "net_"):
            for name in _fitted_attributes(self):
                delattr(self, name)
            with forget_fit_on_error(self):
                inputs, y = self._validate_fit_inputs(X, y)
                sample_weight = self._sample_weight(sample_weight, y)
                self._set_classes(y, classes)
                y_index = self._class_indices(y)
                self._seeds()
                self.device_ = self._device()
                self.net_ = self._train_new_net((inputs, y_index, sample_weight), None, epochs=1)
                self.n_iter_ = 1
            return self
        if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the first call "
                f"{self.classes_.tolist()}; the network has one output per class. Fit afresh to change them."
            )
        inputs, y = self._validate_fit_inputs(X, y, reset=False)
        sample_weight = self._sample_weight(sample_weight, y)
        y_index = self._class_indices(y)
        dataset = self._dataset(inputs, y_index, sample_weight)
        self.net_.autocast_dtype = autocast_dtype(self.precision, self.device_)
        # Each call's dropout draws from a seed of its own, so a sequence of calls repeats.
        seed = self._torch_seed + self.n_iter_
        with forget_fit_on_error(self), torch_threads(self.n_jobs), seeded(seed, self.device_):
            self.net_.partial_fit(dataset, None, epochs=1)
            self.n_iter_ += 1
        return self

    # -- prediction ------------------------------------------------------------------------------

    def _logits(self, inputs):
        """Forward passes over ``inputs`` in large batches, without a DataLoader or autograd.

        Sequences are run sorted by length (so little padding is computed) and put back in order.
        """
        n = len(next(iter(inputs.values())))
        order = np.argsort(inputs["lengths"], kind="stable") if "lengths" in inputs else None
        if order is not None:
            inputs = {name: array[order] for name, array in inputs.items()}
        dataset = self._dataset(inputs, np.zeros(n, dtype=np.int64))
        # The precision in force now, which may differ from the fit's (set_params after fit).
        with torch_threads(self.n_jobs):
            logits = self.net_.logits(dataset, autocast_dtype(self.precision, self.device_)).numpy()
        if order is None:
            return logits
        unsorted = np.empty_like(logits)
        unsorted[order] = logits
        return unsorted

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
        """The training history kept by skorch: one dict per epoch (``train_loss``, ``valid_loss``, ...)."""
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
        if not device_available(self.device_):
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
