"""Measure the benchmarks and write the documentation's benchmark page data.

Usage::

    python benchmarks/make_report.py                        # every family found
    python benchmarks/make_report.py Linear Logistic        # workloads whose name has a word
    python benchmarks/make_report.py --note "2-core shared VM, noisy"
    python benchmarks/make_report.py --replot               # re-render the last measurements

It runs ``benchmarks/run_side_by_side.py`` (every ``COMPARISONS`` entry of every
``benchmarks/bench_*.py``) and then the scaling curves, and writes into ``docs/benchmarks/``:

- ``results.md``: the side-by-side table as Markdown (``run_side_by_side.py --markdown``);
- ``results.inc``: the same table and the scaling measurements as reST, with when, where and on
  what software they were measured; ``docs/benchmarks.rst`` includes it;
- ``scaling.png``: fit time against data size for skdl and its peer, one panel per curve;
- ``results.json``: the raw measurements and where they were taken, from which
  ``--replot`` rewrites ``results.inc`` and ``scaling.png`` without measuring again.

These files are committed: the documentation build only shows them, it never reruns benchmarks.
Run this script again (on a quiet machine if you can) after changing an estimator.

The ``SCALING`` protocol
------------------------
A ``bench_<family>.py`` module may define, next to ``COMPARISONS``, an optional list::

    from benchmarks._side_by_side import Scaling

    SCALING = [
        Scaling(
            "KMeans fit, n x 2, 8 clusters",      # panel title
            [1_000, 10_000, 100_000],             # sizes, increasing
            lambda n: make_blobs_data(n),         # setup(size) -> data
            lambda data: KMeans(8).fit(data),     # ours(data): the timed skdl work
            lambda data: SkKMeans(8).fit(data),   # peer(data): the timed peer work
            "sklearn KMeans",                     # peer name for the legend
            x_label="n_samples",                  # what the sizes count (optional)
            repeat=3,                             # timed runs per size and side (optional)
        ),
    ]

Each size gets one untimed warm-up per side, then ``repeat`` alternating timed runs; the median
is plotted. Modules whose import fails (a missing optional dependency) are skipped with a
message, as by ``run_side_by_side.py``. Keep the largest size to a few seconds per fit.
"""

import argparse
import datetime
import importlib
import json
import os
import pathlib
import platform
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import run_side_by_side  # noqa: E402
from benchmarks._side_by_side import measure_scaling  # noqa: E402

DEFAULT_OUT = HERE.parent / "docs" / "benchmarks"


def collect_scaling():
    """Every ``SCALING`` entry of the ``bench_*.py`` modules that import."""
    curves = []
    for path in sorted(HERE.glob("bench_*.py")):
        try:
            module = importlib.import_module(f"benchmarks.{path.stem}")
        except ImportError as error:
            print(f"skipping {path.name}: {error}", file=sys.stderr)
            continue
        curves.extend(getattr(module, "SCALING", []))
    return curves


def _cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment_lines(note):
    """Bullet lines saying when, where and with what the numbers were measured."""
    import numpy
    import scipy
    import sklearn

    versions = [f"numpy {numpy.__version__}", f"scipy {scipy.__version__}",
                f"scikit-learn {sklearn.__version__}"]
    try:
        import torch

        versions.append(f"torch {torch.__version__}")
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(sorted({f"{i['internal_api']} ({i['num_threads']} threads)" for i in threadpool_info()}))
    except ImportError:
        blas = "unknown"
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"- Measured on {now} by ``benchmarks/make_report.py``.",
        f"- Machine: {_cpu_model()}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}.",
        f"- Software: Python {platform.python_version()}, {', '.join(versions)}; BLAS/OpenMP: {blas}.",
    ]
    if note:
        lines.append(f"- Note: {note}")
    return lines


def _rst_table(header, rows, widths=None, title=""):
    lines = [f".. list-table:: {title}".rstrip(), "   :header-rows: 1"]
    if widths:
        lines.append(f"   :widths: {' '.join(str(w) for w in widths)}")
    lines.append("")
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    return lines


def comparison_table(results):
    rows = []
    for r in results:
        target = "" if r["target"] is None else f"≤ {r['target']:.2f}x" + ("" if r["met"] else " (missed)")
        rows.append([r["name"], f"{r['ours_s']:.3f}", r["peer"], f"{r['peer_s']:.3f}",
                     f"**{r['ratio']:.2f}x**", target, r["quality"] or ""])
    header = ["workload", "skdl (s)", "peer", "peer (s)", "ratio", "target", "answers"]
    return _rst_table(header, rows, widths=[28, 8, 20, 8, 8, 10, 24])


def scaling_tables(curves):
    lines = []
    for c in curves:
        rows = [[f"{size:,}", f"{ours:.4f}", f"{peer:.4f}", f"{ours / peer:.2f}x"]
                for size, ours, peer in zip(c["sizes"], c["ours_s"], c["peer_s"])]
        lines += _rst_table([c["x_label"], "skdl (s)", f"{c['peer']} (s)", "ratio"], rows,
                            title=c["name"])
        lines.append("")
    return lines


def plot_scaling(curves, path):
    """One log-log panel per curve: skdl and its peer against the size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_cols = min(2, len(curves))
    n_rows = -(-len(curves) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(6.0 * n_cols, 4.2 * n_rows), squeeze=False)
    for ax, c in zip(axes.ravel(), curves):
        ax.loglog(c["sizes"], c["ours_s"], "o-", label="skdl")
        ax.loglog(c["sizes"], c["peer_s"], "s--", label=c["peer"])
        ax.set_title(c["name"], fontsize=10)
        ax.set_xlabel(c["x_label"])
        ax.set_ylabel("fit time (s)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    for ax in axes.ravel()[len(curves):]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(results, curves, environment, out_dir):
    """Write ``results.inc`` (and ``scaling.png``) from measurements."""
    lines = [".. Generated by benchmarks/make_report.py; do not edit.", ""]
    lines += environment + ["", "Side by side", "------------", ""]
    lines += comparison_table(results) if results else ["No comparison was measured."]
    if curves:
        plot_scaling(curves, out_dir / "scaling.png")
        lines += ["", "Scaling", "-------", "",
                  "Median fit time at each size, on log-log axes (a slope of 1 is linear growth).",
                  "", ".. image:: /benchmarks/scaling.png",
                  "   :alt: fit time against data size, skdl and its peer", "   :width: 100%", ""]
        lines += scaling_tables(curves)
    (out_dir / "results.inc").write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("words", nargs="*", help="only workloads and curves whose name contains one of these")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per side (default per entry)")
    parser.add_argument("--out-dir", default=str(DEFAULT_OUT), help="where to write (default docs/benchmarks)")
    parser.add_argument("--note", default="", help="a sentence on the conditions, shown on the page")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling curves")
    parser.add_argument("--replot", action="store_true",
                        help="rewrite the page and plot from results.json, measuring nothing")
    args = parser.parse_args(argv)
    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = out_dir / "results.json"
    if args.replot:
        measured = json.loads(saved.read_text(encoding="utf-8"))
        write_report(measured["results"], measured["curves"], measured["environment"], out_dir)
        return measured["results"], measured["curves"]

    side_args = [*args.words, "--markdown", str(out_dir / "results.md")]
    if args.repeat:
        side_args += ["--repeat", str(args.repeat)]
    results = run_side_by_side.main(side_args)

    curves = []
    if not args.no_scaling:
        for scaling in collect_scaling():
            if args.words and not any(w.lower() in scaling.name.lower() for w in args.words):
                continue
            print(f"scaling {scaling.name} ...", file=sys.stderr, flush=True)
            curves.append(measure_scaling(scaling, args.repeat))
    environment = environment_lines(args.note)
    measured = {"environment": environment, "results": results, "curves": curves}
    saved.write_text(json.dumps(measured, indent=1, default=str) + "\n", encoding="utf-8")
    write_report(results, curves, environment, out_dir)
    print(f"wrote {out_dir}", file=sys.stderr)
    return results, curves


if __name__ == "__main__":
    main()
