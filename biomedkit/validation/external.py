"""External and temporal validation: one model's performance across sites or periods."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import norm
from scipy.stats import t as student_t

from biomedkit._checks import check_level, check_scores
from biomedkit._counts import delong, single_row_class
from biomedkit._deprecation import keyword_only_after, warn_deprecated
from biomedkit._groups import ordered_levels
from biomedkit.validation.calibration import intercept_and_slope, slope_problem

DEVELOPMENT, ALL = "development", "all validation"  # labels of the rows that are not a group


def _performance(y: np.ndarray, p: np.ndarray, z: float) -> dict:
    """One row of the table; what cannot be estimated is NaN and the ``note`` says why."""
    row = {"n": y.size, "events": int(y.sum()), "observed_rate": y.mean(), "mean_predicted": p.mean(),
           "oe_ratio": y.sum() / p.sum(), "brier": np.mean((p - y) ** 2)}
    if not 0 < y.sum() < y.size:
        row["note"] = "one outcome class only: AUC and calibration cannot be estimated"
        return row
    aucs, cov = delong(y, p[None, :])
    se = float(np.sqrt(cov[0, 0]))  # NaN with a single event or non-event
    low, high = (max(0.0, aucs[0] - z * se), min(1.0, aucs[0] + z * se)) if np.isfinite(se) else (np.nan,) * 2
    single = "" if not single_row_class(y) else (
        f"a single {'event' if y.sum() == 1 else 'non-event'}: no DeLong interval")
    notes = [why for why in (single, slope_problem(y, p, short=True)) if why]
    row.update(auc=aucs[0], auc_low=low, auc_high=high, auc_se=se,
               **intercept_and_slope(y.astype(float), p, z), note="; ".join(notes))
    return row


def _binary(y, name: str) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "biufO" or not np.isin(y, (0, 1)).all():
        raise ValueError(f"{name} must be a one-dimensional array of 0/1 outcomes")
    return y.astype(int)


def check_reserved(levels, reserved, name: str) -> None:
    """Refuse group labels that would be mistaken for (or overwrite) a summary row."""
    clash = [str(v) for v in levels if isinstance(v, str) and v in reserved]
    if clash:
        raise ValueError(f"{name} uses the label {clash[0]!r}, which this table keeps for its own "
                         f"summary row; rename that group (for example {clash[0] + ' (group)'!r})")


def validation_table(y_true, y_prob, groups, development=None, level: float = 0.95) -> pd.DataFrame:
    """The table of :func:`external_validation`, without its warning (for callers that
    give their own)."""
    y = _binary(y_true, "y_true")
    p = check_scores(y_prob, y.size, "y_prob", probability=True)
    g = pd.Series(np.asarray(groups))
    if g.size != y.size:
        raise ValueError(f"groups has {g.size} values but y_true has {y.size}; they must match")
    if g.isna().any():
        raise ValueError("groups contains missing values; give every patient a site or period")
    if y.size and y.min() == y.max():
        raise ValueError(f"y_true has a single outcome class ({y[0]}); no AUC or calibration can be "
                         "estimated in any group")
    z = norm.ppf(0.5 + check_level(level) / 2)
    levels = ordered_levels(groups)
    check_reserved(levels, {ALL} | ({DEVELOPMENT} if development is not None else set()), "groups")
    rows = {}
    if development is not None:
        y_dev, p_dev = development
        y_dev = _binary(y_dev, "development outcomes")
        rows[DEVELOPMENT] = _performance(y_dev, check_scores(p_dev, y_dev.size, "development risks",
                                                             probability=True), z)
    for name in levels:
        mask = (g == name).to_numpy()
        rows[name] = _performance(y[mask], p[mask], z)
    rows[ALL] = _performance(y, p, z)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "group"
    if development is not None and "auc" in out:
        out["auc_drop"] = out.loc[DEVELOPMENT, "auc"] - out["auc"]
    return out


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
        The site, hospital or period of each patient. The labels "all validation"
        (and "development" when ``development`` is given) name the table's own rows:
        a group with one of them is refused (rename it).
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
        ``auc_drop`` (development AUC minus this AUC) and a ``note`` saying why
        a value is NaN: a group with a single outcome class (no AUC, no
        calibration), a single event or non-event (no DeLong interval), or risks
        that are all equal or separate the outcomes (no slope).

    Warns
    -----
    UserWarning
        Naming each group with a note: the rest of the table stands.

    Examples
    --------
    >>> table = bk.validation.external_validation(y_val, risk_val, site_val,
    ...                                           development=(y_dev, risk_dev))  # doctest: +SKIP
    """
    out = validation_table(y_true, y_prob, groups, development, level)
    noted = out["note"].fillna("")
    noted = noted[noted != ""]
    if len(noted):
        warnings.warn("some values are NaN (see the note column): " + "; ".join(
            f"{name!r}: {note}" for name, note in noted.items()), UserWarning, stacklevel=3)
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
    level : float, default=0.95
        Level of the confidence and prediction intervals, in (0, 1).
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
    level = check_level(level)
    est, var = np.asarray(estimates, float), np.asarray(variances, float)
    if est.shape != var.shape or est.ndim != 1 or est.size < 2:
        raise ValueError("estimates and variances must be 1-d, of equal length, with at least 2 sites")
    if not (np.isfinite(est).all() and np.isfinite(var).all() and (var > 0).all()):
        raise ValueError("estimates must be finite and variances finite and positive")
    if scale == "logit":
        if est.min() <= 0 or est.max() >= 1:
            raise ValueError("estimates must lie strictly inside (0, 1) for scale='logit'; "
                             "use scale='identity' for an AUC of exactly 0 or 1")
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
