"""Lesson 12 as a marimo app: the explanation explorer on a simulated cohort.

Run it with ``marimo run notebooks/apps/explanation_explorer.py`` (or ``marimo edit``).
The data are simulated (see lesson 12); the model is XGBoost, fitted on 70 % of the
patients and explained, exactly by TreeSHAP, on the other 30 %: patients the model has not
seen, as in the lesson. Pick a patient, then change values in the what-if panel.
"""

import marimo

app = marimo.App(width="full")


@app.cell
def _():
    import marimo as mo
    from sklearn.model_selection import train_test_split
    from xgboost import XGBClassifier

    import biomedkit as bk
    return XGBClassifier, bk, mo, train_test_split


@app.cell
def _(XGBClassifier, bk, train_test_split):
    data, truth = bk.simulate.cohort(n=4_000, random_state=12)
    # Explain held-out patients: on its own training rows a model looks surer than it is.
    X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=0.3,
                                                        stratify=data.y, random_state=0)
    model = XGBClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, enable_categorical=True,
                          n_jobs=1, random_state=0).fit(X_train, y_train)
    explorer = bk.widgets.ExplanationExplorer(
        bk.explain.explain(model, X_test),
        title="Simulated cohort: XGBoost explained by TreeSHAP on held-out patients")
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
    # Hooks for the browser tests (tests/browser/): Python's own numbers, kept out of view.
    mo.Html(f"<div hidden style='display:none'>"
            f"<span data-testid='bk-python-patient'>{explorer.patient['id']}</span>"
            f"<span data-testid='bk-python-risk'>{explorer.prediction:.6f}</span>"
            f"<span data-testid='bk-python-whatif'>{'' if _what is None else f'{_what:.6f}'}</span>"
            f"</div>")
    return


if __name__ == "__main__":
    app.run()
