"""``explain``: SHAP values for any fitted model, by the fastest exact method that fits it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit._checks import check_int, int_seed
from biomedkit._estimators import as_frame, check_fitted, is_xgboost
from biomedkit.explain._explanation import Explanation
from biomedkit.explain._inputs import check_nan_accepted, check_output_index, numbers_from_text, sample_rows
from biomedkit.explain._pipeline import final_kind


def choose_method(model, X: pd.DataFrame) -> str:
    """xgboost, tree, linear or permutation (see ``explain``)."""
    from biomedkit.explain._shap import LINEAR, SHAP_TREES

    if is_xgboost(model):
        return "xgboost"
    name, library = type(model).__name__, type(model).__module__.split(".")[0]
    numeric = all(dtype.kind in "biuf" for dtype in X.dtypes)  # shap's tree and linear readers need numbers
    if library == "sklearn" and numeric:
        if name in SHAP_TREES:
            return "tree"
        if name in LINEAR and np.atleast_2d(model.coef_).shape[0] == 1:  # one output only
            return "linear"
    return "permutation"


def _check_method(method) -> str:
    if method not in ("auto", "permutation"):
        raise ValueError(f"method must be 'auto' or 'permutation'; got {method!r}")
    return method


def uses_background(model, X, *, method: str = "auto") -> bool:
    """Whether :func:`explain` compares the rows of ``X`` with background rows for this model.

    Every method does but path-dependent TreeSHAP (xgboost and bare scikit-learn trees),
    which weighs each split by the training rows that reached it: for those models the
    ``background`` argument of :func:`explain` changes nothing. A Pipeline ending in trees
    counts as using one: it may fall back to the permutation method.

    Parameters
    ----------
    model : fitted estimator
        As for :func:`explain`.
    X : DataFrame or 2-d array
        The rows to explain, with the model's features.
    method : {"auto", "permutation"}, default="auto"
        As for :func:`explain`; "permutation" always uses a background.

    Returns
    -------
    bool

    Examples
    --------
    >>> bk.explain.uses_background(xgb_model, X_test)                   # doctest: +SKIP
    False
    """
    check_fitted(model)
    X = as_frame(X, model)
    if _check_method(method) == "permutation":
        return True
    return choose_method(model, numbers_from_text(X, model)) not in ("xgboost", "tree")


def explain(model, X, background=None, *, output_index: int | None = None, max_background: int = 100,
            n_permutations: int = 5, random_state: int | np.random.Generator | None = None,
            method: str = "auto") -> Explanation:
    """SHAP values for a fitted model on the rows of ``X``; they add up to the model output.

    The method follows the model:

    - **XGBoost** (``XGBClassifier``, ``XGBRegressor``, ``Booster``): exact path-dependent
      TreeSHAP from xgboost's own ``pred_contribs``, in margin units (log-odds for
      binary classifiers). Fast; categorical columns work as in fit
      (``enable_categorical``); missing values follow the trees' default directions.
    - **scikit-learn trees** (decision trees, random forests, extra trees, gradient
      boosting, histogram gradient boosting) on numeric columns: shap's
      ``TreeExplainer`` (path-dependent). Forests explain the probability of the event;
      gradient boosting its log-odds.
    - **linear models** (``LogisticRegression``, ``LinearRegression``, ``Ridge``, ``Lasso``,
      ``ElasticNet``) on numeric columns: shap's ``LinearExplainer`` with independent
      features, ``coef * (x - mean(background))``, in log-odds for logistic regression.
    - **scikit-learn pipelines** ending in one of these trees or linear models: the
      preprocessing runs once and the final step is explained exactly on its output
      (names from ``get_feature_names_out``); each original column gets the sum of the
      values of the features made from it (its one-hot indicators, its scaled value), so
      the values still add up to the model output. For a linear final step this is the
      exact SHAP value of each column; for trees, summing a column's indicators is the
      usual approximation. Where a transformed feature is made from several columns
      (PCA, polynomial terms, an iterative imputer), the permutation method is used.
    - **anything else** (other pipelines, SVMs, neural networks, multiclass logistic
      regression, tree models on categorical columns): shap's ``PermutationExplainer``
      on ``predict_proba[:, 1]`` (classifiers) or ``predict`` (regressors) with at most
      ``max_background`` background rows. It costs about ``n_permutations * (2 * p + 1)
      * max_background`` model evaluations per row: explain a sample, not 100,000 rows.

    Parameters
    ----------
    model : fitted estimator
        The model to explain.
    X : DataFrame or 2-d array
        The rows to explain, with the model's columns (extra or missing columns raise).
        For a bare scikit-learn model, text columns that hold only numbers are read as
        numbers, as scikit-learn reads them.
    background : DataFrame, optional
        Rows that stand for "a typical patient" (usually the training data): the
        linear and permutation methods compare each row with them; default ``X``.
        At most ``max_background`` rows are drawn from it. Tree methods ignore it:
        path-dependent TreeSHAP weighs each split by the training rows that reached it.
    output_index : int, optional
        Which output to explain when the model has several (a class of a multiclass
        classifier, a target of a multi-output regressor). Binary classifiers always
        explain the event (class 1); leave it None for them.
    max_background : int, default=100
        Most background rows kept (linear and permutation methods).
    n_permutations : int, default=5
        Antithetic permutations per row (permutation method); the values add up
        exactly for any number, more permutations make each value less noisy.
    random_state : int, Generator or None
        Seed for the background sample and the permutations.
    method : {"auto", "permutation"}, default="auto"
        "auto" takes the fastest exact method that fits the model (above);
        "permutation" asks for the model-agnostic method whatever the model (the values
        are then on the probability scale for classifiers).

    Returns
    -------
    Explanation
        ``.values`` (rows x features), ``.base_values``, ``.data``, ``.feature_names``,
        ``.output`` and ``.prediction``; ``.importance()``, ``.to_frame()`` and
        ``.what_if()`` for what-if questions.

    Raises
    ------
    NotFittedError
        If the model is not fitted (a ValueError).
    ValueError
        If ``X`` lacks some of the model's columns or has others, or has missing
        values that the model cannot take.

    References
    ----------
    Lundberg et al. (2020), From local explanations to global understanding with
    explainable AI for trees, Nature Machine Intelligence 2:56-67 (TreeSHAP).
    Strumbelj and Kononenko (2014), Explaining prediction models and individual
    predictions with feature contributions, Knowl Inf Syst 41:647-665 (permutations).

    Examples
    --------
    >>> from xgboost import XGBClassifier
    >>> data, truth = bk.simulate.cohort(n=2_000, random_state=0)
    >>> model = XGBClassifier(n_estimators=100, max_depth=3, enable_categorical=True)
    >>> model.fit(data.X, data.y)                                       # doctest: +SKIP
    >>> expl = bk.explain.explain(model, data.X)                        # doctest: +SKIP
    >>> expl.importance().head()                                        # doctest: +SKIP
    >>> bk.explain.plot_waterfall(expl, row=0)                          # doctest: +SKIP
    """
    check_fitted(model)
    X = numbers_from_text(as_frame(X, model), model)
    max_background = check_int(max_background, "max_background", 1)
    n_permutations = check_int(n_permutations, "n_permutations", 1)
    seed = int_seed(random_state)
    _check_method(method)
    options = {"output_index": output_index, "max_background": max_background,
               "n_permutations": n_permutations, "random_state": seed, "method": method}
    chosen = "permutation" if method == "permutation" else choose_method(model, X)
    result = None
    if chosen == "permutation" and method == "auto" and final_kind(model) is not None:
        result, chosen = _through_pipeline(model, X, background, options), final_kind(model)
        chosen = chosen if result is not None else "permutation"
    values, base, output, kept = result or _shap_values(chosen, model, X, background, options)
    return Explanation(values=values, base_values=base, data=X.copy(),
                       feature_names=[str(c) for c in X.columns], output=output, method=chosen,
                       model=model, background=kept, options=options)


def _through_pipeline(model, X: pd.DataFrame, background, options: dict):
    """The exact method through a Pipeline (values, base, output, background), or None."""
    from biomedkit.explain._pipeline import pipeline_shap

    check_nan_accepted(model, X)
    kept = _background_sample(model, X, background, options["max_background"], options["random_state"])
    found = pipeline_shap(model, final_kind(model), X, kept, options["output_index"])
    return None if found is None else (*found, kept)


def _shap_values(method: str, model, X: pd.DataFrame, background, options: dict):
    """Values, base values and output scale by ``method``, and the background rows used (or None)."""
    output_index = options["output_index"]
    if method == "xgboost":
        from biomedkit.explain._xgboost import xgboost_shap

        return (*xgboost_shap(model, X, output_index), None)
    check_nan_accepted(model, X)  # xgboost takes missing values; the others may not
    if method == "tree":
        from biomedkit.explain._shap import tree_shap

        return (*tree_shap(model, X, output_index), None)
    kept = _background_sample(model, X, background, options["max_background"], options["random_state"])
    if method == "linear":
        from biomedkit.explain._shap import linear_shap

        check_output_index(1, output_index)
        return (*linear_shap(model, X, kept), kept)
    from biomedkit.explain._shap import permutation_shap

    return (*permutation_shap(model, X, kept, output_index, n_permutations=options["n_permutations"],
                              seed=options["random_state"]), kept)


def _background_sample(model, X: pd.DataFrame, background, max_rows: int, seed: int | None) -> pd.DataFrame:
    """At most ``max_rows`` rows of ``background`` (default ``X``), checked like ``X``; a copy."""
    kept = X if background is None else as_frame(background, model, "background")
    check_nan_accepted(model, kept, "background")
    return sample_rows(kept, max_rows, seed).copy()
