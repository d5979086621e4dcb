"""Neural networks: the from-scratch numpy perceptron and the torch-backed deep classifiers.

``MLPClassifier`` and ``MLPRegressor`` are numpy only. ``CNNClassifier``, ``RNNClassifier`` and
``ImageAugmentation`` (the CNN's ``augment``) are imported on first use, so
``import skdl.neural_network`` never imports torch; using them without torch and skorch raises
an ImportError naming the extra to install. Where torch or skorch is missing they are left out of
``__all__`` and ``dir()``, so ``from skdl.neural_network import *`` still works.
"""

import importlib
import importlib.util

from ._mlp import MLPClassifier, MLPRegressor

_TORCH_ESTIMATORS = {"CNNClassifier": "._cnn", "ImageAugmentation": "._augment", "RNNClassifier": "._rnn"}


def _torch_installed():
    # find_spec locates a package without importing it (and a broken finder counts as missing).
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("torch", "skorch"))
    except ImportError:
        return False


__all__ = sorted(["MLPClassifier", "MLPRegressor", *(_TORCH_ESTIMATORS if _torch_installed() else [])])


def __getattr__(name):
    if name not in _TORCH_ESTIMATORS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(_TORCH_ESTIMATORS[name], __name__)
    except ImportError as error:
        if error.name not in ("torch", "skorch"):
            raise
        raise ImportError(
            f"skdl.neural_network.{name} needs torch and skorch, which are not installed: "
            'pip install "skdl[torch]"'
        ) from error
    return getattr(module, name)


def __dir__():
    return sorted(set(globals()) | set(__all__))
