"""Thresholds, wording and a table shape that several sections of the audit share."""

from __future__ import annotations

import numpy as np
import pandas as pd

# A difference is flagged only if it is also this significant: in big tables tiny ones are.
ALPHA = 0.001
SEPARABLE_AUC = 0.75  # a classifier AUC at which sites (or train and test) are told apart well
SHOWN = 15  # rows of a long table shown in the rendered report (the attribute keeps them all)


def rows_used(used: int, labels: np.ndarray) -> str:
    available = int((labels >= 0).sum())
    return (f"all {used} rows" if used == available else
            f"a random subsample of {used} of the {available} rows (max_rows)")


def p_text(p: float) -> str:
    return "p < 1e-15" if p < 1e-15 else f"p = {p:.2g}"


def name_list(names, limit=8) -> str:
    names = [str(n) for n in names]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def auc_table(feats: pd.DataFrame, classes: list, auc: str, which: str, higher: str) -> pd.DataFrame:
    """Per feature: the folded AUC, the class it separates best, and the direction."""
    table = pd.DataFrame({
        "kind": feats.kind, "auc": feats[auc].astype(float),
        "class": [str(classes[int(k)]) if k >= 0 else "" for k in feats[which]],
        "direction": np.where(feats.kind == "categorical", "",
                              np.where(feats[higher].astype(bool), "higher", "lower"))},
        index=feats.index)
    table.index.name = "column"
    return table
