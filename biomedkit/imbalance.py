"""Rare outcomes: predictive values at a given prevalence, and honest probabilities after
resampling.

The resampling itself belongs to imbalanced-learn (SMOTE, random over- and
under-sampling, balanced ensembles; its ``Pipeline`` resamples only while fitting, so
only training folds are touched). This module adds what imbalanced-learn leaves out:
resampling changes the event rate the model learns, so its predicted probabilities are
no longer risks. :func:`prior_shift_correction` puts them back on the scale of the real
prevalence, and :class:`ResampledClassifier` does it inside a scikit-learn estimator.

Examples
--------
>>> import biomedkit as bk
>>> bk.imbalance.ppv_at_prevalence(0.9, 0.95, [0.5, 0.1, 0.01]).round(3)
array([0.947, 0.667, 0.154])
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from biomedkit._checks import check_float, check_scores, check_X_y
from biomedkit._deprecation import keyword_only_after

__all__ = ["ResampledClassifier", "npv_at_prevalence", "ppv_at_prevalence", "prior_shift_correction"]


def _rates(**values) -> list[np.ndarray]:
    """Each named value as a float array in [0, 1], or a ValueError that names it."""
    out = []
    for name, value in values.items():
        a = np.asarray(value)
        if a.dtype.kind not in "iufb":
            raise TypeError(f"{name} must be numeric; got dtype {a.dtype}")
        a = a.astype(float)
        if not np.isfinite(a).all() or (a < 0).any() or (a > 1).any():
            raise ValueError(f"{name} must lie in [0, 1] (a proportion, not a percentage); "
                             f"got values in [{np.nanmin(a):.3g}, {np.nanmax(a):.3g}]")
        out.append(a)
    return out


def _scalar_or_array(a: np.ndarray):
    return float(a) if a.ndim == 0 else a


def ppv_at_prevalence(sensitivity, specificity, prevalence):
    """Positive predictive value of a test at a given prevalence (Bayes' rule).

    ``PPV = sens * prev / (sens * prev + (1 - spec) * (1 - prev))``: the share of
    positive results that are true positives. Sensitivity and specificity belong to
    the test; the PPV also depends on how common the condition is where the test is
    used, and falls steeply as it becomes rare.

    Parameters
    ----------
    sensitivity, specificity, prevalence : float or array-like in [0, 1]
        Broadcast against each other (NumPy rules), so a grid of prevalences or a
        table of operating points works in one call.

    Returns
    -------
    float or ndarray
        A float for scalar inputs. NaN where no one tests positive (sensitivity or
        prevalence 0, and specificity 1 or prevalence 1).

    See Also
    --------
    npv_at_prevalence

    References
    ----------
    Altman DG, Bland JM. Diagnostic tests 2: predictive values. BMJ 309:102 (1994).

    Examples
    --------
    >>> round(bk.imbalance.ppv_at_prevalence(0.9, 0.95, 0.01), 3)
    0.154
    """
    sens, spec, prev = _rates(sensitivity=sensitivity, specificity=specificity, prevalence=prevalence)
    true_pos, false_pos = sens * prev, (1 - spec) * (1 - prev)
    with np.errstate(invalid="ignore"):
        return _scalar_or_array(true_pos / (true_pos + false_pos))


def npv_at_prevalence(sensitivity, specificity, prevalence):
    """Negative predictive value of a test at a given prevalence (Bayes' rule).

    ``NPV = spec * (1 - prev) / (spec * (1 - prev) + (1 - sens) * prev)``: the share of
    negative results that are true negatives. Arguments and return value as in
    :func:`ppv_at_prevalence` (NaN where no one tests negative).

    Examples
    --------
    >>> round(bk.imbalance.npv_at_prevalence(0.9, 0.95, 0.01), 4)
    0.9989
    """
    sens, spec, prev = _rates(sensitivity=sensitivity, specificity=specificity, prevalence=prevalence)
    true_neg, false_neg = spec * (1 - prev), (1 - sens) * prev
    with np.errstate(invalid="ignore"):
        return _scalar_or_array(true_neg / (true_neg + false_neg))


def prior_shift_correction(y_prob, train_prevalence: float, prevalence: float) -> np.ndarray:
    """Correct predicted probabilities for a changed event rate (prior shift).

    A model fitted on data with event rate ``r'`` (after resampling, for example 0.5
    after balancing) predicts probabilities for a world with that rate. If only the
    event rate changed, not the patients within each class, Bayes' rule gives the
    probabilities at the true rate ``r`` by rescaling the odds:

    ``odds = odds' * [r / (1 - r)] / [r' / (1 - r')]``, that is
    ``p = (r / r') p' / ((r / r') p' + ((1 - r) / (1 - r')) (1 - p'))``.

    Exact for random under- or over-sampling and for class weights (use
    ``train_prevalence=0.5`` after ``class_weight="balanced"``) when the model is
    well specified; only approximate after SMOTE, whose synthetic patients also change
    what the events look like: check calibration, or recalibrate on held-out data
    (:class:`biomedkit.validation.RecalibratedClassifier`). The ranking, and so the AUC,
    is unchanged.

    Parameters
    ----------
    y_prob : array-like of float in [0, 1]
        Probabilities of the event from the model trained at ``train_prevalence``.
    train_prevalence : float in (0, 1)
        The event rate the model was trained on (after resampling).
    prevalence : float in (0, 1)
        The event rate where the probabilities are used (before resampling, or the
        prevalence of the target population).

    Returns
    -------
    ndarray
        Corrected probabilities, same shape as ``y_prob``.

    References
    ----------
    Elkan C. The foundations of cost-sensitive learning. IJCAI 2001: 973-978 (theorem 2).
    Saerens M, Latinne P, Decaestecker C. Adjusting the outputs of a classifier to new a
    priori probabilities: a simple procedure. Neural Comput 14:21-41 (2002).

    Examples
    --------
    >>> bk.imbalance.prior_shift_correction([0.5, 0.8], train_prevalence=0.5, prevalence=0.1).round(4)
    array([0.1   , 0.3077])
    """
    p = np.asarray(y_prob)
    if p.ndim == 2 and p.shape[1] == 2:
        # Both columns of predict_proba, each corrected alone, would no longer sum to 1.
        raise ValueError("y_prob has two columns; pass the probability of the event only, "
                         "model.predict_proba(X)[:, 1], and take 1 minus the result for the other class")
    p = check_scores(p.ravel(), p.size, "y_prob", probability=True).reshape(p.shape)
    r_train = check_float(train_prevalence, "train_prevalence", 0, 1, open_low=True, open_high=True)
    r = check_float(prevalence, "prevalence", 0, 1, open_low=True, open_high=True)
    events = (r / r_train) * p
    return events / (events + ((1 - r) / (1 - r_train)) * (1 - p))


class ResampledClassifier(ClassifierMixin, BaseEstimator):
    """A binary classifier fitted on resampled data whose probabilities are corrected back.

    ``fit`` resamples the training data with ``sampler`` (any imbalanced-learn sampler:
    ``RandomUnderSampler``, ``RandomOverSampler``, ``SMOTE``, ...), fits ``estimator`` on
    the result and records the event rate before (``prevalence_``) and after
    (``train_prevalence_``). ``predict_proba`` applies :func:`prior_shift_correction`,
    so the probabilities are risks at the original prevalence again (or at
    ``prevalence``, when given). Prediction data are never resampled; inside
    cross-validation only the training folds are.

    SMOTE interpolates between neighbours, so the features should be on comparable
    scales: put a ``StandardScaler`` *before* this classifier in a pipeline. For SMOTE
    the correction is approximate; wrapping this classifier (with
    ``correct_prior=False``) in :class:`biomedkit.validation.RecalibratedClassifier`
    learns the correction from held-out predictions instead.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``, default LogisticRegression()
    sampler : imbalanced-learn sampler or None, default=None
        None fits on the data as they are (no resampling, nothing to correct).
    correct_prior : bool, default=True
        False returns the probabilities of the model trained on resampled data, as an
        imbalanced-learn pipeline would (too high for the rare class).
    prevalence : float in (0, 1) or None, default=None
        The event rate of the population where the model will be used; None uses the
        event rate of the training data before resampling (right when they are a
        random sample of that population, wrong for case-control data).

    Attributes
    ----------
    estimator_ : the fitted classifier
    sampler_ : the fitted sampler (or None)
    prevalence_ : float, the event rate the probabilities are corrected to
    train_prevalence_ : float, the event rate after resampling
    classes_ : ndarray of the two labels (the second is the event)

    Examples
    --------
    >>> from imblearn.under_sampling import RandomUnderSampler                   # doctest: +SKIP
    >>> model = bk.imbalance.ResampledClassifier(LogisticRegression(),
    ...                                          RandomUnderSampler(random_state=0))  # doctest: +SKIP
    >>> risk = model.fit(X_train, y_train).predict_proba(X_test)[:, 1]            # doctest: +SKIP
    """

    @keyword_only_after(3)
    def __init__(self, estimator=None, sampler=None, *, correct_prior: bool = True,
                 prevalence: float | None = None):
        self.estimator = estimator
        self.sampler = sampler
        self.correct_prior = correct_prior
        self.prevalence = prevalence

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y):
        from sklearn.linear_model import LogisticRegression
        from sklearn.utils.multiclass import type_of_target

        check_X_y(X, y)  # messages naming X or y, before scikit-learn's own
        X, y = validate_data(self, X, y)
        if (kind := type_of_target(y, input_name="y", raise_unknown=True)) != "binary":
            raise ValueError(f"Only binary classification is supported. The type of the target is {kind}.")
        if self.sampler is not None and not hasattr(self.sampler, "fit_resample"):
            raise TypeError(f"sampler must have a fit_resample method (an imbalanced-learn sampler); "
                            f"got {type(self.sampler).__name__}")
        self.classes_ = np.unique(y)
        self.sampler_ = None if self.sampler is None else clone(self.sampler)
        X_fit, y_fit = (X, y) if self.sampler_ is None else self.sampler_.fit_resample(X, y)
        base = LogisticRegression() if self.estimator is None else self.estimator
        self.estimator_ = clone(base).fit(X_fit, y_fit)
        self.train_prevalence_ = float(np.mean(np.asarray(y_fit) == self.classes_[1]))
        self.prevalence_ = (float(np.mean(y == self.classes_[1])) if self.prevalence is None else
                            check_float(self.prevalence, "prevalence", 0, 1, open_low=True, open_high=True))
        return self

    def predict_proba(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        event = list(self.estimator_.classes_).index(self.classes_[1])
        p = self.estimator_.predict_proba(X)[:, event]
        if self.correct_prior:
            p = prior_shift_correction(p, self.train_prevalence_, self.prevalence_)
        return np.column_stack([1 - p, p])

    def predict(self, X):
        """The more probable class after correction (threshold 0.5 on the event risk).

        With a rare event this predicts few events, as a calibrated model should;
        choose a threshold on the risk from the costs of the decision instead.
        """
        risk = self.predict_proba(X)[:, 1]
        return self.classes_[(risk >= 0.5).astype(int)]
