"""What every report of the package shares (the validation report, the audit): a Markdown
table, HTML in a notebook, and ``save(path)`` to Markdown or HTML."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd


def md_table(df: pd.DataFrame, digits: int = 3) -> str:
    def fmt(v):
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else f"{v:.{digits}f}"
        return str(v)

    df = df.reset_index() if df.index.name else df
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in df.columns) + " |"
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


class HtmlMarkdownReport:
    """What a report with ``to_html()`` and ``to_markdown()`` shares (also ``bk.audit``'s):
    HTML in a notebook, and ``save(path)`` as Markdown or HTML by the suffix."""

    # With a title, a saved .html is a standalone page (a head, a style); without, the fragment.
    _html_page_title: str | None = None

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path) -> Path:
        """Write the report as Markdown (.md) or HTML (.html), chosen by the suffix."""
        path = Path(path)
        if path.suffix not in (".md", ".html"):
            raise ValueError(f"path must end in .md or .html; got {path.name!r}")
        if path.suffix == ".md":
            text = self.to_markdown()
        elif self._html_page_title is None:
            text = self.to_html()
        else:
            style = ("body{font-family:sans-serif;max-width:70em;margin:auto}"
                     "table{border-collapse:collapse;font-size:90%}td,th{padding:2px 8px}")
            text = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
                    f"{html.escape(self._html_page_title)}</title><style>{style}</style></head><body>"
                    + self.to_html() + "</body></html>\n")
        path.write_text(text, encoding="utf-8")
        return path
