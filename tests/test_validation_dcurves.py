"""Net benefit against R dcurves' published results on its df_binary data."""

import numpy as np
import pandas as pd
import statsmodels.api as sm

import biomedkit as bk
from conftest import ROOT

DATA = ROOT / "tests" / "data"
DF = pd.read_csv(DATA / "df_binary.csv")
Y = DF["cancer"].astype(str).str.upper().map({"TRUE": 1, "FALSE": 0, "1": 1, "0": 0}).to_numpy()


def as_probability(column: str) -> np.ndarray:
    """dcurves' as_probability: fitted risks of a one-variable logistic regression."""
    x = sm.add_constant(DF[column].to_numpy(float))
    return sm.Logit(Y, x).fit(disp=0, tol=1e-12).predict(x)


def r_results(name: str) -> pd.DataFrame:
    r = pd.read_csv(DATA / "dcurves" / name)
    return r[r["threshold"] >= 0.01]  # R starts at 0 or 1e-9; thresholds here lie in (0, 1)


def ours(scores, thresholds, **kwargs) -> pd.DataFrame:
    nb = bk.validation.net_benefit(Y, scores, thresholds=thresholds, **kwargs)
    return nb.replace({"model": {"Treat all": "all", "Treat none": "none"}})


def compare(r, nb, models, atol):
    r = r.assign(threshold=r["threshold"].round(2)).set_index(["variable", "threshold"])
    nb = nb.assign(threshold=nb["threshold"].round(2)).set_index(["model", "threshold"])
    for model in [*models, "all", "none"]:
        expected = r.loc[model, "net_benefit"]
        got = nb.loc[model, "net_benefit"].loc[expected.index]
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=atol, err_msg=model)


def test_cancerpredmarker_and_marker_match_r_dcurves():
    r = r_results("r_cancerpredmarker_marker.csv")
    t = np.unique(r["threshold"].round(2))
    nb = ours({"cancerpredmarker": DF["cancerpredmarker"], "marker": as_probability("marker")}, t)
    # cancerpredmarker is given as risks: exact; marker goes through a logistic fit
    compare(r[r.variable != "marker"], nb, ["cancerpredmarker"], atol=1e-12)
    compare(r, nb, ["marker"], atol=1e-8)
    tp = r.set_index(["variable", "threshold"]).loc["cancerpredmarker", "tp_rate"]
    got = nb.set_index(["model", "threshold"]).loc["cancerpredmarker", "tp_rate"]
    np.testing.assert_allclose(got.to_numpy(), tp.to_numpy(), atol=1e-12)


def test_binary_predictor_famhistory_matches_r_dcurves():
    r = r_results("r_famhistory.csv")
    t = np.unique(r["threshold"].round(2))
    compare(r, ours({"famhistory": DF["famhistory"]}, t), ["famhistory"], atol=1e-12)


def test_case_control_prevalence_matches_r_dcurves():
    r = r_results("r_age_prevalence_0.5.csv")
    t = np.unique(r["threshold"].round(2))
    compare(r, ours({"age": as_probability("age")}, t, prevalence=0.5), ["age"], atol=1e-8)


def test_harm_and_net_interventions_avoided_match_r_dcurves():
    r = r_results("r_marker_harm.csv")
    t = np.unique(r["threshold"].round(2))
    nb = ours({"marker": as_probability("marker")}, t, harm=0.0333)
    compare(r, nb, ["marker"], atol=1e-8)
    expected = r[r.variable == "marker"].set_index("threshold")["net_intervention_avoided"]
    got = nb[nb.model == "marker"].set_index("threshold")["net_interventions_avoided"] / 100
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-8)
