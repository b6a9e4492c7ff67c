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
    tp = np.frombuffer(ex.tp, dtype="<f4").reshape(3, -1)
    fp = np.frombuffer(ex.fp, dtype="<f4").reshape(3, -1)
    grid = np.frombuffer(ex.threshold_grid, dtype="<f4")
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
    table = ex.to_frame()
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
    shap = np.asarray(ex.patient["shap"])
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
    shap = np.frombuffer(ex.summary_shap, dtype="<f4").reshape(len(ex.summary["features"]), -1)
    assert all(len(f) == 300 for f in shap)
    assert len(ex.patient["inputs"]) == X.shape[1]  # one patient's row only
    with pytest.raises(TypeError, match="bk.explain.explain"):
        bk.widgets.ExplanationExplorer(X)
    with pytest.raises(ValueError, match="patient"):
        bk.widgets.ExplanationExplorer(ex.explanation, patient=len(X))


def test_explanation_explorer_from_model_explains_on_demand(explanation_explorer):
    full, model, X = explanation_explorer
    lazy = bk.widgets.ExplanationExplorer.from_model(model, X, max_points=200)
    assert lazy.summary["n_points"] == 200 and lazy.summary["n_rows"] == len(X)
    risks = np.frombuffer(lazy.patients_risk, dtype="<f4")
    assert risks[0] == pytest.approx(model.predict_proba(X)[:, 1].max(), abs=1e-6)  # sorted by risk
    for position in (0, 11):
        lazy.selected = position
        full.selected = position
        assert lazy.prediction == pytest.approx(full.prediction, abs=1e-6)
        np.testing.assert_allclose(np.asarray(lazy.patient["shap"]),
                                   np.asarray(full.patient["shap"]), atol=1e-5)
    assert lazy.what_if(11, age=75.0).prediction == pytest.approx(full.what_if(11, age=75.0).prediction)


def test_table_is_the_deprecated_name_of_to_frame(explorer):
    ex, _ = explorer
    with pytest.warns(FutureWarning, match=r"to_frame\(\)"):
        old = ex.table()
    pd.testing.assert_frame_equal(old, ex.to_frame())


def _bytes_inside(value) -> bool:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return True
    if isinstance(value, dict):
        return any(_bytes_inside(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_bytes_inside(v) for v in value)
    return False


def test_arrays_travel_as_buffers_of_their_own(explorer, explanation_explorer):
    import traitlets

    for ex in (explorer[0], explanation_explorer[0]):
        synced = ex.traits(sync=True)
        dicts = [name for name, trait in synced.items() if isinstance(trait, traitlets.Dict)]
        assert dicts and not any(_bytes_inside(getattr(ex, name)) for name in dicts), type(ex).__name__
        assert any(isinstance(trait, traitlets.Bytes) for trait in synced.values())


@pytest.mark.parametrize("name", ["fairness", "explanation"])
def test_each_explorer_ships_one_self_contained_module_with_the_helpers_once(name, tmp_path):
    import re
    import shutil
    import subprocess

    from biomedkit.widgets._base import STATIC, css, esm

    module = esm(name)
    assert module.count("export default") == 1
    assert not re.search(r"^\s*(import|export\s+\*)\b|\bimport\s*\(|\bfrom\s+['\"]", module, re.MULTILINE)
    assert "http://" not in module and "https://" not in module
    # The shared helpers are written once, in _common.js, and not again in the explorer's file.
    for helper in ("function f32(", "const el =", "const fmt =", "const esc ="):
        assert module.count(helper) == 1, helper
        assert helper in (STATIC / "_common.js").read_text()
    # Styles travel as the widget's _css, not as a string inside the module.
    assert "<style" not in module and 'el("style"' not in module
    assert ".bk-" in css(name)
    if shutil.which("node"):  # the assembled text parses as an ES module
        path = tmp_path / f"{name}.mjs"
        path.write_text(module)
        subprocess.run(["node", "--check", str(path)], check=True, capture_output=True)


def test_the_explorers_send_their_css(explorer, explanation_explorer):
    from biomedkit.widgets._base import css

    assert explorer[0]._css == css("fairness") and explanation_explorer[0]._css == css("explanation")


def test_the_wheel_carries_every_static_file_and_assembles_the_same_module(tmp_path):
    import subprocess
    import sys
    import zipfile

    from biomedkit.widgets._base import STATIC, esm
    from conftest import ROOT, run_python

    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True)
    (wheel,) = tmp_path.glob("biomedkit-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    static = sorted(p.name for p in STATIC.iterdir() if p.suffix in (".js", ".css"))
    assert {"_common.js", "fairness.js", "fairness.css", "explanation.js", "explanation.css"} <= set(static)
    assert all(f"biomedkit/widgets/static/{name}" in names for name in static)
    out = run_python("import sys, biomedkit.widgets._base as b; "
                     "sys.stdout.write(b.esm('fairness') + b.esm('explanation'))",
                     cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""})
    assert out.stdout == esm("fairness") + esm("explanation")


def test_from_model_builds_the_explorer_through_its_constructor(explanation_explorer):
    _, model, X = explanation_explorer
    calls = []

    class Recording(bk.widgets.ExplanationExplorer):
        def __init__(self, *args, **kwargs):
            calls.append(kwargs)
            super().__init__(*args, **kwargs)

    lazy = Recording.from_model(model, X, max_points=50, patient=4, title="t")
    assert len(calls) == 1 and calls[0]["max_points"] == 50 and calls[0]["patient"] == 4
    assert lazy.selected == 4 and lazy.summary["title"] == "t" and lazy.summary["n_points"] == 50


def test_explorer_what_if_is_the_explanations_what_if(explanation_explorer):
    import warnings

    ex, _, X = explanation_explorer
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # not through a deprecated name
        mine = ex.what_if(5, age=70.0, group="B")
        theirs = ex.explanation.what_if(5, age=70.0, group=X["group"].dtype.categories[1])
    assert X["group"].dtype.categories[1] == "B"
    np.testing.assert_allclose(mine.values, theirs.values)
    assert mine.prediction[0] == pytest.approx(theirs.prediction[0])
    with pytest.raises(ValueError, match="unknown features"):
        ex.what_if(5, no_such_feature=1.0)


# --- from_model: random_state reaches every random choice; the default background -------------

def _numeric_cohort(n: int):
    data, _ = bk.simulate.cohort(n, random_state=4)
    X = data.X[["age", "sbp", "hdl", "bmi", "egfr", "crp"]].astype(float)
    return X, data.y.to_numpy().astype(int)


def _summary_values(ex) -> np.ndarray:
    return np.frombuffer(ex.summary_shap, dtype="<f4").reshape(len(ex.summary["features"]), -1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_from_model_random_state_makes_a_sampling_explainer_repeatable():
    from sklearn.neural_network import MLPClassifier

    X, y = _numeric_cohort(150)
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=200, random_state=0).fit(X, y)
    assert bk.explain.explain(mlp, X.iloc[:2], X.iloc[2:20]).method == "permutation"
    options = {"max_points": 10, "max_background": 15, "n_permutations": 2}

    def build(random_state):
        return bk.widgets.ExplanationExplorer.from_model(mlp, X, random_state=random_state, **options)

    first, again, other = build(0), build(0), build(1)
    # The same seed: the same background, subsample and permutations, value for value.
    np.testing.assert_array_equal(_summary_values(first), _summary_values(again))
    np.testing.assert_array_equal(first.patient["shap"], again.patient["shap"])
    first.selected = again.selected = 7
    np.testing.assert_array_equal(first.patient["shap"], again.patient["shap"])
    # Another seed gives other values: the seed does reach the random choices.
    assert not np.array_equal(first.patient["shap"], other.patient["shap"])
    # A Generator gives one seed, drawn once: a patient picked again is explained the same way.
    drawn = build(np.random.default_rng(3))
    shown = list(drawn.patient["shap"])
    drawn.selected = 5
    drawn.selected = 0
    assert drawn.patient["shap"] == shown
    with pytest.raises(TypeError, match="random_state"):
        build("0")


def test_from_model_default_background_never_holds_the_patient_explained():
    from sklearn.linear_model import LogisticRegression

    X, y = _numeric_cohort(200)
    lr = LogisticRegression(max_iter=1000).fit(X, y)
    ex = bk.widgets.ExplanationExplorer.from_model(lr, X, max_points=50, max_background=40)
    background = ex.explanation.background
    assert len(background) == 40 and ex.summary["n_points"] == 50
    assert not set(background.index) & set(ex.explanation.data.index)  # kept apart from the summary
    # Reference, by hand: for logistic regression the SHAP value is coef * (x - mean(background))
    # in log-odds, and the base value the mean log-odds over the background.
    coef = lr.coef_[0]
    assert ex.summary["base"] == pytest.approx(lr.decision_function(background).mean(), abs=1e-9)
    outside = int(np.setdiff1d(np.arange(len(X)), X.index.get_indexer(background.index))[0])
    inside = int(X.index.get_indexer(background.index)[0])
    for position in (outside, inside):
        ex.selected = position
        others = background.drop(index=X.index[position], errors="ignore")
        assert len(others) == (39 if position == inside else 40)
        np.testing.assert_allclose(ex.patient["shap"], coef * (X.iloc[position] - others.mean()), atol=1e-9)
        assert ex.patient["base"] == pytest.approx(lr.decision_function(others).mean(), abs=1e-9)
        assert np.abs(ex.patient["shap"]).max() > 0.01  # the old default compared the patient with itself: all 0
    # A small table gives at most half its rows to the background; one row cannot have one.
    small = bk.widgets.ExplanationExplorer.from_model(lr, X.iloc[:24], max_points=50)
    assert len(small.explanation.background) == 12 and small.summary["n_points"] == 12
    with pytest.raises(ValueError, match="background="):
        bk.widgets.ExplanationExplorer.from_model(lr, X.iloc[:1])
    with pytest.raises(ValueError, match="max_background"):
        bk.widgets.ExplanationExplorer.from_model(lr, X, max_background=0)


def test_from_model_uses_a_given_background_and_holds_none_out_for_trees():
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    X, y = _numeric_cohort(200)
    train, test = X.iloc[:120], X.iloc[120:]
    lr = LogisticRegression(max_iter=1000).fit(train, y[:120])
    given = bk.widgets.ExplanationExplorer.from_model(lr, test, train, max_points=100)
    background = given.explanation.background  # the given rows, at most max_background of them
    assert len(background) == 100 and set(background.index) <= set(train.index)
    assert given.summary["base"] == pytest.approx(lr.decision_function(background).mean(), abs=1e-9)
    assert given.summary["n_points"] == len(test)  # every test row: none is needed as background
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(train, y[:120])
    path = bk.widgets.ExplanationExplorer.from_model(tree, test, max_points=100)
    assert path.explanation.background is None and path.summary["n_points"] == len(test)
