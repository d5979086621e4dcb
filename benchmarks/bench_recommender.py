"""Benchmarks of CollaborativeFilter: asv-style classes and the side-by-side comparisons with Surprise.

``python benchmarks/run_side_by_side.py recommender`` fits skdl's CollaborativeFilter (default, and
with ``implicit=True``) and Surprise's SVD (default settings: 100 factors, 20 SGD epochs) on the same
five folds of MovieLens-100k, alternating them, and reports the fit time per fold and the test
RMSE, MAE, precision@10 and NDCG@10 of each; then the same on a synthetic 1,000,000-rating problem.

``python benchmarks/bench_recommender.py`` prints, in one process:

- the quality table: 5-fold RMSE, MAE, precision@10 and NDCG@10 of skdl (default and implicit),
  Surprise's SVD and SVD++ on the same folds, with fit times (best of ``--repeat`` alternating
  runs) and their ratios to SVD's;
- the time to recommend ten movies to each of the 943 users at once;
- the time of ``partial_fit`` folding one new user with 20 ratings into a model of 1,000,000
  ratings (default and implicit);
- the 1,000,000-rating fit, in a fresh subprocess, with its wall time and peak memory.

Both sides start from the same arrays of (user id, item id, rating): Surprise's fit time includes
building its ``Trainset`` (its id mapping), as skdl's includes encoding the ids; the
"SVD.fit only" comparison leaves that out of Surprise's time. Ranking metrics judge each user's
top 10 among all the movies the user did not rate in training (relevant: a held-out rating of 4
or 5); Surprise's lists are ranked by its unclipped estimates, computed from its learned
parameters in the form of its ``estimate`` (checked against it), since predicting 1.6 million
pairs one by one would take minutes.
"""

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
from sklearn.model_selection import KFold

from skdl.datasets import load_movielens
from skdl.metrics import ndcg_at_k, precision_at_k
from skdl.recommender import CollaborativeFilter

try:
    from benchmarks._side_by_side import Comparison, peak_memory_mb
except ImportError:  # run by asv, where benchmarks/ is the package root
    from _side_by_side import Comparison, peak_memory_mb

N_FOLDS = 5
K = 10


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


# --- Surprise -------------------------------------------------------------------------------


def _surprise_trainset(X, y):
    import pandas as pd
    from surprise import Dataset, Reader

    frame = pd.DataFrame({"user": X[:, 0], "item": X[:, 1], "rating": y})
    reader = Reader(rating_scale=(float(y.min()), float(y.max())))
    return Dataset.load_from_df(frame, reader).build_full_trainset()


def _surprise_svd():
    from surprise import SVD

    return SVD(random_state=0)


def _surprise_svdpp():
    from surprise import SVDpp

    return SVDpp(random_state=0)


def _surprise_predict(model, X):
    return np.array([model.predict(user, item).est for user, item in X])


def surprise_scores(model, users):
    """Surprise's unclipped estimates of every item for each (known) raw user id, and the seen mask.

    The form of ``SVD.estimate`` / ``SVDpp.estimate``: global mean + b_u + b_i + q_i . (p_u + the
    normalised sum of y_j over the user's rated items, for SVD++).
    """
    trainset = model.trainset
    inner = np.array([trainset.to_inner_uid(user) for user in users])
    vectors = model.pu[inner].copy()
    seen = np.zeros((len(users), trainset.n_items), dtype=bool)
    for row, user in enumerate(inner):
        rated = np.array([item for item, _ in trainset.ur[user]])
        seen[row, rated] = True
        if hasattr(model, "yj"):
            vectors[row] += model.yj[rated].sum(axis=0) / np.sqrt(len(rated))
    scores = trainset.global_mean + model.bu[inner][:, None] + model.bi[None, :] + vectors @ model.qi.T
    return scores, seen


def surprise_top_k(model, users, k=K):
    """Each user's top-k raw item ids among the items not rated in training."""
    scores, seen = surprise_scores(model, users)
    scores[seen] = -np.inf
    best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    to_raw = np.array([model.trainset.to_raw_iid(i) for i in range(model.trainset.n_items)])
    return dict(zip(users, to_raw[best]))


def _check_surprise_scores(model, users):
    """The vectorised estimates equal Surprise's own ``estimate`` (a sample of pairs)."""
    scores, _ = surprise_scores(model, users[:3])
    inner = [model.trainset.to_inner_uid(user) for user in users[:3]]
    for row, user in enumerate(inner):
        for item in range(0, model.trainset.n_items, 97):
            assert np.isclose(scores[row, item], model.estimate(user, item)), "Surprise scores disagree"


# --- quality on the folds ---------------------------------------------------------------------


def _relevant_users(X_test, y_test):
    return np.unique(X_test[y_test >= 4, 0])


def fold_scores(models, predict, top_k, data):
    """Mean over the folds of RMSE, MAE, precision@10 and NDCG@10."""
    X, y, folds = data[:3]
    rows = []
    for model, (_, test) in zip(models, folds):
        error = predict(model, X[test]) - y[test]
        recommended = top_k(model, _relevant_users(X[test], y[test]))
        rows.append([
            np.sqrt(np.mean(error**2)), np.mean(np.abs(error)),
            precision_at_k(X[test], y[test], recommended, k=K), ndcg_at_k(X[test], y[test], recommended, k=K),
        ])
    return dict(zip(["rmse", "mae", "precision@10", "ndcg@10"], np.mean(rows, axis=0)))


def _skdl_top_k(model, users):
    return dict(zip(users, model.recommend(users, n=K)))


def skdl_fold_scores(models, data):
    return fold_scores(models, lambda m, X: m.predict(X), _skdl_top_k, data)


def surprise_fold_scores(models, data):
    return fold_scores(models, _surprise_predict, surprise_top_k, data)


def _describe(scores):
    return ", ".join(f"{name} {value:.4f}" for name, value in scores.items())


def fold_quality(ours, peer, data):
    return (
        f"skdl: {_describe(skdl_fold_scores(ours, data))}; SVD: {_describe(surprise_fold_scores(peer, data))} "
        "(means over the folds; times are for all 5 folds)"
    )


def ours_on_folds(data):
    X, y, folds = data[:3]
    return [CollaborativeFilter(random_state=0).fit(X[train], y[train]) for train, _ in folds]


def ours_implicit_on_folds(data):
    X, y, folds = data[:3]
    return [CollaborativeFilter(implicit=True, random_state=0).fit(X[train], y[train]) for train, _ in folds]


def surprise_on_folds(data, make=_surprise_svd):
    X, y, folds = data[:3]
    return [make().fit(_surprise_trainset(X[train], y[train])) for train, _ in folds]


def surprise_svdpp_on_folds(data):
    return surprise_on_folds(data, _surprise_svdpp)


def with_prebuilt_trainsets(data):
    X, y, folds = data
    return X, y, folds, [_surprise_trainset(X[train], y[train]) for train, _ in folds]


def surprise_fit_only(data):
    return [_surprise_svd().fit(trainset) for trainset in data[3]]


# --- scale: 1,000,000 ratings -------------------------------------------------------------------


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


def new_users(n_users, n_ratings=20, n_items=5_000, first_id=10**7, seed=0):
    """``n_users`` batches of (X, y): each a user never seen, rating ``n_ratings`` random items."""
    rng = np.random.default_rng(seed)
    batches = []
    for user in range(first_id, first_id + n_users):
        items = rng.choice(n_items, n_ratings, replace=False)
        batches.append((np.column_stack([np.full(n_ratings, user), items]), rng.integers(1, 6, n_ratings).astype(float)))
    return batches


def partial_fit_durations(model, batches):
    """Wall and CPU time of each ``partial_fit`` call, in seconds (two arrays).

    On a loaded machine the wall time includes waiting for a core; the process's CPU time is the
    work itself.
    """
    wall, cpu = [], []
    for X_new, y_new in batches:
        start, start_cpu = time.perf_counter(), time.process_time()
        model.partial_fit(X_new, y_new)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return np.array(wall), np.array(cpu)


# --- asv ---------------------------------------------------------------------------------------


class CollaborativeFilterMovieLens:
    """asv: one fold of MovieLens-100k (80,000 ratings), default and implicit settings."""

    params = [False, True]
    param_names = ["implicit"]

    def setup(self, implicit):
        X, y, folds = movielens_folds()
        train, test = folds[0]
        self.X_train, self.y_train = X[train], y[train]
        self.X_test, self.y_test = X[test], y[test]
        self.model = CollaborativeFilter(implicit=implicit, random_state=0).fit(self.X_train, self.y_train)

    def time_fit(self, implicit):
        CollaborativeFilter(implicit=implicit, random_state=0).fit(self.X_train, self.y_train)

    def peakmem_fit(self, implicit):
        CollaborativeFilter(implicit=implicit, random_state=0).fit(self.X_train, self.y_train)

    def time_recommend_every_user(self, implicit):
        self.model.recommend(self.model.users_, n=K)

    def track_test_rmse(self, implicit):
        return float(np.sqrt(np.mean((self.model.predict(self.X_test) - self.y_test) ** 2)))

    def track_test_ndcg_at_10(self, implicit):
        users = _relevant_users(self.X_test, self.y_test)
        return ndcg_at_k(self.X_test, self.y_test, _skdl_top_k(self.model, users), k=K)


class CollaborativeFilterScale:
    """asv: 1,000,000 synthetic ratings, 20,000 users x 5,000 items."""

    timeout = 300

    def setup(self):
        self.X, self.y = make_synthetic_ratings()

    def time_fit(self):
        CollaborativeFilter(random_state=0).fit(self.X, self.y)

    def peakmem_fit(self):
        CollaborativeFilter(random_state=0).fit(self.X, self.y)


_NEW_USER_IDS = itertools.count(10**7)


class CollaborativeFilterPartialFit:
    """asv: fold a new user with 20 ratings into a model of 1,000,000 ratings."""

    timeout = 300
    number = 1
    repeat = 20

    def setup_cache(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return CollaborativeFilter(random_state=0).fit(*make_synthetic_ratings())

    def setup(self, model):
        self.batch = new_users(1, first_id=next(_NEW_USER_IDS))[0]  # a user the model has not seen

    def time_partial_fit_new_user(self, model):
        model.partial_fit(*self.batch)


# --- side by side ----------------------------------------------------------------------------


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
        "CollaborativeFilter recommender (implicit=True), 5 folds of MovieLens-100k",
        movielens_folds,
        ours_implicit_on_folds,
        surprise_on_folds,
        "surprise SVD (with Trainset build)",
        target=1.0,
        quality=fold_quality,
        repeat=3,
    ),
    Comparison(
        "CollaborativeFilter recommender, 5 folds of MovieLens-100k (SVD.fit only)",
        lambda: with_prebuilt_trainsets(movielens_folds()),
        ours_on_folds,
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


# --- the report printed by ``python benchmarks/bench_recommender.py`` ----------------------------


def _timed(function, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = function(data)
        return time.perf_counter() - start, result


def quality_table(repeat=3, svdpp_repeat=1):
    """Fit the four models on the same folds; return rows of scores and 5-fold fit times."""
    data = movielens_folds()
    fitters = {
        "skdl CollaborativeFilter()": (ours_on_folds, skdl_fold_scores, repeat),
        "skdl CollaborativeFilter(implicit=True)": (ours_implicit_on_folds, skdl_fold_scores, repeat),
        "Surprise SVD()": (surprise_on_folds, surprise_fold_scores, repeat),
        "Surprise SVDpp()": (surprise_svdpp_on_folds, surprise_fold_scores, svdpp_repeat),
    }
    times, models = {name: [] for name in fitters}, {}
    for round_ in range(max(repeat, svdpp_repeat)):  # alternate the models, round after round
        for name, (fit, _, n_rounds) in fitters.items():
            if round_ < n_rounds:
                elapsed, models[name] = _timed(fit, data)
                times[name].append(elapsed)
    for name in ("Surprise SVD()", "Surprise SVDpp()"):
        _check_surprise_scores(models[name][0], np.unique(data[0][:, 0]))
    svd_time = min(times["Surprise SVD()"])
    rows = []
    for name, (_, score, _) in fitters.items():
        best = min(times[name])
        rows.append({"model": name, **score(models[name], data), "fit_s": best, "ratio": best / svd_time,
                     "fit_s_median": statistics.median(times[name])})
    return rows


def format_table(rows):
    lines = [
        "| 5 folds of MovieLens-100k | RMSE | MAE | precision@10 | NDCG@10 | fit, 5 folds (best) | ratio to SVD |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['rmse']:.4f} | {r['mae']:.4f} | {r['precision@10']:.4f} | {r['ndcg@10']:.4f} "
            f"| {r['fit_s']:.2f} s | {r['ratio']:.2f}x |"
        )
    return "\n".join(lines)


def recommend_time(repeat=5):
    """Best time to recommend 10 movies to every MovieLens user at once, default and implicit."""
    X, y = load_movielens(return_X_y=True)
    result = {}
    for implicit in (False, True):
        model = CollaborativeFilter(implicit=implicit, random_state=0).fit(X, y)
        users = model.users_
        result[implicit] = min(_timed(lambda u: model.recommend(u, n=K), users)[0] for _ in range(repeat))
    return result


def partial_fit_times(n_new_users=50):
    """Time of each ``partial_fit`` of a new 20-rating user into a 1,000,000-rating model."""
    X, y = make_synthetic_ratings()
    result = {}
    for implicit in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = CollaborativeFilter(implicit=implicit, random_state=0).fit(X, y)
        wall, cpu = partial_fit_durations(model, new_users(n_new_users))
        result[implicit] = {"median_ms": 1e3 * np.median(wall), "min_ms": 1e3 * wall.min(),
                            "max_ms": 1e3 * wall.max(), "cpu_median_ms": 1e3 * np.median(cpu),
                            "n_stored": int(model._store.compact.n_pairs)}
    return result


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


def main(argv=None):
    parser = argparse.ArgumentParser(description="The recommender's quality table, recommend and partial_fit times.")
    parser.add_argument("--repeat", type=int, default=3, help="alternating timed rounds (SVD++: --svdpp-repeat)")
    parser.add_argument("--svdpp-repeat", type=int, default=1)
    parser.add_argument("--skip-scale", action="store_true", help="leave out the 1,000,000-rating fit")
    args = parser.parse_args(argv)
    print(format_table(quality_table(args.repeat, args.svdpp_repeat)), flush=True)
    for implicit, seconds in recommend_time().items():
        print(f"recommend(all 943 users, n=10), implicit={implicit}: {1e3 * seconds:.1f} ms (target < 500 ms)")
    for implicit, t in partial_fit_times().items():
        print(
            f"partial_fit of a new user with 20 ratings into {t['n_stored']:,} stored ratings, implicit={implicit}: "
            f"median {t['median_ms']:.2f} ms wall (min {t['min_ms']:.2f}, max {t['max_ms']:.2f}), "
            f"median {t['cpu_median_ms']:.2f} ms CPU (target < 10 ms)"
        )
    if not args.skip_scale:
        result = measure_scale_in_subprocess()
        print(
            f"1,000,000 ratings (20,000 users x 5,000 items): fit {result['fit_s']:.2f} s wall "
            f"({result['fit_cpu_s']:.2f} s CPU), {result['n_iter']} ALS sweeps; peak RSS of the whole "
            f"process {result['peak_rss_mb']:.0f} MB ({result['rss_before_fit_mb']:.0f} MB before the fit). "
            f"Targets: < 30 s, < 2 GB."
        )


if __name__ == "__main__":
    main()
