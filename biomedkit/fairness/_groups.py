"""Sensitive groups: validation and intersections, shared by the fairness functions."""

from __future__ import annotations

import numpy as np
import pandas as pd


def intersect(*columns, sep: str = " & ") -> pd.Categorical:
    """Combine several sensitive attributes into intersectional groups.

    Parameters
    ----------
    *columns : array-like or DataFrame
        Sensitive attributes of equal length (a DataFrame counts as its columns).
    sep : str, default=" & "
        Separator between the parts of a group label.

    Returns
    -------
    Categorical
        One label per row, such as ``"B & female"``; the categories are ordered by
        the first attribute, then the second, and so on (only combinations that occur).

    Examples
    --------
    >>> bk.fairness.intersect(df["race"], df["sex"])             # doctest: +SKIP
    """
    parts = []
    for col in columns:
        parts.extend([col[c] for c in col.columns] if isinstance(col, pd.DataFrame) else [col])
    if not parts:
        raise ValueError("intersect needs at least one sensitive attribute")
    cats = [pd.Categorical(np.asarray(p, dtype=object) if not isinstance(p, pd.Categorical)
                           and not isinstance(getattr(p, "dtype", None), pd.CategoricalDtype)
                           else p) for p in parts]
    n = len(cats[0])
    if any(len(c) != n for c in cats):
        raise ValueError(f"the sensitive attributes (columns) have different lengths: {[len(c) for c in cats]}")
    if any(np.asarray(c.isna()).any() for c in cats):
        raise ValueError("a sensitive attribute (in columns) has missing values; label them explicitly "
                         "(for example 'unknown') so that the group is counted")
    codes = np.zeros(n, dtype=np.int64)
    for c in cats:
        codes = codes * len(c.categories) + c.codes
    used = np.unique(codes)
    labels = []
    for code in used:
        pieces = []
        for c in reversed(cats):
            code, k = divmod(code, len(c.categories))
            pieces.append(str(c.categories[k]))
        labels.append(sep.join(reversed(pieces)))
    return pd.Categorical.from_codes(np.searchsorted(used, codes), categories=labels)


def check_groups(groups, n: int, name: str = "groups", n_name: str = "y_true") -> pd.Categorical:
    """Return ``groups`` as a Categorical of length ``n`` with only the groups that occur.

    A DataFrame or a list of columns gives intersectional groups.
    """
    if isinstance(groups, pd.DataFrame) or (isinstance(groups, (list, tuple)) and groups
                                             and np.ndim(groups[0]) == 1):
        cat = intersect(*(groups if isinstance(groups, (list, tuple)) else [groups]))
    else:
        values = groups.to_numpy() if isinstance(groups, pd.Series) else groups
        if np.ndim(values) != 1:
            raise ValueError(f"{name} must be one-dimensional (or a DataFrame of sensitive "
                             f"columns); got shape {np.shape(values)}")
        cat = pd.Categorical(values)
        if np.asarray(cat.isna()).any():
            raise ValueError(f"{name} has missing values; label them explicitly (for example "
                             "'unknown') so that the group is counted")
        cat = cat.remove_unused_categories()
    if len(cat) != n:
        raise ValueError(f"{name} has {len(cat)} values but {n_name} has {n}; they must match")
    if len(cat.categories) < 2:
        raise ValueError(f"{name} holds a single group ({list(cat.categories)}); "
                         "fairness compares at least two groups")
    return cat
