"""The training loop shared by every gradient-trained estimator: epochs of (mini-)batch updates.

A model hands the loop a function ``loss_grad(params, batch) -> (loss, grads)`` where ``batch`` is an
array of row indices (or a slice covering every row), and the list of parameter arrays that its
optimiser updates in place. The loop owns batching, shuffling, the learning-rate schedule, the loss
history and the convergence test; the model owns the mathematics.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning


@dataclass
class LossHistory:
    """The loss per epoch and the state of the convergence test on it.

    The test is the one scikit-learn's stochastic solvers use: an epoch *fails to improve* when its
    loss is not below ``best_loss - tol * max(1, |best_loss|)``; training has converged after
    ``n_iter_no_change`` such epochs in a row. With ``full_batch`` a *rise* of the loss is not
    taken for a plateau: full-batch gradient descent only climbs when its step is too large, so it
    keeps going (and either settles, or diverges and is reported) instead of stopping there.

    Parameters
    ----------
    tol : float
        The relative improvement an epoch must make.
    n_iter_no_change : int, default=1
        How many epochs in a row without improvement count as converged.
    full_batch : bool, default=False
        Whether the epochs are full-batch (a rising loss then resets the count).
    losses : list of float, default=[]
        The losses recorded so far (to resume a history).
    best_loss : float, default=inf
        The lowest loss recorded so far.
    epochs_without_improvement : int, default=0
        The epochs since the last improvement.
    initial_loss : float or None, default=None
        The loss at the starting parameters (the first batch's, before any step), which the
        divergence test measures growth against.

    See Also
    --------
    minimize_first_order : The loop that records a loss per epoch.

    Examples
    --------
    >>> from skdl._optim import LossHistory
    >>> history = LossHistory(tol=0.01, n_iter_no_change=2)
    >>> [history.record(loss) for loss in [1.0, 0.5, 0.499, 0.498]]
    [False, False, False, True]
    """

    tol: float
    n_iter_no_change: int = 1
    full_batch: bool = False
    losses: list = field(default_factory=list)
    best_loss: float = np.inf
    epochs_without_improvement: int = 0
    initial_loss: float = None

    def record(self, loss):
        """Add an epoch's loss; return True when the convergence test is met.

        Parameters
        ----------
        loss : float
            The loss of the epoch just run.

        Returns
        -------
        bool
            Whether ``n_iter_no_change`` epochs in a row have now failed to improve.
        """
        self.losses.append(float(loss))
        threshold = self.tol * max(1.0, abs(self.best_loss))
        improved = not np.isfinite(self.best_loss) or loss < self.best_loss - threshold
        rising = self.full_batch and np.isfinite(self.best_loss) and loss > self.best_loss + threshold
        if improved or rising:
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        self.best_loss = min(self.best_loss, loss)
        return self.epochs_without_improvement >= self.n_iter_no_change


def iterate_minibatches(n_samples, batch_size, rng=None):
    """Yield the row indices of each mini-batch of an epoch, shuffled when ``rng`` is given.

    ``batch_size=None`` (or one at least ``n_samples``) yields a single slice over all rows, which
    lets full-batch gradient descent index without copying.

    Parameters
    ----------
    n_samples : int
        The number of rows.
    batch_size : int or None, default=None
        The rows per mini-batch (the last one may be smaller); None is one full batch.
    rng : numpy.random.Generator or None, default=None
        Shuffles the rows; None keeps their order.

    Yields
    ------
    slice or ndarray of int
        The rows of one batch.

    Examples
    --------
    >>> from skdl._optim import iterate_minibatches
    >>> [batch.tolist() for batch in iterate_minibatches(5, 2)]
    [[0, 1], [2, 3], [4]]
    """
    if batch_size is None or batch_size >= n_samples:
        yield slice(None)
        return
    order = rng.permutation(n_samples) if rng is not None else np.arange(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start : start + batch_size]


def run_epoch(loss_grad, params, optimizer, n_samples, batch_size=None, rng=None, history=None):
    """One pass over the data; return the epoch's loss, the batch losses averaged by batch size.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad(params, batch) -> (loss, grads)`` on the rows ``batch``.
    params : list of ndarray
        The parameter arrays, updated in place by ``optimizer``.
    optimizer : object
        An optimiser of ``skdl._optim`` (its ``step`` is called once per batch).
    n_samples : int
        The number of rows.
    batch_size : int or None, default=None
        The rows per mini-batch; None is one full batch.
    rng : numpy.random.Generator or None, default=None
        Shuffles the batches; None keeps the row order.
    history : LossHistory or None, default=None
        When its ``initial_loss`` is not known yet, it is set to the first batch's loss, taken
        at the starting parameters.

    Returns
    -------
    float
        The mean of the batch losses weighted by the batch sizes.
    """
    total_loss = 0.0
    for batch in iterate_minibatches(n_samples, batch_size, rng):
        loss, grads = loss_grad(params, batch)
        if history is not None and history.initial_loss is None:
            history.initial_loss = float(loss)
        optimizer.step(params, grads)
        batch_len = n_samples if isinstance(batch, slice) else len(batch)
        total_loss += loss * batch_len
    return total_loss / n_samples


# A loss this many times the starting loss is a step size too large, not a plateau.
DIVERGENCE_FACTOR = 1e4


def check_divergence(loss, params, history, optimizer, epoch, estimator_name="The solver"):
    """Raise ``FloatingPointError`` when training diverges; call before recording ``loss``.

    Diverging means a non-finite loss or parameter, or a loss above :data:`DIVERGENCE_FACTOR`
    times the loss at the start (the smaller of the starting parameters' loss and the first
    epoch's). Mini-batch SGD with too large a step does not plateau: its loss grows by orders of
    magnitude per epoch, which the plateau test alone would take for convergence after a few
    epochs "without improvement"; and a first epoch that already blew up must not become the
    yardstick.
    """
    starts = [start for start in (history.initial_loss, history.losses[0] if history.losses else None)
              if start is not None and start > 0]
    start = min(starts) if starts else None
    finite = np.isfinite(loss) and all(np.isfinite(theta).all() for theta in params)
    if finite and (start is None or loss <= DIVERGENCE_FACTOR * start):
        return
    rose = "" if start is None else f" (from {start:.4g} at the start)"
    raise FloatingPointError(
        f"{estimator_name} diverged: the loss became {loss:.4g}{rose} at epoch {epoch}"
        f"{'' if finite else ' and the parameters are no longer finite'}. The learning rate "
        f"(learning_rate={optimizer.learning_rate:g}) is too large for this data: lower it."
    )


def run_single_epoch(loss_grad, params, optimizer, history, n_samples, batch_size=None, rng=None,
                     estimator_name="The solver", progress=None):
    """One more epoch of an ongoing training (``partial_fit``): schedule, pass, loss recorded.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad(params, batch) -> (loss, grads)`` on the rows ``batch``.
    params : list of ndarray
        The parameter arrays, updated in place by ``optimizer``.
    optimizer : object
        An optimiser of ``skdl._optim``; its schedule moves to the epoch ``len(history.losses)``.
    history : LossHistory
        The training so far; the epoch's loss is recorded in it.
    n_samples : int
        The number of rows.
    batch_size : int or None, default=None
        The rows per mini-batch; None is one full batch.
    rng : numpy.random.Generator or None, default=None
        Shuffles the batches; None keeps the row order.
    estimator_name : str, default="The solver"
        Named in the divergence error.
    progress : object or None, default=None
        Told of the epoch by ``progress.step(epoch, loss=loss)``, as in
        :func:`minimize_first_order`; None reports nothing.

    Returns
    -------
    float
        The epoch's loss.

    Raises
    ------
    FloatingPointError
        When the epoch diverged (see :func:`check_divergence`).
    """
    epoch = len(history.losses)
    optimizer.set_epoch(epoch)
    loss = run_epoch(loss_grad, params, optimizer, n_samples, batch_size, rng, history)
    check_divergence(loss, params, history, optimizer, epoch + 1, estimator_name)
    history.record(loss)
    if progress is not None:
        progress.step(epoch + 1, loss=loss)
    return loss


def expected_batch_weight(total_weight, n_samples, batch):
    """The weight a batch of this size carries on average: ``total_weight * len(batch) / n_samples``.

    Dividing a batch's weighted loss by it (rather than by the batch's own weight) keeps each
    batch's gradient an unbiased estimate of the full one, so light and heavy batches count as
    they should, and a batch of zero weight contributes nothing instead of dividing 0 by 0.

    Parameters
    ----------
    total_weight : float
        The sum of the sample weights of all rows.
    n_samples : int
        The number of rows.
    batch : slice or ndarray of int
        The rows of the batch (a slice is the full batch).

    Returns
    -------
    float
        The weight to divide the batch's weighted loss by.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl._optim import expected_batch_weight
    >>> expected_batch_weight(10.0, 100, np.arange(20))
    2.0
    """
    if isinstance(batch, slice):
        return total_weight
    return total_weight * len(batch) / n_samples


def minimize_first_order(
    loss_grad,
    params,
    optimizer,
    n_samples,
    *,
    batch_size=None,
    max_iter=200,
    tol=1e-4,
    n_iter_no_change=1,
    rng=None,
    history=None,
    callback=None,
    estimator_name="The solver",
    progress=None,
):
    """Run epochs until the loss converges, ``callback`` asks to stop, or ``max_iter`` runs out.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad(params, batch) -> (loss, grads)``: the objective on the rows ``batch`` and its
        gradient with respect to each array of ``params``.
    params : list of ndarray
        Updated in place.
    optimizer : object
        One of ``skdl._optim`` optimisers (``step`` and ``set_epoch``).
    n_samples : int
        The number of rows (``loss_grad`` sees batches of row indices below it).
    batch_size : int or None, default=None
        ``None`` is full-batch gradient descent.
    max_iter : int, default=200
        The largest number of epochs.
    tol : float, default=1e-4
        The relative improvement of the loss an epoch must make to count as progress.
    n_iter_no_change : int, default=1
        See :class:`LossHistory`.
    rng : numpy.random.Generator or None
        Shuffles the mini-batches each epoch; ``None`` keeps the row order.
    history : LossHistory or None
        Continue an earlier run (its epochs count towards the schedule).
    callback : callable or None
        ``callback(epoch, loss) -> bool`` after each epoch; ``True`` stops training (early
        stopping on a validation score, for instance).
    estimator_name : str
        Named in the ``ConvergenceWarning`` and the divergence error.
    progress : object or None, default=None
        Told of each epoch by ``progress.step(epoch, loss=loss)``, such as an
        :class:`skdl.utils._progress.EpochPrinter` (which prints one line when ``verbose > 0``).

    Returns
    -------
    history : LossHistory
        The loss of every epoch (those of ``history`` given included).
    n_iter : int
        Epochs run by this call.

    Raises
    ------
    FloatingPointError
        When training diverges (see :func:`check_divergence`); ``params`` are then not to be used.
    """
    if history is None:
        history = LossHistory(tol=tol, n_iter_no_change=n_iter_no_change, full_batch=batch_size is None)
    first_epoch = len(history.losses)
    for n_iter in range(1, max_iter + 1):
        optimizer.set_epoch(first_epoch + n_iter - 1)
        loss = run_epoch(loss_grad, params, optimizer, n_samples, batch_size, rng, history)
        check_divergence(loss, params, history, optimizer, first_epoch + n_iter, estimator_name)
        converged = history.record(loss)
        if progress is not None:
            progress.step(first_epoch + n_iter, loss=loss)
        stop = callback is not None and callback(first_epoch + n_iter, loss)
        if converged or stop:
            return history, n_iter
    warnings.warn(
        f"{estimator_name} reached max_iter={max_iter} epochs without converging "
        f"(tol={tol}); increase max_iter or the learning rate.",
        ConvergenceWarning,
    )
    return history, max_iter
