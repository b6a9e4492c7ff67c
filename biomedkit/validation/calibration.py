"""Calibration: do predicted risks match observed event rates?

Calibration-in-the-large and the calibration slope come from logistic
recalibration (Cox 1958; Van Calster et al. 2016); the Brier score decomposition
is the CORP decomposition based on isotonic regression (Dimitriadis, Gneiting and
Jordan 2021); ICI, E50 and E90 follow Austin and Steyerberg (2019) with a
local-linear smoother.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import norm

from biomedkit._checks import check_binary, check_level, check_n_bins, check_scores
from biomedkit._deprecation import keyword_only_after, warn_deprecated
from biomedkit._stats import wilson_interval
from biomedkit.validation._smooth import smooth_calibration

EPS = 1e-8  # risks of exactly 0 or 1 are moved this far inside, so logit(p) is finite


def clipped_logit(p: np.ndarray) -> np.ndarray:
    """logit(p), with risks of exactly 0 or 1 moved ``EPS`` inside the interval first."""
    return logit(np.clip(p, EPS, 1 - EPS))


def _loglik(y: np.ndarray, eta: np.ndarray) -> float:
    return float(np.sum(y * eta - np.logaddexp(0, eta)))


def logistic_fit(y: np.ndarray, X: np.ndarray, offset=None, max_iter: int = 100):
    """Maximum-likelihood logistic regression by Newton-Raphson: (coef, covariance).

    A step that lowers the likelihood is halved until it does not (risks of exactly 0 or
    1 make the information tiny and a full Newton step overshoot by orders of magnitude).
    """
    offset = np.zeros(y.size) if offset is None else offset
    beta = np.zeros(X.shape[1])
    current = _loglik(y, X @ beta + offset)
    for _ in range(max_iter):
        mu = expit(X @ beta + offset)
        w = mu * (1 - mu)
        info = X.T @ (X * w[:, None])
        step = np.linalg.solve(info, X.T @ (y - mu))
        for _ in range(60):
            value = _loglik(y, X @ (beta + step) + offset)
            if value >= current - 1e-12 * abs(current):
                break
            step = step / 2
        beta, current = beta + step, value
        if np.abs(step).max() < 1e-10:
            break
    mu = expit(X @ beta + offset)
    info = X.T @ (X * (mu * (1 - mu))[:, None])
    return beta, np.linalg.inv(info)


def slope_problem(y: np.ndarray, p: np.ndarray, *, short: bool = False) -> str:
    """Why the calibration slope of risks ``p`` cannot be estimated, or "" when it can
    (``short``: a few words, for the note column of a table).

    The slope is the coefficient of logit(p) in a logistic regression of the outcomes:
    it is undefined when every risk is the same, and it has no finite maximum-likelihood
    estimate when some cut-off of the risks separates the events from the non-events
    (the likelihood keeps rising as the slope grows: Albert and Anderson 1984).
    """
    lp = clipped_logit(p)
    if lp.min() == lp.max():
        return "all risks equal: no calibration slope" if short else \
            "all risks are equal: the calibration slope is undefined"
    events, others = lp[y == 1], lp[y == 0]
    if events.size and others.size and (others.max() <= events.min() or events.max() <= others.min()):
        return "risks separate the outcomes: no finite calibration slope" if short else (
            "the risks separate the events from the non-events (one class never ranks above the "
            "other): the calibration slope has no finite estimate")
    return ""


def _wald_fit(y: np.ndarray, X: np.ndarray, offset, k: int, z: float) -> tuple[float, float, float]:
    """Estimate of coefficient ``k`` with Wald limits; NaN where the fit has no finite answer."""
    try:
        beta, cov = logistic_fit(y, X, offset=offset)
    except np.linalg.LinAlgError:  # a singular information matrix: nothing to estimate
        return np.nan, np.nan, np.nan
    est, var = float(beta[k]), float(cov[k, k])
    if not (np.isfinite(est) and np.isfinite(var) and var >= 0):
        return np.nan, np.nan, np.nan
    se = np.sqrt(var)
    return est, est - z * se, est + z * se


def intercept_and_slope(y: np.ndarray, p: np.ndarray, z: float) -> dict:
    """Calibration-in-the-large and slope with Wald limits at normal quantile ``z``.

    Values that cannot be estimated (see :func:`slope_problem`) are NaN, never an error.
    """
    lp = clipped_logit(p)
    a = _wald_fit(y, np.ones((y.size, 1)), lp, 0, z)
    b = (np.nan,) * 3
    if not slope_problem(y, p):
        b = _wald_fit(y, np.column_stack([np.ones(y.size), lp]), None, 1, z)
    return dict(zip(["citl", "citl_low", "citl_high", "slope", "slope_low", "slope_high"],
                    map(float, (*a, *b))))


def brier_decomposition(y: np.ndarray, p: np.ndarray) -> dict:
    """CORP decomposition: Brier = reliability - resolution + uncertainty.

    ``reliability`` (miscalibration) is the Brier score minus that of the isotonic
    (PAV) recalibration of ``p``; ``resolution`` (discrimination) is the Brier score
    of the overall event rate minus that of the recalibration.
    """
    from sklearn.isotonic import IsotonicRegression

    recal = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(p, y).predict(p)
    base = y.mean()
    brier = np.mean((p - y) ** 2)
    brier_recal = np.mean((recal - y) ** 2)
    uncertainty = base * (1 - base)
    return {"brier": brier, "reliability": brier - brier_recal,
            "resolution": uncertainty - brier_recal, "uncertainty": uncertainty}


@dataclass(frozen=True)
class CalibrationResult:
    """Calibration of predicted risks against observed outcomes.

    ``citl`` is calibration-in-the-large (0 is ideal; positive means risks are too
    low on average), ``slope`` the calibration slope (1 is ideal; below 1 means
    risks are too extreme, the mark of overfitting), each with a Wald interval.
    ``oe_ratio`` is observed / expected events. ``ici`` is the mean, ``e50`` the
    median, ``e90`` the 90th percentile and ``emax`` the largest absolute
    difference between the predicted risk and the smoothed observed rate.
    """

    n: int
    events: int
    mean_predicted: float
    observed_rate: float
    oe_ratio: float
    citl: float
    citl_low: float
    citl_high: float
    slope: float
    slope_low: float
    slope_high: float
    brier: float
    brier_scaled: float
    reliability: float
    resolution: float
    uncertainty: float
    ici: float
    e50: float
    e90: float
    emax: float
    level: float

    def to_frame(self) -> pd.DataFrame:
        """One row per measure: value, and the interval where there is one."""
        d = asdict(self)
        rows = []
        for name in ("citl", "slope"):
            rows.append((name, d[name], d[f"{name}_low"], d[f"{name}_high"]))
        for name in ("n", "events", "mean_predicted", "observed_rate", "oe_ratio", "brier",
                     "brier_scaled", "reliability", "resolution", "uncertainty",
                     "ici", "e50", "e90", "emax"):
            rows.append((name, d[name], np.nan, np.nan))
        return pd.DataFrame(rows, columns=["measure", "value", "low", "high"]).set_index("measure")

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(float_format=lambda v: f"{v:.4g}", na_rep="")


@keyword_only_after(2)
def calibration_summary(y_true, y_prob, *, level: float = 0.95, frac: float = 0.75) -> CalibrationResult:
    """Every calibration measure of predicted risks in one call.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_prob : array-like of float in [0, 1]
        Predicted risks of the event.
    level : float, default=0.95
        Level of the intervals of the intercept and slope.
    frac : float, default=0.75
        Share of patients in each local fit of the smoothed calibration curve
        (used by ICI, E50, E90 and Emax).

    Returns
    -------
    CalibrationResult
        Use ``.to_frame()`` for a table.

    Notes
    -----
    Calibration-in-the-large is the intercept ``a`` of ``logit P(y=1) = a + logit(p)``
    (the risks as an offset); the slope is ``b`` in ``logit P(y=1) = a + b logit(p)``.
    Risks of exactly 0 or 1 are moved 1e-8 inside the interval first. When every risk
    is the same, or the risks separate events from non-events (one class never ranks
    above the other), the slope and its limits are NaN, with a warning that says which
    (the other measures stand).

    References
    ----------
    Van Calster B, et al. A calibration hierarchy for risk models was defined.
    J Clin Epidemiol 74:167-176 (2016).
    Austin PC, Steyerberg EW. The Integrated Calibration Index (ICI) and related
    metrics for quantifying the calibration of logistic regression models.
    Stat Med 38:4051-4065 (2019).
    Dimitriadis T, Gneiting T, Jordan AI. Stable reliability diagrams for
    probabilistic classifiers. PNAS 118(8):e2016191118 (2021).

    Examples
    --------
    >>> summary = bk.validation.calibration_summary(y_test, risk)        # doctest: +SKIP
    >>> summary.slope, summary.ici                                        # doctest: +SKIP
    """
    y = check_binary(y_true).astype(float)
    p = check_scores(y_prob, y.size, "y_prob", probability=True)
    level = check_level(level)
    if not 0 < frac <= 1:
        raise ValueError(f"frac must be in (0, 1]; got {frac!r}")
    z = norm.ppf(0.5 + level / 2)
    problem = slope_problem(y, p)
    if problem:
        warnings.warn(f"y_prob: {problem}; its value and limits are NaN.", UserWarning, stacklevel=3)
    dec = brier_decomposition(y, p)
    x, fit, _ = smooth_calibration(p, y, frac)
    errors = np.abs(p - np.interp(p, x, fit))
    return CalibrationResult(
        n=int(y.size), events=int(y.sum()), mean_predicted=float(p.mean()),
        observed_rate=float(y.mean()), oe_ratio=float(y.sum() / p.sum()),
        **intercept_and_slope(y, p, z),
        brier=float(dec["brier"]), brier_scaled=float(1 - dec["brier"] / dec["uncertainty"]),
        reliability=float(dec["reliability"]), resolution=float(dec["resolution"]),
        uncertainty=float(dec["uncertainty"]),
        ici=float(errors.mean()), e50=float(np.median(errors)),
        e90=float(np.quantile(errors, 0.9)), emax=float(errors.max()), level=level,
    )


@dataclass(frozen=True)
class CalibrationCurve:
    """A calibration curve: bins of equal size (by predicted risk) and a smoothed curve with its band."""

    bins: pd.DataFrame    # bin, n, mean_predicted, observed, observed_low, observed_high
    smooth: pd.DataFrame  # predicted, observed, low, high
    level: float

    @property
    def binning(self) -> str:
        """The bins in words, for legends and captions: "deciles" for 10 bins, else
        "N groups of equal size" (patients in order of predicted risk, cut into bins that
        hold the same number of patients, to one; tied risks may straddle a cut)."""
        k = len(self.bins)
        return "deciles" if k == 10 else f"{k} groups of equal size"

    @keyword_only_after(1)
    def plot(self, *, ax=None, label: str | None = None, color=None):
        """Plot the bins (with Wilson intervals), the smoothed curve and its band."""
        from biomedkit.validation.plots import plot_calibration

        return plot_calibration(self, ax=ax, label=label, color=color)


@keyword_only_after(2)
def calibration_curve(y_true, y_prob, *, n_bins: int = 10, level: float = 0.95,
                      frac: float = 0.75, n_points: int = 100) -> CalibrationCurve:
    """Observed event rates against predicted risks: binned and smoothed.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_prob : array-like of float in [0, 1]
    n_bins : int, default=10
        Number of bins: the patients in order of predicted risk, cut into groups of equal
        size (to one patient); as many bins as patients when there are fewer.
    level : float, default=0.95
        Level of the Wilson intervals of the bins and of the smoothed band.
    frac : float, default=0.75
        Span of the local-linear smoother.
    n_points : int, default=100
        Points at which the smoothed curve is reported.

    Returns
    -------
    CalibrationCurve
        ``.bins`` and ``.smooth`` DataFrames; ``.plot(ax=...)`` draws them.

    Examples
    --------
    >>> curve = bk.validation.calibration_curve(y_test, risk)            # doctest: +SKIP
    >>> curve.plot()                                                      # doctest: +SKIP
    """
    y = check_binary(y_true).astype(float)
    p = check_scores(y_prob, y.size, "y_prob", probability=True)
    level = check_level(level)
    n_bins = check_n_bins(n_bins)
    order = np.argsort(p, kind="mergesort")
    groups = np.array_split(order, min(n_bins, y.size))
    k = np.array([y[g].sum() for g in groups])
    n = np.array([g.size for g in groups])
    low, high = wilson_interval(k, n, level)
    bins = pd.DataFrame({"bin": np.arange(1, len(groups) + 1), "n": n,
                         "mean_predicted": [p[g].mean() for g in groups],
                         "observed": k / n, "observed_low": low, "observed_high": high})
    x, fit, se = smooth_calibration(p, y, frac)
    grid = np.linspace(x.min(), x.max(), n_points)
    # a local-linear fit can overshoot near 0 or 1: the curve shown stays a rate
    f, s = np.clip(np.interp(grid, x, fit), 0, 1), np.interp(grid, x, se)
    z = norm.ppf(0.5 + level / 2)
    smooth = pd.DataFrame({"predicted": grid, "observed": f,
                           "low": np.clip(f - z * s, 0, 1), "high": np.clip(f + z * s, 0, 1)})
    return CalibrationCurve(bins, smooth, level)


def __getattr__(name):
    # CalibrationSummary was renamed CalibrationResult (every computed value is a ...Result)
    if name == "CalibrationSummary":
        warn_deprecated("biomedkit.validation.CalibrationSummary", "CalibrationResult")
        return CalibrationResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
