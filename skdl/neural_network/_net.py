"""skorch's ``NeuralNet`` with the training steps of the deep estimators.

skorch runs the epochs and the callbacks (early stopping, the learning-rate schedule, timing,
history). This subclass replaces the steps inside an epoch:

- a batch ``(inputs, y, weight)`` from :class:`~skdl.neural_network._data.TensorDataset` is
  moved to the device (channels-last for images on CUDA), augmented in training, and fed to the
  module as ``module(*inputs.values())`` under autocast when a lower precision is asked for;
- the loss is the sample-weighted cross-entropy, computed in float32;
- each epoch's loss is summed on the device and read once per epoch: no host-device
  synchronisation per batch, so the GPU never waits for the Python loop;
- a non-finite epoch loss raises :class:`FloatingPointError` naming the learning rate.
"""

import contextlib
import math

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer

from ..utils._progress import EpochPrinter
from ._data import BatchIterator, to_device

# Rows per forward pass at inference: large enough to keep a GPU busy, small enough for CPU memory.
INFERENCE_BATCH_SIZE = 2048


def weighted_cross_entropy(logits, y, weight):
    """``(sum_i w_i l_i, sum_i w_i)`` of the cross-entropy ``l_i`` of a batch (float32).

    Without weights, ``w_i = 1``. The weights of a training set are scaled to mean 1 (see
    ``make_dataset``), so ``sum_i w_i l_i / |B|`` is an unbiased estimate of the weighted mean
    loss over the whole set, and a row of weight ``k`` pulls as hard as ``k`` copies of it.
    """
    losses = torch.nn.functional.cross_entropy(logits.float(), y, reduction="none")
    if weight is None:
        return losses.sum(), len(y)
    return (weight * losses).sum(), weight.sum()


class ProgressPrinter(Callback):
    """One line per epoch (the training loss, the validation loss, the time) when ``verbose``."""

    def __init__(self, verbose, name):
        self.verbose = verbose
        self.name = name

    def on_train_begin(self, net, **kwargs):
        self.printer_ = EpochPrinter(self.verbose, self.name)

    def on_epoch_end(self, net, **kwargs):
        entry = net.history[-1]
        extra = {"valid_loss": entry["valid_loss"]} if "valid_loss" in entry else {}
        self.printer_.step(entry["epoch"], loss=entry["train_loss"], **extra)


class TrainingNet(NeuralNet):
    """The skorch net of the deep estimators (see the module notes).

    Parameters beyond skorch's
    --------------------------
    autocast_dtype : torch.dtype or None
        Run forward passes under ``torch.autocast`` in this dtype (None: float32).
    channels_last : bool
        Feed 4-D inputs in channels-last memory format (the module is converted too).
    augment : callable or None
        ``augment(x, generator)`` applied to each training batch of images on the device.
    augment_seed : int
        Seeds the device generator that ``augment`` draws from.
    compile_forward : bool
        Run the module through ``torch.compile`` (with ``compile_options``). skorch's own
        ``compile`` (which replaces ``module_`` by the compiled module, changing the names in its
        state dict) stays off.
    eval_in_training : list of torch.nn.Module
        Submodules kept in evaluation mode while training (a frozen backbone: its batch
        normalisation statistics and dropout stay fixed).
    name : str
        The estimator's name, for messages.
    """

    def __init__(
        self, module, *args, autocast_dtype=None, channels_last=False, augment=None, augment_seed=0,
        compile_forward=False, compile_options=None, eval_in_training=(), name="The network", **kwargs,
    ):
        super().__init__(module, *args, **kwargs)
        self.autocast_dtype = autocast_dtype
        self.channels_last = channels_last
        self.augment = augment
        self.augment_seed = augment_seed
        self.compile_forward = compile_forward
        self.compile_options = compile_options
        self.eval_in_training = eval_in_training
        self.name = name

    def get_default_callbacks(self):
        return [("epoch_timer", EpochTimer())]

    def get_all_learnable_params(self):
        # Frozen parameters stay out of the optimiser (no weight decay, no state).
        for name, parameter in self.module_.named_parameters():
            if parameter.requires_grad:
                yield name, parameter

    def initialize_module(self):
        super().initialize_module()
        self._set_plain("_forward_function", None)
        self._set_plain("_augment_generator", None)
        return self

    def _set_plain(self, name, value):
        # skorch's __setattr__ registers torch modules as components of the net (moved, saved,
        # switched to training mode); the compiled forward is a cache, not a component.
        object.__setattr__(self, name, value)

    def _set_training(self, training=True):
        super()._set_training(training)
        if training:
            for module in self.eval_in_training:
                module.eval()

    # -- one batch -------------------------------------------------------------------------------

    def _forward(self, inputs, autocast_dtype):
        if self._forward_function is None:
            if self.channels_last:
                self.module_.to(memory_format=torch.channels_last)
            forward = self.module_
            if self.compile_forward:
                forward = torch.compile(self.module_, **(self.compile_options or {}))
            self._set_plain("_forward_function", forward)
        autocast = (
            torch.autocast(torch.device(self.device).type, dtype=autocast_dtype)
            if autocast_dtype is not None else contextlib.nullcontext()
        )
        with autocast:
            return self._forward_function(*inputs.values())

    def _on_device(self, batch):
        inputs, y, weight = batch
        inputs = {name: to_device(tensor, self.device) for name, tensor in inputs.items()}
        if self.channels_last and inputs["x"].ndim == 4:
            inputs["x"] = inputs["x"].contiguous(memory_format=torch.channels_last)
        y = to_device(y, self.device)
        return inputs, y, None if weight is None else to_device(weight, self.device)

    def _augmented(self, x):
        if self._augment_generator is None:
            self._set_plain("_augment_generator", torch.Generator(device=x.device).manual_seed(self.augment_seed))
        return self.augment(x, self._augment_generator)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        inputs, y, weight = self._on_device(batch)
        if self.augment is not None:
            inputs["x"] = self._augmented(inputs["x"])
        self.optimizer_.zero_grad(set_to_none=True)
        loss_sum, weight_sum = weighted_cross_entropy(self._forward(inputs, self.autocast_dtype), y, weight)
        (loss_sum / len(y)).backward()
        self.optimizer_.step()
        return {"loss_sum": loss_sum.detach(), "weight_sum": weight_sum}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        inputs, y, weight = self._on_device(batch)
        with torch.no_grad():
            loss_sum, weight_sum = weighted_cross_entropy(self._forward(inputs, self.autocast_dtype), y, weight)
        return {"loss_sum": loss_sum, "weight_sum": weight_sum}

    # -- one epoch -------------------------------------------------------------------------------

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        loss_sum = torch.zeros((), device=self.device)
        weight_sum = torch.zeros((), device=self.device)
        n_batches = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            loss_sum += step["loss_sum"]
            weight_sum += step["weight_sum"]
            self.notify("on_batch_end", batch=batch, training=training, **step)
            n_batches += 1
        loss = (loss_sum / weight_sum).item()  # the one synchronisation of the epoch
        if training and not math.isfinite(loss):
            epoch = len(self.history)
            raise FloatingPointError(
                f"{self.name} diverged: the training loss became {loss} at epoch {epoch}. The "
                f"learning rate (lr={self.lr:g}) is too large for this data, or X has too large "
                "values: lower it, or scale X."
            )
        self.history.record(f"{prefix}_loss", loss)
        self.history.record(f"{prefix}_batch_count", n_batches)

    # -- inference -------------------------------------------------------------------------------

    def logits(self, dataset, autocast_dtype=None):
        """The module's outputs on every row of ``dataset``, in order, as a float32 CPU tensor.

        ``autocast_dtype`` None runs in float32; a dtype (bfloat16) under autocast.
        """
        self._set_training(False)
        # torch.compile'd graphs are not guaranteed under inference_mode; no_grad is enough there.
        mode = torch.no_grad() if self.compile_forward else torch.inference_mode()
        outputs = []
        with mode:
            for batch in BatchIterator(dataset, INFERENCE_BATCH_SIZE):
                inputs, _, _ = self._on_device(batch)
                outputs.append(self._forward(inputs, autocast_dtype))
        return torch.cat(outputs).float().cpu()
