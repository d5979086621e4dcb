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
        """Move the learning-rate schedule to epoch ``t``.

        Parameters
        ----------
        t : int
            The epoch about to start, counted from 0; ``learning_rate`` becomes ``schedule(t)``.
        """
        self.learning_rate = self.schedule(t)


class GradientDescent(_Optimizer):
    r"""Gradient descent, optionally with (Nesterov) momentum; batch or mini-batch by the caller.

    Each step moves the parameters against their gradient, :math:`\theta \leftarrow \theta - \eta g`;
    with momentum :math:`\mu > 0` a velocity accumulates the steps,
    :math:`v \leftarrow \mu v - \eta g,\; \theta \leftarrow \theta + v`, and Nesterov's variant
    takes the step from the look-ahead point, :math:`\theta \leftarrow \theta + \mu v - \eta g`.

    Parameters
    ----------
    schedule : callable
        ``schedule(t) -> float``, the step size :math:`\eta` at epoch ``t`` (see
        :func:`make_schedule`).
    momentum : float, default=0.0
        :math:`\mu`; 0 is plain gradient descent.
    nesterov : bool, default=False
        Use Nesterov's momentum (only with ``momentum > 0``).

    Attributes
    ----------
    learning_rate : float
        The step size of the current epoch.
    velocities : list of ndarray or None
        One velocity per parameter array, created by the first momentum step.

    See Also
    --------
    RMSprop : Steps scaled per coordinate by the gradient's running RMS.
    Adam : Momentum and RMSprop with bias correction.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl._optim import GradientDescent, make_schedule
    >>> theta = np.array([1.0, -2.0])
    >>> optimizer = GradientDescent(make_schedule("constant", 0.25))
    >>> optimizer.step([theta], [2 * theta])  # the gradient of ||theta||^2
    >>> theta
    array([ 0.5, -1. ])
    """

    def __init__(self, schedule, momentum=0.0, nesterov=False):
        super().__init__(schedule)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = None

    def step(self, params, grads):
        """Update each array of ``params`` in place from the matching array of ``grads``.

        Parameters
        ----------
        params : list of ndarray
            The parameter arrays, changed in place.
        grads : list of ndarray
            The gradient of the objective with respect to each array of ``params``.
        """
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
    r"""RMSprop: steps scaled by a running root-mean-square of the gradient.

    :math:`s \leftarrow \rho s + (1 - \rho) g^2,\;
    \theta \leftarrow \theta - \eta\, g / (\sqrt{s} + \epsilon)`, coordinate by coordinate, so that
    directions with large gradients take smaller steps (Tieleman and Hinton, 2012).

    Parameters
    ----------
    schedule : callable
        ``schedule(t) -> float``, the step size :math:`\eta` at epoch ``t``.
    rho : float, default=0.9
        :math:`\rho`, the decay of the running mean of squared gradients.
    epsilon : float, default=1e-8
        :math:`\epsilon`, added to the root-mean-square so that the step stays finite.

    Attributes
    ----------
    learning_rate : float
        The step size of the current epoch.
    mean_squares : list of ndarray or None
        :math:`s` for each parameter array, created by the first step.

    See Also
    --------
    GradientDescent : Plain or momentum gradient descent.
    Adam : RMSprop with momentum and bias correction.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl._optim import RMSprop, make_schedule
    >>> theta = np.array([1.0, -100.0])
    >>> RMSprop(make_schedule("constant", 0.01)).step([theta], [2 * theta])
    >>> np.round(theta, 4)  # both coordinates moved by about the same amount
    array([  0.9684, -99.9684])
    """

    def __init__(self, schedule, rho=0.9, epsilon=1e-8):
        super().__init__(schedule)
        self.rho = rho
        self.epsilon = epsilon
        self.mean_squares = None

    def step(self, params, grads):
        """Update each array of ``params`` in place from the matching array of ``grads``.

        Parameters
        ----------
        params : list of ndarray
            The parameter arrays, changed in place.
        grads : list of ndarray
            The gradient of the objective with respect to each array of ``params``.
        """
        if self.mean_squares is None:
            self.mean_squares = [np.zeros_like(theta) for theta in params]
        for theta, g, s in zip(params, grads, self.mean_squares):
            s *= self.rho
            s += (1.0 - self.rho) * g * g
            theta -= self.learning_rate * g / (np.sqrt(s) + self.epsilon)


class Adam(_Optimizer):
    r"""Adam: momentum and RMSprop with bias-corrected moment estimates (Kingma and Ba, 2015).

    :math:`m \leftarrow \beta_1 m + (1 - \beta_1) g,\; v \leftarrow \beta_2 v + (1 - \beta_2) g^2,\;
    \theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)` with
    :math:`\hat m = m / (1 - \beta_1^k)` and :math:`\hat v = v / (1 - \beta_2^k)` after :math:`k`
    steps, which undoes the moments' bias towards their zero start.

    Parameters
    ----------
    schedule : callable
        ``schedule(t) -> float``, the step size :math:`\eta` at epoch ``t``.
    beta_1 : float, default=0.9
        :math:`\beta_1`, the decay of the first-moment (mean) estimate.
    beta_2 : float, default=0.999
        :math:`\beta_2`, the decay of the second-moment (uncentred variance) estimate.
    epsilon : float, default=1e-8
        :math:`\epsilon`, added to :math:`\sqrt{\hat v}` so that the step stays finite.

    Attributes
    ----------
    learning_rate : float
        The step size of the current epoch.
    n_steps : int
        :math:`k`, the steps taken so far.
    first_moments, second_moments : list of ndarray or None
        :math:`m` and :math:`v` for each parameter array, created by the first step.

    See Also
    --------
    GradientDescent : Plain or momentum gradient descent.
    RMSprop : The second-moment scaling alone.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl._optim import Adam, make_schedule
    >>> theta = np.array([1.0, -2.0])
    >>> Adam(make_schedule("constant", 0.1)).step([theta], [2 * theta])
    >>> theta  # the first step has length eta in every coordinate
    array([ 0.9, -1.9])
    """

    def __init__(self, schedule, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(schedule)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_steps = 0
        self.first_moments = None
        self.second_moments = None

    def step(self, params, grads):
        """Update each array of ``params`` in place from the matching array of ``grads``.

        Parameters
        ----------
        params : list of ndarray
            The parameter arrays, changed in place.
        grads : list of ndarray
            The gradient of the objective with respect to each array of ``params``.
        """
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

    Parameters
    ----------
    name : str
        A key of ``OPTIMIZERS``: ``"gd"``, ``"sgd"``, ``"momentum"``, ``"rmsprop"``, ``"adam"``.
    schedule : callable or float
        ``schedule(t) -> float``, the step size at epoch ``t``, or a constant step size.
    **options : dict
        Further parameters of the optimiser (``momentum``, ``nesterov``, ``rho``, ``beta_1``, ...).

    Returns
    -------
    GradientDescent, RMSprop or Adam
        The optimiser, before its first step.

    Raises
    ------
    ValueError
        If ``name`` is not a known optimiser.

    See Also
    --------
    make_schedule : The learning-rate schedules.

    Examples
    --------
    >>> from skdl._optim import make_optimizer
    >>> optimizer = make_optimizer("momentum", 0.1)
    >>> type(optimizer).__name__, optimizer.momentum, optimizer.learning_rate
    ('GradientDescent', 0.9, 0.1)
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
