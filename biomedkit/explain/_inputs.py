"""Checks on a model and its input table, made once at the public boundary."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from biomedkit._checks import check_random_state


def is_xgboost(model) -> bool:
    """True for xgboost's Booster and its scikit-learn wrappers (without importing xgboost)."""
    return type(model).__module__.split(".")[0] == "xgboost"


def is_classifier(model) -> bool:
    from sklearn.base import is_classifier as sklearn_is_classifier

    return sklearn_is_classifier(model)


def booster_of(model):
    return model if type(model).__name__ == "Booster" else model.get_booster()


def check_fitted(model) -> None:
    """Raise a NotFittedError (a ValueError) that says what to do if ``model`` is not fitted."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not hasattr(model, "predict"):
        raise TypeError(f"model must be a fitted estimator with a predict method; got {type(model).__name__}")
    if is_xgboost(model) and type(model).__name__ == "Booster":
        return
    try:
        check_is_fitted(model)
    except NotFittedError as error:
        raise NotFittedError(f"model ({type(model).__name__}) is not fitted yet: call model.fit(X, y) "
                             "first") from error


def model_feature_names(model) -> list[str] | None:
    """The column names the model was fitted on, or None if it was fitted on an array."""
    if is_xgboost(model):
        names = booster_of(model).feature_names
        return list(names) if names is not None else None
    names = getattr(model, "feature_names_in_", None)
    return [str(n) for n in names] if names is not None else None


def model_n_features(model) -> int | None:
    if is_xgboost(model):
        return booster_of(model).num_features()
    return getattr(model, "n_features_in_", None)


def as_frame(X, model, name: str = "X") -> pd.DataFrame:
    """``X`` as a DataFrame whose columns are the model's features, in the model's order.

    Extra or missing columns raise a ValueError that names them; column names become
    strings. Never writes into the caller's data.
    """
    names = model_feature_names(model)
    if isinstance(X, pd.Series):
        raise TypeError(f"{name} must be a table (DataFrame or 2-d array); for one patient pass "
                        "a one-row DataFrame such as X.iloc[[i]]")
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
    else:
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-dimensional (rows x features); got shape {X.shape}")
        columns = None
    if X.shape[0] == 0:
        raise ValueError(f"{name} has no rows; pass at least one patient")
    if names is not None and columns is not None:
        missing = [n for n in names if n not in columns]
        extra = [c for c in columns if c not in names]
        if missing or extra:
            parts = [f"lacks the model's features {missing[:10]}"] if missing else []
            parts += [f"has columns the model was not fitted on {extra[:10]}"] if extra else []
            raise ValueError(f"{name} {' and '.join(parts)}; pass the columns used in fit, "
                             f"e.g. {name}[model.feature_names_in_]")
    n_features = len(names) if names is not None else model_n_features(model)
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} columns but the model was fitted on "
                         f"{n_features}; pass the same features as in fit")
    if columns is None:
        X = pd.DataFrame(X, columns=names or [f"x{i}" for i in range(X.shape[1])])
    elif columns != list(X.columns):
        X = X.set_axis(columns, axis=1)
    X = X if names is None or list(X.columns) == names else X[names]
    check_finite(X, name)
    return X


def check_finite(X: pd.DataFrame, name: str = "X") -> None:
    """Refuse infinite values: no model output or SHAP value is finite after them."""
    numeric = X.select_dtypes("number")
    if numeric.shape[1] == 0:
        return
    values = numeric.to_numpy(dtype=float, na_value=np.nan)
    bad = np.isinf(values).any(axis=0)
    if bad.any():
        raise ValueError(f"{name} has infinite values in {list(numeric.columns[bad])[:10]}; replace "
                         "them (for example a division by zero upstream) before explaining the model")


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
