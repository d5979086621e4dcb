r"""Hidden-layer activations, applied in place, and their derivatives written from the output.

Each derivative is expressed through the activation's output :math:`a = g(z)`, so the forward pass
need not keep :math:`z`:

- sigmoid :math:`g(z) = 1 / (1 + e^{-z})`, :math:`g'(z) = a (1 - a)` (the course's
  ``sigmoidGradient``);
- tanh, :math:`g'(z) = 1 - a^2`;
- ReLU :math:`g(z) = \max(z, 0)`, :math:`g'(z) = [a > 0]`;
- leaky ReLU :math:`g(z) = \max(z, 0.01 z)`, :math:`g'(z) = 1` where :math:`a > 0`, else 0.01.
"""

import numpy as np
from scipy.special import expit

LEAKY_RELU_SLOPE = 0.01


def sigmoid(Z):
    return expit(Z, out=Z)


def tanh(Z):
    return np.tanh(Z, out=Z)


def relu(Z):
    return np.maximum(Z, 0, out=Z)


def leaky_relu(Z):
    return np.multiply(Z, LEAKY_RELU_SLOPE, out=Z, where=Z < 0)


def sigmoid_backward(A, delta):
    """``delta *= a (1 - a)``, in place."""
    delta *= A
    delta *= 1 - A


def tanh_backward(A, delta):
    """``delta *= 1 - a**2``, in place."""
    delta *= 1 - A * A


def relu_backward(A, delta):
    """``delta *= [a > 0]``, in place."""
    delta *= A > 0


def leaky_relu_backward(A, delta):
    """``delta *= 1 if a > 0 else 0.01``, in place."""
    np.multiply(delta, LEAKY_RELU_SLOPE, out=delta, where=A < 0)


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu}
DERIVATIVES = {
    "sigmoid": sigmoid_backward,
    "tanh": tanh_backward,
    "relu": relu_backward,
    "leaky_relu": leaky_relu_backward,
}
