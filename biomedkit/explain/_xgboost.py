"""Exact TreeSHAP for XGBoost through xgboost's own ``pred_contribs``.

xgboost computes path-dependent TreeSHAP in C++ on its own trees, so its values need
no parsing of the model by another library (shap's parser has had base_score errors
with xgboost >= 3, shap issues 4184 and 4201). The last column of ``pred_contribs``
is the bias: the base_score plus each tree's cover-weighted mean leaf, in margin units.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from biomedkit._estimators import booster_of
from biomedkit.explain._inputs import pick_output

# Objectives whose margin is the log-odds of the event.
LOGIT_OBJECTIVES = {"binary:logistic", "binary:logitraw", "reg:logistic"}


def objective(booster) -> str:
    return json.loads(booster.save_config())["learner"]["objective"]["name"]


def output_of(booster) -> str:
    return "log-odds" if objective(booster) in LOGIT_OBJECTIVES else "raw"


def check_dtypes(booster, X: pd.DataFrame) -> None:
    """Categorical features must arrive as pandas 'category' columns, numeric ones as numbers."""
    types = booster.feature_types or [None] * X.shape[1]
    for column, kind in zip(X.columns, types):
        dtype = X[column].dtype
        is_cat = isinstance(dtype, pd.CategoricalDtype)
        if kind == "c" and not is_cat:
            raise TypeError(f"X column {column!r} was categorical when the model was fitted but has "
                            f"dtype {dtype}; convert it with X[{column!r}].astype('category')")
        if not is_cat and dtype.kind not in "biuf":
            raise TypeError(f"X column {column!r} has dtype {dtype}; XGBoost needs numbers or pandas "
                            f"'category' columns: X[{column!r}].astype('category')")


def iteration_range(model) -> tuple[int, int]:
    """The trees that ``model.predict`` uses: up to the best iteration after early stopping."""
    if type(model).__name__ == "Booster":
        return (0, 0)
    try:
        return (0, model.best_iteration + 1)
    except AttributeError:  # no early stopping: every tree
        return (0, 0)


def contributions(model, X: pd.DataFrame, *, interactions: bool = False) -> np.ndarray:
    """``pred_contribs`` (rows x [outputs x] features + 1), or ``pred_interactions``."""
    import xgboost as xgb

    booster = booster_of(model)
    check_dtypes(booster, X)
    matrix = xgb.DMatrix(X, enable_categorical=True, missing=np.nan)
    kind = {"pred_interactions": True} if interactions else {"pred_contribs": True}
    return booster.predict(matrix, iteration_range=iteration_range(model), validate_features=False, **kind)


def xgboost_shap(model, X: pd.DataFrame, output_index=None):
    """SHAP values, base values and output scale from xgboost's exact TreeSHAP."""
    contribs = pick_output(contributions(model, X), 2, output_index)
    return (contribs[:, :-1].astype(float), contribs[:, -1].astype(float),
            output_of(booster_of(model)))


def xgboost_interactions(model, X: pd.DataFrame, output_index=None):
    """SHAP interaction values (rows x features x features), base values and output scale."""
    inter = pick_output(contributions(model, X, interactions=True), 3, output_index)
    return (inter[:, :-1, :-1].astype(float), inter[:, -1, -1].astype(float),
            output_of(booster_of(model)))
