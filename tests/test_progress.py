"""Progress bars: on in notebooks, off under tests, off when asked, never for short loops."""

import io

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

import biomedkit as bk
from biomedkit import _progress


@pytest.fixture(autouse=True)
def _restore():
    yield
    _progress._enabled = None


def test_bars_are_off_under_pytest_and_on_elsewhere(monkeypatch):
    assert not _progress.progress_enabled()
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert _progress.progress_enabled()
    monkeypatch.setenv("BIOMEDKIT_PROGRESS", "0")
    assert not _progress.progress_enabled()


def test_show_progress_switches_every_loop(monkeypatch):
    from tqdm.auto import tqdm

    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    bk.show_progress(False)
    assert _progress.progress(range(100)) == range(100)
    bk.show_progress(True)
    bar = _progress.progress(range(100), desc="bootstrap")
    assert isinstance(bar, tqdm) and list(bar) == list(range(100))


def test_short_loops_get_no_bar():
    bk.show_progress(True)
    assert _progress.progress(range(5)) == range(5)


def test_show_progress_refuses_a_non_boolean():
    with pytest.raises(TypeError, match="enabled must be True or False"):
        bk.show_progress("no")


# --- the long loops: a bar for each when bars are on, the same results with bars on and off ---

@pytest.fixture
def bars(monkeypatch):
    """Every bar that biomedkit makes, recorded: a tqdm that writes to a buffer, not the terminal.

    ``show_progress(True)`` turns the bars on as in a notebook (it overrides the pytest rule).
    """
    from tqdm import tqdm

    made = []

    class Recorded(tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, file=io.StringIO(), **kwargs)
            made.append(self)

    monkeypatch.setattr("tqdm.auto.tqdm", Recorded)
    return made


def off_then_on(bars, run):
    """``run()`` with bars off (checking none is made), then with bars on."""
    bk.show_progress(False)
    off = run()
    assert bars == []
    bk.show_progress(True)
    return off, run()


def assert_one_full_bar(bars, desc, total):
    """A single bar named ``desc``, run to ``total`` steps and closed (tqdm disables it on close)."""
    assert [(b.desc, b.total, b.n, b.disable) for b in bars] == [(desc, total, total, True)]


def blobs():
    return make_blobs(n_samples=150, centers=3, random_state=0)[0]


def square(x):
    return x * x


def test_parallel_progress_keeps_the_order_and_falls_back_to_no_bar(bars):
    tasks = lambda: (joblib.delayed(square)(x) for x in range(25))  # noqa: E731
    expected = [x * x for x in range(25)]
    bk.show_progress(True)
    with joblib.parallel_config(backend="threading"):
        assert _progress.parallel_progress(tasks(), n_jobs=2, total=25, desc="squares") == expected
    assert_one_full_bar(bars, "squares", 25)
    bars.clear()
    # multiprocessing cannot hand results back one by one: same results, no bar
    with joblib.parallel_config(backend="multiprocessing"):
        assert _progress.parallel_progress(tasks(), n_jobs=2, total=25, desc="squares") == expected
    assert _progress.parallel_progress(tasks(), n_jobs=1, total=25, desc="squares", min_total=30) == expected
    assert bars == []


def test_cluster_stability_shows_its_resamples(bars):
    def run():
        return bk.clustering.cluster_stability(blobs(), KMeans(3, n_init=3), n_resamples=20,
                                               random_state=0, n_jobs=1)

    off, on = off_then_on(bars, run)
    assert_one_full_bar(bars, "cluster_stability", 20)
    np.testing.assert_array_equal(on.aris, off.aris)
    for a, b in zip(on.labels, off.labels, strict=True):
        np.testing.assert_array_equal(a, b)


def test_cluster_stability_bar_on_a_dask_cluster(bars):
    from dask.distributed import Client, LocalCluster, get_task_stream

    def run(n_jobs):
        return bk.clustering.cluster_stability(blobs(), KMeans(3, n_init=3), n_resamples=20,
                                               random_state=0, n_jobs=n_jobs)

    serial = run(1)
    bk.show_progress(True)
    with (LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
          Client(cluster) as client, joblib.parallel_config(backend="dask"),
          get_task_stream(client) as stream):
        dask = run(-1)
    assert stream.data, "no task reached the Dask workers"
    assert_one_full_bar(bars, "cluster_stability", 20)
    np.testing.assert_array_equal(dask.aris, serial.aris)


def test_choose_k_shows_the_ks_and_each_ks_resamples(bars):
    def run():
        return bk.clustering.choose_k(blobs(), KMeans(n_init=3), ks=[2, 3], n_resamples=20,
                                      random_state=0, n_jobs=1)

    off, on = off_then_on(bars, run)
    pd.testing.assert_frame_equal(on, off, check_exact=True)
    assert [(b.desc, b.total, b.n, b.disable) for b in bars] == [
        ("choose_k", 2, 2, True), ("cluster_stability", 20, 20, True), ("cluster_stability", 20, 20, True)]


def test_short_resampling_gets_no_bar(bars):
    bk.show_progress(True)
    bk.clustering.cluster_stability(blobs(), KMeans(3, n_init=3), n_resamples=5, random_state=0)
    assert bars == []


@pytest.mark.parametrize("early_stopping", [False, True])
def test_mlp_shows_its_epochs_and_closes_the_bar_when_it_stops_early(bars, early_stopping):
    from sklearn.datasets import make_moons

    from biomedkit.models import TorchMLPClassifier

    X, y = make_moons(n_samples=200, noise=0.3, random_state=0)

    def run():
        return TorchMLPClassifier(max_epochs=30, patience=2, early_stopping=early_stopping,
                                  learning_rate=0.05, random_state=0).fit(X, y)

    off, on = off_then_on(bars, run)
    np.testing.assert_array_equal(on.predict_proba(X), off.predict_proba(X))
    assert on.loss_curve_ == off.loss_curve_
    [bar] = bars
    # tqdm counts a step when the next one starts: the epoch the loop stopped in is not counted
    done = on.n_epochs_ - 1 if early_stopping else on.n_epochs_
    assert (bar.desc, bar.total, bar.n, bar.disable) == ("TorchMLPClassifier epochs", 30, done, True)
    assert (on.n_epochs_ < 30) == early_stopping  # the early case does stop early


def test_fedavg_shows_its_rounds(bars):
    rng = np.random.default_rng(0)
    Xs = [rng.normal(size=(80, 2)) for _ in range(3)]
    ys = [rng.binomial(1, 0.3, 80) for _ in range(3)]

    def run():
        return bk.multisite.fedavg(Xs, ys, rounds=30, local_steps=2, batch_size=20, secure=True,
                                   random_state=0)

    off, on = off_then_on(bars, run)
    pd.testing.assert_frame_equal(on.history, off.history, check_exact=True)
    assert_one_full_bar(bars, "fedavg rounds", 30)


def test_bootstrap_optimism_shows_a_bar_and_gives_the_same_numbers(monkeypatch):
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from tqdm.auto import tqdm

    X, y = make_classification(n_samples=120, n_features=4, random_state=0)

    def run():
        return bk.validation.bootstrap_optimism(LogisticRegression(), X, y, n_boot=25, random_state=0)

    quiet = run()
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    bk.show_progress(True)
    made = []
    monkeypatch.setattr("tqdm.auto.tqdm", lambda *a, **k: made.append(k.get("desc")) or tqdm(*a, **k))
    loud = run()
    assert made == ["bootstrap_optimism"]
    assert quiet.replicates.equals(loud.replicates)


def test_adversarial_debiasing_shows_its_epochs(bars):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3)).astype(np.float32)
    g = rng.integers(0, 2, 120)
    y = (X[:, 0] + 0.5 * g + rng.normal(size=120) > 0).astype(int)

    def run():
        return bk.fairness.AdversarialDebiasingClassifier(alpha=1.0, epochs=30, random_state=0).fit(
            X, y, sensitive_features=g)

    off, on = off_then_on(bars, run)
    np.testing.assert_array_equal(on.predict_proba(X), off.predict_proba(X))
    assert_one_full_bar(bars, "AdversarialDebiasingClassifier epochs", 30)
