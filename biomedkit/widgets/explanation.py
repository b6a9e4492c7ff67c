"""The explanation explorer: global importance, a patient's explanation, what if."""

from __future__ import annotations

import numpy as np
import pandas as pd
import traitlets
from scipy.special import expit

from biomedkit.widgets._base import Explorer, esm, f32
from biomedkit._checks import check_random_state


def _risk(prediction: np.ndarray, output: str) -> np.ndarray:
    """The model output as the learner reads it: a probability for classifiers."""
    return expit(prediction) if output == "log-odds" else prediction


def _colour_scale(column: pd.Series) -> np.ndarray:
    """0 (low) to 1 (high) by rank within the column; NaN where missing."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(float)
        codes[codes < 0] = np.nan
        n = max(len(column.cat.categories) - 1, 1)
        return codes / n
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    ranks = pd.Series(values).rank(pct=True).to_numpy()
    return ranks


class ExplanationExplorer(Explorer):
    """Global importance, a summary of every feature's effect, one patient's explanation,
    a dependence plot, and what-if changes for the chosen patient.

    Feature choices, colouring and the summary plots redraw in the browser from a
    subsample sent once. Picking a patient asks Python for that patient's row and
    explanation only; a what-if change asks Python to run the model again (the model
    never leaves the kernel). The picker lists each patient's id and predicted risk.

    For large tables or slow explanations, :meth:`from_model` explains only the
    subsample and, on demand, the chosen patient (ready in about a second for 10,000
    patients whatever the model).

    Parameters
    ----------
    explanation : Explanation
        From :func:`biomedkit.explain.explain`, with its model (for what-if).
    max_points : int, default=800
        Rows in the subsample behind the summary and dependence plots.
    patient : int, default=0
        Position (in ``explanation.data``) of the patient shown first.
    title : str, optional
    random_state : int, default=0
        Seed of the subsample.

    Examples
    --------
    >>> expl = bk.explain.explain(model, X_test)                         # doctest: +SKIP
    >>> explorer = bk.widgets.ExplanationExplorer(expl)                  # doctest: +SKIP
    >>> explorer.patient_table()   # the chosen patient's values and SHAP values
    """

    _esm = esm("explanation")
    summary = traitlets.Dict().tag(sync=True)
    patients = traitlets.Dict().tag(sync=True)
    selected = traitlets.Int(0).tag(sync=True)
    patient = traitlets.Dict().tag(sync=True)
    whatif = traitlets.Dict().tag(sync=True)
    whatif_result = traitlets.Dict().tag(sync=True)

    def __init__(self, explanation, *, max_points: int = 800, patient: int = 0,
                 title: str | None = None, random_state: int = 0):
        from biomedkit.explain import Explanation

        if not isinstance(explanation, Explanation):
            raise TypeError("explanation must come from bk.explain.explain(model, X); "
                            f"got {type(explanation).__name__}")
        if not isinstance(max_points, (int, np.integer)) or max_points < 10:
            raise ValueError(f"max_points must be an integer >= 10; got {max_points!r}")
        n = len(explanation)
        if not isinstance(patient, (int, np.integer)) or not 0 <= patient < n:
            raise ValueError(f"patient must be a position in [0, {n - 1}]; got {patient!r}")
        self.explanation = explanation
        self._setup(explanation.data, _risk(explanation.prediction, explanation.output), max_points,
                    patient, title, random_state)

    @classmethod
    def from_model(cls, model, X, background=None, *, max_points: int = 800, patient: int = 0,
                   title: str | None = None, random_state: int = 0, **explain_options):
        """An explorer that explains only a subsample of ``X`` for the summary plots and,
        when picked, one patient at a time (the patient list uses the model's risks)."""
        from biomedkit.explain import explain
        from biomedkit.explain._inputs import as_frame, check_fitted

        check_fitted(model)
        X = as_frame(X, model)
        if not isinstance(max_points, (int, np.integer)) or max_points < 10:
            raise ValueError(f"max_points must be an integer >= 10; got {max_points!r}")
        if not isinstance(patient, (int, np.integer)) or not 0 <= patient < len(X):
            raise ValueError(f"patient must be a position in [0, {len(X) - 1}]; got {patient!r}")
        self = cls.__new__(cls)
        self._model, self._background, self._options = model, background, explain_options
        rows = cls._sample(len(X), max_points, random_state)
        self.explanation = explain(model, X.iloc[rows], background, **explain_options)
        self._rows = rows
        risk = (model.predict_proba(X)[:, 1] if hasattr(model, "predict_proba")
                else np.asarray(model.predict(X), dtype=float))
        self._setup(X, risk, max_points, patient, title, random_state)
        return self

    @staticmethod
    def _sample(n: int, max_points: int, random_state) -> np.ndarray:
        rng = check_random_state(random_state)
        return np.sort(rng.choice(n, min(n, max_points), replace=False))

    def _setup(self, data, risk, max_points, patient, title, random_state) -> None:
        self.data = data
        self.title = title or "Explanation explorer"
        order = np.argsort(-np.asarray(risk, dtype=float), kind="stable")
        label = "risk" if self.explanation.output != "raw" else "prediction"
        super().__init__(
            summary=self._summary(self.explanation, max_points, random_state),
            patients={"ids": "\n".join(map(str, data.index[order])), "positions": f32(order),
                      "risk": f32(np.asarray(risk)[order]), "label": label},
            selected=int(patient), patient=self._patient(int(patient)))

    def _one(self, position: int):
        """The explanation of the patient at ``position`` of ``data``."""
        if not hasattr(self, "_model"):
            return self.explanation[position]
        from biomedkit.explain import explain

        return explain(self._model, self.data.iloc[[position]], self._background, **self._options)

    def _summary(self, expl, max_points, random_state) -> dict:
        n = len(expl)
        rows = (np.arange(n) if hasattr(self, "_model") else self._sample(n, max_points, random_state))
        importance = expl.importance()
        features = []
        for name in importance.feature:
            j = expl.feature_names.index(name)
            column = expl.data[name]
            categorical = isinstance(column.dtype, pd.CategoricalDtype)
            shown = (column.cat.codes.to_numpy()[rows].astype(float) if categorical
                     else pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)[rows])
            features.append({
                "name": name, "shap": f32(expl.values[rows, j]), "value": f32(shown),
                "colour": f32(_colour_scale(column)[rows]),
                "categories": [str(c) for c in column.cat.categories] if categorical else None,
            })
        return {
            "title": self.title, "output": expl.output, "method": expl.method,
            "base": float(np.mean(expl.base_values)), "n_rows": len(self.data), "n_points": len(rows),
            "importance": importance.mean_abs_shap.round(6).tolist(), "features": features,
        }

    def _patient(self, position: int) -> dict:
        one = self._one(position)
        row = one.data.iloc[0]
        inputs = []
        for name in one.feature_names:
            dtype = one.data[name].dtype
            value = row[name]
            kind = "category" if isinstance(dtype, pd.CategoricalDtype) else (
                "integer" if dtype.kind in "biu" else "number")
            inputs.append({"name": name, "kind": kind,
                           "value": None if pd.isna(value) else (str(value) if kind == "category" else float(value)),
                           "options": [str(c) for c in dtype.categories] if kind == "category" else None})
        return self._explained(position, one, extra={"id": str(self.data.index[position]),
                                                     "inputs": inputs})

    def _explained(self, position: int, one, extra: dict | None = None) -> dict:
        prediction = float(one.prediction[0])
        return {"position": position, "shap": f32(one.values[0]), "base": float(one.base_values[0]),
                "prediction": prediction, "risk": float(_risk(np.array([prediction]), one.output)[0]),
                **(extra or {})}

    @traitlets.observe("selected")
    def _on_selected(self, change) -> None:
        position = int(change["new"])
        if 0 <= position < len(self.data):
            self.patient = self._patient(position)
            self.whatif_result = {}

    @traitlets.observe("whatif")
    def _on_whatif(self, change) -> None:
        request = change["new"] or {}
        if "changes" not in request:
            return
        position = int(request.get("position", self.selected))
        try:
            one = self.what_if(position, **request["changes"])
            self.whatif_result = {**self._explained(position, one), "request": request.get("request")}
        except (ValueError, TypeError) as error:  # shown in the widget, not lost in a log
            self.whatif_result = {"error": str(error), "request": request.get("request")}

    # -- Python side -----------------------------------------------------------
    def what_if(self, position: int | None = None, **changes):
        """The chosen patient (or another position) explained again with ``changes``."""
        position = self.selected if position is None else position
        expl = self._one(position)
        typed = {}
        for name, value in changes.items():
            if name not in expl.feature_names:
                raise ValueError(f"unknown feature {name!r}")
            dtype = expl.data[name].dtype
            if isinstance(dtype, pd.CategoricalDtype):
                match = [c for c in dtype.categories if str(c) == str(value)]
                typed[name] = match[0] if match else value
            else:
                typed[name] = float(value) if value is not None else np.nan
        return expl.predict_row(0, **typed)

    def patient_table(self) -> pd.DataFrame:
        """The chosen patient's values and SHAP values, largest effect first."""
        expl = self._one(self.selected)
        table = pd.DataFrame({"value": expl.data.iloc[0].astype(object), "shap": expl.values[0]},
                             index=pd.Index(expl.feature_names, name="feature"))
        return table.reindex(table.shap.abs().sort_values(ascending=False).index)

    @property
    def prediction(self) -> float:
        """The chosen patient's predicted risk (probability), or the prediction for regression."""
        return float(self.patient["risk"])

    def figure(self):
        """A static rendering: importance, summary, the chosen patient's waterfall and the
        dependence plot of the most important feature."""
        import matplotlib.pyplot as plt

        from biomedkit.explain import plot_dependence, plot_importance, plot_summary, plot_waterfall

        expl = self.explanation
        fig, axes = plt.subplots(2, 2, figsize=(12, 9), constrained_layout=True)
        plot_importance(expl.importance(), ax=axes[0, 0])
        plot_summary(expl, max_points=self.summary["n_points"], ax=axes[0, 1])
        plot_waterfall(self._one(self.selected), row=0, ax=axes[1, 0])
        plot_dependence(expl, expl.importance().feature[0], ax=axes[1, 1])
        fig.suptitle(self.title)
        return fig
