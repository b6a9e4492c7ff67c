"""Dataset cards: one TOML file per dataset in the top-level ``datasets/cards``.

That folder is the single source of truth. A wheel carries a copy of it inside
the package (``biomedkit/datasets/cards``, see pyproject.toml); a checkout or an
editable install reads the top-level folder directly.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

# The fields every card must have, in the order the catalogue shows them.
FIELDS = (
    "name", "title", "kind", "description", "source", "citation", "license", "package",
    "rows", "columns", "target", "task", "sensitive", "missing", "sites", "lessons", "notes",
)
KINDS = ("real", "simulated")


def cards_dir() -> Path:
    """Return the folder that holds the cards (installed wheel or checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "cards", here.parents[1] / "datasets" / "cards"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "biomedkit cannot find its dataset cards; reinstall biomedkit (pip install biomedkit)."
    )


def _read_card(path: Path) -> dict:
    with path.open("rb") as fh:
        card = tomllib.load(fh)
    missing = [f for f in FIELDS if f not in card]
    if missing:
        raise ValueError(f"dataset card {path.name} lacks the fields {missing}")
    if card["kind"] not in KINDS:
        raise ValueError(f"dataset card {path.name}: kind must be one of {KINDS}, got {card['kind']!r}")
    if card["name"] != path.stem:
        raise ValueError(f"dataset card {path.name}: name {card['name']!r} must match the file name")
    return {field: card[field] for field in FIELDS}


@functools.cache
def all_cards() -> dict[str, dict]:
    """Every card, keyed by dataset name, sorted real first then by name."""
    cards = [_read_card(p) for p in cards_dir().glob("*.toml")]
    cards.sort(key=lambda c: (KINDS.index(c["kind"]), c["name"]))
    return {card["name"]: card for card in cards}


def get_card(name: str) -> dict:
    cards = all_cards()
    if not isinstance(name, str) or name not in cards:
        raise ValueError(
            f"name must be one of the catalogued datasets {sorted(cards)}; got {name!r}. "
            "See bk.datasets.catalog()."
        )
    return dict(cards[name])  # a copy: callers may not edit the cached card


def to_markdown() -> str:
    """The human-readable catalogue, datasets/README.md, made from the cards."""
    lines = [
        "# The dataset catalogue",
        "",
        "One card per dataset in `cards/` (TOML). The cards are the single source of truth:",
        "`bk.datasets.catalog()` reads them, the wheel ships them, and this page is made from",
        "them with `python -m biomedkit.datasets > datasets/README.md` (a test checks it is current).",
        "",
        "Real data ship inside pip packages and load offline. Simulated data come from",
        "biomedkit's simulators, which also return the truth (true risks, subtypes, batch effects).",
        "",
        "| name | kind | title | rows x columns | target | sensitive | sites | lessons |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    cards = all_cards().values()
    for c in cards:
        lines.append(
            f"| `{c['name']}` | {c['kind']} | {c['title']} | {c['rows']} x {c['columns']} "
            f"| {c['target'] or '-'} | {', '.join(c['sensitive']) or '-'} | {c['sites'] or '-'} "
            f"| {'; '.join(c['lessons'])} |"
        )
    for c in cards:
        lines += [
            "", f"## `{c['name']}`: {c['title']}", "", c["description"], "",
            f"- **Kind**: {c['kind']}",
            f"- **Source**: {c['source']}",
            f"- **Citation**: {c['citation']}",
            f"- **Licence**: {c['license']}",
            f"- **Needs**: {('pip install ' + c['package']) if c['package'] else 'nothing beyond biomedkit'}",
            f"- **Size**: {c['rows']} rows x {c['columns']} columns",
            f"- **Target**: {c['target'] or 'none'} ({c['task']})",
            f"- **Sensitive attributes**: {', '.join(c['sensitive']) or 'none'}",
            f"- **Missing values**: {c['missing']}",
            f"- **Sites or batches**: {c['sites'] or 'none'}",
            f"- **Lessons**: {'; '.join(c['lessons'])}",
            f"- **Notes**: {c['notes']}",
        ]
    return "\n".join(lines) + "\n"
