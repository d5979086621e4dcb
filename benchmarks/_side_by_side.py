"""The side-by-side comparison that every benchmark module declares, and how one is measured.

A :class:`Comparison` names a workload, builds its data once, and fits skdl and its peer on it in
the same process, alternating the two so that both see the same machine state. The ratio reported
is skdl's median time over the peer's median time; ``target`` is the ratio the issue asks for.
"""

import gc
import statistics
import time
import tracemalloc
import warnings
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class Comparison:
    """One workload measured for skdl and its peer.

    ``setup()`` returns the data (any object); ``ours(data)`` and ``peer(data)`` run the timed work
    and return what ``quality(ours_result, peer_result, data)`` needs to describe the answers
    (a short string such as ``"inertia +0.02%"``).
    """

    name: str
    setup: Callable
    ours: Callable
    peer: Callable
    peer_name: str
    target: Optional[float] = None
    quality: Optional[Callable] = None
    repeat: int = 5


def _time_once(function, data):
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = function(data)
        return time.perf_counter() - start, result


def measure(comparison, repeat=None):
    """Time ``comparison``: one warm-up each, then ``repeat`` alternating runs. Returns a dict."""
    repeat = repeat or comparison.repeat
    data = comparison.setup()
    _, ours_result = _time_once(comparison.ours, data)
    _, peer_result = _time_once(comparison.peer, data)
    ours_times, peer_times = [], []
    for _ in range(repeat):
        ours_times.append(_time_once(comparison.ours, data)[0])
        peer_times.append(_time_once(comparison.peer, data)[0])
    ours_time, peer_time = statistics.median(ours_times), statistics.median(peer_times)
    ratio = ours_time / peer_time
    quality = comparison.quality(ours_result, peer_result, data) if comparison.quality else ""
    return {
        "name": comparison.name,
        "peer": comparison.peer_name,
        "ours_s": ours_time,
        "peer_s": peer_time,
        "ratio": ratio,
        "target": comparison.target,
        "met": None if comparison.target is None else ratio <= comparison.target,
        "quality": quality,
    }


def peak_memory_mb(function, data):
    """Peak Python-tracked memory (numpy buffers included) of one call, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        function(data)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@dataclass
class Scaling:
    """How the fit time of skdl and its peer grows with the data size (for the benchmark page).

    A benchmark module lists these in an optional ``SCALING`` list, next to ``COMPARISONS``;
    ``benchmarks/make_report.py`` times both sides at each size and draws one panel per entry.
    ``setup(size)`` returns the data for one size; ``ours(data)`` and ``peer(data)`` run the
    timed work, as in :class:`Comparison`. ``x_label`` names what ``sizes`` counts. An optional
    ``limit(data)`` times the least work any fit must do (one Gram product for the normal
    equation), drawn as a line named ``limit_name`` so the distance to it can be seen.
    """

    name: str
    sizes: list
    setup: Callable
    ours: Callable
    peer: Callable
    peer_name: str
    x_label: str = "n_samples"
    repeat: int = 3
    limit: Optional[Callable] = None
    limit_name: str = ""


def measure_scaling(scaling, repeat=None):
    """Fit times of both sides at each size: ``{"sizes", "ours_s", "peer_s"}`` lists.

    Each time is the fastest of ``repeat`` alternating runs: a curve compares sizes, and on a
    shared machine the least disturbed run is the steadiest estimate of what a size costs.
    """
    repeat = repeat or scaling.repeat
    sides = [scaling.ours, scaling.peer] + ([scaling.limit] if scaling.limit else [])
    fastest = [[] for _ in sides]
    for size in scaling.sizes:
        data = scaling.setup(size)
        for side in sides:
            _time_once(side, data)
        times = [[] for _ in sides]
        for _ in range(repeat):
            for side, side_times in zip(sides, times):
                side_times.append(_time_once(side, data)[0])
        for side_fastest, side_times in zip(fastest, times):
            side_fastest.append(min(side_times))
        del data
    curve = {"name": scaling.name, "peer": scaling.peer_name, "x_label": scaling.x_label,
             "sizes": list(scaling.sizes), "ours_s": fastest[0], "peer_s": fastest[1]}
    if scaling.limit:
        curve["limit_s"], curve["limit_name"] = fastest[2], scaling.limit_name
    return curve
