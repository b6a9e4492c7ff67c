"""The fairness explorer in a real browser: JupyterLab 4, Notebook 7 and marimo, driven by Playwright.

Each test runs the lesson, moves a slider the way a learner would (keyboard on the
range input), and checks that the numbers the browser now shows are the ones Python
computes at the thresholds the browser sent back to the kernel. Screenshots are saved
in the test's temporary folder (and in BIOMEDKIT_SCREENSHOTS when set).
"""

from __future__ import annotations

import json

import pytest

from browser.harness import browser_page, server, shoot
from browser.lab import lesson_in_lab, run_code
from conftest import ROOT

LESSON = ROOT / "notebooks" / "13_fairness.ipynb"
MARIMO_APP = ROOT / "notebooks" / "apps" / "fairness_explorer.py"
COLUMNS = ["threshold", "selection_rate", "tpr", "fpr", "ppv", "accuracy"]

pytestmark = pytest.mark.browser


def shown_table(explorer) -> dict:
    """The metric table as the browser shows it: {group: {metric: float}}."""
    rows = explorer.locator("[data-testid=bk-metric-table] tr[data-group]")
    table = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        table[row.get_attribute("data-group")] = {
            m: float(row.locator(f"td[data-metric={m}]").inner_text()) for m in COLUMNS}
    return table


def assert_same(shown: dict, python: dict) -> None:
    assert shown.keys() == python.keys()
    for group, metrics in shown.items():
        for m in COLUMNS:
            assert metrics[m] == pytest.approx(python[group][m], abs=6e-4), (group, m)


def move_slider(explorer, testid: str, presses: int) -> None:
    slider = explorer.locator(f"[data-testid={testid}]")
    slider.scroll_into_view_if_needed()
    slider.focus()
    for _ in range(abs(presses)):
        slider.press("ArrowRight" if presses > 0 else "ArrowLeft")


@pytest.mark.parametrize("frontend", ["lab", "notebook"])
def test_fairness_explorer_in_jupyterlab_and_notebook_7(tmp_path, frontend):
    with lesson_in_lab(LESSON, tmp_path, frontend) as page:
        explorer = page.locator("[data-testid=bk-fairness-explorer]").first
        explorer.scroll_into_view_if_needed()
        shoot(page, tmp_path, f"{frontend}-before")
        before = shown_table(explorer)

        move_slider(explorer, "bk-threshold-global", 12)
        after = shown_table(explorer)
        assert after != before
        python = json.loads(run_code(page, "print(explorer.to_frame().to_json(orient='index'))"))
        assert_same(after, python)

        explorer.locator("[data-testid=bk-preset-equal_opportunity]").click()
        preset = shown_table(explorer)
        python = json.loads(run_code(page, "print(explorer.to_frame().to_json(orient='index'))"))
        assert_same(preset, python)
        tprs = [v["tpr"] for v in preset.values()]
        assert max(tprs) - min(tprs) < 0.02  # the preset matched group B's TPR to group A's
        explorer.scroll_into_view_if_needed()
        shoot(page, tmp_path, f"{frontend}-after")


def test_fairness_explorer_in_marimo(tmp_path):
    with server("marimo", tmp_path, target=MARIMO_APP) as url, browser_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        explorer = page.locator("[data-testid=bk-fairness-explorer]").first
        explorer.wait_for(timeout=180_000)
        python_out = page.locator("[data-testid=bk-python-table]").first
        python_out.wait_for(state="attached", timeout=60_000)  # a hidden hook: never visible
        assert not python_out.is_visible(), "the test hook must stay out of the learner's view"
        assert "Error" not in explorer.inner_text()
        before = shown_table(explorer)
        assert_same(before, json.loads(python_out.text_content()))
        shoot(page, tmp_path, "marimo-before")

        move_slider(explorer, "bk-threshold-global", -15)
        after = shown_table(explorer)
        assert after != before
        # marimo re-runs the cell that reads the widget's value and prints Python's table.
        page.wait_for_function(
            """(t) => { const e = document.querySelector('[data-testid=bk-python-table]');
                        return e && JSON.parse(e.textContent)[Object.keys(t)[0]].threshold
                               === t[Object.keys(t)[0]].threshold; }""", arg=after, timeout=60_000)
        assert_same(after, json.loads(page.locator("[data-testid=bk-python-table]").first.text_content()))
        shoot(page, tmp_path, "marimo-after")
