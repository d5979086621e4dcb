"""The demo behind ``python -m skdl``: every estimator fitted on bundled real data beside its peer.

Each module of this package defines ``CASES``, a list of :class:`DemoCase`; the runner finds them
all, so a new estimator joins the demo by adding a module here.
"""

from ._runner import DemoCase, collect_cases, main, run_case

__all__ = ["DemoCase", "collect_cases", "main", "run_case"]
