"""Findings of the bad-input run that need more than one bad call, each with its own test
(the table-driven run itself: tests/test_bad_input_suite.py)."""

import numpy as np
import pandas as pd
import pytest

import biomedkit as bk
from test_bad_input_suite import N, cohort, fitted_lr, model_X


def test_partial_dependence_grid_stays_inside_the_percentiles_on_integer_columns():
    X, y = cohort()
    X = X.assign(age=X["age"].round().astype(int))  # as read from a CSV
    curves = bk.explain.partial_dependence(fitted_lr(X, y), X, "age", grid_resolution=200,
                                           percentiles=(0.1, 0.9))
    low, high = np.quantile(X["age"], [0.05, 0.95])
    assert low <= curves.average["value"].min() and curves.average["value"].max() <= high


def test_what_if_names_its_scale_and_gives_the_risk():
    expl = bk.explain.explain(**model_X())
    one = expl.what_if(0, age=70.0)
    model = expl.model
    assert one.output == "log-odds"
    row = expl.data.iloc[[0]].assign(age=70.0)
    np.testing.assert_allclose(one.risk, model.predict_proba(row)[:, 1], atol=1e-8)


def test_explorer_refuses_an_unknown_position_and_reads_text_columns():
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    explorer = bk.widgets.ExplanationExplorer(bk.explain.explain(**model_X()))
    with pytest.raises(ValueError, match="position"):
        explorer.what_if(999)
    X, y = cohort()
    X = X.assign(sex=np.where(np.arange(N) % 2, "F", "M"))
    model = make_pipeline(make_column_transformer((OneHotEncoder(), ["sex"]), remainder="passthrough"),
                          LogisticRegression(max_iter=500)).fit(X, y)
    explorer = bk.widgets.ExplanationExplorer.from_model(model, X, max_points=20)
    kinds = {i["name"]: i["kind"] for i in explorer.patient["inputs"]}
    assert kinds["sex"] == "category"


def test_model_ready_converts_a_csv_and_says_what_it_changed(capsys):
    import io
    raw = pd.read_csv(io.StringIO("age,sex,smoker,event\n61,F,1,0\n47,M,0,1\n,F,,1\n"))
    before = raw.copy()
    X = bk.datasets.model_ready(raw, target="event")
    assert "sex" in capsys.readouterr().out
    assert isinstance(X["sex"].dtype, pd.CategoricalDtype) and X["smoker"].dtype == float
    assert X["event"].dtype == raw["event"].dtype
    pd.testing.assert_frame_equal(raw, before)


# --- issue 17, the remaining findings ---------------------------------------------------------

def _one_event():
    """Ten patients, one event among them; the scores do not separate it from the rest."""
    y = np.array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    s = np.array([0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.15, 0.25, 0.35, 0.05])
    return y, s


def test_one_event_gives_nan_intervals_and_says_why_without_numpy_warnings():
    # finding 7: DeLong's variance needs two of each class; the AUC itself is still defined
    import warnings

    from sklearn.metrics import roc_auc_score

    y, s = _one_event()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = bk.validation.auc_ci(y, s)
        test = bk.validation.delong_test(y, s, s[::-1])
        table = bk.validation.external_validation(y, s, np.repeat(["a", "b"], 5))
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    ours = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert sum("only one event" in m and "DeLong" in m for m in ours) == 2 and any("'a'" in m for m in ours)
    assert res.auc == pytest.approx(roc_auc_score(y, s))  # 6 of the 9 non-events rank below it
    assert np.isnan([res.se, res.low, res.high]).all()
    assert np.isnan([test.se, test.z, test.p_value, test.low, test.high]).all()
    assert test.difference == pytest.approx(roc_auc_score(y, s) - roc_auc_score(y, s[::-1]))
    assert np.isnan(table.loc["a", ["auc_low", "auc_high", "auc_se"]].astype(float)).all()
    assert table.loc["a", "note"] == "a single event: no DeLong interval"
    # a single non-event is the mirror image
    with pytest.warns(UserWarning, match="only one non-event"):
        assert np.isnan(bk.validation.auc_ci(1 - y, 1 - s).low)


def test_a_small_site_whose_risks_separate_its_outcomes_keeps_the_table():
    # finding 2: no finite calibration slope there; NaN with a note, every other row intact
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.6, 300)
    y = rng.binomial(1, p)
    site = np.repeat(["big", "small"], [290, 10])
    y[-10:] = [0, 0, 0, 0, 0, 1, 1, 0, 1, 1]
    p[-10:] = [0.1, 0.2, 0.05, 0.3, 0.15, 0.7, 0.8, 0.25, 0.9, 0.6]  # events above every non-event
    with pytest.warns(UserWarning, match="'small': risks separate the outcomes"):
        table = bk.validation.external_validation(y, p, site)
    assert np.isnan(table.loc["small", ["slope", "slope_low", "slope_high"]].astype(float)).all()
    assert table.loc["small", "auc"] == 1.0
    glm = sm.GLM(y[:290], sm.add_constant(np.log(p[:290] / (1 - p[:290]))), family=sm.families.Binomial()).fit()
    assert table.loc["big", "slope"] == pytest.approx(glm.params[1], rel=1e-6)
    assert table.loc["big", "note"] == ""


def test_leave_one_site_out_keeps_every_site_when_one_is_perfectly_separated():
    # finding 2: the held-out site's risks rise with x, and its outcomes are x > 0
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=260)
    y = rng.binomial(1, 1 / (1 + np.exp(-2 * x)))
    sites = np.repeat(["s1", "s2", "s3"], [120, 120, 20])
    y[sites == "s3"] = (x[sites == "s3"] > 0).astype(int)
    with pytest.warns(UserWarning, match="site 's3': risks separate the outcomes"):
        table = bk.multisite.leave_one_site_out(LogisticRegression(), x[:, None], y, sites)
    assert list(table.index) == ["s1", "s2", "s3", "pooled (random effects)"]
    assert np.isnan(table.loc["s3", "slope"]) and table.loc["s3", "auc"] == 1.0
    assert bk.multisite.pool_sites(table).loc["slope", "k"] == 2  # the two sites with a slope


def test_calibration_of_degenerate_risks_is_nan_where_undefined_and_right_elsewhere():
    # finding 2: risks equal to the outcomes, and one risk for everybody
    from scipy.special import logit

    y = np.array([0, 1, 0, 0, 1, 0, 1, 0, 0, 0])
    with pytest.warns(UserWarning, match="separate the events from the non-events"):
        exact = bk.validation.calibration_summary(y, y.astype(float))
    assert np.isnan(exact.slope) and exact.brier == 0.0
    with pytest.warns(UserWarning, match="all risks are equal"):
        flat = bk.validation.calibration_summary(y, np.full(10, 0.2))
    # by hand: with one risk for all, the intercept is logit(observed rate) - logit(0.2),
    # and the smoothed observed rate is the observed rate 0.3 everywhere
    assert flat.citl == pytest.approx(logit(0.3) - logit(0.2), abs=1e-8)
    assert np.isnan(flat.slope) and flat.ici == pytest.approx(0.1) and flat.emax == pytest.approx(0.1)
    curve = bk.validation.calibration_curve(y, np.full(10, 0.2), n_bins=2)
    np.testing.assert_allclose(curve.smooth["observed"], 0.3)


def test_recalibrating_a_fitted_model_checks_the_new_labels():
    # finding 3: labels the model never saw are refused, not read as non-events
    X, y = cohort()
    model = fitted_lr(X, y)
    recal = bk.validation.RecalibratedClassifier
    for bad, match in [(np.where(y == 1, "yes", "no"), "labels the model was not fitted on"),
                       (np.r_[np.nan, y[1:]], "missing outcomes"),
                       (np.where(np.arange(N) == 0, 2, y), r"not fitted on \(\[2\]\)")]:
        with pytest.raises(ValueError, match=match):
            recal(model, cv=None).fit(X, bad)
    # the fit on 0/1 labels is Cox's logistic recalibration of the model's risks
    import statsmodels.api as sm

    lp = np.log(model.predict_proba(X)[:, 1] / model.predict_proba(X)[:, 0])
    a, b = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit().params
    np.testing.assert_allclose(recal(model, cv=None).fit(X, y).recalibrator_, [a, b], rtol=1e-6)


def test_a_report_refuses_outcomes_coded_differently_from_the_model():
    # finding 3: a model fitted on 'case'/'control' scored against 0/1 outcomes
    X, y = cohort()
    model = fitted_lr(X, np.where(y == 1, "case", "control"))
    with pytest.raises(ValueError, match="labels the model was not fitted on"):
        bk.validation.ValidationReport(model, X, y)


def test_labels_of_the_summary_rows_are_refused_as_group_names():
    # finding 4: a group called like a summary row would overwrite it (or be overwritten)
    from sklearn.linear_model import LogisticRegression

    y, s = cohort()[1], np.linspace(0.1, 0.9, N)
    for name in ["all validation", "development"]:
        groups = np.where(np.arange(N) < 40, name, "other")
        with pytest.raises(ValueError, match=f"groups uses the label '{name}'"):
            bk.validation.external_validation(y, s, groups, development=(y, s))
    # without development data a period called "development" is an ordinary group
    groups = np.where(np.arange(N) < 40, "development", "later")
    table = bk.validation.external_validation(y, s, groups)
    assert list(table.index) == ["development", "later", "all validation"]
    assert table.loc["development", "n"] == 40
    X, y = cohort(90)
    sites = np.repeat(["s1", "s2", "pooled (random effects)"], 30)
    with pytest.raises(ValueError, match="sites uses the label 'pooled"):
        bk.multisite.leave_one_site_out(LogisticRegression(), X, y, sites)


def test_repeated_thresholds_level_and_missing_scores_are_refused_clearly():
    # finding 6
    y, s = cohort()[1], np.linspace(0.05, 0.95, N)
    with pytest.raises(ValueError, match=r"thresholds repeats \[0.2\]"):
        bk.validation.net_benefit(y, {"m": s}, thresholds=[0.1, 0.2, 0.2])
    with pytest.raises(ValueError, match="level must be a number in"):
        bk.validation.random_effects([0.7, 0.8], [0.01, 0.02], level=1.5)
    policy = bk.fairness.group_thresholds(y, s, np.array(["A", "B"] * (N // 2)), constraint=None)
    with pytest.raises(ValueError, match="y_score contains 1 NaN"):
        policy.predict_proba(np.r_[np.nan, s[1:]], np.array(["A", "B"] * (N // 2)))


@pytest.mark.parametrize("threshold", [0.125, 0.004])
def test_report_shows_each_threshold_with_its_digits(threshold):
    # finding 6: 0.125 was shown as 0.12, and 0.004 refused
    X, y = cohort()
    model = fitted_lr(X, y)
    report = bk.validation.ValidationReport(model, X, y, thresholds=(threshold,), n_boot=5)
    utility = report.sections[4].table
    row = utility[utility.model == "LogisticRegression"].iloc[0]
    assert row.threshold == f"{threshold:g}"
    p = model.predict_proba(X)[:, 1]
    flagged = p >= threshold  # net benefit by hand (Vickers and Elkin 2006)
    by_hand = (flagged & (y == 1)).mean() - (flagged & (y == 0)).mean() * threshold / (1 - threshold)
    assert row.net_benefit == pytest.approx(by_hand)
    assert f"| {threshold:g} |" in report.to_markdown()


def test_thresholds_of_a_randomised_policy_warn_and_a_deterministic_one_does_not():
    # finding 12: the single thresholds of a randomised policy do not meet its constraint
    import warnings

    rng = np.random.default_rng(1)
    g = np.repeat(["A", "B"], 200)
    y = rng.binomial(1, np.where(g == "A", 0.3, 0.15))
    s = np.clip(rng.normal(0.3 + 0.25 * y, 0.15), 0, 1)
    policy = bk.fairness.group_thresholds(y, s, g, constraint="equal_opportunity")
    assert policy.randomised
    with pytest.warns(UserWarning, match=r"randomize=False"):
        fixed = policy.thresholds
    tpr = [((s >= fixed[k]) & (y == 1) & (g == k)).sum() / ((y == 1) & (g == k)).sum() for k in "AB"]
    assert abs(tpr[0] - tpr[1]) > np.ptp(policy.summary.tpr)  # fixed cut-offs: further apart
    plain = bk.fairness.group_thresholds(y, s, g, constraint="equal_opportunity", randomize=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert set(plain.thresholds) == {"A", "B"}


def _text_pipeline(final):
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X, y = cohort()
    X = X.assign(sex=np.where(np.arange(N) % 3, "F", "M"))
    encode = make_column_transformer((OneHotEncoder(), ["sex"]), remainder=StandardScaler())
    return make_pipeline(encode, final).fit(X, y), X


def test_explain_goes_through_a_linear_pipeline_exactly_and_fast():
    # finding 15: shap's own LinearExplainer on the transformed rows is the reference
    import time

    import shap
    from sklearn.linear_model import LogisticRegression

    model, X = _text_pipeline(LogisticRegression(max_iter=500))
    rows = X.iloc[:40]
    for method in ("auto", "permutation"):  # warm up: shap compiles its permutation code once
        bk.explain.explain(model, rows.iloc[:2], method=method, n_permutations=1)
    start = time.perf_counter()
    expl = bk.explain.explain(model, rows, random_state=0)
    exact = time.perf_counter() - start
    assert expl.method == "linear" and expl.output == "log-odds" and expl.feature_names == list(X.columns)
    pre = model[:-1]
    masker = shap.maskers.Independent(pre.transform(rows), max_samples=40)
    reference = shap.LinearExplainer(model[-1], masker).shap_values(pre.transform(rows))
    names = list(pre.get_feature_names_out())
    assert names[:2] == ["onehotencoder__sex_F", "onehotencoder__sex_M"]
    grouped = {"sex": reference[:, :2].sum(axis=1),
               **{n.split("__")[1]: reference[:, i] for i, n in enumerate(names) if i >= 2}}
    np.testing.assert_allclose(expl.values, np.column_stack([grouped[c] for c in X.columns]), atol=1e-10)
    np.testing.assert_allclose(expl.prediction, model.decision_function(rows), atol=1e-10)
    start = time.perf_counter()
    slow = bk.explain.explain(model, rows, random_state=0, method="permutation", n_permutations=2)
    assert slow.method == "permutation"
    assert time.perf_counter() - start > 5 * exact


def test_explain_goes_through_a_tree_pipeline_and_falls_back_where_it_cannot():
    import shap
    from sklearn.decomposition import PCA
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model, X = _text_pipeline(RandomForestClassifier(n_estimators=10, max_depth=3, random_state=0))
    rows = X.iloc[:40]
    expl = bk.explain.explain(model, rows)
    assert expl.method == "tree" and expl.output == "probability"
    reference = shap.TreeExplainer(model[-1]).shap_values(model[:-1].transform(rows))[..., 1]
    np.testing.assert_allclose(expl.values[:, list(X.columns).index("sex")], reference[:, :2].sum(axis=1),
                               atol=1e-12)
    np.testing.assert_allclose(expl.prediction, model.predict_proba(rows)[:, 1], atol=1e-10)
    # principal components mix every column: no column owns a component, so permutation
    Xn, y = cohort()
    mixed = make_pipeline(StandardScaler(), PCA(3), RandomForestClassifier(5, random_state=0)).fit(Xn, y)
    assert bk.explain.explain(mixed, Xn.iloc[:5], n_permutations=1, random_state=0).method == "permutation"


def test_saved_report_is_a_styled_page_with_figures_and_readable_tables(tmp_path):
    # finding 13: a standalone page, counts as counts, no row numbers, honest section names
    import base64
    import re

    X, y = cohort()
    model = fitted_lr(X, y)
    sex = np.where(np.arange(N) % 2, "F", "M")
    report = bk.validation.ValidationReport(model, X, y, subgroups={"sex": sex}, development=(X, y), n_boot=5)
    page = report.save(tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "font-family" in page
    images = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(images) == 2 and all(base64.b64decode(i)[:4] == b"\x89PNG" for i in images)
    md = report.to_markdown()
    assert f"| n | {N} |" in md and f"| events | {int(y.sum())} |" in md  # not 80.000
    html = report.to_html()
    utility = html[html.index("Clinical utility"):].split("</table>")[0]
    assert re.findall(r"<th>(.*?)</th>", utility)[0] == "model"  # no header over row numbers
    titles = [s.title for s in report.sections]
    assert "Across sites" not in titles and "Development and validation data" in titles
    assert "| sex | n |" in md  # the subgroup's own name heads its column
    model_section = report.sections[titles.index("Model")].table
    np.testing.assert_allclose(model_section["coefficient"].astype(float),
                               np.r_[model.intercept_, model.coef_[0]], rtol=1e-5)
    checklist = report.tripod().set_index("item")
    assert checklist.loc["22", "status"] == "covered" and checklist.loc["20b", "status"] == "covered"
    assert checklist.loc["16", "status"].startswith("partly") and checklist.loc["1", "status"] == "author must write"
    with pytest.raises(ValueError, match="sites uses the label 'development'"):
        bk.validation.ValidationReport(model, X, y, sites=np.where(sex == "F", "development", "b"),
                                       development=(X, y))


# --- check_X_y: the shared shape check that the estimators' fit methods now start with ------------

@pytest.mark.parametrize(("X", "y", "error", "match"), [
    (["a", "b"], [0, 1], ValueError, r"X must be a 2-d table"),
    (np.zeros((4, 2)), [0, 1, 0], ValueError, r"y must hold one outcome per row of X \(4\)"),
    (np.zeros((4, 2)), [0, 0, 0, 0], ValueError, r"y has only one class"),
    (np.zeros((4, 2)), [0, 1, np.nan, 1], ValueError, r"y contains missing outcomes"),
    (np.zeros((4, 2)), pd.array([0, 1, None, 1], dtype="Int64"), ValueError, r"y contains missing outcomes"),
])
def test_check_X_y_names_the_argument(X, y, error, match):
    from biomedkit._checks import check_X_y

    with pytest.raises(error, match=match):
        check_X_y(X, y)


def test_check_X_y_binary_reads_nullable_outcomes_and_refuses_text():
    from biomedkit._checks import check_X_y

    X = np.zeros((4, 2))
    for y in ([0, 1, 0, 1], pd.array([0, 1, 0, 1], dtype="Int64"), pd.array([False, True, False, True],
                                                                             dtype="boolean")):
        np.testing.assert_array_equal(check_X_y(X, y, binary=True), [0, 1, 0, 1])
    assert check_X_y(X, ["case", "control"] * 2) is None  # any two labels, unless binary is asked
    assert check_X_y(X, None) is None  # scikit-learn answers a missing y in its own words
    with pytest.raises(TypeError, match=r"y must hold 0/1 outcomes.*\['case', 'control'\]"):
        check_X_y(X, ["case", "control"] * 2, binary=True)
