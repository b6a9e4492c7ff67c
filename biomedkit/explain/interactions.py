"""SHAP interaction values for tree models, on a bounded sample of rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_int
from biomedkit._estimators import as_frame, check_fitted
from biomedkit.explain._inputs import check_nan_accepted, sample_rows


@dataclass(repr=False)
class Interactions:
    """SHAP interaction values: each row's output split over pairs of features.

    ``values[i, j, k]`` (j != k) is half the interaction effect of features j and k
    in row i; ``values[i, j, j]`` is feature j's main effect. Summing over the last
    axis gives the SHAP values, and ``base_values[i] + values[i].sum()`` is the
    model output (on the ``output`` scale).

    Attributes
    ----------
    values : ndarray of shape (n_rows, n_features, n_features)
    base_values : ndarray of shape (n_rows,)
    data : DataFrame
        The rows explained.
    feature_names : list of str
    output : {"log-odds", "probability", "raw"}
    """

    values: np.ndarray
    base_values: np.ndarray
    data: pd.DataFrame
    feature_names: list[str]
    output: str

    @property
    def shap_values(self) -> np.ndarray:
        """The SHAP values (rows x features): main effect plus half of each interaction."""
        return self.values.sum(axis=2)

    def pairs(self) -> pd.DataFrame:
        """Pairs of features by the mean absolute size of their interaction, largest first.

        Returns
        -------
        DataFrame
            ``feature_a``, ``feature_b``, ``mean_abs_interaction`` (mean over rows of
            |values[:, a, b] + values[:, b, a]|, the whole interaction effect).
        """
        a, b = np.triu_indices(len(self.feature_names), k=1)
        size = np.abs(self.values[:, a, b] + self.values[:, b, a]).mean(axis=0)
        names = np.asarray(self.feature_names, dtype=object)
        table = pd.DataFrame({"feature_a": names[a], "feature_b": names[b], "mean_abs_interaction": size})
        table = table.sort_values("mean_abs_interaction", ascending=False, kind="stable")
        return table.reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The values as a long table, one row per (row, feature_a, feature_b).

        Returns
        -------
        DataFrame
            ``row`` (the index label of ``data``), ``feature_a``, ``feature_b`` and
            ``shap_interaction`` (``values[i, a, b]``: half the interaction of a and b, or
            a's main effect where a == b). Summed over ``feature_b`` it gives the SHAP values.
        """
        n, p, _ = self.values.shape
        names = np.asarray(self.feature_names, dtype=object)
        return pd.DataFrame({
            "row": np.repeat(self.data.index.to_numpy(), p * p),
            "feature_a": np.tile(np.repeat(names, p), n),
            "feature_b": np.tile(names, n * p),
            "shap_interaction": self.values.ravel(),
        })

    def __repr__(self) -> str:
        n, p, _ = self.values.shape
        return f"<Interactions: {n} rows x {p} x {p} features, adding up to the {self.output} output>"


def interaction_values(model, X, *, max_rows: int = 200, output_index: int | None = None,
                       random_state: int | None = None) -> Interactions:
    """SHAP interaction values of a tree model on at most ``max_rows`` rows of ``X``.

    XGBoost through its own ``pred_interactions``; scikit-learn trees through shap's
    ``TreeExplainer.shap_interaction_values``. The cost grows with the square of the
    number of features, so a sample of rows is explained.

    Parameters
    ----------
    model : fitted XGBoost model or scikit-learn tree model (numeric columns)
    X : DataFrame or 2-d array
        Rows with the model's columns.
    max_rows : int, default=200
        Most rows explained; more are sampled without replacement.
    output_index : int, optional
        For models with several outputs (see ``explain``).
    random_state : int or None
        Seed for the row sample.

    Returns
    -------
    Interactions
        ``.values`` (rows x features x features), ``.pairs()`` ranking the pairs,
        ``.to_frame()`` the values as a long table.

    References
    ----------
    Lundberg et al. (2020), Nature Machine Intelligence 2:56-67 (SHAP interaction values).

    Examples
    --------
    >>> inter = bk.explain.interaction_values(model, X_test, max_rows=200, random_state=0)  # doctest: +SKIP
    >>> inter.pairs().head()                                                              # doctest: +SKIP
    """
    from biomedkit.explain._explain import choose_method
    from biomedkit.explain._shap import SHAP_TREES

    check_fitted(model)
    X = as_frame(X, model)
    X = sample_rows(X, check_int(max_rows, "max_rows", 1), random_state)
    method = choose_method(model, X)
    if method == "xgboost":
        from biomedkit.explain._xgboost import xgboost_interactions

        values, base, output = xgboost_interactions(model, X, output_index)
    elif method == "tree":
        from biomedkit.explain._shap import tree_shap

        check_nan_accepted(model, X)
        values, base, output = tree_shap(model, X, output_index, interactions=True)
    elif type(model).__name__ in SHAP_TREES and not all(d.kind in "biuf" for d in X.dtypes):
        # A tree model met text columns: the tree path needs numbers, so the fault is in X.
        text = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])][:5]
        raise TypeError(f"X has columns that are not numeric ({text}); interaction values of a "
                        "scikit-learn tree ensemble need numeric columns: convert them first")
    else:
        raise TypeError(f"interaction values need a tree model (XGBoost, or a scikit-learn tree "
                        f"ensemble on numeric columns); got {type(model).__name__}")
    return Interactions(values=values, base_values=base, data=X.copy(),
                        feature_names=[str(c) for c in X.columns], output=output)
