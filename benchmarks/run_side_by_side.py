"""Measure every declared comparison side by side in one run and print the ratios.

Usage::

    python benchmarks/run_side_by_side.py                 # everything
    python benchmarks/run_side_by_side.py kmeans pca      # comparisons whose name contains a word
    python benchmarks/run_side_by_side.py --repeat 3 --markdown results.md

Each ``bench_*.py`` module in this folder lists its workloads in ``COMPARISONS``.
"""

import argparse
import importlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._side_by_side import measure  # noqa: E402


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


def format_result(result):
    target = "" if result["target"] is None else f"target <= {result['target']:.2f}x"
    verdict = "" if result["met"] is None else ("met" if result["met"] else "MISSED")
    return (
        f"{result['name']:<58} skdl {result['ours_s']:8.3f}s  {result['peer']:<32} "
        f"{result['peer_s']:8.3f}s  ratio {result['ratio']:5.2f}x  {target:<16} {verdict:<6} "
        f"{result['quality']}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("words", nargs="*", help="run only comparisons whose name contains one of these")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per side (default per comparison)")
    parser.add_argument("--markdown", default=None, help="also write the results as a Markdown table here")
    args = parser.parse_args(argv)
    comparisons = [
        c for c in collect_comparisons()
        if not args.words or any(w.lower() in c.name.lower() for w in args.words)
    ]
    results = []
    for comparison in comparisons:
        print(f"measuring {comparison.name} ...", file=sys.stderr, flush=True)
        result = measure(comparison, args.repeat)
        results.append(result)
        print(format_result(result), flush=True)
    if args.markdown:
        lines = ["| workload | skdl (s) | peer | peer (s) | ratio | target | quality |", "|---|---|---|---|---|---|---|"]
        for r in results:
            target = "" if r["target"] is None else f"≤ {r['target']:.2f}x"
            lines.append(
                f"| {r['name']} | {r['ours_s']:.3f} | {r['peer']} | {r['peer_s']:.3f} | "
                f"{r['ratio']:.2f}x | {target} | {r['quality']} |"
            )
        pathlib.Path(args.markdown).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
