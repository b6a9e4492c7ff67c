"""The explorers' Python side: what reaches the browser, what Python reads back."""

import base64
import json

import numpy as np
import pandas as pd
import pytest

import biomedkit as bk

pytest.importorskip("anywidget")


@pytest.fixture(scope="module")
def explorer():
    rng = np.random.default_rng(0)
    g = rng.choice(["A", "B", "C"], 3000, p=[0.5, 0.3, 0.2])
    y = (rng.random(3000) < 0.25).astype(int)
    s = np.clip(rng.normal(0.3 + 0.3 * y, 0.15), 0, 1)
    return bk.widgets.FairnessExplorer(y, s, g, threshold=0.31), (y, s, g)


def test_the_browser_gets_counts_equal_to_group_curves(explorer):
    ex, (y, s, g) = explorer
    tp = np.frombuffer(ex.data["tp"], dtype="<f4").reshape(3, -1)
    fp = np.frombuffer(ex.data["fp"], dtype="<f4").reshape(3, -1)
    grid = np.frombuffer(ex.data["thresholds"], dtype="<f4")
    assert len(grid) == 201 and grid[0] == 0 and grid[-1] == 1
    for k in (0, 37, 100, 200):
        for i, grp in enumerate(["A", "B", "C"]):
            flagged = (g == grp) & (s >= ex.grid[k])
            assert tp[i, k] == (flagged & (y == 1)).sum() and fp[i, k] == (flagged & (y == 0)).sum()


def test_only_aggregates_reach_the_browser(explorer):
    ex, (y, s, g) = explorer
    from ipywidgets.widgets.widget import _remove_buffers

    state, _, buffers = _remove_buffers(ex.get_state())
    size = len(json.dumps(state)) + sum(len(b) for b in buffers)
    assert size < 60_000  # independent of the number of patients
    assert max(len(b) for b in buffers) <= 4 * 201 * 3  # float32: groups x grid thresholds


def test_python_reads_back_the_thresholds(explorer):
    ex, (y, s, g) = explorer
    assert ex.thresholds == {"A": 0.31, "B": 0.31, "C": 0.31}
    ex.set_thresholds({"A": 0.2, "B": 0.4, "C": 0.5})
    assert ex.per_group and ex.threshold_index == [40, 80, 100]
    table = ex.table()
    assert table.loc["B", "selection_rate"] == ((s >= 0.4) & (g == "B")).sum() / (g == "B").sum()
    assert ex.differences().attrs["reference"] == "A"
    ex.set_thresholds(0.31)
    assert not ex.per_group


def test_display_bundle_carries_a_static_picture(explorer):
    ex, _ = explorer
    bundle = ex._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_javascript_ships_in_the_package():
    from biomedkit.widgets._base import STATIC

    text = (STATIC / "fairness.js").read_text()
    assert "export default" in text and "import " not in text.split("export default")[0].split("\n")[0]
    assert "http://" not in text and "https://" not in text  # nothing loaded from the network


@pytest.mark.parametrize("kwargs, match", [({"n_thresholds": 5}, "n_thresholds"),
                                           ({"threshold": np.nan}, "finite")])
def test_bad_arguments(explorer, kwargs, match):
    _, (y, s, g) = explorer
    with pytest.raises(ValueError, match=match):
        bk.widgets.FairnessExplorer(y, s, g, **kwargs)


@pytest.fixture(scope="module")
def explanation_explorer():
    pytest.importorskip("xgboost")
    from xgboost import XGBClassifier

    data, _ = bk.simulate.cohort(1500, random_state=2)
    model = XGBClassifier(n_estimators=40, max_depth=3, enable_categorical=True, n_jobs=1).fit(data.X, data.y)
    return bk.widgets.ExplanationExplorer(bk.explain.explain(model, data.X), max_points=300), model, data.X


def test_explanation_explorer_shows_the_models_risk(explanation_explorer):
    ex, model, X = explanation_explorer
    assert ex.prediction == pytest.approx(model.predict_proba(X.iloc[[0]])[0, 1], abs=1e-6)
    ex.selected = 7  # what the browser sends when a patient is picked
    assert ex.patient["id"] == str(X.index[7])
    assert ex.prediction == pytest.approx(model.predict_proba(X.iloc[[7]])[0, 1], abs=1e-6)
    shap = np.frombuffer(ex.patient["shap"], dtype="<f4")
    assert ex.patient["base"] + shap.sum() == pytest.approx(ex.patient["prediction"], abs=1e-4)
    table = ex.patient_table()
    assert table.shap.abs().is_monotonic_decreasing


def test_explanation_explorer_what_if_runs_the_model_again(explanation_explorer):
    ex, model, X = explanation_explorer
    ex.selected = 3
    ex.whatif = {"position": 3, "changes": {"age": 80.0, "group": "B"}, "request": 1}
    changed = X.iloc[[3]].copy()
    changed["age"] = 80.0
    changed["group"] = pd.Categorical(["B"], dtype=X["group"].dtype)
    assert ex.whatif_result["risk"] == pytest.approx(model.predict_proba(changed)[0, 1], abs=1e-6)
    assert ex.whatif_result["request"] == 1
    ex.whatif = {"position": 3, "changes": {"group": "Z"}, "request": 2}
    assert "not one of its categories" in ex.whatif_result["error"]


def test_explanation_explorer_sends_a_subsample_and_one_patient(explanation_explorer):
    ex, _, X = explanation_explorer
    assert ex.summary["n_points"] == 300 and ex.summary["n_rows"] == len(X)
    assert all(len(f["shap"]) == 4 * 300 for f in ex.summary["features"])
    assert len(ex.patient["inputs"]) == X.shape[1]  # one patient's row only
    with pytest.raises(TypeError, match="bk.explain.explain"):
        bk.widgets.ExplanationExplorer(X)
    with pytest.raises(ValueError, match="patient"):
        bk.widgets.ExplanationExplorer(ex.explanation, patient=len(X))


def test_explanation_explorer_from_model_explains_on_demand(explanation_explorer):
    full, model, X = explanation_explorer
    lazy = bk.widgets.ExplanationExplorer.from_model(model, X, max_points=200)
    assert lazy.summary["n_points"] == 200 and lazy.summary["n_rows"] == len(X)
    risks = np.frombuffer(lazy.patients["risk"], dtype="<f4")
    assert risks[0] == pytest.approx(model.predict_proba(X)[:, 1].max(), abs=1e-6)  # sorted by risk
    for position in (0, 11):
        lazy.selected = position
        full.selected = position
        assert lazy.prediction == pytest.approx(full.prediction, abs=1e-6)
        np.testing.assert_allclose(np.frombuffer(lazy.patient["shap"], "<f4"),
                                   np.frombuffer(full.patient["shap"], "<f4"), atol=1e-5)
    assert lazy.what_if(11, age=75.0).prediction == pytest.approx(full.what_if(11, age=75.0).prediction)
