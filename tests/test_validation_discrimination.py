"""AUC intervals and DeLong's test, against pROC's published results and a brute-force
computation of DeLong's structural components."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import biomedkit as bk
from conftest import ROOT

ASAH = pd.read_csv(ROOT / "tests" / "data" / "aSAH.csv")
Y = (ASAH["outcome"] == "Poor").astype(int).to_numpy()


def brute_force_delong_var(y, s):
    """DeLong's variance straight from its definition: O(n_pos x n_neg) comparisons."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size


@pytest.mark.parametrize("marker, auc, var", [
    # pROC's tests (test-auc.R, test-var.R): auc() and var() of roc(aSAH$outcome, marker)
    ("s100b", 0.731368563685637, 0.00266868245717244),
    ("wfns", 0.823678861788618, 0.00146991470882363),
    ("ndka", 0.611957994579946, 0.0031908105493913),
])
def test_auc_and_delong_variance_match_proc_on_asah(marker, auc, var):
    res = bk.validation.auc_ci(Y, ASAH[marker])
    assert res.auc == pytest.approx(auc, abs=1e-14)
    assert res.se**2 == pytest.approx(var, rel=1e-12)
    assert (res.n_pos, res.n_neg) == (41, 72)


def test_delong_interval_matches_proc_ci_auc():
    # pROC test-ci.auc.R: ci.auc(roc(aSAH$outcome, aSAH$ndka)) with method = "delong"
    res = bk.validation.auc_ci(Y, ASAH["ndka"])
    assert (res.low, res.high) == pytest.approx((0.501244999271703, 0.722670989888189), abs=1e-12)
    # pROC prints 0.6301-0.8326 for s100b
    s100b = bk.validation.auc_ci(Y, ASAH["s100b"])
    assert (round(s100b.low, 4), round(s100b.high, 4)) == (0.6301, 0.8326)


@pytest.mark.parametrize("a, b, z, p, low, high", [
    # pROC test-roc.test.R: roc.test(roc(outcome, a), roc(outcome, b)), method = "delong"
    ("wfns", "s100b", 2.20898359144091, 0.0271757822291882, 0.0104061769564846, 0.174214419249478),
    ("wfns", "ndka", 2.79777591868904, 0.00514557970691098, 0.0634011709339876, 0.3600405634833566),
    ("ndka", "s100b", -1.39077002573558, 0.164295175223054, -0.2876917446341914, 0.0488706064228094),
])
def test_delong_test_matches_proc_roc_test_on_asah(a, b, z, p, low, high):
    res = bk.validation.delong_test(Y, ASAH[a], ASAH[b])
    assert res.z == pytest.approx(z, rel=1e-12)
    assert res.p_value == pytest.approx(p, rel=1e-10)
    assert (res.low, res.high) == pytest.approx((low, high), abs=1e-12)


def test_identical_curves_give_z_0_and_p_1():
    res = bk.validation.delong_test(Y, ASAH["wfns"], ASAH["wfns"])
    assert (res.z, res.p_value) == (0.0, 1.0)


@pytest.mark.parametrize("marker", ["s100b", "wfns", "ndka"])
def test_fast_delong_variance_equals_the_definition(marker):
    # wfns has heavy ties (5 levels): the midrank algorithm must treat them as pROC does
    s = ASAH[marker].to_numpy(float)
    res = bk.validation.auc_ci(Y, s)
    assert res.se**2 == pytest.approx(brute_force_delong_var(Y, s), rel=1e-12)
    assert res.auc == pytest.approx(roc_auc_score(Y, s), abs=1e-15)


def test_delong_covariance_equals_the_definition_on_random_data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    a = np.round(rng.normal(size=300) + y, 1)
    b = np.round(a + rng.normal(size=300), 1)
    res = bk.validation.delong_test(y, a, b)
    va, vb, vd = (brute_force_delong_var(y, s) for s in (a, b, a - b))
    # var(A - B) = var A + var B - 2 cov; cov from the structural components
    pos, neg = y == 1, y == 0
    psi = lambda s: (s[pos][:, None] > s[neg][None, :]) + 0.5 * (s[pos][:, None] == s[neg][None, :])  # noqa: E731
    pa, pb = psi(a), psi(b)
    cov = (np.cov(pa.mean(1), pb.mean(1))[0, 1] / pos.sum() + np.cov(pa.mean(0), pb.mean(0))[0, 1] / neg.sum())
    assert res.se**2 == pytest.approx(va + vb - 2 * cov, rel=1e-10)


def test_bootstrap_interval_is_close_to_delong_and_reproducible():
    a = bk.validation.auc_ci(Y, ASAH["s100b"], method="bootstrap", n_boot=2000, random_state=1)
    b = bk.validation.auc_ci(Y, ASAH["s100b"], method="bootstrap", n_boot=2000, random_state=1)
    assert a == b
    # pROC's bootstrap CI for s100b is about 0.63-0.83 (it varies with the seed)
    assert a.low == pytest.approx(0.63, abs=0.03) and a.high == pytest.approx(0.83, abs=0.03)


def test_bootstrap_replicate_auc_equals_sklearn_on_the_resample():
    # the weight trick must give the AUC of the resampled data exactly
    from biomedkit.validation.discrimination import _bootstrap_aucs

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    s = np.round(rng.normal(size=60) + y, 1)
    boots = _bootstrap_aucs(y, s, 5, np.random.default_rng(9))
    rng2 = np.random.default_rng(9)
    order = np.argsort(s, kind="mergesort")
    ys, ss = y[order], s[order]
    pos, neg = np.flatnonzero(ys == 1), np.flatnonzero(ys == 0)
    # one chunk: all the cases' resampling counts are drawn first, then the controls'
    counts_pos = rng2.multinomial(pos.size, np.full(pos.size, 1 / pos.size), size=5)
    counts_neg = rng2.multinomial(neg.size, np.full(neg.size, 1 / neg.size), size=5)
    for b, cp, cn in zip(boots, counts_pos, counts_neg):
        yy = np.r_[np.ones(cp.sum()), np.zeros(cn.sum())]
        sr = np.r_[np.repeat(ss[pos], cp), np.repeat(ss[neg], cn)]
        assert b == pytest.approx(roc_auc_score(yy, sr), abs=1e-12)


@pytest.mark.parametrize("y, s, message", [
    ([1, 1, 1], [0.1, 0.2, 0.3], "only one class"),
    ([0, 1, 2], [0.1, 0.2, 0.3], "must hold only 0 and 1"),
    ([0, 1, 1], [0.1, np.nan, 0.3], "contains NaN"),
    ([0, 1, 1], [0.1, 0.2], "has 2 values but y_true has 3"),
    ([0, 1, np.nan], [0.1, 0.2, 0.3], "y_true contains NaN"),
    ([0, 1], [[0.9, 0.1], [0.2, 0.8]], "two columns"),
])
def test_bad_input_is_refused_with_a_clear_message(y, s, message):
    with pytest.raises(ValueError, match=message):
        bk.validation.auc_ci(y, s)


def test_bad_method_and_level():
    with pytest.raises(ValueError, match="method must be 'delong' or 'bootstrap'"):
        bk.validation.auc_ci(Y, ASAH["s100b"], method="hanley")
    with pytest.raises(ValueError, match="level must be a number in"):
        bk.validation.auc_ci(Y, ASAH["s100b"], level=95)


def test_inputs_are_not_modified():
    s = ASAH["s100b"].copy()
    bk.validation.delong_test(Y, s, ASAH["wfns"])
    pd.testing.assert_series_equal(s, ASAH["s100b"])


def test_options_passed_by_position_still_work_with_a_warning():
    with pytest.warns(FutureWarning, match="passing method, level of auc_ci"):
        old = bk.validation.auc_ci(Y, ASAH["s100b"], "delong", 0.9)
    assert old == bk.validation.auc_ci(Y, ASAH["s100b"], level=0.9)
    with pytest.warns(FutureWarning, match="passing level of delong_test"):
        old = bk.validation.delong_test(Y, ASAH["wfns"], ASAH["s100b"], 0.9)
    assert old == bk.validation.delong_test(Y, ASAH["wfns"], ASAH["s100b"], level=0.9)


@pytest.mark.parametrize("flip, which", [(False, "only one event"), (True, "only one non-event")])
def test_bootstrap_with_a_single_event_gives_nan_and_says_why(flip, which):
    # as DeLong (finding 7): every stratified replicate redraws the one event, so the
    # replicates vary with the other class only and their percentiles are no interval
    y = np.array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    s = np.array([0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.15, 0.25, 0.35, 0.05])
    if flip:
        y, s = 1 - y, 1 - s
    with pytest.warns(UserWarning, match=f"y_true has {which}: .*bootstrap") as caught:
        res = bk.validation.auc_ci(y, s, method="bootstrap", n_boot=50, random_state=0)
    assert len(caught) == 1 and caught[0].filename == __file__  # points at the caller
    assert res.auc == pytest.approx(roc_auc_score(y, s)) and res.method == "bootstrap"
    assert np.isnan([res.se, res.low, res.high]).all()
