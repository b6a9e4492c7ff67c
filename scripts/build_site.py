"""Build the series as a static website from the lessons the test command executed.

    python scripts/run_notebooks.py     # once: executes every lesson into build/executed/
    python scripts/build_site.py        # then: the site, in build/site/ (open index.html)

Nothing is executed here: the pages show the outputs of the executed copies, so a lesson's
numbers on the site are the ones the tests checked. A lesson without a current executed copy
stops the build with the command that makes one. Solutions are folded on the page (a toggle),
as in the notebooks. The pages are made by Sphinx with MyST-NB (see docs/conf.py for why).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import run_notebooks as rn  # the same folder: scripts/

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SOURCE = ROOT / "build" / "site-source"
SITE = ROOT / "build" / "site"


def executed_lessons() -> list[Path]:
    """The executed copy of every lesson, or SystemExit naming those that are missing or stale."""
    stale = []
    for path in rn.lessons():
        copy = rn.OUT / path.name
        made_from = nbformat.read(copy, as_version=4).metadata.get("biomedkit", {}) if copy.exists() else {}
        if made_from.get("source_sha256") != rn.source_hash(path):
            stale.append(path.stem)
    if stale:
        raise SystemExit(f"no current executed copy of {', '.join(stale)}. "
                         "Run: python scripts/run_notebooks.py  (then build the site again)")
    return [rn.OUT / path.name for path in rn.lessons()]


def page_of(executed: Path) -> nbformat.NotebookNode:
    """The lesson as its page shows it: solutions behind a toggle, no timing metadata (the hash
    of the notebook it came from stays, so a test can tell a stale page)."""
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "solution" in tags and "hide-cell" not in tags:
            cell.metadata["tags"] = [*tags, "hide-cell"]
        cell.metadata.pop("execution", None)
    nb.metadata["biomedkit"] = {"source_sha256": nb.metadata["biomedkit"]["source_sha256"]}
    return nb


def assemble() -> None:
    """Write the Sphinx source folder: the hand-written pages, the catalogue, the lessons."""
    if SOURCE.exists():
        shutil.rmtree(SOURCE)
    (SOURCE / "lessons").mkdir(parents=True)
    for page in DOCS.iterdir():
        if page.suffix in {".md", ".py"}:
            shutil.copy(page, SOURCE / page.name)
    shutil.copy(ROOT / "datasets" / "README.md", SOURCE / "datasets.md")
    for executed in executed_lessons():
        nbformat.write(page_of(executed), SOURCE / "lessons" / executed.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SITE, help="where the HTML goes (default: build/site)")
    args = parser.parse_args(argv)
    assemble()
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "--keep-going", "-j", "auto",
           str(SOURCE), str(args.out)]
    result = subprocess.run(cmd, cwd=ROOT)
    if result.returncode == 0:
        print(f"==> the site is in {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
              "/index.html")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
