"""Internal validation: repeated and nested cross-validation, and Harrell's bootstrap
optimism correction.

Every resampling refits the whole estimator, so preprocessing steps must sit inside
it (a scikit-learn Pipeline): then scaling, imputation and feature selection are
learned within each training fold only. The heavy loops run through joblib with
``n_jobs``, so ``joblib.parallel_config(backend="dask")`` spreads them over a
cluster without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_binary, check_n_boot
from biomedkit._deprecation import keyword_only_after
from biomedkit._progress import parallel_progress


def _check_xy(X, y):
    y = check_binary(y, "y")
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    if n != y.size:
        raise ValueError(f"X has {n} rows but y has {y.size} values; they must match")
    return y


def _rows(X, idx):
    return X.iloc[idx] if hasattr(X, "iloc") else np.asarray(X)[idx]


@keyword_only_after(3)
def repeated_cv(estimator, X, y, *, scoring=("roc_auc", "neg_brier_score"), n_splits: int = 5,
                n_repeats: int = 10, random_state=None, n_jobs=None) -> pd.DataFrame:
    """Repeated stratified k-fold cross-validation: one row per fold and repeat.

    Parameters
    ----------
    estimator : scikit-learn estimator
        Put every preprocessing step inside it (a Pipeline), so that each fold
        learns it from its own training part.
    X, y : the data; ``y`` holds 0/1.
    scoring : str or sequence of str, default=("roc_auc", "neg_brier_score")
        scikit-learn scorer names.
    n_splits, n_repeats : int
    random_state : int or None
    n_jobs : int or None
        Passed to joblib.

    Returns
    -------
    DataFrame
        Columns ``repeat``, ``fold`` and one per scorer (``neg_`` scorers are turned
        back into positive values: ``brier_score`` instead of ``neg_brier_score``).
        ``summarize_cv(result)`` gives mean, sd and quantiles.

    Examples
    --------
    >>> pipe = make_pipeline(StandardScaler(), LogisticRegression())         # doctest: +SKIP
    >>> folds = bk.validation.repeated_cv(pipe, X, y, random_state=0)          # doctest: +SKIP
    """
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate

    y = _check_xy(X, y)
    scoring = [scoring] if isinstance(scoring, str) else list(scoring)
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=random_state)
    # a fold that fails raises its own error: a table of NaN scores would hide why
    res = cross_validate(estimator, X, y, scoring=scoring, cv=cv, n_jobs=n_jobs, error_score="raise")
    out = pd.DataFrame({"repeat": np.repeat(np.arange(n_repeats), n_splits),
                        "fold": np.tile(np.arange(n_splits), n_repeats)})
    for name in scoring:
        values = res[f"test_{name}"]
        out[name.removeprefix("neg_")] = -values if name.startswith("neg_") else values
    return out


def summarize_cv(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean, sd and the 2.5 % and 97.5 % quantiles of each score over folds."""
    if not isinstance(folds, pd.DataFrame):
        raise TypeError(f"folds must be the DataFrame of repeated_cv or nested_cv; got {type(folds).__name__}")
    scores = folds.drop(columns=[c for c in ("repeat", "fold") if c in folds])
    return scores.agg(["mean", "std", lambda s: s.quantile(0.025), lambda s: s.quantile(0.975)]).T.set_axis(
        ["mean", "sd", "q2.5", "q97.5"], axis=1)


@keyword_only_after(4)
def nested_cv(estimator, param_grid, X, y, *, scoring: str = "roc_auc", outer_splits: int = 5,
              inner_splits: int = 5, random_state=None, n_jobs=None) -> pd.DataFrame:
    """Nested cross-validation: tuning inside, honest performance outside.

    The inner loop (GridSearchCV) picks the hyper-parameters on each outer
    training part only; the outer loop scores that choice on data the search never
    saw. Reporting the inner loop's best score instead is optimistic.

    Returns
    -------
    DataFrame
        One row per outer fold: ``fold``, ``outer_score`` (honest), ``inner_best_score``
        (the optimistic one) and ``best_params``.
    """
    from sklearn.base import clone
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    y = _check_xy(X, y)
    outer = StratifiedKFold(outer_splits, shuffle=True, random_state=random_state)
    inner = StratifiedKFold(inner_splits, shuffle=True, random_state=random_state)
    scorer = get_scorer(scoring)
    rows = []
    for fold, (train, test) in enumerate(outer.split(np.zeros(y.size), y)):
        search = GridSearchCV(clone(estimator), param_grid, scoring=scoring, cv=inner, n_jobs=n_jobs)
        search.fit(_rows(X, train), y[train])
        rows.append({"fold": fold, "outer_score": scorer(search.best_estimator_, _rows(X, test), y[test]),
                     "inner_best_score": search.best_score_, "best_params": search.best_params_})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class OptimismResult:
    """Harrell's bootstrap optimism correction of one metric."""

    metric: str
    apparent: float   # the model fitted and scored on the full data
    optimism: float   # mean over replicates of (bootstrap-sample score - original-data score)
    corrected: float  # apparent - optimism: the estimate of performance in new patients
    replicates: pd.DataFrame  # per replicate: apparent_boot, test_on_original, optimism

    def __str__(self) -> str:
        return (f"{self.metric}: apparent {self.apparent:.3f}, optimism {self.optimism:.3f}, "
                f"corrected {self.corrected:.3f} ({len(self.replicates)} bootstrap replicates)")


def _one_replicate(estimator, X, y, metric, seed):
    from sklearn.base import clone

    rng = np.random.default_rng(seed)
    while True:  # a resample needs both classes
        idx = rng.integers(0, y.size, y.size)
        if 0 < y[idx].sum() < y.size:
            break
    model = clone(estimator).fit(_rows(X, idx), y[idx])
    return metric(y[idx], model.predict_proba(_rows(X, idx))[:, 1]), metric(y, model.predict_proba(X)[:, 1])


@keyword_only_after(3)
def bootstrap_optimism(estimator, X, y, *, metric=None, n_boot: int = 200, random_state=None,
                       n_jobs=None) -> OptimismResult:
    """Apparent, optimism and optimism-corrected performance (Harrell's bootstrap).

    For each bootstrap sample the whole modelling process (``estimator``, a
    Pipeline with every preprocessing step) is refitted; the optimism is the mean
    drop from its score on its own bootstrap sample to its score on the original
    data. Subtracting it from the apparent score estimates the performance in new
    patients from the same population.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``
    X, y : the development data; ``y`` holds 0/1.
    metric : callable ``metric(y_true, y_prob) -> float``, default AUC
        For example ``sklearn.metrics.brier_score_loss`` or a calibration slope.
    n_boot : int, default=200
    random_state : int or None
    n_jobs : int or None
        joblib workers for the replicates.

    Returns
    -------
    OptimismResult

    References
    ----------
    Harrell FE, Lee KL, Mark DB. Multivariable prognostic models. Stat Med
    15:361-387 (1996). Steyerberg EW. Clinical Prediction Models, 2nd ed. (2019), ch. 17.

    Examples
    --------
    >>> res = bk.validation.bootstrap_optimism(pipe, X, y, n_boot=200, random_state=0)  # doctest: +SKIP
    >>> print(res)                                                                     # doctest: +SKIP
    """
    from joblib import delayed
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score

    y = _check_xy(X, y)
    n_boot = check_n_boot(n_boot, minimum=1)
    metric = roc_auc_score if metric is None else metric
    if not callable(metric):
        raise TypeError("metric must be a callable metric(y_true, y_prob) -> float")
    apparent = float(metric(y, clone(estimator).fit(X, y).predict_proba(X)[:, 1]))
    seeds = np.random.SeedSequence(random_state).generate_state(n_boot)
    tasks = (delayed(_one_replicate)(estimator, X, y, metric, s) for s in seeds)
    pairs = parallel_progress(tasks, n_jobs=n_jobs, total=n_boot, desc="bootstrap_optimism")
    reps = pd.DataFrame(pairs, columns=["apparent_boot", "test_on_original"])
    reps["optimism"] = reps["apparent_boot"] - reps["test_on_original"]
    optimism = float(reps["optimism"].mean())
    name = getattr(metric, "__name__", "metric")
    return OptimismResult(name, apparent, optimism, apparent - optimism, reps)
