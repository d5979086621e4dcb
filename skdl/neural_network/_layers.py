r"""Forward and backward passes of the layers of the perceptron, as short pure functions.

Sample weights enter every function as ``p``: either the float :math:`1/n` (unweighted rows) or an
array of shape (n,) of weights normalised to sum to one. The gradients returned are those of the
``p``-weighted mean of the per-sample losses.

Batch normalisation (Ioffe and Szegedy, 2015) of a pre-activation column :math:`z`:

.. math::

    \mu = \sum_i p_i z_i, \quad \sigma^2 = \sum_i p_i (z_i - \mu)^2, \quad
    \hat z_i = \frac{z_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad u_i = \gamma \hat z_i + \beta,

and, with :math:`g_i = \gamma\, \partial J / \partial u_i` and :math:`s = (\sigma^2 + \epsilon)^{-1/2}`,

.. math::

    \frac{\partial J}{\partial z_i} = s \Big(g_i - p_i \sum_j g_j - p_i \hat z_i \sum_j g_j \hat z_j\Big).

Inverted dropout keeps each hidden unit with probability :math:`1 - r` and divides the kept ones by
:math:`1 - r`, so that nothing changes at prediction time.
"""

import numpy as np
from scipy.special import expit, log_expit

BATCH_NORM_EPSILON = 1e-5


def _as_column(p):
    return p if np.ndim(p) == 0 else p[:, None]


def weighted_sum(M, p):
    """:math:`\\sum_i p_i M_i` over the rows of ``M`` (1-D or 2-D)."""
    return M.sum(axis=0) * p if np.ndim(p) == 0 else p @ M


def batch_norm_forward(Z, gamma, beta, p):
    """Normalise the columns of ``Z`` with the batch statistics; return ``U``, cache and statistics."""
    mean = weighted_sum(Z, p)
    Z_hat = Z - mean
    var = weighted_sum(Z_hat * Z_hat, p)
    inv_std = 1.0 / np.sqrt(var + BATCH_NORM_EPSILON)
    Z_hat *= inv_std
    U = Z_hat * gamma
    U += beta
    return U, (Z_hat, inv_std), (mean, var)


def batch_norm_backward(dU, cache, gamma, p):
    """Return ``dZ``, ``dgamma`` and ``dbeta`` from the gradient ``dU`` of the normalised output."""
    Z_hat, inv_std = cache
    d_gamma = np.sum(dU * Z_hat, axis=0)
    d_beta = dU.sum(axis=0)
    dZ = dU * gamma
    correction = Z_hat * (d_gamma * gamma)
    correction += d_beta * gamma
    correction *= _as_column(p)
    dZ -= correction
    dZ *= inv_std
    return dZ, d_gamma, d_beta


def batch_norm_inference(Z, gamma, beta, running_mean, running_var):
    """Normalise ``Z`` in place with the running statistics (prediction time)."""
    Z -= running_mean
    Z *= gamma / np.sqrt(running_var + BATCH_NORM_EPSILON)
    Z += beta
    return Z


def dropout_mask(shape, rate, rng, dtype):
    """Inverted-dropout mask: 0 with probability ``rate``, else ``1 / (1 - rate)``."""
    mask = (rng.random_sample(shape) >= rate).astype(dtype)
    mask *= 1.0 / (1.0 - rate)
    return mask


def softmax_cross_entropy(Z, y, p):
    r"""Loss :math:`\sum_i p_i (\log\sum_k e^{z_{ik}} - z_{i y_i})` of the logits ``Z``.

    ``y`` holds class indices. ``Z`` is overwritten by the gradient
    :math:`p_i(\operatorname{softmax}(z_i) - e_{y_i})`.
    """
    rows = np.arange(Z.shape[0])
    Z -= Z.max(axis=1, keepdims=True)
    z_true = Z[rows, y]
    np.exp(Z, out=Z)
    normaliser = Z.sum(axis=1)
    per_sample = np.log(normaliser)
    per_sample -= z_true
    Z /= normaliser[:, None]
    Z[rows, y] -= 1.0
    Z *= _as_column(p)
    return float(weighted_sum(per_sample, p)), Z


def logistic_cross_entropy(Z, Y, p):
    r"""Loss :math:`\sum_i p_i \sum_k [\log(1 + e^{z_{ik}}) - y_{ik} z_{ik}]` of K sigmoid outputs.

    The course's cost :math:`-y\log h - (1 - y)\log(1 - h)` with :math:`h = \sigma(z)`, written
    with the log-sigmoid so that it never takes the log of 0. ``Z`` is overwritten by the gradient
    :math:`p_i(\sigma(z_{ik}) - y_{ik})`.
    """
    per_sample = ((1.0 - Y) * Z - log_expit(Z)).sum(axis=1)
    expit(Z, out=Z)
    Z -= Y
    Z *= _as_column(p)
    return float(weighted_sum(per_sample, p)), Z


def squared_error(Z, Y, p):
    r"""Loss :math:`\sum_i p_i \tfrac12\lVert z_i - y_i\rVert^2`; ``Z`` becomes :math:`p_i (z_i - y_i)`."""
    Z -= Y
    per_sample = 0.5 * np.einsum("ij,ij->i", Z, Z)
    Z *= _as_column(p)
    return float(weighted_sum(per_sample, p)), Z


OUTPUT_LOSSES = {
    "softmax": softmax_cross_entropy,
    "logistic": logistic_cross_entropy,
    "identity": squared_error,
}
