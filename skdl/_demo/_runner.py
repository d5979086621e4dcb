"""Run the demo cases and print one table: skdl against its scikit-learn (or other) counterpart."""

import importlib
import pkgutil
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class DemoCase:
    """One row of the demo table.

    ``load()`` returns ``(X_train, y_train, X_test, y_test)`` (the y's may be None);
    ``make_ours()`` and ``make_peer()`` build unfitted estimators; ``score(estimator, X, y)``
    computes ``metric`` on the test data. ``requires`` names a module the case needs (torch, say):
    without it the row says so instead of failing.
    """

    estimator: str
    dataset: str
    metric: str
    load: Callable
    make_ours: Callable
    score: Callable
    make_peer: Optional[Callable] = None
    peer: str = ""
    requires: Optional[str] = None


def collect_cases():
    """Every ``CASES`` entry of the modules of ``skdl._demo``, in module order."""
    package = importlib.import_module(__package__)
    cases = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__package__}.{module_info.name}")
        cases.extend(getattr(module, "CASES", []))
    return cases


def _timed_fit(make_estimator, X, y, *, max_repeats=20, budget_seconds=0.3):
    """Fit, repeated while cheap (until ``budget_seconds`` are spent), and return the best time.

    Fits of a few milliseconds are dominated by one-off warm-up costs and by whatever else the
    machine is doing; the best of several runs is the fair figure.
    """
    best, spent = float("inf"), 0.0
    for _ in range(max_repeats):
        estimator = make_estimator()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.fit(X, y) if y is not None else estimator.fit(X)
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget_seconds:
            break
    return estimator, best


def run_case(case):
    """Fit both sides of ``case``; return ``(ours_score, peer_score, time_ratio)`` (peer None-able)."""
    X_train, y_train, X_test, y_test = case.load()
    ours, ours_time = _timed_fit(case.make_ours, X_train, y_train)
    ours_score = case.score(ours, X_test, y_test)
    if case.make_peer is None:
        return ours_score, None, None
    peer, peer_time = _timed_fit(case.make_peer, X_train, y_train)
    return ours_score, case.score(peer, X_test, y_test), ours_time / peer_time


def _missing(module_name):
    if module_name is None:
        return False
    try:
        importlib.import_module(module_name)
    except ImportError:
        return True
    return False


def _format_row(cells, widths):
    return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths))


def main(argv=None, stream=None):
    """Run every demo case (or those whose estimator name contains an argument) and print the table."""
    argv = sys.argv[1:] if argv is None else argv
    stream = sys.stdout if stream is None else stream
    cases = [c for c in collect_cases() if not argv or any(a.lower() in c.estimator.lower() for a in argv)]
    header = ["estimator", "data set", "metric", "skdl", "peer", "peer score", "fit time ratio"]
    widths = [24, 34, 16, 10, 28, 10, 14]
    rows = []
    print(f"skdl demo: {len(cases)} estimators on bundled real data", file=stream)
    for index, case in enumerate(cases, start=1):
        print(f"[{index}/{len(cases)}] {case.estimator} on {case.dataset} ...", file=stream, flush=True)
        if _missing(case.requires):
            rows.append([case.estimator, case.dataset, case.metric, "-", case.peer,
                         "-", f"needs {case.requires}"])
            continue
        ours, peer, ratio = run_case(case)
        rows.append([
            case.estimator, case.dataset, case.metric, f"{ours:.4f}", case.peer or "-",
            "-" if peer is None else f"{peer:.4f}", "-" if ratio is None else f"{ratio:.2g}x" if ratio < 0.1 else f"{ratio:.2f}x",
        ])
    print(file=stream)
    print(_format_row(header, widths), file=stream)
    print(_format_row(["-" * w for w in widths], widths), file=stream)
    for row in rows:
        print(_format_row(row, widths), file=stream)
    print("\nfit time ratio = skdl fit time / peer fit time (below 1 means skdl is faster).", file=stream)
    return rows
