"""Solutions stay folded in JupyterLab 4 after "run all", and open with a click.

The build folds each solution into a markdown ``<details>`` block (scripts/build_notebooks.py),
so running a lesson from top to bottom neither runs a solution nor shows its code or answer.
Lesson 00 is the quickest lesson that has exercises.
"""

from __future__ import annotations

import pytest

from browser.harness import shoot
from browser.lab import lesson_in_lab
from conftest import ROOT

LESSON = ROOT / "notebooks" / "00_welcome.ipynb"

pytestmark = pytest.mark.browser


def test_solutions_stay_folded_after_run_all_and_open_with_a_click(tmp_path):
    with lesson_in_lab(LESSON, tmp_path) as page:
        folds = page.locator(".jp-MarkdownCell details", has_text="Solution to exercise")
        assert folds.count() == 2
        for i in range(folds.count()):
            fold = folds.nth(i)
            assert fold.get_attribute("open") is None
            assert fold.locator("summary").is_visible()
            assert not fold.locator("pre").first.is_visible(), "the code is hidden until opened"
        # the solution's printed answer appears nowhere after "run all"
        outputs = " ".join(page.locator(".jp-OutputArea").all_inner_texts())
        assert "institutions; largest" not in outputs

        first = folds.nth(0)
        first.scroll_into_view_if_needed()
        first.locator("summary").click()
        assert first.locator("pre").first.is_visible()
        assert "# Solution to exercise 1" in first.locator("pre").first.inner_text()
        shoot(page, tmp_path, "lab-solution-opened")
