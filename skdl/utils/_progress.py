"""The one progress printer of the long fits: a line per epoch or iteration when ``verbose > 0``.

scikit-learn's iterative estimators and skorch print their progress to standard output when
``verbose`` is set, and are silent otherwise; every skdl fit that iterates reports the same way,
through this class, so the lines look alike across estimators.
"""

import sys
import time


class EpochPrinter:
    """Print ``<name> <unit> <i>: loss=<loss>, <name>=<value>, elapsed <t>s`` when ``verbose > 0``.

    Parameters
    ----------
    verbose : int
        The estimator's ``verbose``; nothing is printed when it is 0 or less.
    name : str
        Named at the start of each line (the estimator's class name).
    unit : str, default="epoch"
        What one line stands for ("epoch", "iteration", "sweep").

    Examples
    --------
    >>> from skdl.utils._progress import EpochPrinter
    >>> progress = EpochPrinter(1, "LinearRegression")
    >>> progress.step(1, loss=0.25, elapsed=0.0)
    LinearRegression epoch 1: loss=0.25, elapsed 0.00s
    >>> EpochPrinter(0, "LinearRegression").step(1, loss=0.25)  # silent by default
    """

    def __init__(self, verbose, name, unit="epoch"):
        self.verbose = int(verbose or 0)
        self.name = name
        self.unit = unit
        self._start = time.perf_counter()

    def __bool__(self):
        return self.verbose > 0

    def step(self, i, *, loss=None, elapsed=None, **values):
        """Print the line of epoch (iteration) ``i``; extra keyword values follow the loss."""
        if self.verbose <= 0:
            return
        elapsed = time.perf_counter() - self._start if elapsed is None else elapsed
        parts = [] if loss is None else [f"loss={loss:.6g}"]
        parts += [f"{key}={value:.6g}" if isinstance(value, float) else f"{key}={value}" for key, value in values.items()]
        parts.append(f"elapsed {elapsed:.2f}s")
        print(f"{self.name} {self.unit} {i}: {', '.join(parts)}", file=sys.stdout, flush=True)
