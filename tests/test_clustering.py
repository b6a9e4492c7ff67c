"""Cluster stability and the choice of k."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import biomedkit as bk
from biomedkit.clustering import _ari, _shared_ari

CENTERS = [[0, 0], [10, 0], [0, 10]]


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=300, centers=CENTERS, cluster_std=1.0, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def noise():
    return np.random.default_rng(0).normal(size=(300, 10))


def test_well_separated_blobs_are_stable_and_noise_is_not(blobs, noise):
    kmeans = KMeans(3, n_init=10)
    on_blobs = bk.clustering.cluster_stability(blobs[0], kmeans, n_resamples=20, random_state=0)
    on_noise = bk.clustering.cluster_stability(noise, kmeans, n_resamples=20, random_state=0)
    assert on_blobs.mean > 0.98 and on_blobs.aris.size == 20 * 19 // 2
    assert on_noise.mean < 0.6 and on_noise.mean < on_blobs.mean - 0.35
    summary = on_noise.to_frame()["ari"]
    assert summary["q05"] <= summary["median"] <= summary["q95"] and summary["n_pairs"] == 190
    assert repr(on_noise).startswith("<StabilityResult: mean ARI")


def test_to_frame_holds_the_statistics_and_summary_is_its_old_name(noise):
    result = bk.clustering.cluster_stability(noise, KMeans(3, n_init=3), n_resamples=6, random_state=0)
    table = result.to_frame()
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["ari"]
    assert list(table.index) == ["mean", "sd", "q05", "median", "q95", "n_pairs"]
    assert table.index.name == "statistic"
    q05, q50, q95 = np.percentile(result.aris, [5, 50, 95])  # an independent reference: numpy
    expected = [result.aris.mean(), result.aris.std(), q05, q50, q95, 15]
    np.testing.assert_allclose(table["ari"].to_numpy(float), expected, rtol=1e-12)
    with pytest.warns(FutureWarning, match=r"StabilityResult.summary\(\) is deprecated .* "
                                           r"use StabilityResult.to_frame\(\) instead"):
        old = result.summary()
    pd.testing.assert_series_equal(old, table["ari"].rename_axis(None))


def test_options_passed_by_position_still_work_with_a_warning(noise):
    kmeans = KMeans(3, n_init=3)
    new = bk.clustering.cluster_stability(noise, kmeans, n_resamples=4, sample_fraction=0.7, random_state=1)
    with pytest.warns(FutureWarning, match=r"passing n_resamples, sample_fraction, random_state of "
                                           r"cluster_stability\(\) by position"):
        old = bk.clustering.cluster_stability(noise, kmeans, 4, 0.7, 1)
    np.testing.assert_array_equal(old.aris, new.aris)
    with pytest.warns(FutureWarning, match=r"passing q of StabilityResult.quantiles\(\) by position"):
        by_position = new.quantiles([0.25, 0.75])
    pd.testing.assert_series_equal(by_position, new.quantiles(q=[0.25, 0.75]))
    np.testing.assert_allclose(by_position.to_numpy(), np.percentile(new.aris, [25, 75]))


def test_ari_matches_scikit_learn():
    hand_made = [([0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 2, 2]),      # same partition, renamed: 1
                 ([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]),      # crossed: below 0
                 ([0, 0, 1, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2, 2]),
                 ([5, 5, 5, 5], [0, 0, 0, 0]), ([0, 1, 2, 3], [0, 0, 1, 1])]
    rng = np.random.default_rng(1)
    random_cases = [(rng.integers(0, 4, 40), rng.integers(0, 3, 40)) for _ in range(20)]
    for a, b in hand_made + random_cases:
        assert _ari(np.asarray(a), np.asarray(b)) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)


def test_subsamples_are_compared_on_their_shared_rows():
    idx_a, labels_a = np.array([0, 1, 2, 3, 5]), np.array([0, 0, 1, 1, 2])
    idx_b, labels_b = np.array([1, 2, 3, 4, 5]), np.array([7, 8, 8, 9, 7])
    # shared rows 1, 2, 3, 5 carry labels (0, 1, 1, 2) in a and (7, 8, 8, 7) in b
    expected = adjusted_rand_score([0, 1, 1, 2], [7, 8, 8, 7])
    assert _shared_ari(idx_a, labels_a, idx_b, labels_b) == pytest.approx(expected, abs=1e-12)


def test_same_seed_same_result_on_any_joblib_backend(noise):
    kmeans = KMeans(3, n_init=3)  # random_state None: seeded per subsample from random_state
    a = bk.clustering.cluster_stability(noise, kmeans, n_resamples=8, random_state=4)
    b = bk.clustering.cluster_stability(noise, kmeans, n_resamples=8, random_state=4)
    np.testing.assert_array_equal(a.aris, b.aris)
    with joblib.parallel_config(backend="threading"):
        c = bk.clustering.cluster_stability(noise, kmeans, n_resamples=8, random_state=4, n_jobs=2)
    np.testing.assert_array_equal(a.aris, c.aris)
    d = bk.clustering.cluster_stability(noise, kmeans, n_resamples=8, random_state=5)
    assert not np.array_equal(a.aris, d.aris)


def test_works_with_other_clusterers_and_leaves_the_data_alone(blobs):
    frame = pd.DataFrame(blobs[0], columns=["x", "y"])
    copy = frame.copy()
    for estimator in (AgglomerativeClustering(3), GaussianMixture(3),
                      make_pipeline(StandardScaler(), KMeans(3, n_init=5))):
        result = bk.clustering.cluster_stability(frame, estimator, n_resamples=5, random_state=0)
        assert result.mean > 0.95, type(estimator).__name__
    pd.testing.assert_frame_equal(frame, copy)


def test_choose_k_finds_three_blobs(blobs):
    table = bk.clustering.choose_k(blobs[0], GaussianMixture(), ks=[2, 3, 4, 5], n_resamples=8,
                                   random_state=0)
    assert list(table.columns) == ["k", "silhouette", "bic", "stability", "stability_q05", "stability_q95"]
    best = table.set_index("k")
    assert best["silhouette"].idxmax() == 3 and best["bic"].idxmin() == 3
    assert best.loc[3, "stability"] > 0.98
    kmeans = bk.clustering.choose_k(blobs[0], make_pipeline(StandardScaler(), KMeans(n_init=5)),
                                    ks=range(2, 5), n_resamples=5, random_state=0)
    assert "bic" not in kmeans and kmeans.set_index("k")["silhouette"].idxmax() == 3


@pytest.mark.parametrize("call, error, message", [
    (lambda X: bk.clustering.cluster_stability(np.where(X > 2, np.nan, X), KMeans(3)),
     ValueError, "X contains NaN"),
    (lambda X: bk.clustering.cluster_stability(X, KMeans(1)), ValueError,
     "n_clusters must be an integer >= 2"),
    (lambda X: bk.clustering.cluster_stability(X, GaussianMixture(1)), ValueError,
     "n_components must be an integer >= 2"),
    (lambda X: bk.clustering.cluster_stability(X, KMeans(3), n_resamples=1), ValueError,
     "n_resamples must be an integer >= 2"),
    (lambda X: bk.clustering.cluster_stability(X, KMeans(3), sample_fraction=0), ValueError,
     r"sample_fraction must be a number in \(0, 1\]"),
    (lambda X: bk.clustering.cluster_stability(X, KMeans(3), sample_fraction=1.5), ValueError,
     r"sample_fraction must be a number in \(0, 1\]"),
    (lambda X: bk.clustering.cluster_stability(X[:, 0], KMeans(3)), ValueError,
     "X must be 2-dimensional"),
    (lambda X: bk.clustering.cluster_stability(X, StandardScaler()), TypeError,
     "estimator must be a scikit-learn clusterer with fit_predict"),
    (lambda X: bk.clustering.choose_k(X, KMeans(), ks=[1, 2]), ValueError,
     r"ks must hold integers k with 2 <= k < 300"),
    (lambda X: bk.clustering.choose_k(X, KMeans(), ks=3), ValueError, "ks must be a sequence"),
    (lambda X: bk.clustering.choose_k(X, DBSCAN(), ks=[2]), ValueError, "estimator has no n_clusters"),
])
def test_bad_input_messages_name_the_argument(blobs, call, error, message):
    with pytest.raises(error, match=message):
        call(blobs[0])
