"""ComBat against neuroCombat (a Python port of R sva's ComBat), on simulated batch effects,
and as a scikit-learn transformer."""

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import biomedkit as bk
from biomedkit.preprocessing import ComBat


@pytest.fixture(scope="module")
def expr():
    data, truth = bk.simulate.expression(n_samples=120, n_genes=150, n_subtypes=2, n_batches=3,
                                         random_state=1)
    frame = data.frame.assign(batch=data.frame["batch"].astype(str))
    genes = [c for c in frame.columns if c.startswith("g")]
    return frame, genes


def _neurocombat(frame, genes, covariates, ref, parametric, monkeypatch):
    nc = pytest.importorskip("neuroCombat")
    # neuroCombat 0.2.12 still calls np.int (gone in numpy 2) when given ref_batch
    monkeypatch.setattr(np, "int", int, raising=False)
    covars = pd.DataFrame({"batch": frame["batch"].to_numpy(), "outcome": frame["outcome"].to_numpy()})
    with contextlib.redirect_stdout(io.StringIO()):
        out = nc.neuroCombat(frame[genes].to_numpy(float).T, covars, "batch",
                             categorical_cols=covariates, ref_batch=ref, parametric=parametric)
    return out["data"].T, out["estimates"]


@pytest.mark.parametrize("covariates, ref, parametric", [
    (None, None, True), (["outcome"], None, True), (["outcome"], "batch_2", True),
    (None, "batch_1", True), (["outcome"], None, False), (None, "batch_3", False),
])
def test_agrees_with_neurocombat(expr, covariates, ref, parametric, monkeypatch):
    frame, genes = expr
    expected, est = _neurocombat(frame, genes, covariates, ref, parametric, monkeypatch)
    X = frame if covariates else frame.drop(columns="outcome")
    combat = ComBat(batch="batch", covariates=covariates, reference_batch=ref, parametric=parametric)
    got = combat.fit_transform(X)
    assert got.shape == (len(frame), len(genes))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(combat.gamma_star_, est["gamma.star"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(combat.delta_star_, est["delta.star"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(combat.var_pooled_, est["var.pooled"].ravel(), rtol=1e-10)
    if ref is not None:  # the reference batch is left as it was
        at_ref = (frame["batch"] == ref).to_numpy()
        np.testing.assert_array_equal(got[at_ref], frame.loc[at_ref, genes].to_numpy())


def test_hand_checked_priors_on_a_small_case():
    # two batches, two features, no covariates: every quantity by hand
    Y = np.array([[1.0, 10.0], [3.0, 14.0], [2.0, 11.0], [6.0, 20.0], [8.0, 22.0], [7.0, 24.0]])
    X = pd.DataFrame(Y, columns=["a", "b"]).assign(batch=["u"] * 3 + ["v"] * 3)
    c = ComBat(batch="batch").fit(X)
    means = np.array([Y[:3].mean(0), Y[3:].mean(0)])
    np.testing.assert_allclose(c.grand_mean_, means.mean(0))
    resid = Y - np.repeat(means, 3, axis=0)
    np.testing.assert_allclose(c.var_pooled_, (resid ** 2).mean(0))
    s = (Y - c.grand_mean_) / np.sqrt(c.var_pooled_)
    np.testing.assert_allclose(c.gamma_hat_, [s[:3].mean(0), s[3:].mean(0)])
    np.testing.assert_allclose(c.delta_hat_, [s[:3].var(0, ddof=1), s[3:].var(0, ddof=1)])
    np.testing.assert_allclose(c.tau2_, c.gamma_hat_.var(1, ddof=1))
    m, v = c.delta_hat_.mean(1), c.delta_hat_.var(1, ddof=1)
    np.testing.assert_allclose(c.a_prior_, (2 * v + m ** 2) / v)
    np.testing.assert_allclose(c.b_prior_, (m * v + m ** 3) / v)
    # the posterior means are a fixed point of sva's equations (to the 1e-4 stopping rule)
    g, d = c.gamma_star_, c.delta_star_
    post_g = (c.tau2_[:, None] * 3 * c.gamma_hat_ + d * c.gamma_bar_[:, None]) / (c.tau2_[:, None] * 3 + d)
    np.testing.assert_allclose(g, post_g, rtol=1e-3)


def test_recovers_simulated_batch_effect():
    data, truth = bk.simulate.expression(n_samples=300, n_genes=200, n_subtypes=1, n_batches=3,
                                         random_state=3)
    frame = data.frame
    genes = list(truth.clean.columns)
    raw = frame[genes]
    corrected = ComBat(batch="batch").set_output(transform="pandas").fit_transform(frame.drop(columns="outcome"))
    assert list(corrected.columns) == genes and corrected.index.equals(frame.index)

    def batch_mean_spread(values):
        means = values.groupby(frame["batch"], observed=True).mean()
        return float((means - means.mean()).abs().mean().mean())

    before, after = batch_mean_spread(raw), batch_mean_spread(corrected)
    assert after < 0.1 * before
    # the noise scale of each batch is also equalised
    sd = corrected.groupby(frame["batch"], observed=True).std()
    raw_sd = raw.groupby(frame["batch"], observed=True).std()
    assert (sd.max() / sd.min()).median() < (raw_sd.max() / raw_sd.min()).median()

    def corr_with_clean(values):
        return np.median([np.corrcoef(values[g], truth.clean[g])[0, 1] for g in genes])

    assert corr_with_clean(corrected) > corr_with_clean(raw) + 0.05
    # the additive effect is recovered up to a common shift
    fitted = ComBat(batch="batch").fit(frame.drop(columns="outcome"))
    est = fitted.gamma_star_ * np.sqrt(fitted.var_pooled_)
    true = truth.additive.to_numpy()
    assert np.corrcoef((est - est.mean(0)).ravel(), (true - true.mean(0)).ravel())[0, 1] > 0.9


def test_warns_when_batch_and_outcome_are_confounded():
    data, _ = bk.simulate.expression(n_samples=200, n_genes=50, n_subtypes=2, n_batches=2,
                                     confounding=1.0, random_state=0)
    with pytest.warns(UserWarning, match="confounded"), pytest.raises(ValueError, match="completely"):
        ComBat(batch="batch", covariates=["outcome"]).fit(data.frame)
    data, _ = bk.simulate.expression(n_samples=200, n_genes=50, n_subtypes=2, n_batches=2,
                                     confounding=0.95, random_state=0)
    with pytest.warns(UserWarning, match="confounded"):
        ComBat(batch="batch", covariates=["outcome"]).fit(data.frame)
    # a subtype found in one batch only
    frame = data.frame.assign(outcome=data.frame["outcome"].astype(str))
    first = frame.index[frame["batch"] == "batch_1"][:3]
    frame.loc[first, "outcome"] = "rare"
    with pytest.warns(UserWarning, match="rare"):
        ComBat(batch="batch", covariates=["outcome"]).fit(frame)


def test_no_warning_without_confounding(expr):
    frame, _ = expr
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ComBat(batch="batch", covariates=["outcome"]).fit(frame)


def test_transform_new_samples_uses_fitted_parameters(expr):
    frame, genes = expr
    rng = np.random.default_rng(0)
    test = rng.random(len(frame)) < 0.3
    train, new = frame[~test], frame[test]
    c = ComBat(batch="batch", covariates=["outcome"]).fit(train)
    got = c.transform(new)
    b = np.searchsorted(c.batches_, new["batch"].to_numpy())
    mod = new["outcome"].to_numpy()[:, None] * c.covariate_coef_[0]
    sd = np.sqrt(c.var_pooled_)
    s = (new[genes].to_numpy() - c.grand_mean_ - mod) / sd
    expected = (s - c.gamma_star_[b]) / np.sqrt(c.delta_star_[b]) * sd + c.grand_mean_ + mod
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # row by row, and the training rows reproduce fit_transform
    np.testing.assert_allclose(c.transform(new.iloc[:5]), got[:5])
    np.testing.assert_allclose(c.transform(train), c.fit_transform(train))
    with pytest.raises(ValueError, match="batch_9"):
        c.transform(new.assign(batch=np.where(np.arange(len(new)) < 2, "batch_9", new["batch"])))
    # a categorical covariate level not seen in fit has no coefficient
    labelled = frame.assign(outcome=frame["outcome"].map({0: "control", 1: "case"}))
    c = ComBat(batch="batch", covariates=["outcome"]).fit(labelled)
    with pytest.raises(ValueError, match="'unknown'"):
        c.transform(labelled.assign(outcome="unknown"))


def test_reference_batch_transform_and_unknown_reference(expr):
    frame, genes = expr
    c = ComBat(batch="batch", reference_batch="batch_1").fit(frame.drop(columns="outcome"))
    ref = frame[frame["batch"] == "batch_1"].drop(columns="outcome")
    np.testing.assert_array_equal(c.transform(ref), ref[genes].to_numpy())
    with pytest.raises(ValueError, match="reference_batch"):
        ComBat(batch="batch", reference_batch="nope").fit(frame)


def test_inputs_not_mutated(expr):
    frame, _ = expr
    before = frame.copy()
    c = ComBat(batch="batch", covariates=["outcome"])
    c.fit_transform(frame)
    c.transform(frame)
    pd.testing.assert_frame_equal(frame, before)
    arr = frame.to_numpy(dtype=object)
    arr_before = arr.copy()
    ComBat(batch=arr.shape[1] - 2, covariates=[arr.shape[1] - 1]).fit_transform(arr)
    np.testing.assert_array_equal(arr, arr_before)


def test_pipeline_feature_names_and_pandas_output(expr):
    frame, genes = expr
    pipe = make_pipeline(ComBat(batch="batch", covariates=["outcome"]), StandardScaler())
    pipe.set_output(transform="pandas")
    out = pipe.fit_transform(frame)
    assert list(out.columns) == genes
    assert list(pipe.get_feature_names_out()) == genes
    # column positions on an object array give the same numbers
    arr = frame.to_numpy(dtype=object)
    c = ComBat(batch=frame.columns.get_loc("batch"), covariates=[frame.columns.get_loc("outcome")])
    np.testing.assert_allclose(c.fit_transform(arr),
                               ComBat(batch="batch", covariates=["outcome"]).fit_transform(frame))
    assert list(c.get_feature_names_out()) == [f"x{i}" for i in range(len(genes))]


def test_bad_parameters(expr):
    frame, _ = expr
    with pytest.raises(ValueError, match="batch="):
        ComBat().fit(frame)
    with pytest.raises(ValueError, match="not a column"):
        ComBat(batch="site").fit(frame)
    with pytest.raises(ValueError, match="no column names"):
        ComBat(batch="batch").fit(frame.to_numpy())
    with pytest.raises(ValueError, match="at least 2 batches"):
        ComBat(batch="batch").fit(frame.assign(batch="one"))
    with pytest.raises(ValueError, match="one sample"):
        ComBat(batch="batch").fit(frame.assign(batch=["solo"] + ["rest"] * (len(frame) - 1)))


def test_options_by_position_still_work_with_a_warning(expr):
    frame, _ = expr
    expected = ComBat(batch="batch", covariates=["outcome"], parametric=False).fit_transform(frame)
    with pytest.warns(FutureWarning, match="passing covariates, parametric of ComBat"):
        combat = ComBat("batch", ["outcome"], False)
    assert combat.get_params() == ComBat(batch="batch", covariates=["outcome"], parametric=False).get_params()
    np.testing.assert_array_equal(combat.fit_transform(frame), expected)


# --- scikit-learn's estimator checks -------------------------------------------------------
# Generic check data has no batch column, so the checks run ComBat with a callable batch that
# derives a label from each row's own first value (the same label for the same row, whatever
# the order or subset of rows, as the checks require).
class RowParity:
    def __call__(self, X):
        return (np.floor(np.asarray(X[:, 0], dtype=float) * 1001) % 2).astype(int)

    def __repr__(self):  # stable test ids
        return "RowParity()"


@parametrize_with_checks([ComBat(batch=RowParity())])
def test_sklearn_compatible(estimator, check):
    check(estimator)
