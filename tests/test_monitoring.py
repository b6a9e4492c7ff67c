"""Monitoring a deployed model (bk.monitoring) and the drifting-cohort simulator.

References: PSI against the hand formula sum (a - e) ln(a / e); KS against scipy.stats.ks_2samp;
multiplicity corrections against statsmodels' multipletests; O/E intervals against statsmodels'
Wilson interval; calibration intercept and slope against statsmodels' GLM; AUCs against
scikit-learn; the paired Brier comparison against scipy.stats.ttest_rel; the simulator's truth
against the data it generated."""

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

import biomedkit as bk

matplotlib.use("Agg")
mon = bk.monitoring


# --- the simulator ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def drifting():
    return bk.simulate.drifting_cohort(n_per_month=300, n_months=18, deploy_month=6, covariate_shift=1.0,
                                       covariate_onset=8, concept_shift=0.8, concept_onset=12, ramp=2,
                                       random_state=0)


def test_simulator_is_deterministic_and_shaped_as_documented(drifting):
    data, truth = drifting
    again, _ = bk.simulate.drifting_cohort(n_per_month=300, n_months=18, deploy_month=6, covariate_shift=1.0,
                                           covariate_onset=8, concept_shift=0.8, concept_onset=12, ramp=2,
                                           random_state=0)
    other, _ = bk.simulate.drifting_cohort(n_per_month=300, n_months=18, random_state=1)
    pd.testing.assert_frame_equal(data.frame, again.frame)
    assert not data.frame.equals(other.frame)
    f = data.frame
    assert list(f.columns) == ["month", *truth.features, "event", "label_month"]
    assert f.index.name == "patient_id" and len(f) == 300 * 18
    assert (f.groupby("month").size() == 300).all()
    assert (f["label_month"] == f["month"] + 3).all()
    assert data.card["name"] == "drifting_cohort" and data.card["rows"] == len(f) and data.truth is truth
    assert truth.onsets == {"covariate": 8, "concept": 12}
    assert truth.risk.shape == truth.baseline_risk.shape == (len(f),)
    assert "concept from month 12" in repr(truth)


def test_schedule_ramps_linearly_from_onset(drifting):
    schedule = drifting[1].schedule
    np.testing.assert_allclose(schedule.loc[6:10, "covariate"], [0, 0, 0.5, 1, 1])
    np.testing.assert_allclose(schedule.loc[11:13, "concept"], [0, 0.5, 1])
    assert (schedule["prior"] == 0).all()
    assert drifting[1].drifts.loc["concept", "full"] == 13


def test_loads_through_the_catalogue():
    data = bk.datasets.load("drifting_cohort", n_per_month=20, n_months=3, random_state=2)
    expected = bk.simulate.drifting_cohort(n_per_month=20, n_months=3, random_state=2)[0]
    pd.testing.assert_frame_equal(data.frame, expected.frame)


def test_without_drift_the_truth_is_the_pre_drift_model():
    data, truth = bk.simulate.drifting_cohort(n_per_month=50, n_months=4, deploy_month=2, random_state=0)
    np.testing.assert_array_equal(truth.risk, truth.baseline_risk)
    assert truth.onsets == {} and (truth.schedule.to_numpy() == 0).all()
    assert "drift: none" in repr(truth)


def _calibration_of_truth(y, risk):
    """Intercept and slope of logit P(y) = a + b logit(risk), statsmodels, with 99% limits."""
    import statsmodels.api as sm

    fit = sm.GLM(y, sm.add_constant(logit(risk)), family=sm.families.Binomial()).fit()
    return fit.conf_int(0.01)


@pytest.mark.parametrize("kind", ["prior", "concept"])
def test_the_true_risk_is_the_risk_the_events_were_drawn_from(kind):
    # after prior drift (label shift by thinning) and concept drift, truth.risk must still be
    # calibrated: intercept 0 and slope 1 inside statsmodels' 99% limits
    data, truth = bk.simulate.drifting_cohort(n_per_month=3000, n_months=3, deploy_month=1, ramp=1,
                                              **{f"{kind}_shift": 0.9, f"{kind}_onset": 1}, random_state=3)
    after = (data.frame["month"] >= 1).to_numpy()
    ci = _calibration_of_truth(data.y.to_numpy()[after], truth.risk[after])
    assert ci[0, 0] < 0 < ci[0, 1] and ci[1, 0] < 1 < ci[1, 1]
    assert not np.allclose(truth.risk[after], truth.baseline_risk[after])


def test_prior_drift_is_label_shift():
    # the odds of the event rise by exp(prior_shift), while events (and non-events) look as before
    data, truth = bk.simulate.drifting_cohort(n_per_month=6000, n_months=2, deploy_month=1, ramp=1,
                                              prior_shift=math.log(2), prior_onset=1, random_state=4)
    f = data.frame
    before, after = f[f.month == 0], f[f.month == 1]
    ratio = (after.event.mean() / (1 - after.event.mean())) / (before.event.mean() / (1 - before.event.mean()))
    se = math.sqrt(sum(1 / c for c in (after.event.sum(), (1 - after.event).sum(),
                                        before.event.sum(), (1 - before.event).sum())))
    assert abs(math.log(ratio) - math.log(2)) < 3 * se
    for y in (0, 1):
        assert stats.ks_2samp(before.age[before.event == y], after.age[after.event == y]).pvalue > 0.001
    # the true risk of every patient is the pre-drift risk with its odds doubled
    at = (f.month == 1).to_numpy()
    np.testing.assert_allclose(logit(truth.risk[at]) - logit(truth.baseline_risk[at]), math.log(2), atol=1e-9)


def test_covariate_drift_moves_inputs_and_concept_drift_does_not(drifting):
    data, truth = drifting
    f = data.frame
    before, late = f[f.month < 8], f[f.month >= 9]
    assert late.age.mean() - before.age.mean() == pytest.approx(9, abs=1.5)  # 9 years per unit of frailty
    covariate_only = ((f.month >= 9) & (f.month < 12)).to_numpy()
    np.testing.assert_array_equal(truth.risk[covariate_only], truth.baseline_risk[covariate_only])
    concept = f[f.month >= 13]
    for column in ("lactate", "heart_rate"):  # concept drift leaves the acuity features alone
        assert stats.ks_2samp(before[column], concept[column]).pvalue > 0.001
    high = (f.lactate > 3).to_numpy() & (f.month >= 13).to_numpy()
    assert (truth.risk[high] < truth.baseline_risk[high]).all()


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"deploy_month": 36}, ValueError, "deploy_month must be below n_months"),
    ({"concept_shift": 0.5, "concept_onset": 40}, ValueError, "concept_onset must be below n_months"),
    ({"concept_shift": 1.5}, ValueError, "concept_shift"),
    ({"ramp": 0}, ValueError, "ramp"),
    ({"label_delay": -1}, ValueError, "label_delay"),
    ({"random_state": "0"}, TypeError, "random_state"),
])
def test_simulator_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        bk.simulate.drifting_cohort(20, **kwargs)


# --- PSI --------------------------------------------------------------------------------------

def test_psi_matches_the_hand_formula_on_a_hand_case():
    # reference 1..10: its deciles (1.9, 2.8, ..., 9.1) put one value in each bin, e = 0.1.
    # current: 3 values in bin 1, 2 in bin 2, one in bins 3-6 and 10, none in bins 7-9.
    reference = np.arange(1, 11)
    current = [1, 1, 1, 2, 2, 3, 4, 5, 6, 10]
    eps = 1e-4
    by_hand = ((0.3 - 0.1) * math.log(0.3 / 0.1) + (0.2 - 0.1) * math.log(0.2 / 0.1)
               + 3 * (eps - 0.1) * math.log(eps / 0.1))
    assert mon.psi(reference, current) == pytest.approx(by_hand, rel=1e-12)
    table = mon.psi_table(reference, current)
    np.testing.assert_allclose(table["reference"], 0.1)
    np.testing.assert_allclose(table["current"], [0.3, 0.2, 0.1, 0.1, 0.1, 0.1, eps, eps, eps, 0.1])
    assert table["contribution"].sum() == pytest.approx(by_hand, rel=1e-12)


def test_psi_with_given_edges_and_a_binary_feature():
    # edges [0.5]: bins x <= 0.5 and x > 0.5; 50 % ones in the reference, 70 % now
    ref, cur = [0] * 50 + [1] * 50, [0] * 30 + [1] * 70
    by_hand = (0.3 - 0.5) * math.log(0.3 / 0.5) + (0.7 - 0.5) * math.log(0.7 / 0.5)
    assert mon.psi(ref, cur, bins=[0.5]) == pytest.approx(by_hand, rel=1e-12)
    # decile bins of a 0/1 feature merge into (<= 0], (0, 1] and an empty (> 1], which adds nothing
    assert mon.psi(ref, cur) == pytest.approx(by_hand, rel=1e-12)
    assert mon.psi(ref, ref) == 0.0
    # a value on an edge falls in the bin below it
    assert mon.psi_table([0, 1, 2, 3], [1.0], bins=[1.0])["current"].tolist() == [1.0, 1e-4]


def test_psi_under_no_change_is_about_its_documented_noise_level():
    rng = np.random.default_rng(0)
    n, m, bins = 2000, 500, 10
    values = [mon.psi(rng.normal(size=n), rng.normal(size=m), bins=bins) for _ in range(200)]
    assert np.mean(values) == pytest.approx((bins - 1) * (1 / n + 1 / m), rel=0.2)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"reference": [1.0, np.nan]}, ValueError, "reference contains NaN"),
    ({"current": ["a", "b"]}, TypeError, "current must hold numbers"),
    ({"current": np.ones((3, 2))}, ValueError, "current must be a one-dimensional"),
    ({"current": []}, ValueError, "current is empty"),
    ({"bins": 1}, ValueError, "bins"),
    ({"bins": True}, ValueError, "bins"),
    ({"bins": "deciles"}, TypeError, "bins"),
    ({"bins": [2.0, 1.0]}, ValueError, "strictly increasing"),
    ({"epsilon": 0}, ValueError, "epsilon"),
])
def test_psi_rejects_bad_input(kwargs, error, match):
    args = {"reference": [1.0, 2.0, 3.0, 4.0], "current": [2.0, 3.0], **kwargs}
    with pytest.raises(error, match=match):
        mon.psi(args.pop("reference"), args.pop("current"), **args)


def test_psi_leaves_the_callers_data_alone():
    ref = pd.Series([3.0, 1.0, 2.0], index=[7, 8, 9])
    copy = ref.copy()
    mon.psi(ref, ref + 1)
    pd.testing.assert_series_equal(ref, copy)


# --- multiplicity, KS and the per-feature table -------------------------------------------------

@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_adjusted_p_values_match_statsmodels(method):
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(1).uniform(0, 0.2, 12) ** 2
    np.testing.assert_allclose(mon.adjust_pvalues(p, method), multipletests(p, method=method)[1], rtol=1e-12)
    with_nan = np.r_[p[:3], np.nan]
    np.testing.assert_allclose(mon.adjust_pvalues(with_nan, method)[:3], multipletests(p[:3], method=method)[1])
    assert np.isnan(mon.adjust_pvalues(with_nan, method)[3])
    with pytest.raises(ValueError, match="correction must be"):
        mon.adjust_pvalues(p, "bonferroni")


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"a": rng.normal(0, 1, 600), "b": rng.normal(5, 2, 600), "c": rng.integers(0, 4, 600)})
    cur = pd.DataFrame({"a": rng.normal(0.8, 1, 400), "b": rng.normal(5, 2, 400), "c": rng.integers(0, 4, 400),
                        "month": np.repeat([1, 2], 200)})
    return ref, cur


def test_feature_drift_matches_scipy_ks_and_statsmodels_holm(frames):
    from statsmodels.stats.multitest import multipletests

    ref, cur = frames
    before = cur.copy()
    result = mon.feature_drift(ref, cur, features=["a", "b", "c"])
    pd.testing.assert_frame_equal(cur, before)
    table = result.table
    for f in "abc":
        ks = stats.ks_2samp(ref[f], cur[f])
        assert table.loc[f, "ks"] == pytest.approx(ks.statistic, abs=1e-15)
        assert table.loc[f, "p_value"] == pytest.approx(ks.pvalue, rel=1e-12)
        assert table.loc[f, "psi"] == pytest.approx(mon.psi(ref[f], cur[f]))
        assert table.loc[f, "smd"] == pytest.approx((cur[f].mean() - ref[f].mean()) / ref[f].std())
    np.testing.assert_allclose(table["p_adjusted"], multipletests(table["p_value"], method="holm")[1])
    assert table.index[table["alarm"]].tolist() == ["a"]
    assert (table["alarm"] == (table["psi_flag"] & table["ks_flag"])).all()
    assert "1 alarms" in repr(result)


def test_feature_drift_by_period_is_each_period_on_its_own(frames):
    ref, cur = frames
    by_period = mon.feature_drift(ref, cur, period="month", features=["a", "b"], correction="fdr_bh")
    for month in (1, 2):
        alone = mon.feature_drift(ref, cur[cur.month == month], features=["a", "b"], correction="fdr_bh")
        pd.testing.assert_frame_equal(by_period.table.loc[month], alone.table)
    summary = by_period.summary()
    assert summary.index.tolist() == [1, 2] and summary["feature"].tolist() == ["a", "a"]
    # the same periods given as an array
    as_array = mon.feature_drift(ref, cur, period=cur["month"].to_numpy(), features=["a", "b"], correction="fdr_bh")
    pd.testing.assert_frame_equal(as_array.table, by_period.table)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"reference": np.zeros((5, 2))}, TypeError, "reference must be a pandas DataFrame"),
    ({"features": ["a", "z"]}, ValueError, r"lacks the features \['z'\]"),
    ({"correction": "bonferroni"}, ValueError, "correction"),
    ({"period": [1, 2]}, ValueError, "period has 2 values"),
    ({"period": "week"}, ValueError, "no column 'week'"),
    ({"alpha": 1.5}, ValueError, "alpha"),
    ({"psi_alarm": 0}, ValueError, "psi_alarm"),
    ({"bins": "deciles"}, TypeError, "bins"),
])
def test_feature_drift_rejects_bad_input(frames, kwargs, error, match):
    ref, cur = frames
    args = {"reference": ref, "current": cur, "features": ["a", "b"], **kwargs}
    with pytest.raises(error, match=match):
        mon.feature_drift(args.pop("reference"), args.pop("current"), **args)


# --- the classifier two-sample test -------------------------------------------------------------

def test_classifier_test_auc_is_sklearns_out_of_fold_auc(frames):
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ref, cur = frames
    result = mon.classifier_test(ref, cur, features=["a", "b"], random_state=0)
    X = pd.concat([ref[["a", "b"]], cur[["a", "b"]]]).to_numpy()
    member = np.r_[np.zeros(len(ref)), np.ones(len(cur))]
    seed = int(np.random.default_rng(0).integers(2**31 - 1))
    model = make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky"))
    scores = cross_val_predict(model, X, member,
                               cv=StratifiedKFold(5, shuffle=True, random_state=seed), method="predict_proba")[:, 1]
    assert result.auc == pytest.approx(roc_auc_score(member, scores), abs=1e-12)
    assert result.p_value == pytest.approx(stats.mannwhitneyu(scores[member == 1], scores[member == 0],
                                                              alternative="greater").pvalue)
    # a mean shift in "a" only: detected, and "a" is the feature it leans on
    assert result.auc > 0.6 and result.low > 0.5 and result.p_value < 1e-6
    assert result.importance.index[0] == "a"
    assert result.to_frame().loc[0, "n_current"] == 400


def test_classifier_test_is_near_half_with_uniform_p_values_under_no_drift():
    rng = np.random.default_rng(3)
    aucs, p_values = [], []
    for i in range(60):
        ref = pd.DataFrame(rng.normal(size=(120, 2)), columns=["x", "y"])
        cur = pd.DataFrame(rng.normal(size=(80, 2)), columns=["x", "y"])
        result = mon.classifier_test(ref, cur, cv=4, random_state=i)
        aucs.append(result.auc)
        p_values.append(result.p_value)
    assert np.mean(aucs) == pytest.approx(0.5, abs=0.03)
    assert stats.kstest(p_values, "uniform").pvalue > 0.01
    assert 0.02 <= np.mean(np.array(p_values) < 0.1) <= 0.25


def test_classifier_permutation_p_value_is_on_its_grid():
    rng = np.random.default_rng(4)
    ref = pd.DataFrame({"x": rng.normal(0, 1, 60)})
    shifted = pd.DataFrame({"x": rng.normal(2, 1, 40)})
    same = pd.DataFrame({"x": rng.normal(0, 1, 40)})
    strong = mon.classifier_test(ref, shifted, cv=3, n_permutations=19, random_state=0)
    assert strong.p_value == pytest.approx(1 / 20) and "permutation" in strong.method
    null = mon.classifier_test(ref, same, cv=3, n_permutations=19, random_state=1)
    assert null.p_value * 20 == pytest.approx(round(null.p_value * 20))


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"cv": 1}, ValueError, "cv"),
    ({"model": object()}, TypeError, "model must be a scikit-learn classifier"),
    ({"n_permutations": -1}, ValueError, "n_permutations"),
    ({"level": 95}, ValueError, "level"),
    ({"current": pd.DataFrame({"a": [0.1, 0.2], "b": [1.0, 2.0]})}, ValueError, "at least cv=5 rows"),
])
def test_classifier_test_rejects_bad_input(frames, kwargs, error, match):
    ref, cur = frames
    args = {"reference": ref, "current": cur, "features": ["a", "b"], **kwargs}
    with pytest.raises(error, match=match):
        mon.classifier_test(args.pop("reference"), args.pop("current"), **args)


# --- performance as labels arrive ----------------------------------------------------------------

@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(5)
    n = 900
    p = expit(rng.normal(-1.5, 1.0, n))
    y = (rng.random(n) < p).astype(int)
    period = np.repeat([0, 1, 2], 300)
    return y, p, period


def test_labels_known_hides_the_labels_that_arrive_later():
    np.testing.assert_array_equal(mon.labels_known([1, 0, 1, 0], [3, 4, 5, 6], as_of=4.5), [1, 0, np.nan, np.nan])
    with pytest.raises(ValueError, match="label_time has 2 values"):
        mon.labels_known([1, 0, 1], [3, 4], as_of=4)
    with pytest.raises(TypeError, match="as_of must be a number"):
        mon.labels_known([1, 0], [3, 4], as_of="April")
    with pytest.raises(ValueError, match="y_true must hold only 0, 1 and NaN"):
        mon.labels_known([1, 2], [3, 4], as_of=4)


def test_performance_per_period_matches_sklearn_and_statsmodels(scored):
    import statsmodels.api as sm
    from statsmodels.stats.proportion import proportion_confint

    y, p, period = scored
    table = mon.performance_over_time(y, p, period).table
    for k in (0, 1, 2):
        yk, pk = y[period == k], p[period == k]
        row = table.loc[k]
        assert row["auc"] == pytest.approx(roc_auc_score(yk, pk), abs=1e-12)
        low, high = proportion_confint(yk.sum(), yk.size, method="wilson")
        assert (row["oe"], row["oe_low"], row["oe_high"]) == pytest.approx(
            (yk.mean() / pk.mean(), low / pk.mean(), high / pk.mean()), rel=1e-10)
        slope_fit = sm.GLM(yk, sm.add_constant(logit(pk)), family=sm.families.Binomial()).fit()
        assert row["slope"] == pytest.approx(slope_fit.params[1], rel=1e-6)
        assert (row["slope_low"], row["slope_high"]) == pytest.approx(tuple(slope_fit.conf_int()[1]), rel=1e-5)
        citl_fit = sm.GLM(yk, np.ones(yk.size), offset=logit(pk), family=sm.families.Binomial()).fit()
        assert row["citl"] == pytest.approx(citl_fit.params[0], rel=1e-6)
        assert row["status"] == "complete" and not row["alarm"]


def test_only_periods_whose_labels_are_all_in_are_evaluated(scored):
    y, p, period = scored
    label_time = period + 2.0
    result = mon.performance_over_time(mon.labels_known(y, label_time, as_of=3), p, period)
    table = result.table
    assert table["n_labelled"].tolist() == [300, 300, 0]
    assert table.loc[2, "status"] == "waiting for labels (0 of 300 in)" and np.isnan(table.loc[2, "auc"])
    partial = np.where(np.arange(y.size) < 750, y, np.nan)  # half of period 2 is in
    table = mon.performance_over_time(partial, p, period).table
    assert np.isnan(table.loc[2, "oe"]) and table.loc[2, "status"].startswith("waiting for labels (150 of 300")
    assert table.loc[0, "auc"] == pytest.approx(roc_auc_score(y[:300], p[:300]))


def test_alarms_and_the_auc_drop_against_a_reference(scored):
    y, p, period = scored
    noisy = p.copy()
    noisy[period == 2] = np.random.default_rng(6).uniform(0.05, 0.4, 300)  # no ranking left in period 2
    halved = noisy / 2  # and every risk too low: O/E about 2
    reference = (y[period == 0], p[period == 0])
    result = mon.performance_over_time(y, halved, period, reference=reference)
    table = result.table
    ref_auc = bk.validation.auc_ci(*reference)
    auc2 = bk.validation.auc_ci(y[period == 2], halved[period == 2])
    se = math.sqrt(ref_auc.se**2 + auc2.se**2)
    assert table.loc[2, "auc_drop"] == pytest.approx(ref_auc.auc - auc2.auc)
    assert table.loc[2, "auc_drop_low"] == pytest.approx(ref_auc.auc - auc2.auc - stats.norm.ppf(0.975) * se)
    assert table.loc[2, "auc_alarm"] and table.loc[0:1, "auc_alarm"].eq(False).all()
    assert table["oe_alarm"].all() and table["oe"].gt(1.5).all()
    assert result.alarms == [0, 1, 2] and result.reference["n"] == 300


def test_periods_keep_a_categorical_order_and_nullable_outcomes_mean_waiting(scored):
    y, p, period = scored
    names = pd.Categorical(np.array(["late", "mid", "early"])[period], categories=["early", "mid", "late"])
    y_nullable = pd.array(np.where(period == 2, None, y), dtype="Int64")  # "early" not labelled yet
    index = pd.RangeIndex(100, 100 + y.size)  # a pandas index that is not 0..n-1: used by position
    table = mon.performance_over_time(pd.Series(y_nullable, index=index), pd.Series(p, index=index[::-1]),
                                      pd.Series(names, index=index)).table
    assert table.index.tolist() == ["early", "mid", "late"]
    assert table["n_labelled"].tolist() == [0, 300, 300]
    assert table.loc["late", "auc"] == pytest.approx(roc_auc_score(y[period == 0], p[period == 0]))


def test_a_period_with_one_outcome_class_gets_its_oe_only():
    y = np.r_[np.zeros(50), np.tile([0, 1], 25)]
    p = np.full(100, 0.2)
    table = mon.performance_over_time(y, p, np.repeat(["a", "b"], 50)).table
    assert table.loc["a", "status"].startswith("one outcome class") and np.isnan(table.loc["a", "auc"])
    assert table.loc["a", "oe"] == 0 and table.loc["a", "oe_alarm"]


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"y_prob": np.full(900, 1.5)}, ValueError, "y_prob must lie in"),
    ({"period": [0, 1]}, ValueError, "period has 2 values"),
    ({"reference": [0, 1, 0]}, TypeError, "reference must be a tuple"),
    ({"y_true": np.full(900, 2.0)}, ValueError, "y_true must hold only 0, 1 and NaN"),
    ({"y_true": np.array(["yes"] * 900)}, TypeError, "y_true must hold 0/1"),
    ({"level": 1.0}, ValueError, "level"),
])
def test_performance_rejects_bad_input(scored, kwargs, error, match):
    y, p, period = scored
    args = {"y_true": y, "y_prob": p, "period": period, **kwargs}
    with pytest.raises(error, match=match):
        mon.performance_over_time(args.pop("y_true"), args.pop("y_prob"), args.pop("period"), **args)


# --- updates, their comparison, and change control -------------------------------------------------

@pytest.fixture(scope="module")
def shifted():
    """A model fitted before a prior drift, and data after it (label shift: an intercept problem)."""
    data, truth = bk.simulate.drifting_cohort(n_per_month=1500, n_months=4, deploy_month=1, ramp=1,
                                              prior_shift=1.0, prior_onset=2, random_state=7)
    f, features = data.frame, truth.features
    model = LogisticRegression(solver="newton-cholesky").fit(f.loc[f.month == 0, features], f.event[f.month == 0])
    return f, features, model


@pytest.mark.parametrize("method", ["intercept", "logistic", "refit"])
def test_updates_match_statsmodels_and_sklearn(shifted, method):
    import statsmodels.api as sm
    from sklearn.base import clone

    f, features, model = shifted
    recent = f[f.month == 2]
    coef = model.coef_.copy()
    updated = mon.update_model(model, recent[features], recent.event, method=method, data="month 2")
    np.testing.assert_array_equal(model.coef_, coef)  # the deployed model is left as it was
    old = model.predict_proba(recent[features])[:, 1]
    new = updated.predict_proba(recent[features])[:, 1]
    if method == "intercept":
        fit = sm.GLM(recent.event, np.ones(len(recent)), offset=logit(old), family=sm.families.Binomial()).fit()
        assert updated.intercept == pytest.approx(fit.params.iloc[0], rel=1e-6) and updated.slope == 1
    elif method == "logistic":
        fit = sm.GLM(recent.event.to_numpy(), sm.add_constant(logit(old)), family=sm.families.Binomial()).fit()
        assert (updated.intercept, updated.slope) == pytest.approx(tuple(fit.params), rel=1e-6)
    if method == "refit":
        np.testing.assert_allclose(new, clone(model).fit(recent[features], recent.event)
                                   .predict_proba(recent[features])[:, 1])
        assert np.isnan(updated.slope)
    else:
        np.testing.assert_allclose(new, expit(updated.intercept + updated.slope * logit(old)), rtol=1e-9)
        assert roc_auc_score(recent.event, new) == pytest.approx(roc_auc_score(recent.event, old))
    assert updated.mean_risk_before == pytest.approx(old.mean()) and updated.n == len(recent)
    assert "month 2" in repr(updated) and updated.to_frame().loc["method", "value"] == method


def test_updates_can_be_chained(shifted):
    f, features, model = shifted
    recent = f[f.month == 2]
    first = mon.update_model(model, recent[features], recent.event)
    again = mon.update_model(first, recent[features], recent.event, method="logistic")
    # the first update already fits these data in the large and in slope 1: the second changes nothing
    assert again.intercept == pytest.approx(0, abs=0.05) and again.slope == pytest.approx(1, abs=0.05)
    refit = mon.update_model(again, recent[features], recent.event, method="refit")
    np.testing.assert_allclose(refit.estimator.coef_, LogisticRegression(solver="newton-cholesky")
                               .fit(recent[features], recent.event).coef_)


def test_an_intercept_update_repairs_label_shift_on_later_data(shifted):
    f, features, model = shifted
    recent, later = f[f.month == 2], f[f.month == 3]
    updated = mon.update_model(model, recent[features], recent.event)
    assert updated.intercept == pytest.approx(1.0, abs=0.25)  # the log odds ratio of the drift
    result = mon.compare_updates(later.event, {"no update": model.predict_proba(later[features])[:, 1],
                                               "intercept": updated.predict_proba(later[features])[:, 1]})
    table = result.table
    assert table.loc["no update", "oe_low"] > 1.3
    assert table.loc["intercept", "oe_low"] < 1 < table.loc["intercept", "oe_high"]
    assert table.loc["intercept", "brier_diff_high"] < 0


def test_compare_updates_uses_delong_and_a_paired_t_test(scored):
    y, p, _ = scored
    rng = np.random.default_rng(8)
    other = np.clip(p + rng.normal(0, 0.05, p.size), 0.001, 0.999)
    result = mon.compare_updates(y, {"a": p, "b": other}, baseline="a", level=0.9)
    row = result.table.loc["b"]
    test = bk.validation.delong_test(y, other, p, level=0.9)
    assert (row["auc_diff"], row["auc_diff_low"], row["auc_p"]) == pytest.approx(
        (test.difference, test.low, test.p_value))
    reference = stats.ttest_rel((other - y) ** 2, (p - y) ** 2)
    ci = reference.confidence_interval(0.9)
    assert row["brier_diff"] == pytest.approx(np.mean((other - y) ** 2 - (p - y) ** 2))
    assert (row["brier_diff_low"], row["brier_diff_high"], row["brier_p"]) == pytest.approx(
        (ci.low, ci.high, reference.pvalue), rel=1e-9)
    assert result.table.loc["a", "auc_diff"] == 0 and "against 'a'" in repr(result)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"risks": [0.1, 0.2]}, TypeError, "risks must be a dict"),
    ({"baseline": "c"}, ValueError, "baseline must be one of"),
    ({"risks": {"a": np.full(900, 0.1), "b": np.full(10, 0.1)}}, ValueError, r"risks\['b'\] has 10 values"),
])
def test_compare_updates_rejects_bad_input(scored, kwargs, error, match):
    y, p, _ = scored
    args = {"risks": {"a": p, "b": p}, **kwargs}
    with pytest.raises(error, match=match):
        mon.compare_updates(y, args.pop("risks"), **args)


def test_update_model_rejects_bad_input(shifted):
    f, features, model = shifted
    X, y = f.loc[f.month == 2, features], f.event[f.month == 2]
    with pytest.raises(ValueError, match="method must be one of"):
        mon.update_model(model, X, y, method="retrain")
    with pytest.raises(ValueError, match="model is not fitted"):
        mon.update_model(LogisticRegression(), X, y)
    with pytest.raises(TypeError, match="model must be a fitted classifier"):
        mon.update_model(object(), X, y)
    with pytest.raises(ValueError, match="X has"):
        mon.update_model(model, X.iloc[:10], y)
    with pytest.raises(TypeError, match="data must be"):
        mon.update_model(model, X, y, data=2)


def test_review_update_follows_the_plan(shifted):
    f, features, model = shifted
    recent, check = f[f.month == 2], f[f.month == 3]
    intercept = mon.update_model(model, recent[features], recent.event, data="month 2")
    refit = mon.update_model(model, recent[features], recent.event, method="refit", data="month 2")
    plan = mon.ChangePlan(max_risk_ratio=2.0)
    ok = mon.review_update(intercept, check[features], check.event, plan=plan, validation="month 3")
    assert ok.within_plan and ok.checks["passed"].tolist()[:4] == [True, True, True, True]
    note = ok.to_markdown()
    for words in ("What changed", "month 2: 1500 patients", "month 3: 1500 patients", "Decision", "may go live"):
        assert words in note
    refused = mon.review_update(refit, check[features], check.event, plan=plan)
    assert not refused.within_plan and "kind of change" in refused.decision
    assert refused.checks.set_index("check").loc["recalibration slope", "passed"] is None
    strict = mon.review_update(intercept, check[features], check.event,
                               plan=mon.ChangePlan(min_events=10_000, max_risk_ratio=1.1))
    failed = strict.checks.loc[strict.checks["passed"].eq(False), "check"].tolist()
    assert failed == ["size of the update data", "change in mean risk"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"methods": ("retrain",)}, "methods must be drawn from"),
    ({"slope_range": (1.1, 1.3)}, "slope_range"),
    ({"max_risk_ratio": 0.5}, "max_risk_ratio"),
    ({"min_events": -1}, "min_events"),
    ({"auc_margin": 0.9}, "auc_margin"),
])
def test_change_plan_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mon.ChangePlan(**kwargs)


def test_review_update_rejects_bad_input(shifted):
    f, features, model = shifted
    X, y = f.loc[f.month == 3, features], f.event[f.month == 3]
    with pytest.raises(TypeError, match="update must come from"):
        mon.review_update(model, X, y)
    updated = mon.update_model(model, X, y)
    with pytest.raises(TypeError, match="plan must be"):
        mon.review_update(updated, X, y, plan={"methods": "refit"})
    with pytest.raises(ValueError, match="X_val has"):
        mon.review_update(updated, X.iloc[:5], y)


# --- the figure ---------------------------------------------------------------------------------------

def test_plot_monitoring_draws_the_panels_onsets_and_alarms(scored, frames):
    import matplotlib.pyplot as plt

    y, p, period = scored
    perf = mon.performance_over_time(mon.labels_known(y, period + 2.0, as_of=3), p / 2, period,
                                     reference=(y[period == 0], p[period == 0]))
    ref, cur = frames
    drift = mon.feature_drift(ref, cur.assign(month=np.repeat([0, 2], 200)), period="month", features=["a", "b"])
    fig = mon.plot_monitoring(perf, drift, measures=("auc", "oe", "slope"), onsets={"covariate": 1}, xlabel="month")
    assert len(fig.axes) == 4 and fig.axes[-1].get_xlabel() == "month"
    alarms = [line for line in fig.axes[1].lines if line.get_marker() == "v"]
    assert alarms and set(alarms[0].get_xdata()) == {0.0, 1.0}  # O/E about 2; period 2 has no labels yet
    assert any(list(line.get_xdata()) == [1, 1] for line in fig.axes[0].lines)  # the onset
    assert any("not in yet" in text.get_text() for text in fig.axes[0].texts)
    plt.close(fig)
    with pytest.raises(TypeError, match="performance must come from"):
        mon.plot_monitoring(perf.table)
    with pytest.raises(ValueError, match="drift has no periods"):
        mon.plot_monitoring(perf, mon.feature_drift(ref, cur, features=["a"]))
    with pytest.raises(ValueError, match="measures must be drawn from"):
        mon.plot_monitoring(perf, measures=("brier",))
