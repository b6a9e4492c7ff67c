"""The checks every estimator of ``bk.causal`` runs on its data, and the arrays it then uses.

One place says what a usable table is: a DataFrame (or a Dataset), a 0/1 treatment column
with both values, a numeric outcome, numeric confounders, and no missing value in any column
an estimator uses. Rows are never dropped silently: dropping changes the population that an
effect refers to, so the caller decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float


@dataclass(frozen=True)
class Prepared:
    """The arrays of one call, in the row order of the caller's table."""

    index: pd.Index
    a: np.ndarray  # treatment, 0/1 as float
    y: np.ndarray | None  # outcome, float (None when no outcome was asked for)
    columns: dict[str, np.ndarray]  # each confounder column, as float


def as_frame(data) -> pd.DataFrame:
    """The table behind ``data``: a DataFrame, or the ``.frame`` of a biomedkit Dataset."""
    if isinstance(data, pd.DataFrame):
        return data
    frame = getattr(data, "frame", None)
    if isinstance(frame, pd.DataFrame):
        return frame
    raise TypeError("data must be a pandas DataFrame (or a biomedkit Dataset, whose .frame is used); "
                    f"got {type(data).__name__}")


def column_list(columns, name: str, *, allow_empty: bool = False) -> list[str]:
    """``columns`` as a list of distinct column names (a single string is refused)."""
    if isinstance(columns, str) or not isinstance(columns, Sequence | pd.Index | np.ndarray):
        raise TypeError(f"{name} must be a list of column names, e.g. {name}=['age', 'sex']; "
                        f"got {type(columns).__name__}")
    columns = list(columns)
    bad = [c for c in columns if not isinstance(c, str)]
    if bad:
        raise TypeError(f"{name} must hold column names (strings); got {bad[:3]}")
    if not columns and not allow_empty:
        raise ValueError(f"{name} is empty; name the columns that confound the comparison "
                         "(with none, use bk.causal.difference_in_means)")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise ValueError(f"{name} lists {repeated} more than once; name each column once")
    return columns


def check_truncate(truncate) -> float | None:
    """A quantile in (0.5, 1) at which weights are capped, or None."""
    if truncate is None:
        return None
    return check_float(truncate, "truncate", 0.5, 1, open_low=True, open_high=True)


def check_bool(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return value


def _check_name(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be the name of one column (a string); got {type(value).__name__}")
    return value


def prepare(data, *, treatment, outcome=None, confounder_sets: dict[str, list]) -> Prepared:
    """Check the table and return its arrays.

    ``confounder_sets`` maps an argument name (``"confounders"``, ``"outcome_confounders"``,
    ...) to the columns it names, already passed through :func:`column_list`; the union of
    them is checked and returned.
    """
    frame = as_frame(data)
    treatment = _check_name(treatment, "treatment")
    if outcome is not None:
        outcome = _check_name(outcome, "outcome")
    confounders = list(dict.fromkeys(c for cols in confounder_sets.values() for c in cols))
    used = [treatment, *([outcome] if outcome else []), *confounders]

    unknown = [c for c in dict.fromkeys(used) if c not in frame.columns]
    if unknown:
        roles = {treatment: "treatment", **({outcome: "outcome"} if outcome else {})}
        for argument, columns in confounder_sets.items():
            roles.update({c: argument for c in columns if c not in roles})
        named = ", ".join(dict.fromkeys(roles[c] for c in unknown))
        raise ValueError(f"unknown column(s) {unknown} (given as {named}): the table has no such column. "
                         f"Check the spelling; its columns include {list(frame.columns[:12])}")
    for argument, columns in confounder_sets.items():
        for role, column in (("treatment", treatment), ("outcome", outcome)):
            if column is not None and column in columns:
                raise ValueError(f"{argument} lists the {role} column {column!r}; a confounder is a "
                                 f"cause of treatment and outcome measured before treatment: remove it")
    if outcome is not None and outcome == treatment:
        raise ValueError(f"treatment and outcome are the same column ({treatment!r})")

    table = frame[list(dict.fromkeys(used))]
    n_missing = table.isna().sum()
    n_missing = n_missing[n_missing > 0]
    if len(n_missing):
        listed = ", ".join(f"{c} ({k})" for c, k in n_missing.items())
        raise ValueError(
            f"missing values in the columns used: {listed}. Drop those rows first, e.g. "
            f"frame.dropna(subset={list(n_missing.index)}), or impute them (lesson 05); rows are "
            "not dropped silently because that changes the population the effect refers to")

    a = _treatment_values(table[treatment], treatment)
    y = None if outcome is None else _numeric(table[outcome], f"outcome column {outcome!r}")
    columns = {c: _numeric(table[c], f"confounder {c!r}", dummies=True) for c in confounders}
    for group, label in ((1, "treated"), (0, "untreated")):
        if (a == group).sum() < 2:
            raise ValueError(f"treatment column {treatment!r} has fewer than 2 {label} rows; "
                             "an effect needs both groups")
    return Prepared(index=frame.index, a=a, y=y, columns=columns)


def _numeric(series: pd.Series, what: str, *, dummies: bool = False) -> np.ndarray:
    """A numeric (or boolean) column as a finite float array."""
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        fix = (f" Make indicator columns for it: pd.get_dummies(frame, columns=[{series.name!r}], "
               "drop_first=True, dtype=float)" if dummies else "")
        raise TypeError(f"{what} must be numeric; it has dtype {series.dtype}.{fix}")
    values = series.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError(f"{what} holds infinite values; replace them first")
    return values


def _treatment_values(series: pd.Series, name: str) -> np.ndarray:
    """The treatment as a 0/1 float array with both values present."""
    fix = f"Recode it to 0/1 first, e.g. frame[{name!r}] = (frame[{name!r}] == 'yes').astype(int)"
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise TypeError(f"treatment column {name!r} must hold 0 (untreated) and 1 (treated); "
                        f"it has dtype {series.dtype}. {fix}")
    values = series.to_numpy(dtype=float)
    levels = np.unique(values)
    if not np.isin(levels, (0.0, 1.0)).all():
        raise ValueError(f"treatment column {name!r} must hold only 0 (untreated) and 1 (treated); "
                         f"got values {levels[:6].tolist()}. {fix}; these estimators compare two "
                         "treatment levels")
    return values
