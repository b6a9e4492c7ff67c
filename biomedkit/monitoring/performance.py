"""A deployed model's performance period by period, as its labels arrive."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from biomedkit._checks import check_level, check_scores
from biomedkit._groups import ordered_levels
from biomedkit.monitoring._measures import period_measures


def _check_outcomes(y_true, name: str = "y_true") -> np.ndarray:
    """1-d float array of 0, 1 and NaN (NaN: not known yet)."""
    if isinstance(y_true, (str, bytes)) or np.ndim(y_true) != 1:
        raise ValueError(f"{name} must be a one-dimensional array of 0/1 outcomes (NaN where not "
                         f"known yet); got shape {np.shape(y_true)}")
    s = pd.Series(y_true)
    if not pd.api.types.is_numeric_dtype(s):
        raise TypeError(f"{name} must hold 0/1 outcomes (or NaN); got dtype {s.dtype}")
    y = s.to_numpy(dtype=float, na_value=np.nan)
    known = y[~np.isnan(y)]
    if not np.isin(known, (0, 1)).all():
        raise ValueError(f"{name} must hold only 0, 1 and NaN (not known yet); got values "
                         f"{np.unique(known[~np.isin(known, (0, 1))])[:5].tolist()}")
    return y


def labels_known(y_true, label_time, as_of) -> np.ndarray:
    """The outcomes as they are known at time ``as_of``: NaN where a label arrives later.

    Parameters
    ----------
    y_true : array-like of 0/1
        The outcomes, including those that arrive later.
    label_time : array-like of numbers
        When each outcome becomes known (for example the month of admission plus the delay).
    as_of : number
        The time of the look.

    Returns
    -------
    ndarray of float
        ``y_true`` where ``label_time <= as_of``, NaN elsewhere (a new array).

    Examples
    --------
    >>> bk.monitoring.labels_known([1, 0, 1], [3, 4, 5], as_of=4)
    array([ 1.,  0., nan])
    """
    y = _check_outcomes(y_true)
    if isinstance(label_time, (str, bytes)) or np.ndim(label_time) != 1:
        raise ValueError("label_time must be a one-dimensional array of numbers, one per outcome")
    t = pd.Series(label_time)
    if not pd.api.types.is_numeric_dtype(t):
        raise TypeError(f"label_time must hold numbers (months, days); got dtype {t.dtype}")
    t = t.to_numpy(dtype=float, na_value=np.nan)
    if t.size != y.size:
        raise ValueError(f"label_time has {t.size} values but y_true has {y.size}; they must match")
    if np.isnan(t).any():
        raise ValueError("label_time contains missing values; give every outcome the time it arrives")
    if not isinstance(as_of, numbers.Real) or isinstance(as_of, bool) or not np.isfinite(as_of):
        raise TypeError(f"as_of must be a number on the scale of label_time; got {as_of!r}")
    return np.where(t <= as_of, y, np.nan)


@dataclass(frozen=True, repr=False)
class PerformanceResult:
    """A model's performance per period (from :func:`performance_over_time`).

    Attributes
    ----------
    table : DataFrame
        One row per period: ``n``, ``n_labelled``, ``status``; for periods whose labels are
        all in: ``events``, ``observed_rate``, ``mean_predicted``, ``oe`` (observed / expected
        events) with ``oe_low``/``oe_high``, ``auc`` with its DeLong interval and ``auc_se``,
        calibration-in-the-large ``citl`` and ``slope`` with Wald intervals, ``brier``; with a
        reference, ``auc_drop`` (reference minus period) with its interval. Alarms:
        ``oe_alarm`` (the O/E interval excludes 1), ``slope_alarm`` (the slope's interval
        excludes 1), ``auc_alarm`` (the interval of the drop lies above 0) and ``alarm`` (any).
    reference : dict or None
        The same measures on the reference data.
    level : float
    """

    table: pd.DataFrame
    reference: dict | None
    level: float

    def to_frame(self) -> pd.DataFrame:
        """The per-period table (a copy)."""
        return self.table.copy()

    @property
    def alarms(self) -> list:
        """The periods with an alarm."""
        return self.table.index[self.table["alarm"]].tolist()

    def __repr__(self) -> str:
        t = self.table
        done = int((t["n_labelled"] == t["n"]).sum())
        return (f"<PerformanceResult: {len(t)} periods, {done} with all labels in; "
                f"alarms in {self.alarms if self.alarms else 'none'}>")

    def _repr_html_(self) -> str:
        shown = [c for c in ("n", "n_labelled", "events", "auc", "auc_low", "auc_high", "oe", "oe_low",
                             "oe_high", "slope", "slope_low", "slope_high", "alarm", "status")
                 if c in self.table]
        return self.table[shown].to_html(float_format=lambda v: f"{v:.3f}", na_rep="")


def performance_over_time(y_true, y_prob, period, *, reference=None,
                          level: float = 0.95) -> PerformanceResult:
    """AUC, O/E and calibration slope per period, with intervals, for the periods whose
    labels have all arrived.

    Parameters
    ----------
    y_true : array-like of 0, 1 or NaN
        Outcomes; NaN where the label is not known yet (see :func:`labels_known`). A period
        is evaluated only when every one of its labels is in: the first labels to arrive
        are rarely a fair sample (early deaths, say), so partial periods would mislead.
    y_prob : array-like of float in [0, 1]
        The deployed model's predicted risks.
    period : array-like
        The period of each patient (month, quarter).
    reference : tuple (y_ref, p_ref), optional
        Outcomes and risks on reference data (for example the temporal validation before
        deployment). Adds the drop in AUC from it, with an interval, and an AUC alarm.
    level : float, default=0.95
        Level of every interval; an alarm is an interval that excludes the target (O/E and
        slope 1, AUC drop 0). Over many periods some alarms are false (about 1 - level of
        the stable periods per measure).

    Returns
    -------
    PerformanceResult

    Notes
    -----
    The O/E interval is the Wilson interval of the observed event rate divided by the mean
    predicted risk (the predictions are fixed; only the outcomes are random). The AUC
    interval is DeLong's (``bk.validation.auc_ci``); the intercept and slope are those of
    ``bk.validation.calibration_summary``. The AUC drop treats the reference and the period
    as independent samples: ``se = sqrt(se_ref**2 + se**2)``.

    Examples
    --------
    >>> y_now = bk.monitoring.labels_known(frame.event, frame.label_month, as_of=30)  # doctest: +SKIP
    >>> perf = bk.monitoring.performance_over_time(y_now, risk, frame.month // 3,
    ...                                            reference=(y_val, p_val))          # doctest: +SKIP
    """
    y = _check_outcomes(y_true)
    p = check_scores(y_prob, y.size, "y_prob", probability=True)
    level = check_level(level)
    z = norm.ppf(0.5 + level / 2)
    g = pd.Series(period).reset_index(drop=True)  # by position; a categorical keeps its order
    if g.size != y.size:
        raise ValueError(f"period has {g.size} values but y_true has {y.size}; they must match")
    if g.isna().any():
        raise ValueError("period contains missing values; give every patient a period")
    ref = None
    if reference is not None:
        if not isinstance(reference, (tuple, list)) or len(reference) != 2:
            raise TypeError("reference must be a tuple (y_ref, p_ref) of outcomes and risks")
        y_ref = _check_outcomes(reference[0], "reference outcomes")
        if np.isnan(y_ref).any() or np.unique(y_ref).size < 2:
            raise ValueError("reference outcomes must all be known and hold both 0 and 1")
        p_ref = check_scores(reference[1], y_ref.size, "reference risks", probability=True)
        ref = {"n": y_ref.size, **period_measures(y_ref, p_ref, z, level)}
    rows = {}
    for name in ordered_levels(g):
        mask = (g == name).to_numpy()
        yk, pk = y[mask], p[mask]
        known = int((~np.isnan(yk)).sum())
        row = {"n": int(mask.sum()), "n_labelled": known}
        if known < yk.size:
            row["status"] = f"waiting for labels ({known} of {yk.size} in)"
        else:
            row.update(period_measures(yk, pk, z, level))
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "period"
    for column in ("events", "oe", "oe_low", "oe_high", "auc", "auc_low", "auc_high", "auc_se",
                   "citl", "citl_low", "citl_high", "slope", "slope_low", "slope_high", "brier"):
        if column not in table:
            table[column] = np.nan
    table["oe_alarm"] = (table["oe_low"] > 1) | (table["oe_high"] < 1)
    table["slope_alarm"] = (table["slope_low"] > 1) | (table["slope_high"] < 1)
    if ref is not None:
        table["auc_drop"] = ref["auc"] - table["auc"]
        se = np.sqrt(ref["auc_se"] ** 2 + table["auc_se"] ** 2)
        table["auc_drop_low"] = table["auc_drop"] - z * se
        table["auc_drop_high"] = table["auc_drop"] + z * se
        table["auc_alarm"] = table["auc_drop_low"] > 0
    else:
        table["auc_alarm"] = False
    table["alarm"] = table["oe_alarm"] | table["slope_alarm"] | table["auc_alarm"]
    front = ["n", "n_labelled", "events", "auc", "auc_low", "auc_high", "oe", "oe_low", "oe_high",
             "slope", "slope_low", "slope_high", "alarm", "status"]
    table = table[front + [c for c in table.columns if c not in front]]
    return PerformanceResult(table=table, reference=ref, level=level)
