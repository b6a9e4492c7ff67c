"""Fairness curves and group thresholds against fairlearn and scikit-learn."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import roc_auc_score, roc_curve

import biomedkit as bk

fairlearn = pytest.importorskip("fairlearn")
from fairlearn.metrics import (  # noqa: E402
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from fairlearn.postprocessing import ThresholdOptimizer  # noqa: E402


def make(n=3000, seed=1, ties=3):
    rng = np.random.default_rng(seed)
    g = rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < np.where(g == "A", 0.3, 0.15)).astype(int)
    s = np.clip(rng.normal(0.35 + 0.25 * y + 0.05 * (g == "B"), 0.15), 0, 1).round(ties)
    return y, s, g


@pytest.fixture(scope="module")
def data():
    return make()


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.35, 0.5, 0.731, 1.0])
def test_group_metrics_equal_metricframe(data, threshold):
    y, s, g = data
    table = bk.fairness.group_curves(y, s, g).at(threshold)
    pred = (s >= threshold).astype(int)
    mf = MetricFrame(metrics={"selection_rate": selection_rate, "tpr": true_positive_rate,
                              "fpr": false_positive_rate}, y_true=y, y_pred=pred, sensitive_features=g)
    for col in ("selection_rate", "tpr", "fpr"):
        np.testing.assert_allclose(table[col].to_numpy(), mf.by_group[col].to_numpy(), rtol=0, atol=1e-15)
    d = bk.fairness.group_curves(y, s, g).disparities(threshold)
    assert d.loc["demographic_parity", "difference"] == pytest.approx(
        demographic_parity_difference(y, pred, sensitive_features=g), abs=1e-15)
    assert d.loc["demographic_parity", "ratio"] == pytest.approx(
        demographic_parity_ratio(y, pred, sensitive_features=g), abs=1e-15)
    assert d.loc["equalized_odds", "difference"] == pytest.approx(
        equalized_odds_difference(y, pred, sensitive_features=g), abs=1e-15)
    assert d.loc["equalized_odds", "ratio"] == pytest.approx(
        equalized_odds_ratio(y, pred, sensitive_features=g), abs=1e-15)


def test_every_metric_by_hand(data):
    y, s, g = data
    t = {"A": 0.4, "B": 0.55, "C": 0.3}
    table = bk.fairness.group_curves(y, s, g).at(t)
    for grp, row in table.iterrows():
        yy, pp = y[g == grp], s[g == grp] >= t[grp]
        tp, fp = (yy & pp).sum(), (~yy.astype(bool) & pp).sum()
        fn, tn = (yy.astype(bool) & ~pp).sum(), (~yy.astype(bool) & ~pp).sum()
        assert row.n == len(yy) and row.threshold == t[grp]
        assert row.base_rate == yy.mean() and row.fnr == fn / (tp + fn) and row.tnr == tn / (tn + fp)
        assert row.ppv == tp / (tp + fp) and row.npv == tn / (tn + fn)
        assert row.accuracy == (tp + tn) / len(yy)


def test_roc_and_auc_equal_scikit_learn(data):
    y, s, g = data
    curves = bk.fairness.group_curves(y, s, g)
    for grp in curves.groups:
        fpr, tpr, thr = roc_curve(y[g == grp], s[g == grp], drop_intermediate=False)
        roc = curves.roc(grp)
        np.testing.assert_allclose(roc.fpr, fpr)
        np.testing.assert_allclose(roc.tpr, tpr)
        np.testing.assert_array_equal(roc.threshold, thr)
        assert curves.auc()[grp] == pytest.approx(roc_auc_score(y[g == grp], s[g == grp]), abs=1e-12)


def test_sample_weight_equals_repeating_rows(data):
    y, s, g = data
    w = np.random.default_rng(0).integers(0, 4, y.size)
    weighted = bk.fairness.group_curves(y, s, g, sample_weight=w).at(0.45)
    rep = np.repeat(np.arange(y.size), w)
    repeated = bk.fairness.group_curves(y[rep], s[rep], g[rep]).at(0.45)
    pd.testing.assert_frame_equal(weighted, repeated)


def test_intersectional_groups_from_several_columns(data):
    y, s, g = data
    sex = np.where(np.arange(y.size) % 2, "female", "male")
    curves = bk.fairness.group_curves(y, s, pd.DataFrame({"g": g, "sex": sex}))
    assert list(curves.groups) == ["A & female", "A & male", "B & female", "B & male",
                                   "C & female", "C & male"]
    mask = (g == "B") & (sex == "male")
    assert curves.at(0.5).loc["B & male", "selection_rate"] == (s[mask] >= 0.5).mean()


def test_bootstrap_matches_row_resampling(data):
    """The multinomial shortcut gives the same distribution as resampling rows in groups,
    for the pair of groups furthest apart in the data."""
    y, s, g = data
    curves = bk.fairness.group_curves(y, s, g)
    fast = curves.disparities(0.5, n_boot=2000, random_state=0)
    rate = curves.at(0.5).selection_rate
    hi, lo = rate.idxmax(), rate.idxmin()
    rng = np.random.default_rng(1)
    idx = {grp: np.flatnonzero(g == grp) for grp in (hi, lo)}
    diffs = [(s[rng.choice(idx[hi], idx[hi].size)] >= 0.5).mean()
             - (s[rng.choice(idx[lo], idx[lo].size)] >= 0.5).mean() for _ in range(1000)]
    low, high = np.quantile(diffs, [0.025, 0.975])
    row = fast.loc["demographic_parity"]
    assert row.difference_low == pytest.approx(low, abs=0.008)
    assert row.difference_high == pytest.approx(high, abs=0.008)
    assert row.difference_low < row.difference < row.difference_high
    assert row.ratio_low < row.ratio < row.ratio_high


def test_bootstrap_interval_contains_a_near_zero_disparity():
    """Re-choosing the furthest pair in every replicate would push the interval above 0."""
    rng = np.random.default_rng(5)
    y, s = rng.integers(0, 2, 2000), rng.random(2000)
    # Two groups with identical patients: every disparity is exactly 0.
    d = bk.fairness.group_curves(np.r_[y, y], np.r_[s, s], np.repeat(["A", "B"], 2000)).disparities(
        0.5, n_boot=2000, random_state=0)
    assert (d.difference == 0).all()
    assert (d.difference_low < 0).all() and (d.difference_high > 0).all()
    assert (d.ratio_low < 1).all() and (d.ratio_high > 1).all()


def test_calibration_within_groups_by_hand(data):
    y, s, g = data
    cal = bk.fairness.group_curves(y, s, g).calibration(n_bins=5)
    a = cal[cal.group == "A"]
    edges = np.linspace(s.min(), s.max(), 6)
    first = (g == "A") & (s < edges[1])
    assert a.iloc[0].n == first.sum()
    assert a.iloc[0].observed == pytest.approx(y[first].mean())
    assert a.iloc[0].mean_score == pytest.approx(s[first].mean())


class _Scores(BaseEstimator, ClassifierMixin):
    """A prefit 'model' whose probability is the first column (to feed fairlearn)."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        s = np.asarray(X)[:, 0]
        return np.c_[1 - s, s]


@pytest.mark.parametrize("constraint, fl_constraint", [
    ("demographic_parity", "demographic_parity"),
    ("equal_opportunity", "true_positive_rate_parity"),
    ("equalized_odds", "equalized_odds")])
@pytest.mark.parametrize("objective", ["accuracy", "balanced_accuracy"])
def test_group_thresholds_equal_fairlearn_threshold_optimizer(data, constraint, fl_constraint, objective):
    y, s, g = data
    X = pd.DataFrame({"score": s})
    opt = ThresholdOptimizer(estimator=_Scores().fit(X, y), constraints=fl_constraint,
                             objective=f"{objective}_score", prefit=True, predict_method="predict_proba")
    opt.fit(X, y, sensitive_features=g)
    expected = opt._pmf_predict(X, sensitive_features=g)[:, 1]
    policy = bk.fairness.group_thresholds(y, s, g, constraint=constraint, objective=objective)
    np.testing.assert_allclose(policy.predict_proba(s, g), expected, atol=1e-12)
    rate = {"demographic_parity": ["selection_rate"], "equal_opportunity": ["tpr"],
            "equalized_odds": ["tpr", "fpr"]}[constraint]
    for col in rate:  # the criterion holds on the data (to the grid's resolution)
        assert np.ptp(policy.summary[col]) < 2e-3


def test_price_compares_with_the_best_single_threshold(data):
    y, s, g = data
    policy = bk.fairness.group_thresholds(y, s, g, constraint="demographic_parity")
    thresholds = np.unique(s)
    best = max(((s >= t) == y).mean() for t in thresholds)
    assert policy.price.loc[policy.price.index[1], "accuracy"] == pytest.approx(best)
    assert policy.price.iloc[0].accuracy <= best + 1e-12  # a constraint never helps accuracy here


def test_unconstrained_net_benefit_is_each_groups_best_threshold(data):
    y, s, g = data
    pt = 0.2
    policy = bk.fairness.group_thresholds(y, s, g, constraint=None, objective="net_benefit",
                                          threshold_probability=pt)
    for grp, t in policy.thresholds.items():
        yy, ss = y[g == grp], s[g == grp]
        nb = [((ss >= c) & (yy == 1)).mean() - ((ss >= c) & (yy == 0)).mean() * pt / (1 - pt)
              for c in np.unique(ss)]
        assert ((ss >= t) & (yy == 1)).mean() - ((ss >= t) & (yy == 0)).mean() * pt / (1 - pt) \
            == pytest.approx(max(nb))


def test_deterministic_policy_uses_the_candidates_and_nearly_meets_the_criterion(data):
    y, s, g = data
    grid = np.round(np.linspace(0, 1, 201), 3)
    policy = bk.fairness.group_thresholds(y, s, g, constraint="equal_opportunity", randomize=False,
                                          candidates=grid)
    assert set(policy.thresholds.values()) <= set(grid)
    assert np.ptp(policy.summary.tpr) < 0.05
    assert set(np.unique(policy.predict_proba(s, g))) <= {0.0, 1.0}


@pytest.mark.parametrize("kwargs, match", [
    ({"y_score": [0.1, np.nan, 0.3, 0.4]}, "NaN"),
    ({"y_score": [0.1, 0.2, 0.3]}, "has 3 values"),
    ({"groups": ["A", "A", "A", "A"]}, "single group"),
    ({"groups": ["A", "A", "A", "B"]}, "group 'B' has only 1 member"),
    ({"y_true": [0, 0, 1, 1]}, "group 'A' has no events"),
    ({"groups": ["A", None, "A", "B"]}, "missing values"),
])
def test_bad_input_gets_a_clear_error(kwargs, match):
    args = {"y_true": [0, 1, 0, 1], "y_score": [0.1, 0.2, 0.3, 0.4], "groups": ["A", "A", "B", "B"]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        bk.fairness.group_curves(args["y_true"], args["y_score"], args["groups"])


def test_threshold_outside_the_scores_is_documented_not_silent(data):
    y, s, g = data
    curves = bk.fairness.group_curves(y, s, g)
    with pytest.warns(UserWarning, match="PPV is undefined"):
        table = curves.at(2.0)
    assert (table.selection_rate == 0).all() and table.ppv.isna().all()
    assert (curves.at(-1.0).selection_rate == 1).all()
    with pytest.raises(ValueError, match="one entry per group"):
        curves.at({"A": 0.5})
    with pytest.raises(ValueError, match="finite"):
        curves.at(np.nan)


def test_inputs_are_not_mutated(data):
    y, s, g = data
    copies = y.copy(), s.copy(), g.copy()
    bk.fairness.group_curves(y, s, g).disparities(0.5, n_boot=10, random_state=0)
    bk.fairness.group_thresholds(y, s, g)
    for a, b in zip((y, s, g), copies):
        np.testing.assert_array_equal(a, b)


def test_differences_equal_statsmodels_wald_intervals(data):
    from statsmodels.stats.proportion import confint_proportions_2indep

    y, s, g = data
    diff = bk.fairness.group_curves(y, s, g).differences(0.45)
    assert diff.attrs["reference"] == "A"  # the largest group
    for grp in ("B", "C"):
        flagged = s >= 0.45
        count = lambda mask: (flagged[mask].sum(), mask.sum())  # noqa: E731
        k1, n1 = count((g == grp) & (y == 1))
        k2, n2 = count((g == "A") & (y == 1))
        low, high = confint_proportions_2indep(k1, n1, k2, n2, method="wald", compare="diff")
        row = diff.loc[("tpr", grp)]
        assert row.difference == pytest.approx(k1 / n1 - k2 / n2)
        assert (row.difference_low, row.difference_high) == pytest.approx((low, high), abs=1e-12)


def test_an_integer_reference_is_a_group_label_not_a_position(data):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y, s, g = data
    coded = pd.Series(g).map({"A": 1, "B": 2, "C": 3}).to_numpy()  # groups coded 1, 2, 3
    curves = bk.fairness.group_curves(y, s, coded)
    fig = bk.fairness.plot_fairness(curves, 0.4, reference=1)
    assert fig.axes[1].get_ylabel() == "difference from 1"  # group 1, not the group at position 1
    plt.close(fig)
    diff = curves.differences(0.4, reference=1)
    assert diff.attrs["reference"] == 1 and 1 not in diff.index.get_level_values("group")
    assert curves.index_of(np.int64(3)) == 2
    with pytest.raises(ValueError, match="unknown group 0"):
        curves.index_of(0)


def test_the_class_checks_what_it_is_given(data):
    y, s, g = data
    pd.testing.assert_frame_equal(bk.fairness.GroupCurves(y, s, g).at(0.4),
                                  bk.fairness.group_curves(y, s, g).at(0.4))
    with pytest.raises(ValueError, match="NaN"):
        bk.fairness.GroupCurves([0, 1, 0, 1], [0.1, np.nan, 0.3, 0.4], ["A", "A", "B", "B"])
    with pytest.raises(ValueError, match="group 'B' has only 1 member"):
        bk.fairness.GroupCurves([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], ["A", "A", "A", "B"])
    with pytest.raises(ValueError, match="sample_weight must be finite and non-negative"):
        bk.fairness.GroupCurves(y, s, g, sample_weight=-np.ones(y.size))


def test_disparities_and_differences_share_one_layout(data):
    curves = bk.fairness.group_curves(*data)
    d = curves.disparities(0.4, n_boot=20, random_state=0)
    f = curves.differences(0.4)
    assert d.index.names == ["criterion"] and f.index.names == ["metric", "group"]
    assert list(d.columns) == ["difference", "ratio", "difference_low", "difference_high",
                               "ratio_low", "ratio_high"]
    assert list(f.columns) == ["difference", "difference_low", "difference_high"]


def test_public_accessors_of_the_curves(data):
    y, s, g = data
    curves = bk.fairness.group_curves(y, s, g)
    assert curves.index_of("B") == 1
    np.testing.assert_array_equal(curves.thresholds_per_group({"C": 0.3, "A": 0.1, "B": 0.2}), [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(curves.thresholds_per_group(0.4), [0.4, 0.4, 0.4])
    conf = curves.confusion("C")
    m = g == "C"
    assert conf.threshold.iloc[0] == np.inf and len(conf) == np.unique(s[m]).size + 1
    for _, row in conf.iloc[[0, 3, 10, -1]].iterrows():
        flagged = s[m] >= row.threshold
        assert row.tp == (flagged & (y[m] == 1)).sum() and row.fp == (flagged & (y[m] == 0)).sum()
        assert row.fn == (~flagged & (y[m] == 1)).sum() and row.tn == (~flagged & (y[m] == 0)).sum()


def test_policy_table_is_to_frame(data):
    policy = bk.fairness.group_thresholds(*data, constraint="demographic_parity")
    pd.testing.assert_frame_equal(policy.to_frame(), policy.summary)


def test_fairness_options_passed_by_position_still_work_with_a_warning(data):
    y, s, g = data
    w = np.ones(y.size)
    with pytest.warns(FutureWarning, match="passing sample_weight of group_curves"):
        old = bk.fairness.group_curves(y, s, g, w)
    pd.testing.assert_frame_equal(old.at(0.4), bk.fairness.group_curves(y, s, g, sample_weight=w).at(0.4))
    with pytest.warns(FutureWarning, match="passing n_bins of .*calibration"):
        old.calibration(5)
