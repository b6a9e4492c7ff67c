"""What a risk threshold means in the clinic: counts, rates, alerts, with Wilson intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit._checks import check_binary, check_level, check_scores, check_thresholds
from biomedkit._counts import SortedCounts
from biomedkit._deprecation import keyword_only_after, warn_deprecated
from biomedkit._stats import wilson_interval


def confusion_at(y: np.ndarray, s: np.ndarray, thresholds: np.ndarray) -> pd.DataFrame:
    """TP, FP, TN, FN when a patient is flagged at ``score >= threshold`` (one sort)."""
    counts = SortedCounts(y, s)
    tp, fp = counts.at(thresholds)
    return pd.DataFrame({"threshold": thresholds, "tp": tp, "fp": fp,
                         "tn": counts.negatives - fp, "fn": counts.positives - tp})


def _risks(y_prob, y_score):
    """``y_prob``, or the deprecated ``y_score`` (the risks must be probabilities)."""
    if y_score is None:
        if y_prob is None:
            raise TypeError("threshold_metrics() missing required argument 'y_prob'")
        return y_prob
    if y_prob is not None:
        raise TypeError("pass the risks once, as y_prob (y_score is its deprecated name)")
    warn_deprecated("threshold_metrics(y_score=...)", "y_prob=...", stacklevel=5)  # the caller
    return y_score


@keyword_only_after(3)
def threshold_metrics(y_true, y_prob=None, thresholds=None, *, level: float = 0.95,
                      y_score=None) -> pd.DataFrame:
    """Sensitivity, specificity, PPV, NPV and alert burden at each threshold.

    A patient is flagged when ``y_prob >= threshold``.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_prob : array-like of float in [0, 1]
        Predicted risks.
    thresholds : float or sequence of float in (0, 1)
    level : float, default=0.95
        Level of the Wilson score intervals.
    y_score : array-like, optional
        Deprecated name of ``y_prob`` (kept for one release, with a FutureWarning).

    Returns
    -------
    DataFrame
        One row per threshold with the counts ``tp, fp, tn, fn``; ``sensitivity``,
        ``specificity``, ``ppv``, ``npv`` and ``flagged`` (the share of patients
        flagged), each with ``_low``/``_high`` Wilson limits; ``alerts_per_1000``
        (with limits) and ``nne``, the number needed to evaluate (1 / PPV: how many
        flagged patients a clinician sees for each true event), with limits from the
        PPV interval. A rate whose denominator is zero is NaN.

    References
    ----------
    Wilson EB. Probable inference, the law of succession, and statistical inference.
    JASA 22:209-212 (1927).

    Examples
    --------
    >>> bk.validation.threshold_metrics(y, risk, [0.05, 0.1, 0.2])      # doctest: +SKIP
    """
    y = check_binary(y_true)
    s = check_scores(_risks(y_prob, y_score), y.size, "y_prob", probability=True)
    if thresholds is None:
        raise TypeError("threshold_metrics() missing required argument 'thresholds'")
    t = check_thresholds(thresholds)
    level = check_level(level)
    out = confusion_at(y, s, t)
    tp, fp, tn, fn = (out[c].to_numpy() for c in ("tp", "fp", "tn", "fn"))
    n = y.size
    rates = {
        "sensitivity": (tp, tp + fn), "specificity": (tn, tn + fp),
        "ppv": (tp, tp + fp), "npv": (tn, tn + fn), "flagged": (tp + fp, np.full_like(tp, n)),
    }
    for name, (k, total) in rates.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(total > 0, k / np.maximum(total, 1), np.nan)
        out[f"{name}_low"], out[f"{name}_high"] = wilson_interval(k, total, level)
    for suffix in ("", "_low", "_high"):
        out[f"alerts_per_1000{suffix}"] = 1000 * out[f"flagged{suffix}"]
    with np.errstate(divide="ignore"):
        out["nne"] = 1 / out["ppv"]
        out["nne_low"], out["nne_high"] = 1 / out["ppv_high"], 1 / out["ppv_low"]
    return out
