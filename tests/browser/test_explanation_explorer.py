"""The explanation explorer in JupyterLab 4, driven by Playwright in the system chromium.

The test runs lesson 12, picks a patient the way a learner would (search by id, click),
checks that the risk the browser shows is the model's, changes a value in the what-if
panel, and checks the new risk against the model run on the changed row in the kernel.
"""

from __future__ import annotations

import pytest

from browser.harness import browser_page, server, shoot
from browser.lab import lesson_in_lab, run_code
from conftest import ROOT

LESSON = ROOT / "notebooks" / "12_interpretability.ipynb"

pytestmark = pytest.mark.browser

MODEL_RISK = """
import numpy as np
_e = explorer.explanation
_row = _e.data.iloc[[explorer.selected]]
print(_e.data.index[explorer.selected], float(_e.model.predict_proba(_row)[0, 1]))
"""


def test_explanation_explorer_in_jupyterlab(tmp_path):
    with lesson_in_lab(LESSON, tmp_path) as page:
        explorer = page.locator("[data-testid=bk-explanation-explorer]").first
        explorer.scroll_into_view_if_needed()
        shoot(page, tmp_path, "lab-explanation-before")

        # Pick the fifth patient on the list: search for its id, then click it.
        item = explorer.locator("[data-testid=bk-patient-list] .bk-item").nth(4)
        patient_id = item.get_attribute("data-id")
        explorer.locator("[data-testid=bk-patient-search]").fill(patient_id)
        explorer.locator(f"[data-testid=bk-patient-list] .bk-item[data-id='{patient_id}']").first.click()
        page.wait_for_function(
            "(id) => document.querySelector('[data-testid=bk-patient-id]').innerText === id",
            arg=patient_id, timeout=30_000)
        shown = float(explorer.locator("[data-testid=bk-patient-risk]").inner_text())
        kernel_id, risk = run_code(page, MODEL_RISK).split()
        assert kernel_id == patient_id
        assert shown == pytest.approx(float(risk), abs=6e-5)

        # What if the patient were 10 years older?
        age = explorer.locator("[data-testid=bk-whatif-age]")
        new_age = float(age.input_value()) + 10
        age.fill(str(new_age))
        explorer.locator("[data-testid=bk-whatif-run]").click()
        explorer.locator("[data-testid=bk-whatif-risk]").wait_for(timeout=60_000)
        new_shown = float(explorer.locator("[data-testid=bk-whatif-risk]").inner_text())
        changed = run_code(page, MODEL_RISK.replace("print(", f"_row = _row.assign(age={new_age})\nprint("))
        assert new_shown == pytest.approx(float(changed.split()[1]), abs=6e-5)
        assert new_shown != pytest.approx(shown, abs=1e-6)
        explorer.scroll_into_view_if_needed()
        shoot(page, tmp_path, "lab-explanation-after")


def test_explanation_explorer_in_marimo(tmp_path):
    app = ROOT / "notebooks" / "apps" / "explanation_explorer.py"
    with server("marimo", tmp_path, target=app) as url, browser_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        explorer = page.locator("[data-testid=bk-explanation-explorer]").first
        explorer.wait_for(timeout=180_000)
        item = explorer.locator("[data-testid=bk-patient-list] .bk-item").nth(2)
        patient_id = item.get_attribute("data-id")
        item.click()
        page.wait_for_function(
            "(id) => { const e = document.querySelector('[data-testid=bk-python-patient]');"
            " return e && e.textContent === id; }", arg=patient_id, timeout=60_000)
        hook = page.locator("[data-testid=bk-python-risk]")
        assert not hook.is_visible(), "the test hooks must stay out of the learner's view"
        shown = float(explorer.locator("[data-testid=bk-patient-risk]").inner_text())
        assert shown == pytest.approx(float(hook.text_content()), abs=6e-5)

        age = explorer.locator("[data-testid=bk-whatif-age]")
        age.fill(str(float(age.input_value()) + 10))
        explorer.locator("[data-testid=bk-whatif-run]").click()
        explorer.locator("[data-testid=bk-whatif-risk]").wait_for(timeout=60_000)
        page.wait_for_function(
            "() => { const e = document.querySelector('[data-testid=bk-python-whatif]');"
            " return e && e.textContent.length > 0; }", timeout=60_000)
        new_shown = float(explorer.locator("[data-testid=bk-whatif-risk]").inner_text())
        assert new_shown == pytest.approx(float(page.locator("[data-testid=bk-python-whatif]").text_content()),
                                          abs=6e-5)
        shoot(page, tmp_path, "marimo-explanation")
