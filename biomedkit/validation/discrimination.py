"""Discrimination: the AUC with DeLong or bootstrap intervals, and DeLong's test.

The AUC and the DeLong variance come from the package's one engine of sorted counts
(``biomedkit._counts``): one sort per score instead of the O(n_pos x n_neg)
comparisons, so a million rows take well under a second. Tied scores count one half,
as in pROC.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from biomedkit._checks import check_binary, check_level, check_n_boot, check_random_state, check_scores
from biomedkit._counts import SortedCounts, delong, single_row_class
from biomedkit._deprecation import keyword_only_after


@dataclass(frozen=True)
class AUCResult:
    """An AUC with its confidence interval."""

    auc: float
    low: float
    high: float
    level: float
    method: str
    se: float  # DeLong: the standard error; bootstrap: the sd of the replicates
    n_pos: int
    n_neg: int

    def __str__(self) -> str:
        return f"AUC {self.auc:.3f} ({self.level:.0%} CI {self.low:.3f} to {self.high:.3f}, {self.method})"


@dataclass(frozen=True)
class DeLongTestResult:
    """DeLong's test of two correlated AUCs measured on the same patients."""

    auc_a: float
    auc_b: float
    difference: float  # auc_a - auc_b
    se: float
    z: float
    p_value: float
    low: float  # confidence interval of the difference
    high: float
    level: float

    def __str__(self) -> str:
        return (f"AUC {self.auc_a:.3f} vs {self.auc_b:.3f}: difference {self.difference:+.3f} "
                f"({self.level:.0%} CI {self.low:+.3f} to {self.high:+.3f}), z = {self.z:.2f}, "
                f"p = {self.p_value:.4g}")


def _bootstrap_aucs(y: np.ndarray, s: np.ndarray, n_boot: int, rng) -> np.ndarray:
    """AUCs of stratified bootstrap resamples: resampling counts per class on one sort."""
    counts = SortedCounts(y, s)
    m, n = int(y.sum()), int(y.size - y.sum())
    out = np.empty(n_boot)
    chunk = max(1, 2_000_000 // s.size)  # bound memory: chunk x n counts at a time
    for lo in range(0, n_boot, chunk):
        r = min(chunk, n_boot - lo)
        # each class's counts are drawn in increasing order of score; the sort is decreasing
        cases = rng.multinomial(m, np.full(m, 1 / m), size=r)[:, ::-1]
        controls = rng.multinomial(n, np.full(n, 1 / n), size=r)[:, ::-1]
        out[lo:lo + r] = counts.resampled(cases, controls).auc()
    return out


def warn_single_row_class(y: np.ndarray, name: str = "y_true", *, method: str = "delong",
                          stacklevel: int = 4) -> bool:
    """Warn, naming the cause, when a class of ``y`` has a single row (DeLong's variance,
    or with ``method="bootstrap"`` a stratified bootstrap's spread, is then undefined);
    return True if it did."""
    why = single_row_class(y)
    if why and method == "bootstrap":
        which = "event" if int(np.sum(y == 1)) == 1 else "non-event"
        # a stratified replicate redraws that one row every time: the replicates vary with
        # the other class only, and their percentiles would pass for a (too narrow) interval
        why = (f"only one {which}: a stratified bootstrap draws that same {which} in every "
               "replicate, so the replicates vary with the other class only and give no interval "
               "of the AUC; the standard error and the interval are NaN")
    if why:
        warnings.warn(f"{name} has {why}.", UserWarning, stacklevel=stacklevel)
    return bool(why)


@keyword_only_after(2)
def auc_ci(y_true, y_score, *, method: str = "delong", level: float = 0.95,
           n_boot: int = 2000, random_state=None) -> AUCResult:
    """The area under the ROC curve with a confidence interval.

    Parameters
    ----------
    y_true : array-like of 0/1
        Observed outcomes (1 = event).
    y_score : array-like of float
        Higher means more likely an event (a risk, a probability or any score).
    method : {"delong", "bootstrap"}, default="delong"
        DeLong's asymptotic variance (DeLong et al. 1988; from sorted counts, one sort,
        in the spirit of Sun and Xu 2014) or a stratified percentile bootstrap, as
        pROC's ``ci.auc``.
    level : float, default=0.95
    n_boot : int, default=2000
        Bootstrap replicates (``method="bootstrap"`` only).
    random_state : int, Generator or None
        Seed of the bootstrap.

    Returns
    -------
    AUCResult
        ``auc``, ``low``, ``high``, ``se`` and the counts of events and non-events.

    Notes
    -----
    Ties between an event and a non-event count one half. Unlike pROC, the
    direction is never guessed from the data: a score must rise with risk.
    The DeLong interval is clipped to [0, 1], as pROC does. With a single event (or a
    single non-event) DeLong's variance is undefined, and a stratified bootstrap redraws
    that one row in every replicate (its replicates vary with the other class only): with
    either method ``se``, ``low`` and ``high`` are NaN, with a warning that says so.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 44:837-845 (1988).
    Sun X, Xu W. IEEE Signal Processing Letters 21(11):1389-1393 (2014).
    Robin X, et al. pROC. BMC Bioinformatics 12:77 (2011).

    Examples
    --------
    >>> res = bk.validation.auc_ci([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.7])
    >>> print(res)                                      # doctest: +SKIP
    """
    y = check_binary(y_true)
    s = check_scores(y_score, y.size)
    level = check_level(level)
    if method not in ("delong", "bootstrap"):
        raise ValueError(f"method must be 'delong' or 'bootstrap'; got {method!r}")
    m, n = int(y.sum()), int(y.size - y.sum())
    aucs, cov = delong(y, s[None, :])
    auc = float(aucs[0])
    if method == "delong":
        if warn_single_row_class(y):
            return AUCResult(auc, np.nan, np.nan, level, method, np.nan, m, n)
        se = float(np.sqrt(cov[0, 0]))
        z = norm.ppf(0.5 + level / 2)
        low, high = max(0.0, auc - z * se), min(1.0, auc + z * se)
    else:
        n_boot = check_n_boot(n_boot, minimum=2)
        if warn_single_row_class(y, method="bootstrap"):
            return AUCResult(auc, np.nan, np.nan, level, method, np.nan, m, n)
        boots = _bootstrap_aucs(y, s, n_boot, check_random_state(random_state))
        low, high = np.quantile(boots, [0.5 - level / 2, 0.5 + level / 2])
        se = float(boots.std(ddof=1))
    return AUCResult(auc, float(low), float(high), level, method, se, m, n)


@keyword_only_after(3)
def delong_test(y_true, score_a, score_b, *, level: float = 0.95) -> DeLongTestResult:
    """DeLong's test for two correlated ROC curves (two scores, the same patients).

    Parameters
    ----------
    y_true : array-like of 0/1
    score_a, score_b : array-like of float
        The two scores; higher means more likely an event.
    level : float, default=0.95
        Level of the interval of the difference.

    Returns
    -------
    DeLongTestResult
        The two AUCs, their difference (a - b), its standard error and interval,
        the z statistic and the two-sided p-value. With a single event (or a single
        non-event) there is no DeLong variance: the standard error, z, p-value and
        interval are NaN, with a warning that says so.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 44:837-845 (1988).

    Examples
    --------
    >>> res = bk.validation.delong_test(y, model_a_risk, model_b_risk)   # doctest: +SKIP
    >>> res.p_value                                                       # doctest: +SKIP
    """
    y = check_binary(y_true)
    a = check_scores(score_a, y.size, "score_a")
    b = check_scores(score_b, y.size, "score_b")
    level = check_level(level)
    aucs, cov = delong(y, np.vstack([a, b]))
    diff = float(aucs[0] - aucs[1])
    if warn_single_row_class(y):
        return DeLongTestResult(float(aucs[0]), float(aucs[1]), diff, *[np.nan] * 5, level)
    var = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    se = float(np.sqrt(max(var, 0.0)))
    if se == 0:
        z, p = (0.0, 1.0) if diff == 0 else (np.inf * np.sign(diff), 0.0)
    else:
        z = diff / se
        p = float(2 * norm.sf(abs(z)))
    half = norm.ppf(0.5 + level / 2) * se
    return DeLongTestResult(float(aucs[0]), float(aucs[1]), diff, se, float(z), p,
                            diff - half, diff + half, level)
