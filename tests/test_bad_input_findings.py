"""Findings of the bad-input run that need more than one bad call, each with its own test
(the table-driven run itself: tests/bad_input_suite.py)."""

import numpy as np
import pandas as pd
import pytest

import biomedkit as bk
from bad_input_suite import N, cohort, fitted_lr, model_X


def test_partial_dependence_grid_stays_inside_the_percentiles_on_integer_columns():
    X, y = cohort()
    X = X.assign(age=X["age"].round().astype(int))  # as read from a CSV
    curves = bk.explain.partial_dependence(fitted_lr(X, y), X, "age", grid_resolution=200,
                                           percentiles=(0.1, 0.9))
    low, high = np.quantile(X["age"], [0.05, 0.95])
    assert low <= curves.average["value"].min() and curves.average["value"].max() <= high


def test_what_if_names_its_scale_and_gives_the_risk():
    expl = bk.explain.explain(**model_X())
    one = expl.what_if(0, age=70.0)
    model = expl.model
    assert one.output == "log-odds"
    row = expl.data.iloc[[0]].assign(age=70.0)
    np.testing.assert_allclose(one.risk, model.predict_proba(row)[:, 1], atol=1e-8)


def test_explorer_refuses_an_unknown_position_and_reads_text_columns():
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    explorer = bk.widgets.ExplanationExplorer(bk.explain.explain(**model_X()))
    with pytest.raises(ValueError, match="position"):
        explorer.what_if(999)
    X, y = cohort()
    X = X.assign(sex=np.where(np.arange(N) % 2, "F", "M"))
    model = make_pipeline(make_column_transformer((OneHotEncoder(), ["sex"]), remainder="passthrough"),
                          LogisticRegression(max_iter=500)).fit(X, y)
    explorer = bk.widgets.ExplanationExplorer.from_model(model, X, max_points=20)
    kinds = {i["name"]: i["kind"] for i in explorer.patient["inputs"]}
    assert kinds["sex"] == "category"


def test_model_ready_converts_a_csv_and_says_what_it_changed(capsys):
    import io
    raw = pd.read_csv(io.StringIO("age,sex,smoker,event\n61,F,1,0\n47,M,0,1\n,F,,1\n"))
    before = raw.copy()
    X = bk.datasets.model_ready(raw, target="event")
    assert "sex" in capsys.readouterr().out
    assert isinstance(X["sex"].dtype, pd.CategoricalDtype) and X["smoker"].dtype == float
    assert X["event"].dtype == raw["event"].dtype
    pd.testing.assert_frame_equal(raw, before)
