"""Calibration: do predicted risks match observed event rates?

Calibration-in-the-large and the calibration slope come from logistic
recalibration (Cox 1958; Van Calster et al. 2016); the Brier score decomposition
is the CORP decomposition based on isotonic regression (Dimitriadis, Gneiting and
Jordan 2021); ICI, E50 and E90 follow Austin and Steyerberg (2019) with a
local-linear smoother.
"""

from __future__ import annotations

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


def logistic_fit(y: np.ndarray, X: np.ndarray, offset=None, max_iter: int = 100):
    """Maximum-likelihood logistic regression by Newton-Raphson: (coef, covariance)."""
    offset = np.zeros(y.size) if offset is None else offset
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        mu = expit(X @ beta + offset)
        w = mu * (1 - mu)
        info = X.T @ (X * w[:, None])
        step = np.linalg.solve(info, X.T @ (y - mu))
        beta = beta + step
        if np.abs(step).max() < 1e-10:
            break
    mu = expit(X @ beta + offset)
    info = X.T @ (X * (mu * (1 - mu))[:, None])
    return beta, np.linalg.inv(info)


def intercept_and_slope(y: np.ndarray, p: np.ndarray, z: float) -> dict:
    """Calibration-in-the-large and slope with Wald limits at normal quantile ``z``."""
    lp = clipped_logit(p)
    (a,), cov_a = logistic_fit(y, np.ones((y.size, 1)), offset=lp)
    (_, b), cov_b = logistic_fit(y, np.column_stack([np.ones(y.size), lp]))
    se_a, se_b = np.sqrt(cov_a[0, 0]), np.sqrt(cov_b[1, 1])
    return {"citl": float(a), "citl_low": float(a - z * se_a), "citl_high": float(a + z * se_a),
            "slope": float(b), "slope_low": float(b - z * se_b), "slope_high": float(b + z * se_b)}


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
    Risks of exactly 0 or 1 are moved 1e-8 inside the interval first.

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
    """A calibration curve: quantile bins and a smoothed curve with its band."""

    bins: pd.DataFrame    # bin, n, mean_predicted, observed, observed_low, observed_high
    smooth: pd.DataFrame  # predicted, observed, low, high
    level: float

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
        Number of bins of equal size (quantiles of the predicted risk).
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
