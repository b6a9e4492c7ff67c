"""The result of an explanation: SHAP values with the rows they explain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from biomedkit._deprecation import keyword_only_after, warn_deprecated

METHODS = {
    "xgboost": "exact TreeSHAP (xgboost pred_contribs)",
    "tree": "path-dependent TreeSHAP (shap TreeExplainer)",
    "linear": "linear SHAP (shap LinearExplainer)",
    "permutation": "permutation SHAP (shap PermutationExplainer)",
}


@dataclass(repr=False)
class Explanation:
    """SHAP values of a model for some rows, which add up to the model's output.

    For every row ``base_values[i] + values[i].sum() == prediction[i]``, the model
    output on the scale named by ``output``.

    Attributes
    ----------
    values : ndarray of shape (n_rows, n_features)
        Each feature's contribution to each row's output.
    base_values : ndarray of shape (n_rows,)
        The output expected before anything about the row is known (the same for
        every row, except for the permutation method's background-specific value).
    data : DataFrame
        The rows explained, with the model's columns in the model's order.
    feature_names : list of str
        Column names of ``data`` (and of ``values``).
    output : {"log-odds", "probability", "raw"}
        The scale on which the values add up: log-odds for XGBoost, gradient
        boosting and logistic regression classifiers; probability for forests and for
        the model-agnostic method; "raw" for regression (the target's units) and for
        other margins (for example a multiclass softmax margin).
    method : {"xgboost", "tree", "linear", "permutation"}
        Which algorithm computed the values (see ``explain``).
    model : estimator
        The explained model, kept for ``what_if``.
    background : DataFrame or None
        The background rows used (linear and permutation methods), kept for ``what_if``.
    options : dict
        The other settings ``explain`` was called with, reused by ``what_if``.
    """

    values: np.ndarray
    base_values: np.ndarray
    data: pd.DataFrame
    feature_names: list[str]
    output: str
    method: str
    model: Any = field(default=None, repr=False)
    background: pd.DataFrame | None = field(default=None, repr=False)
    options: dict = field(default_factory=dict, repr=False)

    @property
    def prediction(self) -> np.ndarray:
        """The model output for each row, on the ``output`` scale (``"log-odds"``,
        ``"probability"`` or ``"raw"``): base value plus the values. For the risk as a
        probability, whatever the scale, use :attr:`risk`."""
        return self.base_values + self.values.sum(axis=1)

    @property
    def risk(self) -> np.ndarray:
        """The predicted probability of the event for each row (the number an explorer or a
        clinician reads): ``prediction`` itself on the probability scale, its inverse logit
        on the log-odds scale. A regressor's output (``"raw"``) is no risk: ValueError."""
        if self.output == "probability":
            return self.prediction
        if self.output == "log-odds":
            from scipy.special import expit

            return expit(self.prediction)
        raise ValueError(f"this Explanation's output is on the {self.output!r} scale (a regression), "
                         "which has no risk; read .prediction instead")

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, rows) -> Explanation:
        """A subset of rows (position, slice, boolean mask or positions), still two-dimensional."""
        index = np.arange(len(self))[rows]
        index = np.atleast_1d(index)
        return Explanation(self.values[index], self.base_values[index], self.data.iloc[index],
                           self.feature_names, self.output, self.method, self.model,
                           self.background, self.options)

    def importance(self) -> pd.DataFrame:
        """Global importance: mean |SHAP| per feature, largest first.

        Returns
        -------
        DataFrame
            Columns ``feature``, ``mean_abs_shap``, ``share`` (of the total) and
            ``mean_shap`` (signed: the mean push up or down), one row per feature.
        """
        mean_abs = np.abs(self.values).mean(axis=0)
        table = pd.DataFrame({"feature": self.feature_names, "mean_abs_shap": mean_abs,
                              "share": mean_abs / mean_abs.sum() if mean_abs.sum() > 0 else 0.0,
                              "mean_shap": self.values.mean(axis=0)})
        return table.sort_values("mean_abs_shap", ascending=False, kind="stable").reset_index(drop=True)

    @keyword_only_after(1)
    def to_frame(self, *, kind: str = "long") -> pd.DataFrame:
        """The values as a table.

        Parameters
        ----------
        kind : {"long", "wide"}
            "long": one row per (row, feature) with columns ``row`` (the index label of
            ``data``), ``feature``, ``value`` (the feature's value) and ``shap``.
            "wide": the SHAP values with ``data``'s index and the features as columns.
        """
        wide = pd.DataFrame(self.values, index=self.data.index, columns=self.feature_names)
        if kind == "wide":
            return wide
        if kind != "long":
            raise ValueError(f"kind must be 'long' or 'wide'; got {kind!r}")
        n, p = self.values.shape
        return pd.DataFrame({
            "row": np.repeat(self.data.index.to_numpy(), p),
            "feature": np.tile(np.asarray(self.feature_names, dtype=object), n),
            "value": self.data.astype(object).to_numpy().ravel(),
            "shap": self.values.ravel(),
        })

    def what_if(self, row=0, **changes) -> Explanation:
        """What if: explain one patient again, with some values changed.

        Parameters
        ----------
        row : int, Series, dict or one-row DataFrame, default=0
            A position in ``data``, or a patient's values.
        **changes
            Feature values to set, e.g. ``smoker=0, sbp=120``.

        Returns
        -------
        Explanation
            One row; its ``prediction[0]`` is the model's new output on the ``output``
            scale (log-odds for XGBoost and linear classifiers), its ``risk[0]`` the new
            probability of the event; explained by the same method and background.

        Examples
        --------
        >>> expl = bk.explain.explain(model, X_test)                     # doctest: +SKIP
        >>> expl.what_if(0, smoker=0).risk                               # doctest: +SKIP
        """
        from biomedkit.explain._explain import explain

        if self.model is None:
            raise ValueError("this Explanation keeps no model; build it with bk.explain.explain")
        frame = self._row_frame(row)
        unknown = [k for k in changes if k not in self.feature_names]
        if unknown:
            raise ValueError(f"what_if got unknown features {unknown}; choose among "
                             f"{self.feature_names[:10]}{' ...' if len(self.feature_names) > 10 else ''}")
        for name, value in changes.items():
            frame[name] = [value]
        return explain(self.model, self._coerce(frame), self.background, **self.options)

    def predict_row(self, row=0, **changes) -> Explanation:
        """Deprecated name of :meth:`what_if` (the same operation), kept until biomedkit 0.3."""
        warn_deprecated("Explanation.predict_row", "Explanation.what_if")
        return self.what_if(row, **changes)

    def _row_frame(self, row) -> pd.DataFrame:
        if isinstance(row, (int, np.integer)) and not isinstance(row, bool):
            if not -len(self) <= row < len(self):
                raise ValueError(f"row must be a position in [0, {len(self) - 1}]; got {row}")
            return self.data.iloc[[row]].copy()
        if isinstance(row, pd.Series):
            frame = row.to_frame().T
        elif isinstance(row, dict):
            frame = pd.DataFrame([row])
        elif isinstance(row, pd.DataFrame) and len(row) == 1:
            frame = row.copy()
        else:
            raise TypeError("row must be a position, a Series, a dict or a one-row DataFrame; "
                            f"got {type(row).__name__}")
        missing = [c for c in self.feature_names if c not in frame.columns]
        if missing:
            raise ValueError(f"row lacks the features {missing[:10]}")
        return frame[self.feature_names]

    def _coerce(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Give a row the dtypes of ``data`` (categories included), refusing unknown categories."""
        out = {}
        for name in self.feature_names:
            dtype, value = self.data[name].dtype, frame[name].iloc[0]
            if isinstance(dtype, pd.CategoricalDtype):
                if not pd.isna(value) and value not in dtype.categories:
                    raise ValueError(f"{name}={value!r} is not one of its categories "
                                     f"{list(dtype.categories)}")
                out[name] = pd.Categorical([value], dtype=dtype)
            elif pd.isna(value):
                out[name] = [np.nan]  # missing: a float column even where data's is integer
            else:
                try:
                    out[name] = pd.Series([value]).astype(dtype).to_numpy()
                except (TypeError, ValueError) as error:
                    raise ValueError(f"{name}={value!r} cannot be stored as {dtype}") from error
        return pd.DataFrame(out, index=frame.index, columns=self.feature_names)

    def __repr__(self) -> str:
        n, p = self.values.shape
        return (f"<Explanation: {n} rows x {p} features, values add up to the {self.output} "
                f"output; {METHODS.get(self.method, self.method)}>")
