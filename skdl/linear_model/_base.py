r"""Pieces shared by the linear models: the internal change of variables and the first-order steps.

Every iterative solver of the linear models optimises in standardised coordinates,
:math:`\tilde x = (x - \mu) / s`, which conditions the problem so that one learning rate (or one
gradient tolerance) suits every feature. It is a change of variables, not of objective, and it is
never applied to ``X`` itself (no centred or scaled copy, so sparse ``X`` stays sparse): the
solver's parameters :math:`(\tilde\theta, \tilde b)` map to the model's as

.. math::

    \theta = \tilde\theta / s, \qquad b = \tilde b - \mu^\top\theta,

so the intercept absorbs the offset, the loss is evaluated on the raw ``X`` with
:math:`(\theta, b)`, and by the chain rule its gradient in the solver's coordinates is

.. math::

    \nabla_{\tilde\theta} J = (\nabla_\theta J - \mu\, \nabla_b J) / s, \qquad
    \nabla_{\tilde b} J = \nabla_b J.

The L2 penalty stays the one on :math:`\theta`. The scale is :math:`s_j^2 = \operatorname{Var}(x_j)
+ \kappa`, where :math:`\kappa` is the penalty divided by the loss's curvature: with it, the
diagonal of the Hessian is about the same for every coordinate, so a rare feature of tiny variance
(a word in one document) is not amplified until the penalty dominates its step.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from .._optim import (
    LossHistory,
    expected_batch_weight,
    make_optimizer,
    make_schedule,
    minimize_first_order,
    run_single_epoch,
)
from ..utils._progress import EpochPrinter

# Rows per block of the one-pass moments: a block of a few hundred features stays in cache.
_MOMENT_BLOCK_ROWS = 2048


def _merge_moments(count, mean, m2, block_count, block_mean, block_m2):
    """Chan et al.'s exact merge of two (weight, mean, sum of squared deviations) summaries."""
    total = count + block_count
    delta = block_mean - mean
    mean = mean + delta * (block_count / total)
    m2 = m2 + block_m2 + delta**2 * (count * block_count / total)
    return total, mean, m2


def _dense_column_moments(X, weights):
    """Per column: a unit ``u`` (the largest magnitude) and the weighted mean and variance of ``X / u``.

    One pass over ``X`` in row blocks, in float64, without a copy of ``X``, exact to rounding
    (Chan's merge of centred blocks). Dividing by the running largest magnitude keeps every square
    between 0 and 1, so columns of 1e300 do not overflow and columns of 1e-300 do not underflow.
    Also returns the variance below which a column is constant to rounding.
    """
    n_features = X.shape[1]
    unit, mean, m2, count = np.zeros(n_features), np.zeros(n_features), np.zeros(n_features), 0.0
    for start in range(0, X.shape[0], _MOMENT_BLOCK_ROWS):
        block = np.array(X[start : start + _MOMENT_BLOCK_ROWS], dtype=np.float64)
        block_weights = weights[start : start + _MOMENT_BLOCK_ROWS]
        block_count = float(block_weights.sum())
        if block_count == 0:
            continue
        new_unit = np.maximum(unit, np.maximum(block.max(axis=0), -block.min(axis=0)))
        ratio = np.divide(unit, new_unit, out=np.ones(n_features), where=new_unit > 0)
        unit, mean, m2 = new_unit, mean * ratio, m2 * ratio**2
        block /= np.where(unit > 0, unit, 1.0)
        block_mean = block_weights @ block / block_count
        block -= block_mean
        np.square(block, out=block)
        count, mean, m2 = _merge_moments(count, mean, m2, block_count, block_mean, block_weights @ block)
    rounding = (10 * np.finfo(X.dtype).eps * mean) ** 2
    return np.where(unit > 0, unit, 1.0), mean, m2 / count, rounding


# Stored values within these magnitudes square without overflow or underflow.
_SAFE_MAGNITUDES = (1e-150, 1e150)


def _sparse_column_moments(X, weights):
    """As :func:`_dense_column_moments` for a sparse ``X``: two sparse products, never densified.

    The mean is :math:`X^\\top w / W` and the variance the second moment about zero, also a
    product with the squared stored values, less the squared mean. That subtraction loses the
    digits of :math:`\\mu^2` for a column stored densely far from zero (rare in sparse data, whose
    zeros pull the means towards zero); the returned rounding level says so, and the spread only
    conditions the solver, it does not change the minimiser. Values beyond 1e+-150 are first
    divided by their column's mean stored magnitude. Stored entries are squared one by one, as
    scikit-learn's sparse statistics do: a CSR matrix built with duplicate entries (which scipy
    sums) gets another spread.
    """
    n_features = X.shape[1]
    data, unit = X.data, np.ones(n_features)
    magnitude = np.abs(data)
    if data.size and not (_SAFE_MAGNITUDES[0] < magnitude.min(initial=np.inf, where=magnitude > 0)
                          and magnitude.max() < _SAFE_MAGNITUDES[1]):
        columns = X.indices if X.format == "csr" else np.repeat(np.arange(n_features), np.diff(X.indptr))
        counts = np.bincount(columns, minlength=n_features)
        unit = np.bincount(columns, magnitude / np.maximum(counts, 1)[columns], minlength=n_features)
        unit = np.where(unit > 0, unit, 1.0)
        data = data / unit[columns]
    total = float(weights.sum())

    def column_sums(values):
        stored = type(X)((values, X.indices, X.indptr), shape=X.shape)
        return np.asarray(stored.T @ weights).ravel() / total

    mean, second_moment = column_sums(data), column_sums(data * data)
    variance = np.maximum(second_moment - mean**2, 0.0)
    return unit, mean, variance, 10 * np.finfo(np.float64).eps * second_moment


def feature_offset_spread(X, sample_weight, *, center):
    r"""Weighted mean :math:`\mu` (zero when not ``center``) and spread of each column of ``X``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The training data (read, never copied whole).
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights, at least one positive.
    center : bool
        Whether to centre; otherwise the spread is the root mean square about zero.

    Returns
    -------
    offset : ndarray of shape (n_features,)
        :math:`\mu`, in the dtype of ``X``.
    spread : ndarray of shape (n_features,)
        The weighted standard deviation (float64); exactly 0 for a constant column.
    """
    weights = np.asarray(sample_weight, dtype=np.float64)
    moments = _sparse_column_moments if sp.issparse(X) else _dense_column_moments
    unit, mean, variance, rounding = moments(X, weights)
    if not center:
        variance, mean, rounding = variance + mean**2, np.zeros_like(mean), 0.0
    # A column whose spread is rounding error around its value is constant.
    constant = variance <= np.maximum(rounding, (10 * np.finfo(X.dtype).eps * mean) ** 2)
    return (unit * mean).astype(X.dtype), np.where(constant, 0.0, unit * np.sqrt(variance))


def preconditioner_scale(spread, curvature_ridge, dtype):
    r"""The scale :math:`s = \sqrt{\mathrm{spread}^2 + \kappa}` (1 where that is 0), in ``dtype``.

    Raises
    ------
    ValueError
        When a scale is below the smallest normal float of ``dtype``, so that its reciprocal
        would overflow.
    """
    scale = np.hypot(spread, np.sqrt(curvature_ridge))
    scale = np.where(scale > 0, scale, 1.0)
    tiny = np.finfo(dtype).tiny
    if np.any(scale < tiny):
        column = int(np.flatnonzero(scale < tiny)[0])
        raise ValueError(
            f"Feature {column} of X varies by only {scale[column]:.3g}, below the smallest normal "
            f"{np.dtype(dtype)} ({tiny:.3g}): its coefficient would overflow. Rescale that feature."
        )
    return scale.astype(dtype)


def feature_offset_scale(X, sample_weight, *, center, curvature_ridge=0.0):
    r"""The change of variables of the iterative solvers: offset :math:`\mu` and scale :math:`s`.

    :math:`s_j^2 = \operatorname{Var}(x_j) + \kappa` with :math:`\kappa` = ``curvature_ridge``,
    the L2 penalty over the curvature of the loss (see :func:`feature_offset_spread` and
    :func:`preconditioner_scale`). Returns ``(offset, scale)`` in the dtype of ``X``.
    """
    offset, spread = feature_offset_spread(X, sample_weight, center=center)
    return offset, preconditioner_scale(spread, curvature_ridge, X.dtype)


def to_model_coordinates(params, offset, scale, fit_intercept):
    r"""The model's :math:`(\theta, b)` from the solver's ``[theta_tilde(, b_tilde)]``."""
    coef = params[0] / (scale[:, None] if params[0].ndim == 2 else scale)
    intercept = params[1] - offset @ coef if fit_intercept else np.zeros(coef.shape[1:], dtype=coef.dtype)
    return coef, intercept


def to_solver_coordinates(coef, intercept, offset, scale, fit_intercept):
    r"""The inverse map: ``[theta_tilde(, b_tilde)]`` from the model's :math:`(\theta, b)`."""
    params = [coef * (scale[:, None] if coef.ndim == 2 else scale)]
    if fit_intercept:
        params.append(np.asarray(intercept + offset @ coef, dtype=coef.dtype))
    return params


def _rows(X, batch):
    """``X[batch]``, without a copy for the full batch (slicing a sparse matrix copies it)."""
    return X if isinstance(batch, slice) and batch == slice(None) else X[batch]


def make_linear_loss_grad(loss_grad, X, Y, sample_weight, l2, fit_intercept, offset=None, scale=None):
    """Close a linear loss over the data, giving the ``loss_grad(params, batch)`` the loop expects.

    ``params`` is ``[coef]`` or ``[coef, intercept]`` in the solver's coordinates (see the module
    notes; ``offset=None`` and ``scale=None`` make them the model's own). Each batch's weighted loss
    is divided by the weight a batch of its size carries on average, so that sample weights keep
    their meaning across mini-batches (see :func:`skdl._optim.expected_batch_weight`).
    """
    total_weight, n_samples = float(sample_weight.sum()), len(sample_weight)
    n_features = X.shape[1]
    offset = np.zeros(n_features, X.dtype) if offset is None or not fit_intercept else offset
    scale = np.ones(n_features, X.dtype) if scale is None else scale

    def batch_loss_grad(params, batch):
        coef, intercept = to_model_coordinates(params, offset, scale, fit_intercept)
        loss, grad_coef, grad_intercept = loss_grad(
            _rows(X, batch), Y[batch], sample_weight[batch], coef, intercept, l2,
            weight_total=expected_batch_weight(total_weight, n_samples, batch),
        )
        if fit_intercept:
            grad_coef = grad_coef - np.multiply.outer(offset, grad_intercept)
        grad_coef = grad_coef / (scale[:, None] if grad_coef.ndim == 2 else scale)
        return loss, [grad_coef, grad_intercept] if fit_intercept else [grad_coef]

    return batch_loss_grad


def sgd_only(estimator):
    """``available_if`` condition of ``partial_fit``: only the ``"sgd"`` solver streams."""
    if estimator.solver != "sgd":
        raise AttributeError("partial_fit is only available with solver='sgd'.")
    return True


class FirstOrderMixin:
    """The state and steps of the ``"gd"`` / ``"sgd"`` solvers, shared by the linear models.

    The state (change of variables, parameters, optimiser, random generator, loss history and the
    weight seen by ``partial_fit``) is private, created by ``_initialise_first_order`` and removed
    by ``_clear_first_order_state`` at the start of every ``fit``, so a refit never continues an
    earlier one (unless ``warm_start`` asks for it).
    """

    _FIRST_ORDER_STATE = (
        "_x_offset", "_x_spread", "_x_scale", "_params", "_optimizer", "_rng", "_history", "_seen_weight",
        "loss_curve_",
    )

    def _clear_first_order_state(self):
        for name in self._FIRST_ORDER_STATE:
            self.__dict__.pop(name, None)

    def _initialise_first_order(self, X, weights, coef_shape, *, curvature_ridge=0.0, start=None):
        """Fix the change of variables and the optimiser from the first data seen.

        ``start`` is ``(coef, intercept)`` in the model's coordinates (``warm_start``), or None for zeros.
        """
        self._x_offset, self._x_spread = feature_offset_spread(X, weights, center=self.fit_intercept)
        self._x_scale = preconditioner_scale(self._x_spread, curvature_ridge, X.dtype)
        if start is None:
            self._params = [np.zeros(coef_shape, dtype=X.dtype)]
            if self.fit_intercept:
                self._params.append(np.zeros(coef_shape[1:], dtype=X.dtype))
        else:
            coef, intercept = (np.asarray(a, dtype=X.dtype) for a in start)
            self._params = to_solver_coordinates(coef, intercept, self._x_offset, self._x_scale, self.fit_intercept)
        schedule = make_schedule(self.schedule, self.learning_rate)
        self._optimizer = make_optimizer("gd", schedule, momentum=self.momentum, nesterov=self.nesterov)
        self._rng = check_random_state(self.random_state)
        full_batch = self.solver != "sgd"
        self._history = LossHistory(tol=self.tol, n_iter_no_change=self.n_iter_no_change, full_batch=full_batch)
        self._seen_weight = 0.0

    def _follow_the_penalty(self, curvature_ridge):
        r"""Move to the scale of a new penalty (``partial_fit``: it shrinks as data arrive).

        The model is unchanged: only the coefficient coordinate is rescaled, with the optimiser's
        velocities, since :math:`\tilde\theta = s\,\theta` while :math:`\tilde b = b + \mu^\top\theta`
        does not depend on :math:`s`.
        """
        scale = preconditioner_scale(self._x_spread, curvature_ridge, self._x_scale.dtype)
        ratio = scale / self._x_scale
        ratio = ratio[:, None] if self._params[0].ndim == 2 else ratio
        self._params[0] *= ratio
        for velocity in (getattr(self._optimizer, "velocities", None) or [])[:1]:
            velocity *= ratio
        self._x_scale = scale

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
        name = type(self).__name__
        progress = EpochPrinter(self.verbose, name)
        if single_epoch:
            run_single_epoch(
                batch_loss_grad, self._params, self._optimizer, self._history, n_samples, batch_size, rng,
                estimator_name=name, progress=progress,
            )
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
            estimator_name=name,
            progress=progress,
        )
        return n_iter

    def _model_coefficients(self):
        """The model's ``(coef, intercept)`` from the solver's current parameters."""
        return to_model_coordinates(self._params, self._x_offset, self._x_scale, self.fit_intercept)
