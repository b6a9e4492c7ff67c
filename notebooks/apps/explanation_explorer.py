"""Lesson 12 as a marimo app: the explanation explorer on a simulated cohort.

Run it with ``marimo run notebooks/apps/explanation_explorer.py`` (or ``marimo edit``).
The data are simulated (see lesson 12); the model is XGBoost, explained exactly by
TreeSHAP. Pick a patient, then change values in the what-if panel.
"""

import marimo

app = marimo.App(width="full")


@app.cell
def _():
    import marimo as mo
    from xgboost import XGBClassifier

    import biomedkit as bk
    return XGBClassifier, bk, mo


@app.cell
def _(XGBClassifier, bk):
    data, truth = bk.simulate.cohort(n=4_000, random_state=12)
    model = XGBClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, enable_categorical=True,
                          n_jobs=1, random_state=0).fit(data.X, data.y)
    explorer = bk.widgets.ExplanationExplorer(
        bk.explain.explain(model, data.X), title="Simulated cohort: XGBoost explained by TreeSHAP")
    return (explorer,)


@app.cell
def _(explorer, mo):
    widget = mo.ui.anywidget(explorer)
    widget
    return (widget,)


@app.cell
def _(explorer, mo, widget):
    widget.value  # re-run whenever the widget's state changes
    _what = explorer.whatif_result.get("risk")
    mo.md(f"Python: patient <span data-testid='bk-python-patient'>{explorer.patient['id']}</span>, "
          f"risk <span data-testid='bk-python-risk'>{explorer.prediction:.6f}</span>; what-if risk "
          f"<span data-testid='bk-python-whatif'>{'' if _what is None else f'{_what:.6f}'}</span>")
    return


if __name__ == "__main__":
    app.run()
