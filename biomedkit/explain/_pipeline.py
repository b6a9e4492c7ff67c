"""Exact SHAP through a scikit-learn Pipeline: explain the final step on the transformed
features, then give each original column the sum of the values of the features made from it.

A Pipeline used to fall back to permutation SHAP (a few thousand model calls per row). When
its final step is a tree model or a linear model that shap explains exactly, the
preprocessing is run once and the final step explained on its output. Each transformed
feature is traced to the original column it is made from (one-hot indicators to their
category column, a scaled or log-transformed number to its column); a feature made from
several columns (PCA, polynomial terms, an iterative imputer filling one column from the
others) cannot be given to one column, and the permutation method is used instead.

For a linear final step the sums are the exact interventional SHAP values of the original
columns (the log-odds is a sum of one term per column). For trees the values of a column's
one-hot indicators are summed, the usual practice; they still add up to the model output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit.explain._shap import LINEAR, SHAP_TREES, linear_shap, tree_shap


def final_kind(model) -> str | None:
    """"tree" or "linear" when ``model`` is a scikit-learn Pipeline whose last step shap's
    exact explainers read (one output for a linear model); else None."""
    if type(model).__name__ != "Pipeline" or type(model).__module__.split(".")[0] != "sklearn":
        return None
    final = model[-1]
    if type(final).__module__.split(".")[0] != "sklearn":
        return None
    name = type(final).__name__
    if name in SHAP_TREES:
        return "tree"
    if name in LINEAR and np.atleast_2d(final.coef_).shape[0] == 1:
        return "linear"
    return None


def _dense(a) -> np.ndarray:
    a = a.toarray() if hasattr(a, "toarray") else a
    a = a.to_numpy() if isinstance(a, (pd.DataFrame, pd.Series)) else np.asarray(a)
    return a.astype(float)


def _transform(pre, frame: pd.DataFrame) -> np.ndarray | None:
    """The preprocessing's numeric output, or None if it is not a numeric table."""
    try:
        out = _dense(pre.transform(frame))
    except (TypeError, ValueError):
        return None
    return out if out.ndim == 2 else None


def trace_columns(pre, rows: pd.DataFrame, transformed: np.ndarray) -> np.ndarray | None:
    """The original column each transformed feature is made from: an array of column
    positions (-1 for a feature constant on ``rows``), or None when some feature is made
    from several columns.

    Each column in turn is shifted by one row (every row takes the previous row's value);
    the features that change are made from it. Only the rows explained and the background
    enter the SHAP values, so the dependence on these rows is the one that matters.
    """
    depends = np.zeros((rows.shape[1], transformed.shape[1]), dtype=bool)
    shift = np.roll(np.arange(len(rows)), 1)
    for j, column in enumerate(rows.columns):
        shifted = rows.copy()
        shifted[column] = rows[column].iloc[shift].array  # the dtype kept (categories too)
        moved = _transform(pre, shifted)
        if moved is None or moved.shape != transformed.shape:
            return None
        same = (moved == transformed) | (np.isnan(moved) & np.isnan(transformed))
        depends[j] = ~same.all(axis=0)
    sources = depends.sum(axis=0)
    if (sources > 1).any():
        return None
    return np.where(sources == 1, depends.argmax(axis=0), -1)


def pipeline_shap(model, kind: str, X: pd.DataFrame, background: pd.DataFrame, output_index=None):
    """SHAP values of the original columns through the pipeline, or None when the
    transformed features cannot be traced to single columns (use permutation then).

    Returns (values, base_values, output) as the other methods do.
    """
    pre, final = model[:-1], model[-1]
    rows = pd.concat([X, background], ignore_index=True)
    transformed = _transform(pre, rows)
    if transformed is None or not np.isfinite(transformed).all():
        return None
    source = trace_columns(pre, rows, transformed)
    if source is None or np.ptp(transformed[:, source < 0], axis=0).any():
        return None  # a feature from several columns, or one that moves with none on its own
    names = _feature_names(pre, transformed.shape[1])
    tx = pd.DataFrame(transformed[:len(X)], columns=names)
    if kind == "linear":
        values, base, output = linear_shap(final, tx, pd.DataFrame(transformed[len(X):], columns=names))
    elif (source < 0).any():  # path-dependent values of a feature constant here need not be 0
        return None
    else:
        values, base, output = tree_shap(final, tx, output_index)
    # a feature constant on these rows has linear SHAP value 0: it belongs to no column
    to_column = np.zeros((transformed.shape[1], X.shape[1]))
    kept = source >= 0
    to_column[np.flatnonzero(kept), source[kept]] = 1.0
    return values @ to_column, base, output


def _feature_names(pre, n: int) -> list[str]:
    """The transformed features' names (``get_feature_names_out``), or x0, x1, ... where a
    step cannot name them."""
    try:
        names = [str(v) for v in pre.get_feature_names_out()]
    except (AttributeError, ValueError, TypeError):
        return [f"x{i}" for i in range(n)]
    return names if len(names) == n else [f"x{i}" for i in range(n)]
