"""Grid search on a Dask LocalCluster against the same search in a single process.

Usage::

    python benchmarks/scaling_out.py            # 2 worker processes, 1 thread each
    python benchmarks/scaling_out.py --workers 4
    python benchmarks/scaling_out.py --scheduler tcp://scheduler-host:8786   # a real cluster

The search is 36 fits (12 values of C x 3 folds) of a multinomial LogisticRegression on
20,000 x 100 data. The figures depend on the cores the machine has: a cluster can only divide the
work among the cores (or machines) it is given.
"""

import argparse
import time

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV

from skdl.linear_model import LogisticRegression


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(20_000, 100))
    y = np.argmax(X @ rng.normal(size=(100, 5)) * 0.3 + rng.gumbel(size=(20_000, 5)), axis=1)
    return X, y


def search(n_jobs):
    return GridSearchCV(LogisticRegression(), {"C": np.logspace(-3, 2, 12)}, cv=3, n_jobs=n_jobs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler")
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    X, y = make_data()
    start = time.perf_counter()
    local = search(n_jobs=1).fit(X, y)
    single = time.perf_counter() - start
    print(f"single process:   {single:6.2f} s   best C = {local.best_params_['C']:.4g}")

    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        with joblib.parallel_backend("dask"):
            start = time.perf_counter()
            distributed = search(n_jobs=-1).fit(X, y)
            elapsed = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    same = distributed.best_params_ == local.best_params_
    print(
        f"dask cluster:     {elapsed:6.2f} s   best C = {distributed.best_params_['C']:.4g}"
        f"   speed-up {single / elapsed:.2f}x   same result: {same}"
    )


if __name__ == "__main__":
    main()
