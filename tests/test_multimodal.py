"""The multi-modal simulator: deterministic, and the truth it states is the truth."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit
from sklearn.metrics import roc_auc_score

import biomedkit as bk


@pytest.fixture(scope="module")
def big():
    return bk.simulate.multimodal(n=30_000, random_state=0)


def test_is_deterministic_for_a_seed():
    a, ta = bk.simulate.multimodal(n=300, random_state=7)
    b, tb = bk.simulate.multimodal(n=300, random_state=7)
    c, _ = bk.simulate.multimodal(n=300, random_state=8)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    np.testing.assert_array_equal(ta.risk, tb.risk)
    assert not a.frame.equals(c.frame)


def test_shape_columns_modalities_and_card():
    data, truth = bk.simulate.multimodal(n=200, n_genes=30, n_signature=5, n_image=6, random_state=0)
    assert data.frame.shape == (200, 5 + 30 + 6 + 1) and data.frame.index.name == "patient_id"
    assert data.target == "event" and set(data.y.unique()) == {0, 1}
    assert data.modalities == truth.modalities
    assert data.modalities["clinical"] == ["age", "female", "smoker", "stage", "ecog"]
    assert data.modalities["expression"][0] == "gene_001" and len(data.modalities["expression"]) == 30
    assert data.modalities["imaging"] == [f"img_{i:02d}" for i in range(1, 7)]
    columns = [c for cols in data.modalities.values() for c in cols]
    assert columns + ["event"] == list(data.frame.columns)
    assert data.card["name"] == "multimodal" and data.card["rows"] == 200 and data.card["columns"] == 42
    assert data.card["kind"] == "simulated" and data.card["sites"] == ""
    assert (truth.signature.modality == "expression").sum() == 5
    assert (truth.signature.modality == "imaging").sum() == 3
    assert "200 patients" in repr(truth) and data.truth is truth


def test_loads_through_the_catalogue():
    data = bk.datasets.load("multimodal", n=50, random_state=1)
    pd.testing.assert_frame_equal(data.frame, bk.simulate.multimodal(n=50, random_state=1)[0].frame)


@pytest.mark.parametrize("prevalence", [0.1, 0.3])
def test_mean_true_risk_is_the_prevalence_and_events_follow_it(prevalence):
    data, truth = bk.simulate.multimodal(n=5000, prevalence=prevalence, random_state=2)
    assert truth.risk.mean() == pytest.approx(prevalence, abs=1e-9)
    sd = np.sqrt((truth.risk * (1 - truth.risk)).sum())
    assert abs(data.y.sum() - truth.risk.sum()) < 3.3 * sd  # Bernoulli(risk): inside 99.9 %


def test_clinical_score_is_the_stated_weighted_sum_of_the_record(big):
    data, truth = big
    f = data.frame
    # population moments by hand: stage 1-4 with p (.25, .30, .30, .15): mean 2.35, variance
    # 6.55 - 2.35^2 = 1.0275; ecog 0-2 with p (.50, .35, .15): mean 0.65, variance 0.95 - 0.65^2
    z = np.column_stack([(f.age - 65) / 10, (f.smoker - 0.3) / np.sqrt(0.21),
                         (f.stage - 2.35) / np.sqrt(1.0275), (f.ecog - 0.65) / np.sqrt(0.5275)])
    w = np.array([0.45, 0.3, 0.7, 0.45])
    np.testing.assert_allclose(truth.latent["clinical"], z @ w / np.linalg.norm(w), atol=1e-12)


def test_logit_is_the_stated_model_of_the_latent_scores(big):
    _, truth = big
    b = dict(zip(truth.terms.term, truth.terms.coefficient))
    c, e, i = (truth.latent[m].to_numpy() for m in ("clinical", "expression", "imaging"))
    logit = truth.intercept + b["clinical"] * c + b["expression"] * e + b["imaging"] * i \
        + b["expression x imaging"] * e * i
    np.testing.assert_allclose(truth.logit, logit, atol=1e-12)
    np.testing.assert_allclose(truth.risk, expit(logit), atol=1e-15)


def test_latent_scores_have_unit_variance_and_the_stated_correlation(big):
    _, truth = big
    lat = truth.latent
    np.testing.assert_allclose(lat.std(), 1, atol=0.03)
    corr = lat.corr()
    assert corr.loc["expression", "imaging"] == pytest.approx(truth.shared, abs=0.02)
    assert abs(corr.loc["clinical", "expression"]) < 0.02 and abs(corr.loc["clinical", "imaging"]) < 0.02


def test_each_terms_share_is_its_variance_by_construction(big):
    _, truth = big
    c, e, i = (truth.latent[m].to_numpy() for m in ("clinical", "expression", "imaging"))
    values = {"clinical": c, "expression": e, "imaging": i, "expression x imaging": e * i}
    for term, coef, variance in zip(truth.terms.term, truth.terms.coefficient, truth.terms.variance):
        assert np.var(coef * values[term]) == pytest.approx(variance, rel=0.05), term
    # the defaults by hand: 0.64, 1, 0.64 and 0.36 * (1 + 0.3^2) = 0.3924, out of 2.6724
    np.testing.assert_allclose(truth.terms.variance, [0.64, 1.0, 0.64, 0.3924])
    np.testing.assert_allclose(truth.terms.share, np.array([0.64, 1.0, 0.64, 0.3924]) / 2.6724)


def test_a_logistic_regression_on_the_latent_scores_recovers_the_coefficients(big):
    # statsmodels, unpenalised maximum likelihood: the stated model is the one that made the events
    data, truth = big
    lat = truth.latent
    design = sm.add_constant(np.column_stack([lat.clinical, lat.expression, lat.imaging,
                                              lat.expression * lat.imaging]))
    fit = sm.Logit(data.y.to_numpy(), design).fit(disp=0)
    expected = np.r_[truth.intercept, truth.terms.coefficient]
    assert np.all(np.abs(fit.params - expected) < 3.5 * fit.bse)


def test_only_the_signature_columns_measure_their_latent_score(big):
    data, truth = big
    f = data.frame
    for modality in ("expression", "imaging"):
        corr = f[truth.modalities[modality]].corrwith(truth.latent[modality])
        sig = truth.signature[truth.signature.modality == modality].set_index("column").loading
        assert (np.sign(corr[sig.index]) == np.sign(sig)).all()
        assert corr[sig.index].abs().min() > 0.25
        assert corr.drop(sig.index).abs().max() < 0.03


def test_oracle_auc_is_the_auc_of_the_true_risk(big):
    data, truth = big
    assert truth.oracle_auc(data.y) == pytest.approx(roc_auc_score(data.y, truth.risk), abs=1e-12)


def _monte_carlo_without(truth, modality, rows, rng, draws=400_000):
    """E[risk | other latent scores] by brute force: draw the missing score (for the clinical
    one, a whole record from the population) and average the true risk."""
    b = dict(zip(truth.terms.term, truth.terms.coefficient))
    out = []
    for r in rows:
        c, e, i = (truth.latent[m].iloc[r] for m in ("clinical", "expression", "imaging"))
        if modality == "clinical":
            stage = rng.choice([1, 2, 3, 4], draws, p=[0.25, 0.3, 0.3, 0.15])
            ecog = rng.choice([0, 1, 2], draws, p=[0.5, 0.35, 0.15])
            z = np.column_stack([rng.standard_normal(draws), ((rng.random(draws) < 0.3) - 0.3) / np.sqrt(0.21),
                                 (stage - 2.35) / np.sqrt(1.0275), (ecog - 0.65) / np.sqrt(0.5275)])
            w = np.array([0.45, 0.3, 0.7, 0.45])
            c = z @ w / np.linalg.norm(w)
        elif modality == "expression":
            e = truth.shared * i + np.sqrt(1 - truth.shared**2) * rng.standard_normal(draws)
        else:
            i = truth.shared * e + np.sqrt(1 - truth.shared**2) * rng.standard_normal(draws)
        logit = truth.intercept + b["clinical"] * c + b["expression"] * e + b["imaging"] * i \
            + b["expression x imaging"] * e * i
        out.append(expit(logit).mean())
    return np.array(out)


@pytest.mark.parametrize("modality", ["clinical", "expression", "imaging"])
def test_risk_without_a_modality_matches_monte_carlo(modality):
    _, truth = bk.simulate.multimodal(n=200, random_state=3)
    rows = [0, 5, 17, 99]
    reference = _monte_carlo_without(truth, modality, rows, np.random.default_rng(0))
    np.testing.assert_allclose(truth.risk_without(modality)[rows], reference, atol=3e-3)


def test_modality_importance_is_the_oracle_auc_lost(big):
    data, truth = big
    table = truth.modality_importance(data.y)
    assert list(table.index) == ["clinical", "expression", "imaging"]
    for m in table.index:
        assert table.loc[m, "oracle_auc_without"] == pytest.approx(
            roc_auc_score(data.y, truth.risk_without(m)), abs=1e-12)
    assert (table.auc_loss > 0.02).all()
    assert table.loc["expression", "auc_loss"] > table.loc["clinical", "auc_loss"]


def test_a_modality_without_effect_loses_nothing():
    data, truth = bk.simulate.multimodal(n=3000, imaging=0.0, interaction=0.0, random_state=4)
    np.testing.assert_allclose(truth.risk_without("imaging"), truth.risk, atol=1e-12)
    table = truth.modality_importance(data.y)
    assert table.loc["imaging", "auc_loss"] == pytest.approx(0, abs=1e-12)
    assert truth.terms.set_index("term").loc["imaging", "share"] == 0


def test_missing_modalities_are_whole_and_leave_the_rest_unchanged():
    full, _ = bk.simulate.multimodal(n=4000, random_state=5)
    data, truth = bk.simulate.multimodal(n=4000, missing={"imaging": 0.3, "expression": 0.1}, random_state=5)
    f = data.frame
    for modality, share in (("imaging", 0.3), ("expression", 0.1)):
        cols = data.modalities[modality]
        absent = f[cols].isna()
        assert (absent.all(axis=1) == absent.any(axis=1)).all(), "a modality is missing as a whole"
        np.testing.assert_array_equal(~absent.all(axis=1).to_numpy(), truth.observed[modality])
        assert absent.all(axis=1).mean() == pytest.approx(share, abs=0.025)
    assert truth.observed["clinical"].all() and not f[data.modalities["clinical"]].isna().any().any()
    observed = f.notna()
    pd.testing.assert_frame_equal(f[observed], full.frame[observed])


def test_bad_inputs_are_refused_with_the_fix():
    sim = bk.simulate.multimodal
    with pytest.raises(ValueError, match="n must be an integer >= 10"):
        sim(n=5)
    with pytest.raises(ValueError, match="n_signature must be at most n_genes"):
        sim(n=50, n_genes=5, n_signature=6)
    with pytest.raises(ValueError, match="n_image must be an integer >= 2"):
        sim(n=50, n_image=1)
    with pytest.raises(ValueError, match=r"shared must be a number in \(-1"):
        sim(n=50, shared=1.0)
    with pytest.raises(ValueError, match="clinical must be a number"):
        sim(n=50, clinical=-1)
    with pytest.raises(ValueError, match="prevalence must be a number"):
        sim(n=50, prevalence=0)
    with pytest.raises(TypeError, match="missing must be None or a dict"):
        sim(n=50, missing=0.3)
    with pytest.raises(ValueError, match="clinical data are always"):
        sim(n=50, missing={"clinical": 0.2})
    with pytest.raises(ValueError, match=r"missing\['imaging'\] must be a number in \[0, 1\)"):
        sim(n=50, missing={"imaging": 1.0})
    with pytest.raises(TypeError, match="random_state must be None, an int"):
        sim(n=50, random_state="zero")
    _, truth = sim(n=50, random_state=0)
    with pytest.raises(ValueError, match="modality must be one of"):
        truth.risk_without("genes")
