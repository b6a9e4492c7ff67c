"""Estimators, as the package's modules meet them.

Two kinds: the package's own scikit-learn classifiers, which share the checks of their ``fit``;
and a learner's fitted model (scikit-learn, xgboost), which ``bk.explain`` and the explanation
explorer check, with the table it is asked about, before they use it.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd


def classifier_fit_inputs(estimator, X, y, *, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Check ``X`` and ``y`` for ``estimator.fit`` as scikit-learn does (``n_features_in_``,
    feature names, classification targets), set ``estimator.classes_``, and return ``X`` and
    ``y`` as class codes 0..k-1. A ``y`` with one class is refused: there is nothing to learn."""
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import validate_data

    from biomedkit._checks import check_X_y

    check_X_y(X, y)  # messages naming X or y, before scikit-learn's own
    X, y = validate_data(estimator, X, y, dtype=dtype)
    check_classification_targets(y)
    estimator.classes_, codes = np.unique(y, return_inverse=True)
    if len(estimator.classes_) < 2:
        raise ValueError(f"y contains only one class ({estimator.classes_[0]!r}); need at least 2")
    return X, codes


def tuned_copy(estimator, **params):
    """A deep copy of a fitted estimator with ``params`` changed (a None keeps the value it
    has): where fine-tuning starts, leaving the original as it was."""
    tuned = copy.deepcopy(estimator)
    tuned.set_params(**{name: value for name, value in params.items() if value is not None})
    return tuned


def is_xgboost(model) -> bool:
    """True for xgboost's Booster and its scikit-learn wrappers (without importing xgboost)."""
    return type(model).__module__.split(".")[0] == "xgboost"


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
