"""Shared optimisation machinery: losses, first-order optimisers, schedules and training loops.

Private to skdl: estimators import from here so that each piece of mathematics is written once.
"""

from ._losses import binary_logistic_loss_grad, multinomial_loss_grad, squared_loss_grad
from ._loop import (
    LossHistory,
    expected_batch_weight,
    iterate_minibatches,
    minimize_first_order,
    run_epoch,
    run_single_epoch,
)
from ._optimizers import OPTIMIZERS, Adam, GradientDescent, RMSprop, make_optimizer
from ._schedules import SCHEDULES, make_schedule
from ._scipy import SCIPY_METHODS, minimize_scipy

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "SCIPY_METHODS",
    "Adam",
    "binary_logistic_loss_grad",
    "expected_batch_weight",
    "multinomial_loss_grad",
    "squared_loss_grad",
    "GradientDescent",
    "LossHistory",
    "RMSprop",
    "iterate_minibatches",
    "make_optimizer",
    "make_schedule",
    "minimize_first_order",
    "minimize_scipy",
    "run_epoch",
    "run_single_epoch",
]
