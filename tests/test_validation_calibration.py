"""Calibration measures against statsmodels, scikit-learn and hand computations."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.metrics import brier_score_loss
from statsmodels.nonparametric.smoothers_lowess import lowess
from statsmodels.stats.proportion import proportion_confint

import biomedkit as bk
from biomedkit.validation._smooth import local_linear
from biomedkit.validation.calibration import brier_decomposition, clipped_logit


@pytest.fixture(scope="module")
def miscalibrated():
    rng = np.random.default_rng(0)
    p = rng.beta(2, 5, 3000)
    true = 1 / (1 + np.exp(-(0.4 + 1.3 * clipped_logit(p))))  # too low and too flat on purpose
    y = (rng.random(p.size) < true).astype(int)
    return y, p


def test_citl_and_slope_match_statsmodels_glm(miscalibrated):
    y, p = miscalibrated
    s = bk.validation.calibration_summary(y, p)
    lp = clipped_logit(p)
    citl = sm.GLM(y, np.ones((y.size, 1)), family=sm.families.Binomial(), offset=lp).fit()
    slope = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit()
    assert s.citl == pytest.approx(citl.params[0], abs=1e-8)
    assert (s.citl_low, s.citl_high) == pytest.approx(tuple(citl.conf_int()[0]), abs=1e-6)
    assert s.slope == pytest.approx(slope.params[1], abs=1e-8)
    assert (s.slope_low, s.slope_high) == pytest.approx(tuple(slope.conf_int()[1]), abs=1e-6)
    assert s.slope > 1.1 and s.citl > 0.05 and s.oe_ratio > 1.05  # the miscalibration built in


def test_perfectly_calibrated_risks_give_ideal_values():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.95, 200_000)
    y = (rng.random(p.size) < p).astype(int)
    s = bk.validation.calibration_summary(y, p)
    assert s.citl == pytest.approx(0, abs=0.02) and s.slope == pytest.approx(1, abs=0.02)
    assert s.ici < 0.005 and s.oe_ratio == pytest.approx(1, abs=0.01)


def test_brier_score_equals_scikit_learn(miscalibrated):
    y, p = miscalibrated
    assert bk.validation.calibration_summary(y, p).brier == pytest.approx(brier_score_loss(y, p), abs=1e-15)


def test_brier_decomposition_hand_computed():
    # p = (0.2, 0.2, 0.6, 0.6, 0.9), y = (0, 1, 0, 1, 1). Isotonic recalibration of p:
    # 0.5, 0.5, 0.5, 0.5, 1 (the pools {0.2 x2} and {0.6 x2} both average 0.5 and merge).
    y = np.array([0, 1, 0, 1, 1])
    p = np.array([0.2, 0.2, 0.6, 0.6, 0.9])
    d = brier_decomposition(y, p)
    brier = np.mean((p - y) ** 2)                      # 0.202
    brier_recal = (4 * 0.25 + 0) / 5                   # 0.2
    unc = 0.6 * 0.4                                     # 0.24
    assert d["brier"] == pytest.approx(brier)
    assert d["reliability"] == pytest.approx(brier - brier_recal)   # 0.002
    assert d["resolution"] == pytest.approx(unc - brier_recal)      # 0.04
    assert d["uncertainty"] == pytest.approx(unc)
    assert d["brier"] == pytest.approx(d["reliability"] - d["resolution"] + d["uncertainty"])


def test_smoother_equals_statsmodels_lowess_without_robustness():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, 800)
    y = (rng.random(800) < x**2).astype(float)
    at = np.linspace(0.05, 0.95, 40)
    fit, _ = local_linear(x, y, at, frac=0.5)
    ref = lowess(y, x, frac=0.5, it=0, delta=0, xvals=at)
    np.testing.assert_allclose(fit, ref, atol=1e-10)


def test_ici_e50_e90_are_summaries_of_the_smoothed_errors(miscalibrated):
    y, p = miscalibrated
    s = bk.validation.calibration_summary(y, p, frac=0.75)
    smooth = lowess(y, p, frac=0.75, it=0, delta=0, xvals=p)  # the same smoother, independently
    errors = np.abs(p - smooth)
    assert s.ici == pytest.approx(errors.mean(), rel=1e-6)
    assert s.e50 == pytest.approx(np.median(errors), rel=1e-6)
    assert s.e90 == pytest.approx(np.quantile(errors, 0.9), rel=1e-6)


def test_calibration_curve_bins_use_wilson_intervals(miscalibrated):
    y, p = miscalibrated
    curve = bk.validation.calibration_curve(y, p, n_bins=10)
    b = curve.bins
    assert b["n"].sum() == y.size and len(b) == 10
    low, high = proportion_confint((b["observed"] * b["n"]).round(), b["n"], method="wilson")
    np.testing.assert_allclose(b["observed_low"], low, atol=1e-12)
    np.testing.assert_allclose(b["observed_high"], high, atol=1e-12)
    assert (curve.smooth["low"] <= curve.smooth["observed"]).all()
    assert (curve.smooth["observed"] <= curve.smooth["high"]).all()


def test_calibration_curve_plot_returns_axes(miscalibrated):
    import matplotlib

    matplotlib.use("Agg")
    y, p = miscalibrated
    ax = bk.validation.calibration_curve(y, p).plot()
    assert ax.get_xlabel() == "predicted risk"


@pytest.mark.parametrize("p, message", [
    ([0.1, 1.2, 0.3, 0.4], r"must lie in \[0, 1\]; got values in \[0.1, 1.2\]. Pass probabilities"),
    ([0.1, np.nan, 0.3, 0.4], "contains NaN"),
    ([0.1, 0.2, 0.3], "has 3 values but y_true has 4"),
])
def test_bad_probabilities_are_refused(p, message):
    with pytest.raises(ValueError, match=message):
        bk.validation.calibration_summary([0, 1, 0, 1], p)


@pytest.mark.parametrize("method", ["logistic", "isotonic"])
def test_recalibration_fixes_miscalibrated_risks(miscalibrated, method):
    from sklearn.base import BaseEstimator, ClassifierMixin

    y, p = miscalibrated

    class Fixed(ClassifierMixin, BaseEstimator):  # a "model" that returns the given risks
        def fit(self, X, y):
            self.classes_ = np.array([0, 1])
            return self

        def predict_proba(self, X):
            q = np.asarray(X)[:, 0]
            return np.column_stack([1 - q, q])

    X = p[:, None]
    recal = bk.validation.RecalibratedClassifier(Fixed().fit(X, y), method=method, cv=None).fit(X, y)
    q = recal.predict_proba(X)[:, 1]
    before, after = (bk.validation.calibration_summary(y, r) for r in (p, q))
    assert abs(after.citl) < 0.01 and abs(after.slope - 1) < 0.05
    assert after.ici < before.ici / 3


def test_recalibrated_classifier_passes_scikit_learn_checks():
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(bk.validation.RecalibratedClassifier(cv=3))


def test_brier_decomposition_matches_r_reliabilitydiag():
    # R: summary(reliabilitydiag(pred = z, y = y), score = "brier"), the reference that
    # the model-diagnostics package tests against: S 0.2266667, MCB 0.1016667, DSC 0.125, UNC 0.25
    y = np.array([0, 0, 0, 1, 1, 1])
    z = np.array([0.4, 0.3, 0.2, 0.1, 0.5, 0.9])
    s = bk.validation.calibration_summary(y, z)
    assert s.brier == pytest.approx(0.2266667, abs=5e-8)
    assert s.reliability == pytest.approx(0.1016667, abs=5e-8)
    assert s.resolution == pytest.approx(0.125, abs=5e-8)
    assert s.uncertainty == pytest.approx(0.25, abs=5e-8)


def test_calibration_result_is_the_new_name_and_the_old_one_warns(miscalibrated):
    y, p = miscalibrated
    assert isinstance(bk.validation.calibration_summary(y, p), bk.validation.CalibrationResult)
    with pytest.warns(FutureWarning, match="CalibrationSummary is deprecated.*CalibrationResult"):
        assert bk.validation.CalibrationSummary is bk.validation.CalibrationResult
    with pytest.warns(FutureWarning, match="CalibrationSummary is deprecated"):
        from biomedkit.validation.calibration import CalibrationSummary  # noqa: F401


def test_calibration_options_passed_by_position_warn(miscalibrated):
    y, p = miscalibrated
    with pytest.warns(FutureWarning, match="passing level of calibration_summary"):
        old = bk.validation.calibration_summary(y, p, 0.9)
    assert old == bk.validation.calibration_summary(y, p, level=0.9)
    with pytest.warns(FutureWarning, match="passing n_bins of calibration_curve"):
        old = bk.validation.calibration_curve(y, p, 5)
    pd.testing.assert_frame_equal(old.bins, bk.validation.calibration_curve(y, p, n_bins=5).bins)


def test_recalibration_options_passed_by_position_warn():
    with pytest.warns(FutureWarning, match="passing method of .*__init__"):
        model = bk.validation.RecalibratedClassifier(None, "isotonic")
    assert model.get_params()["method"] == "isotonic"


@pytest.mark.parametrize("n_bins, words", [(10, "deciles"), (5, "5 groups of equal size"),
                                           (4, "4 groups of equal size")])
def test_calibration_bins_are_named_for_what_they_are(miscalibrated, n_bins, words):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y, p = miscalibrated
    curve = bk.validation.calibration_curve(y, p, n_bins=n_bins)
    # the bins hold the same number of patients (to one), in order of predicted risk
    assert len(curve.bins) == n_bins and curve.bins["n"].max() - curve.bins["n"].min() <= 1
    assert curve.binning == words
    ax = curve.plot()
    assert words in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
    # fewer patients than bins: as many bins as patients, named by their number
    assert bk.validation.calibration_curve([0, 1, 1], [0.2, 0.5, 0.7], n_bins=10).binning == \
        "3 groups of equal size"
