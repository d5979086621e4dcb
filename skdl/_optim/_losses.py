r"""Losses of the linear models, each returning the value and its gradient together.

Every loss is a weighted mean over the rows plus an L2 penalty on the coefficients (never on the
intercept):

.. math::

    J(\Theta, b) = \frac{1}{\sum_i w_i} \sum_i w_i\, \ell(x_i^\top \Theta + b,\, y_i)
                   + \frac{1}{2} \sum_j \lambda_j \lVert \Theta_j \rVert^2

``weight_total`` is the :math:`\sum_i w_i` to divide by; by default that of the rows given. A
mini-batch passes the *expected* weight of a batch of its size (the whole data's weight times
``len(batch) / n_samples``), so that its loss and gradient are unbiased estimates of the full ones
and the sample weights keep their meaning across batches.

``l2`` is :math:`\lambda`: a scalar, or one value per feature (row of ``coef``) when the model
optimises in rescaled coordinates and the penalty must stay the one on the original coefficients.
With unit weights and :math:`\lambda = \text{alpha} / m` the squared loss is the course's
:math:`J(\theta) = \frac{1}{2m}\sum_i (h_\theta(x_i) - y_i)^2 + \frac{\lambda}{2m}\lVert\theta\rVert^2`.
"""

import numpy as np
from scipy.special import expit, log_expit


def _penalty(coef, l2):
    if np.ndim(l2) == 0:
        if l2 == 0:
            return 0.0, np.zeros_like(coef)
        flat = coef.ravel()
        return 0.5 * float((l2 * flat) @ flat), l2 * coef
    l2 = np.asarray(l2)
    if coef.ndim == 2:
        l2 = l2[:, None]
    return 0.5 * np.sum(l2 * coef * coef), l2 * coef


def squared_loss_grad(X, y, sample_weight, coef, intercept, l2=0.0, weight_total=None):
    r"""Squared loss :math:`\ell = \frac{1}{2}(x^\top\theta + b - y)^2`; ``coef`` (p,) or (p, k).

    The mean of the module's :math:`J` with this :math:`\ell`; with a 2-D ``coef`` (several
    targets) the losses of the targets add up.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The rows of the data (or of one mini-batch).
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        The targets.
    sample_weight : ndarray of shape (n_samples,)
        The weight :math:`w_i` of each row.
    coef : ndarray of shape (n_features,) or (n_features, n_targets)
        The coefficients :math:`\Theta`.
    intercept : float or ndarray of shape (n_targets,)
        The intercept :math:`b`, never penalised.
    l2 : float or ndarray of shape (n_features,), default=0.0
        :math:`\lambda`, one value or one per feature.
    weight_total : float, default=None
        The :math:`\sum_i w_i` to divide by; None is ``sample_weight.sum()``.

    Returns
    -------
    loss : float
        :math:`J(\Theta, b)`, the weighted mean loss plus the penalty.
    grad_coef : ndarray of the shape of ``coef``
        :math:`\partial J / \partial \Theta`.
    grad_intercept : float or ndarray of shape (n_targets,)
        :math:`\partial J / \partial b`.

    See Also
    --------
    binary_logistic_loss_grad : The logistic loss of the same form.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl._optim import squared_loss_grad
    >>> X, y = np.array([[1.0], [2.0]]), np.array([1.0, 3.0])
    >>> loss, grad_coef, grad_intercept = squared_loss_grad(X, y, np.ones(2), np.array([1.0]), 0.0)
    >>> float(loss), grad_coef, float(grad_intercept)  # residuals 0 and -1
    (0.25, array([-1.]), -0.5)
    """
    weights = sample_weight / (sample_weight.sum() if weight_total is None else weight_total)
    residual = X @ coef + intercept - y
    weighted_residual = (weights[:, None] if residual.ndim == 2 else weights) * residual
    penalty, penalty_grad = _penalty(coef, l2)
    loss = 0.5 * np.sum(weighted_residual * residual) + penalty
    grad_coef = X.T @ weighted_residual + penalty_grad
    grad_intercept = weighted_residual.sum(axis=0)
    return loss, grad_coef, grad_intercept


def binary_logistic_loss_grad(X, y, sample_weight, coef, intercept, l2=0.0, weight_total=None):
    r"""Logistic loss for ``y`` in {0, 1}: :math:`\ell = \log(1 + e^{z}) - y z`, :math:`z = x^\top\theta + b`.

    Its gradient with respect to :math:`z` is :math:`\sigma(z) - y`, the course's
    :math:`h_\theta(x) - y`. With 2-D ``y`` (n, K) and ``coef`` (p, K) it is the sum of K
    independent binary problems (one-vs-rest).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The rows of the data (or of one mini-batch).
    y : ndarray of shape (n_samples,) or (n_samples, n_classes)
        The labels, 0 or 1 (one column per class for one-vs-rest).
    sample_weight : ndarray of shape (n_samples,)
        The weight :math:`w_i` of each row.
    coef : ndarray of shape (n_features,) or (n_features, n_classes)
        The coefficients :math:`\Theta`.
    intercept : float or ndarray of shape (n_classes,)
        The intercept :math:`b`, never penalised.
    l2 : float or ndarray of shape (n_features,), default=0.0
        :math:`\lambda`, one value or one per feature.
    weight_total : float, default=None
        The :math:`\sum_i w_i` to divide by; None is ``sample_weight.sum()``.

    Returns
    -------
    loss : float
        :math:`J(\Theta, b)`, the weighted mean loss plus the penalty.
    grad_coef : ndarray of the shape of ``coef``
        :math:`\partial J / \partial \Theta`.
    grad_intercept : float or ndarray of shape (n_classes,)
        :math:`\partial J / \partial b`.

    See Also
    --------
    multinomial_loss_grad : The softmax cross-entropy of several classes.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl._optim import binary_logistic_loss_grad
    >>> X, y = np.array([[1.0], [-1.0]]), np.array([1.0, 0.0])
    >>> loss, _, _ = binary_logistic_loss_grad(X, y, np.ones(2), np.array([0.0]), 0.0)
    >>> round(float(loss), 4)  # log 2 at theta = 0, the course's first cost
    0.6931
    """
    weights = sample_weight / (sample_weight.sum() if weight_total is None else weight_total)
    if np.ndim(y) == 2:
        weights = weights[:, None]
    z = X @ coef + intercept
    # log(1 + e^z) - y z, written with log-sigmoid so that large |z| neither overflows nor cancels.
    per_sample = (1.0 - y) * z - log_expit(z)
    error = weights * (expit(z) - y)
    penalty, penalty_grad = _penalty(coef, l2)
    loss = np.sum(weights * per_sample) + penalty
    return loss, X.T @ error + penalty_grad, error.sum(axis=0)


def multinomial_loss_grad(X, Y, sample_weight, coef, intercept, l2=0.0, weight_total=None):
    r"""Softmax cross-entropy for one-hot ``Y`` (n, K): :math:`\ell = \log\sum_k e^{z_k} - z_y`.

    Its gradient with respect to :math:`z` is :math:`\operatorname{softmax}(z) - Y`. One product
    gives the scores, one the gradient, and everything between works in place on the scores,
    stored transposed, (K, n): each reduction over the classes is then an element-wise operation
    on K contiguous rows instead of a short reduction per sample. The scores are shifted by their
    maximum before exponentiation (the log-sum-exp trick).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The rows of the data (or of one mini-batch).
    Y : ndarray of shape (n_samples, n_classes)
        The one-hot labels.
    sample_weight : ndarray of shape (n_samples,)
        The weight :math:`w_i` of each row.
    coef : ndarray of shape (n_features, n_classes)
        The coefficients :math:`\Theta`.
    intercept : ndarray of shape (n_classes,)
        The intercept :math:`b`, never penalised.
    l2 : float or ndarray of shape (n_features,), default=0.0
        :math:`\lambda`, one value or one per feature.
    weight_total : float, default=None
        The :math:`\sum_i w_i` to divide by; None is ``sample_weight.sum()``.

    Returns
    -------
    loss : float
        :math:`J(\Theta, b)`, the weighted mean loss plus the penalty.
    grad_coef : ndarray of the shape of ``coef``
        :math:`\partial J / \partial \Theta`.
    grad_intercept : ndarray of shape (n_classes,)
        :math:`\partial J / \partial b`.

    See Also
    --------
    binary_logistic_loss_grad : The two-class (or one-vs-rest) logistic loss.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl._optim import multinomial_loss_grad
    >>> X, Y = np.array([[1.0], [2.0]]), np.eye(3)[[0, 2]]
    >>> loss, _, _ = multinomial_loss_grad(X, Y, np.ones(2), np.zeros((1, 3)), np.zeros(3))
    >>> round(float(loss), 4)  # log 3 when every class scores the same
    1.0986
    """
    weights = sample_weight / (sample_weight.sum() if weight_total is None else weight_total)
    Z = np.asarray(coef.T @ X.T)
    Z += np.asarray(intercept).reshape(-1, 1)
    z_max = Z.max(axis=0)
    z_true = np.einsum("ki,ik->i", Z, Y)
    Z -= z_max
    np.exp(Z, out=Z)
    normaliser = Z.sum(axis=0)
    per_sample = np.log(normaliser) + z_max - z_true
    # Z becomes the weighted error w_i (softmax(z_i) - y_i), transposed.
    Z *= weights / normaliser
    Z -= weights * Y.T
    penalty, penalty_grad = _penalty(coef, l2)
    loss = weights @ per_sample + penalty
    return loss, np.asarray(Z @ X).T + penalty_grad, Z.sum(axis=1)
