r"""Pieces shared by the linear models: internal feature scaling and the first-order training step.

The first-order solvers (``"gd"``, ``"sgd"``) optimise in standardised coordinates,
:math:`\tilde x = (x - \mu) / s`, which conditions the problem so one learning rate suits every
feature. It is a change of variables, not of objective: the coefficients map back as
:math:`\theta = \tilde\theta / s`, and the L2 penalty :math:`\frac{\lambda}{2}\lVert\theta\rVert^2`
becomes :math:`\frac{1}{2}\sum_j (\lambda / s_j^2)\,\tilde\theta_j^2` in the new coordinates.
"""

import numpy as np

from .._optim import make_optimizer, make_schedule, minimize_first_order, run_epoch


def feature_offset_scale(X, sample_weight, *, center):
    """Weighted mean (zero when not ``center``) and standard deviation of each column.

    Constant columns get a scale of 1 so that nothing is divided by zero.
    """
    offset = np.average(X, axis=0, weights=sample_weight) if center else np.zeros(X.shape[1], X.dtype)
    spread = np.sqrt(np.average((X - offset) ** 2, axis=0, weights=sample_weight))
    scale = np.where(spread > 10 * np.finfo(X.dtype).eps * (1 + np.abs(offset)), spread, 1.0)
    return offset.astype(X.dtype), scale.astype(X.dtype)


def make_linear_loss_grad(loss_grad, X, Y, sample_weight, l2, fit_intercept):
    """Close a linear loss over the data, giving the ``loss_grad(params, batch)`` the loop expects.

    ``params`` is ``[coef]`` or ``[coef, intercept]``.
    """

    def batch_loss_grad(params, batch):
        intercept = params[1] if fit_intercept else 0.0
        loss, grad_coef, grad_intercept = loss_grad(
            X[batch], Y[batch], sample_weight[batch], params[0], intercept, l2
        )
        return loss, [grad_coef, grad_intercept] if fit_intercept else [grad_coef]

    return batch_loss_grad


def first_order_optimizer(learning_rate):
    """The optimiser of the ``"gd"`` / ``"sgd"`` solvers: gradient descent at a constant step."""
    return make_optimizer("gd", make_schedule("constant", learning_rate))


def train_first_order(estimator, batch_loss_grad, params, n_samples, *, history, single_epoch=False):
    """Run the first-order solver of ``estimator`` on ``params`` (updated in place).

    ``"gd"`` takes full-batch steps; ``"sgd"`` shuffles mini-batches of ``estimator.batch_size``
    rows (200 when None) with ``estimator._rng``. With ``single_epoch`` (``partial_fit``) one epoch
    is run and appended to ``history``; otherwise training runs until the loss converges or
    ``estimator.max_iter`` epochs are spent. Returns ``(history, n_iter)``.
    """
    if estimator.solver == "sgd":
        batch_size = min(estimator.batch_size or 200, n_samples)
        rng = estimator._rng
    else:
        batch_size, rng = None, None
    if single_epoch:
        estimator._optimizer.set_epoch(len(history.losses))
        loss = run_epoch(batch_loss_grad, params, estimator._optimizer, n_samples, batch_size, rng)
        history.record(loss)
        return history, 1
    return minimize_first_order(
        batch_loss_grad,
        params,
        estimator._optimizer,
        n_samples,
        batch_size=batch_size,
        max_iter=estimator.max_iter,
        tol=estimator.tol,
        n_iter_no_change=1 if batch_size is None else 5,
        rng=rng,
        history=history,
        estimator_name=type(estimator).__name__,
    )
