"""Build the notebooks from their sources, or check that they are current.

Authors edit ``lesson_sources/NN_name.py`` (jupytext percent format: plain
Python that reviews well); this script writes ``notebooks/NN_name.ipynb`` without
outputs. A code cell tagged ``solution`` becomes a markdown cell that folds its code in
a ``<details>`` block: running the notebook from top to bottom never runs a solution or
prints its answer, and the fold holds in every front end that renders markdown
(JupyterLab, Notebook 7, VS Code, Colab, GitHub), unlike the ``jupyter.source_hidden``
metadata, which some of them ignore and which hides the code but not its output. The test
run unfolds the solutions again (:func:`unfold_solutions`), so every solution is executed.

    python scripts/build_notebooks.py           # rebuild every notebook
    python scripts/build_notebooks.py --check   # fail if any notebook is stale
    python scripts/build_notebooks.py lesson_sources/15_imaging.py   # only this lesson
    python scripts/build_notebooks.py --check notebooks/15_imaging.ipynb

Lessons named on the command line (by their source or their notebook) are the only ones built
or checked; notebooks without a source are then not looked for.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "lesson_sources"
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
FENCE = "```"
SUMMARY = ("<details><summary><b>{title}</b> (open it after your own attempt; to run it, "
           "copy the code into your cell)</summary>")


def is_solution(cell) -> bool:
    return "solution" in cell.metadata.get("tags", [])


def fold_solution(cell) -> nbformat.NotebookNode:
    """A solution code cell as a markdown cell with the code folded in ``<details>``."""
    code = cell.source.strip("\n")
    if FENCE in code:
        raise ValueError(f"a solution cannot contain {FENCE}: {code[:60]!r}")
    title = code.splitlines()[0].lstrip("# ").strip()
    text = f"{SUMMARY.format(title=title)}\n\n{FENCE}python\n{code}\n{FENCE}\n\n</details>"
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": ["solution"]})


def solution_code(cell) -> str:
    """The code folded in a solution cell made by :func:`fold_solution`."""
    return cell.source.split(f"{FENCE}python\n", 1)[1].rsplit(f"\n{FENCE}", 1)[0]


def unfold_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with every folded solution back as a code cell, for the test run."""
    nb = nbformat.from_dict(nb)  # a copy: the caller's notebook stays as it was
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and is_solution(cell):
            code = nbformat.v4.new_code_cell(solution_code(cell), metadata=dict(cell.metadata))
            code["id"] = cell.get("id", code["id"])
            nb.cells[i] = code
    return nb


def build(source: Path) -> str:
    """The .ipynb text made from one source file."""
    import jupytext  # only building needs it; the test run imports this module without it

    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells = [fold_solution(c) if c.cell_type == "code" and is_solution(c) else c for c in nb.cells]
    nb = nbformat.v4.upgrade(nb) if nb.nbformat < 4 else nb
    for i, cell in enumerate(nb.cells):  # stable ids keep rebuilds byte-identical
        cell["id"] = f"{source.stem}-{i:03d}"
    return nbformat.writes(nb) + "\n"


def targets() -> list[tuple[Path, Path]]:
    return [(src, NOTEBOOKS / f"{src.stem}.ipynb") for src in sorted(SOURCES.glob("[0-9]*.py"))]


def named_target(path: str) -> tuple[Path, Path]:
    """The (source, notebook) pair of the lesson a command-line path names, by its source or
    its notebook (which need not exist yet); ValueError for any other path."""
    given = Path(path).resolve()
    folders = {".py": SOURCES.resolve(), ".ipynb": NOTEBOOKS.resolve()}
    if folders.get(given.suffix) != given.parent:
        raise ValueError(f"{path} is not a lesson: name a lesson's source ({SOURCES.name}/NN_name.py) "
                         f"or its notebook ({NOTEBOOKS.name}/NN_name.ipynb)")
    lessons = {src.stem: (src, dst) for src, dst in targets()}
    if given.stem not in lessons:
        raise ValueError(f"{path} is not a lesson: there is no lesson source {SOURCES.name}/{given.stem}.py "
                         "(a lesson's source is named NN_name.py)")
    return lessons[given.stem]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; write nothing")
    parser.add_argument("lessons", nargs="*", metavar="LESSON",
                        help="only these lessons: a source (lesson_sources/NN_name.py) or its notebook "
                             "(notebooks/NN_name.ipynb); default: every lesson")
    args = parser.parse_args(argv)
    try:
        chosen = list(dict.fromkeys(named_target(path) for path in args.lessons))  # in order, once
    except ValueError as error:
        parser.error(str(error))  # exits with status 2
    stale = []
    for src, dst in chosen or targets():
        text = build(src)
        if dst.exists() and dst.read_text() == text:
            continue
        stale.append(dst.name)
        if not args.check:
            dst.write_text(text)
    orphans = set() if chosen else \
        {p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb")} - {dst.name for _, dst in targets()}
    if args.check and (stale or orphans):
        print(f"stale notebooks: {stale}; notebooks without a source: {sorted(orphans)}. "
              f"Run: python scripts/build_notebooks.py {' '.join(args.lessons)}".rstrip(), file=sys.stderr)
        return 1
    count = len(chosen or targets())
    print(f"{'checked' if args.check else 'built'} {count} notebook{'s' * (count != 1)}"
          + (f"; rewrote {stale}" if stale and not args.check else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
