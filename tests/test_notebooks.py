"""Every notebook follows the series' conventions, and ran to the end in the learners' environment.

The README's test command executes each lesson once, in the environment built from the lock
(scripts/run_notebooks.py, run by scripts/test.sh), and keeps the executed copies in
build/executed/. The tests marked ``lessons`` read those copies instead of running the lessons
again (among them the check that every number the prose quotes is one the lesson prints:
scripts/prose_numbers.py); ``bash scripts/test.sh --quick`` leaves them out."""

import re
import sys

import nbformat
import pytest

import biomedkit as bk
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import build_notebooks  # noqa: E402
import run_notebooks  # noqa: E402

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


@pytest.fixture
def two_lessons(tmp_path, monkeypatch):
    """Copies of two lessons' sources in a scratch series, built, with the working directory
    at its root: the real notebooks stay untouched."""
    sources, notebooks = tmp_path / "lesson_sources", tmp_path / "notebooks"
    sources.mkdir()
    notebooks.mkdir()
    names = ("00_welcome", "01_workflow")
    for name in names:
        (sources / f"{name}.py").write_text((ROOT / "lesson_sources" / f"{name}.py").read_text())
    monkeypatch.setattr(build_notebooks, "SOURCES", sources)
    monkeypatch.setattr(build_notebooks, "NOTEBOOKS", notebooks)
    monkeypatch.chdir(tmp_path)
    assert build_notebooks.main([]) == 0
    return [(sources / f"{name}.py", notebooks / f"{name}.ipynb") for name in names]


def test_build_writes_only_the_lesson_named_by_source_or_notebook(two_lessons, capsys):
    (src0, nb0), (src1, nb1) = two_lessons
    for src, nb in two_lessons:  # both stale: their sources changed
        src.write_text(src.read_text() + "\n# %%\nprint('one more cell')\n")
    before = nb1.read_text()
    assert build_notebooks.main(["lesson_sources/00_welcome.py"]) == 0
    assert nb0.read_text() == build_notebooks.build(src0) and "one more cell" in nb0.read_text()
    assert nb1.read_text() == before, "a lesson not named is not rebuilt"
    assert "built 1 notebook;" in capsys.readouterr().out
    nb1.unlink()  # a lesson not built yet is named by the notebook it will have
    assert build_notebooks.main([str(nb1)]) == 0
    assert nb1.read_text() == build_notebooks.build(src1)


def test_check_checks_only_the_named_lesson(two_lessons, capsys):
    (src0, nb0), (src1, nb1) = two_lessons
    nb1.write_text(nb1.read_text() + " ")  # stale
    (nb0.parent / "99_orphan.ipynb").write_text(nb0.read_text())  # a notebook without a source
    capsys.readouterr()
    assert build_notebooks.main(["--check", "notebooks/00_welcome.ipynb", "lesson_sources/00_welcome.py"]) == 0
    assert capsys.readouterr().out == "checked 1 notebook\n", "named twice, checked once"
    assert build_notebooks.main(["--check", "notebooks/01_workflow.ipynb"]) == 1
    assert "stale notebooks: ['01_workflow.ipynb']" in capsys.readouterr().err
    assert build_notebooks.main(["--check"]) == 1  # without names: every lesson, and orphans
    assert "['99_orphan.ipynb']" in capsys.readouterr().err
    assert nb1.read_text().endswith(" "), "checking writes nothing"


@pytest.mark.parametrize("path", ["README.md", "scripts/build_notebooks.py", "lesson_sources/99_none.py",
                                  "notebooks/99_none.ipynb", "notebooks/00_welcome.py", "lesson_sources"])
def test_a_path_that_is_not_a_lesson_is_refused(two_lessons, capsys, path):
    with pytest.raises(SystemExit) as exit_:
        build_notebooks.main(["--check", "lesson_sources/00_welcome.py", path])
    assert exit_.value.code == 2
    assert f"{path} is not a lesson" in capsys.readouterr().err


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


def _exercise_blocks(cells):
    """(number, heading cell, cells up to the next exercise or the take-aways) per exercise."""
    starts = [i for i, c in enumerate(cells)
              if c.cell_type == "markdown" and re.match(r"### Exercise \d+", c.source)]
    ends = [*starts[1:], len(cells)]
    for number, (start, end) in enumerate(zip(starts, ends), 1):
        yield number, cells[start], [c for c in cells[start + 1:end] if "## Take-aways" not in c.source]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_have_hidden_solutions_that_run(path):
    blocks = list(_exercise_blocks(_read(path).cells))
    assert 2 <= len(blocks) <= 4
    for number, heading, block in blocks:
        assert heading.source.startswith(f"### Exercise {number}:")
        assert block[0].cell_type == "code" and not build_notebooks.is_solution(block[0]), \
            "an empty cell for the learner's attempt comes first"
        solutions = [c for c in block if build_notebooks.is_solution(c)]
        assert solutions, f"exercise {number} has no solution"
        # Folded in <details> in a markdown cell: every front end folds it, and running the
        # notebook top to bottom neither runs a solution nor prints its answer.
        for cell in solutions:
            assert cell.cell_type == "markdown"
            assert cell.source.startswith(f"<details><summary><b>Solution to exercise {number}")
            assert cell.source.rstrip().endswith("</details>")
            code = build_notebooks.solution_code(cell)
            assert code.startswith(f"# Solution to exercise {number}")
            compile(re.sub(r"^\s*[%!].*$", "", code, flags=re.M), f"exercise {number}", "exec")
        assert [c for c in block if c.cell_type == "code"] == [block[0]], \
            "no code under the attempt cell: nothing there may print the answer"


@pytest.mark.lessons
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_solution_ran_in_the_executed_lesson(path):
    folded = [build_notebooks.solution_code(c) for c in _read(path).cells if build_notebooks.is_solution(c)]
    ran = [c for c in _executed(path).cells if c.cell_type == "code" and build_notebooks.is_solution(c)]
    assert [c.source for c in ran] == folded, "the test run executes every solution, unfolded"
    for cell in ran:
        assert cell.execution_count is not None, cell.source[:60]
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:60]


def _executed(path):
    copy = run_notebooks.OUT / path.name
    if not copy.exists():
        pytest.fail(f"{path.name} has not been executed: run `bash scripts/test.sh` (or "
                    "`python scripts/run_notebooks.py`) first")
    nb = _read(copy)
    if nb.metadata.get("biomedkit", {}).get("source_sha256") != run_notebooks.source_hash(path):
        pytest.fail(f"the executed copy of {path.name} is stale: run `python scripts/run_notebooks.py {path}`")
    return nb


@pytest.mark.lessons
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_ran_to_the_end_in_the_learners_environment(path):
    record = {r["notebook"]: r for r in run_notebooks.load_results()}.get(path.stem)
    assert record is not None, f"no record of {path.stem} in {run_notebooks.OUT / 'results.json'}"
    assert not record["error"], record["error"]
    cells = [c for c in _executed(path).cells if c.cell_type == "code" and c.source.strip()]
    not_run = [c.source[:60] for c in cells if c.execution_count is None]
    assert not not_run, f"cells that did not run: {not_run[:3]}"
    errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0].get("ename")


@pytest.mark.lessons
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_uses_no_deprecated_biomedkit_name(path):
    streams = [o.get("text", "") for c in _executed(path).cells if c.cell_type == "code"
               for o in c.outputs if o.output_type == "stream"]
    old = [line for text in streams for line in text.splitlines()
           if "is deprecated and will be removed in biomedkit" in line]
    assert not old, f"the lesson calls an old name: {old[0]}"


@pytest.mark.lessons
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_number_the_prose_quotes_is_printed_by_the_lesson(path):
    import prose_numbers

    wrong = prose_numbers.disagreements(_executed(path))
    assert not wrong, "\n".join(f"{n}: ...{context}..." for n, context in wrong)
