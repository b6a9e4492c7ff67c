"""Recalibration as an estimator: a classifier whose risks are corrected on held-out data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.isotonic import IsotonicRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from biomedkit._checks import check_labels_for_model
from biomedkit._deprecation import keyword_only_after
from biomedkit.validation.calibration import clipped_logit, logistic_fit


def _check_X_y(X, y) -> None:
    """Clear messages, naming X or y, before scikit-learn's own checks (which answer for a
    missing y or a column vector, as its estimator checks expect)."""
    if y is None:
        return
    shape = X.shape if hasattr(X, "shape") else np.shape(np.asarray(X, dtype=object))
    if len(shape) != 2:
        raise ValueError(f"X must be a 2-d table (DataFrame or array, one row per patient); got shape {shape}")
    n_rows = shape[0]
    labels = np.asarray(y, dtype=object)
    if labels.shape[:1] != (n_rows,):  # a column vector is left to scikit-learn (it warns and flattens)
        raise ValueError(f"y must hold one outcome per row of X ({n_rows}); got shape {labels.shape}")
    if len(pd.unique(labels.ravel())) < 2:
        raise ValueError("y has only one class; a classifier needs events and non-events")


class RecalibratedClassifier(ClassifierMixin, BaseEstimator):
    """Wrap a binary classifier and recalibrate its predicted risks.

    ``method="logistic"`` fits ``logit P(y=1) = a + b logit(p)`` (Cox's logistic
    recalibration: it corrects calibration-in-the-large and the slope and keeps
    the ranking); ``method="isotonic"`` fits a monotone step function (flexible,
    needs more data).

    The recalibration is learned on out-of-fold predictions of ``estimator``
    (``cv`` folds) so that it sees risks for patients the model was not fitted on;
    the final model is then refitted on all the data. With ``cv=None`` the
    estimator must be fitted already and only the recalibration is learned from
    the data given to ``fit``, typically a validation set from the target setting;
    ``y`` must then use the estimator's own labels (``estimator.classes_``): 0/1
    outcomes for a model fitted on 'case'/'control' are refused, not misread.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``, default LogisticRegression()
    method : {"logistic", "isotonic"}, default="logistic"
    cv : int or None, default=5

    Attributes
    ----------
    estimator_ : the fitted classifier
    recalibrator_ : (a, b) for "logistic", an IsotonicRegression for "isotonic"
    classes_ : array of the two class labels

    Examples
    --------
    >>> model = bk.validation.RecalibratedClassifier(GradientBoostingClassifier(), cv=5)  # doctest: +SKIP
    >>> model.fit(X_train, y_train).predict_proba(X_test)[:, 1]                             # doctest: +SKIP
    """

    @keyword_only_after(2)
    def __init__(self, estimator=None, *, method: str = "logistic", cv: int | None = 5):
        self.estimator = estimator
        self.method = method
        self.cv = cv

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _base(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression() if self.estimator is None else self.estimator

    def fit(self, X, y):
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.utils.multiclass import type_of_target

        if self.method not in ("logistic", "isotonic"):
            raise ValueError(f"method must be 'logistic' or 'isotonic'; got {self.method!r}")
        if self.cv is None:
            # the estimator is fitted already; only the recalibration is learned here
            self.estimator_ = self._base()
            check_is_fitted(self.estimator_)
            validate_data(self, X, reset=True, skip_check_array=True)
            n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
            # new outcomes meet a fitted model: their labels must be the model's own
            y = check_labels_for_model(y, self.estimator_, n_rows, "y")
            if len(self.estimator_.classes_) != 2:
                raise ValueError(f"estimator must be a binary classifier; it has the classes "
                                 f"{list(self.estimator_.classes_)}")
            if len(set(y.tolist())) < 2:
                raise ValueError("y has a single outcome class; recalibration needs events and non-events")
            p = self.estimator_.predict_proba(X)[:, 1]
            self.classes_ = self.estimator_.classes_
        else:
            _check_X_y(X, y)
            X, y = validate_data(self, X, y)
            if type_of_target(y, raise_unknown=True) != "binary":
                raise ValueError("Only binary classification is supported. The type of the target "
                                 f"is {type_of_target(y)}.")
            self.classes_ = np.unique(y)
            folds = StratifiedKFold(self.cv, shuffle=True, random_state=0)
            p = cross_val_predict(clone(self._base()), X, y, cv=folds, method="predict_proba")[:, 1]
            self.estimator_ = clone(self._base()).fit(X, y)
        target = (np.asarray(y) == self.classes_[1]).astype(float)
        if self.method == "logistic":
            lp = clipped_logit(p)
            self.recalibrator_, _ = logistic_fit(target, np.column_stack([np.ones(lp.size), lp]))
        else:
            self.recalibrator_ = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(p, target)
        return self

    def predict_proba(self, X):
        check_is_fitted(self)
        if self.cv is not None:
            X = validate_data(self, X, reset=False)
        p = self.estimator_.predict_proba(X)[:, 1]
        if self.method == "logistic":
            a, b = self.recalibrator_
            q = expit(a + b * clipped_logit(p))
        else:
            q = self.recalibrator_.predict(p)
        return np.column_stack([1 - q, q])

    def predict(self, X):
        check_is_fitted(self)
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
