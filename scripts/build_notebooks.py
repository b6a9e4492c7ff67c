"""Build the notebooks from their sources, or check that they are current.

Authors edit ``lesson_sources/NN_name.py`` (jupytext percent format: plain
Python that reviews well); this script writes ``notebooks/NN_name.ipynb`` without
outputs. Cells tagged ``solution`` get their source hidden, so a learner sees
the exercise first and reveals the answer with a click.

    python scripts/build_notebooks.py           # rebuild every notebook
    python scripts/build_notebooks.py --check   # fail if any notebook is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "lesson_sources"
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def build(source: Path) -> str:
    """The .ipynb text made from one source file."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.metadata.pop("lines_to_next_cell", None)
        if "solution" in cell.metadata.get("tags", []):
            cell.metadata["jupyter"] = {"source_hidden": True}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb = nbformat.v4.upgrade(nb) if nb.nbformat < 4 else nb
    for i, cell in enumerate(nb.cells):  # stable ids keep rebuilds byte-identical
        cell["id"] = f"{source.stem}-{i:03d}"
    return nbformat.writes(nb) + "\n"


def targets() -> list[tuple[Path, Path]]:
    return [(src, NOTEBOOKS / f"{src.stem}.ipynb") for src in sorted(SOURCES.glob("[0-9]*.py"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; write nothing")
    args = parser.parse_args(argv)
    stale = []
    for src, dst in targets():
        text = build(src)
        if dst.exists() and dst.read_text() == text:
            continue
        stale.append(dst.name)
        if not args.check:
            dst.write_text(text)
    orphans = {p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb")} - {dst.name for _, dst in targets()}
    if args.check and (stale or orphans):
        print(f"stale notebooks: {stale}; notebooks without a source: {sorted(orphans)}. "
              "Run: python scripts/build_notebooks.py", file=sys.stderr)
        return 1
    print(f"{'checked' if args.check else 'built'} {len(targets())} notebooks"
          + (f"; rewrote {stale}" if stale and not args.check else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
