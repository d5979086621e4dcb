"""Measure every declared comparison side by side in one run and print the ratios.

Usage::

    python benchmarks/run_side_by_side.py                 # everything that can run here
    python benchmarks/run_side_by_side.py kmeans pca      # comparisons whose name contains a word
    python benchmarks/run_side_by_side.py --list          # what would run, what is skipped and why
    python benchmarks/run_side_by_side.py --repeat 3 --markdown results.md

Each ``bench_*.py`` module in this folder lists its workloads in ``COMPARISONS``. Before
measuring anything the runner checks what each workload and each of its peers needs: a workload
whose skdl side needs a missing package (torch for the deep models) is skipped, and so is a peer
that is not installed (Surprise, scikit-learn-intelex: the ``bench`` extra), each named with the
extra that brings it. The table has one group of columns (peer, its time, the ratio skdl / peer,
the target) per peer of a workload.
"""

import argparse
import importlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._side_by_side import how_to_install, measure  # noqa: E402
from skdl.utils._text_table import text_table  # noqa: E402


def collect_comparisons():
    comparisons = []
    for path in sorted(HERE.glob("bench_*.py")):
        try:
            module = importlib.import_module(f"benchmarks.{path.stem}")
        except ImportError as error:
            print(f"skipping {path.name}: {error}", file=sys.stderr)
            continue
        comparisons.extend(getattr(module, "COMPARISONS", []))
    return comparisons


def plan(comparisons):
    """Split ``comparisons`` into what can run here and what cannot.

    Returns ``(runnable, skipped)``: ``runnable`` is a list of ``(comparison, peer labels)``,
    ``skipped`` a list of sentences, one per workload or peer left out, with the reason.
    """
    runnable, skipped = [], []
    for comparison in comparisons:
        ours_missing, peers_missing = comparison.missing()
        if ours_missing:
            skipped.append(f"{comparison.name}: skdl's side {how_to_install(ours_missing)}")
            continue
        for label, missing in peers_missing.items():
            skipped.append(f"{comparison.name}, peer {comparison.peers[label].name}: {how_to_install(missing)}")
        labels = [label for label in comparison.peers if label not in peers_missing]
        if labels:
            runnable.append((comparison, labels))
    return runnable, skipped


def _target_cell(entry):
    if entry["target"] is None:
        return ""
    return f"<= {entry['target']:.2f}x " + ("met" if entry["met"] else "MISSED")


def result_table(results):
    """Text lines of the results: one row per workload, one group of columns per peer."""
    n_peers = max((len(r["peers"]) for r in results), default=1)
    header = ["workload", "skdl (s)"]
    for index in range(1, n_peers + 1):
        suffix = "" if n_peers == 1 else f" {index}"
        header += [f"peer{suffix}", "(s)", f"ratio{suffix}", "target"]
    header.append("answers")
    right_aligned = {1} | {2 + 4 * i + offset for i in range(n_peers) for offset in (1, 2)}
    rows = []
    for r in results:
        row = [r["name"], f"{r['ours_s']:.3f}"]
        for entry in r["peers"]:
            row += [entry["peer"], f"{entry['peer_s']:.3f}", f"{entry['ratio']:.2f}x", _target_cell(entry)]
        row += [""] * (2 + 4 * n_peers - len(row))
        qualities = [(e["peer"], e["quality"]) for e in r["peers"] if e["quality"]]
        if len(qualities) == 1:
            row.append(qualities[0][1])
        else:
            row.append("; ".join(f"vs {peer}: {quality}" for peer, quality in qualities))
        rows.append(row)
    return text_table(header, rows, right_aligned=right_aligned)


def markdown_table(results):
    """The results as a Markdown table, with the same columns as :func:`result_table`."""
    n_peers = max((len(r["peers"]) for r in results), default=1)
    titles = ["workload", "skdl (s)"]
    for index in range(1, n_peers + 1):
        suffix = "" if n_peers == 1 else f" {index}"
        titles += [f"peer{suffix}", f"peer{suffix} (s)", f"ratio{suffix}", f"target{suffix}"]
    titles.append("answers")
    out = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    for r in results:
        cells = [r["name"], f"{r['ours_s']:.3f}"]
        for entry in r["peers"]:
            target = "" if entry["target"] is None else f"≤ {entry['target']:.2f}x"
            cells += [entry["peer"], f"{entry['peer_s']:.3f}", f"{entry['ratio']:.2f}x", target]
        cells += [""] * (2 + 4 * n_peers - len(cells))
        cells.append("; ".join(e["quality"] for e in r["peers"] if e["quality"]))
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("words", nargs="*", help="run only comparisons whose name contains one of these")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per side (default per comparison)")
    parser.add_argument("--markdown", default=None, help="also write the results as a Markdown table here")
    parser.add_argument("--list", action="store_true", help="print what would run and what is skipped, then stop")
    args = parser.parse_args(argv)
    comparisons = [
        c for c in collect_comparisons()
        if not args.words or any(w.lower() in c.name.lower() for w in args.words)
    ]
    runnable, skipped = plan(comparisons)
    print(f"{len(runnable)} of {len(comparisons)} comparisons can run here.", file=sys.stderr)
    for sentence in skipped:
        print(f"skipped: {sentence}", file=sys.stderr)
    if args.list:
        for comparison, labels in runnable:
            print(f"{comparison.name}  (vs {', '.join(comparison.peers[label].name for label in labels)})")
        return []
    results = []
    for index, (comparison, labels) in enumerate(runnable, start=1):
        print(f"[{index}/{len(runnable)}] measuring {comparison.name} ...", file=sys.stderr, flush=True)
        results.append(measure(comparison, args.repeat, peers=labels))
    print("\n".join(result_table(results)), flush=True)
    print("\nratio = skdl's median time / the peer's (below 1 means skdl is faster).")
    for sentence in skipped:
        print(f"skipped: {sentence}")
    if args.markdown:
        pathlib.Path(args.markdown).write_text("\n".join(markdown_table(results)) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
