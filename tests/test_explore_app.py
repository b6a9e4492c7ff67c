"""The exploratory-analysis app's logic (biomedkit/_explore/), and its export for Jupyter.

Each check has an independent reference: pandas reading the same text, scikit-learn's
``cross_val_predict`` and ``roc_auc_score`` on the same folds, a hand-computed case, or the
bytes as written. The page itself is tested in tests/browser/test_explore_app_in_browser.py.
"""

from __future__ import annotations

import html
import io
import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

import biomedkit as bk
from biomedkit import _explore as ex
from biomedkit._explore import ui
from conftest import ROOT, marimo_export

APP = ROOT / "notebooks" / "apps" / "explore.py"
MODEL = "logistic regression"


def cohort(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """A small table as a researcher's CSV has it: ids, a date, a site, text and numbers."""
    rng = np.random.default_rng(seed)
    age = rng.normal(60, 10, n).round(1)
    sbp = rng.normal(130, 15, n).round()
    sex = rng.choice(["F", "M"], n)
    risk = 1 / (1 + np.exp(-(-2.0 + 0.06 * (age - 60) + 0.03 * (sbp - 130) + 0.5 * (sex == "M"))))
    frame = pd.DataFrame({
        "mrn": [f"P{i:05d}" for i in range(n)],
        "admitted": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
        "hospital": rng.choice(["North", "South", "East"], n),
        "sex": sex, "age": age, "sbp": sbp, "smoker": rng.choice(["yes", "no"], n),
        "outcome": (rng.random(n) < risk).astype(int)})
    frame.loc[rng.random(n) < 0.1, "sbp"] = np.nan
    return frame


def as_csv(frame: pd.DataFrame, **kwargs) -> bytes:
    return frame.to_csv(index=False, **kwargs).encode(kwargs.pop("encoding", "utf-8"))


# --- reading -----------------------------------------------------------------------------------

def test_read_csv_gives_what_pandas_reads_and_parses_iso_dates():
    frame = cohort()
    table = ex.read_csv(as_csv(frame), name="cohort.csv")
    reference = pd.read_csv(io.BytesIO(as_csv(frame)))
    reference["admitted"] = pd.to_datetime(reference["admitted"])
    pd.testing.assert_frame_equal(table.frame, reference)
    assert (table.encoding, table.separator) == ("utf-8", ",")
    assert [m.kind for m in table.messages] == ["info"] and "admitted" in table.messages[0].text


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_read_csv_reads_text_that_is_not_utf8_and_says_so(encoding):
    raw = "hôpital;âge;décès\nSaint-Étienne;61;1\nNîmes;47;0\n".encode(encoding)
    table = ex.read_csv(raw)
    assert list(table.frame.columns) == ["hôpital", "âge", "décès"]
    assert table.frame["hôpital"].tolist() == ["Saint-Étienne", "Nîmes"]  # as written
    assert table.separator == ";"
    assert any(m.kind == "warn" and "not UTF-8" in m.text for m in table.messages)


def test_read_csv_strips_a_byte_order_mark_and_reads_tabs():
    table = ex.read_csv("\ufeffage\tdied\n61\t1\n47\t0\n".encode("utf-8"))
    assert list(table.frame.columns) == ["age", "died"] and table.encoding == "utf-8"
    assert not any(m.kind == "warn" for m in table.messages)


@pytest.mark.parametrize("raw, words", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"PK\x03\x04 rest of a workbook", "spreadsheet"),
    (b"age,died\x00\x01\x02", "not a text file"),
    (b"age,died\n", "no rows"),
    (b"a,b\n1,2\n3,4,5,6\n", "could not be read"),
])
def test_read_csv_turns_unreadable_files_into_a_message(raw, words):
    table = ex.read_csv(raw, name="bad.csv")
    assert table.frame is None and not table.ok
    assert [m.kind for m in table.messages] == ["danger"]
    assert words in table.messages[0].text


def test_read_csv_makes_a_column_of_numbers_and_text_text_throughout():
    # pandas reads 262,144 rows at a time; the text starts in the second chunk.
    n = 270_000
    raw = ("code,y\n" + "".join(f"{i % 7},{i % 2}\n" for i in range(n)) + "unknown,0\n").encode()
    table = ex.read_csv(raw)
    assert set(table.frame["code"].map(type)) == {str}
    assert any(m.kind == "warn" and "code" in m.text for m in table.messages)


def test_read_csv_reads_a_path_and_names_a_missing_one(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_bytes(as_csv(cohort(50)))
    table = ex.read_csv(path)
    assert table.name == "cohort.csv" and table.frame.shape == (50, 8)
    missing = ex.read_csv(tmp_path / "nothing.csv")
    assert missing.frame is None and "no file" in missing.messages[0].text
    with pytest.raises(TypeError, match="source"):
        ex.read_csv(12)


def test_message_escapes_user_text():
    message = ex.Message("warn", "column <img src=x onerror=alert(1)> & more")
    assert message.to_html() == "<p>column &lt;img src=x onerror=alert(1)&gt; &amp; more</p>"


def test_bundled_datasets_are_the_real_tables():
    names = ex.bundled_datasets()
    assert "lung" in names and "breast_cancer" in names and "ihc" not in names
    table, hint = ex.load_bundled("lung")
    assert hint == "status" and table.frame.shape == (228, 10)
    with pytest.raises(ValueError, match="name must be one of"):
        ex.load_bundled("cohort")  # simulated, not a user's table


# --- roles -------------------------------------------------------------------------------------

def test_guess_roles_reads_names_and_values():
    roles = ex.guess_roles(cohort())
    assert roles == ex.Roles(target="outcome", group="sex", site="hospital", time="admitted", ids=["mrn"])
    with pytest.raises(TypeError, match="DataFrame"):
        ex.guess_roles([[1, 2]])


def test_guess_roles_prefers_a_named_outcome_and_keeps_a_binary_hint():
    frame = pd.DataFrame({"seqn": np.arange(1.0, 41.0), "smoker": [0, 1] * 20, "race": ["a", "b"] * 20,
                          "death": [0, 0, 1, 0] * 10, "wt_change": np.linspace(-5, 5, 40)})
    assert ex.guess_roles(frame).target == "death"
    assert ex.guess_roles(frame, target="smoker").target == "smoker"  # a binary hint is kept
    assert ex.guess_roles(frame, target="wt_change").target == "death"  # a named binary column first
    assert ex.guess_roles(frame).ids == ["seqn"]  # whole numbers, one per row
    # a non-binary column named like an outcome beats an unnamed binary flag
    three = frame.assign(outcome=[0, 1, 2, 1] * 10).drop(columns="death")
    assert ex.guess_roles(three).target == "outcome"
    # no name: the first text column with few levels is the group
    assert ex.guess_roles(frame.rename(columns={"race": "colour"})).group == "colour"


def test_check_roles_refuses_a_column_in_two_roles():
    messages = ex.check_roles(ex.Roles(target="outcome", group="sex", site="sex"))
    assert [m.kind for m in messages] == ["danger"] and "sex" in messages[0].text
    assert ex.check_roles(ex.Roles(target="outcome", group="sex")) == []


def test_default_leave_out_names_each_reason():
    frame = cohort(80).assign(empty=np.nan, constant=1, notes=[f"note {i}" for i in range(80)])
    out = ex.default_leave_out(frame, ex.guess_roles(frame))
    assert out["mrn"] == "identifier" and out["admitted"] == "time" and out["hospital"].startswith("site")
    assert out["empty"].startswith("empty") and out["constant"].startswith("constant")
    assert "notes" in ex.guess_roles(frame).ids  # distinct text in every row: an identifier
    few = frame.assign(notes=[f"note {i % 60}" for i in range(80)])  # 60 levels: free text
    assert ex.default_leave_out(few, ex.guess_roles(few))["notes"] == "text with 60 distinct values"
    assert {"sex", "age", "sbp", "smoker", "outcome"}.isdisjoint(out)


def test_audit_leave_out_takes_follow_up_times_not_strong_predictors():
    table, hint = ex.load_bundled("lung")
    rng = np.random.default_rng(0)
    frame = table.frame.assign(marker=table.frame["status"] + rng.normal(0, 0.3, len(table.frame)))
    audit = bk.audit(frame, "status", site="inst")
    assert audit.leakage.loc["marker", "flag"]  # a strong predictor the audit flags ...
    assert ex.audit_leave_out(audit) == {"time": "looks like a follow-up time (the audit)"}  # ... is kept
    assert ex.audit_leave_out(None) == {}


# --- the target --------------------------------------------------------------------------------

def test_check_target_refuses_more_than_two_classes_and_one_class():
    frame = pd.DataFrame({"grade": [0, 1, 2] * 20, "none": [0] * 60})
    three = ex.check_target(frame, "grade")
    assert three.fatal and three.audit_ok and "3 distinct values" in three.messages[0].text
    one = ex.check_target(frame, "none")
    assert one.fatal and not one.audit_ok and "one class only" in one.messages[0].text
    continuous = ex.check_target(pd.DataFrame({"y": np.linspace(0, 1, 40)}), "y")
    assert continuous.fatal and not continuous.audit_ok
    with pytest.raises(ValueError, match="not a column"):
        ex.check_target(frame, "missing")


def test_check_target_counts_missing_values_and_few_events():
    y = np.r_[np.zeros(30), np.ones(15), np.full(5, np.nan)]
    check = ex.check_target(pd.DataFrame({"y": y}), "y")
    assert not check.fatal and check.counts == [30, 15] and check.positive == 1
    assert check.messages[0].kind == "warn" and "5 rows (10.0%)" in check.messages[0].text
    few = ex.check_target(pd.DataFrame({"y": [0] * 30 + [1] * 9}), "y")
    assert few.fatal and "Only 9 rows" in few.messages[0].text


@pytest.mark.parametrize("values, positive", [
    (["no", "yes"] * 10 + ["no"] * 5, "yes"),
    (["alive"] * 5 + ["dead"] * 20, "dead"),  # named, though the more frequent
    (["a"] * 15 + ["b"] * 12, "b"),  # no meaning: the rarer class
    ([True, False] * 12, True),
])
def test_default_positive(values, positive):
    assert ex.check_target(pd.DataFrame({"y": values}), "y").positive == positive


# --- the data for the models -------------------------------------------------------------------

def test_model_data_drops_unlabelled_rows_and_leaves_the_caller_frame_alone():
    frame = cohort(120)
    frame.loc[:9, "outcome"] = np.nan
    before = frame.copy()
    roles = ex.guess_roles(frame)
    data = ex.model_data(frame, roles, 1, leave_out=["mrn", "hospital"])
    pd.testing.assert_frame_equal(frame, before)
    assert data.n_labelled == 110 and len(data.y) == 110 and not data.sampled
    np.testing.assert_array_equal(data.y, frame["outcome"].iloc[10:].astype(int))
    assert list(data.X.columns) == ["admitted", "sex", "age", "sbp", "smoker"]
    # the date as days since 1970, by hand for the first labelled row
    expected = (frame["admitted"].iloc[10] - pd.Timestamp("1970-01-01")).days
    assert data.X["admitted"].iloc[0] == expected
    assert data.X.index.tolist() == frame["mrn"].iloc[10:].tolist()  # the identifier labels the rows
    assert isinstance(data.X["sex"].dtype, pd.CategoricalDtype)
    assert data.groups.tolist() == frame["sex"].iloc[10:].tolist()
    with pytest.raises(ValueError, match="no features"):
        ex.model_data(frame, roles, 1, leave_out=list(frame.columns))


def test_model_data_samples_a_large_table_and_says_so():
    frame = cohort(12_000, seed=1)
    data = ex.model_data(frame, ex.guess_roles(frame), 1, max_cells=10_000)
    assert data.sampled and len(data.y) == ex.MIN_SAMPLE_ROWS and data.n_labelled == 12_000
    assert repr(data).startswith("<ModelData: 5000 rows x 7 features") and "of 12000 labelled rows" in repr(data)
    assert "random sample of 5,000 of the 12,000" in data.messages[0].text
    assert data.X.index.is_monotonic_increasing  # the rows keep their order
    again = ex.model_data(frame, ex.guess_roles(frame), 1, max_cells=10_000)
    assert data.X.index.equals(again.X.index)  # the same sample every time
    assert not ex.model_data(frame, ex.guess_roles(frame), 1, max_cells=None).sampled


def test_sample_rows_keeps_small_tables_whole():
    frame = cohort(100)
    same, sampled = ex.sample_rows(frame, 10)
    assert same is frame and not sampled
    big, sampled = ex.sample_rows(cohort(6000), 8 * 1000)
    assert sampled and len(big) == ex.MIN_SAMPLE_ROWS
    with pytest.raises(ValueError, match="max_cells"):
        ex.sample_rows(frame, 0)


def test_labels_and_pooled_sites():
    assert ex.labels(pd.Series([1.0, 2.0, np.nan, 2.5])).tolist() == ["1", "2", "(missing)", "2.5"]
    sites = np.array(["a"] * 40 + ["b"] * 40 + ["c"] * 6)
    y = np.r_[[0, 1] * 20, [0, 1] * 20, [0, 0, 0, 0, 1, 1]]
    pooled, small = ex.pool_small_sites(sites, y)
    assert small == ["c"] and set(pooled) == {"a", "b", ex.OTHER_SITES}
    assert ex.pool_small_sites(sites[:80], y[:80])[1] == []


# --- the baselines -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fitted():
    frame = cohort(400, seed=3)
    data = ex.model_data(frame, ex.guess_roles(frame), 1, leave_out=["mrn", "hospital", "admitted"])
    steps = []
    return data, ex.fit_baselines(data.X, data.y, on_step=steps.append), steps


def test_out_of_fold_risks_are_those_of_scikit_learn(fitted):
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    data, result, steps = fitted
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    for name, estimator in ex.baseline_models().items():
        reference = cross_val_predict(estimator, data.X, data.y, cv=folds, method="predict_proba")[:, 1]
        np.testing.assert_allclose(result.risks[name], reference, rtol=1e-6, atol=1e-9)
        assert result.to_frame().loc[name, "auc"] == pytest.approx(roc_auc_score(data.y, reference), abs=1e-12)
    assert len(steps) == 10 and steps[-1] == "gradient boosting: fold 5 of 5"
    table = result.to_frame()
    assert (table.auc_low < table.auc).all() and (table.auc < table.auc_high).all()
    difference = roc_auc_score(data.y, result.risks["gradient boosting"]) - roc_auc_score(
        data.y, result.risks["logistic regression"])
    assert result.compare().difference == pytest.approx(difference, abs=1e-12)
    assert "400 rows, 5-fold" in repr(result)


def test_the_validation_report_reads_the_out_of_fold_risks(fitted):
    from sklearn.metrics import roc_auc_score

    data, result, _ = fitted
    model = result.cross_validated("logistic regression")
    report = bk.validation.ValidationReport(model, data.X, data.y, n_boot=20)
    assert report.auc_.auc == pytest.approx(roc_auc_score(data.y, result.risks["logistic regression"]), abs=1e-12)
    card = report.model_card()  # the pipeline's steps, readable and without memory addresses
    assert "- Type: Pipeline: ColumnTransformer → LogisticRegression\n" in card and "0x" not in card
    with pytest.raises(ValueError, match="only the rows"):
        model.predict_proba(data.X.iloc[:10])


@pytest.mark.parametrize("y, thresholds", [
    ([0] * 84 + [1] * 16, (0.08, 0.16, 0.58)),  # by hand: 0.16 / 2, 0.16, 0.16 + 0.84 / 2
    ([1] * 72 + [0] * 28, (0.36, 0.72, 0.86)),
    ([1] + [0] * 999, (0.01, 0.5)),  # 0.0005 and 0.001 both become 0.01
])
def test_report_thresholds_sit_around_the_prevalence(y, thresholds):
    assert ex.report_thresholds(y) == thresholds
    with pytest.raises(ValueError, match="y"):
        ex.report_thresholds([0, 2])


def test_the_explained_rows_are_unseen_by_the_explained_model(fitted):
    data, result, _ = fitted
    rows, background = ex.explanation_data(result, data.X)
    assert rows.index.equals(data.X.index[result.folds == 0])
    assert set(background.index).isdisjoint(rows.index) and len(background) == 100
    for name, model in result.held_out_models.items():  # their risks are their out-of-fold risks
        np.testing.assert_allclose(model.predict_proba(rows)[:, 1], result.risks[name][result.folds == 0])
    assert ex.explanation_data(result, data.X)[1].index.equals(background.index)


def test_temporal_split_puts_every_earlier_time_before_every_later_one():
    times = pd.Series(pd.to_datetime(["2021-01-05", "2021-03-01", None, "2021-03-01", "2022-07-09", "2021-02-01",
                                      "2023-01-01", "2022-01-01", "2021-06-30", "2020-12-31"] * 8))
    block = np.array([1, 0, 0, 1, 1, 0, 0, 1, 0, 1])  # half the earlier and half the later rows are events
    y = np.concatenate([block if k % 2 == 0 else 1 - block for k in range(8)])
    split, messages = ex.temporal_split(times, y, fraction=0.5)
    assert messages == [] and split.n_missing == 8
    assert times[split.train].max() == split.cut < times[split.test].min()  # no time on both sides
    assert not (split.train & split.test).any() and (split.train | split.test).sum() == 72
    assert split.train.sum() == 40 and split.cut_text == "2021-03-01"  # the tie at the cut goes earlier
    text, _ = ex.temporal_split(times.dt.strftime("%d/%m/%Y").where(times.notna()), y, fraction=0.5)
    assert text is not None and (text.train == split.train).all()  # dates written as text read as dates
    years, _ = ex.temporal_split(np.repeat([2019.0, 2020, 2021, 2022], 20), np.tile([0, 1], 40), fraction=0.5)
    assert years.cut_text == "2020" and years.train.sum() == 40


def test_temporal_split_says_why_when_a_side_lacks_events():
    y = np.r_[np.zeros(30, int), np.ones(10, int)]  # every event in the last quarter of time
    split, messages = ex.temporal_split(np.arange(40), y, fraction=0.7)
    assert split is None and "the earlier rows have 0 events" in messages[0].text


def test_temporal_validation_is_a_fit_on_the_earlier_rows(fitted):
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score

    data, _, _ = fitted
    times = np.arange(len(data.y))[::-1]  # the last rows are the earliest
    result, messages = ex.temporal_validation(data.X, data.y, times)
    assert messages == [] and result.split.train.sum() == 280 and result.split.test.sum() == 120
    for name, estimator in ex.baseline_models().items():
        model = clone(estimator).fit(data.X[result.split.train], data.y[result.split.train])
        risk = model.predict_proba(data.X[result.split.test])[:, 1]
        np.testing.assert_allclose(result.risks[name], risk, rtol=1e-6, atol=1e-9)
        assert result.to_frame().loc[name, "auc"] == pytest.approx(
            roc_auc_score(data.y[result.split.test], risk), abs=1e-9)
    assert result.to_frame().loc[MODEL, "o_e"] == pytest.approx(
        data.y[result.split.test].sum() / result.risks[MODEL].sum())


def test_fit_baselines_checks_its_arguments(fitted):
    data, _, _ = fitted
    with pytest.raises(TypeError, match="X must be a pandas DataFrame"):
        ex.fit_baselines(data.X.to_numpy(), data.y)
    with pytest.raises(ValueError, match="y has 10 values"):
        ex.fit_baselines(data.X, data.y[:10])
    with pytest.raises(ValueError, match="only one class"):
        ex.fit_baselines(data.X, np.zeros(len(data.y), int))
    with pytest.raises(ValueError, match="models must be a subset"):
        ex.fit_baselines(data.X, data.y, models=["random forest"])
    with pytest.raises(ValueError, match="n_splits"):
        ex.fit_baselines(data.X, data.y, n_splits=1)
    with pytest.raises(ValueError, match="random_state must be an integer"):
        ex.fit_baselines(data.X, data.y, random_state=np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_jobs"):
        ex.baseline_models(n_jobs=0)
    with pytest.raises(ValueError, match="rarer class"):
        ex.fit_baselines(data.X, np.r_[1, np.zeros(len(data.y) - 1, int)])


# --- downloads and the app file ----------------------------------------------------------------

def test_markdown_to_html_keeps_user_strings_as_text():
    card = "# Model card\n\n- Factors: <img src=x onerror=alert(1)>\n\n| a | b |\n| --- | --- |\n| 1 | <b>2</b> |\n"
    page = ex.markdown_to_html(card, "Model <card>")
    assert "<img" not in page and "<b>2" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;2&lt;/b&gt;" in page
    assert "<table>" in page and "<h1>Model card</h1>" in page and "<title>Model &lt;card&gt;</title>" in page
    assert ex.report_page("<p>x</p>", "R").startswith("<!DOCTYPE html>")


# --- the app as a Jupyter notebook (marimo export ipynb) -------------------------------------

def exported(tmp_path) -> nbformat.NotebookNode:
    return nbformat.read(marimo_export(APP, tmp_path / "explore.ipynb"), as_version=4)


def choose(notebook, code: str) -> None:
    """A researcher's choices, made after the controls' cell as clicks would make them."""
    at = next(i for i, c in enumerate(notebook.cells) if "source = ui.radio" in c.source)
    notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(code))


def hooks(notebook) -> dict:
    """The hidden JSON each hook cell printed, by test id."""
    found = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for match in re.finditer(r"data-testid='(bk-python-[a-z]+)' hidden[^>]*>([^<]*)</pre>",
                                     output.get("data", {}).get("text/html", "")):
                found[match.group(1)] = json.loads(html.unescape(match.group(2)))
    return found


def test_the_exported_notebook_runs_the_same_workflow_in_jupyter(tmp_path):
    from nbclient import NotebookClient

    hostile = "<img src=x onerror=alert(1)>"
    frame = cohort(400, seed=3).rename(columns={"smoker": hostile})
    frame.to_csv(tmp_path / "my_cohort.csv", index=False)
    notebook = exported(tmp_path)
    choose(notebook, 'source.value = "A CSV on this computer"\npath.value = "my_cohort.csv"')
    NotebookClient(notebook, timeout=600, kernel_name="python3").execute(cwd=str(tmp_path))

    shown = hooks(notebook)
    table = ex.read_csv(tmp_path / "my_cohort.csv").frame
    roles = ex.guess_roles(table)
    assert shown["bk-python-audit"]["roles"] == {"target": "outcome", "group": "sex", "site": "hospital",
                                                 "time": "admitted", "ids": ["mrn"]}
    audit = bk.audit(table, "outcome", group="sex", site="hospital", id_columns=["mrn"], time="admitted", positive=1)
    assert shown["bk-python-audit"]["findings"] == [str(f) for f in audit.findings]
    leave_out = {**ex.default_leave_out(table, roles), **ex.audit_leave_out(audit)}
    data = ex.model_data(table, roles, 1, leave_out=list(leave_out))
    reference = ex.fit_baselines(data.X, data.y).to_frame()
    for model, row in shown["bk-python-baselines"]["table"].items():
        assert row["auc"] == pytest.approx(reference.loc[model, "auc"], abs=1e-12)
        assert row["auc_low"] == pytest.approx(reference.loc[model, "auc_low"], abs=1e-12)
    temporal, _ = ex.temporal_validation(data.X, data.y, data.times)  # the admission dates split the rows
    assert shown["bk-python-temporal"]["n_test"] == temporal.split.test.sum() > 0
    for model, row in shown["bk-python-temporal"]["table"].items():
        assert row["auc"] == pytest.approx(temporal.to_frame().loc[model, "auc"], abs=1e-12)
    card = shown["bk-python-card"]
    lr = reference.loc["logistic regression"]
    assert card["model"] == "logistic regression"
    assert f"- AUC {lr.auc:.3f} (95% CI {lr.auc_low:.3f} to {lr.auc_high:.3f})" in card["card"]
    outputs = json.dumps([c.get("outputs", []) for c in notebook.cells])
    assert "FairnessExplorer" in outputs and "ExplanationExplorer" in outputs  # both explorers displayed
    assert "download='model_card.md'" in outputs and "download='validation_report.html'" in outputs
    markup = [o.get("data", {}).get("text/html", "") for c in notebook.cells for o in c.get("outputs", [])]
    assert not any(hostile in m for m in markup)  # a column name stays text in every HTML output
    assert any(html.escape(hostile) in m for m in markup)


def test_the_exported_notebook_runs_to_the_end_without_a_group_or_a_time(tmp_path):
    from nbclient import NotebookClient

    cohort(300, seed=5).drop(columns=["sex", "smoker", "admitted"]).to_csv(tmp_path / "plain.csv", index=False)
    notebook = exported(tmp_path)
    choose(notebook, 'source.value = "A CSV on this computer"\npath.value = "plain.csv"')
    NotebookClient(notebook, timeout=600, kernel_name="python3").execute(cwd=str(tmp_path))  # no stop
    shown = hooks(notebook)
    assert shown["bk-python-audit"]["roles"]["group"] is None and shown["bk-python-audit"]["roles"]["time"] is None
    assert "bk-python-temporal" not in shown and "bk-python-table" not in shown
    outputs = json.dumps([c.get("outputs", []) for c in notebook.cells])
    assert "Pick a group column" in outputs and "Pick a time column" in outputs
    assert "ExplanationExplorer" in outputs and "bk-python-card" in outputs  # the sections after them ran


def test_the_exported_notebook_stops_with_one_line_until_a_table_is_chosen(tmp_path):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = exported(tmp_path)
    with pytest.raises(CellExecutionError) as stopped:
        NotebookClient(notebook, timeout=300, kernel_name="python3").execute(cwd=str(tmp_path))
    assert stopped.value.ename == "Stopped" and "run it and every cell below it" in stopped.value.evalue
    ran = [c for c in notebook.cells if c.cell_type == "code" and c.execution_count]
    assert "ui.stop(table is None or not table.ok)" in ran[-1].source  # the roles' cell, the first to wait
    errors = [o for c in ran for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].traceback == [ui._STOPPED]  # one line, no traceback


def test_the_controls_are_ipywidgets_outside_marimo():
    import ipywidgets

    dropdown = ui.dropdown({"died": 1, "alive": 0}, value="died", label="Event class")
    assert isinstance(dropdown, ipywidgets.Dropdown) and dropdown.value == 1
    assert ui.multiselect(["a", "b"], value=["b"], label="ids").value == ["b"]
    assert ui.run_button(label="Fit the baselines").value is True
    assert "&lt;b&gt;" in ui.text("<b>x</b>").data  # user text stays text
    assert "&lt;img" in ui.say(ex.Message("warn", "<img src=x>")).data
    link = ui.download(b"# card", filename="card<1>.md", mimetype="text/markdown", label="Card <md>").data
    assert "download='card&lt;1&gt;.md'" in link and "Card &lt;md&gt;" in link and "base64,IyBjYXJk" in link
    with pytest.raises(ui.Stopped):
        ui.stop(True)
    ui.stop(False)
