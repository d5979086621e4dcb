"""The ``python -m skdl`` demo runs and prints its table."""

import io
import subprocess
import sys

from skdl._demo import collect_cases, main


def test_demo_lists_a_case_for_every_linear_model():
    names = {case.estimator for case in collect_cases()}
    assert {"LinearRegression", "LogisticRegression"} <= names


def test_demo_prints_scores_and_time_ratios():
    stream = io.StringIO()
    rows = main(["LinearRegression"], stream=stream)
    assert rows and all(row[0] == "LinearRegression" for row in rows)
    text = stream.getvalue()
    assert "fit time ratio" in text and "house prices" in text
    ours, peer = float(rows[0][3]), float(rows[0][5])
    assert abs(ours - peer) <= 1e-6 * peer  # the same least-squares fit as scikit-learn


def test_python_dash_m_skdl_runs():
    result = subprocess.run(
        [sys.executable, "-m", "skdl", "LogisticRegression"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "exam admissions" in result.stdout
