"""Hand-written torch loops: the yardstick the deep estimators are timed against.

Written the way a careful torch user would write them, with the settings the estimators use:
from NumPy arrays (as ``fit`` and ``predict_proba`` receive them) moved to the device once,
batches cut by index from a per-epoch permutation made on the device, AdamW and cross-entropy,
inference in large batches without autograd; optionally channels-last images and autocast.
torch is imported by the loops themselves, so that this module (and asv's discovery of the
benchmarks) imports where torch is not installed.
"""

import contextlib

import numpy as np


def _autocast(device, dtype):
    import torch

    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)


def _on_device(X_numpy, device, channels_last):
    import torch

    X = torch.from_numpy(np.ascontiguousarray(X_numpy, dtype=np.float32)).to(device)
    return X.contiguous(memory_format=torch.channels_last) if channels_last and X.ndim == 4 else X


def train_loop(module, X_numpy, y_numpy, *, epochs, batch_size, lr, weight_decay=0.0, device="cpu", seed=0,
               autocast_dtype=None, channels_last=False):
    """Train ``module`` on NumPy ``X``, ``y`` with AdamW and cross-entropy; returns the module."""
    import torch

    module.to(device).train()
    if channels_last:
        module.to(memory_format=torch.channels_last)
    X, y = _on_device(X_numpy, device, channels_last), torch.from_numpy(np.asarray(y_numpy, dtype=np.int64)).to(device)
    optimizer = torch.optim.AdamW(module.parameters(), lr=lr, weight_decay=weight_decay)
    generator = torch.Generator().manual_seed(seed)
    n = len(y)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator).to(device)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            with _autocast(device, autocast_dtype):
                logits = module(X[index])
            loss = torch.nn.functional.cross_entropy(logits.float(), y[index])
            loss.backward()
            optimizer.step()
    return module


def predict_proba_loop(module, X_numpy, *, batch_size=2048, device="cpu", autocast_dtype=None, channels_last=False):
    """Class probabilities from NumPy input to NumPy output, as ``predict_proba`` has to do."""
    import torch

    module.to(device).eval()
    if channels_last:
        module.to(memory_format=torch.channels_last)
    X = _on_device(X_numpy, device, channels_last)
    outputs = []
    with torch.inference_mode(), _autocast(device, autocast_dtype):
        for start in range(0, len(X), batch_size):
            outputs.append(module(X[start:start + batch_size]))
    return torch.softmax(torch.cat(outputs).float(), dim=1).cpu().numpy()
