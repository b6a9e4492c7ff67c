"""bk.causal and bk.simulate.observational_study.

References: the numbers that Hernán and Robins print for NHEFS in *Causal Inference: What
If* (chapter 12, IP weighting; chapter 13, standardisation), statsmodels (GLM, OLS with HC0,
GEE with a robust sandwich), scipy (Welch's t interval), hand computations, and the truth
of the simulator.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import biomedkit as bk

C = bk.causal
SIM = {"treatment": "treated", "outcome": "outcome"}
WRONG = ["age", "female", "bmi"]  # the simulator's confounders without severity


@pytest.fixture(scope="module")
def nhefs():
    """The 1,566 participants with a 1982 weight and the book's confounders (What If, 12.2):
    sex, race, age, education, smokeintensity, smokeyrs, exercise, active, wt71, squares of
    the four continuous ones, and education, exercise and active as categories."""
    frame = bk.datasets.load("nhefs").frame
    frame = frame[frame["wt82_71"].notna()].copy()
    for c in ("age", "smokeintensity", "smokeyrs", "wt71"):
        frame[f"{c}_sq"] = frame[c] ** 2
    frame = pd.get_dummies(frame, columns=["education", "exercise", "active"], drop_first=True, dtype=float)
    confounders = ["sex", "race", "age", "age_sq", "smokeintensity", "smokeintensity_sq", "smokeyrs",
                   "smokeyrs_sq", "wt71", "wt71_sq"] + [
        c for c in frame.columns if c.startswith(("education_", "exercise_", "active_"))]
    assert len(frame) == 1566 and len(confounders) == 18
    return frame, confounders


@pytest.fixture(scope="module")
def big_study():
    """A large simulated study with heterogeneous effects (so ATE and ATT differ)."""
    return bk.simulate.observational_study(n=20_000, heterogeneity=1.0, random_state=1)


def _close(result, truth, k=4):
    """The estimate lies within k standard errors of the truth."""
    return abs(result.estimate - truth) < k * result.se


# --- the book's numbers (What If, chapters 12 and 13) -----------------------------------------

def test_ipw_reproduces_what_if_chapter_12(nhefs):
    # Chapter 12 (stabilised weights, robust SE): 3.4 kg, printed by the book's program as
    # 3.44 (95% CI 2.41 to 4.47).
    frame, L = nhefs
    res = C.ipw(frame, treatment="qsmk", outcome="wt82_71", confounders=L)
    assert (round(res.estimate, 2), round(res.low, 2), round(res.high, 2)) == (3.44, 2.41, 4.47)
    assert res.n == 1566 and res.n_treated == 403
    # Chapter 12: nonstabilised weights give the same estimate here, 3.4 (2.4 to 4.5).
    plain = C.ipw(frame, treatment="qsmk", outcome="wt82_71", confounders=L, stabilized=False)
    assert round(plain.estimate, 2) == 3.44 and (round(plain.low, 1), round(plain.high, 1)) == (2.4, 4.5)


def test_weights_match_what_if_chapter_12(nhefs):
    # Chapter 12: the nonstabilised weights W ranged from 1.05 to 16.7 with mean 2.00, the
    # stabilised weights SW from 0.33 to 4.30 with mean 1.00.
    frame, L = nhefs
    w = C.ip_weights(frame, treatment="qsmk", confounders=L, stabilized=False)
    sw = C.ip_weights(frame, treatment="qsmk", confounders=L)
    assert (round(w.min(), 2), round(w.max(), 1), round(w.mean(), 2)) == (1.05, 16.7, 2.00)
    assert (round(sw.min(), 2), round(sw.max(), 2), round(sw.mean(), 2)) == (0.33, 4.30, 1.00)


def test_standardisation_reproduces_what_if_chapter_13(nhefs):
    # Chapter 13: the outcome model with the qsmk x smokeintensity product term gives 3.5 kg
    # (program output 3.52), bootstrap 95% CI 2.6 to 4.5.
    frame, L = nhefs
    kw = dict(treatment="qsmk", outcome="wt82_71", confounders=L, interactions=["smokeintensity"])
    res = C.standardization(frame, **kw)
    assert round(res.estimate, 2) == 3.52
    assert (round(res.low, 1), round(res.high, 1)) == (2.6, 4.5)
    boot = C.standardization(frame, **kw, n_boot=300, random_state=0)
    assert boot.estimate == res.estimate
    assert abs(boot.low - 2.6) < 0.1 and abs(boot.high - 4.5) < 0.1  # Monte Carlo error of the bootstrap
    assert boot.interval.startswith("bootstrap") and boot.replicates.size == 300


def test_naive_difference_is_what_if_2_5_kg_with_welch_interval(nhefs):
    # Chapter 12: quitters gained about 2.5 kg more than non-quitters. (The book's interval,
    # 1.7 to 3.4, assumes equal variances; ours is Welch's.)
    frame, _ = nhefs
    res = C.difference_in_means(frame, treatment="qsmk", outcome="wt82_71")
    assert round(res.estimate, 1) == 2.5
    y1 = frame.loc[frame.qsmk == 1, "wt82_71"]
    y0 = frame.loc[frame.qsmk == 0, "wt82_71"]
    ci = stats.ttest_ind(y1, y0, equal_var=False).confidence_interval()
    assert (res.low, res.high) == pytest.approx((ci.low, ci.high))
    assert (res.mean_treated, res.mean_untreated) == pytest.approx((y1.mean(), y0.mean()))


# --- the working models against statsmodels -----------------------------------------------

def test_propensity_matches_statsmodels_glm(nhefs):
    frame, L = nhefs
    ps = C.propensity_score(frame, treatment="qsmk", confounders=L)
    glm = sm.GLM(frame["qsmk"], sm.add_constant(frame[L].astype(float)), family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(ps.to_numpy(), glm.predict(), atol=1e-8)
    assert ps.index.equals(frame.index) and ps.name == "propensity"


def test_ipw_interval_is_the_gee_robust_sandwich(nhefs):
    # The book fits the weighted model with geeglm (independence, robust SE); statsmodels' GEE
    # is an independent implementation of the same sandwich.
    frame, L = nhefs
    res = C.ipw(frame, treatment="qsmk", outcome="wt82_71", confounders=L)
    sw = C.ip_weights(frame, treatment="qsmk", confounders=L).to_numpy()
    gee = sm.GEE(frame["wt82_71"].to_numpy(), sm.add_constant(frame["qsmk"].to_numpy()),
                 groups=np.arange(len(frame)), weights=sw).fit()
    assert res.estimate == pytest.approx(gee.params[1], abs=1e-8)
    assert res.se == pytest.approx(gee.bse[1], rel=1e-6)


def test_standardisation_without_interactions_is_the_treatment_coefficient(nhefs):
    frame, L = nhefs
    res = C.standardization(frame, treatment="qsmk", outcome="wt82_71", confounders=L, interactions=None)
    ols = sm.OLS(frame["wt82_71"], sm.add_constant(frame[["qsmk", *L]].astype(float))).fit(cov_type="HC0")
    assert res.estimate == pytest.approx(ols.params["qsmk"], abs=1e-8)
    assert res.se == pytest.approx(ols.bse["qsmk"], rel=1e-6)


def test_standardisation_with_all_interactions_is_one_model_per_arm(big_study):
    data, truth = big_study
    frame = data.frame.iloc[:3000]
    res = C.standardization(frame, confounders=truth.confounders, **SIM)
    X = sm.add_constant(frame[truth.confounders].astype(float)).to_numpy()
    treated = frame["treated"].to_numpy() == 1
    fits = [np.linalg.lstsq(X[arm], frame["outcome"].to_numpy()[arm], rcond=None)[0] for arm in (treated, ~treated)]
    assert res.estimate == pytest.approx(np.mean(X @ fits[0] - X @ fits[1]), abs=1e-8)


# --- the simulator and recovery of the truth ------------------------------------------------

def test_simulator_is_deterministic_and_keeps_its_truth():
    d1, t1 = bk.simulate.observational_study(n=500, random_state=3)
    d2, t2 = bk.simulate.observational_study(n=500, random_state=3)
    pd.testing.assert_frame_equal(d1.frame, d2.frame)
    assert list(d1.frame.columns) == ["age", "female", "severity", "bmi", "baseline_score", "treated", "outcome"]
    assert d1.target == "outcome" and d1.card["kind"] == "simulated" and d1.truth is t1
    assert t1.ate == pytest.approx(np.mean(t1.y1 - t1.y0))
    treated = d1.frame["treated"].to_numpy() == 1
    assert t1.att == pytest.approx(np.mean((t1.y1 - t1.y0)[treated]))
    assert abs(t1.propensity.mean() - 0.4) < 1e-6  # the intercept is solved for 40 % treated
    assert "true average effect" in repr(t1)


def test_simulator_knobs_act_only_where_they_should():
    base, _ = bk.simulate.observational_study(n=500, random_state=4)
    hidden, th = bk.simulate.observational_study(n=500, hidden_confounding=1.0, random_state=4)
    trial, tt = bk.simulate.observational_study(n=500, confounding=0.0, random_state=4)
    measured = ["age", "female", "severity", "bmi"]
    pd.testing.assert_frame_equal(base.frame[measured], hidden.frame[measured])
    assert np.ptp(tt.propensity) < 1e-12  # confounding=0: a randomised trial
    _, het = bk.simulate.observational_study(n=5000, heterogeneity=1.0, random_state=4)
    assert het.att > het.ate + 0.3  # the sicker are treated more often and benefit more
    assert bk.datasets.load("observational_study", n=300, random_state=2).frame.shape == (300, 7)


def test_adjusted_estimates_recover_the_true_effect_and_the_naive_one_does_not(big_study):
    data, truth = big_study
    naive = C.difference_in_means(data, **SIM)
    assert naive.estimate < truth.ate - 2  # confounding by indication: much too low
    for estimator in (C.ipw, C.standardization, C.aipw):
        res = estimator(data, confounders=truth.confounders, **SIM)
        assert _close(res, truth.ate), (res, truth.ate)


def test_randomised_trial_needs_no_adjustment():
    data, truth = bk.simulate.observational_study(n=20_000, confounding=0.0, random_state=5)
    assert _close(C.difference_in_means(data, **SIM), truth.ate)


def test_aipw_is_right_when_either_model_is_right(big_study):
    data, truth = big_study
    L = truth.confounders
    wrong_ps = C.ipw(data, confounders=WRONG, **SIM)
    wrong_outcome = C.standardization(data, confounders=WRONG, **SIM)
    assert not _close(wrong_ps, truth.ate, k=6) and not _close(wrong_outcome, truth.ate, k=6)
    good_outcome = C.aipw(data, confounders=L, propensity_confounders=WRONG, **SIM)
    good_ps = C.aipw(data, confounders=L, outcome_confounders=WRONG, **SIM)
    both_wrong = C.aipw(data, confounders=WRONG, **SIM)
    assert _close(good_outcome, truth.ate) and _close(good_ps, truth.ate)
    assert not _close(both_wrong, truth.ate, k=6)
    # an intercept-only propensity model is also allowed (and wrong)
    assert _close(C.aipw(data, confounders=L, propensity_confounders=[], **SIM), truth.ate)


def test_hidden_confounding_biases_every_adjustment_and_the_negative_control_shows_it():
    clean, t0 = bk.simulate.observational_study(n=20_000, random_state=6)
    hidden, t1 = bk.simulate.observational_study(n=20_000, hidden_confounding=1.0, random_state=6)
    L = t0.confounders
    assert not _close(C.ipw(hidden, confounders=L, **SIM), t1.ate)
    control = {"treatment": "treated", "outcome": "baseline_score", "confounders": L}
    assert abs(C.ipw(clean, **control).estimate) < 4 * C.ipw(clean, **control).se
    assert C.ipw(hidden, **control).high < 0  # treated look worse before treatment: bias exposed


# --- diagnostics ------------------------------------------------------------------------------

def test_effective_sample_size_is_kish():
    assert C.effective_sample_size([1, 1, 1, 1]) == 4.0
    assert C.effective_sample_size([1, 1, 1, 5]) == pytest.approx(64 / 28)
    assert C.effective_sample_size(np.array([0, 0, 3.0])) == 1.0
    w = np.random.default_rng(0).exponential(size=50)
    assert C.effective_sample_size(pd.Series(w)) == pytest.approx(w.sum() ** 2 / (w**2).sum())


def test_smd_against_a_hand_computation():
    frame = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0, 0], "x": [1.0, 2, 3, 2, 4, 6, 8],
                          "b": [1, 0, 1, 0, 0, 1, 0]})
    w = np.array([1, 1, 2, 1, 1, 1, 3])
    table = C.balance(frame, treatment="t", confounders=["x", "b"], weights=w).to_frame()
    # x: treated mean 2, var 1; untreated mean 5, var 20/3; weighted means 9/4 and 36/6
    scale = np.sqrt((1 + 20 / 3) / 2)
    assert table.loc["x", "smd"] == pytest.approx((2 - 5) / scale)
    assert table.loc["x", "mean treated weighted"] == pytest.approx(9 / 4)
    assert table.loc["x", "smd weighted"] == pytest.approx((9 / 4 - 6) / scale)
    # b: treated 2/3 (var 1/3), untreated 1/4 (var 1/4); weighted 3/4 and 1/6
    scale_b = np.sqrt((1 / 3 + 1 / 4) / 2)
    assert table.loc["b", "smd"] == pytest.approx((2 / 3 - 1 / 4) / scale_b)
    assert table.loc["b", "smd weighted"] == pytest.approx((3 / 4 - 1 / 6) / scale_b)


def test_weighting_balances_nhefs_and_the_results_read_well(nhefs):
    frame, L = nhefs
    res = C.balance(frame, treatment="qsmk", confounders=L)
    assert res.max_smd > 0.2 and res.max_smd_weighted < 0.1
    sw = C.ip_weights(frame, treatment="qsmk", confounders=L)
    same = C.balance(frame, treatment="qsmk", confounders=L, weights=sw)
    pd.testing.assert_frame_equal(res.to_frame(), same.to_frame())
    assert "largest |SMD|" in str(res)
    ax = res.plot()
    assert ax.get_xlabel() == "absolute standardised mean difference"


def test_overlap_table_and_truncation(nhefs):
    frame, L = nhefs
    check = C.overlap(frame, treatment="qsmk", confounders=L)
    table = check.to_frame()
    assert table.loc["treated", "n"] == 403 and table.loc["all", "n"] == 1566
    treated = frame["qsmk"] == 1
    assert table.loc["treated", "ESS"] == pytest.approx(C.effective_sample_size(check.weights[treated]))
    assert table.loc["untreated", "propensity max"] == pytest.approx(check.propensity[~treated].max())
    assert check.plot().get_xlabel().startswith("propensity")
    raw = C.ip_weights(frame, treatment="qsmk", confounders=L)
    cut = C.ip_weights(frame, treatment="qsmk", confounders=L, truncate=0.99)
    assert cut.max() == pytest.approx(np.quantile(raw, 0.99)) and cut.min() == pytest.approx(np.quantile(raw, 0.01))
    assert "truncated at 0.99" in C.ipw(frame, treatment="qsmk", outcome="wt82_71", confounders=L,
                                         truncate=0.99).method


def test_paired_difference_of_bootstrapped_estimates(nhefs):
    frame, L = nhefs
    kw = dict(treatment="qsmk", outcome="wt82_71", n_boot=40, random_state=0)
    naive = C.difference_in_means(frame, **kw)
    again = C.difference_in_means(frame, **kw)
    np.testing.assert_array_equal(naive.replicates, again.replicates)  # reproducible
    adjusted = C.ipw(frame, confounders=L, **kw)
    diff = C.effect_difference(adjusted, naive)
    assert diff.difference == pytest.approx(adjusted.estimate - naive.estimate)
    assert diff.low == pytest.approx(np.quantile(adjusted.replicates - naive.replicates, 0.025))
    assert C.effect_difference(naive, again).se == 0  # the same rows: no difference at all
    assert list(diff.to_frame().columns) == ["difference", "low", "high", "se", "n_boot"]
    other_seed = C.difference_in_means(frame, treatment="qsmk", outcome="wt82_71", n_boot=40, random_state=1)
    with pytest.raises(ValueError, match="same n_boot and the same integer random_state"):
        C.effect_difference(adjusted, other_seed)
    with pytest.raises(ValueError, match="was not bootstrapped"):
        C.effect_difference(adjusted, C.difference_in_means(frame, treatment="qsmk", outcome="wt82_71"))


def test_result_table_and_text(nhefs):
    frame, L = nhefs
    res = C.aipw(frame, treatment="qsmk", outcome="wt82_71", confounders=L)
    row = res.to_frame()
    assert row.index.tolist() == ["AIPW (doubly robust)"]
    assert {"estimate", "low", "high", "se", "n", "interval"} <= set(row.columns)
    assert str(res).startswith("AIPW (doubly robust): effect of qsmk on wt82_71")
    assert res.low < res.estimate < res.high


def test_callers_data_is_not_changed(nhefs):
    frame, L = nhefs
    before = frame.copy()
    C.ipw(frame, treatment="qsmk", outcome="wt82_71", confounders=L, n_boot=20, random_state=0)
    C.balance(frame, treatment="qsmk", confounders=L)
    pd.testing.assert_frame_equal(frame, before)


# --- bad inputs -------------------------------------------------------------------------------

@pytest.fixture
def small():
    data, _ = bk.simulate.observational_study(n=200, random_state=0)
    return data.frame.copy()


def test_treatment_must_be_binary(small):
    small["dose"] = small["treated"] * 2
    small.loc[small.index[:5], "dose"] = 1
    with pytest.raises(ValueError, match=r"only 0 \(untreated\) and 1 \(treated\).*Recode"):
        C.ipw(small, treatment="dose", outcome="outcome", confounders=["age"])
    small["arm"] = np.where(small["treated"] == 1, "drug", "placebo")
    with pytest.raises(TypeError, match="must hold 0 .* and 1"):
        C.difference_in_means(small, treatment="arm", outcome="outcome")
    small["everyone"] = 1
    with pytest.raises(ValueError, match="fewer than 2 untreated"):
        C.aipw(small, treatment="everyone", outcome="outcome", confounders=["age"])


def test_missing_values_are_named_with_a_fix(small):
    small.loc[small.index[:3], "bmi"] = np.nan
    small.loc[small.index[:2], "outcome"] = np.nan
    with pytest.raises(ValueError, match=r"outcome \(2\), bmi \(3\).*dropna\(subset="):
        C.standardization(small, treatment="treated", outcome="outcome", confounders=["age", "bmi"])
    with pytest.raises(ValueError, match=r"bmi \(3\)"):
        C.balance(small, treatment="treated", confounders=["bmi"])


def test_unknown_and_misused_columns(small):
    with pytest.raises(ValueError, match=r"unknown column\(s\) \['sevrity'\]"):
        C.ipw(small, treatment="treated", outcome="outcome", confounders=["age", "sevrity"])
    with pytest.raises(ValueError, match=r"unknown column\(s\) \['treatment'\]"):
        C.propensity_score(small, treatment="treatment", confounders=["age"])
    with pytest.raises(TypeError, match="list of column names"):
        C.ipw(small, treatment="treated", outcome="outcome", confounders="age")
    with pytest.raises(ValueError, match="more than once"):
        C.ipw(small, treatment="treated", outcome="outcome", confounders=["age", "age"])
    with pytest.raises(ValueError, match="lists the treatment column"):
        C.ipw(small, treatment="treated", outcome="outcome", confounders=["age", "treated"])
    with pytest.raises(ValueError, match="lists the outcome column"):
        C.aipw(small, treatment="treated", outcome="outcome", confounders=["age"],
               outcome_confounders=["outcome"])
    with pytest.raises(ValueError, match="is empty"):
        C.standardization(small, treatment="treated", outcome="outcome", confounders=[])
    small["stage"] = pd.Categorical(np.where(small["severity"] > 0, "late", "early"))
    with pytest.raises(TypeError, match="get_dummies"):
        C.ipw(small, treatment="treated", outcome="outcome", confounders=["age", "stage"])
    with pytest.raises(TypeError, match="DataFrame"):
        C.ipw(small.to_numpy(), treatment="treated", outcome="outcome", confounders=["age"])
    with pytest.raises(TypeError, match="name of one column"):
        C.ipw(small, treatment=["treated"], outcome="outcome", confounders=["age"])


def test_bad_options(small):
    kw = dict(treatment="treated", outcome="outcome", confounders=["age", "severity"])
    with pytest.raises(ValueError, match="at least 20"):
        C.ipw(small, **kw, n_boot=5)
    with pytest.raises(ValueError, match="truncate"):
        C.ipw(small, **kw, truncate=0.3)
    with pytest.raises(TypeError, match="stabilized must be True or False"):
        C.ipw(small, **kw, stabilized="yes")
    with pytest.raises(ValueError, match="level"):
        C.aipw(small, **kw, level=95)
    with pytest.raises(ValueError, match="does not include"):
        C.standardization(small, **kw, interactions=["bmi"])
    with pytest.raises(ValueError, match="'all', None or a list"):
        C.standardization(small, **kw, interactions="some")
    with pytest.raises(ValueError, match="non-negative"):
        C.effective_sample_size([1.0, -1.0])
    with pytest.raises(ValueError, match="one number per row"):
        C.balance(small, treatment="treated", confounders=["age"], weights=[1.0, 2.0])
    with pytest.raises(TypeError, match="EffectResult"):
        C.effect_difference(1.0, 2.0)
    with pytest.raises(TypeError, match="random_state"):
        C.aipw(small, **kw, random_state="seed")
    with pytest.raises(TypeError, match="positional"):
        C.ipw(small, "treated", "outcome", ["age"])


def test_perfect_separation_is_a_positivity_error(small):
    small["sick"] = small["treated"] * 10.0  # the treatment is decided by this column alone
    with pytest.raises(ValueError, match="positivity fails"):
        C.ipw(small, treatment="treated", outcome="outcome", confounders=["sick"])


def test_simulator_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n must be an integer >= 20"):
        bk.simulate.observational_study(n=5)
    with pytest.raises(ValueError, match="confounding"):
        bk.simulate.observational_study(confounding=-1.0)
    with pytest.raises(ValueError, match="hidden_confounding"):
        bk.simulate.observational_study(hidden_confounding=float("nan"))
    with pytest.raises(TypeError, match="random_state"):
        bk.simulate.observational_study(random_state="seed")


def test_balance_matches_a_weight_series_by_index(nhefs):
    frame, L = nhefs
    sw = C.ip_weights(frame, treatment="qsmk", confounders=L)
    shuffled = sw.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(C.balance(frame, treatment="qsmk", confounders=L, weights=shuffled).to_frame(),
                                  C.balance(frame, treatment="qsmk", confounders=L, weights=sw).to_frame())
    with pytest.raises(ValueError, match="index does not match"):
        C.balance(frame, treatment="qsmk", confounders=L, weights=sw.reset_index(drop=True))
