"""Check that every number the prose quotes is a number the lesson prints.

    python scripts/prose_numbers.py                 # every executed lesson in build/executed/
    python scripts/prose_numbers.py build/executed/05_missing_data.ipynb

The rule, simple enough to keep: a decimal number in a markdown cell (0.803, 3.4, 12.5 %) must
appear, at the precision shown, among the numbers that the executed notebook's outputs print
(text, tables, or a percentage of a printed proportion). A number written in backticks or inside
math (`0.05`, $1.96$) is a parameter or a constant, not a quoted result, and is not checked;
nor are integers (counts, years, lesson numbers). A library update that moves a result moves the
output; this check then names the sentence that no longer agrees with the screen.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
DECIMAL = re.compile(r"(?<![\w.])[-−]?\d+\.\d+(?![\w.]*\d)")
NUMBER = re.compile(r"[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")
# what is not prose: fenced code, code spans, math, HTML tags, link targets
NOT_PROSE = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$\n]*\$|<[^>]+>|\]\([^)]*\)", re.S)


def quoted(markdown: str) -> list[str]:
    """The decimal numbers a markdown cell quotes, as written."""
    return DECIMAL.findall(NOT_PROSE.sub(" ", markdown))


def printed(nb) -> list[float]:
    """Every number in the outputs of the notebook's code cells."""
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(out.text)
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in out.get("data", {}):
                    texts.append(html.unescape(re.sub(r"<[^>]+>", " ", out["data"][mime])))
    values = []
    for token in NUMBER.findall("\n".join(texts)):
        try:
            values.append(float(token.replace("−", "-").replace(",", "")))
        except ValueError:
            pass
    return values


def agrees(written: str, values: list[float]) -> bool:
    """Does some printed value, rounded as the prose rounds, give the written number?"""
    q = float(written.replace("−", "-"))
    decimals = len(written.split(".")[1])
    half = 0.5 * 10 ** -decimals + 1e-9
    return any(abs(v - q) <= half or abs(100 * v - q) <= half or abs(abs(v) - abs(q)) <= half
               for v in values)


def disagreements(nb) -> list[tuple[str, str]]:
    """(number, the sentence around it) for each quoted number that nothing printed."""
    values = printed(nb)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for number in quoted(cell.source):
            if not agrees(number, values):
                prose = NOT_PROSE.sub(" ", cell.source)
                at = prose.find(number)
                found.append((number, " ".join(prose[max(0, at - 70):at + 40].split())))
    return found


def main(paths: list[str]) -> int:
    files = [Path(p) for p in paths] or sorted((ROOT / "build" / "executed").glob("[0-9]*.ipynb"))
    bad = 0
    for path in files:
        for number, context in disagreements(nbformat.read(path, as_version=4)):
            bad += 1
            print(f"{path.stem}: {number} is not printed by the lesson: ...{context}...")
    print(f"{bad} quoted numbers disagree with the outputs in {len(files)} lessons")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
