"""Predictive values against Bayes' rule by hand and a large simulated sample; the prior-shift
correction against its logit form, hand values and calibration on simulated data; the
resampling classifier against imbalanced-learn's own pipeline and scikit-learn's checks."""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from imblearn.under_sampling import RandomUnderSampler
from scipy.special import expit, logit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.utils.estimator_checks import parametrize_with_checks

import biomedkit as bk
from biomedkit.imbalance import ResampledClassifier

# --- predictive values ----------------------------------------------------------------

def test_predictive_values_by_hand():
    # 10,000 people, 1 % diseased: 90 true positives of 100 sick, 495 false positives of 9,900
    assert bk.imbalance.ppv_at_prevalence(0.9, 0.95, 0.01) == pytest.approx(90 / (90 + 495))
    assert bk.imbalance.npv_at_prevalence(0.9, 0.95, 0.01) == pytest.approx(9405 / (9405 + 10))
    assert bk.imbalance.ppv_at_prevalence(0.8, 0.8, 0.5) == pytest.approx(0.8)  # symmetric test


def test_predictive_values_match_a_large_simulated_sample():
    rng = np.random.default_rng(0)
    n, sens, spec, prev = 2_000_000, 0.85, 0.97, 0.02
    sick = rng.random(n) < prev
    positive = np.where(sick, rng.random(n) < sens, rng.random(n) > spec)
    ppv, npv = sick[positive].mean(), (~sick[~positive]).mean()
    se_ppv = np.sqrt(ppv * (1 - ppv) / positive.sum())
    se_npv = np.sqrt(npv * (1 - npv) / (~positive).sum())
    assert abs(bk.imbalance.ppv_at_prevalence(sens, spec, prev) - ppv) < 4 * se_ppv
    assert abs(bk.imbalance.npv_at_prevalence(sens, spec, prev) - npv) < 4 * se_npv


def test_predictive_values_broadcast():
    prev = np.array([0.5, 0.1, 0.01])
    sens = np.array([[0.7], [0.9]])
    got = bk.imbalance.ppv_at_prevalence(sens, 0.95, prev)
    assert got.shape == (2, 3)
    for i, s in enumerate(sens[:, 0]):
        for j, p in enumerate(prev):
            assert got[i, j] == pytest.approx(bk.imbalance.ppv_at_prevalence(s, 0.95, p))
    assert isinstance(bk.imbalance.npv_at_prevalence(0.9, 0.9, 0.1), float)
    assert np.diff(got, axis=1).max() < 0  # rarer disease, lower PPV


def test_predictive_values_nan_when_no_one_tests_positive():
    assert np.isnan(bk.imbalance.ppv_at_prevalence(0.0, 1.0, 0.2))
    assert np.isnan(bk.imbalance.npv_at_prevalence(1.0, 0.5, 1.0))  # everyone sick, all found


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(sensitivity=90, specificity=0.9, prevalence=0.1), ValueError, "sensitivity must lie in"),
    (dict(sensitivity=0.9, specificity=[0.9, np.nan], prevalence=0.1), ValueError, "specificity must lie in"),
    (dict(sensitivity=0.9, specificity=0.9, prevalence="1%"), TypeError, "prevalence must be numeric"),
])
def test_predictive_values_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        bk.imbalance.ppv_at_prevalence(**kwargs)


# --- prior-shift correction -------------------------------------------------------------

def test_prior_shift_correction_by_hand():
    # balanced training, true prevalence 2 %: odds 4 become 4 * (0.02 / 0.98)
    odds = 4 * 0.02 / 0.98
    got = bk.imbalance.prior_shift_correction([0.8, 0.5, 0.0, 1.0], 0.5, 0.02)
    np.testing.assert_allclose(got, [odds / (1 + odds), 0.02, 0.0, 1.0])


def test_prior_shift_correction_equals_a_logit_shift_and_inverts():
    p = np.random.default_rng(1).uniform(0.001, 0.999, (20, 3))
    got = bk.imbalance.prior_shift_correction(p, 0.3, 0.05)
    np.testing.assert_allclose(got, expit(logit(p) + logit(0.05) - logit(0.3)), rtol=1e-12)
    np.testing.assert_allclose(bk.imbalance.prior_shift_correction(got, 0.05, 0.3), p, rtol=1e-12)
    assert got.shape == p.shape


@pytest.mark.parametrize("args, message", [
    (([0.2, 1.2], 0.5, 0.1), "y_prob must lie in"),
    (([0.2], 0.0, 0.1), "train_prevalence must be a number in"),
    (([0.2], 0.5, 1.0), "prevalence must be a number in"),
])
def test_prior_shift_correction_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        bk.imbalance.prior_shift_correction(*args)


@pytest.fixture(scope="module")
def rare():
    """A rare event (about 3 %) from a known logistic model: train and test halves."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120_000, 3))
    risk = expit(-4.2 + X @ np.array([1.0, -0.6, 0.8]))
    y = (rng.random(risk.size) < risk).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    return frame[:60_000], y[:60_000], frame[60_000:], y[60_000:], risk[60_000:]


def test_undersampling_miscalibrates_and_the_correction_restores_calibration(rare):
    X, y, X_test, y_test, true_risk = rare
    raw = ResampledClassifier(LogisticRegression(), RandomUnderSampler(random_state=0), correct_prior=False)
    fixed = ResampledClassifier(LogisticRegression(), RandomUnderSampler(random_state=0))
    p_raw = raw.fit(X, y).predict_proba(X_test)[:, 1]
    p_fixed = fixed.fit(X, y).predict_proba(X_test)[:, 1]
    before = bk.validation.calibration_summary(y_test, p_raw)
    after = bk.validation.calibration_summary(y_test, p_fixed)
    assert before.citl < -2 and before.oe_ratio < 0.2            # risks far too high
    # what remains is the noise of a model fitted on the ~4,000 patients left after
    # under-sampling (not counted in the interval of citl, which is why it is not tested)
    assert abs(after.citl) < 0.1 and 0.9 < after.oe_ratio < 1.1
    assert np.abs(p_fixed - true_risk).mean() < 0.003           # close to the truth
    assert roc_auc_score(y_test, p_fixed) == pytest.approx(roc_auc_score(y_test, p_raw), abs=1e-12)
    assert fixed.train_prevalence_ == 0.5 and fixed.prevalence_ == pytest.approx(y.mean())


def test_class_weights_are_corrected_with_a_training_prevalence_of_one_half(rare):
    X, y, X_test, y_test, _ = rare
    weighted = LogisticRegression(class_weight="balanced").fit(X, y).predict_proba(X_test)[:, 1]
    fixed = bk.imbalance.prior_shift_correction(weighted, 0.5, y.mean())
    assert bk.validation.calibration_summary(y_test, weighted).citl < -2
    assert abs(bk.validation.calibration_summary(y_test, fixed).citl) < 0.1


# --- ResampledClassifier ----------------------------------------------------------------

def test_uncorrected_equals_an_imbalanced_learn_pipeline(rare):
    X, y, X_test, _, _ = rare
    ours = ResampledClassifier(LogisticRegression(), RandomOverSampler(random_state=4), correct_prior=False)
    theirs = make_imb_pipeline(RandomOverSampler(random_state=4), LogisticRegression())
    np.testing.assert_allclose(ours.fit(X, y).predict_proba(X_test), theirs.fit(X, y).predict_proba(X_test))


def test_corrected_equals_the_correction_of_the_pipeline(rare):
    X, y, X_test, _, _ = rare
    theirs = make_imb_pipeline(RandomUnderSampler(random_state=5), LogisticRegression()).fit(X, y)
    expected = bk.imbalance.prior_shift_correction(theirs.predict_proba(X_test)[:, 1], 0.5, 0.1)
    ours = ResampledClassifier(LogisticRegression(), RandomUnderSampler(random_state=5), prevalence=0.1)
    np.testing.assert_allclose(ours.fit(X, y).predict_proba(X_test)[:, 1], expected)
    assert ours.prevalence_ == 0.1


def test_without_a_sampler_nothing_changes(rare):
    X, y, X_test, _, _ = rare
    plain = LogisticRegression().fit(X, y).predict_proba(X_test)
    np.testing.assert_allclose(ResampledClassifier().fit(X, y).predict_proba(X_test), plain, rtol=1e-10)


def test_string_labels_and_no_mutation(rare):
    X, y, X_test, _, _ = rare
    labels = np.where(y == 1, "sick", "well")  # "well" sorts last: it is classes_[1]
    X_copy, labels_copy = X.copy(), labels.copy()
    model = ResampledClassifier(LogisticRegression(), RandomUnderSampler(random_state=0)).fit(X, labels)
    assert list(model.classes_) == ["sick", "well"]
    assert model.prevalence_ == pytest.approx((labels == "well").mean())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # feature names are kept: no warning on a DataFrame
        model.predict(X_test)
    pd.testing.assert_frame_equal(X, X_copy)
    np.testing.assert_array_equal(labels, labels_copy)


def test_options_passed_by_position_still_work_with_a_warning():
    estimator, sampler = LogisticRegression(), RandomUnderSampler(random_state=0)
    old_call = r"passing correct_prior, prevalence of ResampledClassifier.__init__\(\) by position"
    with pytest.warns(FutureWarning, match=old_call):
        old = ResampledClassifier(estimator, sampler, False, 0.2)
    new = ResampledClassifier(estimator, sampler, correct_prior=False, prevalence=0.2)
    assert old.get_params() == new.get_params()


def test_sampler_must_resample():
    with pytest.raises(TypeError, match="fit_resample"):
        ResampledClassifier(sampler=LogisticRegression()).fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])


@parametrize_with_checks([ResampledClassifier(),
                          ResampledClassifier(LogisticRegression(), RandomUnderSampler(random_state=0)),
                          ResampledClassifier(LogisticRegression(), RandomOverSampler(random_state=0))])
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)


def test_recalibrated_classifier_learns_the_correction_after_smote(rare):
    # the documented alternative when the closed form is only approximate (SMOTE)
    from imblearn.over_sampling import SMOTE

    X, y, X_test, y_test, _ = rare
    smote = ResampledClassifier(LogisticRegression(), SMOTE(random_state=0), correct_prior=False)
    model = bk.validation.RecalibratedClassifier(smote, cv=5).fit(X[:20_000], y[:20_000])
    p_smote = clone(smote).fit(X[:20_000], y[:20_000]).predict_proba(X_test)[:, 1]
    recalibrated = model.predict_proba(X_test)[:, 1]
    assert bk.validation.calibration_summary(y_test, p_smote).citl < -2
    assert abs(bk.validation.calibration_summary(y_test, recalibrated).citl) < 0.1
