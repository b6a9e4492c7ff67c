"""The statistics of the audit, on counts: AUCs (rank and out-of-fold target-encoded),
chi-square p-values, and 64-bit hashes of values for comparing rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit._counts import auc_from_counts, delong_from_counts

N_FOLDS = 5  # out-of-fold target encoding


def crosstab(codes: np.ndarray, n_codes: int, labels: np.ndarray, n_labels: int) -> np.ndarray:
    """Counts of each (code, label) pair; negative codes or labels (missing) are skipped."""
    keep = (codes >= 0) & (labels >= 0)
    flat = codes[keep].astype(np.int64) * n_labels + labels[keep]
    return np.bincount(flat, minlength=n_codes * n_labels).reshape(n_codes, n_labels)


def auc_of_table(table: np.ndarray) -> np.ndarray:
    """One-vs-rest AUC of each label (column) for a score whose distinct values are the rows
    of ``table``, in increasing order; ties count one half (as ``roc_auc_score``)."""
    pos = np.asarray(table, dtype=float).T
    return auc_from_counts(pos, pos.sum(axis=0) - pos)


def auc_se_of_table(pos: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUC of the positive rows against the others, and its DeLong standard error, for a
    score whose distinct values, in increasing order, index the last axis of the counts
    ``pos`` (positive rows) and ``total`` (all rows); leading axes are separate problems
    (sites, classes). Ties count one half, as in ``roc_auc_score``."""
    pos = np.asarray(pos, dtype=float)
    return delong_from_counts(pos, total - pos)


def oof_encoded_auc(codes, n_codes, labels, n_labels, folds) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest AUC of a categorical feature scored by out-of-fold target means, and its
    standard error.

    The rows of each fold are scored by the share of the label among rows of their level in
    the other folds (smoothed by one pseudo-row at those folds' overall share, which is
    also the score of a level they lack); the AUC is the mean over the folds, and its
    standard error that of a mean of independent DeLong estimates. Within a fold a level's
    rows tie, so the AUC does not reward a many-level column for memorizing the outcome.
    Missing values (code -1) form a level of their own.
    """
    codes = np.where(codes < 0, n_codes, codes)
    keep = labels >= 0
    levels = n_codes + 1
    flat = (folds[keep] * levels + codes[keep]) * n_labels + labels[keep]
    per_fold = np.bincount(flat, minlength=N_FOLDS * levels * n_labels).reshape(N_FOLDS, levels, n_labels)
    other = per_fold.sum(axis=0) - per_fold
    with np.errstate(invalid="ignore", divide="ignore"):  # a subset may lack a label
        prior = other.sum(axis=1, keepdims=True) / other.sum(axis=(1, 2), keepdims=True)
    encoded = (other + prior) / (other.sum(axis=2, keepdims=True) + 1.0)
    aucs, ses = np.full(n_labels, np.nan), np.full(n_labels, np.nan)
    for k in [1] if n_labels == 2 else range(n_labels):  # binary: class 0's AUC is 1 - class 1's
        per = np.full((2, N_FOLDS), np.nan)
        for f in range(N_FOLDS):
            scores, order = np.unique(encoded[f, :, k], return_inverse=True)  # levels that tie merge
            pos = np.bincount(order, weights=per_fold[f, :, k], minlength=scores.size)
            total = np.bincount(order, weights=per_fold[f].sum(axis=1), minlength=scores.size)
            per[:, f] = auc_se_of_table(pos, total)
        used = ~np.isnan(per[0])
        if used.any():
            aucs[k] = per[0, used].mean()
            # A fold with a single row of the label (or of the rest) has no DeLong variance
            # (NaN): it counts at the mean variance of the folds that have one.
            var = per[1, used] ** 2
            if np.isfinite(var).any():
                ses[k] = np.sqrt(np.nanmean(var) * used.sum()) / used.sum()
    if n_labels == 2:
        aucs[0], ses[0] = 1 - aucs[1], ses[1]
    return aucs, ses


def best_auc(aucs: np.ndarray, label: int = -1) -> tuple[float, int, bool]:
    """Folded AUC max(a, 1 - a) of ``label`` (default: the best-separated label), that label,
    and whether the values are higher in that label."""
    if np.all(np.isnan(aucs)):
        return np.nan, -1, True
    folded = np.maximum(aucs, 1 - aucs)
    k = label if label >= 0 else int(np.nanargmax(folded))
    return float(folded[k]), k, bool(aucs[k] >= 0.5)


def one_sided(table: np.ndarray) -> tuple[int, int, int, int, float]:
    """The longest run of rows, from the lowest or from the highest values of a score, in
    which every row has the same label: the target fixed on one side of a cut.

    ``table``: counts per distinct value (rows, in increasing order) and label (columns).
    Returns the run's rows, its label, its side (-1: low values, +1: high values), the
    index of the last value in the run (the cut), and the chance of so long a run by luck:
    the hypergeometric probability that the run's rows all carry its label when labels are
    shuffled, doubled for the two sides. ``(0, -1, 0, -1, 1.0)`` when there is no run.
    """
    from scipy.special import gammaln

    best = (0, -1, 0, -1)
    for side in (-1, 1):
        k, label, cut = _run_from_end(table if side < 0 else table[::-1])
        if k > best[0]:
            best = (k, label, side, cut if side < 0 else len(table) - 1 - cut)
    k, c, side, cut = best
    if k == 0:
        return 0, -1, 0, -1, 1.0
    n, n_c = float(table.sum()), float(table[:, c].sum())
    # C(n_c, k) / C(n, k): the k rows beyond the cut all drawn from the n_c rows of label c
    log_p = gammaln(n_c + 1) - gammaln(n_c - k + 1) - gammaln(n + 1) + gammaln(n - k + 1)
    return k, c, side, cut, float(min(1.0, 2 * np.exp(log_p)))


def _run_from_end(table: np.ndarray) -> tuple[int, int, int]:
    """Rows, label and last value (index) of the run of one label from the first value of
    ``table``; values without rows are skipped. Looks at a growing window of values only,
    since a run is usually short and the table can hold a row per patient."""
    size = 64
    while True:
        part = table[:size]
        totals = part.sum(axis=1)
        seen = np.flatnonzero(totals > 0)
        if seen.size:
            label = int(part[seen[0]].argmax())
            pure = part[seen, label] == totals[seen]  # every row of the value has that label
            if not pure.all() or size >= len(table):
                length = seen.size if pure.all() else int(np.argmin(pure))
                return int(totals[seen[:length]].sum()), label, int(seen[length - 1]) if length else -1
        elif size >= len(table):
            return 0, -1, -1
        size *= 4


def chi2_p(table: np.ndarray) -> float:
    from scipy.stats import chi2_contingency

    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return 1.0
    return float(chi2_contingency(table).pvalue)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def column_hash(name, values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each value, salted with the column name; rows hash to the sum."""
    salt = pd.util.hash_array(np.array([str(name)], dtype=object))[0]
    return _splitmix64(pd.util.hash_array(values) ^ salt)
