"""Run the demo cases and print one table: skdl against its scikit-learn (or other) counterpart."""

import argparse
import importlib
import pkgutil
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Optional

from ..utils._text_table import text_table


@dataclass
class DemoCase:
    """One row of the demo table.

    ``load()`` returns ``(X_train, y_train, X_test, y_test)`` (the y's may be None);
    ``make_ours()`` and ``make_peer()`` build unfitted estimators; ``score(estimator, X, y)``
    computes ``metric`` on the test data. ``requires`` names a module the case needs (torch, say):
    without it the row says so instead of failing.

    ``compare_times`` says whether the peer does the same job (the same model family fitted to
    the same objective, such as a CNN and scikit-learn's MLPClassifier): only then does the row
    show the ratio of the fit times; otherwise the peer's score is a reference only.

    ``make_ours_quick`` and ``make_peer_quick`` build lighter estimators for ``--quick`` (fewer
    epochs, say), and ``quick_dataset`` is the row's label then; a case without them runs as
    usual under ``--quick``.

    ``compiled`` marks an estimator whose loops numba compiles (once per installation, then
    cached) and loads (once per process): one untimed fit on the case's data comes first, so
    that the fit time compared is the fit's own; the demo prints that one-off cost apart.
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
    compare_times: bool = True
    make_ours_quick: Optional[Callable] = None
    make_peer_quick: Optional[Callable] = None
    quick_dataset: str = ""
    compiled: bool = False


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


def _timed_fit(make_estimator, X, y, *, max_repeats=20, budget_seconds=0.3, slow_seconds=2.0):
    """Fit, repeated while cheap (until ``budget_seconds`` are spent), and return the best time.

    Fits of a few milliseconds are dominated by one-off costs (the first call of a library
    imports and sets up what it uses lazily) and by whatever else the machine is doing; the best
    of several runs is the fair figure, so a fit faster than ``slow_seconds`` runs at least twice.
    A slower fit runs once: its one-off costs are a small part of it.
    """
    best, spent = float("inf"), 0.0
    for repeat in range(1, max_repeats + 1):
        estimator = make_estimator()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.fit(X, y) if y is not None else estimator.fit(X)
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if elapsed > slow_seconds or (repeat >= 2 and spent > budget_seconds):
            break
    return estimator, best


def run_case(case, quick=False, stream=None):
    """Fit both sides of ``case``; return ``(ours_score, peer_score, time_ratio)``.

    ``peer_score`` is None without a peer, ``time_ratio`` None without a peer or where the peer
    does another job (``case.compare_times`` false). The first fit of a ``compiled`` case is
    reported on ``stream`` (standard output by default).
    """
    stream = sys.stdout if stream is None else stream
    X_train, y_train, X_test, y_test = case.load()
    make_ours = (case.make_ours_quick if quick else None) or case.make_ours
    if case.compiled:
        compile_seconds = _timed_fit(make_ours, X_train, y_train, max_repeats=1)[1]
        print(f"    numba's compiled loops ready (compiled or loaded from the cache, once): first fit "
              f"{compile_seconds:.2f} s, not counted below", file=stream, flush=True)
    ours, ours_time = _timed_fit(make_ours, X_train, y_train)
    ours_score = case.score(ours, X_test, y_test)
    if case.make_peer is None:
        return ours_score, None, None
    make_peer = (case.make_peer_quick if quick else None) or case.make_peer
    peer, peer_time = _timed_fit(make_peer, X_train, y_train)
    ratio = ours_time / peer_time if case.compare_times else None
    return ours_score, case.score(peer, X_test, y_test), ratio


def _missing(module_name):
    if module_name is None:
        return False
    try:
        importlib.import_module(module_name)
    except ImportError:
        return True
    return False


def _format_ratio(ratio):
    return f"{ratio:.2g}x" if ratio < 0.1 else f"{ratio:.2f}x"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m skdl",
        description="Fit every skdl estimator on real data bundled with the package, beside its "
        "scikit-learn (or other) counterpart, and print the scores and the ratio of fit times.",
        epilog="A fit-time ratio is shown only where the peer does the same job (the same model "
        "family on the same objective); other peers' scores are references.",
    )
    parser.add_argument(
        "--only", metavar="NAME", action="append", default=[],
        help="run only the estimators whose name contains NAME (case-insensitive); repeatable",
    )
    parser.add_argument(
        "--quick", action="store_true",
        help="train the deep models for fewer epochs (well under a minute on a CPU)",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="the same as --only NAME")
    return parser.parse_args(argv)


def main(argv=None, stream=None):
    """Run the demo (``python -m skdl``): every case, or those ``--only`` names, and print the table."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stream = sys.stdout if stream is None else stream
    names = [name.lower() for name in [*args.only, *args.names]]
    cases = [c for c in collect_cases() if not names or any(n in c.estimator.lower() for n in names)]
    if not cases:
        known = sorted({c.estimator for c in collect_cases()})
        raise SystemExit(f"no demo case matches {names}; the estimators are {', '.join(known)}")
    header = ["estimator", "data set", "metric", "skdl", "peer", "peer score", "fit time ratio"]
    rows = []
    mode = " (quick)" if args.quick else ""
    print(f"skdl demo{mode}: {len(cases)} estimators on bundled real data", file=stream)
    for index, case in enumerate(cases, start=1):
        dataset = case.quick_dataset if args.quick and case.quick_dataset else case.dataset
        print(f"[{index}/{len(cases)}] {case.estimator} on {dataset} ...", file=stream, flush=True)
        if _missing(case.requires):
            rows.append([case.estimator, dataset, case.metric, "-", case.peer or "-", "-",
                         f"needs {case.requires}"])
            continue
        ours, peer, ratio = run_case(case, quick=args.quick, stream=stream)
        rows.append([
            case.estimator, dataset, case.metric, f"{ours:.4f}", case.peer or "-",
            "-" if peer is None else f"{peer:.4f}", "-" if ratio is None else _format_ratio(ratio),
        ])
    print(file=stream)
    for line in text_table(header, rows, right_aligned={3, 5, 6}):
        print(line, file=stream)
    print(
        "\nfit time ratio = skdl fit time / peer fit time (below 1 means skdl is faster); '-' where "
        "the peer does another job, so that only its score is comparable.",
        file=stream,
    )
    return rows
