"""bk.audit: problems put into a simulated cohort on purpose are found, a clean table raises
no false alarms, and the statistics agree with scikit-learn (roc_auc_score), SciPy
(ks_2samp), statsmodels (Wilson intervals) and pandas (duplicated, groupby)."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, norm
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import proportion_confint

import biomedkit as bk


def cohort(n=2000, seed=0, **kwargs):
    data, _ = bk.simulate.cohort(n=n, n_noise=3, random_state=seed, **kwargs)
    return data.frame


def folded(y, x):
    auc = roc_auc_score(y, x)
    return max(auc, 1 - auc)


def messages(report, section=None):
    return [f.message for f in report.findings if section is None or f.section == section]


@pytest.fixture(scope="module")
def problems():
    """A cohort with a leak, duplicates, identifiers, informative missingness and a site shift."""
    df = cohort(n=2000, n_sites=3)
    rng = np.random.default_rng(1)
    n = len(df)
    df["troponin_after"] = df["event"] + rng.normal(0, 0.3, n)  # the target plus noise
    df["code"] = [f"X{k:05d}" for k in rng.permutation(n)]  # unique text, no id-like name
    df["serial"] = np.arange(5000, 5000 + n)  # an integer sequence
    df["bmi"] = df["bmi"].where(~((df["event"] == 1) & (rng.random(n) < 0.5)))
    df["crp"] = df["crp"].where(rng.random(n) > 0.1)  # missing completely at random
    df.loc[df["site"] == "site_3", "lab_001"] += 2.0  # a batch effect at one site
    df = pd.concat([df, df.iloc[:7]])  # 7 exact duplicates (patient_id repeats too)
    return df, bk.audit(df, "event", site="site", group="group")


@pytest.fixture(scope="module")
def clean():
    return cohort(n=2000, seed=5)


def test_bk_audit_is_the_function_of_the_audit_package():
    import biomedkit._audit as package

    assert callable(package.audit) and bk.audit is package.audit
    assert package.AuditReport.__name__ == "AuditReport" and package.Finding.__name__ == "Finding"


def test_the_classifier_runs_on_one_thread_in_a_fresh_interpreter():
    # In a fresh interpreter scikit-learn (and its OpenMP runtime) loads during the audit: it
    # must be loaded before the one-thread limit starts, or histogram gradient boosting runs
    # with every core. OMP_NUM_THREADS=4 makes an unlimited pool visible on any machine.
    import json
    import os

    from conftest import run_python

    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OMP_NUM_THREADS"] = "4"  # OpenBLAS caps its threads at the core count, OpenMP does not
    out = run_python(
        "import json, biomedkit as bk\n"
        "from threadpoolctl import threadpool_info\n"
        "from biomedkit._audit import strata\n"
        "seen, fit = [], strata.classifier_separability\n"
        "def spy(*args):\n"
        "    result = fit(*args)\n"
        "    seen.append([(p['internal_api'], p['num_threads']) for p in threadpool_info()])\n"
        "    return result\n"
        "strata.classifier_separability = spy\n"
        "data, _ = bk.simulate.cohort(n=600, n_noise=2, n_sites=2, random_state=0)\n"
        "report = bk.audit(data.frame, 'event', site='site')\n"
        "print(json.dumps(dict(seen=seen, sites=len(report.separability))))", env=env)
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["sites"] == 1 and len(result["seen"]) == 1  # the site classifier ran once
    pools = result["seen"][0]  # every BLAS and OpenMP pool at the classifier's fit
    assert "openmp" in {api for api, _ in pools} and {n for _, n in pools} == {1}, pools


# --- leaks: univariable AUC --------------------------------------------------------------------

def test_univariable_auc_matches_sklearn_roc_auc_score_folded(problems):
    df, report = problems
    y = df["event"].to_numpy()
    for column in ["age", "sbp", "smoker", "lab_002", "troponin_after", "bmi"]:  # ties; NaN in bmi
        x = df[column].to_numpy(float)
        seen = ~np.isnan(x)
        assert report.leakage.loc[column, "auc"] == pytest.approx(folded(y[seen], x[seen]), abs=1e-12)
        assert report.leakage.loc[column, "n_used"] == seen.sum()
    assert report.leakage.loc["hdl", "direction"] == "lower"  # HDL protects: lower in cases
    assert report.leakage.loc["age", "direction"] == "higher"


def test_leak_is_flagged_and_the_threshold_is_a_parameter(problems):
    df, report = problems
    flagged = report.leakage.index[report.leakage.flag].tolist()
    assert flagged == ["troponin_after"]
    assert any("troponin_after" in m for m in messages(report, "Possible leaks"))
    assert [f.severity for f in report.findings if f.section == "Possible leaks"] == ["high"]
    lax = bk.audit(df.drop(columns="troponin_after"), "event", leak_auc=0.6)
    assert set(lax.leakage.index[lax.leakage.flag]) == set(lax.leakage.index[lax.leakage.auc >= 0.6])
    assert lax.leakage.flag.any()


def test_clean_table_has_no_leak_duplicate_or_overlap_flags(clean):
    train, test = clean.iloc[:1500], clean.iloc[1500:]
    report = bk.audit(train, "event", test=test)
    assert not report.leakage.flag.any()
    assert report.duplicates.n_rows.sum() == 0
    assert report.overlap.n_test_rows.sum() == 0
    assert not report.drift.flag.any()
    assert {f.severity for f in report.findings} <= {"low", "medium"}
    assert not [m for m in messages(report) if "leak" in m or "repeat" in m or "drifted" in m]


def test_categorical_auc_two_levels_agrees_with_roc_auc_score():
    # out-of-fold target means order two large levels as their true means do
    df = cohort(n=4000, seed=2)
    df["smoking"] = np.where(df["smoker"] == 1, "yes", "no")
    report = bk.audit(df.drop(columns="smoker"), "event")
    expected = folded(df["event"], df["smoker"])
    assert report.leakage.loc["smoking", "method"] == "out-of-fold target mean"
    assert report.leakage.loc["smoking", "auc"] == pytest.approx(expected, abs=0.01)


def test_many_level_noise_category_is_not_rewarded():
    # in-sample target means would give this noise column an AUC near 0.9
    df = cohort(n=2000, seed=3)
    rng = np.random.default_rng(0)
    df["ward"] = rng.integers(0, 700, len(df)).astype(str)
    in_sample = df.groupby("ward")["event"].transform("mean")
    assert roc_auc_score(df["event"], in_sample) > 0.85
    report = bk.audit(df, "event")
    assert report.leakage.loc["ward", "auc"] < 0.6


def test_multiclass_target_auc_is_the_best_one_vs_rest():
    df = cohort(n=1500, seed=4)
    df["stage"] = pd.cut(df["age"] + np.random.default_rng(0).normal(0, 8, len(df)), [0, 55, 65, 200],
                         labels=["I", "II", "III"]).astype(str)
    report = bk.audit(df.drop(columns="event"), "stage")
    assert list(report.class_balance.index) == ["I", "II", "III"]
    per_class = {c: folded(df["stage"] == c, df["sbp"]) for c in ["I", "II", "III"]}
    best = max(per_class, key=per_class.get)
    assert report.leakage.loc["sbp", "auc"] == pytest.approx(per_class[best], abs=1e-12)
    assert report.leakage.loc["sbp", "class"] == best


# --- missingness ---------------------------------------------------------------------------------

def test_missing_counts_and_informative_missingness(problems):
    df, report = problems
    missing = report.missing
    assert missing.loc["bmi", "n_missing"] == df["bmi"].isna().sum()
    assert missing.loc["crp", "share_missing"] == pytest.approx(df["crp"].isna().mean())
    event = df["event"]
    assert missing.loc["bmi", "prevalence_if_missing"] == pytest.approx(event[df["bmi"].isna()].mean())
    assert missing.loc["bmi", "prevalence_if_observed"] == pytest.approx(event[df["bmi"].notna()].mean())
    assert missing.loc["bmi", "informative"] and not missing.loc["crp", "informative"]
    assert any("'bmi'" in m for m in messages(report, "Missing values"))
    assert not any("'crp'" in m for m in messages(report, "Missing values"))


def test_missing_patterns_match_pandas_value_counts(problems):
    df, report = problems
    expected = df[["bmi", "crp"]].isna().value_counts()
    got = report.missing_patterns
    assert got["count"].sum() == len(df)
    assert got.loc["bmi, crp", "count"] == expected[(True, True)]
    assert got.loc["bmi", "count"] == expected[(True, False)]
    assert got.loc["(none missing)", "count"] == expected[(False, False)]
    assert got["count"].is_monotonic_decreasing


# --- balance, duplicates, identifiers ------------------------------------------------------------

def test_class_balance_and_rare_class():
    df = cohort(n=3000, seed=6, prevalence=0.02)
    report = bk.audit(df, "event", rare_class=0.05)
    counts = df["event"].value_counts()
    assert report.class_balance.loc["1", "count"] == counts[1]
    assert report.class_balance.loc["1", "share"] == pytest.approx(counts[1] / len(df))
    assert any("class 1 is rare" in m for m in messages(report, "Target"))
    assert not any("rare" in m for m in messages(bk.audit(df, "event", rare_class=0.01)))


def test_duplicates_agree_with_pandas_duplicated(problems):
    df, report = problems
    flat = df.reset_index()  # the patient_id index is a column of the audit
    table = report.duplicates
    assert table.loc["exact (all columns)", "n_rows"] == flat.duplicated().sum() == 7
    ignoring = table.index[table.index.str.startswith("ignoring")][0]
    ids = report.identifiers.index.tolist()
    assert table.loc[ignoring, "n_rows"] == flat.drop(columns=ids).duplicated().sum()
    assert any("7 rows repeat" in m for m in messages(report, "Duplicates"))


def test_duplicates_ignoring_ids_and_conflicting_labels():
    df = cohort(n=500, seed=7).reset_index()
    copy = df.iloc[:4].assign(patient_id=np.arange(9001, 9005))  # same records, new ids
    flipped = df.iloc[10:13].assign(patient_id=np.arange(9101, 9104), event=1 - df["event"].iloc[10:13])
    report = bk.audit(pd.concat([df, copy, flipped], ignore_index=True), "event", id_columns="patient_id")
    table = report.duplicates
    assert table.iloc[0]["n_rows"] == 0  # the ids differ
    assert table.iloc[1]["n_rows"] == 4
    assert table.loc["same features, different target", "n_rows"] == 6  # 3 pairs
    assert table.loc["same features, different target", "n_groups"] == 3
    # a copy whose outcome is unknown does not disagree with anything
    unknown = df.iloc[20:22].assign(patient_id=[9201, 9202], event=np.nan)
    report = bk.audit(pd.concat([df, unknown], ignore_index=True), "event", id_columns="patient_id")
    assert report.duplicates.loc["same features, different target", "n_rows"] == 0


def test_identifier_like_columns_are_found(problems):
    _, report = problems
    ids = report.identifiers
    assert "distinct text" in ids.loc["code", "reasons"]
    assert "integer sequence" in ids.loc["serial", "reasons"]
    assert "name" in ids.loc["patient_id", "reasons"]
    assert not {"code", "serial", "patient_id"} & set(report.leakage.index)  # not treated as features
    assert {"age", "sbp", "lab_001"}.isdisjoint(ids.index)
    assert sum("looks like an identifier" in m for m in messages(report, "Identifiers")) == 3


def test_identifier_that_predicts_the_target_is_flagged():
    df = cohort(n=800, seed=8).sort_values("event").reset_index(drop=True)
    df["record_no"] = np.arange(len(df))  # numbered after sorting by outcome
    report = bk.audit(df, "event", id_columns=["record_no"])
    assert report.identifiers.loc["record_no", "given"]
    assert report.identifiers.loc["record_no", "auc"] == pytest.approx(1.0)
    assert any(f.severity == "high" and "record_no" in f.message for f in report.findings)


# --- leaks within one site ----------------------------------------------------------------------

def leaky_cohort(leaky_site, marker_leak=0.9):
    data, _ = bk.simulate.cohort(n=6000, n_sites=3, leaky_site=leaky_site, marker_leak=marker_leak,
                                 random_state=0)
    return data.frame


@pytest.fixture(scope="module")
def leaky():
    df = leaky_cohort(leaky_site="site_2")
    return df, bk.audit(df, target="event", site="site")


def flagged_pairs(report):
    table = report.site_leakage
    return list(zip(table.index[table.flag], table.site[table.flag]))


def test_marker_leaking_at_one_site_is_flagged_there_only(leaky):
    df, report = leaky
    assert flagged_pairs(report) == [("sample_tube", "site_2")]
    high = [m for m in messages(report, "Possible leaks") if "at site_2" in m]
    assert len(high) == 1 and "'sample_tube'" in high[0]
    assert [f.severity for f in report.findings if f.message == high[0]] == ["high"]
    # the whole-table screen misses it: the marker is noise at the other two sites
    assert not report.leakage.loc["sample_tube", "flag"]
    assert report.leakage.loc["sample_tube", "auc"] < 0.8
    assert "Univariable AUC within each site" in report.to_html()


def test_auc_within_and_outside_a_site_match_roc_auc_score(leaky):
    df, report = leaky
    table = report.site_leakage
    y = df["event"].to_numpy()
    for column in ["sample_tube", "age", "smoker", "crp"]:
        x = df[column].to_numpy(float)
        for site in ["site_1", "site_2", "site_3"]:
            row = table[(table.index == column) & (table.site == site)].iloc[0]
            at = (df["site"] == site).to_numpy()
            assert row.auc_in_site == pytest.approx(folded(y[at], x[at]), abs=1e-12)
            assert row.auc_elsewhere == pytest.approx(folded(y[~at], x[~at]), abs=1e-12)
            assert row.events_in_site == y[at].sum() and row.n_in_site == at.sum()
        assert (table.auc_overall[column] == report.leakage.loc[column, "auc"]).all()


def test_site_difference_p_value_matches_delong_standard_errors(leaky):
    # two disjoint sets of rows: z = difference / sqrt(se_site^2 + se_elsewhere^2), with the
    # DeLong standard errors of bk.validation.auc_ci (itself checked against pROC)
    df, report = leaky
    table = report.site_leakage
    y = df["event"].to_numpy()
    for column, site in [("age", "site_1"), ("sbp", "site_3"), ("sample_tube", "site_2")]:
        x = df[column].to_numpy(float)
        at = (df["site"] == site).to_numpy()
        inside, outside = bk.validation.auc_ci(y[at], x[at]), bk.validation.auc_ci(y[~at], x[~at])
        z = abs(inside.auc - outside.auc) / np.hypot(inside.se, outside.se)
        row = table[(table.index == column) & (table.site == site)].iloc[0]
        assert row.p_value == pytest.approx(2 * norm.sf(z), rel=1e-6, abs=1e-300)


def test_a_leak_at_several_sites_gives_one_finding(leaky):
    df, _ = leaky
    split = np.where(np.arange(len(df)) % 2 == 0, "a", "b")
    df = df.assign(site=np.where(df["site"] == "site_2", "site_2" + split, df["site"]))
    report = bk.audit(df, target="event", site="site")
    assert sorted(flagged_pairs(report)) == [("sample_tube", "site_2a"), ("sample_tube", "site_2b")]
    found = [m for m in messages(report, "Possible leaks") if "sample_tube" in m]
    assert len(found) == 1 and "at 2 sites" in found[0]


def test_no_site_leak_flag_without_the_leak():
    for df in [leaky_cohort(leaky_site=None), leaky_cohort(leaky_site="site_2", marker_leak=0.0)]:
        report = bk.audit(df, target="event", site="site")
        assert len(report.site_leakage) > 0 and flagged_pairs(report) == []
        assert not any("predicts the target at" in m for m in messages(report))
    assert bk.audit(df, target="event").site_leakage is None


def test_categorical_marker_is_screened_by_out_of_fold_means(leaky):
    df, _ = leaky
    df = df.assign(tube=np.where(df["sample_tube"] == 1, "red", "grey")).drop(columns="sample_tube")
    report = bk.audit(df, target="event", site="site")
    assert flagged_pairs(report) == [("tube", "site_2")]
    at = (df["site"] == "site_2").to_numpy()
    row = report.site_leakage.loc["tube"].set_index("site").loc["site_2"]
    assert row.auc_in_site == pytest.approx(folded(df["event"][at], df["tube"][at] == "red"), abs=0.01)


def test_many_distinct_values_are_merged_into_ranks_with_a_close_auc(leaky):
    df, _ = leaky
    rng = np.random.default_rng(0)
    df = df.assign(score=df["event"] * 0.8 + rng.normal(0, 1, len(df)))  # 6000 distinct values
    table = bk.audit(df, target="event", site="site").site_leakage.loc["score"].set_index("site")
    for site in ["site_1", "site_2", "site_3"]:
        at = (df["site"] == site).to_numpy()
        assert table.loc[site, "auc_in_site"] == pytest.approx(folded(df["event"][at], df["score"][at]),
                                                               abs=1e-3)


def test_small_and_one_class_sites_are_not_screened_and_named(clean):
    df = clean.assign(site=np.where(np.arange(len(clean)) % 2 == 0, "a", "b"))
    tiny = df.iloc[:40].assign(site="tiny", event=[1] * 3 + [0] * 37)
    healthy = df.iloc[40:70].assign(site="healthy", event=0)
    both = pd.concat([df, tiny.rename(index=lambda i: i + 10**6), healthy.rename(index=lambda i: i + 2 * 10**6)])
    report = bk.audit(both, target="event", site="site")
    assert set(report.site_leakage.site) == {"a", "b"}
    low = [f for f in report.findings if f.section == "Possible leaks" and f.severity == "low"]
    assert len(low) == 1 and "healthy, tiny" in low[0].message
    section = next(s for s in report.sections if s.title == "Possible leaks")
    assert "2 of 4 sites screened" in section.text
    assert "healthy (0 events, 30 non-events), tiny (3 events, 37 non-events)" in section.text


def test_multiclass_target_screens_each_class_against_the_rest():
    df = leaky_cohort(leaky_site="site_2")
    rng = np.random.default_rng(42)  # not the simulator's seed, which drew the sites alike
    df["stage"] = rng.choice(["I", "II", "III"], len(df))
    at = (df["site"] == "site_2").to_numpy()
    df["marker"] = np.where(at, (df["stage"] == "III") + rng.normal(0, 0.2, len(df)), rng.normal(0, 1, len(df)))
    report = bk.audit(df.drop(columns=["event", "sample_tube"]), "stage", site="site")
    assert flagged_pairs(report) == [("marker", "site_2")]
    row = report.site_leakage.loc["marker"].set_index("site").loc["site_2"]
    assert row["class"] == "III"
    assert row.auc_in_site == pytest.approx(folded(df["stage"][at] == "III", df["marker"][at]), abs=1e-3)


def test_auc_and_delong_se_from_counts_match_auc_ci_with_ties():
    from biomedkit._audit.stats import auc_se_of_table

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (2, 400))
    x = rng.integers(0, 12, (2, 400)) + 2 * y  # few values: many ties
    pos = np.array([np.bincount(x[i], weights=y[i], minlength=14) for i in range(2)])
    total = np.array([np.bincount(x[i], minlength=14) for i in range(2)])
    auc, se = auc_se_of_table(pos, total)
    for i in range(2):
        reference = bk.validation.auc_ci(y[i], x[i])
        assert auc[i] == pytest.approx(roc_auc_score(y[i], x[i]), abs=1e-12)
        assert se[i] == pytest.approx(reference.se, rel=1e-9)


# --- sites, groups, time -------------------------------------------------------------------------

def test_shifted_site_is_separable_and_its_feature_is_named(problems, clean):
    df, report = problems
    assert report.separability.loc["sites", "auc"] > 0.75
    assert report.site_features.index[0] == "lab_001"
    assert report.site_features.loc["lab_001", "site"] == "site_3"
    assert any("lab_001" in m for m in messages(report, "Sites"))
    # prevalence by site, checked against pandas and statsmodels' Wilson interval
    by_site = report.by_site
    expected = df.groupby("site", observed=True)["event"].agg(["size", "sum", "mean"])
    np.testing.assert_array_equal(by_site["n"], expected["size"])
    np.testing.assert_allclose(by_site["prevalence"], expected["mean"])
    low, high = proportion_confint(expected["sum"], expected["size"], method="wilson")
    np.testing.assert_allclose(by_site["prevalence_low"], low)
    np.testing.assert_allclose(by_site["prevalence_high"], high)
    # without the shift, sites drawn alike are not separable
    same = clean.assign(site=np.random.default_rng(0).choice(["a", "b", "c"], len(clean)))
    assert bk.audit(same, "event", site="site").separability.loc["sites", "auc"] < 0.6


def test_group_and_time_tables_match_groupby(clean):
    rng = np.random.default_rng(2)
    df = clean.assign(admitted=pd.Timestamp("2018-03-01")
                      + pd.to_timedelta(rng.integers(0, 4 * 365, len(clean)), "D"))
    df["band"] = pd.cut(df["age"], [0, 50, 70, 200], labels=["<50", "50-70", "70+"])
    report = bk.audit(df, "event", group="band", time="admitted")
    expected = df.groupby("band", observed=True)["event"].agg(["size", "mean"])
    np.testing.assert_array_equal(report.by_group.loc[["<50", "50-70", "70+"], "n"], expected["size"])
    np.testing.assert_allclose(report.by_group.loc[["<50", "50-70", "70+"], "prevalence"], expected["mean"])
    years = df.groupby(df["admitted"].dt.year)["event"].agg(["size", "mean"])
    assert report.by_time.index.tolist() == [str(y) for y in years.index]
    np.testing.assert_array_equal(report.by_time["n"], years["size"])
    np.testing.assert_allclose(report.by_time["prevalence"], years["mean"])
    assert "<h3>Groups</h3>" in report.to_html() and "<h3>Time</h3>" in report.to_html()
    quarterly = bk.audit(df, "event", time="admitted", time_freq="Q").by_time
    assert quarterly.index[0] == "2018Q1" and quarterly["n"].sum() == len(df)


def test_time_trend_in_prevalence_is_reported():
    df = cohort(n=3000, seed=9)
    year = np.where(df["event"] == 1, np.random.default_rng(0).choice([2019, 2020], len(df)), 2018)
    df["year"] = np.where(np.random.default_rng(1).random(len(df)) < 0.5, year, 2019)
    report = bk.audit(df, "event", time="year")
    assert report.by_time.index.tolist() == ["2018", "2019", "2020"]
    assert any("changes over time" in m for m in messages(report, "Time"))


# --- training and test ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def split(clean):
    train = clean.iloc[:1400]
    test = pd.concat([clean.iloc[1400:], clean.iloc[:20]])  # 20 training patients again
    test = test.assign(lab_002=test["lab_002"] + 0.6)  # drift; the 20 rows no longer match exactly
    test.iloc[-5:, test.columns.get_loc("lab_002")] = clean["lab_002"].iloc[15:20]  # these 5 do
    return train, test


def test_overlap_of_patients_and_rows(split):
    train, test = split
    report = bk.audit(train, "event", test=test)
    overlap = report.overlap
    assert overlap.loc["identifier patient_id", "n_test_rows"] == test.index.isin(train.index).sum() == 20
    shared_rows = test.reset_index().merge(train.reset_index(), how="inner").shape[0]
    assert overlap.loc["rows, all shared columns", "n_test_rows"] == shared_rows == 5
    assert overlap.loc["rows, ignoring identifiers", "n_test_rows"] == 5
    high = [f.message for f in report.findings if f.severity == "high" and f.section == "Train/test"]
    assert high[0].startswith("20 test rows have a patient_id that is also in the training rows")
    assert high[1].startswith("5 test rows are identical to a training row")
    assert len(high) == 2
    assert "<h3>Train/test</h3>" in report.to_html()


def test_same_record_under_a_new_id_in_test(clean):
    train, test = clean.iloc[:500], clean.iloc[500:700]
    copies = clean.iloc[:3].rename(index=lambda i: i + 100_000)  # new patient ids
    report = bk.audit(train, "event", test=pd.concat([test, copies]))
    assert report.overlap.loc["rows, all shared columns", "n_test_rows"] == 0
    assert report.overlap.loc["rows, ignoring identifiers", "n_test_rows"] == 3
    assert any("apart from the identifier" in m for m in messages(report, "Train/test"))


def test_drift_statistics_match_scipy_ks_2samp_and_hand_smd(split):
    train, test = split
    drift = bk.audit(train, "event", test=test).drift
    for column in ["lab_002", "age", "smoker", "bmi"]:
        a, b = train[column].to_numpy(float), test[column].to_numpy(float)
        ks = ks_2samp(a, b, method="asymp")
        assert drift.loc[column, "ks"] == pytest.approx(ks.statistic, abs=1e-12)
        assert drift.loc[column, "p_value"] == pytest.approx(ks.pvalue, rel=1e-9, abs=1e-300)
        smd = (b.mean() - a.mean()) / np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
        assert drift.loc[column, "smd"] == pytest.approx(smd, rel=1e-10)
    assert drift.index[drift.flag].tolist() == ["lab_002"]
    tvd = 0.5 * (train["group"].value_counts(normalize=True)
                 - test["group"].value_counts(normalize=True)).abs().sum()
    assert drift.loc["group", "tvd"] == pytest.approx(tvd)


def test_categorical_and_missingness_drift_are_flagged(clean):
    train, test = clean.iloc[:1000], clean.iloc[1000:].copy()
    test["group"] = "B"  # the case mix changed
    test["crp"] = test["crp"].where(np.arange(len(test)) % 2 == 0)  # half missing in test only
    report = bk.audit(train, "event", test=test)
    assert report.drift.loc["group", "tvd"] == pytest.approx((train["group"] == "A").mean())
    assert report.drift.loc["group", "flag"] and report.drift.loc["crp", "flag"]
    assert report.drift.loc["crp", "missing_test"] == pytest.approx(0.5, abs=0.001)
    assert report.separability.loc["train vs test", "auc"] > 0.75


def test_split_column_gives_the_same_drift_as_a_test_frame(split):
    train, test = split
    stacked = pd.concat([train.assign(part="train"), test.assign(part="test")])
    by_column = bk.audit(stacked, "event", test="part").drift
    by_frame = bk.audit(train, "event", test=test).drift
    pd.testing.assert_frame_equal(by_column.sort_index(), by_frame.sort_index())


# --- mixed types, rendering, input handling ------------------------------------------------------

@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(3)
    n = 300
    y = rng.integers(0, 2, n)
    return pd.DataFrame({
        "y": np.where(y == 1, "case", "control"),
        "flag": rng.random(n) < 0.3,
        "nullable": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(0, 5, n)), dtype="Int64"),
        "colour": pd.Categorical(rng.choice(["red", "green", None], n)),
        "text": pd.array(rng.choice(["a", "b", "c"], n), dtype="string"),
        "when": pd.date_range("2020-01-01", periods=n, freq="D", tz="Europe/Paris"),
        "span": pd.to_timedelta(rng.integers(0, 100, n), "h"),
        "empty": np.nan,
        "constant": 7,
        "listy": [[k % 3] for k in range(n)],
        "score": y + rng.normal(0, 2, n),
    })


def test_mixed_dtypes_all_missing_and_constant_columns(mixed):
    report = bk.audit(mixed, "y", time="when", positive="case")
    kinds = report.columns["kind"]
    assert kinds["flag"] == "numeric" and kinds["when"] == "datetime"
    assert kinds["colour"] == "categorical" and kinds["listy"] == "categorical"
    assert report.columns.loc["empty", "n_missing"] == len(mixed)
    assert np.isnan(report.leakage.loc["empty", "auc"])
    assert report.leakage.loc["constant", "auc"] == 0.5
    assert any("entirely missing" in m for m in messages(report))
    assert any("constant" in m and "constant" in m for m in messages(report))
    expected = folded(mixed["y"] == "case", mixed["score"])
    assert report.leakage.loc["score", "auc"] == pytest.approx(expected, abs=1e-12)
    assert report.class_balance.index.tolist() == ["case", "control"]


def test_does_not_mutate_its_inputs(problems, split, mixed):
    df, _ = problems
    train, test = split
    for frame, kwargs in [(df, dict(site="site", group="group")), (train, dict(test=test)),
                          (mixed, dict(time="when", positive="case"))]:
        before = frame.copy(deep=True)
        test_before = test.copy(deep=True)
        bk.audit(frame, "y" if "y" in frame else "event", **kwargs)
        pd.testing.assert_frame_equal(frame, before)
        pd.testing.assert_frame_equal(test, test_before)


def test_html_markdown_and_save(problems, tmp_path):
    _, report = problems
    page = report._repr_html_()
    for section in ["Findings", "Overview", "Missing values", "Target", "Duplicates", "Identifiers",
                    "Possible leaks", "Sites", "Groups"]:
        assert f"<h3>{section}</h3>" in page
    assert "troponin_after" in page and "<table" in page
    assert "## Possible leaks" in report.to_markdown()
    saved = report.save(tmp_path / "audit.html").read_text(encoding="utf-8")
    assert saved.startswith("<!DOCTYPE html>") and "Possible leaks" in saved
    assert "# Data audit" in report.save(tmp_path / "audit.md").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="path must end in .md or .html"):
        report.save(tmp_path / "audit.pdf")
    frame = report.findings_frame()
    order = {"high": 0, "medium": 1, "low": 2}
    assert frame.severity.map(order).is_monotonic_increasing
    assert "findings" in repr(report)


def test_html_escapes_user_text():
    df = cohort(n=300, seed=11).rename(columns={"lab_001": "<script>x</script>"})
    page = bk.audit(df, "event", leak_auc=0.55)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(target="outcome"), ValueError, r"target='outcome' is not a column of df"),
    (dict(target="event", site="hospital"), ValueError, r"site='hospital' is not a column"),
    (dict(target="event", group="sex"), ValueError, r"group='sex' is not a column"),
    (dict(target="event", time="date"), ValueError, r"time='date' is not a column"),
    (dict(target="event", id_columns=["mrn"]), ValueError, r"id_columns='mrn' is not a column"),
    (dict(target="event", test="split"), ValueError, r"test='split' is not a column"),
    (dict(target="event", site="event"), ValueError, r"site and target are the same column"),
    (dict(target="one"), ValueError, r"target 'one' has only one class"),
    (dict(target="age"), ValueError, r"target 'age' has \d+ distinct values"),
    (dict(target="event", positive=2), ValueError, r"positive=2 is not a class"),
    (dict(target="event", group="one"), ValueError, r"group='one' has one level only"),
    (dict(target="event", test="female"), ValueError, r"test=.* must have two values|marking"),
    (dict(target="event", test="age"), ValueError, r"test='age' must have two values"),
    (dict(target="event", leak_auc=0.3), ValueError, r"leak_auc must be a number in \(0.5, 1\]"),
    (dict(target="event", max_rows=10), ValueError, r"max_rows must be an integer >= 100"),
    (dict(target="event", time="age", time_freq=3), ValueError, r"time_freq must be a pandas"),
    (dict(target="event", time="when", time_freq="fortnight"), ValueError, r"time_freq='fortnight'"),
    (dict(target="event", time="words"), ValueError, r"time='words' must hold dates"),
])
def test_bad_input_names_the_argument(kwargs, error, match):
    df = cohort(n=200, seed=12).assign(one=1, when=pd.Timestamp("2020-01-01"), words="not a date")
    df["when"] = df["when"] + pd.to_timedelta(np.arange(len(df)), "D")
    df["female"] = df["female"] * 2  # values 0 and 2: no value marks test rows
    with pytest.raises(error, match=match):
        bk.audit(df, **kwargs)


def test_df_must_be_a_dataframe():
    with pytest.raises(TypeError, match="df must be a pandas DataFrame"):
        bk.audit(np.zeros((5, 2)), 0)
    with pytest.raises(ValueError, match="test is an empty DataFrame"):
        bk.audit(cohort(n=100), "event", test=cohort(n=100).iloc[:0])


# --- leaks of a follow-up table: time and event columns behind a derived outcome -------------

@pytest.fixture(scope="module")
def follow_up():
    """GBSG2 (real, lifelines) with the outcome 'recurrence or death within 2 years' derived
    from its follow-up time and event flag, as lesson 24 does; age_band is a legitimate text
    column, futime_noise and the other names decoys."""
    import warnings

    from lifelines.datasets import load_gbsg2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the rows censored before 2 years
        df = bk.datasets.binary_at_horizon(load_gbsg2(), time="time", event="cens", horizon=730)
    return df, bk.audit(df, "event_by_horizon")


def test_time_and_event_columns_behind_a_derived_outcome_are_high_leaks(follow_up):
    df, report = follow_up
    leaks = {f.column: f for f in report.findings if f.section == "Possible leaks"}
    assert set(leaks) == {"time", "cens"}
    assert {f.severity for f in leaks.values()} == {"high"}
    assert "looks like a follow-up time" in leaks["time"].message
    assert "looks like an event indicator and fixes the target on one side" in leaks["cens"].message
    table = report.leakage
    assert table.loc["time", "reason"] == "AUC, one-sided, name"
    assert table.loc["cens", "reason"] == "one-sided, name"  # its AUC alone stays below 0.9
    assert table.loc["cens", "auc"] < 0.9
    assert table.loc[["time", "cens"], "looks_like"].tolist() == ["follow-up time", "event indicator"]
    assert not table.drop(index=["time", "cens"]).flag.any()  # the eight baseline predictors


def test_one_sided_share_and_p_value_match_pandas_and_scipy_hypergeom(follow_up):
    from scipy.stats import hypergeom

    df, report = follow_up
    y = df["event_by_horizon"]
    row = report.leakage.loc["cens"]
    censored = df["cens"] == 0
    assert (y[censored] == 0).all() and (y[~censored] == 1).any()  # cens = 0 fixes the target
    assert row.one_sided == pytest.approx(censored.mean(), abs=1e-12)
    assert row.one_sided_rule == "cens <= 0 -> 0"
    k, n, n_neg = int(censored.sum()), len(df), int((y == 0).sum())
    assert row.one_sided_p == pytest.approx(2 * hypergeom(n, n_neg, k).pmf(k), rel=1e-9)
    # the follow-up time: every woman followed past the last event before day 730 has target 0
    last_event = df.loc[y == 1, "time"].max()
    beyond = df["time"] > last_event
    assert report.leakage.loc["time", "one_sided"] == pytest.approx(beyond.mean(), abs=1e-12)
    assert (y[beyond] == 0).all()


def test_one_sided_run_by_hand():
    from biomedkit._audit.stats import one_sided

    # values 1..5 (rows) x labels (0, 1): 1 and 2 only label 0 (3 rows), 3 mixed, 4 and 5 label 1
    table = np.array([[2, 0], [1, 0], [1, 1], [0, 1], [0, 1]])
    k, label, side, cut, p = one_sided(table)
    assert (k, label, side, cut) == (3, 0, -1, 1)
    assert p == pytest.approx(2 * (4 / 7) * (3 / 6) * (2 / 5))  # C(4, 3) / C(7, 3), two sides
    assert one_sided(np.array([[1, 1], [2, 3]]))[:4] == (0, -1, 0, -1)  # mixed at both ends


def test_one_sided_run_matches_a_walk_over_the_sorted_rows():
    from biomedkit._audit.stats import one_sided

    def walk(table):  # the reference: walk value by value from each end, skipping empty ones
        best = (0, -1, 0, -1)
        for side, order in ((-1, range(len(table))), (1, range(len(table) - 1, -1, -1))):
            k, label, cut = 0, -1, -1
            for v in order:
                if table[v].sum() == 0:
                    continue
                labels = np.flatnonzero(table[v])
                if len(labels) > 1 or (label >= 0 and labels[0] != label):
                    break
                k, label, cut = k + table[v].sum(), labels[0], v
            if k > best[0]:
                best = (k, label, side, cut)
        return best

    rng = np.random.default_rng(6)
    for trial in range(40):
        n_values = int(rng.integers(1, 400))
        table = rng.multinomial(int(rng.integers(1, 4)), [0.5, 0.3, 0.2], size=n_values)[:, :2]
        if trial % 2:  # long pure runs at one end, past the first window of 64 values
            run = int(rng.integers(0, n_values + 1))
            table[:run, 1] = 0
        assert one_sided(table)[:4] == walk(table), trial


def test_follow_up_names_alone_are_medium_and_decoys_are_not_flagged():
    df = cohort(n=1000, seed=21)
    rng = np.random.default_rng(3)
    df["futime"] = rng.exponential(900, len(df)).round(1)  # unrelated to the event here
    df["smoking_status"] = rng.integers(0, 3, len(df))  # 'status', but not a follow-up column
    df["days_in_icu"] = rng.integers(0, 9, len(df))
    report = bk.audit(df, "event")
    leaks = [f for f in report.findings if f.section == "Possible leaks"]
    assert [(f.column, f.severity) for f in leaks] == [("futime", "medium")]
    assert "known only at the end of follow-up" in leaks[0].message
    assert report.leakage.loc[["smoking_status", "days_in_icu"], "looks_like"].tolist() == ["", ""]


def test_a_feature_that_fixes_the_target_on_one_side_is_flagged_without_a_name():
    df = cohort(n=1000, seed=22)
    rng = np.random.default_rng(4)
    marker = rng.normal(0, 1, len(df))
    # below zero the marker is only ever recorded for patients without the event
    df["marker"] = np.where((df["event"] == 0) & (rng.random(len(df)) < 0.4), -1 - rng.random(len(df)),
                            np.abs(marker))
    report = bk.audit(df, "event")
    row = report.leakage.loc["marker"]
    assert row.reason == "one-sided" and row.auc < 0.9 and row.one_sided > 0.2
    (finding,) = [f for f in report.findings if f.column == "marker"]
    assert finding.severity == "medium" and "fixes the target on one side of a cut" in finding.message


def test_a_distinct_follow_up_time_stays_a_feature_not_an_identifier():
    df = cohort(n=500, seed=23)
    df["futime"] = np.random.default_rng(5).permutation(len(df)) + 1  # an integer in every row
    df["serial"] = np.arange(len(df))
    report = bk.audit(df, "event")
    assert "futime" in report.leakage.index and "futime" not in report.identifiers.index
    assert "serial" in report.identifiers.index
