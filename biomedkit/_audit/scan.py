"""The single pass over the columns (:func:`scan_columns`): each column's AUC for the target, for
the site and within each site, its drift statistics, and the classifier that tells sites
(or training and test rows) apart."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from biomedkit._audit.columns import encode_column, id_reasons, survival_role
from biomedkit._audit.context import Context
from biomedkit._audit.stats import (
    auc_of_table,
    auc_se_of_table,
    best_auc,
    chi2_p,
    column_hash,
    crosstab,
    one_sided,
    oof_encoded_auc,
)

_MAX_LEVELS_NATIVE = 60  # categorical codes must stay below the classifier's max_bins (63)
MIN_EVENTS = 10  # rows of a class (and of the rest), at a site and elsewhere, for the per-site screen
_SITE_CELLS = 1 << 16  # value x site x class counts per numeric column in the per-site screen

_ROW_DEFAULTS = dict(auc=np.nan, auc_class=-1, higher=True, n_used=0, site_auc=np.nan,
                     site_class=-1, site_higher=True, missing_train=np.nan, missing_test=np.nan,
                     missing_p_value=np.nan, smd=np.nan, ks=np.nan, tvd=np.nan, new_levels=np.nan,
                     p_value=np.nan, one_sided=np.nan, one_sided_class=-1, one_sided_side=0,
                     one_sided_cut=np.nan, one_sided_p=np.nan)


@dataclass
class Scan:
    """Per-column results of the single pass."""

    rows: list  # dicts, one per column
    hash_all: np.ndarray  # row hashes over all columns of df (df rows)
    hash_no_id: np.ndarray  # ... without identifier (and split) columns
    hash_features: np.ndarray  # ... without identifiers, split and target
    hash_common: np.ndarray | None  # over all rows, columns shared by training and test
    hash_common_no_id: np.ndarray | None
    ids: list
    id_values: dict  # identifier name -> values (floats) or codes over all rows, for overlap
    missing_matrix: dict  # name -> missing mask over df rows (columns with some missing)
    site_sample: np.ndarray | None
    site_X: dict  # name -> (values on site_sample, categorical?)
    split_sample: np.ndarray | None
    split_X: dict
    site_counts: np.ndarray | None = None  # (sites, classes): labelled rows
    site_screened: np.ndarray | None = None  # (sites, classes): pairs the per-site leak screen covers
    site_leak: dict = field(default_factory=dict)  # name -> _auc_within_sites(...)


def _sample(labels: np.ndarray, max_rows: int, rng) -> np.ndarray:
    rows = np.flatnonzero(labels >= 0)
    if rows.size > max_rows:
        rows = np.sort(rng.choice(rows, max_rows, replace=False))
    return rows


def scan_columns(ctx: Context) -> Scan:
    """The single pass: each column in turn is encoded, described (counts, role), scored
    (AUCs, drift) and added to the row hashes."""
    scan, site_labels = _start(ctx)
    for name, series in ctx.columns.items():
        col = _encoded(name, series, ctx)
        row = _describe(col, ctx)
        if 0 < row["n_missing"] < ctx.n:
            scan.missing_matrix[name] = col.missing[:ctx.n]
        _score(scan, col, row, ctx, site_labels)
        _add_hashes(scan, col, row["role"], ctx)
        scan.rows.append(row)
    return scan


@dataclass
class _Column:
    """One column encoded for the scan, over the rows of df and, when the test frame has
    this column too, over the test rows after them (``in_test``)."""

    name: object
    kind: str  # "categorical", "numeric" or "datetime" (see columns._encode)
    values: np.ndarray  # codes (categorical) or floats (the others)
    codes: np.ndarray  # level codes, or ranks of the sorted distinct numbers; -1 where missing
    n_codes: int
    uniques: np.ndarray | None  # a numeric column's sorted distinct values
    missing: np.ndarray
    in_test: bool

    @property
    def categorical(self) -> bool:
        return self.kind == "categorical"


def _start(ctx: Context) -> tuple[Scan, np.ndarray | None]:
    """An empty scan with the subsamples for the classifiers drawn, and each labelled row's
    (site, class) pair as one code (-1 otherwise; None without a site)."""
    n, K = ctx.n, len(ctx.classes)
    zero = np.zeros(n, np.uint64)
    scan = Scan(rows=[], hash_all=zero, hash_no_id=zero.copy(), hash_features=zero.copy(),
                 hash_common=None, hash_common_no_id=None, ids=[], id_values={}, missing_matrix={},
                 site_sample=None, site_X={}, split_sample=None, split_X={})
    site_labels = None
    if ctx.site_codes is not None:
        scan.site_sample = _sample(ctx.site_codes, ctx.max_rows, ctx.rng)
        scan.site_counts, scan.site_screened = _screened(ctx)
        labelled = (ctx.y[:n] >= 0) & (ctx.site_codes[:n] >= 0)
        site_labels = np.where(labelled, ctx.site_codes[:n] * K + ctx.y[:n], -1)
    if ctx.split is not None:
        scan.hash_common, scan.hash_common_no_id = np.zeros((2, ctx.n_all), np.uint64)
        scan.split_sample = _sample(ctx.split, ctx.max_rows, ctx.rng)
    return scan, site_labels


def _encoded(name, series: pd.Series, ctx: Context) -> _Column:
    """The column as codes (and a numeric column's distinct values), pooled with the test
    frame's column of the same name, so that both share one coding."""
    in_test = name in ctx.test_columns
    if in_test:
        series = pd.concat([series, ctx.test_columns[name]], ignore_index=True)
    kind, values = encode_column(series)
    if kind == "categorical":
        return _Column(name, kind, values, values, int(values.max()) + 1, None, values < 0, in_test)
    missing = np.isnan(values)
    uniques, inverse = np.unique(values[~missing], return_inverse=True)
    codes = np.full(values.size, -1, np.int64)
    codes[~missing] = inverse.ravel()
    return _Column(name, kind, values, codes, uniques.size, uniques, missing, in_test)


def _describe(col: _Column, ctx: Context) -> dict:
    """The column's row of the scan with its counts, identifier hints and role (target,
    split, id or feature); the statistics keep their defaults until scored."""
    n = ctx.n
    df_missing = col.missing[:n]
    n_unique = int(np.count_nonzero(np.bincount(col.codes[:n][~df_missing], minlength=col.n_codes)))
    name = col.name
    row = dict(_ROW_DEFAULTS, column=name, kind=col.kind, dtype=str(ctx.columns[name].dtype),
               n_missing=int(df_missing.sum()), n_unique=n_unique)
    row["id_reasons"] = reasons = id_reasons(name, col.kind, col.values[:n], df_missing, n_unique, n)
    named_role = name in (ctx.site, ctx.group, ctx.time)  # the caller said what it is
    # a follow-up time may hold a distinct number in every row; it stays a feature, so that
    # the leak section names it for what it is
    row["survival"] = "" if named_role else survival_role(name, col.kind, n_unique)
    unique_only = reasons and "name" not in reasons and row["survival"]
    row["role"] = ("target" if name == ctx.target else "split" if name == ctx.split_column
                   else "id" if name in ctx.id_given or (reasons and not named_role and not unique_only)
                   else "feature")
    return row


def _score(scan: Scan, col: _Column, row: dict, ctx: Context, site_labels) -> None:
    """Fill the row's statistics for its role: the outcome, and the site, as a function of
    this column alone, the per-site leak screen and drift; keep the column's classifier
    inputs."""
    n, role, name = ctx.n, row["role"], col.name
    if role in ("feature", "id"):
        # value x class counts of a numeric column (test-frame rows have no label): its AUCs
        # and the one-sided screen both read them
        counts = None if col.categorical else crosstab(col.codes, col.n_codes, ctx.y[:col.values.size],
                                                       len(ctx.classes))
        aucs = _label_aucs(col, ctx.y, len(ctx.classes), ctx) if counts is None else auc_of_table(counts)
        row["auc"], row["auc_class"], row["higher"] = best_auc(aucs, ctx.positive)
        row["n_used"] = int(((ctx.y[:n] >= 0) & (~col.missing[:n] | col.categorical)).sum())
    if role == "feature" and col.kind == "numeric":
        k, label, side, cut, p = one_sided(counts)
        if k:
            row.update(one_sided=k / row["n_used"], one_sided_class=label, one_sided_side=side,
                       one_sided_cut=float(col.uniques[cut]), one_sided_p=p)
    informative = role == "feature" and row["n_unique"] > 1 and name != ctx.time
    if ctx.site_codes is not None and informative and name != ctx.site:
        aucs = _label_aucs(col, ctx.site_codes, len(ctx.site_levels), ctx)
        row["site_auc"], row["site_class"], row["site_higher"] = best_auc(aucs)
        scan.site_X[name] = _model_input(col, scan.site_sample)
    screened = role == "feature" and row["n_unique"] > 1 and name != ctx.site
    if scan.site_screened is not None and screened:
        scan.site_leak[name] = _auc_within_sites(col.kind, col.codes[:n], col.n_codes, site_labels,
                                                 ctx, scan.site_screened)
    if informative and (col.in_test or ctx.split_column is not None):
        m = col.values.size
        row.update(_drift(col.kind, col.uniques, col.codes, col.n_codes, ctx.split[:m]))
        scan.split_X[name] = _model_input(col, scan.split_sample)


def _label_aucs(col: _Column, labels: np.ndarray, n_labels: int, ctx: Context) -> np.ndarray:
    """Each label's AUC (against the rest) from this column alone: by the out-of-fold mean of
    the label per level (categorical) or by rank (numeric); rows labelled -1 left out."""
    n = ctx.n
    if col.categorical:
        aucs, _ = oof_encoded_auc(col.codes[:n], col.n_codes, labels[:n], n_labels, ctx.folds[:n])
        return aucs
    m = col.values.size  # n, or n_all when the test frame has this column (its labels are -1)
    return auc_of_table(crosstab(col.codes, col.n_codes, labels[:m], n_labels))


def _add_hashes(scan: Scan, col: _Column, role: str, ctx: Context) -> None:
    """Add the column to the row hashes its role belongs to; keep an identifier's values
    for the train/test overlap. Numbers hash as floats, categories as codes of the pooled
    values."""
    n = ctx.n
    h = column_hash(col.name, col.codes if col.categorical else col.values)
    scan.hash_all = scan.hash_all + h[:n]
    if role == "feature":
        scan.hash_features = scan.hash_features + h[:n]
    if role in ("feature", "target"):
        scan.hash_no_id = scan.hash_no_id + h[:n]
    in_split = col.in_test or ctx.split_column is not None
    if scan.hash_common is not None and role != "split" and in_split:
        scan.hash_common = scan.hash_common + h
        if role != "id":
            scan.hash_common_no_id = scan.hash_common_no_id + h
    if role == "id":
        scan.ids.append(col.name)
        if col.values.size == ctx.n_all:
            scan.id_values[col.name] = col.codes if col.categorical else col.values


def _screened(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Labelled rows per site and class, and the (site, class) pairs for the per-site leak
    screen: at least MIN_EVENTS rows of the class and of the rest, at the site and at the
    other sites together (for a binary target, the event class only)."""
    n, K = ctx.n, len(ctx.classes)
    counts = crosstab(ctx.site_codes[:n], len(ctx.site_levels), ctx.y[:n], K)
    rest = counts.sum(axis=1, keepdims=True) - counts
    elsewhere = counts.sum(axis=0) - counts
    elsewhere_rest = counts.sum() - counts.sum(axis=1, keepdims=True) - elsewhere
    screened = np.minimum.reduce([counts, rest, elsewhere, elsewhere_rest]) >= MIN_EVENTS
    if ctx.positive >= 0:
        screened[:, 1 - ctx.positive] = False
    return counts, screened


def _auc_within_sites(kind, codes, n_codes, site_labels, ctx: Context, screened) -> np.ndarray:
    """The column's AUC for each class within each site, as the whole-table screen computes
    it (rank, or out-of-fold target mean), and at the other sites together.

    Returns an array (4, sites, classes): AUC within the site, its DeLong standard error,
    AUC at the other sites, its standard error; NaN for pairs that are not ``screened``.
    A numeric column with more distinct values than the table holds (4096 ranks with a few
    sites, down to 256 with many) has neighbouring values merged, which moves an AUC by
    about 1 / (2 x ranks) at most.
    """
    n, K, S = ctx.n, len(ctx.classes), len(ctx.site_levels)
    out = np.full((4, S, K), np.nan)
    if kind == "categorical":
        y, folds, labelled = ctx.y[:n], ctx.folds[:n], site_labels >= 0
        for s in np.flatnonzero(screened.any(axis=1)):
            at = ctx.site_codes[:n] == s
            for j, rows in enumerate((labelled & at, labelled & ~at)):
                out[2 * j:2 * j + 2, s] = oof_encoded_auc(codes[rows], n_codes, y[rows], K, folds[rows])
    else:
        bins = int(np.clip(_SITE_CELLS // (S * K), 256, 4096))
        if n_codes > bins:  # codes are ranks: merge neighbours, so the table stays small
            codes, n_codes = codes * bins // n_codes, bins  # missing (-1) stays negative
        keep = (site_labels >= 0) & (codes >= 0)
        table = np.bincount(site_labels[keep] * n_codes + codes[keep],
                            minlength=S * K * n_codes).reshape(S, K, n_codes)
        total = table.sum(axis=1)
        for k in np.flatnonzero(screened.any(axis=0)):
            pos = table[:, k]
            out[0:2, :, k] = auc_se_of_table(pos, total)
            out[2:4, :, k] = auc_se_of_table(pos.sum(axis=0) - pos, total.sum(axis=0) - total)
    out[:, ~screened] = np.nan
    return out


def _model_input(col: _Column, rows: np.ndarray) -> tuple[np.ndarray, bool]:
    """A column for HistGradientBoosting on the sampled rows: numbers as they are, categories
    as codes (native categorical) or, with too many levels, as their frequency."""
    if not col.categorical:
        return col.values[rows], False
    codes, n_codes = col.codes, col.n_codes
    if n_codes <= _MAX_LEVELS_NATIVE:
        return np.where(codes[rows] < 0, np.nan, codes[rows]).astype(float), True
    counts = np.bincount(codes[codes >= 0], minlength=n_codes)
    return np.where(codes[rows] < 0, np.nan, counts[codes[rows]]).astype(float), False


def _drift(kind, uniques, codes, n_codes, split) -> dict:
    """Training (split 0) against test (split 1) for one column; ``uniques`` are a numeric
    column's sorted distinct values (``codes`` index them)."""
    from scipy.stats import kstwo

    miss = codes < 0
    out = dict(missing_train=float(miss[split == 0].mean()),
               missing_test=float(miss[split == 1].mean()))
    out["missing_p_value"] = chi2_p(crosstab(miss.astype(np.int64), 2, split, 2)) if miss.any() else 1.0
    if kind == "categorical":
        table = crosstab(np.where(miss, n_codes, codes), n_codes + 1, split, 2)
        share = table / np.maximum(table.sum(axis=0), 1)
        new = (table[:n_codes, 0] == 0) & (table[:n_codes, 1] > 0)  # levels seen in test only
        out.update(tvd=float(0.5 * np.abs(share[:, 0] - share[:, 1]).sum()), p_value=chi2_p(table),
                   new_levels=int(new.sum()))
        return out
    train, test = crosstab(codes, n_codes, split, 2).T.astype(float)
    n_a, n_b = train.sum(), test.sum()
    if n_a < 2 or n_b < 2:
        return out
    mean_a, mean_b = train @ uniques / n_a, test @ uniques / n_b
    var_a = train @ (uniques - mean_a) ** 2 / (n_a - 1)
    var_b = test @ (uniques - mean_b) ** 2 / (n_b - 1)
    scale = np.sqrt((var_a + var_b) / 2)
    ks = float(np.max(np.abs(np.cumsum(train / n_a - test / n_b))))
    en = n_a * n_b / (n_a + n_b)
    out.update(smd=float((mean_b - mean_a) / scale) if scale > 0 else 0.0, ks=ks,
               p_value=float(kstwo.sf(ks, np.round(en))))
    return out


def classifier_separability(X: dict, labels: np.ndarray, seed: int) -> dict | None:
    """Cross-validated (3-fold) HistGradientBoosting telling ``labels`` apart from ``X``."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    counts = np.bincount(labels)
    keep = counts[labels] >= 3
    labels = np.unique(labels[keep], return_inverse=True)[1].ravel()
    if not X or np.unique(labels).size < 2:
        return None
    names = list(X)
    matrix = np.column_stack([X[c][0][keep] for c in names])
    categorical = np.array([X[c][1] for c in names])
    # small trees and few bins: a quick screen, not a tuned model
    model = HistGradientBoostingClassifier(max_iter=30, learning_rate=0.2, max_leaf_nodes=8, max_bins=63,
                                           early_stopping=False, random_state=seed,
                                           categorical_features=categorical if categorical.any() else None)
    proba = cross_val_predict(model, matrix, labels, method="predict_proba",
                              cv=StratifiedKFold(3, shuffle=True, random_state=seed))
    k = proba.shape[1]
    auc = roc_auc_score(labels, proba[:, 1]) if k == 2 else roc_auc_score(labels, proba, multi_class="ovr")
    return dict(auc=float(auc), balanced_accuracy=float(balanced_accuracy_score(labels, proba.argmax(1))),
                chance=1 / k, n_rows=int(labels.size), n_features=len(names))
