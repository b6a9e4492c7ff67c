"""The heavy resampling reaches a Dask cluster through joblib, with the same numbers.

The refits of these functions go through joblib without naming a backend, so
``joblib.parallel_config(backend="dask")`` hands them to a ``dask.distributed``
cluster. Each function runs once serially (``n_jobs=1``, no Dask) and once on a
``LocalCluster`` that this module starts and stops. The seeds are fixed, so the two
results must agree to the last digit; the cluster's task stream must show that the work
did go to its workers (otherwise an equal result would prove nothing).

The workers are processes, not threads: every task is pickled and run in another
interpreter, as on a real cluster. Starting them costs a few seconds, once per module.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import biomedkit as bk

NUMERIC = ["age", "sbp", "total_chol", "hdl", "bmi", "smoker", "diabetes"]


@pytest.fixture(scope="module")
def client():
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # a missing engine is a broken set-up, not a reason to skip
        pytest.fail(f"dask.distributed is not installed ({exc}); install the test extras: "
                    "pip install -e '.[test]'")
    # ":0" puts the dashboard on a free port: 8787 may belong to another cluster on the machine.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def cohort():
    data, _ = bk.simulate.cohort(n=600, n_sites=4, random_state=0)
    return data.X[NUMERIC], data.y, data.frame["site"]


def model():
    return make_pipeline(StandardScaler(), LogisticRegression())


def on_dask(client, run):
    """``run()`` under joblib's Dask backend; fails when no task reached the workers."""
    import joblib
    from dask.distributed import get_task_stream

    with joblib.parallel_config(backend="dask"), get_task_stream(client) as stream:
        result = run()
    assert stream.data, "no task reached the Dask workers: the function bypasses joblib"
    return result


def test_repeated_cv(client, cohort):
    X, y, _ = cohort

    def run(n_jobs):
        return bk.validation.repeated_cv(model(), X, y, n_splits=5, n_repeats=3, random_state=0,
                                         n_jobs=n_jobs)

    pd.testing.assert_frame_equal(on_dask(client, lambda: run(-1)), run(1), check_exact=True)


def test_nested_cv(client, cohort):
    X, y, _ = cohort

    def run(n_jobs):
        return bk.validation.nested_cv(model(), {"logisticregression__C": [0.1, 1.0, 10.0]}, X, y,
                                       outer_splits=3, inner_splits=3, random_state=0, n_jobs=n_jobs)

    pd.testing.assert_frame_equal(on_dask(client, lambda: run(2)), run(1), check_exact=True)


def test_bootstrap_optimism(client, cohort):
    X, y, _ = cohort

    def run(n_jobs):
        return bk.validation.bootstrap_optimism(model(), X, y, n_boot=40, random_state=0, n_jobs=n_jobs)

    serial, dask = run(1), on_dask(client, lambda: run(-1))
    pd.testing.assert_frame_equal(dask.replicates, serial.replicates, check_exact=True)
    assert (dask.apparent, dask.optimism, dask.corrected) == (serial.apparent, serial.optimism,
                                                              serial.corrected)


def test_permutation_importance(client, cohort):
    X, y, _ = cohort
    fitted = model().fit(X, y)

    def run(n_jobs):
        return bk.explain.permutation_importance(fitted, X, y, n_repeats=5, random_state=0, n_jobs=n_jobs)

    pd.testing.assert_frame_equal(on_dask(client, lambda: run(-1)), run(1), check_exact=True)


def test_leave_one_site_out(client, cohort):
    X, y, sites = cohort

    def run(n_jobs):
        return bk.multisite.leave_one_site_out(model(), X, y, sites, n_jobs=n_jobs)

    pd.testing.assert_frame_equal(on_dask(client, lambda: run(-1)), run(1), check_exact=True)


@pytest.mark.parametrize("n_jobs", [-1, 2, None])
def test_cluster_stability(client, n_jobs):
    X, _ = make_blobs(n_samples=200, centers=3, random_state=0)

    def run(jobs):
        return bk.clustering.cluster_stability(X, KMeans(3, n_init=3), n_resamples=8, random_state=0,
                                               n_jobs=jobs)

    serial, dask = run(1), on_dask(client, lambda: run(n_jobs))
    np.testing.assert_array_equal(dask.aris, serial.aris)
    for a, b in zip(dask.labels, serial.labels, strict=True):
        np.testing.assert_array_equal(a, b)


def test_cluster_stability_with_a_progress_bar(client, monkeypatch):
    # With a bar, the results come back one by one (joblib's generator mode): a second path
    # to the cluster, the one a notebook takes (bars are off under pytest unless asked for).
    X, _ = make_blobs(n_samples=200, centers=3, random_state=0)

    def run(n_jobs):
        return bk.clustering.cluster_stability(X, KMeans(3, n_init=3), n_resamples=20, random_state=0,
                                               n_jobs=n_jobs)

    serial = run(1)
    monkeypatch.setattr("biomedkit._progress._enabled", True)  # restored after the test
    dask = on_dask(client, lambda: run(-1))
    np.testing.assert_array_equal(dask.aris, serial.aris)


def test_choose_k(client):
    X, _ = make_blobs(n_samples=200, centers=3, random_state=0)

    def run(n_jobs):
        return bk.clustering.choose_k(X, KMeans(n_init=3), ks=[2, 3], n_resamples=5, random_state=0,
                                      n_jobs=n_jobs)

    pd.testing.assert_frame_equal(on_dask(client, lambda: run(-1)), run(1), check_exact=True)
