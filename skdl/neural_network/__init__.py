"""Neural networks: the from-scratch numpy multi-layer perceptron."""

from ._mlp import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
