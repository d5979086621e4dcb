"""Dask: a grid search on a cluster, and exact fits of arrays built on the workers.

Usage::

    python benchmarks/scaling_out.py            # 2 worker processes, 1 thread each
    python benchmarks/scaling_out.py --workers 4
    python benchmarks/scaling_out.py --scheduler tcp://scheduler-host:8786   # a real cluster
    python benchmarks/scaling_out.py --exact --workers 1 2 --gigabytes 0.25 0.5 1

The search is 36 fits (12 values of C x 3 folds) of a multinomial LogisticRegression on
20,000 x 100 data. With ``--exact``, LinearRegression (ridge, sample weights), PCA and the
Gaussian anomaly detector are fitted on a dask array of 100 float64 columns generated chunk by
chunk on the workers (10 MB chunks), for each number of workers and data size; the wall time
includes generating the data, which is never gathered. The figures depend on the cores the
machine has: a cluster can only divide the work among the cores (or machines) it is given.
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


def make_dask_data(gigabytes, n_features=100, chunk_rows=12_500, seed=0):
    """X, y and weights as dask arrays of about ``gigabytes`` GB, generated on the workers."""
    import dask.array as da

    n_samples = int(gigabytes * 1e9 / (8 * n_features)) // chunk_rows * chunk_rows
    state = da.random.RandomState(seed)
    X = state.normal(size=(n_samples, n_features), chunks=(chunk_rows, n_features)) + 10.0
    y = X @ np.linspace(-1.0, 1.0, n_features) + state.normal(size=n_samples, chunks=chunk_rows)
    weights = state.uniform(0.0, 2.0, size=n_samples, chunks=chunk_rows)
    return X, y, weights


def exact_fits(workers_list, gigabytes_list):
    """Wall time of the exact Dask fits for each number of workers and data size."""
    from distributed import Client, LocalCluster

    from skdl.anomaly import GaussianAnomalyDetector
    from skdl.decomposition import PCA
    from skdl.linear_model import LinearRegression

    fits = {
        "LinearRegression(alpha=1), weights": lambda X, y, w: LinearRegression(alpha=1.0).fit(X, y, sample_weight=w),
        "PCA(10), covariance": lambda X, y, w: PCA(n_components=10).fit(X),
        "GaussianAnomalyDetector('full')": lambda X, y, w: GaussianAnomalyDetector("full").fit(X),
    }
    print(f"{'fit':<38} {'workers':>7} {'GB':>5} {'wall (s)':>9}")
    for n_workers in workers_list:
        with LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster, Client(cluster):
            for gigabytes in gigabytes_list:
                X, y, w = make_dask_data(gigabytes)
                for name, fit in fits.items():
                    start = time.perf_counter()
                    fit(X, y, w)
                    print(f"{name:<38} {n_workers:>7} {gigabytes:>5} {time.perf_counter() - start:>9.2f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler")
    parser.add_argument("--exact", action="store_true", help="time the exact fits of dask arrays instead")
    parser.add_argument("--gigabytes", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    args = parser.parse_args(argv)
    if args.exact:
        return exact_fits(args.workers, args.gigabytes)
    args.workers = args.workers[0]
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
