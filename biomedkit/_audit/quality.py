"""Sections on the table itself: overview, missing values, target, duplicates, identifiers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from biomedkit._audit.common import ALPHA, SHOWN, name_list, p_text
from biomedkit._audit.report import Section
from biomedkit._audit.stats import chi2_p, crosstab

if TYPE_CHECKING:
    from biomedkit._audit.build import Builder

_MISSING_TVD = 0.05  # outcome difference, missing vs observed, that hints at informative missingness


def overview(b: Builder) -> None:
    info, ctx = b.info, b.ctx
    table = info[["kind", "dtype", "n_missing", "n_unique"]].copy()
    table["share_missing"] = table.n_missing / ctx.n
    table["constant"] = table.n_unique <= 1
    b.tables["columns"] = table
    kinds = table.kind.value_counts()
    text = (f"{ctx.n} rows and {len(table)} columns ("
            + ", ".join(f"{v} {k}" for k, v in kinds.items()) + f"). Target {ctx.target!r}")
    text += (f", positive class {ctx.classes[ctx.positive]!r}." if ctx.positive >= 0
             else f" with {len(ctx.classes)} classes.")
    empty = table.index[table.n_missing == ctx.n].tolist()
    constant = table.index[(table.n_unique == 1)].tolist()
    if empty:
        b.flag("low", "Columns", f"{len(empty)} column(s) entirely missing: {name_list(empty)}")
    if constant:
        b.flag("low", "Columns", f"{len(constant)} constant column(s), which carry no "
               f"information: {name_list(constant)}")
    b.sections.append(Section("Overview", text))


def missingness(b: Builder) -> None:
    ctx, scan = b.ctx, b.scan
    table = b.tables["columns"]
    missing = b.tables["missing"] = _missing_table(b)
    patterns = b.tables["missing_patterns"] = _patterns(scan.missing_matrix, ctx.n)
    incomplete = sum(scan.missing_matrix.values(), np.zeros(ctx.n)) > 0
    complete = ctx.n - int(incomplete.sum())
    n_empty = int((table.n_missing == ctx.n).sum())
    text = (f"{int((table.n_missing > 0).sum())} of {len(table)} columns have missing values "
            f"({table.n_missing.sum() / (ctx.n * len(table)):.1%} of all cells); {complete} rows "
            f"({complete / ctx.n:.1%}) are complete"
            + (f" (not counting {n_empty} entirely missing column(s))" if n_empty else "") + ". "
            "'Informative' marks columns whose missingness goes with the outcome (chi-square "
            f"p < {ALPHA} and a prevalence difference of at least {_MISSING_TVD}).")
    many = missing.index[missing.share_missing >= 0.5].tolist()
    if many:
        b.flag("low", "Missing values", f"{len(many)} column(s) at least half missing "
               f"(but not entirely): {name_list(many)}")
    tables = []
    if len(missing):
        tables.append(("Columns with missing values", missing.head(SHOWN * 2)))
        tables.append(("Most common patterns of missing columns", patterns))
    b.sections.append(Section("Missing values", text, tables))


def _missing_table(b: Builder) -> pd.DataFrame:
    """Per column with missing values: how many, and whether missingness goes with the
    outcome (flagged as informative); most missing first."""
    ctx = b.ctx
    rows = [_missing_row(b, name, mask) for name, mask in b.scan.missing_matrix.items()]
    cols = ["n_missing", "share_missing", "prevalence_if_missing", "prevalence_if_observed",
            "outcome_tvd", "p_value", "informative"]
    if ctx.positive < 0:
        cols = [c for c in cols if not c.startswith("prevalence")]
    missing = pd.DataFrame(rows, columns=["column", *cols]).set_index("column")
    return missing.sort_values("share_missing", ascending=False)


def _missing_row(b: Builder, name, mask: np.ndarray) -> dict:
    """One column's row of the missing-values table; flags informative missingness."""
    ctx = b.ctx
    y = ctx.y[:ctx.n]
    counts = crosstab(mask.astype(np.int64), 2, np.where(y >= 0, y, -1), len(ctx.classes))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = counts / counts.sum(axis=1, keepdims=True)
    row = dict(column=name, n_missing=int(mask.sum()), share_missing=mask.mean())
    if ctx.positive >= 0:
        row.update(prevalence_if_missing=share[1, ctx.positive],
                   prevalence_if_observed=share[0, ctx.positive])
    tvd = 0.5 * np.abs(share[1] - share[0]).sum() if name != ctx.target else np.nan
    p = chi2_p(counts) if name != ctx.target else np.nan
    row.update(outcome_tvd=tvd, p_value=p, informative=bool(p < ALPHA and tvd >= _MISSING_TVD))
    if row["informative"]:
        detail = (f"prevalence {row['prevalence_if_missing']:.1%} where missing vs "
                  f"{row['prevalence_if_observed']:.1%} where observed"
                  if ctx.positive >= 0 else f"class mix differs, TVD {tvd:.2f}")
        b.flag("medium", "Missing values", f"missingness in {name!r} goes with the "
               f"outcome ({detail}, {p_text(p)}): informative missingness; consider a "
               "missing-indicator feature, and impute inside the cross-validation", name)
    return row


def class_balance(b: Builder) -> None:
    ctx = b.ctx
    y = ctx.y[:ctx.n]
    counts = np.bincount(y[y >= 0], minlength=len(ctx.classes))
    table = pd.DataFrame({"count": counts, "share": counts / counts.sum()},
                         index=pd.Index([str(c) for c in ctx.classes], name="class"))
    b.tables["class_balance"] = table
    n_missing = int((y < 0).sum())
    text = ", ".join(f"{c}: {k} ({s:.1%})" for c, k, s in zip(table.index, table["count"], table.share))
    if n_missing:
        text += f"; {n_missing} rows have no outcome and are left out of the outcome-based checks"
        b.flag("medium", "Target", f"{n_missing} rows ({n_missing / ctx.n:.1%}) have a missing "
               "target; they are left out of the outcome checks")
    for cls, count, share in zip(table.index, table["count"], table.share):
        if share < b.t["rare_class"]:
            b.flag("medium", "Target", f"class {cls} is rare ({count} rows, {share:.1%}): use "
                   "stratified splits, report precision-recall and calibration, and expect "
                   "wide confidence intervals", ctx.target)
    b.sections.append(Section("Target", text + ".", [("Class balance", table)]))


def duplicates(b: Builder) -> None:
    ctx, scan = b.ctx, b.scan
    ignored = scan.ids + ([ctx.split_column] if ctx.split_column is not None else [])
    no_id = "ignoring identifiers: " + (name_list(ignored) if ignored else "none found")
    kinds = [("exact (all columns)", scan.hash_all, None), (no_id, scan.hash_no_id, None),
             ("same features, different target", scan.hash_features, ctx.y[:ctx.n])]
    rows, groups = [], []
    for kind, h, outcome in kinds:
        repeated = _repeated(h, outcome)
        n_groups = int(pd.unique(h[repeated]).size)
        n_rows = int(repeated.sum()) - n_groups if outcome is None else int(repeated.sum())
        rows.append(dict(kind=kind, n_rows=n_rows, share=n_rows / ctx.n, n_groups=n_groups))
        groups += _example_groups(kind, h, repeated, ctx.row_labels)
    table = b.tables["duplicates"] = pd.DataFrame(rows).set_index("kind")
    examples = b.tables["duplicate_groups"] = pd.DataFrame(
        groups, columns=["kind", "group", "n_rows", "rows"])
    exact, no_id, conflict = table.n_rows.to_numpy()
    if exact:
        b.flag("medium", "Duplicates", f"{exact} rows repeat an earlier row exactly: remove "
               "them or keep copies in the same fold, or validation is optimistic")
    if no_id > exact:
        b.flag("medium", "Duplicates", f"{no_id} rows repeat an earlier row apart from the "
               f"identifier columns ({name_list(ignored)}): the same record under two "
               "identifiers?")
    if conflict:
        b.flag("medium", "Duplicates", f"{conflict} rows share all their features with a row "
               "whose target differs: label noise, or features too coarse to tell them apart")
    text = ("Rows that repeat an earlier row (n_rows counts the copies beyond the first, "
            "n_groups the distinct repeated rows); for the last kind, n_rows counts every row "
            "of the groups of identical features whose targets disagree.")
    shown = [("Duplicated rows", table)]
    if len(examples):
        shown.append(("Examples (row labels of df)", examples.groupby("kind", sort=False).head(3)
                      .set_index("kind")))
    b.sections.append(Section("Duplicates", text, shown))


def _repeated(h: np.ndarray, outcome: np.ndarray | None) -> np.ndarray:
    """Rows whose hash occurs more than once; with ``outcome``, only the labelled rows of
    groups whose outcomes disagree."""
    repeated = pd.Series(h).duplicated(keep=False).to_numpy()
    if outcome is not None:
        repeated &= outcome >= 0
        frame = pd.DataFrame({"h": h[repeated], "y": outcome[repeated]})
        disagree = frame.groupby("h").y.nunique()
        repeated[repeated] = frame.h.isin(disagree.index[disagree > 1]).to_numpy()
    return repeated


def _example_groups(kind: str, h: np.ndarray, repeated: np.ndarray, row_labels) -> list:
    """The first 20 groups of repeated rows, with the row labels of their members."""
    groups = []
    where = np.flatnonzero(repeated)
    for g, (_, members) in enumerate(pd.Series(where).groupby(h[where], sort=False)):
        if g == 20:
            break
        groups.append(dict(kind=kind, group=g, n_rows=len(members),
                           rows=row_labels[members.to_numpy()].tolist()))
    return groups


def identifiers(b: Builder) -> None:
    ctx, info = b.ctx, b.info
    ids = info.loc[b.scan.ids]
    table = pd.DataFrame({
        "given": [c in ctx.id_given for c in ids.index],
        "reasons": ids.id_reasons.replace("", "given in id_columns"),
        "n_unique": ids.n_unique, "share_unique": ids.n_unique / ctx.n, "auc": ids.auc})
    table.index.name = "column"
    b.tables["identifiers"] = table
    for name, row in table.iterrows():
        if not row.given and row.share_unique >= 0.5:
            b.flag("medium", "Identifiers", f"{name!r} looks like an identifier "
                   f"({row.reasons}): keep it out of the model's features", name)
        elif not row.given:
            b.flag("low", "Identifiers", f"{name!r} has an identifier-like name but repeats "
                   f"({row.n_unique} distinct values): a patient id with several rows each? "
                   "Split by it (GroupKFold) rather than by row", name)
        if row.auc >= b.t["leak_auc"]:
            b.flag("high", "Identifiers", f"identifier {name!r} predicts the target (AUC "
                   f"{row.auc:.3f}): rows are ordered or numbered by outcome", name)
    text = ("Identifier-like columns, given or detected (distinct text or integers in nearly "
            "every row, an integer sequence, or a name like id, mrn, patient_id), are left out "
            "of the feature checks below. An identifier with an AUC well above 0.5 means rows "
            "were numbered in an order related to the outcome.")
    b.sections.append(Section("Identifiers", text, [("Identifier-like columns", table)]
                               if len(table) else []))


def _patterns(missing: dict, n: int, top: int = 10) -> pd.DataFrame:
    """The most common sets of missing columns (among columns with some missing)."""
    cols = ["pattern", "n_missing_columns", "count", "share"]
    if not missing:
        return pd.DataFrame(columns=cols).set_index("pattern")
    names = list(missing)
    packed = np.packbits(np.column_stack(list(missing.values())), axis=1)
    patterns, counts = np.unique(packed, axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:top]
    rows = []
    for k in order:
        bits = np.unpackbits(patterns[k])[:len(names)].astype(bool)
        chosen = [n_ for n_, b in zip(names, bits) if b]
        label = name_list(chosen, 5) if chosen else "(none missing)"
        rows.append((label, len(chosen), counts[k], counts[k] / n))
    return pd.DataFrame(rows, columns=cols).set_index("pattern")
