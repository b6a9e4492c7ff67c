"""Time the heavy resampling serially, with joblib's own processes and on a Dask cluster.

    python benchmarks/dask_cluster.py

Two realistic jobs: Harrell's bootstrap optimism of a logistic model (300 refits on
4,000 simulated patients x 20 features) and the stability of k-means (100 subsamples of
2,000 points). Each runs with ``n_jobs=1``, with ``n_jobs=-1`` on joblib's default
backend (loky: local processes) and under ``joblib.parallel_config(backend="dask")`` on a
``dask.distributed.LocalCluster`` with one single-threaded worker process per core
(``os.cpu_count()``); each timed 3 times (median), after one untimed run that lets the
workers import what they need. Every worker computes with one thread, so the serial run
does too (``threadpool_limits(1)``): otherwise it would time numpy's threads fighting
over the same cores, not the parallel loop. The speed-up on a machine's few shared cores is reported,
not judged: a Dask cluster pays off when it spans more cores than one machine has. The
script exits with status 1 only when a parallel result differs from the serial one (the
seeds are fixed, so they must agree to the last digit).

(Not named ``dask.py``: the script's folder comes first on the import path, so that name
would hide the dask package from the script itself.)
"""

import os
import sys

import joblib
import numpy as np
from _timing import median_time
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import biomedkit as bk


def jobs():
    """(label, run(n_jobs), key(result)) for each job: key gives the numbers to compare."""
    data, _ = bk.simulate.cohort(n=4000, n_noise=10, random_state=0)
    X, y = data.X.select_dtypes("number"), data.y
    blobs, _ = make_blobs(n_samples=2000, n_features=10, centers=4, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    return [
        (f"bootstrap_optimism, 300 refits, {X.shape[0]:,} x {X.shape[1]}",
         lambda n_jobs: bk.validation.bootstrap_optimism(model, X, y, n_boot=300, random_state=0,
                                                         n_jobs=n_jobs),
         lambda result: result.replicates.to_numpy()),
        ("cluster_stability, k-means, 100 subsamples of 2,000 x 10",
         lambda n_jobs: bk.clustering.cluster_stability(blobs, KMeans(4, n_init=5), n_resamples=100,
                                                        random_state=0, n_jobs=n_jobs),
         lambda result: result.aris),
    ]


def timed(run, key):
    """One untimed run (its numbers are returned) and the median of 3 timed ones."""
    numbers = key(run())
    return numbers, median_time(run)


def main() -> int:
    from dask.distributed import Client, LocalCluster

    bk.show_progress(False)  # bars would garble the table, and the time is the computation's
    cores = os.cpu_count()
    # The load says how much of those cores other programs were using: a busy machine has no
    # spare core for a parallel run to gain from.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{cores} cores (load average {load:.1f}); Dask LocalCluster of {cores} worker processes "
          "x 1 thread")
    print(f"{'job':<58} {'n_jobs=1':>9} {'loky':>7} {'dask':>7}  speed-up loky / dask  same numbers")
    failures = 0
    # ":0": the dashboard takes any free port (8787 may belong to another cluster).
    with (LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                       dashboard_address=":0") as cluster, Client(cluster), threadpool_limits(1)):
        for label, run, key in jobs():
            serial, t_serial = timed(lambda: run(1), key)
            local, t_local = timed(lambda: run(-1), key)
            with joblib.parallel_config(backend="dask"):
                dask, t_dask = timed(lambda: run(-1), key)
            same = np.array_equal(local, serial) and np.array_equal(dask, serial)
            failures += not same
            print(f"{label:<58} {t_serial:>8.2f}s {t_local:>6.2f}s {t_dask:>6.2f}s  "
                  f"{t_serial / t_local:>13.2f}x / {t_serial / t_dask:.2f}x  {'yes' if same else 'NO'}")
    if failures:
        print(f"{failures} job(s) gave different numbers in parallel than serially", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":  # the guard lets the worker processes import this file safely
    sys.exit(main())
