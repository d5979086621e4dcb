"""Benchmarks of CollaborativeFilter: asv-style classes and the side-by-side comparisons with Surprise.

``python benchmarks/run_side_by_side.py recommender`` fits skdl's CollaborativeFilter and
Surprise's SVD (default settings: 100 factors, 20 SGD epochs) on the same five folds of
MovieLens-100k, alternating the two, and reports the fit time per fold, RMSE and MAE of each; then
the same on a synthetic 1,000,000-rating problem. ``python benchmarks/bench_recommender.py`` runs
the scale measurement alone, in a fresh subprocess, and prints its wall time and peak memory.

Both sides start from the same arrays of (user id, item id, rating): Surprise's fit time includes
building its ``Trainset`` (its id mapping), as skdl's includes encoding the ids; the
"SVD.fit only" comparison leaves that out of Surprise's time.
"""

import json
import subprocess
import sys
import time

import numpy as np
from sklearn.model_selection import KFold

from skdl.datasets import load_movielens
from skdl.recommender import CollaborativeFilter

try:
    from benchmarks._side_by_side import Comparison, peak_memory_mb
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison, peak_memory_mb

N_FOLDS = 5


def movielens_folds(seed=0):
    """MovieLens-100k and its 5 shuffled folds (the split scheme of Surprise's benchmark table)."""
    X, y = load_movielens(return_X_y=True)
    folds = list(KFold(N_FOLDS, shuffle=True, random_state=seed).split(X))
    return X, y, folds


def make_synthetic_ratings(n_users=20_000, n_items=5_000, n_ratings=1_000_000, rank=10, seed=0):
    """1-5 star ratings of random (user, item) pairs from a rank-10 model plus noise."""
    rng = np.random.default_rng(seed)
    user_factors = rng.normal(size=(n_users, rank)) / np.sqrt(rank)
    item_factors = rng.normal(size=(n_items, rank))
    users, items = rng.integers(0, n_users, n_ratings), rng.integers(0, n_items, n_ratings)
    signal = np.einsum("ij,ij->i", user_factors[users], item_factors[items])
    y = np.clip(np.round(3.5 + signal + 0.5 * rng.normal(size=n_ratings)), 1, 5)
    return np.column_stack([users, items]), y


def _surprise_trainset(X, y):
    import pandas as pd
    from surprise import Dataset, Reader

    frame = pd.DataFrame({"user": X[:, 0], "item": X[:, 1], "rating": y})
    reader = Reader(rating_scale=(float(y.min()), float(y.max())))
    return Dataset.load_from_df(frame, reader).build_full_trainset()


def _surprise_svd():
    from surprise import SVD

    return SVD(random_state=0)


def _surprise_predict(model, X):
    return np.array([model.predict(user, item).est for user, item in X])


def ours_on_folds(data):
    X, y, folds = data
    return [CollaborativeFilter(random_state=0).fit(X[train], y[train]) for train, _ in folds]


def surprise_on_folds(data):
    X, y, folds = data
    return [_surprise_svd().fit(_surprise_trainset(X[train], y[train])) for train, _ in folds]


def with_prebuilt_trainsets(data):
    X, y, folds = data
    return X, y, folds, [_surprise_trainset(X[train], y[train]) for train, _ in folds]


def ours_on_folds_prebuilt(data):
    return ours_on_folds(data[:3])


def surprise_fit_only(data):
    return [_surprise_svd().fit(trainset) for trainset in data[3]]


def errors_on_folds(models, predict, data):
    """Mean over the folds of the test RMSE and MAE."""
    X, y, folds = data[:3]
    rmse, mae = [], []
    for model, (_, test) in zip(models, folds):
        error = predict(model, X[test]) - y[test]
        rmse.append(np.sqrt(np.mean(error**2)))
        mae.append(np.mean(np.abs(error)))
    return float(np.mean(rmse)), float(np.mean(mae))


def fold_quality(ours, peer, data):
    ours_rmse, ours_mae = errors_on_folds(ours, lambda m, X: m.predict(X), data)
    peer_rmse, peer_mae = errors_on_folds(peer, _surprise_predict, data)
    return (
        f"5-fold RMSE skdl {ours_rmse:.4f} vs SVD {peer_rmse:.4f}; "
        f"MAE skdl {ours_mae:.4f} vs SVD {peer_mae:.4f} (times are for all 5 folds)"
    )


def scale_setup():
    return make_synthetic_ratings()


def ours_scale(data):
    return CollaborativeFilter(random_state=0).fit(*data)


def surprise_scale(data):
    return _surprise_svd().fit(_surprise_trainset(*data))


def scale_quality(ours, peer, data):
    X, y = data
    sample = np.random.default_rng(1).choice(len(y), 20_000, replace=False)
    ours_rmse = np.sqrt(np.mean((ours.predict(X[sample]) - y[sample]) ** 2))
    peer_rmse = np.sqrt(np.mean((_surprise_predict(peer, X[sample]) - y[sample]) ** 2))
    peak = peak_memory_mb(ours_scale, data)
    return (
        f"train RMSE skdl {ours_rmse:.4f} vs SVD {peer_rmse:.4f}; skdl fit peak traced "
        f"memory {peak:.0f} MiB, {ours.n_iter_} ALS sweeps"
    )


class CollaborativeFilterMovieLens:
    """asv: one fold of MovieLens-100k (80,000 ratings), default settings."""

    def setup(self):
        X, y, folds = movielens_folds()
        train, self.test = folds[0]
        self.X_train, self.y_train = X[train], y[train]
        self.X_test, self.y_test = X[self.test], y[self.test]

    def time_fit(self):
        CollaborativeFilter(random_state=0).fit(self.X_train, self.y_train)

    def peakmem_fit(self):
        CollaborativeFilter(random_state=0).fit(self.X_train, self.y_train)

    def track_test_rmse(self):
        model = CollaborativeFilter(random_state=0).fit(self.X_train, self.y_train)
        return float(np.sqrt(np.mean((model.predict(self.X_test) - self.y_test) ** 2)))


class CollaborativeFilterScale:
    """asv: 1,000,000 synthetic ratings, 20,000 users x 5,000 items."""

    timeout = 300

    def setup(self):
        self.X, self.y = make_synthetic_ratings()

    def time_fit(self):
        CollaborativeFilter(random_state=0).fit(self.X, self.y)

    def peakmem_fit(self):
        CollaborativeFilter(random_state=0).fit(self.X, self.y)


COMPARISONS = [
    Comparison(
        "CollaborativeFilter recommender, 5 folds of MovieLens-100k",
        movielens_folds,
        ours_on_folds,
        surprise_on_folds,
        "surprise SVD (with Trainset build)",
        target=1.0,
        quality=fold_quality,
        repeat=3,
        peer_requires=("surprise",),
    ),
    Comparison(
        "CollaborativeFilter recommender, 5 folds of MovieLens-100k (SVD.fit only)",
        lambda: with_prebuilt_trainsets(movielens_folds()),
        ours_on_folds_prebuilt,
        surprise_fit_only,
        "surprise SVD.fit (Trainset prebuilt)",
        target=1.0,
        quality=fold_quality,
        repeat=3,
        peer_requires=("surprise",),
    ),
    Comparison(
        "CollaborativeFilter recommender, 1,000,000 ratings",
        scale_setup,
        ours_scale,
        surprise_scale,
        "surprise SVD (with Trainset build)",
        quality=scale_quality,
        repeat=1,
        peer_requires=("surprise",),
    ),
]


_SCALE_SCRIPT = """
import json, sys, time, warnings
import numpy as np
from skdl.recommender import CollaborativeFilter

def peak_rss_mb():
    # VmHWM, the peak resident set of this process image (ru_maxrss would include the
    # parent's peak, which Linux carries over fork and exec).
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024

ratings = np.load(sys.argv[1])
X, y = ratings["X"], ratings["y"]
before = peak_rss_mb()
start, cpu = time.perf_counter(), time.process_time()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    model = CollaborativeFilter(random_state=0).fit(X, y)
print(json.dumps({
    "fit_s": time.perf_counter() - start, "fit_cpu_s": time.process_time() - cpu,
    "n_iter": model.n_iter_, "peak_rss_mb": peak_rss_mb(), "rss_before_fit_mb": before,
}))
"""


def measure_scale_in_subprocess():
    """Fit the 1,000,000-rating problem in a fresh interpreter; return its time and peak RSS (Linux).

    The ratings are generated here and handed over in a file, so that the child's peak resident
    memory is that of the imports, the 24 MB of ratings and the fit.
    """
    import pathlib
    import tempfile

    root = pathlib.Path(__file__).resolve().parent.parent
    X, y = make_synthetic_ratings()
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "ratings.npz"
        np.savez(path, X=X, y=y)
        output = subprocess.run(
            [sys.executable, "-c", _SCALE_SCRIPT, str(path)], cwd=root, env={"PYTHONPATH": str(root)},
            capture_output=True, text=True, check=True,
        )
    return json.loads(output.stdout)


if __name__ == "__main__":
    started = time.perf_counter()
    result = measure_scale_in_subprocess()
    print(
        f"1,000,000 ratings (20,000 users x 5,000 items): fit {result['fit_s']:.2f} s wall "
        f"({result['fit_cpu_s']:.2f} s CPU), {result['n_iter']} ALS sweeps; peak RSS of the whole "
        f"process {result['peak_rss_mb']:.0f} MB ({result['rss_before_fit_mb']:.0f} MB before the fit). "
        f"Targets: < 30 s, < 2 GB."
    )
