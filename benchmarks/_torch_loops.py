"""Hand-written torch loops: the yardstick the deep estimators are timed against.

Written the way a careful torch user would write them: the data resident on the device, batches
cut by index from a per-epoch permutation, inference in large batches without autograd.
torch is imported by the loops themselves, so that this module (and asv's discovery of the
benchmarks) imports where torch is not installed.
"""

import numpy as np


def train_loop(module, X, y, *, epochs, batch_size, lr, weight_decay=0.0, device="cpu", seed=0):
    """Train ``module`` with AdamW and cross-entropy; ``X``, ``y`` are tensors already on ``device``."""
    import torch

    module.to(device).train()
    optimizer = torch.optim.AdamW(module.parameters(), lr=lr, weight_decay=weight_decay)
    generator = torch.Generator().manual_seed(seed)
    n = len(y)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator).to(device)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(module(X[index]), y[index])
            loss.backward()
            optimizer.step()
    return module


def predict_proba_loop(module, X_numpy, *, batch_size=2048, device="cpu"):
    """Class probabilities from NumPy input to NumPy output, as ``predict_proba`` has to do."""
    import torch

    module.to(device).eval()
    X = torch.from_numpy(np.ascontiguousarray(X_numpy, dtype=np.float32)).to(device)
    outputs = []
    with torch.inference_mode():
        for start in range(0, len(X), batch_size):
            outputs.append(torch.softmax(module(X[start:start + batch_size]), dim=1))
    return torch.cat(outputs).cpu().numpy()
