r"""Pieces shared by the linear models: internal feature scaling and the first-order training step.

The first-order solvers (``"gd"``, ``"sgd"``) optimise in standardised coordinates,
:math:`\tilde x = (x - \mu) / s`, which conditions the problem so one learning rate suits every
feature. It is a change of variables, not of objective: the coefficients map back as
:math:`\theta = \tilde\theta / s`, and the L2 penalty :math:`\frac{\lambda}{2}\lVert\theta\rVert^2`
becomes :math:`\frac{1}{2}\sum_j (\lambda / s_j^2)\,\tilde\theta_j^2` in the new coordinates.
"""

import numpy as np

from sklearn.utils import check_random_state

from .._optim import (
    LossHistory,
    expected_batch_weight,
    make_optimizer,
    make_schedule,
    minimize_first_order,
    run_single_epoch,
)


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

    ``params`` is ``[coef]`` or ``[coef, intercept]``. Each batch's weighted loss is divided by the
    weight a batch of its size carries on average, so that sample weights keep their meaning
    across mini-batches (see :func:`skdl._optim.expected_batch_weight`).
    """
    total_weight, n_samples = float(sample_weight.sum()), len(sample_weight)

    def batch_loss_grad(params, batch):
        intercept = params[1] if fit_intercept else 0.0
        loss, grad_coef, grad_intercept = loss_grad(
            X[batch], Y[batch], sample_weight[batch], params[0], intercept, l2,
            weight_total=expected_batch_weight(total_weight, n_samples, batch),
        )
        return loss, [grad_coef, grad_intercept] if fit_intercept else [grad_coef]

    return batch_loss_grad


def sgd_only(estimator):
    """``available_if`` condition of ``partial_fit``: only the ``"sgd"`` solver streams."""
    if estimator.solver != "sgd":
        raise AttributeError("partial_fit is only available with solver='sgd'.")
    return True


class FirstOrderMixin:
    """The state and steps of the ``"gd"`` / ``"sgd"`` solvers, shared by the linear models.

    The state (scaling, parameters, optimiser, random generator, loss history and the weight seen
    by ``partial_fit``) is private, created by ``_initialise_first_order`` and removed by
    ``_clear_first_order_state`` at the start of every ``fit``, so a refit never continues an
    earlier one.
    """

    _FIRST_ORDER_STATE = (
        "_x_offset", "_x_scale", "_params", "_optimizer", "_rng", "_history", "_seen_weight", "loss_curve_",
    )

    def _clear_first_order_state(self):
        for name in self._FIRST_ORDER_STATE:
            self.__dict__.pop(name, None)

    def _initialise_first_order(self, X, weights, coef_shape):
        """Fix the internal standardisation and the optimiser from the first data seen."""
        self._x_offset, self._x_scale = feature_offset_scale(X, weights, center=self.fit_intercept)
        self._params = [np.zeros(coef_shape, dtype=X.dtype)]
        if self.fit_intercept:
            self._params.append(np.zeros(coef_shape[1:], dtype=X.dtype))
        self._optimizer = make_optimizer("gd", make_schedule("constant", self.learning_rate))
        self._rng = check_random_state(self.random_state)
        full_batch = self.solver != "sgd"
        self._history = LossHistory(tol=self.tol, n_iter_no_change=1 if full_batch else 5, full_batch=full_batch)
        self._seen_weight = 0.0

    def _penalty_weight(self, weights, single_epoch):
        """The weight the L2 penalty is divided by: the fit's data, or all data seen by partial_fit.

        ``partial_fit`` trains on the objective of everything seen so far, so splitting a stream
        into more calls does not strengthen the penalty.
        """
        self._seen_weight = (self._seen_weight if single_epoch else 0.0) + float(weights.sum())
        return self._seen_weight

    def _train_first_order(self, batch_loss_grad, n_samples, *, single_epoch):
        """Run the solver on ``self._params`` (in place); return the epochs run.

        ``"gd"`` takes full-batch steps; ``"sgd"`` shuffles mini-batches of ``batch_size`` rows
        (200 when None). With ``single_epoch`` (``partial_fit``) one epoch is run; otherwise
        training runs until the loss converges or ``max_iter`` epochs are spent.
        """
        if self.solver == "sgd":
            batch_size, rng = min(self.batch_size or 200, n_samples), self._rng
        else:
            batch_size, rng = None, None
        if single_epoch:
            run_single_epoch(batch_loss_grad, self._params, self._optimizer, self._history, n_samples, batch_size, rng)
            return 1
        self._history, n_iter = minimize_first_order(
            batch_loss_grad,
            self._params,
            self._optimizer,
            n_samples,
            batch_size=batch_size,
            max_iter=self.max_iter,
            tol=self.tol,
            rng=rng,
            history=self._history,
            estimator_name=type(self).__name__,
        )
        return n_iter
