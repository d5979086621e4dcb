"""Measure the benchmarks and write the documentation's benchmark page data.

Usage::

    python benchmarks/make_report.py                        # every family found
    python benchmarks/make_report.py Linear Logistic        # workloads whose name has a word
    python benchmarks/make_report.py --note "2-core shared VM, noisy"
    python benchmarks/make_report.py --scaling-only         # curves only, keep the saved table
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

Each size gets one untimed warm-up per side, then ``repeat`` alternating timed runs; the fastest
run is plotted (on a shared machine the least disturbed run is the best estimate of the cost, and
a curve needs every point measured alike). Modules whose import fails (a missing optional
dependency) are skipped with a message, as by ``run_side_by_side.py``. Keep the largest size to a
few seconds per fit.

The page shows what the last run measured, so refresh it with a run over every family (no
words). On a busy machine, ``--threads 1`` keeps thread pools of both sides from fighting over
the cores and gives steadier curves (the committed curves were measured that way; the page says
so).
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


def machine_lines(note):
    """Bullet lines saying on what machine and software the numbers were measured."""
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

        pools = {i["internal_api"] for i in threadpool_info()}
        blas = ", ".join(sorted(pools))
    except ImportError:
        blas = "unknown"
    lines = [
        f"- Machine: {_cpu_model()}, {os.cpu_count()} logical CPUs, "
        f"{platform.system()} {platform.release()}.",
        f"- Software: Python {platform.python_version()}, {', '.join(versions)}; "
        f"BLAS/OpenMP: {blas} (threads: see each part below).",
    ]
    if note:
        lines.append(f"- Note: {note}")
    return lines


def when_line(threads=None):
    """When a part was measured, with how many threads, and how busy the machine was then."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    line = f"Measured on {now} by ``benchmarks/make_report.py``"
    if threads:
        plural = "s" if threads > 1 else ""
        line += f" with BLAS and OpenMP limited to {threads} thread{plural} on both sides"
    else:
        line += f" with the default threads (up to {os.cpu_count()})"
    if hasattr(os, "getloadavg"):
        loads = ", ".join(f"{load:.1f}" for load in os.getloadavg())
        line += f"; load average at the end (1, 5, 15 min): {loads} on {os.cpu_count()} CPUs"
    return line + "."


def _rst_escape(text):
    """Quote the characters reST gives a meaning inside a table cell (``|x|`` is a substitution)."""
    for character in ("\\", "|", "*", "`", "_"):
        text = text.replace(character, "\\" + character)
    return text


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
    """The side-by-side results as a reST table: one row per workload and peer.

    A workload with several peers (``Comparison(peers=...)``) gets a row for each, the workload's
    name and skdl's time on the first; results saved before peers existed have one peer each.
    """
    rows = []
    for r in results:
        for index, entry in enumerate(r.get("peers") or [r]):
            target = "" if entry["target"] is None else (
                f"≤ {entry['target']:.2f}x" + ("" if entry["met"] else " (missed)"))
            first = index == 0
            rows.append([r["name"] if first else "", f"{r['ours_s']:.3f}" if first else "", entry["peer"],
                         f"{entry['peer_s']:.3f}", f"**{entry['ratio']:.2f}x**", target,
                         _rst_escape(entry["quality"] or "")])
    header = ["workload", "skdl (s)", "peer", "peer (s)", "ratio", "target", "answers"]
    return _rst_table(header, rows, widths=[28, 8, 20, 8, 8, 10, 24])


def scaling_tables(curves):
    lines = []
    for c in curves:
        rows = [[f"{size:,}", f"{ours:.4f}", f"{peer:.4f}", f"{ours / peer:.2f}x"]
                for size, ours, peer in zip(c["sizes"], c["ours_s"], c["peer_s"])]
        header = [c["x_label"], "skdl (s)", f"{c['peer']} (s)", "ratio"]
        if "limit_s" in c:
            header.append(f"{c['limit_name']} (s)")
            for row, limit in zip(rows, c["limit_s"]):
                row.append(f"{limit:.4f}")
        lines += _rst_table(header, rows, title=c["name"])
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
        if "limit_s" in c:
            ax.loglog(c["sizes"], c["limit_s"], ":", color="gray", label=c["limit_name"])
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


def write_report(measured, out_dir):
    """Write ``results.inc`` (and ``scaling.png``) from the measurements in ``measured``."""
    results, curves = measured["results"], measured["curves"]
    lines = [".. Generated by benchmarks/make_report.py; do not edit.", ""]
    lines += measured["machine"] + ["", "Side by side", "------------", ""]
    if results:
        lines += [measured["results_when"], "", "Median of the timed runs.", ""]
        lines += comparison_table(results)
    else:
        lines.append("No comparison was measured.")
    if curves:
        plot_scaling(curves, out_dir / "scaling.png")
        lines += ["", "Scaling", "-------", "", measured["curves_when"], "",
                  "Fit time at each size, the fastest of the timed runs, on log-log axes (a "
                  "slope of 1 is linear growth).", "",
                  ".. image:: /benchmarks/scaling.png",
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
    parser.add_argument("--scaling-only", action="store_true",
                        help="measure only the scaling curves; keep the side-by-side results saved "
                             "in results.json")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit BLAS and OpenMP threads on both sides (steadier on a busy machine)")
    parser.add_argument("--replot", action="store_true",
                        help="rewrite the page and plot from results.json, measuring nothing")
    args = parser.parse_args(argv)
    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = out_dir / "results.json"
    if args.threads:
        # The environment reaches the libraries loaded later (scipy's own OpenBLAS);
        # threadpool_limits, those already loaded.
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[variable] = str(args.threads)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=args.threads)
    machine = machine_lines(args.note)
    if args.replot or args.scaling_only:
        measured = json.loads(saved.read_text(encoding="utf-8"))
    else:
        side_args = [*args.words, "--markdown", str(out_dir / "results.md")]
        if args.repeat:
            side_args += ["--repeat", str(args.repeat)]
        results = run_side_by_side.main(side_args)
        measured = {"results": results, "results_when": when_line(args.threads), "curves": [],
                    "curves_when": ""}
    if not args.replot:
        if args.note or "machine" not in measured:
            measured["machine"] = machine
        if not args.no_scaling:
            curves = []
            for scaling in collect_scaling():
                if args.words and not any(w.lower() in scaling.name.lower() for w in args.words):
                    continue
                print(f"scaling {scaling.name} ...", file=sys.stderr, flush=True)
                curves.append(measure_scaling(scaling, args.repeat))
            measured["curves"], measured["curves_when"] = curves, when_line(args.threads)
        saved.write_text(json.dumps(measured, indent=1, default=str) + "\n", encoding="utf-8")
    write_report(measured, out_dir)
    print(f"wrote {out_dir}", file=sys.stderr)
    return measured


if __name__ == "__main__":
    main()
