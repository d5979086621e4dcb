"""benchmarks/ is a valid asv suite, and the side-by-side runner runs what it can and says what it skips."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from benchmarks._side_by_side import Comparison, Peer, how_to_install, measure, require
from benchmarks.run_side_by_side import plan, result_table

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _asv():
    pytest.importorskip("asv", reason="asv is in the 'dev' extra")
    executable = pathlib.Path(sys.executable).with_name("asv")
    return str(executable) if executable.exists() else shutil.which("asv")


def test_asv_check_finds_no_problem_in_the_suites():
    # asv drops PYTHONPATH; ASV_PYTHONPATH makes the suites import this checkout's skdl.
    env = {**os.environ, "ASV_PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [_asv(), "check", "--python=same"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found" in result.stdout


def _fit_nothing(data):
    return sum(data)


def test_a_comparison_runs_with_the_peers_that_are_installed_and_names_the_others():
    comparison = Comparison(
        "two peers", lambda: [1, 2, 3], _fit_nothing,
        peers={
            "here": Peer(_fit_nothing, "an installed peer", target=2.0),
            "elsewhere": Peer(_fit_nothing, "a missing peer", requires=("no_such_module_skdl",)),
        },
    )
    ours_missing = Comparison("needs torch", list, _fit_nothing, _fit_nothing, "a peer",
                              requires=("no_such_module_skdl",))
    runnable, skipped = plan([comparison, ours_missing])
    assert runnable == [(comparison, ["here"])]
    assert skipped == [
        "two peers, peer a missing peer: needs no_such_module_skdl",
        "needs torch: skdl's side needs no_such_module_skdl",
    ]


def test_the_table_has_a_ratio_column_per_peer():
    comparison = Comparison(
        "two peers", lambda: [1, 2, 3], _fit_nothing,
        peers={"first": Peer(_fit_nothing, "peer one", target=100.0), "second": Peer(_fit_nothing, "peer two")},
        quality=lambda ours, peer, data: f"same sum {ours == peer}",
        repeat=1,
    )
    single = Comparison("one peer", lambda: [1], _fit_nothing, _fit_nothing, "the only peer", repeat=1)
    results = [measure(comparison), measure(single)]
    assert [entry["label"] for entry in results[0]["peers"]] == ["first", "second"]
    assert results[1]["peer"] == "the only peer"  # the single-peer fields are kept at the top level
    header, rule, *rows = result_table(results)
    assert header.split()[:9] == ["workload", "skdl", "(s)", "peer", "1", "(s)", "ratio", "1", "target"]
    assert "ratio 2" in header and "peer one" in rows[0] and "peer two" in rows[0]
    assert "vs peer one: same sum True; vs peer two: same sum True" in rows[0]


def test_the_extras_that_bring_a_missing_peer_are_named():
    assert how_to_install(["surprise"]) == 'needs scikit-surprise: pip install -e ".[bench]"'
    assert how_to_install(["torch", "skorch"]) == 'needs torch, skorch: pip install -e ".[torch]"'
    with pytest.raises(NotImplementedError, match="scikit-learn-intelex"):
        require("sklearnex.no_such_submodule")


# Hides the optional packages, as on a machine with the README's install only: importing them
# fails, and importlib.util.find_spec (which the runner asks) does not find them.
_HIDE_OPTIONAL = """
import importlib.util, runpy, sys
HIDDEN = ("torch", "skorch", "surprise", "sklearnex")
class _Hidden:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)", name=name)
sys.meta_path.insert(0, _Hidden())
_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, package=None: (
    None if name.split(".")[0] in HIDDEN else _find_spec(name, package)
)
sys.argv = ["run_side_by_side.py", "--list"]
runpy.run_path("benchmarks/run_side_by_side.py", run_name="__main__")
"""


def test_the_runner_lists_what_it_skips_without_the_optional_peers():
    result = subprocess.run(
        [sys.executable, "-c", _HIDE_OPTIONAL], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "skipping bench_" not in result.stderr  # every module imports without them
    assert 'surprise SVD (with Trainset build): needs scikit-surprise: pip install -e ".[bench]"' in result.stderr
    assert 'CNNClassifier fit, digits LeNet 3 epochs (vs skorch): skdl\'s side needs torch, skorch' in result.stderr
    assert "KMeans fit, 100,000 x 20, k=16, n_init=1, same start" in result.stdout  # runs: scikit-learn only
