"""Learning-rate schedules: the step size as a function of the epoch ``t`` (0, 1, 2, ...).

Each schedule is a small picklable object with ``__call__(t) -> float``, so an estimator can store its
optimiser (schedule included) between ``partial_fit`` calls.
"""

import math


class ConstantSchedule:
    r"""Constant step size, :math:`\eta_t = \eta_0`."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def __call__(self, t):
        return self.learning_rate


class InverseTimeSchedule:
    r"""Inverse-time decay, :math:`\eta_t = \eta_0 / (1 + \text{decay} \cdot t)`."""

    def __init__(self, learning_rate, decay_rate=0.01):
        self.learning_rate = learning_rate
        self.decay_rate = decay_rate

    def __call__(self, t):
        return self.learning_rate / (1.0 + self.decay_rate * t)


class ExponentialSchedule:
    r"""Exponential decay, :math:`\eta_t = \eta_0 \cdot \text{decay}^t`."""

    def __init__(self, learning_rate, decay_rate=0.99):
        self.learning_rate = learning_rate
        self.decay_rate = decay_rate

    def __call__(self, t):
        return self.learning_rate * self.decay_rate**t


class StepSchedule:
    r"""Step decay, :math:`\eta_t = \eta_0 \cdot \text{drop}^{\lfloor t / \text{every} \rfloor}`."""

    def __init__(self, learning_rate, drop=0.5, every=10):
        self.learning_rate = learning_rate
        self.drop = drop
        self.every = every

    def __call__(self, t):
        return self.learning_rate * self.drop ** math.floor(t / self.every)


SCHEDULES = {
    "constant": ConstantSchedule,
    "inverse_time": InverseTimeSchedule,
    "exponential": ExponentialSchedule,
    "step": StepSchedule,
}


def make_schedule(name, learning_rate, **options):
    r"""Build the schedule called ``name`` (a key of ``SCHEDULES``) starting at ``learning_rate``.

    Parameters
    ----------
    name : {"constant", "inverse_time", "exponential", "step"}
        The schedule: :math:`\eta_t = \eta_0`, :math:`\eta_0 / (1 + \text{decay} \cdot t)`,
        :math:`\eta_0 \cdot \text{decay}^t` or
        :math:`\eta_0 \cdot \text{drop}^{\lfloor t / \text{every} \rfloor}`.
    learning_rate : float
        :math:`\eta_0`, the step size at epoch 0.
    **options : dict
        The schedule's own parameters: ``decay_rate`` (inverse time, exponential), ``drop`` and
        ``every`` (step).

    Returns
    -------
    callable
        ``schedule(t) -> float``, the step size at epoch ``t``; picklable.

    Raises
    ------
    ValueError
        If ``name`` is not a known schedule.

    See Also
    --------
    make_optimizer : The optimisers that follow a schedule.

    Examples
    --------
    >>> from skdl._optim import make_schedule
    >>> schedule = make_schedule("step", 0.1, drop=0.5, every=10)
    >>> schedule(0), schedule(10), schedule(25)
    (0.1, 0.05, 0.025)
    """
    try:
        schedule_class = SCHEDULES[name]
    except KeyError:
        raise ValueError(
            f"Unknown learning-rate schedule {name!r}; choose one of {sorted(SCHEDULES)}."
        ) from None
    return schedule_class(learning_rate, **options)
