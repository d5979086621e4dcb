r"""The network as arrays: initialisation, forward propagation and backpropagation.

A network of :math:`L` dense layers is the list ``params`` of its arrays, in the order
``[W_1 .. W_L, b_1 .. b_L]`` followed, with batch normalisation, by ``[gamma_1 .. gamma_{L-1},
beta_1 .. beta_{L-1}]``. ``W_l`` has shape (units in, units out), so a layer computes
:math:`Z_l = A_{l-1} W_l + b_l` on the rows of :math:`A_{l-1}` (the course's
:math:`z^{(l)} = \Theta^{(l-1)} a^{(l-1)}` with :math:`W_l = \Theta^{(l-1)\top}` less its bias
column, which is :math:`b_l`).

Forward propagation of a hidden layer: dense, then batch normalisation (optional; it replaces the
intercept, which then stays at zero), then the activation :math:`g`, then inverted dropout (training
only). The output layer is dense only; its logits go to the loss. Backpropagation, with
:math:`\delta_L = \partial J / \partial Z_L` from the loss:

.. math::

    \frac{\partial J}{\partial W_l} = A_{l-1}^\top \delta_l + \frac{\alpha}{m} W_l, \quad
    \frac{\partial J}{\partial b_l} = \mathbf{1}^\top \delta_l, \quad
    \delta_{l-1} = (\delta_l W_l^\top) \odot M_{l-1} \odot g'(Z_{l-1}),

where :math:`M` is the dropout mask (all ones without dropout) and batch normalisation's backward
pass (see ``_layers``) is applied after :math:`g'`.
"""

import numpy as np

from ._activations import ACTIVATIONS, DERIVATIVES
from ._layers import (
    OUTPUT_LOSSES,
    batch_norm_backward,
    batch_norm_forward,
    batch_norm_inference,
    dropout_mask,
)

# Glorot's uniform bound is sqrt(factor / (fan_in + fan_out)): factor 6 keeps the variance of the
# activations constant through tanh-like units, 2 through the sigmoid, whose slope at 0 is 1/4.
_GLOROT_FACTOR = {"sigmoid": 2.0}
_DEFAULT_GLOROT_FACTOR = 6.0


def initialize_parameters(layer_sizes, activation, rng, dtype):
    r"""Random weights and intercepts for the layer sizes ``[n_in, h_1, ..., n_out]``.

    Every layer draws :math:`W_l` and then :math:`b_l` from Glorot and Bengio's uniform
    distribution :math:`U(-\epsilon, \epsilon)`, with :math:`\epsilon = \sqrt{6 / (n_{in} + n_{out})}`
    (:math:`\sqrt{2 / (n_{in} + n_{out})}` for sigmoid networks): the course's
    ``randInitializeWeights`` and scikit-learn's ``MLPClassifier`` initialisation, drawn in the
    same order, so the same ``RandomState`` seed gives scikit-learn's initial network.

    Parameters
    ----------
    layer_sizes : list of int
        Units of the input layer, of each hidden layer and of the output layer.
    activation : str
        The hidden layers' activation (a key of ``ACTIVATIONS``).
    rng : numpy.random.RandomState
        Source of the random draws.
    dtype : dtype
        The dtype of the arrays (float64 or float32).

    Returns
    -------
    coefs : list of ndarray
        ``coefs[l]`` of shape (layer_sizes[l], layer_sizes[l + 1]).
    intercepts : list of ndarray
        ``intercepts[l]`` of shape (layer_sizes[l + 1],).
    """
    factor = _GLOROT_FACTOR.get(activation, _DEFAULT_GLOROT_FACTOR)
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False))
        intercepts.append(rng.uniform(-bound, bound, fan_out).astype(dtype, copy=False))
    return coefs, intercepts


def split_params(params, n_layers, batch_norm):
    """``(coefs, intercepts, gammas, betas)`` views of the flat ``params`` list."""
    coefs, intercepts = params[:n_layers], params[n_layers : 2 * n_layers]
    if not batch_norm:
        return coefs, intercepts, [], []
    rest = params[2 * n_layers :]
    return coefs, intercepts, rest[: n_layers - 1], rest[n_layers - 1 :]


def predict_logits(X, coefs, intercepts, activation, batch_norm_state=None):
    """Forward propagation at prediction time: the output layer's :math:`Z_L`.

    ``batch_norm_state`` is ``(gammas, betas, running_means, running_vars)`` or None.
    """
    g = ACTIVATIONS[activation]
    A = X
    for layer, (W, b) in enumerate(zip(coefs[:-1], intercepts[:-1])):
        Z = A @ W
        if batch_norm_state is None:
            Z += b
        else:
            batch_norm_inference(Z, *(state[layer] for state in batch_norm_state))
        A = g(Z)
    Z = A @ coefs[-1]
    Z += intercepts[-1]
    return Z


def _forward_train(X, coefs, intercepts, gammas, betas, activation, p, dropout, rng):
    """Training-time forward pass; return the logits and what backpropagation needs."""
    g = ACTIVATIONS[activation]
    inputs, outputs, masks, bn_caches, bn_stats = [X], [], [], [], []
    A = X
    for layer in range(len(coefs) - 1):
        Z = A @ coefs[layer]
        if gammas:
            Z, cache, stats = batch_norm_forward(Z, gammas[layer], betas[layer], p)
            bn_caches.append(cache)
            bn_stats.append(stats)
        else:
            Z += intercepts[layer]
        A = g(Z)
        outputs.append(A)
        if dropout > 0.0:
            masks.append(dropout_mask(A.shape, dropout, rng, A.dtype))
            A = A * masks[-1]
        inputs.append(A)
    Z = A @ coefs[-1]
    Z += intercepts[-1]
    return Z, (inputs, outputs, masks, bn_caches), bn_stats


def _backward(delta, coefs, gammas, activation, p, l2, tape):
    """Backpropagate ``delta`` (the loss gradient at the logits); return the parameter gradients."""
    inputs, outputs, masks, bn_caches = tape
    derivative = DERIVATIVES[activation]
    n_layers = len(coefs)
    d_coefs, d_intercepts = [None] * n_layers, [None] * n_layers
    d_gammas, d_betas = [None] * len(gammas), [None] * len(gammas)
    for layer in range(n_layers - 1, -1, -1):
        d_coefs[layer] = np.asarray(inputs[layer].T @ delta)
        if l2:
            d_coefs[layer] += l2 * coefs[layer]
        if d_intercepts[layer] is None:
            d_intercepts[layer] = delta.sum(axis=0)
        if layer == 0:
            break
        delta = delta @ coefs[layer].T
        if masks:
            delta *= masks[layer - 1]
        derivative(outputs[layer - 1], delta)
        if gammas:
            delta, d_gammas[layer - 1], d_betas[layer - 1] = batch_norm_backward(
                delta, bn_caches[layer - 1], gammas[layer - 1], p
            )
            d_intercepts[layer - 1] = np.zeros_like(d_betas[layer - 1])
    return d_coefs + d_intercepts + d_gammas + d_betas


def _n_layers(params, batch_norm):
    return (len(params) + 2) // 4 if batch_norm else len(params) // 2


def l2_penalty(coefs, l2):
    r""":math:`\frac{l_2}{2} \sum_l \lVert W_l \rVert_F^2`."""
    return 0.5 * l2 * sum(float(np.vdot(W, W)) for W in coefs)


def network_loss_grad(
    X, Y, p, params, *, activation, out_activation, l2, scale=1.0, batch_norm=False, dropout=0.0, rng=None
):
    r"""The objective on one batch and its gradient with respect to every array of ``params``.

    .. math::

        J = s \sum_i p_i\, \ell(Z_L(x_i), y_i) + \frac{l_2}{2} \sum_l \lVert W_l \rVert_F^2,

    ``p`` being the normalised sample weights (or the float :math:`1/n`), which batch normalisation
    also uses for its statistics, :math:`s` = ``scale`` the weight of the data term (a mini-batch's
    weight over the weight a batch of its size carries on average) and :math:`\ell` the loss
    of ``out_activation``: ``"softmax"`` (cross-entropy, ``Y`` class indices), ``"logistic"`` (the
    course's sum of K sigmoid cross-entropies, ``Y`` of shape (n, K)) or ``"identity"`` (half the
    squared error). Intercepts, :math:`\gamma` and :math:`\beta` are not penalised.

    Returns
    -------
    loss : float
    grads : list of ndarray, aligned with ``params``
    batch_stats : list of (mean, var), the batch statistics of each batch-normalised layer
    """
    coefs, intercepts, gammas, betas = split_params(params, _n_layers(params, batch_norm), batch_norm)
    Z, tape, batch_stats = _forward_train(
        X, coefs, intercepts, gammas, betas, activation, p, dropout, rng
    )
    loss, delta = OUTPUT_LOSSES[out_activation](Z, Y, p)
    if scale != 1.0:  # backpropagation is linear in delta: this scales every data gradient
        loss *= scale
        delta *= scale
    if l2:
        loss += l2_penalty(coefs, l2)
    grads = _backward(delta, coefs, gammas, activation, p, l2, tape)
    return loss, grads, batch_stats


def penalty_loss_grad(params, *, l2, batch_norm=False):
    """The objective of a batch whose rows all weigh zero: the L2 penalty alone, and its gradient."""
    n_layers = _n_layers(params, batch_norm)
    coefs = params[:n_layers]
    grads = [l2 * W for W in coefs] + [np.zeros_like(a) for a in params[n_layers:]]
    return l2_penalty(coefs, l2), grads
