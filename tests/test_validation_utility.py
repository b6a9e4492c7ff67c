"""Threshold metrics and net benefit: hand-computed cases and statsmodels' Wilson interval.
(The comparison with R dcurves is in test_validation_dcurves.py.)"""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import biomedkit as bk

# ten patients, four events; risks chosen so the counts are easy to read off
Y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
P = np.array([0.9, 0.7, 0.4, 0.2, 0.8, 0.5, 0.3, 0.2, 0.1, 0.05])


def test_threshold_metrics_hand_computed():
    m = bk.validation.threshold_metrics(Y, P, [0.3, 0.6]).set_index("threshold")
    # t = 0.3: flagged 0.9 0.7 0.4 (events) and 0.8 0.5 0.3 (non-events): TP 3, FP 3, TN 3, FN 1
    row = m.loc[0.3]
    assert (row.tp, row.fp, row.tn, row.fn) == (3, 3, 3, 1)
    assert (row.sensitivity, row.specificity, row.ppv, row.npv) == pytest.approx((0.75, 0.5, 0.5, 0.75))
    assert row.flagged == pytest.approx(0.6) and row.alerts_per_1000 == pytest.approx(600)
    assert row.nne == pytest.approx(2.0)
    # t = 0.6: flagged 0.9 0.7 (events), 0.8 (non-event)
    row = m.loc[0.6]
    assert (row.tp, row.fp, row.tn, row.fn) == (2, 1, 5, 2)


def test_wilson_limits_equal_statsmodels():
    rng = np.random.default_rng(0)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    m = bk.validation.threshold_metrics(y, p, [0.2, 0.5, 0.8], level=0.9)
    for name, k, n in [("sensitivity", m.tp, m.tp + m.fn), ("specificity", m.tn, m.tn + m.fp),
                       ("ppv", m.tp, m.tp + m.fp), ("npv", m.tn, m.tn + m.fn)]:
        low, high = proportion_confint(k, n, alpha=0.1, method="wilson")
        np.testing.assert_allclose(m[f"{name}_low"], low, atol=1e-12)
        np.testing.assert_allclose(m[f"{name}_high"], high, atol=1e-12)


def test_a_threshold_above_every_risk_gives_nan_ppv_not_an_error():
    m = bk.validation.threshold_metrics(Y, P, [0.95]).iloc[0]
    assert m.tp == 0 and m.fp == 0 and np.isnan(m.ppv) and m.sensitivity == 0


@pytest.mark.parametrize("thresholds", [[0.0, 0.5], [0.5, 1.0], [np.nan], [-0.1]])
def test_thresholds_outside_the_open_unit_interval_are_refused(thresholds):
    with pytest.raises(ValueError, match=r"thresholds must lie strictly inside \(0, 1\)"):
        bk.validation.threshold_metrics(Y, P, thresholds)


def test_net_benefit_hand_computed():
    nb = bk.validation.net_benefit(Y, {"model": P}, thresholds=[0.3]).set_index("model")
    # TP 3, FP 3 of n 10 at t = 0.3: 0.3 - 0.3 * (0.3 / 0.7)
    assert nb.loc["model", "net_benefit"] == pytest.approx(0.3 - 0.3 * 0.3 / 0.7)
    # treat all: prevalence 0.4 - 0.6 * 0.3/0.7; treat none: 0
    assert nb.loc["Treat all", "net_benefit"] == pytest.approx(0.4 - 0.6 * 0.3 / 0.7)
    assert nb.loc["Treat none", "net_benefit"] == 0
    # net interventions avoided per 100, relative to treating all
    expected = (nb.loc["model", "net_benefit"] - nb.loc["Treat all", "net_benefit"]) / (0.3 / 0.7) * 100
    assert nb.loc["model", "net_interventions_avoided"] == pytest.approx(expected)


def test_harm_is_subtracted_per_model():
    nb = bk.validation.net_benefit(Y, {"a": P, "b": P}, thresholds=[0.3], harm={"a": 0.0, "b": 0.05})
    a, b = nb.set_index("model").loc[["a", "b"], "net_benefit"]
    assert a - b == pytest.approx(0.05)


def test_case_control_prevalence_reweights_the_classes():
    nb = bk.validation.net_benefit(Y, {"model": P}, thresholds=[0.3], prevalence=0.1).set_index("model")
    # sensitivity 3/4, false-positive fraction 3/6, true prevalence 0.1
    expected = 0.75 * 0.1 - 0.5 * 0.9 * 0.3 / 0.7
    assert nb.loc["model", "net_benefit"] == pytest.approx(expected)
    assert nb.loc["Treat all", "net_benefit"] == pytest.approx(0.1 - 0.9 * 0.3 / 0.7)


def test_bootstrap_intervals_cover_the_estimate_and_are_reproducible():
    rng = np.random.default_rng(1)
    p = rng.random(2000)
    y = (rng.random(2000) < p).astype(int)
    a = bk.validation.net_benefit(y, {"m": p}, thresholds=[0.1, 0.3, 0.5], n_boot=300, random_state=4)
    b = bk.validation.net_benefit(y, {"m": p}, thresholds=[0.1, 0.3, 0.5], n_boot=300, random_state=4)
    pd.testing.assert_frame_equal(a, b)
    assert (a.net_benefit_low <= a.net_benefit + 1e-12).all() and (a.net_benefit <= a.net_benefit_high + 1e-12).all()
    model = a[a.model == "m"]
    assert (model.net_benefit_high - model.net_benefit_low).between(0.01, 0.1).all()


def test_bootstrap_replicate_equals_net_benefit_of_the_resample():
    from biomedkit._counts import SortedCounts, resample_cells
    from biomedkit.validation.decision import _cells, _net_benefit

    rng = np.random.default_rng(2)
    p = rng.random(50)
    y = (rng.random(50) < p).astype(int)
    t = np.array([0.25])
    first, sizes = _cells(y, p, t)
    w = resample_cells(sizes, y.size, 1, np.random.default_rng(0))[0].astype(int)
    # an explicit resample with those counts per cell, drawn from each cell's own patients
    cell = lambda i: (y == y[i]) & ((p >= 0.25) == (p[i] >= 0.25))  # noqa: E731
    rows = np.concatenate([rng.choice(np.flatnonzero(cell(i)), k) for i, k in zip(first, w)])
    yy, pp = y[rows], p[rows]
    direct = bk.validation.net_benefit(yy, {"m": pp}, thresholds=[0.25]).set_index("model").loc["m", "net_benefit"]
    counts = SortedCounts(y[first], p[first], w[None, :].astype(float))
    tp, fp = counts.at(t)
    npos, nneg = counts.positives[:, None], counts.negatives[:, None]
    assert _net_benefit(tp, fp, npos, nneg, t, 0.0, None)[0][0, 0] == pytest.approx(direct)


def test_bootstrap_intervals_equal_those_of_resampling_patients():
    """Drawing the resampling counts per cell gives the distribution of resampling rows."""
    rng = np.random.default_rng(6)
    p = rng.random(3000)
    y = (rng.random(3000) < p).astype(int)
    t = [0.2, 0.5]
    ours = bk.validation.net_benefit(y, {"m": p}, thresholds=t, n_boot=4000, random_state=0)
    ours = ours[ours.model == "m"]
    i = rng.integers(0, y.size, (2000, y.size))  # 2000 resamples of the patients
    flagged = p[i][..., None] >= np.array(t)
    events = y[i][..., None] == 1
    odds = np.array(t) / (1 - np.array(t))
    reps = (flagged & events).mean(axis=1) - (flagged & ~events).mean(axis=1) * odds
    low, high = np.quantile(reps, [0.025, 0.975], axis=0)
    # the replicates' sd is about 0.011; Monte Carlo error of these limits about 0.001
    np.testing.assert_allclose(ours.net_benefit_low, low, atol=0.003)
    np.testing.assert_allclose(ours.net_benefit_high, high, atol=0.003)


def test_decision_curve_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    nb = bk.validation.net_benefit(Y, {"model": P}, n_boot=20, random_state=0)
    ax = bk.validation.plot_decision_curve(nb)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["model", "Treat all", "Treat none"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"scores": P}, TypeError, "scores must be a non-empty mapping"),
    ({"scores": {"Treat all": P}}, ValueError, "reserved names"),
    ({"scores": {"m": P * 2}}, ValueError, r"must lie in \[0, 1\]"),
    ({"scores": {"m": P}, "prevalence": 1.5}, ValueError, r"prevalence must lie in \(0, 1\)"),
    ({"scores": {"m": P}, "n_boot": -1}, ValueError, "n_boot must be an integer >= 0"),
    ({"scores": {"m": P}, "thresholds": [0, 0.5]}, ValueError, "thresholds must lie strictly inside"),
    ({"scores": {"m": P}, "harm": {"x": 0.1}}, ValueError, "harm must be a number or a mapping"),
])
def test_net_benefit_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        bk.validation.net_benefit(Y, **kwargs)


def test_threshold_metrics_takes_y_prob_and_warns_on_the_old_y_score():
    new = bk.validation.threshold_metrics(Y, y_prob=P, thresholds=[0.3, 0.6])
    with pytest.warns(FutureWarning, match=r"threshold_metrics\(y_score=...\) is deprecated.*y_prob="):
        old = bk.validation.threshold_metrics(Y, y_score=P, thresholds=[0.3, 0.6])
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(TypeError, match="pass the risks once"):
        bk.validation.threshold_metrics(Y, P, [0.3], y_score=P)


def test_options_passed_by_position_still_work_with_a_warning():
    with pytest.warns(FutureWarning, match="passing level of threshold_metrics"):
        old = bk.validation.threshold_metrics(Y, P, [0.3], 0.9)
    pd.testing.assert_frame_equal(old, bk.validation.threshold_metrics(Y, P, [0.3], level=0.9))
    with pytest.warns(FutureWarning, match="passing thresholds of net_benefit"):
        old = bk.validation.net_benefit(Y, {"m": P}, [0.3])
    pd.testing.assert_frame_equal(old, bk.validation.net_benefit(Y, {"m": P}, thresholds=[0.3]))


def test_bootstrap_with_many_thresholds():
    rng = np.random.default_rng(3)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    nb = bk.validation.net_benefit(y, {"m": p}, thresholds=np.linspace(0.001, 0.999, 300), n_boot=20,
                                   random_state=0)
    assert nb.net_benefit_low.notna().all() and (nb.net_benefit_low <= nb.net_benefit_high).all()
