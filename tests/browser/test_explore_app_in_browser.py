"""The exploratory-analysis app (notebooks/apps/explore.py) in chromium, driven by Playwright.

One ``marimo run`` server for the module; each test opens a fresh session. The main test
uploads a CSV the way a researcher would, picks a column, reads the audit, fits the
baselines, moves the fairness threshold, picks a patient and downloads the model card,
checking each number the page shows against the same computation run here in Python. The
others upload bad CSVs (non-binary target, one class, missing targets, an empty column,
Latin-1 text, a large table, a spreadsheet, hostile column names) and check that each gets
its message and no error. Screenshots land in the test's folder (and BIOMEDKIT_SCREENSHOTS).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import biomedkit as bk
from biomedkit import _explore as ex
from browser.harness import browser_page, server, shoot
from conftest import ROOT

APP = ROOT / "notebooks" / "apps" / "explore.py"
COLUMNS = ["threshold", "selection_rate", "tpr", "fpr", "ppv", "accuracy"]
WAIT = 180_000  # ms: a busy 2-core machine

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("explore-server")
    with server("marimo", workdir, target=APP) as url:
        yield url, workdir / "marimo-server.log"


@pytest.fixture(scope="module")
def browser():
    with browser_page(height=1100) as page:
        yield page


@pytest.fixture
def page(browser, app_server):
    """A fresh session of the app, its file input ready; afterwards, no cell may have raised
    (in ``marimo run`` a cell's error reaches the server's log, not the page)."""
    url, log = app_server
    start = log.stat().st_size
    browser.goto(url, wait_until="domcontentloaded")
    browser.locator("input[type=file]").first.wait_for(state="attached", timeout=WAIT)
    yield browser
    logged = log.read_bytes()[start:].decode("utf-8", errors="replace")
    assert "Traceback" not in logged and "] (error_id=" not in logged, logged[-4000:]


def cohort(n: int = 800, seed: int = 0) -> pd.DataFrame:
    """A researcher's table: record numbers, admission dates, hospitals, sex, measurements."""
    data, _ = bk.simulate.cohort(n=n, n_sites=3, random_state=seed)
    f = data.frame.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    out = pd.DataFrame({"mrn": [f"P{i:05d}" for i in range(n)],
                        "admitted": (pd.Timestamp("2021-01-01")
                                     + pd.to_timedelta(rng.integers(0, 900, n), unit="D")).strftime("%Y-%m-%d"),
                        "hospital": f["site"].astype(str).str.replace("site_", "H"),
                        "sex": np.where(f["female"] == 1, "F", "M"), "group": f["group"].astype(str)})
    for c in ["age", "smoker", "sbp", "hdl", "bmi", "diabetes", "crp"]:
        out[c] = f[c]
    out.loc[rng.random(n) < 0.1, "bmi"] = np.nan
    out["outcome"] = f["event"]
    return out


def hook(page, testid: str) -> dict:
    locator = page.locator(f"[data-testid={testid}]").first
    locator.wait_for(state="attached", timeout=WAIT)
    assert not locator.is_visible(), "the test hooks must stay out of the researcher's view"
    return json.loads(locator.text_content())


def upload(page, path: Path) -> None:
    page.locator("input[type=file]").first.set_input_files(str(path))


def fit_button(page):
    return page.locator("button", has_text="Fit the baselines")


def no_error(page) -> None:
    body = page.locator("body").inner_text()
    assert "An internal error occurred" not in body and "Traceback" not in body


def shown_table(explorer) -> dict:
    rows = explorer.locator("[data-testid=bk-metric-table] tr[data-group]")
    return {rows.nth(i).get_attribute("data-group"): {
        m: float(rows.nth(i).locator(f"td[data-metric={m}]").inner_text()) for m in COLUMNS}
        for i in range(rows.count())}


def check_fairness_slider(page, data, result, groups: list) -> None:
    """Move the fairness explorer's threshold: the browser, the app's Python and ours agree."""
    explorer = page.locator("[data-testid=bk-fairness-explorer]").first
    explorer.wait_for(timeout=WAIT)
    explorer.scroll_into_view_if_needed()
    before_hook = page.locator("[data-testid=bk-python-table]").first.text_content()
    slider = explorer.locator("[data-testid=bk-threshold-global]")
    slider.focus()
    for _ in range(8):
        slider.press("ArrowRight")
    page.wait_for_function("(old) => { const e = document.querySelector('[data-testid=bk-python-table]');"
                           " return e && e.textContent !== old; }", arg=before_hook, timeout=WAIT)
    browser_view, python_view = shown_table(explorer), hook(page, "bk-python-table")
    ours = bk.fairness.group_curves(data.y, result.risks["logistic regression"], data.groups).at(
        {g: v["threshold"] for g, v in python_view.items()})
    assert sorted(browser_view) == sorted(python_view) == groups
    for group, metrics in browser_view.items():
        for m in COLUMNS:
            assert metrics[m] == pytest.approx(python_view[group][m], abs=6e-4), (group, m)
            assert python_view[group][m] == pytest.approx(ours.loc[group, m], abs=1e-9), (group, m)


def check_patient_risk(page, data, result) -> None:
    """The explanation explorer's patient has its out-of-fold risk."""
    explanation = page.locator("[data-testid=bk-explanation-explorer]").first
    explanation.wait_for(timeout=WAIT)
    explanation.scroll_into_view_if_needed()
    patient = page.locator("[data-testid=bk-python-patient]").first.text_content()
    shown_risk = float(explanation.locator("[data-testid=bk-patient-risk]").inner_text())
    oof = result.risks["logistic regression"][data.X.index.get_loc(patient)]
    assert shown_risk == pytest.approx(oof, abs=6e-5)


def downloaded_card(page, result) -> str:
    """The model card as Markdown, from its download; it quotes the AUC of the cross-validation."""
    lr = result.to_frame().loc["logistic regression"]
    with page.expect_download(timeout=WAIT) as download:
        page.get_by_role("link", name="Model card (Markdown)").first.click()
    assert download.value.suggested_filename == "model_card.md"
    card = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"- AUC {lr.auc:.3f} (95% CI {lr.auc_low:.3f} to {lr.auc_high:.3f})" in card
    return card


def test_upload_audit_baselines_explorers_and_card(page, tmp_path):
    frame = cohort()
    csv = tmp_path / "my_cohort.csv"
    frame.to_csv(csv, index=False)
    upload(page, csv)

    # The roles guessed, and the audit: the same findings as bk.audit on the table read here.
    audit = hook(page, "bk-python-audit")
    assert audit["roles"] == {"target": "outcome", "group": "sex", "site": "hospital", "time": "admitted",
                              "ids": ["mrn"]}
    table = ex.read_csv(csv)
    reference = bk.audit(table.frame, "outcome", group="sex", site="hospital", id_columns=["mrn"],
                         time="admitted", positive=1)
    assert audit["findings"] == [str(f) for f in reference.findings]
    assert audit["class_balance"]["data"] == reference.class_balance.to_numpy().tolist()
    page.get_by_text(re.compile(r"findings? in")).first.wait_for(timeout=WAIT)
    shoot(page, tmp_path, "explore-audit")

    # Pick another group column; the audit follows.
    page.get_by_label("Group, for fairness (sex, race…)").select_option("group")
    page.wait_for_function("() => { const e = document.querySelector('[data-testid=bk-python-audit]');"
                           " return e && JSON.parse(e.textContent).roles.group === 'group'; }", timeout=WAIT)

    # The baselines: the numbers shown are those of the same cross-validation run here.
    fit_button(page).click()
    shown = hook(page, "bk-python-baselines")
    roles = ex.Roles(target="outcome", group="group", site="hospital", time="admitted", ids=["mrn"])
    leave_out = {**ex.default_leave_out(table.frame, roles), **ex.audit_leave_out(reference)}
    data = ex.model_data(table.frame, roles, 1, leave_out=leave_out)
    result = ex.fit_baselines(data.X, data.y)
    from sklearn.metrics import roc_auc_score

    for name, risk in result.risks.items():
        auc = roc_auc_score(data.y, risk)
        assert shown["table"][name]["auc"] == pytest.approx(auc, abs=1e-9)
        row = result.to_frame().loc[name]
        page.get_by_text(f"{row.auc:.3f} ({row.auc_low:.3f} to {row.auc_high:.3f})").first.wait_for(timeout=WAIT)
    shoot(page, tmp_path, "explore-baselines")

    # Validation on later patients: fitted on the earlier admissions, as here.
    temporal, _ = ex.temporal_validation(data.X, data.y, data.times)
    shown = hook(page, "bk-python-temporal")
    for name in ex.MODELS:
        assert shown["table"][name]["auc"] == pytest.approx(temporal.to_frame().loc[name, "auc"], abs=1e-9)
    page.get_by_text(f"validated on the {temporal.split.test.sum():,} later rows").first.wait_for(timeout=WAIT)

    check_fairness_slider(page, data, result, ["A", "B"])
    shoot(page, tmp_path, "explore-fairness")
    check_patient_risk(page, data, result)
    shoot(page, tmp_path, "explore-explanations")

    # The model card, as Markdown and as HTML.
    card = downloaded_card(page, result)
    assert "Performance is reported by: group." in card
    with page.expect_download(timeout=WAIT) as download:
        page.get_by_role("link", name="Model card (HTML)", exact=True).click()
    card_html = Path(download.value.path()).read_text(encoding="utf-8")
    auc = result.to_frame().loc["logistic regression", "auc"]
    assert card_html.startswith("<!DOCTYPE html>") and f"AUC {auc:.3f}" in card_html and "<table>" in card_html
    no_error(page)


def bad(kind: str) -> tuple[pd.DataFrame | bytes, str]:
    """A bad CSV (as a frame, or raw bytes) and the words its message must contain."""
    frame = cohort(300, seed=1)
    if kind == "non-binary target":
        return frame.assign(outcome=np.arange(300) % 3), "has 3 distinct values"
    if kind == "one class":
        return frame.assign(outcome=0), "has one class only"
    if kind == "missing target":
        return frame.assign(outcome=frame.outcome.where(np.arange(300) % 5 > 0)), "60 rows (20.0%) have no value"
    if kind == "empty column":
        return frame.assign(lab_value=np.nan), "lab_value: empty (every value missing)"
    if kind == "latin-1":
        text = frame.assign(hospital=frame.hospital.replace({"H1": "Hôpital Nord"})).to_csv(index=False)
        return text.encode("latin-1"), "is not UTF-8 text"
    if kind == "spreadsheet":
        return b"PK\x03\x04" + bytes(200), "spreadsheet workbook"
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["non-binary target", "one class", "missing target", "empty column", "latin-1",
                                  "spreadsheet"])
def test_bad_input_gets_a_clear_message(page, tmp_path, kind):
    content, words = bad(kind)
    path = tmp_path / f"{kind.replace(' ', '_')}.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        content.to_csv(path, index=False)
    upload(page, path)
    message = page.get_by_text(words).first
    message.wait_for(timeout=WAIT)
    if kind in ("missing target", "empty column", "latin-1"):  # the rest of the app still runs
        page.get_by_text(re.compile(r"findings? in")).first.wait_for(timeout=WAIT)
        fit_button(page).wait_for(timeout=WAIT)
    if kind == "latin-1":
        assert page.get_by_text("Hôpital Nord", exact=True).count() > 0  # in the preview, read as written
    if kind in ("non-binary target", "one class"):
        assert fit_button(page).count() == 0
    message.scroll_into_view_if_needed()
    shoot(page, tmp_path, f"explore-{kind.replace(' ', '-')}")
    no_error(page)


def test_a_large_table_is_sampled_and_says_so(page, tmp_path):
    rng = np.random.default_rng(0)
    n, p = 12_000, 300  # 3.6 million cells: above the audit's and the baselines' sizes
    values = rng.normal(size=(n, p)).round(2)
    frame = pd.DataFrame(values, columns=[f"x{i}" for i in range(p)])
    frame["outcome"] = (rng.random(n) < 1 / (1 + np.exp(2 - values[:, 0]))).astype(int)
    path = tmp_path / "large.csv"
    frame.to_csv(path, index=False)
    upload(page, path)
    size = path.stat().st_size
    assert size > 2 * 8_000_000  # sent in three pieces of at most 8 MB
    page.get_by_text(f"large.csv: {size / 1e6:.1f} MB received in").wait_for(timeout=WAIT)
    audit_rows = max(ex.MIN_SAMPLE_ROWS, ex.AUDIT_CELLS // (p + 1))
    model_rows = max(ex.MIN_SAMPLE_ROWS, ex.MODEL_CELLS // p)
    page.get_by_text(f"the audit ran on a random sample of {audit_rows:,} of its 12,000 rows").wait_for(timeout=WAIT)
    page.get_by_text(f"the baselines use a random sample of {model_rows:,} of the 12,000").wait_for(timeout=WAIT)
    assert hook(page, "bk-python-audit")["n_rows"] == audit_rows
    page.get_by_text("the audit ran on a random sample").scroll_into_view_if_needed()
    shoot(page, tmp_path, "explore-large")
    no_error(page)


def test_column_names_and_labels_are_text(page, tmp_path):
    hostile = "<img src=x onerror=window.__xss=1>"
    frame = cohort(300, seed=2).rename(columns={"crp": hostile})
    frame["sex"] = frame["sex"].replace({"F": '"><img src=x onerror=window.__xss=2>'})
    path = tmp_path / "hostile.csv"
    frame.to_csv(path, index=False)
    upload(page, path)
    page.get_by_text(re.compile(r"findings? in")).first.wait_for(timeout=WAIT)
    fit_button(page).click()
    page.locator("[data-testid=bk-fairness-explorer]").first.wait_for(timeout=WAIT)
    page.locator("[data-testid=bk-explanation-explorer]").first.wait_for(timeout=WAIT)
    page.wait_for_timeout(1500)  # a failed image load would have fired its handler by now
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src=x]").count() == 0
    # ... and each name or label is shown as the characters it is made of
    label = '"><img src=x onerror=window.__xss=2>'
    assert page.locator("option", has_text=hostile).count() > 0  # the column pickers
    assert page.get_by_text(f"{hostile} as \u2039img", exact=False).count() > 0  # renamed for XGBoost
    rows = page.locator("[data-testid=bk-fairness-explorer] [data-testid=bk-metric-table] tr[data-group]")
    assert sorted(rows.nth(i).get_attribute("data-group") for i in range(rows.count())) == sorted([label, "M"])
    assert page.get_by_text(label, exact=True).count() > 0
    shoot(page, tmp_path, "explore-hostile")
    no_error(page)
