"""Labels from the user's data are shown as text, never run as HTML, in a real notebook page.

A group label is data: a label such as ``<img src=x onerror=...>`` must appear as those
characters in every place the fairness explorer shows a group (metric table and its
``data-group`` attribute, ROC legend, calibration and bar tooltips, size table), and its
handler must never run in the page.
"""

from __future__ import annotations

import nbformat
import pytest

from browser.harness import shoot
from browser.lab import lesson_in_lab

pytestmark = pytest.mark.browser

# One label that would run as an element, one that would first break out of an attribute.
HOSTILE = ["<img src=x onerror=window.__xss=1>", '"><img src=x onerror=window.__xss=2>']

CODE = f"""
import numpy as np
import biomedkit as bk

rng = np.random.default_rng(0)
labels = np.array(["A", *{HOSTILE!r}], dtype=object)
groups = labels[rng.choice(3, 3000, p=[0.5, 0.3, 0.2])]
y = (rng.random(3000) < 0.3).astype(int)
risk = np.clip(rng.normal(0.3 + 0.3 * y, 0.15), 0, 1)
explorer = bk.widgets.FairnessExplorer(y, risk, groups, reference="A", threshold=0.4)
explorer
"""


def texts(locator) -> list[str]:
    """textContent of every match (SVG <title> elements have no innerText)."""
    return locator.evaluate_all("els => els.map(e => e.textContent)")


def test_group_labels_are_text_in_every_place(tmp_path):
    notebook = tmp_path / "source" / "hostile_labels.ipynb"
    notebook.parent.mkdir()
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)], metadata=kernel),
                   notebook)
    with lesson_in_lab(notebook, tmp_path) as page:
        explorer = page.locator("[data-testid=bk-fairness-explorer]").first
        explorer.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)  # a failed image load would have fired its handler by now

        assert page.evaluate("() => window.__xss") is None
        assert explorer.locator("img").count() == 0

        rows = explorer.locator("[data-testid=bk-metric-table] tr[data-group]")
        everyone = sorted(["A", *HOSTILE])
        assert sorted(rows.nth(i).get_attribute("data-group") for i in range(rows.count())) == everyone
        assert sorted(texts(rows.locator("td:first-child"))) == everyone
        roc = texts(explorer.locator("[data-testid=bk-roc] svg text"))
        tooltips = texts(explorer.locator("[data-testid=bk-calibration] circle title"))
        bars = texts(explorer.locator("[data-testid=bk-bars] rect title"))
        sizes = texts(explorer.locator("[data-testid=bk-size-table] td:first-child"))
        for label in HOSTILE:
            assert any(t.startswith(f"{label}: AUC") for t in roc), roc
            assert any(t.startswith(f"{label}: ") and t.endswith(" patients") for t in tooltips)
            assert any(t.startswith(f"{label} ") for t in bars), bars
            assert label in sizes
            assert label in explorer.inner_text()  # the per-group slider labels and the rest

        # Moving the threshold redraws the table, the ROC and the bars: still text.
        slider = explorer.locator("[data-testid=bk-threshold-global]")
        slider.focus()
        for _ in range(5):
            slider.press("ArrowRight")
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.__xss") is None
        assert explorer.locator("img").count() == 0
        assert sorted(texts(rows.locator("td:first-child"))) == everyone
        shoot(page, tmp_path, "lab-hostile-labels")
