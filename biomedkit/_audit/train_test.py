"""The training/test section: shared patients and rows, drift, and a train-vs-test classifier."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from biomedkit._audit.columns import ROW_NUMBER
from biomedkit._audit.common import ALPHA, SEPARABLE_AUC, SHOWN, name_list, rows_used
from biomedkit._audit.report import Section
from biomedkit._audit.scan import classifier_separability

if TYPE_CHECKING:
    from biomedkit._audit.build import Builder


def train_test(b: Builder) -> None:
    ctx, scan = b.ctx, b.scan
    b.tables.update(overlap=None, drift=None)
    if ctx.split is None:
        return
    checked = [c for c in scan.id_values if c in ctx.id_given or not ROW_NUMBER.match(str(c))]
    overlap = b.tables["overlap"] = _overlap(b, checked)
    drift = b.tables["drift"] = _drift_table(b)
    for name, row in drift[drift.flag].iterrows():
        b.flag("medium", "Train/test", f"{name!r} drifted between training and test "
               f"({_drift_words(row, b.t)})", name)
    text = _method_text(b, checked) + _columns_not_shared(b) + _classifier(b)
    b.sections.append(Section("Train/test", text, [
        ("Overlap", overlap),
        (f"Drift (the flagged and the top {SHOWN} others)",
         pd.concat([drift[drift.flag], drift[~drift.flag].head(SHOWN)]))]))


def _overlap(b: Builder, checked: list) -> pd.DataFrame:
    """Test rows that share an identifier value, or a whole row, with the training rows;
    flagged, since the test set is then not independent."""
    ctx, scan = b.ctx, b.scan
    train, test = ctx.split == 0, ctx.split == 1
    rows = []
    for name in checked:
        values = scan.id_values[name]
        seen = ~np.isnan(values) if values.dtype.kind == "f" else values >= 0
        rows.append(_shared(f"identifier {name}", values[test & seen], values[train & seen]))
    rows.append(_shared("rows, all shared columns", scan.hash_common[test], scan.hash_common[train]))
    rows.append(_shared("rows, ignoring identifiers", scan.hash_common_no_id[test],
                        scan.hash_common_no_id[train]))
    overlap = pd.DataFrame(rows).set_index("check")
    counts = overlap.n_test_rows.astype(int)
    advice = "the test set is not independent; split by patient (GroupShuffleSplit)"
    for name in checked:
        if counts[f"identifier {name}"]:
            b.flag("high", "Train/test", f"{counts[f'identifier {name}']} test rows have a "
                   f"{name} that is also in the training rows: {advice}", name)
    exact, no_id = counts["rows, all shared columns"], counts["rows, ignoring identifiers"]
    if exact:
        b.flag("high", "Train/test", f"{exact} test rows are identical to a training row: {advice}")
    if no_id > exact:
        b.flag("high", "Train/test", f"{no_id} test rows are identical to a training row apart "
               f"from the identifier columns: {advice}")
    return overlap


def _method_text(b: Builder, checked: list) -> str:
    """What the section compares, and the thresholds of the drift flags."""
    return (f"{int((b.ctx.split == 0).sum())} training rows and {int((b.ctx.split == 1).sum())} "
            "test rows. Overlap compares identifier values and whole-row hashes (identifiers "
            "checked: " + (name_list(checked) if checked else "none; pass id_columns= to check "
                           "for shared patients") + "). Drift: standardized mean difference (test "
            "minus training, pooled SD) and Kolmogorov-Smirnov statistic for numeric features, "
            "total variation distance for categorical ones (missing as a level); flagged at "
            f"|SMD| >= {b.t['drift_smd']}, KS >= {b.t['drift_ks']}, TVD >= {b.t['drift_tvd']} "
            f"(or that change in the share missing), if also p < {ALPHA}.")


def _columns_not_shared(b: Builder) -> str:
    """With a test frame: flag the columns of df it lacks; name those only it has."""
    ctx = b.ctx
    if not ctx.test_columns:
        return ""
    only_df = [c for c in ctx.columns if c not in ctx.test_columns and c != ctx.target]
    only_test = [c for c in ctx.test_columns if c not in ctx.columns]
    if only_df:
        b.flag("medium", "Train/test", f"test lacks {len(only_df)} column(s) of df: "
               f"{name_list(only_df)}")
    return f" Columns only in test (ignored): {name_list(only_test)}." if only_test else ""


def _classifier(b: Builder) -> str:
    """A classifier telling training from test rows: its row of the separability table, a
    flag if it does well, and a sentence."""
    ctx, scan = b.ctx, b.scan
    sep = classifier_separability(scan.split_X, ctx.split[scan.split_sample], ctx.seed)
    if sep is None:
        return ""
    b.separability.append(dict(comparison="train vs test", **sep))
    if sep["auc"] >= SEPARABLE_AUC:
        b.flag("medium", "Train/test", f"training and test rows are easy to tell apart (AUC "
               f"{sep['auc']:.3f}): the test set comes from a different distribution")
    return (f" A classifier tells training from test rows with AUC {sep['auc']:.3f} (0.5 is "
            f"chance; 3-fold cross-validation on {rows_used(sep['n_rows'], ctx.split)}).")


def _drift_table(b: Builder) -> pd.DataFrame:
    cols = ["kind", "missing_train", "missing_test", "smd", "ks", "tvd", "new_levels", "p_value",
            "missing_p_value"]
    drift = b.info.loc[b.info.missing_train.notna(), cols]
    t = b.t
    size = np.fmax(np.fmax(drift.smd.abs() / t["drift_smd"], drift.ks / t["drift_ks"]),
                   drift.tvd / t["drift_tvd"])
    missing = (drift.missing_test - drift.missing_train).abs() >= t["drift_tvd"]
    flag = ((size >= 1) & (drift.p_value < ALPHA)) | (missing & (drift.missing_p_value < ALPHA))
    order = np.argsort(-size.fillna(0).to_numpy(), kind="stable")
    return drift.assign(flag=flag).iloc[order]


def _shared(check: str, test_values: np.ndarray, train_values: np.ndarray) -> dict:
    shared = np.isin(test_values, train_values)
    return dict(check=check, n_test_rows=int(shared.sum()),
                share_test_rows=float(shared.mean()) if shared.size else 0.0,
                n_shared_values=int(np.unique(test_values[shared]).size))


def _drift_words(row, t: dict) -> str:
    words = []
    if abs(row.smd) >= t["drift_smd"] or row.ks >= t["drift_ks"]:
        words.append(f"SMD {row.smd:+.2f}, KS {row.ks:.2f}")
    if row.tvd >= t["drift_tvd"]:
        words.append(f"TVD {row.tvd:.2f}")
    if abs(row.missing_test - row.missing_train) >= t["drift_tvd"]:
        words.append(f"missing {row.missing_train:.0%} in training vs {row.missing_test:.0%} in test")
    return "; ".join(words)
