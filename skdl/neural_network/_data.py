"""Data on the device: tensors made once from NumPy, mini-batches cut from them by index.

The whole data set is moved to the device once when it takes less than half of the free
memory there (always on the CPU); otherwise it stays in host memory and each batch is gathered
there, copied into pinned (page-locked) memory and sent with a non-blocking copy, so that the
transfer of the next batch overlaps the computation of the current one.
"""

import numpy as np
import torch


def resolve_device(device):
    """``"auto"`` is CUDA when torch sees a GPU, else the CPU; any other name is kept."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def device_available(device):
    """Whether torch can compute on ``device`` on this machine (other kinds than CPU, CUDA and
    MPS are taken on trust)."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count()
    if device.type == "mps":
        return torch.backends.mps.is_available()
    return True


def fits_on(device, arrays):
    """Whether the arrays take under half of the device's free memory (always true on the CPU)."""
    device = torch.device(device)
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    return sum(array.nbytes for array in arrays) < free / 2


def to_tensors(arrays, device):
    """NumPy arrays as torch tensors, on ``device`` when they fit there (else in host memory)."""
    target = device if fits_on(device, arrays.values()) else "cpu"
    # A read-only input (a memmap, say) is copied: torch refuses to share non-writable memory.
    return {
        name: torch.as_tensor(array if array.flags.writeable else array.copy()).to(target)
        for name, array in arrays.items()
    }


def to_device(tensor, device):
    """``tensor`` on ``device``; from host memory to a GPU through pinned memory, without blocking.

    The copy is asynchronous with respect to the host, and ordered on the device's stream before
    the kernels that read it.
    """
    if tensor.device.type == "cpu" and torch.device(device).type == "cuda":
        tensor = tensor.pin_memory()
    return tensor.to(device, non_blocking=True)  # the tensor itself when it is there already


class TensorDataset(torch.utils.data.Dataset):
    """Named input tensors, targets and sample weights, indexed a whole batch at a time.

    ``dataset[index]`` with a slice or a CPU tensor of indices returns ``(inputs, y, weight)``:
    ``inputs`` a dict ``{name: tensor[index]}`` (the module is called with its values in order),
    ``weight`` None when the data are unweighted. For sequences, ``inputs`` holds ``"x"``, padded
    to the longest sequence, and ``"lengths"``: each batch's ``x`` is cut to the longest sequence
    of the batch.
    """

    def __init__(self, inputs, y, sample_weight=None):
        self.inputs = inputs
        self.y = y
        self.sample_weight = sample_weight
        self.lengths = inputs["lengths"].cpu() if "lengths" in inputs else None

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        longest = None if self.lengths is None else int(self.lengths[index].max())
        return self.take(index if isinstance(index, slice) else index.to(self.y.device), longest)

    def take(self, index, longest=None):
        """The batch at ``index`` (a slice, or indices on the data's device), ``x`` cut to ``longest``."""
        batch = {name: tensor[index] for name, tensor in self.inputs.items()}
        if longest is not None:
            batch["x"] = batch["x"][:, :longest]
        weight = None if self.sample_weight is None else self.sample_weight[index]
        return batch, self.y[index], weight


def make_dataset(inputs, y_index, device, sample_weight=None, channels_last=False):
    """A :class:`TensorDataset` of NumPy ``inputs``, class indices and weights, on ``device``.

    ``channels_last`` stores 4-D images in channels-last memory format. The weights are scaled
    to mean 1 (which changes no weighted mean) so that a batch's
    ``sum_i w_i l_i / |B|`` estimates the weighted mean loss without bias; weights that sum to
    zero (a validation part of zero-weight rows) weigh every row the same instead.
    """
    arrays = {**inputs, "__y": np.asarray(y_index, dtype=np.int64)}
    if sample_weight is not None and sample_weight.sum() > 0:
        arrays["__weight"] = (sample_weight / sample_weight.mean()).astype(np.float32)
    tensors = to_tensors(arrays, device)
    if channels_last and tensors["x"].ndim == 4:
        # Once for the whole set: indexing keeps the layout, so every batch is channels-last.
        tensors["x"] = tensors["x"].contiguous(memory_format=torch.channels_last)
    return TensorDataset(tensors, tensors.pop("__y"), tensors.pop("__weight", None))


class BatchIterator:
    """Mini-batches of a :class:`TensorDataset` by tensor indexing; the skorch ``iterator_*``.

    Shuffling draws one permutation per epoch from ``generator``. Sequences are bucketed: within
    each pool of 50 batches the samples are sorted by length, so a batch holds sequences of
    similar lengths (the recurrence runs for the longest of the batch), and the batches are then
    shuffled. With ``drop_single`` (set for networks with batch normalisation, which cannot
    take batch statistics of one sample) a trailing one-sample training batch is dropped.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None, drop_single=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.drop_single = drop_single and shuffle

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
        return [batch for batch in batches if len(batch) > 1 or not self.drop_single]

    def __len__(self):
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full + (rest > 1 or (rest == 1 and not self.drop_single))

    def __iter__(self):
        batches = self._batches()
        on_storage = batches
        if self.shuffle and batches:
            # The epoch's order goes to the data's device in one copy, not one per batch (a copy
            # from host memory makes the host wait for the device).
            sizes = [len(index) for index in batches]
            on_storage = torch.cat(batches).to(self.dataset.y.device).split(sizes)
        lengths = self.dataset.lengths
        for index, stored in zip(batches, on_storage):
            yield self.dataset.take(stored, None if lengths is None else int(lengths[index].max()))
