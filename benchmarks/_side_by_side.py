"""The side-by-side comparison that every benchmark module declares, and how one is measured.

A :class:`Comparison` names a workload, builds its data once, and fits skdl and its peers on it
in the same process, alternating them so that all see the same machine state. The ratio
reported for each peer is skdl's median time over that peer's median time; ``target`` is the
ratio the project set itself.

A workload has one peer (``peer`` and ``peer_name``, the original form) or several, keyed by
the project they come from::

    Comparison(
        "KMeans fit, 100,000 x 20",
        make_data,
        fit_ours,
        peers={
            "scikit-learn": Peer(fit_sklearn, "sklearn KMeans(lloyd)", target=1.2),
            "scikit-learn-intelex": Peer(fit_sklearnex, "sklearnex KMeans", requires=("sklearnex",)),
        },
        quality=inertia_difference,
    )

``requires`` (of the comparison: what skdl's side needs, such as torch; of a peer: what that peer
needs) names importable modules. :func:`missing_requirements` checks them without importing
them, and the runner leaves out what cannot run, naming the extra that brings it
(:data:`EXTRAS`). asv suites call :func:`require` at the top of ``setup``: asv reports a
benchmark whose ``setup`` raises ``NotImplementedError`` as skipped.
"""

import gc
import importlib.util
import statistics
import time
import tracemalloc
import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

# Importable module -> (the distribution to install, the skdl extra that installs it).
EXTRAS = {
    "surprise": ("scikit-surprise", "bench"),
    "sklearnex": ("scikit-learn-intelex", "bench"),
    "torch": ("torch", "torch"),
    "skorch": ("skorch", "torch"),
    "distributed": ("distributed", "distributed"),
    "dask_ml": ("dask-ml", "distributed"),
}


def _installed(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a dotted name whose parent package is missing
        return False


def missing_requirements(modules):
    """The modules of ``modules`` that cannot be imported here (found without importing them)."""
    return [name for name in modules if not _installed(name)]


def how_to_install(modules):
    """A sentence naming the distributions of ``modules`` and the extra that brings them."""
    known = [EXTRAS.get(name.split(".")[0], (name, None)) for name in modules]
    distributions = ", ".join(distribution for distribution, _ in known)
    extras = sorted({extra for _, extra in known if extra})
    if not extras:
        return f"needs {distributions}"
    return f'needs {distributions}: pip install -e ".[{",".join(extras)}]"'


def require(*modules):
    """Raise ``NotImplementedError`` (asv's "skip this benchmark") if a module is missing."""
    missing = missing_requirements(modules)
    if missing:
        raise NotImplementedError(how_to_install(missing))


@dataclass
class Peer:
    """One peer of a :class:`Comparison`: ``run(data)`` does the timed work.

    ``name`` describes what runs (``"sklearn KMeans(lloyd)"``), ``target`` is the ratio
    skdl / peer the project aims at (None: reported without a target), ``requires`` the modules
    the peer needs beyond skdl's own dependencies.
    """

    run: Callable
    name: str
    target: Optional[float] = None
    requires: tuple = ()


@dataclass
class Comparison:
    """One workload measured for skdl and its peers.

    ``setup()`` returns the data (any object); ``ours(data)`` and each peer's ``run(data)`` do the
    timed work and return what ``quality(ours_result, peer_result, data)`` needs to describe the
    answers (a short string such as ``"inertia +0.02%"``). Give either ``peer`` and ``peer_name``
    (with ``target`` and ``peer_requires``) for one peer, or ``peers`` for several.
    """

    name: str
    setup: Callable
    ours: Callable
    peer: Optional[Callable] = None
    peer_name: str = ""
    target: Optional[float] = None
    quality: Optional[Callable] = None
    repeat: int = 5
    requires: tuple = ()
    peer_requires: tuple = ()
    peers: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.peer is not None:
            if self.peers:
                raise ValueError(f"{self.name}: give either peer or peers, not both.")
            self.peers = {self.peer_name: Peer(self.peer, self.peer_name, self.target, tuple(self.peer_requires))}
        if not self.peers:
            raise ValueError(f"{self.name}: a comparison needs at least one peer.")

    def missing(self):
        """``(modules skdl's side lacks, {peer label: modules that peer lacks})``."""
        peers = {label: missing_requirements(peer.requires) for label, peer in self.peers.items()}
        return missing_requirements(self.requires), {label: m for label, m in peers.items() if m}


def _time_once(function, data):
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = function(data)
        return time.perf_counter() - start, result


def measure(comparison, repeat=None, peers=None):
    """Time ``comparison``: one warm-up per side, then ``repeat`` rounds alternating all sides.

    ``peers`` limits the measurement to these peer labels (default: every peer). Returns a dict
    with ``name``, ``ours_s`` and ``peers``, a list of one dict per peer (``label``, ``peer``,
    ``peer_s``, ``ratio``, ``target``, ``met``, ``quality``); the first peer's entries are also
    at the top level, as a single-peer result had them.
    """
    repeat = repeat or comparison.repeat
    chosen = {label: p for label, p in comparison.peers.items() if peers is None or label in peers}
    data = comparison.setup()
    _, ours_result = _time_once(comparison.ours, data)
    peer_results = {label: _time_once(p.run, data)[1] for label, p in chosen.items()}
    ours_times, peer_times = [], {label: [] for label in chosen}
    for _ in range(repeat):
        ours_times.append(_time_once(comparison.ours, data)[0])
        for label, p in chosen.items():
            peer_times[label].append(_time_once(p.run, data)[0])
    ours_time = statistics.median(ours_times)
    entries = []
    for label, p in chosen.items():
        peer_time = statistics.median(peer_times[label])
        ratio = ours_time / peer_time
        quality = comparison.quality(ours_result, peer_results[label], data) if comparison.quality else ""
        entries.append({
            "label": label,
            "peer": p.name,
            "peer_s": peer_time,
            "ratio": ratio,
            "target": p.target,
            "met": None if p.target is None else ratio <= p.target,
            "quality": quality,
        })
    first = {key: value for key, value in entries[0].items() if key != "label"}
    return {"name": comparison.name, "ours_s": ours_time, **first, "peers": entries}


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
    requires: tuple = ()
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
