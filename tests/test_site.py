"""The series as a website (scripts/build_site.py), and a lesson exported to HTML by nbconvert.

The test command builds the site once, from the lessons it executed; these tests read it.
The browser tests open pages in chromium: a lesson page shows every figure its notebook made,
solutions stay folded, and an explorer, which needs a live kernel, shows its static picture,
on the site and in nbconvert's HTML alike.
"""

import sys

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks  # noqa: E402

SITE = ROOT / "build" / "site"
PAGES = ROOT / "build" / "site-source" / "lessons"
WIDGET = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.lessons


@pytest.fixture(scope="module")
def site():
    if not (SITE / "index.html").exists():
        pytest.fail("no site: run `python scripts/build_site.py` (the test command does)")
    return SITE


def _code_cells(executed):
    return [c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]


def _images(cell) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def test_every_lesson_has_a_page_from_its_current_notebook(site):
    index = (site / "index.html").read_text()
    for lesson in run_notebooks.lessons():
        assert (site / "lessons" / f"{lesson.stem}.html").exists(), lesson.stem
        assert f'href="lessons/{lesson.stem}.html"' in index, f"the index does not list {lesson.stem}"
        page = nbformat.read(PAGES / lesson.name, as_version=4)
        assert page.metadata["biomedkit"]["source_sha256"] == run_notebooks.source_hash(lesson), \
            f"the page of {lesson.stem} is stale: run `python scripts/build_site.py`"


def test_the_guide_and_the_catalogue_are_pages(site):
    assert "Instructor guide" in (site / "instructors.html").read_text()
    assert "solubility" in (site / "datasets.html").read_text()


def _shown_images(page, cell_selector: str) -> list[list[int]]:
    """For each code cell on the page, in order: the natural widths of its output images."""
    return page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel)).map(
        c => Array.from(c.querySelectorAll('img')).map(i => i.complete ? i.naturalWidth : 0))""", cell_selector)


@pytest.mark.browser
@pytest.mark.parametrize("lesson", ["12_interpretability", "13_fairness", "15_imaging"])
def test_lesson_page_shows_every_figure_and_folds_solutions(site, lesson, tmp_path):
    from browser.harness import browser_page, shoot

    cells = _code_cells(ROOT / "build" / "executed" / f"{lesson}.ipynb")
    with browser_page() as page:
        page.goto((site / "lessons" / f"{lesson}.html").as_uri(), wait_until="load")
        shown = _shown_images(page, "div.cell")
        assert len(shown) == len(cells)
        for cell, widths in zip(cells, shown):
            assert len(widths) == _images(cell) and all(w > 0 for w in widths), cell.source[:60]
            if any(WIDGET in o.get("data", {}) for o in cell.get("outputs", [])):
                assert widths, f"an explorer shows no static picture: {cell.source[:60]}"
        solution = page.locator("div.cell.tag_solution").first
        assert not solution.locator(".cell_input").is_visible(), "a solution is open on arrival"
        shoot(page, tmp_path, f"site-{lesson}")


@pytest.mark.browser
def test_nbconvert_html_shows_the_explorers_static_pictures(tmp_path):
    from nbconvert import HTMLExporter

    from browser.harness import browser_page, shoot

    for lesson in ("12_interpretability", "13_fairness"):
        executed = ROOT / "build" / "executed" / f"{lesson}.ipynb"
        html, _ = HTMLExporter().from_filename(str(executed))
        out = tmp_path / f"{lesson}.html"
        out.write_text(html)
        cells = _code_cells(executed)
        with browser_page() as page:
            page.goto(out.as_uri(), wait_until="load")
            shown = _shown_images(page, ".jp-CodeCell")
            assert len(shown) == len(cells)
            explorers = [w for c, w in zip(cells, shown) if any(WIDGET in o.get("data", {}) for o in c.outputs)]
            assert explorers and all(w and all(x > 0 for x in w) for w in explorers), lesson
            shoot(page, tmp_path, f"nbconvert-{lesson}")
