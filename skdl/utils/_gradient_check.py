"""A numerical gradient checker: central differences, the course's ``computeNumericalGradient``."""

import numpy as np


def numerical_gradient(fun, theta, *, epsilon=1e-6):
    r"""Approximate the gradient of a scalar function by central differences.

    .. math:: \frac{\partial J}{\partial \theta_i} \approx
              \frac{J(\theta + \epsilon e_i) - J(\theta - \epsilon e_i)}{2\epsilon}

    Parameters
    ----------
    fun : callable
        ``fun(theta) -> float``.
    theta : ndarray
        Point at which to differentiate; any shape, left unchanged.
    epsilon : float, default=1e-6
        The perturbation.

    Returns
    -------
    gradient : ndarray of the shape of ``theta``
        The central-difference estimate of each partial derivative.

    See Also
    --------
    check_gradient : Compare an analytic gradient with this estimate.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.utils import numerical_gradient
    >>> np.round(numerical_gradient(lambda t: np.sum(t**2), np.array([1.0, -3.0])), 6)
    array([ 2., -6.])
    """
    theta = np.array(theta, dtype=np.float64)
    gradient = np.empty_like(theta)
    flat_theta, flat_gradient = theta.reshape(-1), gradient.reshape(-1)
    for i in range(flat_theta.size):
        original = flat_theta[i]
        flat_theta[i] = original + epsilon
        loss_plus = fun(theta)
        flat_theta[i] = original - epsilon
        loss_minus = fun(theta)
        flat_theta[i] = original
        flat_gradient[i] = (loss_plus - loss_minus) / (2.0 * epsilon)
    return gradient


def check_gradient(fun, grad, theta, *, epsilon=1e-6):
    r"""Compare an analytic gradient with the numerical one; return their relative difference.

    The course's test: :math:`\lVert g_a - g_n \rVert / \lVert g_a + g_n \rVert`, which is below
    about ``1e-9`` for a correct gradient of a smooth function.

    Parameters
    ----------
    fun : callable
        ``fun(theta) -> float``.
    grad : callable
        ``grad(theta) -> ndarray`` of the shape of ``theta``.
    theta : ndarray
        Point at which to compare.
    epsilon : float, default=1e-6
        The perturbation of the central differences.

    Returns
    -------
    relative_difference : float
        The norm of the difference over the norm of the sum (the absolute difference when both
        gradients are zero).

    See Also
    --------
    numerical_gradient : The central-difference gradient it compares with.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.utils import check_gradient
    >>> check_gradient(lambda t: np.sum(t**3), lambda t: 3 * t**2, np.array([1.0, -2.0])) < 1e-9
    True
    """
    analytic = np.asarray(grad(np.array(theta, dtype=np.float64)), dtype=np.float64)
    numerical = numerical_gradient(fun, theta, epsilon=epsilon)
    denominator = np.linalg.norm(analytic + numerical)
    if denominator == 0.0:
        return float(np.linalg.norm(analytic - numerical))
    return float(np.linalg.norm(analytic - numerical) / denominator)
