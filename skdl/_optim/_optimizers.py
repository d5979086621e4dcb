r"""First-order optimisers that update a list of parameter arrays in place.

Every optimiser has the same two-method interface, so a model can switch between them by name:

- ``step(params, grads)`` applies one update to each array of ``params`` from the matching array of
  ``grads``;
- ``set_epoch(t)`` moves the learning-rate schedule to epoch ``t``.

The state (velocities, moment estimates, the step count) lives on the optimiser, which an estimator
keeps between ``partial_fit`` calls. The update rules, with step size :math:`\eta` and gradient
:math:`g`:

- gradient descent with momentum :math:`\mu` (plain when :math:`\mu = 0`):
  :math:`v \leftarrow \mu v - \eta g,\; \theta \leftarrow \theta + v`
  (Nesterov: :math:`\theta \leftarrow \theta + \mu v - \eta g`);
- RMSprop: :math:`s \leftarrow \rho s + (1 - \rho) g^2,\;
  \theta \leftarrow \theta - \eta\, g / (\sqrt{s} + \epsilon)`;
- Adam: :math:`m \leftarrow \beta_1 m + (1 - \beta_1) g,\; v \leftarrow \beta_2 v + (1 - \beta_2) g^2,\;
  \theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)` with the bias-corrected
  :math:`\hat m = m / (1 - \beta_1^k)`, :math:`\hat v = v / (1 - \beta_2^k)` after :math:`k` steps.
"""

import numpy as np

from ._schedules import ConstantSchedule


class _Optimizer:
    def __init__(self, schedule):
        self.schedule = schedule
        self.learning_rate = schedule(0)

    def set_epoch(self, t):
        self.learning_rate = self.schedule(t)


class GradientDescent(_Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum; batch or mini-batch by the caller."""

    def __init__(self, schedule, momentum=0.0, nesterov=False):
        super().__init__(schedule)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = None

    def step(self, params, grads):
        lr = self.learning_rate
        if self.momentum == 0.0:
            for theta, g in zip(params, grads):
                theta -= lr * g
            return
        if self.velocities is None:
            self.velocities = [np.zeros_like(theta) for theta in params]
        for theta, g, v in zip(params, grads, self.velocities):
            v *= self.momentum
            v -= lr * g
            if self.nesterov:
                theta += self.momentum * v - lr * g
            else:
                theta += v


class RMSprop(_Optimizer):
    """RMSprop: steps scaled by a running root-mean-square of the gradient."""

    def __init__(self, schedule, rho=0.9, epsilon=1e-8):
        super().__init__(schedule)
        self.rho = rho
        self.epsilon = epsilon
        self.mean_squares = None

    def step(self, params, grads):
        if self.mean_squares is None:
            self.mean_squares = [np.zeros_like(theta) for theta in params]
        for theta, g, s in zip(params, grads, self.mean_squares):
            s *= self.rho
            s += (1.0 - self.rho) * g * g
            theta -= self.learning_rate * g / (np.sqrt(s) + self.epsilon)


class Adam(_Optimizer):
    """Adam: momentum and RMSprop with bias-corrected moment estimates (Kingma and Ba, 2015)."""

    def __init__(self, schedule, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(schedule)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_steps = 0
        self.first_moments = None
        self.second_moments = None

    def step(self, params, grads):
        if self.first_moments is None:
            self.first_moments = [np.zeros_like(theta) for theta in params]
            self.second_moments = [np.zeros_like(theta) for theta in params]
        self.n_steps += 1
        bias_correction_1 = 1.0 - self.beta_1**self.n_steps
        bias_correction_2 = 1.0 - self.beta_2**self.n_steps
        # A Python float, so that float32 parameters are updated in float32 (a numpy float64
        # scalar would promote every temporary of the update to float64).
        step_size = float(self.learning_rate * np.sqrt(bias_correction_2) / bias_correction_1)
        for theta, g, m, v in zip(params, grads, self.first_moments, self.second_moments):
            m *= self.beta_1
            m += (1.0 - self.beta_1) * g
            v *= self.beta_2
            v += (1.0 - self.beta_2) * g * g
            theta -= step_size * m / (np.sqrt(v) + self.epsilon)


OPTIMIZERS = {
    "gd": GradientDescent,
    "sgd": GradientDescent,
    "momentum": GradientDescent,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_optimizer(name, schedule, **options):
    """Build the optimiser called ``name`` with a learning-rate ``schedule`` (or a constant float).

    ``"gd"`` and ``"sgd"`` are plain gradient descent (the caller chooses the batch size),
    ``"momentum"`` is gradient descent with ``momentum=0.9`` unless given.
    """
    if not callable(schedule):
        schedule = ConstantSchedule(float(schedule))
    try:
        optimizer_class = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"Unknown optimiser {name!r}; choose one of {sorted(OPTIMIZERS)}.") from None
    if name == "momentum":
        options.setdefault("momentum", 0.9)
    return optimizer_class(schedule, **options)
