"""Leave-one-site-out validation against a hand loop over scikit-learn's LeaveOneGroupOut;
federated averaging against pooled gradient descent and scikit-learn's LogisticRegression;
secure aggregation: exact sums and messages that do not depend on any site's update."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import ks_2samp, kstest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import biomedkit as bk
from biomedkit.multisite import POOLED, FederatedLogisticRegression

FEATURES = ["age", "sbp", "smoker", "diabetes", "hdl"]


@pytest.fixture(scope="module")
def hospitals():
    data, _ = bk.simulate.cohort(n=1500, n_sites=4, random_state=2)
    return data.frame[FEATURES], data.frame["event"], data.frame["site"]


def model():
    return make_pipeline(StandardScaler(), LogisticRegression())


# --- leave-one-site-out ---------------------------------------------------------------

def _manual_predictions(X, y, sites):
    """Out-of-site risks by a hand loop over LeaveOneGroupOut."""
    risk = np.empty(len(y))
    for train, test in LeaveOneGroupOut().split(X, y, groups=sites):
        fitted = clone(model()).fit(X.iloc[train], y.iloc[train])
        risk[test] = fitted.predict_proba(X.iloc[test])[:, 1]
    return risk


def test_loso_auc_matches_manual_leave_one_group_out_loop(hospitals):
    X, y, sites = hospitals
    table = bk.multisite.leave_one_site_out(model(), X, y, sites)
    risk = _manual_predictions(X, y, sites)
    assert list(table.index) == ["site_1", "site_2", "site_3", "site_4", POOLED]
    for site in ["site_1", "site_2", "site_3", "site_4"]:
        at = (sites == site).to_numpy()
        assert table.loc[site, "n"] == at.sum() and table.loc[site, "events"] == y[at].sum()
        assert table.loc[site, "auc"] == pytest.approx(roc_auc_score(y[at], risk[at]), abs=1e-12)
        assert table.loc[site, "brier"] == pytest.approx(brier_score_loss(y[at], risk[at]), abs=1e-12)


def test_loso_intervals_match_auc_ci_and_calibration_summary(hospitals):
    X, y, sites = hospitals
    table = bk.multisite.leave_one_site_out(model(), X, y, sites, level=0.9)
    risk = _manual_predictions(X, y, sites)
    for site in ["site_1", "site_3"]:
        at = (sites == site).to_numpy()
        auc = bk.validation.auc_ci(y[at], risk[at], level=0.9)
        cal = bk.validation.calibration_summary(y[at], risk[at], level=0.9)
        row = table.loc[site]
        np.testing.assert_allclose([row.auc_low, row.auc_high, row.auc_se], [auc.low, auc.high, auc.se])
        np.testing.assert_allclose([row.citl, row.citl_low, row.citl_high, row.slope, row.slope_low,
                                    row.slope_high], [cal.citl, cal.citl_low, cal.citl_high, cal.slope,
                                                      cal.slope_low, cal.slope_high], rtol=1e-10)
        sq = (risk[at] - y[at]) ** 2  # the Brier score is a mean: its se is sd / sqrt(n)
        assert row.brier_se == pytest.approx(sq.std(ddof=1) / np.sqrt(at.sum()))


def test_loso_pooled_row_is_the_random_effects_meta_analysis(hospitals):
    X, y, sites = hospitals
    table = bk.multisite.leave_one_site_out(model(), X, y, sites)
    per_site = table.drop(index=POOLED)
    auc = bk.validation.random_effects(per_site.auc, per_site.auc_se ** 2, scale="logit")
    citl = bk.validation.random_effects(per_site.citl, per_site.citl_se ** 2)
    np.testing.assert_allclose(table.loc[POOLED, ["auc", "auc_low", "auc_high"]].astype(float),
                               [auc.pooled, auc.low, auc.high])
    np.testing.assert_allclose(table.loc[POOLED, ["citl", "citl_low", "citl_high"]].astype(float),
                               [citl.pooled, citl.low, citl.high])
    pooled = bk.multisite.pool_sites(table)
    assert list(pooled.index) == ["auc", "brier", "citl", "slope"]
    assert pooled.loc["auc", "prediction_low"] == pytest.approx(auc.prediction_low)
    assert pooled.loc["citl", "i2"] == pytest.approx(citl.i2) and pooled.loc["citl", "k"] == 4
    assert table.loc[POOLED, "n"] == len(y) and table.loc[POOLED, "events"] == y.sum()
    narrow = bk.multisite.pool_sites(table, level=0.5)
    with pytest.warns(FutureWarning, match=r"passing level of pool_sites\(\) by position"):
        pd.testing.assert_frame_equal(bk.multisite.pool_sites(table, 0.5), narrow)
    assert narrow.loc["auc", "high"] < pooled.loc["auc", "high"]


def test_loso_scoring_chooses_the_columns(hospitals):
    X, y, sites = hospitals
    table = bk.multisite.leave_one_site_out(model(), X, y, sites, scoring="auc")
    assert [c for c in table if c.startswith(("brier", "citl", "slope"))] == []
    assert {"auc", "auc_low", "auc_high", "auc_se"} <= set(table)


def test_loso_does_not_mutate_inputs(hospitals):
    X, y, sites = hospitals
    copies = X.copy(), y.copy(), sites.copy()
    bk.multisite.leave_one_site_out(model(), X, y, sites)
    pd.testing.assert_frame_equal(X, copies[0])
    pd.testing.assert_series_equal(y, copies[1])
    pd.testing.assert_series_equal(sites, copies[2])


def test_loso_site_with_one_class_warns_and_is_left_out_of_the_pooling(hospitals):
    X, y, sites = hospitals
    y = y.copy()
    y[sites == "site_2"] = 0
    with pytest.warns(UserWarning, match=r"\['site_2'\] have a single outcome class"):
        table = bk.multisite.leave_one_site_out(model(), X, y, sites)
    assert np.isnan(table.loc["site_2", ["auc", "citl", "slope"]].astype(float)).all()
    assert "one outcome class" in table.loc["site_2", "note"]
    assert bk.multisite.pool_sites(table).loc["auc", "k"] == 3


@pytest.mark.parametrize("change, message", [
    (lambda X, y, s: (X, y, np.repeat("a", len(y))), "single site"),
    (lambda X, y, s: (X, y, s[:-1]), "sites has 1499 values but y has 1500"),
    (lambda X, y, s: (X.iloc[:-1], y, s), "X has 1499 rows but y has 1500"),
    (lambda X, y, s: (X, y, s.astype(object).where(np.arange(len(s)) > 0)), "sites contains missing"),
    (lambda X, y, s: (X, y.where(s != "site_1", 0).where(s == "site_1", 1), s), "single outcome class"),
])
def test_loso_bad_input_is_named(hospitals, change, message):
    X, y, sites = change(*hospitals)
    with pytest.raises(ValueError, match=message):
        bk.multisite.leave_one_site_out(model(), X, y, sites)


def test_loso_unknown_measure(hospitals):
    with pytest.raises(ValueError, match="scoring must name measures"):
        bk.multisite.leave_one_site_out(model(), *hospitals, scoring=("auc", "accuracy"))


# --- federated averaging ----------------------------------------------------------------

def _sites(shifts=(-1.0, 0.0, 1.5), sizes=(120, 200, 80), seed=0):
    """Hospitals whose patients differ (non-IID): shifted features, different base rates."""
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for shift, n in zip(shifts, sizes):
        X = rng.normal(shift, 1.0, size=(n, 3))
        ys.append(rng.binomial(1, expit(-0.5 + X @ np.array([1.0, -0.7, 0.3]))).astype(float))
        Xs.append(X)
    return Xs, ys


def _pooled_gradient_descent(X, y, steps, learning_rate, alpha=0.0):
    """Plain gradient descent on the pooled data, written out independently."""
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        gw = X.T @ (p - y) / len(y) + alpha * w
        gb = np.mean(p - y)
        w, b = w - learning_rate * gw, b - learning_rate * gb
    return w, b


@pytest.mark.parametrize("rounds, alpha", [(1, 0.0), (3, 0.2)])
def test_full_batch_fedavg_round_equals_a_pooled_gradient_step(rounds, alpha):
    Xs, ys = _sites()
    fit = bk.multisite.fedavg(Xs, ys, rounds=rounds, local_steps=1, learning_rate=0.3, alpha=alpha)
    w, b = _pooled_gradient_descent(np.vstack(Xs), np.concatenate(ys), rounds, 0.3, alpha)
    np.testing.assert_allclose(fit.coef_, w, rtol=1e-12, atol=1e-15)
    assert fit.intercept_ == pytest.approx(b, rel=1e-12)


def test_equal_weighting_is_not_a_pooled_step_when_sites_differ_in_size():
    Xs, ys = _sites()
    fit = bk.multisite.fedavg(Xs, ys, rounds=1, learning_rate=0.3, weighting="equal")
    w, _ = _pooled_gradient_descent(np.vstack(Xs), np.concatenate(ys), 1, 0.3)
    assert np.abs(fit.coef_ - w).max() > 1e-3


def test_fedavg_converges_to_sklearn_unpenalised_pooled_fit():
    Xs, ys = _sites()
    fit = bk.multisite.fedavg(Xs, ys, rounds=3000, learning_rate=2.0)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=1000).fit(np.vstack(Xs), np.concatenate(ys))
    np.testing.assert_allclose(fit.coef_, ref.coef_[0], atol=1e-5)
    assert fit.intercept_ == pytest.approx(ref.intercept_[0], abs=1e-5)
    assert (np.diff(fit.history.log_loss) <= 1e-14).all()  # gradient descent never goes uphill


def test_fedavg_l2_penalty_matches_sklearn_c():
    Xs, ys = _sites()
    alpha, n = 0.05, sum(len(y) for y in ys)
    fit = bk.multisite.fedavg(Xs, ys, rounds=400, local_steps=5, learning_rate=0.5, alpha=alpha)
    ref = LogisticRegression(C=1 / (alpha * n), tol=1e-12).fit(np.vstack(Xs), np.concatenate(ys))
    # several local steps on non-identical sites settle a little away from the pooled fit
    assert 1e-3 < np.abs(fit.coef_ - ref.coef_[0]).max() < 0.05
    one_step = bk.multisite.fedavg(Xs, ys, rounds=400, local_steps=1, learning_rate=2.0, alpha=alpha)
    np.testing.assert_allclose(one_step.coef_, ref.coef_[0], atol=1e-6)


def test_fedavg_history_and_names():
    Xs, ys = _sites()
    frames = [pd.DataFrame(X, columns=["a", "b", "c"]) for X in Xs]
    fit = bk.multisite.fedavg(frames, ys, rounds=5)
    assert list(fit.history.columns) == ["round", "log_loss", "intercept", "a", "b", "c"]
    assert fit.history["round"].tolist() == list(range(6))
    np.testing.assert_array_equal(fit.history.iloc[-1][["a", "b", "c"]].to_numpy(float), fit.coef_)
    assert fit.history.loc[0, "log_loss"] == pytest.approx(np.log(2))
    np.testing.assert_allclose(fit.predict_risk(Xs[0]), expit(Xs[0] @ fit.coef_ + fit.intercept_))
    table = fit.to_frame()
    pd.testing.assert_frame_equal(table, fit.history)
    table.loc[0, "a"] = 99.0  # a copy: the result keeps its history
    assert fit.history.loc[0, "a"] == 0


def test_fedavg_minibatches_are_seeded():
    Xs, ys = _sites()
    kw = dict(rounds=5, local_steps=3, batch_size=16)
    a = bk.multisite.fedavg(Xs, ys, random_state=1, **kw)
    b = bk.multisite.fedavg(Xs, ys, random_state=1, **kw)
    c = bk.multisite.fedavg(Xs, ys, random_state=2, **kw)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not np.allclose(a.coef_, c.coef_)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_secure_fedavg_equals_plain_fedavg(batch_size):
    Xs, ys = _sites()
    kw = dict(rounds=20, local_steps=4, batch_size=batch_size, random_state=0)
    plain = bk.multisite.fedavg(Xs, ys, **kw)
    secure = bk.multisite.fedavg(Xs, ys, secure=True, **kw)
    np.testing.assert_allclose(secure.coef_, plain.coef_, atol=1e-8)
    assert secure.intercept_ == pytest.approx(plain.intercept_, abs=1e-8)


def test_fedavg_does_not_mutate_inputs():
    Xs, ys = _sites()
    copies = [X.copy() for X in Xs], [y.copy() for y in ys]
    bk.multisite.fedavg(Xs, ys, rounds=3, local_steps=2, batch_size=10, random_state=0)
    for X, X0, y, y0 in zip(Xs, copies[0], ys, copies[1]):
        np.testing.assert_array_equal(X, X0)
        np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("args, kwargs, message", [
    (lambda Xs, ys: (Xs, ys[:2]), {}, "same number"),
    (lambda Xs, ys: ([Xs[0], Xs[1][:, :2], Xs[2]], ys), {}, r"X_by_site\[1\] must be a non-empty 2-d"),
    (lambda Xs, ys: (Xs, [ys[0], ys[1][:-1], ys[2]]), {}, r"y_by_site\[1\] must have one value per row"),
    (lambda Xs, ys: (Xs, [ys[0], ys[1] * 2, ys[2]]), {}, r"y_by_site\[1\] must hold only 0 and 1"),
    (lambda Xs, ys: ([np.where(Xs[0] > 2, np.nan, Xs[0]), *Xs[1:]], ys), {}, "NaN"),
    (lambda Xs, ys: (Xs, [np.zeros_like(y) for y in ys]), {}, "only one class"),
    (lambda Xs, ys: (Xs, ys), {"weighting": "size"}, "weighting must be"),
    (lambda Xs, ys: (Xs, ys), {"rounds": 0}, "rounds must be an integer >= 1"),
    (lambda Xs, ys: (Xs, ys), {"learning_rate": -1.0}, "learning_rate"),
])
def test_fedavg_bad_input_is_named(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        bk.multisite.fedavg(*args(*_sites()), **kwargs)


def test_fedavg_wants_a_list_of_sites():
    Xs, ys = _sites()
    with pytest.raises(TypeError, match="sequence"):
        bk.multisite.fedavg(np.vstack(Xs), ys)


def test_estimator_with_sites_equals_fedavg():
    Xs, ys = _sites()
    X, y = np.vstack(Xs), np.concatenate(ys)
    sites = np.repeat(["u", "v", "w"], [len(v) for v in ys])
    kw = dict(rounds=30, local_steps=3, learning_rate=0.4)
    est = FederatedLogisticRegression(**kw).fit(X, y, sites=sites)
    ref = bk.multisite.fedavg(Xs, ys, **kw)
    np.testing.assert_allclose(est.coef_[0], ref.coef_, rtol=1e-12)
    # in a pipeline the sites travel as a fit parameter of the step
    pipe = make_pipeline(FederatedLogisticRegression(**kw))
    pipe.fit(X, y, federatedlogisticregression__sites=sites)
    np.testing.assert_allclose(pipe[-1].coef_, est.coef_)
    np.testing.assert_allclose(est.predict_proba(X)[:, 1], ref.predict_risk(X))


@parametrize_with_checks([FederatedLogisticRegression(rounds=50, random_state=0)])
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)


def test_estimator_options_passed_by_position_still_work_with_a_warning():
    old_call = r"passing rounds, local_steps of FederatedLogisticRegression.__init__\(\) by position"
    with pytest.warns(FutureWarning, match=old_call):
        old = FederatedLogisticRegression(30, 3)
    assert old.get_params() == FederatedLogisticRegression(rounds=30, local_steps=3).get_params()


# --- secure aggregation -----------------------------------------------------------------

def test_shares_reconstruct_exactly_in_fixed_point():
    exact = np.array([0.25, -3.0, 1e6, -2.0 ** -32])        # multiples of 2**-32
    shares = bk.multisite.secret_shares(exact, n_shares=4, random_state=0)
    assert shares.dtype == np.uint64 and shares.shape == (4, 4)
    np.testing.assert_array_equal(bk.multisite.reconstruct(shares), exact)
    x = np.random.default_rng(1).normal(0, 100, 50)
    got = bk.multisite.reconstruct(bk.multisite.secret_shares(x, 3, random_state=2))
    assert np.abs(got - x).max() <= 2.0 ** -33
    with pytest.warns(FutureWarning, match=r"passing random_state of secret_shares\(\) by position"):
        old = bk.multisite.secret_shares(x, 3, 2)
    np.testing.assert_array_equal(old, bk.multisite.secret_shares(x, 3, random_state=2))


def test_secure_sum_recovers_the_plain_sum():
    updates = np.random.default_rng(3).normal(0, 10, (5, 20))
    result = bk.multisite.secure_sum(updates, random_state=0)
    assert np.abs(result.total - updates.sum(axis=0)).max() <= 5 * 2.0 ** -33
    assert result.messages.shape == (5, 20) and result.messages.dtype == np.uint64
    assert isinstance(result, bk.multisite.SecureSumResult)
    with pytest.warns(FutureWarning, match=r"passing random_state of secure_sum\(\) by position"):
        old = bk.multisite.secure_sum(updates, 0)
    np.testing.assert_array_equal(old.messages, result.messages)


def test_secure_sum_result_keeps_its_old_name_with_a_warning():
    from biomedkit.multisite import secure

    for module in (bk.multisite, secure):
        with pytest.warns(FutureWarning, match=r"SecureSum is deprecated .* use "
                                               r"biomedkit\.multisite\.(secure\.)?SecureSumResult instead"):
            assert module.SecureSum is bk.multisite.SecureSumResult
    with pytest.warns(FutureWarning, match="SecureSum is deprecated"):
        from biomedkit.multisite import SecureSum  # noqa: F401
    with pytest.raises(AttributeError, match="has no attribute 'SecureSums'"):
        bk.multisite.SecureSums  # noqa: B018


def test_server_view_is_the_same_for_any_updates_with_the_same_total():
    # a coupling proof of secrecy: with the sites' random draws held fixed, two sets of updates
    # that differ site by site but share their sum produce the very same messages
    a = np.array([[1.5, -2.0], [4.0, 0.25], [-3.0, 7.0]])
    b = np.array([[-100.0, 50.0], [105.5, -51.75], [-3.0, 7.0]])
    assert (a.sum(axis=0) == b.sum(axis=0)).all()
    view_a = bk.multisite.secure_sum(a, random_state=7).messages
    view_b = bk.multisite.secure_sum(b, random_state=7).messages
    np.testing.assert_array_equal(view_a, view_b)
    other = bk.multisite.secure_sum(a + [[0, 0], [0, 0], [1.0, 0]], random_state=7).messages
    assert not (other == view_a).all()  # the view does depend on the total


def test_each_message_is_uniform_whatever_the_update():
    # site 1's update is 0 or a million: every message the server gets, as a fraction of
    # 2**64, is uniform on [0, 1) in both cases and the two cases are indistinguishable
    draws = {}
    for secret in (0.0, 1e6):
        updates = np.array([[secret], [2.0], [-1.0]])
        msgs = np.array([bk.multisite.secure_sum(updates, random_state=seed).messages[:, 0]
                         for seed in range(600)], dtype=float) / 2.0 ** 64
        draws[secret] = msgs
        for site in range(3):
            assert kstest(msgs[:, site], "uniform").pvalue > 0.001
    for site in range(3):
        assert ks_2samp(draws[0.0][:, site], draws[1e6][:, site]).pvalue > 0.001
    # and a single share of a lone secret is uniform too, the last (computed) one included
    shares = np.array([bk.multisite.secret_shares([1e6], 3, random_state=s)[:, 0]
                       for s in range(600)], dtype=float) / 2.0 ** 64
    for j in range(3):
        assert kstest(shares[:, j], "uniform").pvalue > 0.001


@pytest.mark.parametrize("updates, message", [
    ([[1.0, 2.0]], "at least 2 sites"),
    ([[1.0, np.nan], [0.0, 1.0]], "NaN"),
    ([[2.0 ** 31, 0.0], [0.0, 1.0]], "too large|2\\*\\*30"),
    ([[1.0, 2.0], [1.0]], "equal length"),
])
def test_secure_sum_bad_input(updates, message):
    with pytest.raises(ValueError, match=message):
        bk.multisite.secure_sum(updates)


def test_secret_shares_bad_input():
    with pytest.raises(ValueError, match="n_shares must be an integer >= 2"):
        bk.multisite.secret_shares([1.0], n_shares=1)
    with pytest.raises(ValueError, match="uint64"):
        bk.multisite.reconstruct(np.ones((2, 3)))
