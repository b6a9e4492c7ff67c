"""Every notebook follows the series' conventions. (Executing them is nbmake's job:
the README's test command runs ``pytest --nbmake tests notebooks``.)"""

import re
import sys

import nbformat
import pytest

import biomedkit as bk
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import build_notebooks  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
FRONT_MATTER = ("## Learning objectives", "## Prerequisites", "## Estimated time", "## Datasets")


def _read(path):
    return nbformat.read(path, as_version=4)


def _section(text, heading):
    """The lines under ``heading`` up to the next heading of level 1 or 2."""
    after = text.split(heading, 1)[1]
    return re.split(r"^#{1,2} ", after, flags=re.M)[0]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


def test_notebooks_are_built_from_their_sources():
    assert build_notebooks.main(["--check"]) == 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path):
    for cell in _read(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_front_matter(path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown"
    text = first.source
    assert re.match(rf"# {path.stem[:2]} · \S", text), "title: '# NN · Title'"
    for heading in FRONT_MATTER:
        assert heading in text, f"front matter lacks {heading!r}"
    objectives = re.findall(r"^- ", _section(text, "## Learning objectives"), flags=re.M)
    assert 3 <= len(objectives) <= 5
    assert re.search(r"\d+ minutes: \d+ teaching, \d+ exercises", _section(text, "## Estimated time"))
    datasets = _section(text, "## Datasets")
    assert re.search(r"\*\*(real|simulated)", datasets), "say which data are real or simulated"
    for name in re.findall(r"`([a-z_0-9]+)`", datasets):
        assert name in set(bk.datasets.catalog().name), f"unknown dataset {name!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_ending_has_take_aways_and_a_quiz(path):
    tail = "\n".join(c.source for c in _read(path).cells[-2:] if c.cell_type == "markdown")
    assert "## Take-aways" in tail and "## Self-check quiz" in tail
    quiz = _section(tail, "## Self-check quiz")
    assert len(re.findall(r"^\d+\. ", quiz, flags=re.M)) >= 3 * 2, "questions and their answers"
    assert "<details>" in quiz


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_have_hidden_solutions_that_run(path):
    cells = _read(path).cells
    exercises = [i for i, c in enumerate(cells)
                 if c.cell_type == "markdown" and re.match(r"### Exercise \d+", c.source)]
    assert 2 <= len(exercises) <= 4
    for number, (start, end) in enumerate(zip(exercises, [*exercises[1:], len(cells)]), 1):
        assert cells[start].source.startswith(f"### Exercise {number}:")
        block = cells[start + 1:end]
        assert block[0].cell_type == "code" and "solution" not in block[0].metadata.get("tags", []), \
            "an empty cell for the learner's attempt comes first"
        solutions = [c for c in block if "solution" in c.metadata.get("tags", [])]
        assert solutions and solutions[0].source.startswith(f"# Solution to exercise {number}")
        # hidden at first in JupyterLab and Notebook 7; nbmake still executes it
        assert all(c.metadata["jupyter"]["source_hidden"] for c in solutions)
        assert all(c.cell_type == "code" for c in solutions)
