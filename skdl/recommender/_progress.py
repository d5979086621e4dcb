"""The ``verbose`` printer of the recommender's fits: one line per sweep or iteration.

It has the interface of the shared ``skdl.utils._progress.EpochPrinter`` (``epoch(i, loss=...)``)
so that the estimator switches to it by changing one import once it lands.
"""

import time


class EpochPrinter:
    """Print ``name: <unit> i, loss = ..., elapsed ... s`` per call when ``verbose > 0``."""

    def __init__(self, verbose, name, unit="iteration"):
        self.verbose = verbose
        self.name = name
        self.unit = unit
        self._start = time.perf_counter()

    def epoch(self, i, *, loss):
        if self.verbose > 0:
            elapsed = time.perf_counter() - self._start
            print(f"{self.name}: {self.unit} {i}, loss = {loss:.6g}, elapsed {elapsed:.2f} s", flush=True)
