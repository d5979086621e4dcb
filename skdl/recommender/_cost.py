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

With implicit feedback (SVD++) the user's vector is :math:`p_u = \theta_u + z_u`, :math:`Z = S\,Y`
(see ``_implicit.py``), the cost gains :math:`\tfrac{\lambda_y}{2}\lVert Y\rVert^2`, and by the
chain rule :math:`\partial J/\partial Y = S^\top G + \lambda_y Y` where
:math:`G_u = \sum_i e_{ui} x_i` is the data part of :math:`\partial J/\partial\theta_u`.
"""

import numpy as np

from ._factors import pair_dot


def squared_error(prediction, weight, weighted_rating, sum_weighted_squares):
    r""":math:`\sum w(\hat r - y)^2` from the pair sums: :math:`\sum W\hat r^2 - 2\hat r\,WY + \sum w y^2`."""
    return float(np.dot(prediction, weight * prediction - 2 * weighted_rating)) + sum_weighted_squares


def squared_error_grad(user_vectors, item_factors, data, *, mu=0.0, user_bias=None, item_bias=None):
    r"""Half the weighted squared error and its gradients with respect to :math:`p, X, b, c`."""
    prediction = pair_dot(user_vectors, item_factors, data.users, data.items) + mu
    if user_bias is not None:
        prediction += user_bias[data.users] + item_bias[data.items]
    value = 0.5 * squared_error(prediction, data.weight, data.weighted_rating, data.sum_weighted_squares)
    error = data.weight * prediction - data.weighted_rating
    gradients = (data.by_user(error) @ item_factors, data.by_item(error) @ user_vectors)
    if user_bias is not None:
        gradients += (
            np.bincount(data.users, weights=error, minlength=data.n_users).astype(error.dtype),
            np.bincount(data.items, weights=error, minlength=data.n_items).astype(error.dtype),
        )
    return value, gradients


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
    parameters = [a for a in (user_factors, item_factors, user_bias, item_bias) if a is not None]
    value, gradients = squared_error_grad(
        user_factors, item_factors, data, mu=mu, user_bias=user_bias, item_bias=item_bias
    )
    cost = value + 0.5 * alpha * sum(float(np.vdot(p, p)) for p in parameters)
    return cost, tuple(g + alpha * p for g, p in zip(gradients, parameters))


def svdpp_cost_grad(parameters, data, S, alpha, alpha_implicit, mu):
    r""":math:`J` of the implicit-feedback model and its gradients.

    ``parameters`` is ``[Theta, X, b, c, Y]`` (``b, c`` left out without biases); the gradients
    come in the same order.
    """
    user_factors, item_factors, *biases, implicit_factors = parameters
    user_bias, item_bias = biases if biases else (None, None)
    user_vectors = user_factors + np.asarray(S @ implicit_factors)
    value, (grad_vectors, *others) = squared_error_grad(
        user_vectors, item_factors, data, mu=mu, user_bias=user_bias, item_bias=item_bias
    )
    explicit = [user_factors, item_factors] + biases
    cost = value + 0.5 * alpha * sum(float(np.vdot(p, p)) for p in explicit)
    cost += 0.5 * alpha_implicit * float(np.vdot(implicit_factors, implicit_factors))
    gradients = [g + alpha * p for g, p in zip([grad_vectors] + others, explicit)]
    gradients.append(np.asarray(S.T @ grad_vectors) + alpha_implicit * implicit_factors)
    return cost, tuple(gradients)


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


def flat_cost_grad(data, alpha, mu, shapes, dtype, implicit=None):
    """``theta -> (J, dJ/dtheta)`` over the packed parameters, for :func:`minimize_scipy`.

    ``shapes`` are those of ``[Theta, X]`` or ``[Theta, X, b, c]``, followed by ``Y``'s when
    ``implicit`` is ``(S, alpha_implicit)``.
    """

    def fun_grad(theta):
        arrays = unpack(theta, shapes, dtype)
        if implicit is not None:
            cost, gradients = svdpp_cost_grad(arrays, data, implicit[0], alpha, implicit[1], mu)
        else:
            biases = arrays[2:] if len(arrays) == 4 else (None, None)
            cost, gradients = cofi_cost_grad(
                arrays[0], arrays[1], data, alpha, mu=mu, user_bias=biases[0], item_bias=biases[1]
            )
        return cost, pack(gradients)

    return fun_grad
