"""What an audit found: :class:`Finding`, :class:`AuditReport` and their HTML and Markdown."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from biomedkit._report import HtmlMarkdownReport, md_table

SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    """One thing the audit noticed.

    ``severity`` is ``"high"`` (can invalidate a model or its validation: a leak, the same
    patients in training and test), ``"medium"`` (check before modelling) or ``"low"``
    (worth knowing).
    """

    severity: str
    section: str
    message: str
    column: str | None = None

    def __str__(self) -> str:
        return f"[{self.severity}] {self.section}: {self.message}"


@dataclass
class Section:
    title: str
    text: str
    tables: list = field(default_factory=list)  # (caption, DataFrame) pairs, as shown


@dataclass(repr=False)
class AuditReport(HtmlMarkdownReport):
    """What :func:`audit` found, as tables, findings and a report.

    Renders as HTML in a notebook; ``to_html()``, ``to_markdown()`` and ``save(path)``
    export it. Tables that a check did not run for (no ``site=``, no ``test=`` ...) are None.

    Attributes
    ----------
    findings : list of Finding
        Short warnings, most severe first (``findings_frame()`` as a table).
    columns : DataFrame
        One row per column: kind (numeric, datetime, categorical), dtype, missing values,
        distinct values, constant.
    missing : DataFrame
        Columns with missing values, and whether missingness goes with the outcome:
        outcome prevalence where the value is missing and where it is observed (binary
        target), their total variation distance ``outcome_tvd`` and a chi-square p-value.
    missing_patterns : DataFrame
        The most common combinations of missing columns, with counts.
    class_balance : DataFrame
        Count and share of each class of the target.
    duplicates, duplicate_groups : DataFrame
        Rows repeating an earlier row (exactly; ignoring identifier columns; the same
        features with another target), and up to 20 example groups of each kind.
    identifiers : DataFrame
        Identifier-like columns, why, and their AUC for the target.
    leakage : DataFrame
        Every feature's univariable AUC for the target (folded, so >= 0.5); the longest run
        of rows beyond a cut with one outcome (``one_sided``: its share of the rows, its
        rule and p-value); what the name looks like (``looks_like``: follow-up time, event
        indicator or ''); a flag and its ``reason`` (AUC, one-sided, name).
    site_leakage : DataFrame or None
        With ``site=``: per feature and site, the same AUC within the site
        (``auc_in_site``), at the other sites together (``auc_elsewhere``) and in the whole
        table (``auc_overall``); ``n_in_site`` labelled rows and ``events_in_site`` rows of
        ``class`` there; the p-value of the difference and a flag (a site-specific leak).
    separability : DataFrame
        How well a classifier tells sites apart, or training from test rows.
    by_site, site_features, by_group, by_time : DataFrame or None
        Outcome per site, group or period; features that differ most between sites.
    overlap, drift : DataFrame or None
        Training/test overlap (identifiers, rows) and per-feature drift.
    """

    _html_page_title = "Data audit"  # a saved .html is a standalone page

    target: str
    n_rows: int
    n_columns: int
    findings: list
    columns: pd.DataFrame
    missing: pd.DataFrame
    missing_patterns: pd.DataFrame
    class_balance: pd.DataFrame
    duplicates: pd.DataFrame
    duplicate_groups: pd.DataFrame
    identifiers: pd.DataFrame
    leakage: pd.DataFrame
    separability: pd.DataFrame
    site_leakage: pd.DataFrame | None = None
    by_site: pd.DataFrame | None = None
    site_features: pd.DataFrame | None = None
    by_group: pd.DataFrame | None = None
    by_time: pd.DataFrame | None = None
    overlap: pd.DataFrame | None = None
    drift: pd.DataFrame | None = None
    sections: list = field(default_factory=list)

    def findings_frame(self) -> pd.DataFrame:
        """The findings as a table (severity, section, column, message)."""
        return pd.DataFrame([(f.severity, f.section, f.column, f.message) for f in self.findings],
                            columns=["severity", "section", "column", "message"])

    def __repr__(self) -> str:
        counts = ", ".join(f"{sum(f.severity == s for f in self.findings)} {s}" for s in SEVERITIES)
        lines = [f"<AuditReport: {self.n_rows} rows x {self.n_columns} columns, target "
                 f"{self.target!r}; findings: {counts}>"]
        return "\n".join(lines + [f"  {f}" for f in self.findings])

    def to_markdown(self) -> str:
        out = [f"# Data audit: target {self.target}", ""]
        out += ["## Findings", ""] + ([f"- **{f.severity}** ({f.section}) {f.message}"
                                       for f in self.findings] or ["No findings."]) + [""]
        for sec in self.sections:
            out += [f"## {sec.title}", "", sec.text, ""]
            for caption, table in sec.tables:
                out += [f"*{caption}*", "", md_table(table), ""]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        colour = {"high": "#b2182b", "medium": "#d6604d", "low": "#4d4d4d"}
        items = "".join(f"<li><b style='color:{colour[f.severity]}'>{f.severity}</b> "
                        f"<i>{html.escape(f.section)}</i>: {html.escape(f.message)}</li>"
                        for f in self.findings) or "<li>No findings.</li>"
        parts = [f"<h2>Data audit: target {html.escape(self.target)}</h2>",
                 f"<h3>Findings</h3><ul>{items}</ul>"]
        for sec in self.sections:
            parts.append(f"<h3>{html.escape(sec.title)}</h3><p>{html.escape(sec.text)}</p>")
            for caption, table in sec.tables:
                parts.append(f"<p><i>{html.escape(caption)}</i></p>" + _html_table(table))
        return "<div class='biomedkit-report'>" + "\n".join(parts) + "</div>"


def _html_table(table: pd.DataFrame) -> str:
    def number(v):
        return "" if pd.isna(v) else f"{v:.3f}"

    def p_value(v):
        return "" if pd.isna(v) else f"{v:.2g}"

    formatters = {c: (p_value if "p_value" in str(c) else number)
                  for c in table.columns if pd.api.types.is_float_dtype(table[c])}
    return table.to_html(formatters=formatters, na_rep="")
