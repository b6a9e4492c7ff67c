"""The rows and features the baselines are fitted on: sampled above a size, model-ready,
with the outcome as 0/1 and the group and site labels of the same rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_int, check_random_state
from biomedkit._explore.roles import MIN_CLASS, Roles
from biomedkit._explore.tables import Message

AUDIT_CELLS = 3_000_000  # rows x columns above which the audit runs on a random sample
MODEL_CELLS = 1_500_000  # ... the baselines
MIN_SAMPLE_ROWS = 5_000  # never sample below this many rows
MISSING_LABEL = "(missing)"


def sample_rows(frame: pd.DataFrame, max_cells: int, *, random_state: int = 0) -> tuple[pd.DataFrame, bool]:
    """At most ``max_cells / columns`` rows (never fewer than 5,000) drawn at random, in
    their original order; and whether rows were dropped."""
    check_int(max_cells, "max_cells", 1)
    n, p = frame.shape
    max_rows = max(MIN_SAMPLE_ROWS, max_cells // max(p, 1))
    if n <= max_rows:
        return frame, False
    rows = np.sort(check_random_state(random_state).choice(n, max_rows, replace=False))
    return frame.iloc[rows], True


def labels(column: pd.Series) -> np.ndarray:
    """Group or site labels as text, whole numbers without ".0", missing as "(missing)"."""
    values = column.astype(object)
    out = np.array([MISSING_LABEL if pd.isna(v) else str(int(v)) if isinstance(v, (float, np.floating))
                    and float(v).is_integer() else str(v) for v in values], dtype=object)
    return out


OTHER_SITES = "other sites (pooled)"


def pool_small_sites(sites: np.ndarray, y: np.ndarray, *, min_count: int = MIN_CLASS) -> tuple[np.ndarray, list]:
    """Sites with fewer than ``min_count`` events or non-events pooled into one label: an
    AUC per site needs both, and a handful gives an interval too wide to read. Returns
    the new labels and the sites pooled."""
    sites, y = np.asarray(sites, dtype=object), np.asarray(y)
    small = [s for s in pd.unique(sites)
             if min(y[sites == s].sum(), (sites == s).sum() - y[sites == s].sum()) < min_count]
    if not small:
        return sites, []
    return np.where(np.isin(sites, small), OTHER_SITES, sites), sorted(map(str, small))


@dataclass
class ModelData:
    """What the baselines are fitted on: ``X`` (model-ready), ``y`` (0/1), the group and
    site labels of the same rows (or None), and how many labelled rows the table had; the
    same rows' times (or None) for the temporal validation."""

    X: pd.DataFrame
    y: np.ndarray
    groups: np.ndarray | None
    sites: np.ndarray | None
    n_labelled: int
    sampled: bool
    messages: list
    times: np.ndarray | None = None

    def __repr__(self) -> str:
        sample = f", a random sample of {self.n_labelled} labelled rows" if self.sampled else ""
        return (f"<ModelData: {self.X.shape[0]} rows x {self.X.shape[1]} features, {int(self.y.sum())} events"
                f"{sample}>")


def model_data(frame: pd.DataFrame, roles: Roles, positive, *, leave_out=(), max_cells: int | None = MODEL_CELLS,
               random_state: int = 0) -> ModelData:
    """The rows with a target, sampled above ``max_cells`` (None: never), their features
    (every column but the target and ``leave_out``) made model-ready, and the 0/1 outcome.

    Dates among the features become days since 1970; the identifier (when one is named)
    labels the rows, so that the explorers show it.
    """
    if roles.target not in frame.columns:
        raise ValueError(f"roles.target {roles.target!r} is not a column of the table")
    features = [c for c in frame.columns if c != roles.target and c not in set(leave_out)]
    if not features:
        raise ValueError("no features left: leave fewer columns out of the models")
    # Positions first, one copy of the rows kept at the end: a large table is never copied whole.
    positions = np.flatnonzero(frame[roles.target].notna().to_numpy())
    n_labelled, messages, sampled = positions.size, [], False
    if max_cells is not None:
        max_rows = max(MIN_SAMPLE_ROWS, max_cells // max(len(features), 1))
        if n_labelled > max_rows:
            positions = np.sort(check_random_state(random_state).choice(positions, max_rows, replace=False))
            sampled = True
            messages.append(Message("info", f"Large table: the baselines use a random sample of {max_rows:,} of the "
                                    f"{n_labelled:,} labelled rows (switch on 'use every row' to fit on all)."))
    kept = frame.iloc[positions]
    from biomedkit.datasets import model_ready

    X = model_ready(kept[features], verbose=False)
    renamed = xgboost_names(X.columns)
    if renamed:
        X = X.rename(columns=renamed)
        messages.append(Message("info", "Renamed for XGBoost, which refuses [, ] and < in column names: "
                                + "; ".join(f"{a} as {b}" for a, b in renamed.items()) + "."))
    dates = [c for c in X.columns if pd.api.types.is_datetime64_any_dtype(X[c].dtype)]
    for c in dates:
        X[c] = (X[c] - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    if dates:
        messages.append(Message("info", f"Dates used as days since 1970: {', '.join(dates)}."))
    if len(roles.ids) == 1:
        X.index = pd.Index(labels(kept[roles.ids[0]]), name=roles.ids[0])
    y = (kept[roles.target] == positive).to_numpy().astype(int)
    groups = labels(kept[roles.group]) if roles.group is not None else None
    sites = labels(kept[roles.site]) if roles.site is not None else None
    times = kept[roles.time].to_numpy() if roles.time is not None else None
    return ModelData(X, y, groups, sites, n_labelled, sampled, messages, times)


def xgboost_names(columns) -> dict:
    """New names for the columns whose names XGBoost refuses (with ``[``, ``]`` or ``<``):
    the nearest characters it accepts, and a number where two would then clash."""
    table = str.maketrans({"[": "(", "]": ")", "<": "\u2039"})
    taken, renamed = {str(c) for c in columns}, {}
    for column in columns:
        new = str(column).translate(table)
        if new == str(column):
            continue
        base, k = new, 2
        while new in taken:
            new, k = f"{base} ({k})", k + 1
        taken.add(new)
        renamed[column] = new
    return renamed
