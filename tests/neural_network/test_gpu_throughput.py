"""benchmarks/gpu_throughput.py runs (CPU-sized) in the suite, so that it cannot rot.

Its figures are for a GPU (see the benchmark); here only that every way trains and predicts and
that the report computes each target's ratio.
"""

import importlib.util
import pathlib

import pytest

torch = pytest.importorskip("torch", reason="the throughput benchmark needs torch")
pytest.importorskip("skorch", reason="the throughput benchmark needs skorch")

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_throughput.py"


def test_gpu_throughput_runs_small_on_the_cpu(capsys):
    spec = importlib.util.spec_from_file_location("gpu_throughput", SCRIPT)
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    threads = torch.get_num_threads()
    rows, ratios = benchmark.main(
        ["--small", "--device", "cpu", "--n-images", "64", "--width", "2", "--batch-size", "32", "--repeat", "1"]
    )
    assert torch.get_num_threads() == threads
    assert set(rows) == {
        ("float32", benchmark.LOOP), ("float32", benchmark.SKORCH), ("float32", benchmark.OURS),
        ("bfloat16", benchmark.LOOP), ("bfloat16", benchmark.OURS),
    }
    assert all(train > 0 and infer > 0 for train, infer in rows.values())
    assert len(ratios) == 5 and all(ratio > 0 for ratio in ratios.values())
    assert "target: float32 training vs loop" in capsys.readouterr().out
