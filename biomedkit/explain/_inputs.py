"""Checks on a model's input table made once at explain's public boundary: missing values,
text columns, the output asked for, a sample of rows. The model itself and the table's columns
are checked in ``biomedkit/_estimators.py``, which the explanation explorer shares."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from biomedkit._checks import check_random_state


def is_classifier(model) -> bool:
    from sklearn.base import is_classifier as sklearn_is_classifier

    return sklearn_is_classifier(model)


def numbers_from_text(X: pd.DataFrame, model) -> pd.DataFrame:
    """Text columns that hold only numbers, as floats, for a bare scikit-learn model: it
    reads them as numbers itself, and the exact explainers need numeric columns. (A
    Pipeline keeps its text: an encoder in it may read "1", "2" as categories.)"""
    if type(model).__module__.split(".")[0] != "sklearn" or type(model).__name__ == "Pipeline":
        return X
    converted = {}
    for c in text_columns(X):
        try:
            converted[c] = pd.to_numeric(X[c].astype(object), errors="raise").astype(float)
        except (ValueError, TypeError):
            continue
    return X.assign(**converted) if converted else X


def nan_columns(X: pd.DataFrame) -> list[str]:
    return [str(c) for c in X.columns[X.isna().any().to_numpy()]]


def text_columns(X: pd.DataFrame) -> list[str]:
    return [str(c) for c, dtype in X.dtypes.items()
            if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)]


def check_nan_accepted(model, X: pd.DataFrame, name: str = "X") -> None:
    """Raise a clear ValueError if ``X`` has NaN or text columns and the model refuses them
    (asking the model itself: a Pipeline with an encoder takes text, a bare model does not)."""
    check_text_accepted(model, X, name)
    columns = nan_columns(X)
    if not columns:
        return
    rows = X[X.isna().any(axis=1)].head(5)
    try:
        model.predict(rows)
    except ValueError as error:
        raise ValueError(f"{name} has missing values (NaN) in {columns[:10]} and "
                         f"{type(model).__name__} cannot take them; impute first (for example a "
                         "SimpleImputer in a Pipeline) or use a model that handles them, such as "
                         "XGBoost or HistGradientBoosting") from error


def check_text_accepted(model, X: pd.DataFrame, name: str = "X") -> None:
    """Raise a clear ValueError if ``X`` has text columns the model cannot read."""
    columns = text_columns(X)
    if not columns:
        return
    try:
        model.predict(X.dropna().head(5) if X.notna().any(axis=1).any() else X.head(5))
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} has text columns {columns[:10]} that {type(model).__name__} cannot "
                         "read; convert them as in fit (bk.datasets.model_ready(X) makes text columns "
                         "categorical and integers float) or put an encoder in a Pipeline") from error


def sample_rows(X: pd.DataFrame, max_rows: int, random_state) -> pd.DataFrame:
    """At most ``max_rows`` rows of ``X``, drawn without replacement (all of them if fewer)."""
    if len(X) <= max_rows:
        return X
    rng = check_random_state(random_state)
    return X.iloc[np.sort(rng.choice(len(X), size=max_rows, replace=False))]


def check_output_index(n_outputs: int, output_index) -> int | None:
    """None for a single-output model (binary classifiers count as one: the event); else the index."""
    if n_outputs == 1:
        if output_index is not None:
            raise ValueError(f"output_index={output_index!r} was given but the model has a single "
                             "output; leave it None (binary classifiers explain the event, class 1)")
        return None
    if output_index is None:
        raise ValueError(f"the model has {n_outputs} outputs (classes or targets); pass "
                         f"output_index=0 ... {n_outputs - 1} to say which one to explain")
    if isinstance(output_index, bool) or not isinstance(output_index, numbers.Integral) or not (
            0 <= output_index < n_outputs):
        raise ValueError(f"output_index must be an integer in [0, {n_outputs - 1}]; got {output_index!r}")
    return int(output_index)


def pick_output(array: np.ndarray, n_single_dims: int, output_index, axis: int = 1) -> np.ndarray:
    """One model output from an array that has an outputs ``axis`` when the model has several."""
    n_outputs = 1 if array.ndim == n_single_dims else array.shape[axis]
    k = check_output_index(n_outputs, output_index)
    return array if k is None else np.take(array, k, axis=axis)
