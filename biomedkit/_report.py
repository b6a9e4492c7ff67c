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


PAGE_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "max-width:70em;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
    "h1,h2{border-bottom:1px solid #ddd;padding-bottom:.2em}h3{margin-top:1.6em}"
    "table{border-collapse:collapse;font-size:90%;margin:.5em 0 1em}"
    "td,th{padding:3px 9px;border-bottom:1px solid #e4e4e4;text-align:right}"
    "th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
    "figure{display:inline-block;margin:.5em 1em .5em 0}figure img{max-width:100%}"
    "figcaption{font-size:90%;color:#555}"
)


def html_table(df: pd.DataFrame) -> str:
    """A table as HTML, with the index as a first column only when it is named (the row
    numbers of a plain table stay out)."""
    df = df.reset_index() if df.index.name else df
    return df.to_html(index=False, na_rep="", border=0, escape=True)


def png_figure(draw, caption: str, *, size=(5.0, 4.0)) -> str:
    """A figure drawn by ``draw(ax)`` as an embedded PNG (base64) with its caption: the page
    stays one file. Drawn on its own Figure, so nothing is shown in a notebook."""
    import base64
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    draw(fig.subplots())
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


class HtmlMarkdownReport:
    """What a report with ``to_html()`` and ``to_markdown()`` shares (also ``bk.audit``'s):
    HTML in a notebook, and ``save(path)`` as Markdown or HTML by the suffix."""

    # With a title, a saved .html is a standalone page (a head, a style); without, the fragment.
    _html_page_title: str | None = None

    def _repr_html_(self) -> str:
        return self.to_html()

    def _page_body(self) -> str:
        """The HTML inside a saved page (a report may add what a notebook view leaves out)."""
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
            text = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
                    f"content='width=device-width, initial-scale=1'><title>"
                    f"{html.escape(self._html_page_title)}</title><style>{PAGE_STYLE}</style></head><body>"
                    + self._page_body() + "</body></html>\n")
        path.write_text(text, encoding="utf-8")
        return path
