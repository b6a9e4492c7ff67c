"""The explanation explorer: global importance, a patient's explanation, what if."""

from __future__ import annotations

import numpy as np
import pandas as pd
import traitlets
from scipy.special import expit

from biomedkit._checks import check_int, check_random_state
from biomedkit.widgets._base import Explorer, css, esm, f32


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


def _displayed(column: pd.Series) -> pd.Series:
    """A text column shown as a categorical one (its values as the categories), so the
    picker and the plots treat it as the model's encoder does, never as a number."""
    if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
        return column.astype(object).astype("category")
    return column


def _sample(n: int, max_points: int, random_state) -> np.ndarray:
    """The sorted positions of the subsample behind the summary plots."""
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n, min(n, max_points), replace=False))


class _Explained:
    """Where an explorer's explanations come from: an Explanation of every row."""

    def __init__(self, explanation):
        self.explanation, self.data = explanation, explanation.data

    def risks(self) -> np.ndarray:
        return _risk(self.explanation.prediction, self.explanation.output)

    def candidates(self) -> np.ndarray:
        """The positions the summary subsample may draw from: every row."""
        return np.arange(len(self.data))

    def summary(self, rows: np.ndarray):
        """The explanation behind the summary plots, and its rows that they show."""
        return self.explanation, rows

    def one(self, position: int):
        return self.explanation[position]


class _OnDemand:
    """Where the explanations of :meth:`ExplanationExplorer.from_model` come from: the
    model explains the subsample once, and each patient when picked.

    ``held_out`` (positions in ``X``, or None) is the background taken from ``X`` itself
    when none was given: those rows are left out of the summary subsample, and a patient
    among them is explained against the others, so that no row is compared with itself.
    """

    def __init__(self, model, X: pd.DataFrame, background, options: dict, held_out=None):
        self.model, self.data, self.background, self.options = model, X, background, options
        self.held_out = held_out

    def risks(self) -> np.ndarray:
        if hasattr(self.model, "predict_proba"):
            return self.model.predict_proba(self.data)[:, 1]
        return np.asarray(self.model.predict(self.data), dtype=float)

    def candidates(self) -> np.ndarray:
        everyone = np.arange(len(self.data))
        return everyone if self.held_out is None else np.setdiff1d(everyone, self.held_out)

    def summary(self, rows: np.ndarray):
        return self._explain(rows), np.arange(len(rows))

    def one(self, position: int):
        return self._explain(np.array([position]))

    def _explain(self, positions: np.ndarray):
        from biomedkit.explain import explain

        background = self.background if self.held_out is None else \
            self.data.iloc[np.setdiff1d(self.held_out, positions)]
        return explain(self.model, self.data.iloc[positions], background, **self.options)


def _held_out(n: int, max_background, seed: int | None) -> np.ndarray:
    """The positions of the background drawn from the table itself: at most
    ``max_background`` rows and at most half of them, so that the rest fill the summary."""
    size = min(check_int(max_background, "max_background", 1), n // 2)
    if size == 0:
        raise ValueError("background: X has one row, and no other row can be its background; "
                         "pass background= (rows standing for a typical patient, e.g. the training rows)")
    return np.sort(check_random_state(seed).choice(n, size, replace=False))


def _typed(one, changes: dict) -> dict:
    """What-if values as the browser sends them (JSON: text for categories, numbers or
    null), given the types of the explained data; unknown names pass unchanged, for the
    explanation to refuse."""
    typed = {}
    for name, value in changes.items():
        dtype = one.data[name].dtype if name in one.feature_names else None
        if isinstance(dtype, pd.CategoricalDtype):
            match = [c for c in dtype.categories if str(c) == str(value)]
            typed[name] = match[0] if match else value
        elif dtype is not None:
            typed[name] = float(value) if value is not None else np.nan
        else:
            typed[name] = value
    return typed


def _check_options(max_points, patient, n: int) -> None:
    check_int(max_points, "max_points", 10)
    if not isinstance(patient, (int, np.integer)) or not 0 <= patient < n:
        raise ValueError(f"patient must be a position in [0, {n - 1}]; got {patient!r}")


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
        (:meth:`from_model` calls this constructor with a source that explains on
        demand instead.)
    max_points : int, default=800
        Rows in the subsample behind the summary and dependence plots.
    patient : int, default=0
        Position (in ``explanation.data``) of the patient shown first.
    title : str, optional
    random_state : int, default=0
        Seed of the subsample (in :meth:`from_model`, also of the background and of the
        explainer's permutations).

    Examples
    --------
    >>> expl = bk.explain.explain(model, X_test)                         # doctest: +SKIP
    >>> explorer = bk.widgets.ExplanationExplorer(expl)                  # doctest: +SKIP
    >>> explorer.patient_table()   # the chosen patient's values and SHAP values
    """

    _esm = esm("explanation")
    _css = css("explanation")
    summary = traitlets.Dict().tag(sync=True)
    # The subsample's arrays, float32 buffers each in a trait of its own: features (in
    # summary["features"] order) x sampled patients.
    summary_shap = traitlets.Bytes().tag(sync=True)
    summary_value = traitlets.Bytes().tag(sync=True)
    summary_colour = traitlets.Bytes().tag(sync=True)
    patients = traitlets.Dict().tag(sync=True)
    # The patient picker, highest risk first: positions in data, and risks (float32).
    patients_position = traitlets.Bytes().tag(sync=True)
    patients_risk = traitlets.Bytes().tag(sync=True)
    selected = traitlets.Int(0).tag(sync=True)
    # One patient's explanation and a what-if answer arrive whole, each in one message:
    # their few SHAP values are JSON numbers inside, not a buffer in a trait of its own
    # that could arrive apart from the rest.
    patient = traitlets.Dict().tag(sync=True)
    whatif = traitlets.Dict().tag(sync=True)
    whatif_result = traitlets.Dict().tag(sync=True)

    def __init__(self, explanation, *, max_points: int = 800, patient: int = 0,
                 title: str | None = None, random_state: int = 0):
        from biomedkit.explain import Explanation

        if isinstance(explanation, _OnDemand):
            source = explanation
        elif isinstance(explanation, Explanation):
            source = _Explained(explanation)
        else:
            raise TypeError("explanation must come from bk.explain.explain(model, X); "
                            f"got {type(explanation).__name__}")
        _check_options(max_points, patient, len(source.data))
        self._source, self.data = source, source.data
        self.title = title or "Explanation explorer"
        candidates = source.candidates()
        self.explanation, shown = source.summary(
            candidates[_sample(len(candidates), max_points, random_state)])
        risk = np.asarray(source.risks(), dtype=float)
        order = np.argsort(-risk, kind="stable")
        super().__init__(
            **self._summary(self.explanation, shown),
            # A list, not one newline-joined string: an id may itself hold a newline.
            patients={"ids": [str(i) for i in self.data.index[order]],
                      "label": "risk" if self.explanation.output != "raw" else "prediction"},
            patients_position=f32(order), patients_risk=f32(risk[order]),
            selected=int(patient), patient=self._patient(int(patient)))

    @classmethod
    def from_model(cls, model, X, background=None, *, max_points: int = 800, patient: int = 0,
                   title: str | None = None, random_state: int | np.random.Generator | None = 0,
                   **explain_options):
        """An explorer that explains only a subsample of ``X`` for the summary plots and,
        when picked, one patient at a time (the patient list uses the model's risks).

        Built through the constructor, given a source that explains on demand.

        Parameters
        ----------
        model : fitted estimator
        X : DataFrame or 2-d array
            The patients listed in the picker; the summary plots show a subsample of them.
        background : DataFrame, optional
            Rows standing for "a typical patient", best the training rows, that the
            linear and permutation methods compare each patient with (see
            :func:`biomedkit.explain.explain`). When None, and the model's method needs
            one, a background of at most ``max_background`` rows (100 by default) and at
            most half of ``X`` is drawn from ``X`` and kept apart: those rows are left out
            of the summary subsample, and a patient among them is explained against the
            other background rows, so no patient is ever compared with itself. The summary
            then shows at most ``len(X)`` minus that many rows. Tree models (xgboost,
            scikit-learn trees) need no background and ignore it.
        max_points, patient, title
            As for the constructor.
        random_state : int, Generator or None, default=0
            Seed of every random choice: the background drawn from ``X``, the background
            subsample and the permutations of :func:`~biomedkit.explain.explain`, and the
            summary subsample. The same int gives the same values on every call (a
            Generator gives one seed, drawn once, so that a patient picked again is
            explained the same way); None gives different values each time.
        **explain_options
            Passed to :func:`~biomedkit.explain.explain` (``max_background``,
            ``n_permutations``, ``output_index``, ``method``).

        Examples
        --------
        >>> explorer = bk.widgets.ExplanationExplorer.from_model(
        ...     model, X_test, X_train, random_state=0)                     # doctest: +SKIP
        """
        from biomedkit._checks import int_seed
        from biomedkit._estimators import as_frame, check_fitted
        from biomedkit.explain import uses_background

        check_fitted(model)
        X = as_frame(X, model)
        _check_options(max_points, patient, len(X))
        seed = int_seed(random_state)  # one int for every explanation, drawn once from a Generator
        held_out = None
        if background is None and uses_background(model, X, method=explain_options.get("method", "auto")):
            held_out = _held_out(len(X), explain_options.get("max_background", 100), seed)
        source = _OnDemand(model, X, background, {**explain_options, "random_state": seed}, held_out)
        return cls(source, max_points=max_points, patient=patient, title=title, random_state=seed)

    def _summary(self, expl, rows: np.ndarray) -> dict:
        """The summary traits: ``rows`` of ``expl``, features by importance."""
        importance = expl.importance()
        features, shap, value, colour = [], [], [], []
        for name in importance.feature:
            j = expl.feature_names.index(name)
            column = _displayed(expl.data[name])
            categorical = isinstance(column.dtype, pd.CategoricalDtype)
            shown = (column.cat.codes.to_numpy()[rows].astype(float) if categorical
                     else pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)[rows])
            features.append({"name": name,
                             "categories": [str(c) for c in column.cat.categories] if categorical else None})
            shap.append(expl.values[rows, j])
            value.append(shown)
            colour.append(_colour_scale(column)[rows])
        return {
            "summary": {
                "title": self.title, "output": expl.output, "method": expl.method,
                "base": float(np.mean(expl.base_values)), "n_rows": len(self.data), "n_points": len(rows),
                "importance": importance.mean_abs_shap.round(6).tolist(), "features": features,
            },
            "summary_shap": f32(shap), "summary_value": f32(value), "summary_colour": f32(colour),
        }

    def _patient(self, position: int) -> dict:
        one = self._source.one(position)
        row = one.data.iloc[0]
        inputs = []
        for name in one.feature_names:
            dtype = _displayed(self.data[name]).dtype if name in self.data else one.data[name].dtype
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
        return {"position": position, "shap": one.values[0].astype(float).tolist(),
                "base": float(one.base_values[0]),
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
        """The chosen patient (or another position) explained again with ``changes``.

        The same operation as :meth:`Explanation.what_if` on that patient; values may also
        be given as the browser sends them (text for a category, None for missing).
        """
        position = self.selected if position is None else position
        if not isinstance(position, (int, np.integer)) or isinstance(position, bool) or not (
                0 <= position < len(self.data)):
            raise ValueError(f"position must be a patient's position in [0, {len(self.data) - 1}]; "
                             f"got {position!r}")
        one = self._source.one(position)
        return one.what_if(0, **_typed(one, changes))

    def patient_table(self) -> pd.DataFrame:
        """The chosen patient's values and SHAP values, largest effect first."""
        expl = self._source.one(self.selected)
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
        plot_waterfall(self._source.one(self.selected), row=0, ax=axes[1, 0])
        plot_dependence(expl, expl.importance().feature[0], ax=axes[1, 1])
        fig.suptitle(self.title)
        return fig
