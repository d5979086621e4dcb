r"""The course's collaborative-filtering cost and its analytic gradient, over sparse ratings.

With item features :math:`x_i` (the course's ``X``), user parameters :math:`\theta_u` (``Theta``),
optional biases and a global mean :math:`\mu`, the prediction is
:math:`\hat r_{ui} = \mu + b_u + c_i + \theta_u^\top x_i` and the cost (ex8's ``cofiCostFunc``)

.. math:: J = \tfrac12 \sum_{(u,i):\,r=1} w\,(\hat r_{ui} - y)^2
              + \tfrac{\lambda}{2}\big(\lVert\Theta\rVert^2 + \lVert X\rVert^2
              + \lVert b\rVert^2 + \lVert c\rVert^2\big),

with gradients :math:`\partial J/\partial\theta_u = \sum_i e_{ui} x_i + \lambda\theta_u`,
:math:`\partial J/\partial x_i = \sum_u e_{ui}\theta_u + \lambda x_i`,
:math:`\partial J/\partial b_u = \sum_i e_{ui} + \lambda b_u` (and likewise :math:`c_i`), where
:math:`e_{ui} = W_{ui}\hat r_{ui} - (WY)_{ui}` sums the weighted errors of the pair.
"""

import numpy as np

from ._als import pair_dot


def predict_pairs(user_factors, item_factors, users, items, *, mu=0.0, user_bias=None, item_bias=None):
    r"""Predicted ratings :math:`\mu + b_u + c_i + \theta_u^\top x_i` of the given (user, item) pairs."""
    prediction = pair_dot(user_factors, item_factors, users, items)
    prediction += mu
    if user_bias is not None:
        prediction += user_bias[users] + item_bias[items]
    return prediction


def cofi_cost(prediction, data, alpha, parameters):
    """The regularised cost :math:`J` from the pairs' predictions and the penalised arrays."""
    squared_error = np.dot(prediction, data.weight * prediction - 2 * data.weighted_rating)
    squared_error += data.sum_weighted_squares
    penalty = sum(float(np.vdot(p, p)) for p in parameters if p is not None)
    return 0.5 * float(squared_error) + 0.5 * alpha * penalty


def cofi_cost_grad(user_factors, item_factors, data, alpha, *, mu=0.0, user_bias=None, item_bias=None):
    r"""The course's cost :math:`J` and its gradient with respect to each parameter array.

    Parameters
    ----------
    user_factors : ndarray of shape (n_users, k)
        :math:`\Theta`.
    item_factors : ndarray of shape (n_items, k)
        :math:`X`.
    data : RatingData
        The observed ratings.
    alpha : float
        The course's :math:`\lambda`.
    mu : float, default=0.0
    user_bias, item_bias : ndarray of shape (n_users,) and (n_items,), or None
        Learned offsets; ``None`` (both) is the course's model without biases.

    Returns
    -------
    cost : float
    gradients : tuple of ndarray
        For ``user_factors``, ``item_factors`` and, when given, ``user_bias`` and ``item_bias``.
    """
    prediction = predict_pairs(
        user_factors, item_factors, data.users, data.items, mu=mu, user_bias=user_bias, item_bias=item_bias
    )
    parameters = (user_factors, item_factors, user_bias, item_bias)
    cost = cofi_cost(prediction, data, alpha, parameters)
    error = data.weight * prediction - data.weighted_rating
    gradients = (
        data.by_user(error) @ item_factors + alpha * user_factors,
        data.by_item(error) @ user_factors + alpha * item_factors,
    )
    if user_bias is not None:
        gradients += (
            np.bincount(data.users, weights=error, minlength=data.n_users) + alpha * user_bias,
            np.bincount(data.items, weights=error, minlength=data.n_items) + alpha * item_bias,
        )
    return cost, gradients


def pack(arrays):
    """Flatten parameter arrays (``None`` skipped) into one float64 vector for ``scipy.optimize``."""
    return np.concatenate([np.ravel(a) for a in arrays if a is not None]).astype(np.float64)


def unpack(theta, shapes, dtype):
    """Split a flat vector back into arrays of the given shapes (views of ``theta``, cast to dtype)."""
    arrays, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        arrays.append(theta[start : start + size].reshape(shape).astype(dtype, copy=False))
        start += size
    return arrays


def flat_cost_grad(data, alpha, mu, shapes, dtype):
    """``theta -> (J, dJ/dtheta)`` over the packed parameters, for :func:`minimize_scipy`."""

    def fun_grad(theta):
        arrays = unpack(theta, shapes, dtype)
        biases = arrays[2:] if len(arrays) == 4 else (None, None)
        cost, gradients = cofi_cost_grad(
            arrays[0], arrays[1], data, alpha, mu=mu, user_bias=biases[0], item_bias=biases[1]
        )
        return cost, pack(gradients)

    return fun_grad
