"""Risks computed outside a report (a published score, a model fitted in R or SAS, an export
from a hospital system): their checks, and what ``ValidationReport.from_risks`` holds in place
of a model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

OUTSIDE_NAME = "precomputed risks"
OUTSIDE_TODO = ("the model's full specification (its formula with the coefficients, a score's table of "
                 "points and risks, or the code or file that computes the risks, with its version: "
                 "TRIPOD+AI 22) and how the risks were computed for these patients (12g).")


@dataclass(frozen=True, repr=False)
class OutsideRisks:
    """What a report made by ``from_risks`` holds in place of a model: the checked risks
    (and the development data's outcomes and risks), nothing of the model that made them."""

    risks: np.ndarray
    development: tuple | None = None

    def __repr__(self) -> str:
        return f"<risks computed outside this report: {self.risks.size} patients>"


def check_risks(risks, n: int, name: str = "risks", y_name: str = "y") -> np.ndarray:
    """``risks`` as a new 1-d float array of ``n`` probabilities, or an error that names
    ``name`` and the fix: risks from a spreadsheet or another program arrive as tables,
    percentages, points or log-odds as often as probabilities."""
    if isinstance(risks, pd.DataFrame):
        fix = ("pass its column of risks as a Series, frame['risk'] rather than frame[['risk']]"
               if risks.shape[1] == 1 else "pass the one column that holds each patient's risk, e.g. "
               "frame['risk']")
        raise ValueError(f"{name} is a table with {risks.shape[1]} columns {list(risks.columns)[:5]}; {fix}")
    numeric = isinstance(risks, (pd.Series, pd.api.extensions.ExtensionArray))
    if numeric and pd.api.types.is_numeric_dtype(risks.dtype) and not pd.api.types.is_bool_dtype(risks.dtype):
        a = risks.to_numpy(dtype=float, na_value=np.nan)  # nullable Float64 / Int64: <NA> becomes NaN
    else:
        a = np.asarray(risks)
    if a.ndim == 2 and a.shape[1] == 2:
        raise ValueError(f"{name} has two columns; pass the risk of the event only, one per patient: "
                         f"{name}[:, 1] (from a model: predict_proba(X)[:, 1])")
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, one risk per patient; got shape {a.shape}")
    if a.dtype.kind in "OUS":  # text or mixed objects: numbers written as text are read as numbers
        try:
            a = np.asarray(pd.to_numeric(a))
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold numbers; got values such as {a[:3].tolist()} (text such as "
                            "'12%'? convert the column to numbers first)") from None
    if a.dtype == bool or isinstance(getattr(risks, "dtype", None), pd.BooleanDtype):
        raise TypeError(f"{name} holds True/False, predicted classes rather than risks; pass each "
                        "patient's predicted risk in [0, 1]")
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers; got dtype {a.dtype}")
    if a.size != n:
        raise ValueError(f"{name} has {a.size} values but {y_name} has {n} outcomes; pass one risk per "
                         f"patient, in the order of {y_name}")
    a = np.array(a, dtype=float)  # a copy: the caller's array is never changed
    missing = np.flatnonzero(~np.isfinite(a))
    if missing.size:
        raise ValueError(f"{name} has {missing.size} missing or infinite values (first at position "
                         f"{missing[0]}); every patient needs a risk: compute the missing ones, or drop "
                         f"those patients from {y_name}, {name}, sites and subgroups alike")
    if a.min() < 0 or a.max() > 1:
        raise ValueError(f"{name} must be probabilities in [0, 1]; got values from {a.min():.4g} to "
                         f"{a.max():.4g}. Percentages? pass {name} / 100. On the log-odds scale (a linear "
                         "predictor lp)? pass 1 / (1 + np.exp(-lp)). Points of a score? convert them to "
                         "risks with the score's published table")
    return a


def check_same_index(y, risks, name: str = "risks", y_name: str = "y") -> None:
    """Risks are matched to outcomes by position; two pandas objects whose indexes differ
    (a sorted or filtered copy) would be matched to the wrong patients without a word."""
    index, y_index = getattr(risks, "index", None), getattr(y, "index", None)
    if isinstance(index, pd.Index) and isinstance(y_index, pd.Index) and not index.equals(y_index):
        raise ValueError(f"{name} and {y_name} have different pandas indexes, and risks are matched to "
                         f"outcomes by position. Align them first: {name}.loc[{y_name}.index] when the "
                         f"indexes name the same patients, or {name}.to_numpy() when the rows are "
                         "already in the same order")
