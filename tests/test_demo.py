"""The ``python -m skdl`` demo runs and prints its table."""

import io
import re
import subprocess
import time
import sys

from sklearn.neural_network import MLPClassifier as SkMLPClassifier

from skdl._demo import DemoCase, collect_cases, main, run_case
from skdl._demo.recommender import HAVE_SURPRISE
from skdl.datasets import load_house_prices
from skdl.linear_model import LinearRegression


def _case(estimator):
    return next(case for case in collect_cases() if case.estimator == estimator)


def _table(text):
    """The table's lines: from the header (it starts with "estimator") to the blank line after it."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("estimator "))
    end = lines.index("", start)
    return lines[start:end]


def test_demo_lists_a_case_for_every_linear_model():
    names = {case.estimator for case in collect_cases()}
    assert {"LinearRegression", "LogisticRegression"} <= names


def test_demo_prints_scores_and_time_ratios():
    stream = io.StringIO()
    rows = main(["--only", "LinearRegression"], stream=stream)
    assert rows and all(row[0] == "LinearRegression" for row in rows)
    text = stream.getvalue()
    assert "fit time ratio" in text and "house prices" in text
    ours, peer = float(rows[0][3]), float(rows[0][5])
    assert abs(ours - peer) <= 1e-6 * peer  # the same least-squares fit as scikit-learn
    assert rows[0][6].endswith("x")


def test_the_columns_fit_their_contents():
    stream = io.StringIO()
    main(["--only", "LogisticRegression", "--only", "LinearRegression"], stream=stream)
    header, rule, *rows = _table(stream.getvalue())
    starts = [match.start() for match in re.finditer(r"-+", rule)]
    widths = [len(match.group()) for match in re.finditer(r"-+", rule)]
    assert len(starts) == 7 and len(rows) == 4
    for line in [header, *rows]:
        # Every column starts where its rule starts, after two spaces, and no cell is cut.
        assert all(index == 0 or line[index - 2:index] == "  " for index in starts)
    assert "microchips, degree 6 (ex2data2)" in stream.getvalue()
    assert max(widths) < 40  # no column is padded to a fixed width wider than its cells


def test_a_peer_doing_another_job_gets_a_score_but_no_time_ratio():
    def load():
        X, y = load_house_prices(return_X_y=True)
        return X, y, X, y

    case = DemoCase(
        "LinearRegression", "house prices", "R2", load, LinearRegression,
        lambda estimator, X, y: estimator.score(X, y), LinearRegression, "a reference",
        compare_times=False,
    )
    ours, peer, ratio = run_case(case)
    assert ours == peer and ratio is None


def test_the_cnn_is_timed_against_scikit_learns_neural_network():
    case = _case("CNNClassifier")
    assert isinstance(case.make_peer(), SkMLPClassifier) and case.compare_times
    assert not _case("RNNClassifier").compare_times  # scikit-learn has no recurrent network


def test_the_recommender_is_timed_against_surprise_only():
    case = _case("CollaborativeFilter")
    assert case.compare_times is HAVE_SURPRISE
    assert case.peer.startswith("surprise") is HAVE_SURPRISE


def test_help_names_the_options():
    result = subprocess.run(
        [sys.executable, "-m", "skdl", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "--only NAME" in result.stdout and "--quick" in result.stdout


def test_python_dash_m_skdl_runs_quick_and_only():
    result = subprocess.run(
        [sys.executable, "-m", "skdl", "--quick", "--only", "LogisticRegression"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "exam admissions" in result.stdout and "KMeans" not in result.stdout


def test_an_unknown_name_says_which_estimators_there_are():
    result = subprocess.run(
        [sys.executable, "-m", "skdl", "--only", "NoSuchModel"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "LinearRegression" in result.stderr


class _SlowFirstFit(LinearRegression):
    """A least-squares fit whose first call in a process costs 2.5 s, as a numba compile would.

    (Beyond the 2 s after which the demo times a fit only once.)
    """

    compiled = False

    def fit(self, X, y):
        if not _SlowFirstFit.compiled:
            time.sleep(2.5)
            _SlowFirstFit.compiled = True
        return super().fit(X, y)


def test_a_compiled_case_times_its_fits_after_a_first_untimed_one():
    def load():
        X, y = load_house_prices(return_X_y=True)
        return X, y, X, y

    case = DemoCase(
        "LinearRegression", "house prices", "R2", load, _SlowFirstFit,
        lambda estimator, X, y: estimator.score(X, y), LinearRegression, "the same fit", compiled=True,
    )
    stream = io.StringIO()
    _, _, ratio = run_case(case, stream=stream)
    assert re.search(r"first fit 2\.\d\d s, not counted", stream.getvalue())
    assert ratio < 20  # the 2.5 s first fit is not in it: it would be several hundred times the peer's
    assert all(case.compiled for case in collect_cases() if case.estimator in ("KMeans", "SVC", "LinearSVC"))
