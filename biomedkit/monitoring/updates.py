"""Updating a deployed model on recent labelled data, comparing the updates honestly, and
deciding whether an update stays within a predetermined change control plan."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm
from scipy.stats import t as student_t

from biomedkit._checks import check_binary, check_float, check_int, check_level, check_scores
from biomedkit.monitoring._measures import period_measures

METHODS = ("intercept", "logistic", "refit")
_WHAT = {
    "intercept": "recalibration in the large: every risk's log odds moved by the same amount "
                 "(ranking unchanged)",
    "logistic": "logistic recalibration: the log odds rescaled and moved, logit(new) = a + b "
                "logit(old) (ranking unchanged)",
    "refit": "refit: the model re-estimated from scratch on the update data (ranking may change)",
}


def _risk(model, X, name: str = "model") -> np.ndarray:
    """The probability of the event from a fitted classifier, with a clear error otherwise."""
    from sklearn.exceptions import NotFittedError

    if not hasattr(model, "predict_proba"):
        raise TypeError(f"{name} must be a fitted classifier with predict_proba; got {type(model).__name__}")
    try:
        return model.predict_proba(X)[:, 1]
    except NotFittedError as exc:
        raise ValueError(f"{name} is not fitted yet; fit it first: {exc}") from None


class UpdatedModel:
    """A deployed model after an update (from :func:`update_model`).

    It predicts like the model it replaces (``predict_proba``) and records what changed.

    Attributes
    ----------
    method : {"intercept", "logistic", "refit"}
    previous : the model before the update (left as it was)
    intercept, slope : float
        For the recalibrations: ``logit(new) = intercept + slope * logit(old)``
        (``slope`` is 1 for "intercept"); NaN for a refit.
    estimator : the refitted model (refit) or None
    n, events : int
        Size of the update data.
    data : str
        Which data the update was learned from, in words.
    mean_risk_before, mean_risk_after : float
        Mean predicted risk on the update data, before and after the update.
    """

    def __init__(self, method, previous, estimator, intercept, slope, n, events, data,
                 mean_risk_before, mean_risk_after):
        self.method, self.previous, self.estimator = method, previous, estimator
        self.intercept, self.slope = intercept, slope
        self.n, self.events, self.data = n, events, data
        self.mean_risk_before, self.mean_risk_after = mean_risk_before, mean_risk_after
        self.classes_ = getattr(previous, "classes_", np.array([0, 1]))

    def predict_proba(self, X) -> np.ndarray:
        """Risks of the updated model, as ``(n, 2)`` like scikit-learn."""
        if self.method == "refit":
            q = _risk(self.estimator, X)
        else:
            from biomedkit.validation.calibration import clipped_logit

            q = expit(self.intercept + self.slope * clipped_logit(_risk(self.previous, X)))
        return np.column_stack([1 - q, q])

    @property
    def what_changed(self) -> str:
        """One sentence: the kind of update and its size."""
        size = (f"intercept {self.intercept:+.3f}, slope {self.slope:.3f}; " if self.method != "refit" else "")
        return (f"{_WHAT[self.method]}. {size}mean predicted risk on the update data "
                f"{self.mean_risk_before:.3f} before, {self.mean_risk_after:.3f} after")

    def to_frame(self) -> pd.DataFrame:
        """The update's record, one row per item."""
        items = {"method": self.method, "data": self.data, "n": self.n, "events": self.events,
                 "intercept": self.intercept, "slope": self.slope,
                 "mean_risk_before": self.mean_risk_before, "mean_risk_after": self.mean_risk_after}
        return pd.DataFrame({"value": pd.Series(items, dtype=object)})

    def __repr__(self) -> str:
        return (f"<UpdatedModel ({self.method}) from {self.n} patients, {self.events} events "
                f"({self.data}): {self.what_changed}>")


def update_model(model, X, y, *, method: str = "intercept", data: str = "") -> UpdatedModel:
    """Update a deployed model on recent labelled data, in one of three ways.

    The updating ladder, from the smallest change to the largest (Steyerberg's
    "Clinical prediction models", chapter on updating):

    - ``"intercept"``: recalibration in the large, ``logit(new) = a + logit(old)``: fixes a
      risk level that is too high or too low everywhere (one number from the data);
    - ``"logistic"``: logistic recalibration, ``logit(new) = a + b logit(old)``, as
      ``bk.validation.RecalibratedClassifier`` fits it: also fixes risks that are too
      extreme (``b < 1``) or too timid (``b > 1``) (two numbers);
    - ``"refit"``: re-estimate the whole model on the update data (``sklearn.base.clone``
      then ``fit``): can learn a changed relation, needs far more data, and changes the
      ranking of patients.

    The two recalibrations keep the ranking, hence the AUC. Updates can be chained: an
    :class:`UpdatedModel` can be updated again (a refit then starts from the original
    model's specification).

    Parameters
    ----------
    model : fitted classifier with ``predict_proba``, or an UpdatedModel
        The deployed model; it is not changed.
    X : DataFrame or array
        Features of the update data (the recent patients whose labels are in).
    y : array-like of 0/1
        Their outcomes.
    method : {"intercept", "logistic", "refit"}, default="intercept"
    data : str, optional
        Which data these are, in words ("months 24 to 28"), for the change-control note.

    Returns
    -------
    UpdatedModel

    Examples
    --------
    >>> updated = bk.monitoring.update_model(model, X_recent, y_recent, method="logistic",
    ...                                      data="months 24 to 28")          # doctest: +SKIP
    >>> updated.predict_proba(X_new)[:, 1]                                    # doctest: +SKIP
    """
    from sklearn.base import clone

    from biomedkit.validation.calibration import clipped_logit, logistic_fit

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    if not isinstance(data, str):
        raise TypeError(f"data must be a few words saying which data these are; got {type(data).__name__}")
    y = check_binary(y, "y")
    if len(X) != y.size:
        raise ValueError(f"X has {len(X)} rows but y has {y.size} outcomes; they must match")
    before = check_scores(_risk(model, X), y.size, "the model's risks", probability=True)
    estimator, a, b = None, np.nan, np.nan
    lp = clipped_logit(before)
    try:
        if method == "intercept":  # the old log odds as an offset: only the intercept is estimated
            (a,), _ = logistic_fit(y.astype(float), np.ones((y.size, 1)), offset=lp)
            b = 1.0
        elif method == "logistic":  # Cox's recalibration, as bk.validation.RecalibratedClassifier fits it
            (a, b), _ = logistic_fit(y.astype(float), np.column_stack([np.ones(y.size), lp]))
    except np.linalg.LinAlgError:
        raise ValueError("the recalibration cannot be estimated from these data (too few patients, "
                         "or the old risks separate events from non-events perfectly)") from None
    if method == "refit":
        root = model
        while isinstance(root, UpdatedModel):  # an updated model is refitted from its original form
            root = root.previous
        if not hasattr(root, "get_params"):
            raise TypeError(f"a refit needs a scikit-learn estimator to clone; got {type(root).__name__}")
        estimator = clone(root).fit(X, y)
    updated = UpdatedModel(method, model, estimator, float(a), float(b), int(y.size), int(y.sum()),
                           data or "not described", float(before.mean()), np.nan)
    updated.mean_risk_after = float(updated.predict_proba(X)[:, 1].mean())
    return updated


@dataclass(frozen=True, repr=False)
class UpdateComparisonResult:
    """Several sets of risks for the same patients, each against a baseline (from
    :func:`compare_updates`).

    ``table`` has one row per model: ``n``, ``events``, ``auc`` (DeLong interval), ``oe``
    (Wilson-based interval), ``citl``, ``slope`` (Wald interval), ``brier``, and against the
    baseline ``auc_diff`` (DeLong's paired test: interval and ``auc_p``) and ``brier_diff``
    (mean of the paired differences of squared errors: t interval and ``brier_p``). A
    negative ``brier_diff`` means more accurate risks than the baseline.
    """

    table: pd.DataFrame
    baseline: str
    level: float

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        cols = ["auc", "auc_diff", "oe", "slope", "brier", "brier_diff"]
        return (f"<UpdateComparisonResult against {self.baseline!r}>\n"
                + self.table[cols].to_string(float_format=lambda v: f"{v:.3f}"))

    def _repr_html_(self) -> str:
        return self.table.to_html(float_format=lambda v: f"{v:.3f}", na_rep="")


def compare_updates(y_true, risks: dict, *, baseline: str | None = None,
                    level: float = 0.95) -> UpdateComparisonResult:
    """Compare models (for example no update, recalibrated, refitted) on the same later patients.

    Parameters
    ----------
    y_true : array-like of 0/1
        Outcomes of patients that no model was fitted or updated on (later periods).
    risks : dict of str -> array-like
        Each model's predicted risks for those patients.
    baseline : str, optional
        The key to compare against (default: the first, e.g. ``"no update"``).
    level : float, default=0.95

    Returns
    -------
    UpdateComparisonResult

    Notes
    -----
    Every model is scored on the same patients, so the comparisons are paired: DeLong's
    test for the AUCs (``bk.validation.delong_test``) and a paired t interval for the Brier
    scores, whose per-patient differences ``(p_a - y)**2 - (p_b - y)**2`` are independent
    across patients.

    Examples
    --------
    >>> bk.monitoring.compare_updates(y_later, {"no update": p0, "recalibrated": p1})  # doctest: +SKIP
    """
    from biomedkit.validation import delong_test

    y = check_binary(y_true)
    if not isinstance(risks, dict) or len(risks) < 2:
        raise TypeError("risks must be a dict of at least two models' risks, "
                        "e.g. {'no update': p0, 'recalibrated': p1}")
    level = check_level(level)
    checked = {name: check_scores(p, y.size, f"risks[{name!r}]", probability=True) for name, p in risks.items()}
    baseline = next(iter(checked)) if baseline is None else baseline
    if baseline not in checked:
        raise ValueError(f"baseline must be one of the keys of risks {list(checked)}; got {baseline!r}")
    z = norm.ppf(0.5 + level / 2)
    rows = {}
    for name, p in checked.items():
        row = {"n": y.size, **period_measures(y.astype(float), p, z, level)}
        if name == baseline:
            row.update(auc_diff=0.0, auc_diff_low=0.0, auc_diff_high=0.0, auc_p=np.nan,
                       brier_diff=0.0, brier_diff_low=0.0, brier_diff_high=0.0, brier_p=np.nan)
        else:
            test = delong_test(y, p, checked[baseline], level=level)
            row.update(auc_diff=test.difference, auc_diff_low=test.low, auc_diff_high=test.high,
                       auc_p=test.p_value, **_paired_brier(y, p, checked[baseline], level))
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index").drop(columns=["status", "auc_se"], errors="ignore")
    table.index.name = "model"
    return UpdateComparisonResult(table=table, baseline=baseline, level=level)


def _paired_brier(y: np.ndarray, p: np.ndarray, p_base: np.ndarray, level: float) -> dict:
    """Mean difference of squared errors (p minus p_base) with a paired t interval and p-value."""
    d = (p - y) ** 2 - (p_base - y) ** 2
    mean, se = d.mean(), d.std(ddof=1) / np.sqrt(d.size)
    if se == 0:
        return {"brier_diff": float(mean), "brier_diff_low": float(mean), "brier_diff_high": float(mean),
                "brier_p": np.nan}
    q = student_t.ppf(0.5 + level / 2, d.size - 1)
    return {"brier_diff": float(mean), "brier_diff_low": float(mean - q * se),
            "brier_diff_high": float(mean + q * se),
            "brier_p": float(2 * student_t.sf(abs(mean / se), d.size - 1))}


@dataclass(frozen=True)
class ChangePlan:
    """A predetermined change control plan: the updates that may go live without a new review.

    A plan written and agreed *before* deployment says which changes the model may undergo
    in use, how each will be made and validated, and the limits within which it may go
    live on that evidence alone; anything outside the plan goes back for review. Regulators
    of AI-enabled medical devices describe this idea for devices that are meant to learn
    after approval. The defaults here are an example, not a standard.

    Parameters
    ----------
    methods : tuple of str, default=("intercept", "logistic")
        Kinds of update allowed under the plan (see :func:`update_model`).
    min_events : int, default=100
        Events the update data must hold.
    max_risk_ratio : float, default=1.5
        The mean predicted risk on the update data may change by at most this factor
        (either way).
    slope_range : tuple of float, default=(0.7, 1.3)
        Allowed recalibration slopes.
    auc_margin : float, default=0.02
        On the validation data, the updated model's AUC may be lower than the current
        model's by at most this much: the lower limit of the paired difference must lie
        above ``-auc_margin``.
    """

    methods: tuple = ("intercept", "logistic")
    min_events: int = 100
    max_risk_ratio: float = 1.5
    slope_range: tuple = (0.7, 1.3)
    auc_margin: float = 0.02

    def __post_init__(self):
        methods = (self.methods,) if isinstance(self.methods, str) else tuple(self.methods)
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            raise ValueError(f"methods must be drawn from {METHODS}; got {unknown}")
        object.__setattr__(self, "methods", methods)
        check_int(self.min_events, "min_events", 0)
        check_float(self.max_risk_ratio, "max_risk_ratio", 1, 100)
        lo_hi = tuple(self.slope_range) if np.ndim(self.slope_range) == 1 else ()
        if len(lo_hi) != 2 or not all(isinstance(v, numbers.Real) for v in lo_hi) or not 0 < lo_hi[0] <= 1 <= lo_hi[1]:
            raise ValueError(f"slope_range must be (low, high) with 0 < low <= 1 <= high; got {self.slope_range!r}")
        object.__setattr__(self, "slope_range", (float(lo_hi[0]), float(lo_hi[1])))
        check_float(self.auc_margin, "auc_margin", 0, 0.5)


@dataclass(frozen=True, repr=False)
class ChangeReviewResult:
    """An update checked against a change control plan (from :func:`review_update`).

    Attributes
    ----------
    within_plan : bool
        True when every check passed: the update may go live with this note on file.
    checks : DataFrame
        One row per check: ``check``, ``passed`` (True, False, or None when it does not
        apply) and ``detail``.
    comparison : UpdateComparisonResult
        The current and the updated model on the validation data.
    """

    method: str
    what_changed: str
    data: str
    validation: str
    checks: pd.DataFrame
    comparison: UpdateComparisonResult
    within_plan: bool
    plan: ChangePlan

    @property
    def decision(self) -> str:
        if self.within_plan:
            return "Within the predetermined plan: the update may go live, with this note on file."
        failed = "; ".join(self.checks.loc[self.checks["passed"].eq(False), "check"])
        return f"Outside the predetermined plan ({failed}): review before the update goes live."

    def to_frame(self) -> pd.DataFrame:
        """The checks, one row each."""
        return self.checks.copy()

    def to_markdown(self) -> str:
        """The change-control note: what changed, on which data, the evidence, the decision."""
        t = self.comparison.table
        new, old = t.index[1], t.index[0]
        evidence = "\n".join(
            f"| {name} | {r.auc:.3f} ({r.auc_low:.3f} to {r.auc_high:.3f}) | {r.oe:.2f} "
            f"({r.oe_low:.2f} to {r.oe_high:.2f}) | {r.slope:.2f} ({r.slope_low:.2f} to {r.slope_high:.2f}) "
            f"| {r.brier:.4f} |" for name, r in t.iterrows())
        checks = "\n".join(f"| {r.check} | {_mark(r.passed)} | {r.detail} |" for r in self.checks.itertuples())
        level = f"{self.comparison.level:.0%}"
        return (
            f"### Change-control note: {self.method} update\n\n"
            f"**What changed.** {self.what_changed}.\n\n"
            f"**Data used for the update.** {self.data}.\n\n"
            f"**Validation data** (not used for the update). {self.validation}.\n\n"
            f"| model | AUC ({level} CI) | O/E ({level} CI) | slope ({level} CI) | Brier |\n"
            f"| --- | --- | --- | --- | --- |\n{evidence}\n\n"
            f"Paired difference, {new} minus {old}: AUC {t.loc[new, 'auc_diff']:+.3f} "
            f"({t.loc[new, 'auc_diff_low']:+.3f} to {t.loc[new, 'auc_diff_high']:+.3f}); Brier "
            f"{t.loc[new, 'brier_diff']:+.4f} ({t.loc[new, 'brier_diff_low']:+.4f} to "
            f"{t.loc[new, 'brier_diff_high']:+.4f}).\n\n"
            f"| check against the plan | passed | detail |\n| --- | --- | --- |\n{checks}\n\n"
            f"**Decision.** {self.decision}\n")

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return f"<ChangeReviewResult: {self.method} update; {self.decision}>"


def _mark(passed) -> str:
    return "not applicable" if passed is None else ("yes" if passed else "**no**")


def review_update(update: UpdatedModel, X_val, y_val, *, plan: ChangePlan | None = None,
                  validation: str = "", level: float = 0.95) -> ChangeReviewResult:
    """Check an update against a predetermined change control plan, on validation data.

    Parameters
    ----------
    update : UpdatedModel
        From :func:`update_model`.
    X_val, y_val : features and 0/1 outcomes
        Recent labelled patients that the update was **not** learned from.
    plan : ChangePlan, optional
        The plan; by default ``ChangePlan()``.
    validation : str, optional
        Which data ``X_val`` holds, in words.
    level : float, default=0.95

    Returns
    -------
    ChangeReviewResult
        ``.within_plan``, ``.checks``, ``.decision`` and ``.to_markdown()``: the note that
        records what changed, on which data, with what evidence.

    Examples
    --------
    >>> review = bk.monitoring.review_update(updated, X_val, y_val, validation="months 29 and 30")  # doctest: +SKIP
    >>> review                                     # the note, rendered in a notebook  # doctest: +SKIP
    """
    if not isinstance(update, UpdatedModel):
        raise TypeError(f"update must come from bk.monitoring.update_model; got {type(update).__name__}")
    plan = ChangePlan() if plan is None else plan
    if not isinstance(plan, ChangePlan):
        raise TypeError(f"plan must be a bk.monitoring.ChangePlan; got {type(plan).__name__}")
    if not isinstance(validation, str):
        raise TypeError(f"validation must be a few words saying which data these are; got {type(validation).__name__}")
    y = check_binary(y_val, "y_val")
    if len(X_val) != y.size:
        raise ValueError(f"X_val has {len(X_val)} rows but y_val has {y.size} outcomes; they must match")
    comparison = compare_updates(y, {"current model": _risk(update.previous, X_val),
                                     "updated model": update.predict_proba(X_val)[:, 1]}, level=level)
    new = comparison.table.loc["updated model"]
    ratio = update.mean_risk_after / update.mean_risk_before
    low, high = plan.slope_range
    checks = [
        ("kind of change", update.method in plan.methods,
         f"{update.method}; the plan allows {', '.join(plan.methods) or 'none'}"),
        ("size of the update data", update.events >= plan.min_events,
         f"{update.events} events in {update.n} patients; the plan asks for {plan.min_events} events"),
        ("change in mean risk", 1 / plan.max_risk_ratio <= ratio <= plan.max_risk_ratio,
         f"x{ratio:.2f}; the plan allows x{1 / plan.max_risk_ratio:.2f} to x{plan.max_risk_ratio:.2f}"),
        ("recalibration slope", None if update.method == "refit" else bool(low <= update.slope <= high),
         "a refit has no single slope" if update.method == "refit"
         else f"{update.slope:.2f}; the plan allows {low:g} to {high:g}"),
        ("discrimination on validation data", bool(new["auc_diff_low"] > -plan.auc_margin),
         f"AUC difference {new['auc_diff']:+.3f} ({new['auc_diff_low']:+.3f} to {new['auc_diff_high']:+.3f}); "
         f"the lower limit must lie above -{plan.auc_margin:g}"),
        ("calibration on validation data", bool(new["oe_low"] <= 1 <= new["oe_high"]),
         f"O/E {new['oe']:.2f} ({new['oe_low']:.2f} to {new['oe_high']:.2f}); the interval must include 1"),
    ]
    table = pd.DataFrame(checks, columns=["check", "passed", "detail"])
    table["passed"] = table["passed"].astype(object)
    within = all(p is None or bool(p) for p in table["passed"])
    return ChangeReviewResult(
        method=update.method, what_changed=update.what_changed, data=f"{update.data}: {update.n} "
        f"patients, {update.events} events", validation=f"{validation or 'not described'}: {y.size} "
        f"patients, {int(y.sum())} events", checks=table, comparison=comparison, within_plan=within, plan=plan)
