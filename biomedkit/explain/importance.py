"""Global importance: permutation importance with intervals, impurity importance as a contrast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit._checks import check_int, check_labels_for_model
from biomedkit._estimators import as_frame, booster_of, check_fitted, is_xgboost
from biomedkit.explain._inputs import check_nan_accepted, is_classifier

INTERVALS = ("t", "percentile")


def permutation_importance(model, X, y, *, scoring=None, n_repeats: int = 10, level: float = 0.95,
                           interval: str = "t", random_state: int | np.random.RandomState | None = None,
                           n_jobs: int | None = None, sample_weight=None) -> pd.DataFrame:
    """How much a score drops when one feature's values are shuffled, with an interval.

    Wraps :func:`sklearn.inspection.permutation_importance` (same numbers for the same
    ``random_state``) and returns a tidy table. Compute it on held-out data: on the
    training data it measures what the model memorised. Correlated features share
    their importance: shuffling one leaves its twin to carry the signal, so both look
    unimportant. Runs through joblib with ``n_jobs``, so a Dask cluster can take it
    (``joblib.parallel_config(backend="dask")``).

    Parameters
    ----------
    model : fitted estimator
    X : DataFrame or 2-d array
        Held-out rows with the model's columns.
    y : array-like
        Their outcomes.
    scoring : str or callable, optional
        A scikit-learn scorer. Default: ``"roc_auc"`` for binary classifiers (accuracy,
        scikit-learn's default, barely moves when events are rare), the model's own
        ``score`` (R^2 for regressors) otherwise.
    n_repeats : int, default=10
        Shuffles per feature.
    level : float, default=0.95
        Confidence level of the interval.
    interval : {"t", "percentile"}, default="t"
        "t": mean +/- t quantile x sd / sqrt(n_repeats), an interval for the mean drop
        over shuffles; "percentile": the central ``level`` range of the repeats. Both
        show the randomness of shuffling only, for this model and these rows; they say
        nothing about another sample or a refitted model (for that, repeat over
        bootstrap samples or cross-validation folds).
    random_state : int, RandomState or None
        Seed for the shuffles (passed to scikit-learn).
    n_jobs : int, optional
        Parallel jobs (joblib).
    sample_weight : array-like, optional
        Passed to the scorer.

    Returns
    -------
    DataFrame
        One row per feature, largest mean first: ``feature``, ``mean`` (drop in score),
        ``sd`` (over repeats, ddof=1; scikit-learn's ``importances_std`` uses ddof=0),
        ``low``, ``high``. ``attrs`` records scoring, n_repeats, interval and level.

    References
    ----------
    Breiman (2001), Random forests, Machine Learning 45:5-32. Fisher, Rudin and
    Dominici (2019), All models are wrong, but many are useful, JMLR 20:177.

    Examples
    --------
    >>> table = bk.explain.permutation_importance(model, X_test, y_test, random_state=0)  # doctest: +SKIP
    >>> bk.explain.plot_importance(table)                                                # doctest: +SKIP
    """
    from scipy import stats
    from sklearn.inspection import permutation_importance as sklearn_permutation_importance

    from biomedkit._checks import check_level

    check_fitted(model)
    X = as_frame(X, model)
    check_nan_accepted(model, X)
    y = check_labels_for_model(y, model, len(X))
    n_repeats = check_int(n_repeats, "n_repeats", 2)
    level = check_level(level)
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}; got {interval!r}")
    if scoring is None and is_classifier(model) and len(getattr(model, "classes_", ())) == 2:
        scoring = "roc_auc"
    if scoring == "roc_auc" and len(set(y.tolist())) < 2:
        # the AUC is undefined with one class: every importance would be NaN
        raise ValueError("y has only one class; permutation importance by AUC needs events and "
                         "non-events among the held-out rows")
    result = sklearn_permutation_importance(model, X, y, scoring=scoring, n_repeats=n_repeats,
                                            random_state=random_state, n_jobs=n_jobs,
                                            sample_weight=sample_weight)
    repeats = result.importances
    mean, sd = repeats.mean(axis=1), repeats.std(axis=1, ddof=1)
    if interval == "t":
        half = stats.t.ppf(0.5 + level / 2, n_repeats - 1) * sd / np.sqrt(n_repeats)
        low, high = mean - half, mean + half
    else:
        low, high = np.percentile(repeats, [50 * (1 - level), 50 * (1 + level)], axis=1)
    table = pd.DataFrame({"feature": [str(c) for c in X.columns], "mean": mean, "sd": sd,
                          "low": low, "high": high})
    table = table.sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(scoring=scoring if isinstance(scoring, str) or scoring is None else repr(scoring),
                       n_repeats=n_repeats, interval=interval, level=level)
    return table


def impurity_importance(model) -> pd.DataFrame:
    """The importance a tree model reports about itself (``feature_importances_``).

    Shown in the lessons as a cautionary contrast only.

    Warnings
    --------
    Impurity (mean decrease in impurity, or XGBoost's gain) importance is computed
    on the **training data** while the trees were grown, so it rewards features the
    model over-fitted to, says nothing about held-out performance, and is **biased
    toward continuous and high-cardinality features** (many split points to choose
    from): a column of random numbers can outrank a real binary risk factor
    (Strobl et al. 2007). Prefer :func:`permutation_importance` on held-out data or
    mean |SHAP| (``explain(...).importance()``).

    Parameters
    ----------
    model : fitted tree model, or a Pipeline ending in one
        Anything with ``feature_importances_`` (forests, gradient boosting, XGBoost).

    Returns
    -------
    DataFrame
        ``feature``, ``importance`` (summing to 1 for scikit-learn), largest first.
        For a Pipeline the features are those the last step sees (after encoding).

    References
    ----------
    Strobl, Boulesteix, Zeileis and Hothorn (2007), Bias in random forest variable
    importance measures, BMC Bioinformatics 8:25.

    Examples
    --------
    >>> bk.explain.impurity_importance(forest)                          # doctest: +SKIP
    """
    check_fitted(model)
    last, names = model, None
    if type(model).__name__ == "Pipeline":
        last = model[-1]
        names = [str(n) for n in model[:-1].get_feature_names_out()]
    if not hasattr(last, "feature_importances_"):
        raise TypeError(f"model ({type(last).__name__}) has no feature_importances_ (impurity importance "
                        "exists for tree models only); use permutation_importance instead")
    importance = np.asarray(last.feature_importances_, dtype=float)
    if names is None:
        names = (booster_of(last).feature_names if is_xgboost(last) else None) or [
            str(n) for n in getattr(last, "feature_names_in_", [f"x{i}" for i in range(importance.size)])]
    table = pd.DataFrame({"feature": list(names), "importance": importance})
    return table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
