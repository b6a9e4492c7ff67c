"""Lesson 13 as a marimo app: the fairness explorer on the simulated biased cohort.

Run it with ``marimo run notebooks/apps/fairness_explorer.py`` (or ``marimo edit``).
The data are simulated (see lesson 13): group B's sensor reads high and half of its events
are not recorded; the model is judged here on the true events.
"""

import marimo

app = marimo.App(width="full")


@app.cell
def _():
    import json

    import marimo as mo
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import biomedkit as bk
    return LogisticRegression, StandardScaler, bk, json, make_pipeline, mo, np, train_test_split


@app.cell
def _(LogisticRegression, StandardScaler, bk, make_pipeline, np, train_test_split):
    data, truth = bk.simulate.cohort(n=16_000, group_share=0.35, measurement_bias=5.0,
                                     label_bias=0.5, random_state=13)
    frame = data.frame
    features = ["age", "female", "smoker", "sbp", "total_chol", "hdl", "bmi", "diabetes",
                "egfr", "crp", "spo2"]
    train, test = train_test_split(np.arange(len(frame)), test_size=0.3,
                                   stratify=frame["event"], random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky"))
    model.fit(frame[features].iloc[train], frame["event"].iloc[train])
    risk = model.predict_proba(frame[features].iloc[test])[:, 1]
    explorer = bk.widgets.FairnessExplorer(
        truth.true_event[test], risk, frame["group"].astype(str).to_numpy()[test], threshold=0.2,
        title="Simulated cohort: a model trained on biased labels, judged on true events")
    return (explorer,)


@app.cell
def _(explorer, mo):
    widget = mo.ui.anywidget(explorer)
    mo.vstack([
        mo.md("## Fairness explorer\nMove the threshold, or tick *thresholds per group*. "
              "The table under the widget is recomputed in Python from the thresholds "
              "the widget sends back."),
        widget,
    ])
    return (widget,)


@app.cell
def _(explorer, json, mo, widget):
    widget.value  # re-run this cell whenever the widget's state changes
    table = explorer.to_frame()
    mo.vstack([
        mo.md("### Python's view of the same thresholds"),
        table[["threshold", "selection_rate", "tpr", "fpr", "ppv", "accuracy"]].round(3),
        # a hook for the browser tests (tests/browser/), kept out of view
        mo.Html(f"<pre data-testid='bk-python-table' hidden style='display:none'>"
                f"{json.dumps(json.loads(table.to_json(orient='index')))}</pre>"),
    ])
    return


if __name__ == "__main__":
    app.run()
