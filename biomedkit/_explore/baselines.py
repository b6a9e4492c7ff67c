"""The two baselines, cross-validated: out-of-fold risks, their summary, and the pieces the
validation report and the explanation explorer need."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_binary, check_int, check_random_state

MODELS = ("logistic regression", "gradient boosting")


def baseline_models(*, random_state: int = 0, n_jobs: int = 1) -> dict:
    """The two baselines, unfitted, for a model-ready frame (numbers and categories).

    - logistic regression: numbers imputed by the median with a missingness indicator and
      standardized, categories one-hot encoded (missing as a level, rare levels pooled),
      L2-penalized (C = 1) logistic regression;
    - gradient boosting: XGBoost (200 trees of depth 3, learning rate 0.1) on the frame
      as it is (missing values and categories natively), explained exactly by TreeSHAP.
    """
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from xgboost import XGBClassifier

    random_state, n_jobs = check_int(random_state, "random_state", 0), check_int(n_jobs, "n_jobs", 1)
    numbers = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())
    categories = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5, max_categories=20,
                               sparse_output=False)
    prepare = make_column_transformer((numbers, make_column_selector(dtype_include="number")),
                                      (categories, make_column_selector(dtype_include="category")))
    return {
        "logistic regression": make_pipeline(prepare, LogisticRegression(max_iter=2000)),
        "gradient boosting": XGBClassifier(n_estimators=200, max_depth=3, learning_rate=0.1,
                                           enable_categorical=True, tree_method="hist", n_jobs=n_jobs,
                                           random_state=random_state),
    }


class CrossValidatedModel:
    """A model whose risks for its own rows are the out-of-fold ones: what
    ``ValidationReport`` validates when the app reports cross-validated performance.

    ``predict_proba(X)`` answers only for the rows (same index) it was made from; the
    parameters are those of the estimator that was cross-validated.
    """

    def __init__(self, estimator, index: pd.Index, risk: np.ndarray):
        self.estimator, self.index, self.risk = estimator, index, np.asarray(risk, dtype=float)

    def predict_proba(self, X) -> np.ndarray:
        if len(X) != len(self.index) or not X.index.equals(self.index):
            raise ValueError("a cross-validated model predicts only the rows it was validated on")
        return np.column_stack([1 - self.risk, self.risk])

    def get_params(self, deep: bool = False) -> dict:
        return self.estimator.get_params(deep=deep)


@dataclass
class BaselinesResult:
    """Cross-validated out-of-fold risks of the baselines.

    Attributes
    ----------
    y : ndarray of 0/1
    risks : dict of model name -> ndarray
        Each row's risk from the model fitted on the other folds.
    folds : ndarray
        The fold of each row (0 to n_splits - 1).
    held_out_models : dict of model name -> fitted model
        Each model fitted without fold 0: the one the explanation explorer explains on
        the rows of fold 0 (rows it has not seen, whose risks are their out-of-fold risks).
    estimators : dict of model name -> unfitted estimator
    seconds : dict of model name -> float
    """

    y: np.ndarray
    index: pd.Index
    risks: dict
    folds: np.ndarray
    held_out_models: dict
    estimators: dict
    seconds: dict

    @property
    def n_splits(self) -> int:
        return int(self.folds.max()) + 1

    def to_frame(self) -> pd.DataFrame:
        """:func:`performance` of the out-of-fold risks, and each model's seconds."""
        return performance(self.y, self.risks).assign(seconds=pd.Series(self.seconds))

    def compare(self, a: str = MODELS[1], b: str = MODELS[0]):
        """DeLong's paired test of the two models' AUCs (a minus b) on the same rows."""
        from biomedkit.validation import delong_test

        return delong_test(self.y, self.risks[a], self.risks[b])

    def cross_validated(self, name: str) -> CrossValidatedModel:
        """The model ``name`` as a :class:`CrossValidatedModel` for ``ValidationReport``."""
        return CrossValidatedModel(self.estimators[name], self.index, self.risks[name])

    def __repr__(self) -> str:
        aucs = ", ".join(f"{k} AUC {_auc(self.y, v):.3f}" for k, v in self.risks.items())
        return f"<BaselinesResult: {self.y.size} rows, {self.n_splits}-fold out-of-fold risks; {aucs}>"


def performance(y, risks: dict) -> pd.DataFrame:
    """Per model (the keys of ``risks``): AUC with its DeLong interval, Brier score,
    calibration slope (with its interval), calibration-in-the-large, and observed / expected
    events; one row per model, indexed by its name."""
    from biomedkit.validation import auc_ci, calibration_summary

    y, rows = np.asarray(y), []
    for name, risk in risks.items():
        a, c = auc_ci(y, risk), calibration_summary(y, risk)
        rows.append({"model": name, "auc": a.auc, "auc_low": a.low, "auc_high": a.high, "brier": c.brier,
                     "slope": c.slope, "slope_low": c.slope_low, "slope_high": c.slope_high, "citl": c.citl,
                     "o_e": y.sum() / np.sum(risk)})
    return pd.DataFrame(rows).set_index("model")


def performance_text(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`performance` as the app shows it: the AUC and the slope with their intervals as
    text, the Brier score, calibration-in-the-large and observed / expected rounded."""
    return pd.DataFrame({
        "AUC (95% CI)": [f"{r.auc:.3f} ({r.auc_low:.3f} to {r.auc_high:.3f})" for r in table.itertuples()],
        "Brier score": table.brier.round(4),
        "calibration slope (95% CI)": [f"{r.slope:.2f} ({r.slope_low:.2f} to {r.slope_high:.2f})"
                                       for r in table.itertuples()],
        "calibration-in-the-large": table.citl.round(3),
        "observed / expected events": table.o_e.round(2)}, index=table.index)


def _auc(y, risk) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, risk))


def fit_baselines(X: pd.DataFrame, y, *, n_splits: int = 5, models=MODELS, random_state: int = 0,
                  on_step: Callable[[str], None] | None = None) -> BaselinesResult:
    """Out-of-fold risks of the baselines by stratified ``n_splits``-fold cross-validation.

    Parameters
    ----------
    X : DataFrame
        Model-ready features (``model_data(...).X``).
    y : array-like of 0/1
    n_splits : int, default=5
        Folds (stratified, shuffled with ``random_state``); fewer when the rarer class
        has fewer rows.
    models : sequence of str, default=("logistic regression", "gradient boosting")
    random_state : int, default=0
    on_step : callable, optional
        Called with a short description after each fit (a progress bar's update).

    Returns
    -------
    BaselinesResult

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, _ = bk.simulate.cohort(n=500, random_state=0)
    >>> result = fit_baselines(bk.datasets.model_ready(data.X, verbose=False), data.y)   # doctest: +SKIP
    >>> result.to_frame()[["auc", "auc_low", "auc_high"]]                                 # doctest: +SKIP
    """
    from sklearn.model_selection import StratifiedKFold

    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame (model_data(...).X); got {type(X).__name__}")
    y = check_binary(y, "y").astype(int)
    if y.size != len(X):
        raise ValueError(f"y has {y.size} values but X has {len(X)} rows; they must match")
    n_splits = check_int(n_splits, "n_splits", 2)
    random_state = check_int(random_state, "random_state", 0)  # scikit-learn's folds and XGBoost take an int
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise ValueError(f"models must be a subset of {MODELS}; got {list(models)}")
    rarer = int(min(y.sum(), y.size - y.sum()))
    if rarer < 2:
        raise ValueError(f"y has {rarer} row(s) of its rarer class; cross-validation needs at least 2")
    n_splits = min(n_splits, rarer)
    folds = np.empty(y.size, dtype=int)
    splits = list(StratifiedKFold(n_splits, shuffle=True, random_state=random_state).split(np.zeros(y.size), y))
    for k, (_, test) in enumerate(splits):
        folds[test] = k
    estimators = {name: baseline_models(random_state=random_state)[name] for name in models}
    risks, held_out, seconds = {}, {}, {}
    from biomedkit._threads import single_threaded

    # One thread each (XGBoost's n_jobs=1 too): on a busy machine, threads that compete for
    # the cores make a fit many times slower; on two cores one thread loses little.
    with single_threaded("sklearn.linear_model", "xgboost"):
        _cross_validate(X, y, splits, estimators, risks, held_out, seconds, on_step)
    return BaselinesResult(y=y, index=X.index, risks=risks, folds=folds, held_out_models=held_out,
                           estimators=estimators, seconds=seconds)


def _cross_validate(X, y, splits, estimators, risks, held_out, seconds, on_step) -> None:
    from sklearn.base import clone

    for name, estimator in estimators.items():
        start, risk = time.perf_counter(), np.empty(y.size)
        for k, (train, test) in enumerate(splits):
            fitted = clone(estimator).fit(X.iloc[train], y[train])
            risk[test] = fitted.predict_proba(X.iloc[test])[:, 1]
            if k == 0:
                held_out[name] = fitted
            if on_step is not None:
                on_step(f"{name}: fold {k + 1} of {len(splits)}")
        risks[name], seconds[name] = risk, time.perf_counter() - start


def explanation_data(result: BaselinesResult, X: pd.DataFrame, *, max_background: int = 100,
                     random_state: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows the explanation explorer explains, and the background rows it compares them with.

    The rows are those of fold 0, which ``held_out_models`` never saw: their risks in the
    explorer are their out-of-fold risks. The background is a fixed random sample of the
    training rows (the other folds), so that the explanations are the same on every run.
    """
    rows = X.iloc[np.flatnonzero(result.folds == 0)]
    training = np.flatnonzero(result.folds != 0)
    rng = check_random_state(random_state)
    chosen = np.sort(rng.choice(training, min(max_background, training.size), replace=False))
    return rows, X.iloc[chosen]


def report_thresholds(y) -> tuple:
    """Risk thresholds for the validation report's tables, placed around the prevalence:
    half of it, itself, and half-way from it to 1 (rounded to 0.01, kept in [0.01, 0.95]).
    The report's default (0.1, 0.2, 0.3) means little when half the patients have the event.

    Examples
    --------
    >>> report_thresholds([0, 0, 0, 1])
    (0.12, 0.25, 0.62)
    """
    p = float(np.mean(check_binary(y, "y")))
    points = np.clip(np.round([p / 2, p, p + (1 - p) / 2], 2), 0.01, 0.95)
    return tuple(float(t) for t in np.unique(points))
