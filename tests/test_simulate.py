"""The simulators: deterministic, and the truth they return is the truth."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import biomedkit as bk
from biomedkit.simulate.cohort import _term_values


def test_cohort_is_deterministic_for_a_seed():
    a, ta = bk.simulate.cohort(n=500, n_noise=3, n_sites=2, random_state=7)
    b, tb = bk.simulate.cohort(n=500, n_noise=3, n_sites=2, random_state=7)
    c, _ = bk.simulate.cohort(n=500, n_noise=3, n_sites=2, random_state=8)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    np.testing.assert_array_equal(ta.risk, tb.risk)
    assert not a.frame.equals(c.frame)


def test_cohort_shape_columns_and_card():
    data, truth = bk.simulate.cohort(n=300, n_noise=5, n_sites=4, random_state=0)
    assert data.frame.shape == (300, 11 + 5 + 2)
    assert data.frame.index.name == "patient_id" and data.target == "event"
    assert data.card["rows"] == 300 and data.card["columns"] == 18 and data.card["sites"] == "site"
    assert list(data.frame["site"].cat.categories) == [f"site_{i}" for i in range(1, 5)]
    assert truth.noise == [f"lab_{i:03d}" for i in range(1, 6)]
    assert bk.simulate.cohort(n=50, random_state=0)[0].card["sites"] == ""


@pytest.mark.parametrize("prevalence", [0.05, 0.15, 0.5])
def test_mean_true_risk_equals_prevalence_and_events_follow_it(prevalence):
    data, truth = bk.simulate.cohort(n=20_000, prevalence=prevalence, random_state=1)
    assert truth.risk.mean() == pytest.approx(prevalence, abs=1e-9)
    # the events are Bernoulli(risk): the count lies in its 99.9 % range
    sd = np.sqrt((truth.risk * (1 - truth.risk)).sum())
    assert abs(data.y.sum() - truth.risk.sum()) < 3.3 * sd


def test_truth_recomputes_the_risk_from_the_columns():
    data, truth = bk.simulate.cohort(n=2_000, n_sites=3, random_state=2)
    np.testing.assert_allclose(truth.predict_risk(data.frame), truth.risk, rtol=1e-12)
    assert truth.formula.startswith("logit(risk) =")
    with pytest.raises(ValueError, match=r"lacks the columns \['crp'\]"):
        truth.predict_risk(data.frame.drop(columns="crp"))


def test_maximum_likelihood_on_the_true_terms_recovers_the_coefficients():
    # An independent check of the generating model: statsmodels' logistic
    # regression on the true basis must find the coefficients we put in.
    sm = pytest.importorskip("statsmodels.api")
    data, truth = bk.simulate.cohort(n=200_000, prevalence=0.3, random_state=3)
    basis = pd.DataFrame(_term_values(data.frame))[truth.terms.term]
    fit = sm.Logit(data.y.to_numpy(), sm.add_constant(basis)).fit(disp=0)
    terms = truth.terms.term
    z = (fit.params[terms].to_numpy() - truth.terms.coefficient.to_numpy()) / fit.bse[terms].to_numpy()
    assert np.all(np.abs(z) < 4.5), dict(zip(truth.terms.term, z.round(1)))
    assert fit.params["const"] == pytest.approx(truth.intercept, abs=4.5 * fit.bse["const"])


def test_knobs_switch_off_nonlinear_terms_and_interactions():
    _, truth = bk.simulate.cohort(n=200, nonlinear=0, interactions=0, random_state=0)
    kinds = truth.terms.set_index("term")
    assert (kinds.loc[kinds.kind != "linear", "coefficient"] == 0).all()
    assert (kinds.loc[kinds.kind == "linear", "coefficient"] != 0).all()


def test_noise_columns_carry_no_signal():
    data, truth = bk.simulate.cohort(n=20_000, n_noise=20, random_state=4)
    r = data.frame[truth.noise].corrwith(pd.Series(truth.logit, index=data.frame.index))
    assert r.abs().max() < 0.04  # |r| for n = 20,000 is ~0.007 under independence


def test_sites_differ_in_case_mix_as_the_truth_says():
    data, truth = bk.simulate.cohort(n=30_000, n_sites=5, site_shift=1.0, random_state=5)
    mean_age = data.frame.groupby("site", observed=True)["age"].mean()
    assert stats.pearsonr(mean_age.to_numpy(), truth.site_effects.age_shift.to_numpy())[0] > 0.95
    same, _ = bk.simulate.cohort(n=30_000, n_sites=5, site_shift=0.0, random_state=5)
    assert same.frame.groupby("site", observed=True)["age"].mean().std() < 0.3


def test_oracle_auc_matches_scikit_learn():
    from sklearn.metrics import roc_auc_score

    data, truth = bk.simulate.cohort(n=3_000, random_state=6)
    assert truth.oracle_auc(data.y) == pytest.approx(roc_auc_score(data.y, truth.risk), abs=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 5}, "n must be an integer >= 10"),
    ({"n": 100.0}, "n must be an integer"),
    ({"prevalence": 1.0}, r"prevalence must be a number in \(0, 1\)"),
    ({"prevalence": float("nan")}, "prevalence must be a number"),
    ({"n_sites": 0}, "n_sites must be an integer >= 1"),
    ({"nonlinear": -1}, "nonlinear must be a number"),
    ({"group_share": 2}, "group_share must be a number"),
])
def test_cohort_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bk.simulate.cohort(**kwargs)


# --- expression ---------------------------------------------------------------

def test_expression_is_deterministic_and_shaped():
    a, _ = bk.simulate.expression(40, 30, random_state=1)
    b, _ = bk.simulate.expression(40, 30, random_state=1)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.frame.shape == (40, 32) and list(a.frame.columns[-2:]) == ["batch", "outcome"]
    assert a.card["rows"] == 40 and a.card["columns"] == 32


def test_expression_follows_the_location_scale_model_exactly():
    data, t = bk.simulate.expression(60, 50, n_batches=3, random_state=2)
    genes = data.frame.iloc[:, :50].to_numpy()
    b = data.frame["batch"].cat.codes.to_numpy()
    mean = t.baseline.to_numpy() + t.subtype_effects.to_numpy()[t.subtype]
    rebuilt = mean + t.additive.to_numpy()[b] + t.multiplicative.to_numpy()[b] * (t.clean.to_numpy() - mean)
    np.testing.assert_allclose(rebuilt, genes, atol=1e-4)  # the frame is rounded to 4 decimals


def test_batch_mean_differences_estimate_the_additive_effect():
    data, t = bk.simulate.expression(2_000, 200, n_subtypes=1, random_state=3)
    genes = data.frame.iloc[:, :200]
    observed = genes.groupby(data.frame["batch"], observed=True).mean()
    expected = t.baseline + t.additive
    np.testing.assert_allclose(observed.to_numpy(), expected.to_numpy(), atol=0.15)


def test_subtype_genes_shift_by_the_effect_size():
    data, t = bk.simulate.expression(3_000, 400, n_subtypes=2, n_batches=1, de_effect=2.0, random_state=4)
    gene = t.de_genes[0][0]
    shift = t.subtype_effects.loc[0, gene] - t.subtype_effects.loc[1, gene]
    means = data.frame[gene].groupby(t.subtype).mean()
    assert means[0] - means[1] == pytest.approx(shift, abs=0.1)
    assert abs(shift) in (2.0, 4.0)  # +-2 in subtype 0, and 0 or -+2 in subtype 1


def test_confounding_ties_batch_to_outcome():
    full, _ = bk.simulate.expression(400, 10, confounding=1.0, random_state=5)
    assert (full.frame["batch"].cat.codes == full.frame["outcome"]).all()
    none, _ = bk.simulate.expression(400, 10, confounding=0.0, random_state=5)
    table = pd.crosstab(none.frame["batch"], none.frame["outcome"])
    assert stats.chi2_contingency(table).pvalue > 0.001


def test_expression_without_batches_has_no_batch_effect():
    data, t = bk.simulate.expression(30, 20, n_batches=1, random_state=6)
    assert (t.additive.to_numpy() == 0).all() and (t.multiplicative.to_numpy() == 1).all()
    assert data.card["sites"] == ""


@pytest.mark.parametrize("kwargs, message", [
    ({"n_samples": 2}, "n_samples must be an integer >= 4"),
    ({"confounding": 1.5}, r"confounding must be a number in \[0, 1\]"),
    ({"n_subtypes": 0}, "n_subtypes must be an integer >= 1"),
    ({"n_samples": 5, "n_subtypes": 6}, r"n_subtypes \(6\) cannot exceed n_samples \(5\)"),
])
def test_expression_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bk.simulate.expression(**kwargs)


def test_a_fixed_intercept_draws_a_second_cohort_from_the_same_model():
    _, first = bk.simulate.cohort(n=3_000, random_state=1)
    drifted, second = bk.simulate.cohort(n=3_000, n_sites=3, site_shift=2.0,
                                         intercept=first.intercept, random_state=2)
    assert second.intercept == first.intercept
    np.testing.assert_allclose(first.predict_risk(drifted.frame), second.risk, rtol=1e-12)


def test_crp_is_never_rounded_to_zero():
    data, truth = bk.simulate.cohort(n=60_000, random_state=3)
    assert data.frame["crp"].min() >= 0.01 and np.isfinite(truth.logit).all()


def test_leaky_site_marker_is_a_shortcut_that_shap_exposes_and_other_sites_undo():
    # The marker copies the event at one site only: a boosted model trained there ranks it
    # first by mean |SHAP| (xgboost's exact TreeSHAP), and its AUC drops below the true
    # risk's AUC at the other sites, where the marker is noise.
    xgb = pytest.importorskip("xgboost")
    from sklearn.metrics import roc_auc_score

    data, truth = bk.simulate.cohort(n=6_000, n_sites=3, leaky_site="site_2", random_state=0)
    plain, _ = bk.simulate.cohort(n=6_000, n_sites=3, random_state=0)
    pd.testing.assert_frame_equal(data.frame.drop(columns="sample_tube"), plain.frame)
    assert truth.leak == {"column": "sample_tube", "site": "site_2", "strength": 0.9}
    f = data.frame
    leaky = (f["site"] == "site_2").to_numpy()
    agree = f["sample_tube"] == f["event"]
    assert agree[leaky].mean() > 0.9 and abs(agree[~leaky].mean() - 0.65) < 0.05
    assert abs(f.loc[~leaky].groupby("event")["sample_tube"].mean().diff().iloc[-1]) < 0.05

    X, y = f.drop(columns=["event", "site"]), f["event"]
    train = leaky & (np.arange(len(f)) % 2 == 0)
    model = xgb.XGBClassifier(n_estimators=100, max_depth=3, enable_categorical=True, n_jobs=1,
                              random_state=0).fit(X[train], y[train])
    held_out = leaky & ~train
    contribs = model.get_booster().predict(xgb.DMatrix(X[held_out], enable_categorical=True),
                                           pred_contribs=True)[:, :-1]
    assert X.columns[np.abs(contribs).mean(axis=0).argmax()] == "sample_tube"
    p = model.predict_proba(X)[:, 1]
    auc_leaky, auc_other = roc_auc_score(y[held_out], p[held_out]), roc_auc_score(y[~leaky], p[~leaky])
    assert auc_leaky > roc_auc_score(y[held_out], truth.risk[held_out]) + 0.1  # beats the oracle: a leak
    assert auc_other < roc_auc_score(y[~leaky], truth.risk[~leaky]) - 0.05 < auc_leaky - 0.2

    for kwargs in ({"leaky_site": "site_9", "n_sites": 3}, {"leaky_site": "site_1"}):
        with pytest.raises(ValueError, match="leaky_site must name one of the sites"):
            bk.simulate.cohort(n=50, **kwargs)
    with pytest.raises(ValueError, match="marker_leak must be a number in"):
        bk.simulate.cohort(n=50, n_sites=2, leaky_site="site_1", marker_leak=1.5)


def test_cohort_biases_do_what_they_say_and_leave_the_rest_alone():
    plain, _ = bk.simulate.cohort(20_000, random_state=3)
    data, truth = bk.simulate.cohort(20_000, random_state=3, measurement_bias=4.0, label_bias=0.5)
    f, b = data.frame, (data.frame["group"] == "B").to_numpy()
    # Every original column except the relabelled events is unchanged.
    pd.testing.assert_frame_equal(f[plain.frame.columns.drop("event")], plain.frame.drop(columns="event"))
    np.testing.assert_array_equal(truth.true_event, plain.frame["event"])
    # Measurement bias: the reading is high by the offset in group B only (below the
    # sensor's ceiling of 100 %, where it matters: low saturation).
    error, low = f["spo2"] - f["spo2_true"], (f["spo2_true"] < 94).to_numpy()
    assert error[b & low].mean() == pytest.approx(4.0, abs=0.1)
    assert error[~b & low].mean() == pytest.approx(0.0, abs=0.1)
    assert np.corrcoef(f["spo2_true"], truth.risk)[0, 1] < -0.5  # it tracks the true risk
    # Label bias: half of group B's events are missing, none of group A's.
    events_b = truth.true_event[b].sum()
    assert f["event"][b].sum() == pytest.approx(events_b / 2, rel=0.1)
    assert (f["event"][~b] == truth.true_event[~b]).all()


def test_cohort_selection_bias_inflates_group_b_event_rate():
    full, _ = bk.simulate.cohort(40_000, random_state=4)
    data, truth = bk.simulate.cohort(40_000, random_state=4, selection_bias=0.6)
    rate = lambda frame: frame.loc[frame.group == "B", "event"].mean()  # noqa: E731
    kept_b0 = (full.frame.group == "B") & (full.frame.event == 0)
    assert len(data.frame) == pytest.approx(len(full.frame) - 0.6 * kept_b0.sum(), rel=0.02)
    assert rate(data.frame) > 1.8 * rate(full.frame)
    assert truth.bias["selection"]["event_rate_group_b_population"] == pytest.approx(rate(full.frame))
    assert len(truth.risk) == len(data.frame)
    with pytest.raises(ValueError, match="selection_bias"):
        bk.simulate.cohort(100, selection_bias=1.0)


def test_treatment_simulation_takes_the_seed_by_keyword_and_warns_by_position():
    mdp = bk.simulate.treatment_mdp()
    logs = mdp.logged(300, random_state=0)
    with pytest.warns(FutureWarning, match=r"passing random_state of TreatmentMDP\.logged\(\)"):
        pd.testing.assert_frame_equal(mdp.logged(300, 0), logs)
    runs = mdp.simulate(mdp.behaviour, 300, random_state=0)
    with pytest.warns(FutureWarning, match=r"passing random_state of TreatmentMDP\.simulate\(\)"):
        pd.testing.assert_frame_equal(mdp.simulate(mdp.behaviour, 300, 0), runs)
    pd.testing.assert_frame_equal(runs.drop(columns="action_prob"), logs.drop(columns="behaviour_prob"))

