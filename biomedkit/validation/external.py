"""External and temporal validation: one model's performance across sites or periods."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import norm
from scipy.stats import t as student_t

from biomedkit._checks import check_level, check_scores
from biomedkit._counts import delong
from biomedkit._deprecation import keyword_only_after, warn_deprecated
from biomedkit._groups import ordered_levels
from biomedkit.validation.calibration import intercept_and_slope


def _performance(y: np.ndarray, p: np.ndarray, z: float) -> dict:
    row = {"n": y.size, "events": int(y.sum()), "observed_rate": y.mean(), "mean_predicted": p.mean(),
           "oe_ratio": y.sum() / p.sum(), "brier": np.mean((p - y) ** 2)}
    if 0 < y.sum() < y.size:
        aucs, cov = delong(y, p[None, :])
        se = np.sqrt(cov[0, 0])
        row.update(auc=aucs[0], auc_low=max(0, aucs[0] - z * se), auc_high=min(1, aucs[0] + z * se),
                   auc_se=se, **intercept_and_slope(y.astype(float), p, z), note="")
    else:
        row["note"] = "one outcome class only: AUC and calibration cannot be estimated"
    return row


@keyword_only_after(3)
def external_validation(y_true, y_prob, groups, *, development=None, level: float = 0.95) -> pd.DataFrame:
    """Performance of one model in each site (or period), side by side, with intervals.

    Parameters
    ----------
    y_true : array-like of 0/1
        Outcomes in the validation data.
    y_prob : array-like of float in [0, 1]
        The model's predicted risks for the same patients.
    groups : array-like
        The site, hospital or period of each patient.
    development : tuple (y_dev, p_dev), optional
        Outcomes and predicted risks in the development data. Adds a
        "development" row and the drop in AUC from it to each group.
    level : float, default=0.95

    Returns
    -------
    DataFrame
        One row per group (and "all validation", and "development" when given):
        ``n``, ``events``, ``observed_rate``, ``mean_predicted``, ``oe_ratio``
        (observed / expected events), ``brier``, ``auc`` with DeLong limits,
        calibration-in-the-large ``citl`` and ``slope`` with Wald limits,
        ``auc_drop`` (development AUC minus this AUC) and a ``note`` where a
        group has a single outcome class.

    Examples
    --------
    >>> table = bk.validation.external_validation(y_val, risk_val, site_val,
    ...                                           development=(y_dev, risk_dev))  # doctest: +SKIP
    """
    y = np.asarray(y_true)
    if y.ndim != 1 or not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must be a one-dimensional array of 0/1 outcomes")
    p = check_scores(y_prob, y.size, "y_prob", probability=True)
    g = pd.Series(np.asarray(groups))
    if g.size != y.size:
        raise ValueError(f"groups has {g.size} values but y_true has {y.size}; they must match")
    if g.isna().any():
        raise ValueError("groups contains missing values; give every patient a site or period")
    z = norm.ppf(0.5 + check_level(level) / 2)
    rows = {}
    if development is not None:
        y_dev, p_dev = development
        y_dev = np.asarray(y_dev)
        rows["development"] = _performance(y_dev, check_scores(p_dev, y_dev.size, "development risks",
                                                               probability=True), z)
    for name in ordered_levels(groups):
        mask = (g == name).to_numpy()
        rows[name] = _performance(y[mask], p[mask], z)
    rows["all validation"] = _performance(y, p, z)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "group"
    if development is not None and "auc" in out:
        out["auc_drop"] = out.loc["development", "auc"] - out["auc"]
    return out


@dataclass(frozen=True)
class MetaAnalysisResult:
    """A random-effects summary of one measure across sites (DerSimonian-Laird)."""

    pooled: float
    low: float
    high: float
    prediction_low: float   # where the measure of a new site is expected to fall
    prediction_high: float
    tau2: float             # between-site variance (on the analysis scale)
    i2: float               # share of the variation due to heterogeneity, in [0, 1]
    q: float
    p_heterogeneity: float
    k: int


@keyword_only_after(2)
def random_effects(estimates, variances, *, level: float = 0.95,
                   scale: str = "identity") -> MetaAnalysisResult:
    """DerSimonian-Laird random-effects meta-analysis, with a prediction interval.

    Parameters
    ----------
    estimates, variances : array-like
        One estimate per site and its sampling variance.
    scale : {"identity", "logit"}
        ``"logit"`` pools AUCs (or proportions) on the logit scale, as recommended
        for AUCs (Debray et al. 2017), and transforms the results back.

    Returns
    -------
    MetaAnalysisResult
        The pooled estimate with its confidence and prediction intervals, tau², I²
        and Cochran's Q with its p-value.

    References
    ----------
    DerSimonian R, Laird N. Control Clin Trials 7:177-188 (1986).
    Riley RD, Higgins JPT, Deeks JJ. BMJ 342:d549 (2011) (the prediction interval).
    """
    est, var = np.asarray(estimates, float), np.asarray(variances, float)
    if est.shape != var.shape or est.ndim != 1 or est.size < 2:
        raise ValueError("estimates and variances must be 1-d, of equal length, with at least 2 sites")
    if not (np.isfinite(est).all() and np.isfinite(var).all() and (var > 0).all()):
        raise ValueError("estimates must be finite and variances finite and positive")
    if scale == "logit":
        var = var / (est * (1 - est)) ** 2  # delta method
        est = logit(est)
    elif scale != "identity":
        raise ValueError(f"scale must be 'identity' or 'logit'; got {scale!r}")
    w = 1 / var
    fixed = (w * est).sum() / w.sum()
    q = float((w * (est - fixed) ** 2).sum())
    k = est.size
    tau2 = max(0.0, (q - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    w_re = 1 / (var + tau2)
    pooled = (w_re * est).sum() / w_re.sum()
    se = np.sqrt(1 / w_re.sum())
    z = norm.ppf(0.5 + level / 2)
    t = student_t.ppf(0.5 + level / 2, k - 2) if k > 2 else np.inf
    pi = t * np.sqrt(tau2 + se**2)
    back = expit if scale == "logit" else (lambda v: v)
    from scipy.stats import chi2

    return MetaAnalysisResult(float(back(pooled)), float(back(pooled - z * se)), float(back(pooled + z * se)),
                        float(back(pooled - pi)), float(back(pooled + pi)), float(tau2),
                        float(max(0.0, (q - (k - 1)) / q)) if q > 0 else 0.0, q,
                        float(chi2.sf(q, k - 1)), k)


def __getattr__(name):
    # MetaAnalysis was renamed MetaAnalysisResult (every computed value is a ...Result)
    if name == "MetaAnalysis":
        warn_deprecated("biomedkit.validation.MetaAnalysis", "MetaAnalysisResult")
        return MetaAnalysisResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
