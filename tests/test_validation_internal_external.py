"""Internal validation (repeated and nested CV, bootstrap optimism), external validation
across sites, the random-effects summary, and the TRIPOD+AI report."""

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import biomedkit as bk


@pytest.fixture(scope="module")
def noise():
    rng = np.random.default_rng(0)
    return rng.normal(size=(100, 500)), rng.integers(0, 2, 100)


def test_repeated_cv_keeps_feature_selection_inside_the_folds(noise):
    X, y = noise
    pipe = make_pipeline(SelectKBest(f_classif, k=10), LogisticRegression())
    folds = bk.validation.repeated_cv(pipe, X, y, scoring="roc_auc", n_repeats=3, random_state=0)
    assert len(folds) == 15 and list(folds.columns) == ["repeat", "fold", "roc_auc"]
    honest = folds["roc_auc"].mean()
    # the leak: choose the features on all rows, then cross-validate
    leaky_X = SelectKBest(f_classif, k=10).fit_transform(X, y)
    leaky = cross_val_score(LogisticRegression(), leaky_X, y, scoring="roc_auc",
                            cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean()
    assert abs(honest - 0.5) < 0.12 and leaky > 0.75


def test_repeated_cv_turns_neg_scores_positive(noise):
    X, y = noise
    folds = bk.validation.repeated_cv(LogisticRegression(), X[:, :5], y, n_repeats=2, random_state=0)
    assert {"roc_auc", "brier_score"} <= set(folds) and (folds["brier_score"] > 0).all()
    summary = bk.validation.summarize_cv(folds)
    assert list(summary.columns) == ["mean", "sd", "q2.5", "q97.5"]
    assert summary.loc["brier_score", "mean"] == pytest.approx(folds["brier_score"].mean())


def test_nested_cv_outer_scores_are_honest(noise):
    X, y = noise
    res = bk.validation.nested_cv(make_pipeline(StandardScaler(), LogisticRegression()),
                                  {"logisticregression__C": [0.01, 1, 100]}, X[:, :50], y,
                                  outer_splits=3, inner_splits=3, random_state=0)
    assert len(res) == 3 and set(res.columns) == {"fold", "outer_score", "inner_best_score", "best_params"}
    # on noise the search's best inner score is optimistic; the outer score is not
    assert res["inner_best_score"].mean() > res["outer_score"].mean()


def test_bootstrap_optimism_recovers_chance_performance_on_noise(noise):
    X, y = noise
    model = LogisticRegression(C=1.0, max_iter=1000)
    res = bk.validation.bootstrap_optimism(model, X[:, :10], y, n_boot=60, random_state=0)
    assert res.apparent > 0.62                   # the model fits noise
    assert res.corrected == pytest.approx(0.5, abs=0.08)
    assert res.apparent - res.optimism == res.corrected
    assert len(res.replicates) == 60 and "roc_auc_score" in str(res)
    # with 40 noise features for 100 patients the bootstrap under-corrects (a known
    # limitation, Steyerberg 2019 ch. 17): the corrected AUC stays well above 0.5
    many = bk.validation.bootstrap_optimism(model, X[:, :40], y, n_boot=60, random_state=0)
    assert many.corrected > 0.6


def test_bootstrap_optimism_is_zero_for_a_model_that_learns_nothing(noise):
    X, y = noise
    res = bk.validation.bootstrap_optimism(DummyClassifier(strategy="prior"), X, y, n_boot=10, random_state=0)
    assert res.apparent == 0.5 and res.optimism == 0 and res.corrected == 0.5


def test_bootstrap_optimism_takes_any_metric_and_is_reproducible(noise):
    from sklearn.metrics import brier_score_loss

    X, y = noise
    a = bk.validation.bootstrap_optimism(LogisticRegression(), X[:, :5], y, metric=brier_score_loss,
                                         n_boot=20, random_state=3)
    b = bk.validation.bootstrap_optimism(LogisticRegression(), X[:, :5], y, metric=brier_score_loss,
                                         n_boot=20, random_state=3)
    assert a.corrected == b.corrected and a.metric == "brier_score_loss"


def test_internal_validation_bad_input(noise):
    X, y = noise
    with pytest.raises(ValueError, match="X has 100 rows but y has 99"):
        bk.validation.repeated_cv(LogisticRegression(), X, y[:99])
    with pytest.raises(ValueError, match="n_boot must be an integer >= 1"):
        bk.validation.bootstrap_optimism(LogisticRegression(), X, y, n_boot=0)
    with pytest.raises(TypeError, match="metric must be a callable"):
        bk.validation.bootstrap_optimism(LogisticRegression(), X, y, metric="auc")


# --- external validation --------------------------------------------------------

@pytest.fixture(scope="module")
def sites():
    rng = np.random.default_rng(5)
    n = 3000
    site = rng.choice(["A", "B", "C"], n)
    p = rng.beta(2, 6, n)
    shift = pd.Series({"A": 0.0, "B": 0.8, "C": -0.5})[site].to_numpy()
    y = (rng.random(n) < 1 / (1 + np.exp(-(np.log(p / (1 - p)) + shift)))).astype(int)
    return y, p, site


def test_each_site_row_equals_the_single_site_computation(sites):
    y, p, site = sites
    table = bk.validation.external_validation(y, p, site, development=(y[:500], p[:500]))
    assert list(table.index) == ["development", "A", "B", "C", "all validation"]
    for s in "ABC":
        mask = site == s
        auc = bk.validation.auc_ci(y[mask], p[mask])
        cal = bk.validation.calibration_summary(y[mask], p[mask])
        row = table.loc[s]
        assert row.auc == pytest.approx(auc.auc) and row.auc_low == pytest.approx(auc.low)
        assert row.citl == pytest.approx(cal.citl) and row.slope == pytest.approx(cal.slope)
        assert row.n == mask.sum() and row.events == y[mask].sum()
    assert table.loc["B", "citl"] > 0.5 > table.loc["A", "citl"] > table.loc["C", "citl"]
    assert table.loc["B", "auc_drop"] == pytest.approx(table.loc["development", "auc"] - table.loc["B", "auc"])


def test_a_site_with_one_class_gets_a_note_not_an_error(sites):
    y, p, site = sites
    y = y.copy()
    y[site == "C"] = 0
    table = bk.validation.external_validation(y, p, site)
    assert np.isnan(table.loc["C", "auc"]) and "one outcome class" in table.loc["C", "note"]


def test_external_validation_bad_input(sites):
    y, p, site = sites
    with pytest.raises(ValueError, match="groups has 10 values but y_true has"):
        bk.validation.external_validation(y, p, site[:10])
    with pytest.raises(ValueError, match="groups contains missing values"):
        bk.validation.external_validation(y[:3], p[:3], ["A", None, "B"])


def test_random_effects_equals_statsmodels_dersimonian_laird():
    from statsmodels.stats.meta_analysis import combine_effects

    est = np.array([0.71, 0.78, 0.65, 0.80, 0.74])
    var = np.array([0.0009, 0.0016, 0.0012, 0.0025, 0.0010])
    ours = bk.validation.random_effects(est, var)
    ref = combine_effects(est, var, method_re="dl")
    assert ours.pooled == pytest.approx(ref.mean_effect_re, abs=1e-12)
    assert ours.tau2 == pytest.approx(ref.tau2, abs=1e-12)
    assert (ours.low, ours.high) == pytest.approx(tuple(ref.conf_int()[1]), abs=1e-10)
    assert ours.i2 == pytest.approx(ref.i2, abs=1e-12)
    assert ours.q == pytest.approx(ref.q, abs=1e-10)
    # the prediction interval is wider than the confidence interval under heterogeneity
    assert ours.prediction_low < ours.low and ours.prediction_high > ours.high


def test_random_effects_bad_input():
    with pytest.raises(ValueError, match="at least 2 sites"):
        bk.validation.random_effects([0.7], [0.01])
    with pytest.raises(ValueError, match="variances finite and positive"):
        bk.validation.random_effects([0.7, 0.8], [0.01, 0.0])


# --- the report -----------------------------------------------------------------

@pytest.fixture(scope="module")
def report():
    dev, _ = bk.simulate.cohort(2000, random_state=1)
    val, _ = bk.simulate.cohort(1500, n_sites=3, random_state=2)
    cols = ["age", "female", "smoker", "sbp", "total_chol", "hdl", "bmi", "diabetes", "egfr", "crp"]
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(dev.frame[cols], dev.y)
    return bk.validation.ValidationReport(
        model, val.frame[cols], val.y, model_name="risk model", outcome="an event",
        sites=val.frame["site"], subgroups={"group": val.frame["group"]},
        development=(dev.frame[cols], dev.y), n_boot=50), model, val, cols


def test_report_numbers_equal_the_functions_it_calls(report):
    rep, model, val, cols = report
    p = model.predict_proba(val.frame[cols])[:, 1]
    assert rep.auc_.auc == pytest.approx(roc_auc_score(val.y, p))
    assert rep.calibration_.slope == pytest.approx(bk.validation.calibration_summary(val.y, p).slope)


def test_report_maps_its_sections_to_tripod_ai(report):
    rep = report[0]
    t = rep.tripod().set_index("item")
    for item in ("12e", "23a", "15", "12d", "23b", "20c", "21"):
        assert t.loc[item, "status"] == "covered", item
    for item in ("1", "5a", "8a", "11", "18a-f", "26"):
        assert t.loc[item, "status"] == "author must write", item
    assert t.loc["23b", "section"] == "Across sites"


def test_report_renders_markdown_and_html_and_saves(report, tmp_path):
    rep = report[0]
    md = rep.to_markdown()
    for heading in ("## Discrimination", "## Calibration", "## Thresholds", "## Clinical utility",
                    "## By group", "## Across sites", "## TRIPOD+AI checklist"):
        assert heading in md
    assert "prediction interval for a new site" in md
    html = rep._repr_html_()
    assert html.startswith("<div") and "<table" in html
    assert rep.save(tmp_path / "r.md").read_text() == md
    # a saved page stands alone (head, style) and embeds its figures; the notebook view has none
    page = rep.save(tmp_path / "r.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "<img" not in html
    assert page.count("src='data:image/png;base64,") == 2 and "<h3>Across sites</h3>" in page
    with pytest.raises(ValueError, match="must end in .md or .html"):
        rep.save(tmp_path / "r.pdf")


def test_model_card_has_the_mitchell_sections(report):
    card = report[0].model_card(intended_use="Research only.")
    for section in ("Model details", "Intended use", "Factors", "Metrics", "Evaluation data",
                    "Training data", "Quantitative analyses", "Ethical considerations",
                    "Caveats and recommendations"):
        assert f"## {section}" in card
    assert "Research only." in card and "TODO (author)" in card


def test_report_needs_a_probabilistic_model():
    with pytest.raises(TypeError, match="predict_proba"):
        bk.validation.ValidationReport(object(), np.zeros((4, 1)), [0, 1, 0, 1])


def test_groups_keep_their_natural_order():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.5, 1200)
    y = rng.binomial(1, p)
    months = np.repeat(np.arange(1, 13), 100)
    assert list(bk.validation.external_validation(y, p, months).index[:-1]) == list(range(1, 13))
    band = pd.Categorical(np.where(p < 0.2, "low", np.where(p < 0.35, "medium", "high")),
                          categories=["low", "medium", "high"], ordered=True)
    assert list(bk.validation.external_validation(y, p, band).index[:-1]) == ["low", "medium", "high"]


def test_report_text_repr_does_not_dump_the_data(report):
    text = repr(report[0])
    assert "risk model" in text and len(text) < 2000


def test_meta_analysis_result_is_the_new_name_and_the_old_one_warns():
    res = bk.validation.random_effects([0.7, 0.8, 0.75], [0.001, 0.002, 0.001])
    assert isinstance(res, bk.validation.MetaAnalysisResult)
    with pytest.warns(FutureWarning, match="MetaAnalysis is deprecated.*MetaAnalysisResult"):
        assert bk.validation.MetaAnalysis is bk.validation.MetaAnalysisResult


def test_options_passed_by_position_still_work_with_a_warning(sites, noise):
    y, p, site = sites
    with pytest.warns(FutureWarning, match="passing development, level of external_validation"):
        old = bk.validation.external_validation(y, p, site, None, 0.9)
    pd.testing.assert_frame_equal(old, bk.validation.external_validation(y, p, site, level=0.9))
    with pytest.warns(FutureWarning, match="passing level of random_effects"):
        old = bk.validation.random_effects([0.7, 0.8], [0.001, 0.002], 0.9)
    assert old == bk.validation.random_effects([0.7, 0.8], [0.001, 0.002], level=0.9)
    X, yy = noise
    with pytest.warns(FutureWarning, match="passing scoring of repeated_cv"):
        old = bk.validation.repeated_cv(LogisticRegression(), X[:, :3], yy, "roc_auc", n_repeats=1, random_state=0)
    pd.testing.assert_frame_equal(old, bk.validation.repeated_cv(LogisticRegression(), X[:, :3], yy,
                                                                 scoring="roc_auc", n_repeats=1, random_state=0))


def test_report_options_are_keyword_only_with_a_warning_for_one_release(report):
    rep, model, val, cols = report
    with pytest.warns(FutureWarning, match="passing model_name of .*__init__"):
        old = bk.validation.ValidationReport(model, val.frame[cols], val.y, "by position", n_boot=10)
    assert old.model_name == "by position"
    with pytest.warns(FutureWarning, match="passing intended_use of .*model_card"):
        assert "Research only." in rep.model_card("Research only.")
