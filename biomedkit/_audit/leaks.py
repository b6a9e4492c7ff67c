"""The leakage section: features that alone predict the target suspiciously well."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from biomedkit._audit.common import _SHOWN, _auc_table
from biomedkit._audit.report import _Section

if TYPE_CHECKING:
    from biomedkit._audit.build import _Builder


def leakage(b: _Builder) -> None:
    ctx, info = b.ctx, b.info
    feats = info[info.role == "feature"]
    table = _auc_table(feats, ctx.classes, "auc", "auc_class", "higher")
    table["n_used"] = feats.n_used.astype(int)
    table["method"] = np.where(feats.kind == "categorical", "out-of-fold target mean", "rank")
    table = table.sort_values("auc", ascending=False, na_position="last")
    table["flag"] = table.auc >= b.t["leak_auc"]
    b.tables["leakage"] = table
    for name, row in table[table.flag].iterrows():
        b.flag("high", "Possible leaks", f"{name!r} alone predicts the target with AUC "
               f"{row.auc:.3f}: is it measured after the outcome, or derived from it?", name)
    against, where = (("the target", "cases") if ctx.positive >= 0 else
                      ("each class against the rest (the best-separated in 'class')", "it"))
    text = (f"Each feature alone as a score for {against}: rank AUC for numeric features, "
            f"folded as max(AUC, 1 - AUC) ('direction': values higher or lower in {where}), and "
            "a 5-fold out-of-fold target-mean encoding for categorical ones. Flagged at AUC >= "
            f"{b.t['leak_auc']}: a single feature that strong is rare in clinical data.")
    shown = pd.concat([table[table.flag], table[~table.flag].head(_SHOWN)])
    b.sections.append(_Section("Possible leaks", text, [
        (f"Univariable AUC (the flagged and the top {_SHOWN} others)", shown)]))
