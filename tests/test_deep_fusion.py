"""Early, late and attention fusion, and modality ablation, against scikit-learn and by hand."""

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.special import expit, logit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import biomedkit as bk
from biomedkit.deep import FusionClassifier, modality_ablation


@pytest.fixture(scope="module")
def cohort():
    data, truth = bk.simulate.multimodal(n=2000, n_genes=20, n_signature=6, n_image=6, random_state=0)
    X, y = data.X, data.y.to_numpy()
    return data.modalities, X.iloc[:1200], y[:1200], X.iloc[1200:], y[1200:]


def _lr(X, y):
    return make_pipeline(StandardScaler(), LogisticRegression(C=np.inf, max_iter=5000)).fit(X, y)


def _without_imaging(X, modalities, rows):
    out = X.copy()
    out.loc[out.index[rows], modalities["imaging"]] = np.nan
    return out


@pytest.fixture(scope="module")
def attention(cohort):
    modalities, X, y, _, _ = cohort
    return FusionClassifier(modalities, fusion="attention", hidden=16, random_state=0).fit(X, y)


def test_early_fusion_without_hidden_layer_is_a_logistic_regression(cohort):
    modalities, X, y, X_test, y_test = cohort
    model = FusionClassifier(modalities, fusion="early", hidden=0, epochs=150, learning_rate=0.02,
                             weight_decay=0.0, validation_fraction=None, batch_size=1200,
                             random_state=0).fit(X, y)
    reference = _lr(X, y)
    ours = model.decision_function(X_test)
    theirs = reference.decision_function(X_test)
    assert np.corrcoef(ours, theirs)[0, 1] > 0.999
    assert roc_auc_score(y_test, ours) == pytest.approx(roc_auc_score(y_test, theirs), abs=0.003)


def test_late_fusion_combines_one_model_per_modality_as_stated(cohort):
    modalities, X, y, X_test, y_test = cohort
    model = FusionClassifier(modalities, fusion="late", hidden=0, epochs=150, learning_rate=0.02,
                             weight_decay=0.0, random_state=0).fit(X, y)
    per_modality = model.modality_proba(X_test)
    for name, cols in modalities.items():  # each one is a logistic regression on its modality
        reference = _lr(X[cols], y).predict_proba(X_test[cols])[:, 1]
        assert roc_auc_score(y_test, per_modality[name]) == pytest.approx(
            roc_auc_score(y_test, reference), abs=0.01), name
    # the fused logit is bias + scale * the weighted mean of the present modalities' logits
    rows = np.arange(0, len(X_test), 3)
    X_missing = _without_imaging(X_test, modalities, rows)
    w = model.late_weights_.to_numpy()
    scale, bias = model.module_.scale.item(), model.module_.bias.item()
    logits = logit(model.modality_proba(X_missing).to_numpy())
    present = ~np.isnan(logits)
    expected = bias + scale * np.nansum(w * logits, axis=1) / (present * w).sum(axis=1)
    np.testing.assert_allclose(model.decision_function(X_missing), expected, rtol=1e-4, atol=1e-4)
    assert np.isnan(model.modality_proba(X_missing)["imaging"].to_numpy()[rows]).all()
    assert w.sum() == pytest.approx(1)


def test_early_fusion_fills_a_missing_modality_with_the_training_means(cohort):
    modalities, X, y, X_test, _ = cohort
    model = FusionClassifier(modalities, fusion="early", epochs=5, random_state=0).fit(X, y)
    rows = np.arange(10)
    filled = X_test.copy()
    for col in modalities["imaging"]:
        filled.loc[filled.index[rows], col] = X[col].mean()
    np.testing.assert_allclose(model.predict_proba(_without_imaging(X_test, modalities, rows)),
                               model.predict_proba(filled), atol=1e-6)


def test_attention_weights_sum_to_one_over_the_modalities_present(cohort, attention):
    modalities, _, _, X_test, _ = cohort
    rows = np.arange(0, len(X_test), 2)
    weights = attention.attention_weights(_without_imaging(X_test, modalities, rows))
    assert list(weights.columns) == list(modalities) and (weights.index == X_test.index).all()
    np.testing.assert_allclose(weights.sum(axis=1), 1, atol=1e-6)
    assert (weights["imaging"].to_numpy()[rows] == 0).all()
    assert (weights.to_numpy()[1::2] > 0).all()


def test_attention_masking_is_the_softmax_over_the_present_modalities(cohort, attention):
    # recompute one patient by hand from the trained pieces: softmax of the scores of
    # clinical and expression only, pooled embeddings, head
    modalities, X, _, X_test, _ = cohort
    row = X_test.iloc[:1]
    net = attention.module_
    embeddings = []
    for encoder, (name, cols) in zip(net.encoders, modalities.items()):
        z = (row[cols].to_numpy() - X[cols].mean().to_numpy()) / X[cols].std(ddof=0).to_numpy()
        embeddings.append(encoder(torch.tensor(z, dtype=torch.float32)))
    with torch.no_grad():
        h = torch.cat(embeddings[:2])
        a = torch.softmax(net.score(h).squeeze(1), dim=0)
        expected = net.head((a[:, None] * h).sum(0)).item()
    got = attention.decision_function(_without_imaging(row, modalities, [0]))[0]
    assert got == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("fusion", ["early", "attention"])
def test_networks_learn_about_as_well_as_logistic_regression(cohort, fusion):
    modalities, X, y, X_test, y_test = cohort
    model = FusionClassifier(modalities, fusion=fusion, hidden=16, random_state=0).fit(X, y)
    reference = roc_auc_score(y_test, _lr(X, y).predict_proba(X_test)[:, 1])
    ours = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    assert ours > 0.75 and ours > reference - 0.03
    assert model.validation_scores_ is not None and model.n_epochs_ < 100  # early stopping ended it
    assert len(model.loss_curve_) == model.n_epochs_


def test_same_seed_same_model_and_the_global_rng_is_left_alone(cohort):
    modalities, X, y, X_test, _ = cohort
    state = torch.get_rng_state()
    a = FusionClassifier(modalities, fusion="late", epochs=3, random_state=1).fit(X, y)
    assert torch.equal(state, torch.get_rng_state())
    b = FusionClassifier(modalities, fusion="late", epochs=3, random_state=1).fit(X, y)
    c = FusionClassifier(modalities, fusion="late", epochs=3, random_state=2).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X_test), b.predict_proba(X_test))
    assert not np.allclose(a.predict_proba(X_test), c.predict_proba(X_test))


def test_modality_dropout_hides_recorded_modalities_but_never_all():
    model = FusionClassifier({"a": [0], "b": [1], "c": [2]}, modality_dropout=0.4)
    mask = torch.tensor(np.random.default_rng(0).random((20_000, 3)) < 0.8)
    mask[:, 0] |= ~mask.any(dim=1)
    kept = model._dropout(mask, torch.Generator().manual_seed(0))
    assert not (kept & ~mask).any(), "a missing modality is never revealed"
    assert kept.any(dim=1).all(), "each patient keeps one modality"
    # by hand: a row with k modalities loses k * p of them on average, except when all k would
    # go (probability p^k): then it keeps them all
    k = mask.sum(dim=1).numpy()
    expected = (k * 0.4 - k * 0.4**k).sum() / k.sum()
    assert (mask & ~kept).sum().item() / k.sum() == pytest.approx(expected, abs=0.01)


def test_dropout_training_runs_for_every_fusion(cohort):
    modalities, X, y, X_test, _ = cohort
    for fusion in ("early", "late", "attention"):
        plain = FusionClassifier(modalities, fusion=fusion, epochs=2, random_state=0).fit(X, y)
        dropped = FusionClassifier(modalities, fusion=fusion, epochs=2, modality_dropout=0.5,
                                   random_state=0).fit(X, y)
        assert not np.allclose(plain.predict_proba(X_test), dropped.predict_proba(X_test)), fusion


def test_array_input_labels_and_clone(cohort):
    modalities, X, y, X_test, _ = cohort
    columns = [c for cols in modalities.values() for c in cols]
    positions, start = {}, 0
    for name, cols in modalities.items():
        positions[name] = list(range(start, start + len(cols)))
        start += len(cols)
    labels = np.where(y == 1, "event", "none")
    frame_model = FusionClassifier(modalities, fusion="early", epochs=3, random_state=0).fit(X, labels)
    array_model = FusionClassifier(positions, fusion="early", epochs=3, random_state=0)
    array_model.fit(X[columns].to_numpy(), labels)
    np.testing.assert_allclose(frame_model.predict_proba(X_test),
                               array_model.predict_proba(X_test[columns].to_numpy()), atol=1e-6)
    assert set(frame_model.predict(X_test)) <= {"event", "none"}
    assert list(frame_model.classes_) == ["event", "none"]
    assert clone(frame_model).get_params()["modalities"] == modalities


def test_ablation_matches_refitting_by_hand(cohort):
    modalities, X, y, X_test, y_test = cohort
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    result = modality_ablation(lr, modalities, X, y, X_test, y_test)
    every = [c for cols in modalities.values() for c in cols]
    full = clone(lr).fit(X[every], y).predict_proba(X_test[every])[:, 1]
    assert result.full.auc == pytest.approx(roc_auc_score(y_test, full), abs=1e-12)
    for name in modalities:
        cols = [c for m, cs in modalities.items() if m != name for c in cs]
        without = clone(lr).fit(X[cols], y).predict_proba(X_test[cols])[:, 1]
        test = bk.validation.delong_test(y_test, full, without)
        row = result.to_frame().loc[name]
        assert row.auc_without == pytest.approx(roc_auc_score(y_test, without), abs=1e-12)
        assert (row.loss, row.loss_low, row.loss_high) == pytest.approx((test.difference, test.low, test.high))
    assert "without imaging" in repr(result)


def test_ablation_refits_a_fusion_model_on_the_remaining_modalities(cohort):
    modalities, X, y, X_test, y_test = cohort
    model = FusionClassifier(modalities, fusion="early", hidden=0, epochs=5, random_state=0)
    result = modality_ablation(model, modalities, X, y, X_test, y_test)
    assert list(result.table.index) == list(modalities)
    assert set(result.scores) == {"all", "without clinical", "without expression", "without imaging"}
    # refitted without imaging, the model cannot depend on the imaging columns
    reference = clone(model).set_params(modalities={m: c for m, c in modalities.items() if m != "imaging"})
    expected = reference.fit(X, y).predict_proba(X_test)[:, 1]
    np.testing.assert_allclose(result.scores["without imaging"], expected)


def test_bad_inputs_are_refused_with_the_fix(cohort):
    modalities, X, y, X_test, y_test = cohort

    def fit(**kwargs):
        options = {"modalities": modalities, "epochs": 1} | kwargs
        return FusionClassifier(**options).fit(kwargs.pop("X", X), y)

    with pytest.raises(TypeError, match="modalities must be a dict"):
        fit(modalities=["age"])
    with pytest.raises(ValueError, match="is in modalities 'a' and 'b'"):
        fit(modalities={"a": ["age"], "b": ["age"]})
    with pytest.raises(ValueError, match=r"modalities\['a'\] is empty"):
        fit(modalities={"a": []})
    with pytest.raises(TypeError, match=r"modalities\['a'\] must be a list of columns"):
        fit(modalities={"a": "age"})
    with pytest.raises(ValueError, match="fusion must be one of"):
        fit(fusion="middle")
    with pytest.raises(TypeError, match="fusion must be one of"):
        fit(fusion=1)
    with pytest.raises(ValueError, match="hidden must be an integer >= 1"):
        fit(fusion="attention", hidden=0)
    with pytest.raises(ValueError, match=r"modality_dropout must be a number in \[0, 1\)"):
        fit(modality_dropout=1.0)
    with pytest.raises(ValueError, match="validation_fraction must be a number"):
        fit(validation_fraction=1.5)
    with pytest.raises(ValueError, match="device must be"):
        fit(device="abacus")
    with pytest.raises(ValueError, match="X lacks the columns"):
        FusionClassifier({"a": ["no_such_column"]}, epochs=1).fit(X, y)
    partial = X.copy()
    partial.iloc[0, partial.columns.get_loc(modalities["imaging"][0])] = np.nan
    with pytest.raises(ValueError, match="some but not all columns missing"):
        FusionClassifier(modalities, epochs=1).fit(partial, y)
    nothing = X.copy()
    nothing.iloc[0] = np.nan
    with pytest.raises(ValueError, match="1 rows have no modality at all"):
        FusionClassifier(modalities, epochs=1).fit(nothing, y)
    text = X.assign(age=X["age"].astype(str))
    with pytest.raises(TypeError, match="are not numeric"):
        FusionClassifier(modalities, epochs=1).fit(text, y)
    with pytest.raises(ValueError, match="exactly two classes"):
        FusionClassifier(modalities, epochs=1).fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="one label per row of X"):
        FusionClassifier(modalities, epochs=1).fit(X, y[:10])
    with pytest.raises(ValueError, match="not fitted yet"):
        FusionClassifier(modalities).predict_proba(X_test)
    early = FusionClassifier(modalities, fusion="early", epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="attention_weights needs fusion='attention'"):
        early.attention_weights(X_test)
    with pytest.raises(ValueError, match="modality_proba needs fusion='late'"):
        early.modality_proba(X_test)
    with pytest.raises(AttributeError, match="late_weights_"):
        early.late_weights_  # noqa: B018
    lr = make_pipeline(StandardScaler(), LogisticRegression())
    with pytest.raises(ValueError, match="at least 2 modalities"):
        modality_ablation(lr, {"clinical": modalities["clinical"]}, X, y, X_test, y_test)
    with pytest.raises(TypeError, match="X_train must be a pandas DataFrame"):
        modality_ablation(lr, modalities, X.to_numpy(), y, X_test, y_test)
    with pytest.raises(ValueError, match="y_test must hold one label per row"):
        modality_ablation(lr, modalities, X, y, X_test, y_test[:5])
    with pytest.raises(TypeError, match="must be a scikit-learn classifier"):
        modality_ablation("logistic", modalities, X, y, X_test, y_test)


def test_probabilities_are_the_expit_of_the_decision_function(cohort, attention):
    _, _, _, X_test, _ = cohort
    proba = attention.predict_proba(X_test)
    np.testing.assert_allclose(proba[:, 1], expit(attention.decision_function(X_test)))
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert isinstance(attention.attention_weights(X_test), pd.DataFrame)


def test_a_fitted_model_survives_pickling(cohort, attention):
    import pickle

    _, _, _, X_test, _ = cohort
    again = pickle.loads(pickle.dumps(attention))
    np.testing.assert_array_equal(again.predict_proba(X_test), attention.predict_proba(X_test))
