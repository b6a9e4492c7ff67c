"""Errors of a regression model with intervals, and a paired comparison of two models.

The intervals come from the percentile bootstrap over the test molecules: they say how much
the number would move with another sample of molecules like these, not with another split
(repeat the split for that).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_level, check_n_boot, check_random_state

_CHUNK = 2_000_000  # bootstrap index draws held in memory at a time


def _check_values(values, name: str, n: int | None = None) -> np.ndarray:
    a = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one value per molecule); got shape {a.shape}")
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be numeric; got dtype {a.dtype}")
    a = a.astype(float)
    if n is not None and a.size != n:
        raise ValueError(f"{name} has {a.size} values but y_true has {n}; they must match")
    if a.size < 3:
        raise ValueError(f"{name} needs at least 3 values; got {a.size}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values; every molecule needs a value")
    return a


def _resamples(n: int, n_boot: int, rng):
    """Bootstrap index arrays, in chunks of (r, n)."""
    chunk = max(1, _CHUNK // n)
    for lo in range(0, n_boot, chunk):
        yield rng.integers(0, n, size=(min(chunk, n_boot - lo), n))


def _rmse(y, p) -> float:
    return float(np.sqrt(np.mean((y - p) ** 2)))


def _r2(y, p) -> float:
    return float(1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2))


@dataclass(frozen=True)
class RegressionMetricsResult:
    """RMSE and R² of one model on one test set, with bootstrap intervals."""

    rmse: float
    rmse_low: float
    rmse_high: float
    r2: float
    r2_low: float
    r2_high: float
    n: int
    level: float
    n_boot: int

    def __str__(self) -> str:
        return (f"RMSE {self.rmse:.3f} ({self.level:.0%} CI {self.rmse_low:.3f} to {self.rmse_high:.3f}), "
                f"R² {self.r2:.3f} ({self.r2_low:.3f} to {self.r2_high:.3f}), n = {self.n}")

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: estimate, low, high."""
        return pd.DataFrame({"estimate": [self.rmse, self.r2], "low": [self.rmse_low, self.r2_low],
                             "high": [self.rmse_high, self.r2_high]}, index=["RMSE", "R²"])

    def as_row(self) -> dict:
        """The six numbers as a dictionary, to build a table of several models."""
        return {"RMSE": self.rmse, "RMSE low": self.rmse_low, "RMSE high": self.rmse_high,
                "R²": self.r2, "R² low": self.r2_low, "R² high": self.r2_high}


def regression_metrics(y_true, y_pred, *, level: float = 0.95, n_boot: int = 2000,
                       random_state=None) -> RegressionMetricsResult:
    """Root mean squared error and R² with percentile-bootstrap intervals over the test set.

    Parameters
    ----------
    y_true, y_pred : array-like of float
        Measured and predicted values, one per test molecule.
    level : float, default=0.95
    n_boot : int, default=2000
        Bootstrap resamples of the test molecules.
    random_state : int, Generator or None
        Seeds the bootstrap.

    Returns
    -------
    RegressionMetricsResult
        ``rmse``, ``r2`` and their ``_low``/``_high`` bounds. R² is ``1 - SSE / SST`` on
        the test set (as scikit-learn's ``r2_score``): below 0 when the model does worse
        than the test set's own mean.

    Examples
    --------
    >>> print(bk.chem.regression_metrics(y_test, model.predict(test_smiles), random_state=0))  # doctest: +SKIP
    """
    y = _check_values(y_true, "y_true")
    p = _check_values(y_pred, "y_pred", y.size)
    level = check_level(level)
    n_boot = check_n_boot(n_boot, minimum=10)
    rng = check_random_state(random_state)
    rmse, r2 = [], []
    for idx in _resamples(y.size, n_boot, rng):
        yb, pb = y[idx], p[idx]
        sse = np.sum((yb - pb) ** 2, axis=1)
        rmse.append(np.sqrt(sse / y.size))
        sst = np.sum((yb - yb.mean(axis=1, keepdims=True)) ** 2, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2.append(1 - sse / sst)  # a resample of identical values has no R²: NaN, dropped
    q = [0.5 - level / 2, 0.5 + level / 2]
    rmse_low, rmse_high = np.quantile(np.concatenate(rmse), q)
    r2_all = np.concatenate(r2)
    r2_low, r2_high = np.quantile(r2_all[np.isfinite(r2_all)], q)
    return RegressionMetricsResult(_rmse(y, p), float(rmse_low), float(rmse_high), _r2(y, p),
                                   float(r2_low), float(r2_high), int(y.size), level, n_boot)


@dataclass(frozen=True)
class PairedRegressionResult:
    """Two models' RMSE on the same test molecules, and the difference between them."""

    rmse_a: float
    rmse_b: float
    difference: float  # rmse_a - rmse_b: below 0 when model a errs less
    low: float
    high: float
    p_value: float  # paired t-test of the squared errors (equal mean squared error)
    n: int
    level: float
    n_boot: int

    def __str__(self) -> str:
        return (f"RMSE {self.rmse_a:.3f} vs {self.rmse_b:.3f}: difference {self.difference:+.3f} "
                f"({self.level:.0%} CI {self.low:+.3f} to {self.high:+.3f}), p = {self.p_value:.3g}, "
                f"n = {self.n}")

    def to_frame(self) -> pd.DataFrame:
        """One row: both RMSEs, the difference with its interval, and the p-value."""
        return pd.DataFrame([{"RMSE a": self.rmse_a, "RMSE b": self.rmse_b, "difference": self.difference,
                              "low": self.low, "high": self.high, "p": self.p_value, "n": self.n}])


def compare_regressors(y_true, pred_a, pred_b, *, level: float = 0.95, n_boot: int = 2000,
                       random_state=None) -> PairedRegressionResult:
    """Compare two models scored on the same molecules: the difference of their RMSEs.

    The interval is a paired percentile bootstrap: each resample of the test molecules
    scores both models on the same molecules, so what the two share (hard molecules, easy
    ones) cancels in the difference. The p-value tests equal mean squared errors with a
    paired t-test of the per-molecule squared errors (the Diebold-Mariano test with a
    squared loss).

    Parameters
    ----------
    y_true : array-like of float
    pred_a, pred_b : array-like of float
        The two models' predictions for the same molecules, in the same order.
    level : float, default=0.95
    n_boot : int, default=2000
    random_state : int, Generator or None

    Returns
    -------
    PairedRegressionResult
        ``difference`` = RMSE of a minus RMSE of b, with ``low``, ``high`` and ``p_value``.

    Examples
    --------
    >>> print(bk.chem.compare_regressors(y_test, p_graph, p_forest, random_state=0))  # doctest: +SKIP
    """
    from scipy.stats import ttest_rel

    y = _check_values(y_true, "y_true")
    a = _check_values(pred_a, "pred_a", y.size)
    b = _check_values(pred_b, "pred_b", y.size)
    level = check_level(level)
    n_boot = check_n_boot(n_boot, minimum=10)
    rng = check_random_state(random_state)
    sq_a, sq_b = (y - a) ** 2, (y - b) ** 2
    diffs = [np.sqrt(sq_a[idx].mean(axis=1)) - np.sqrt(sq_b[idx].mean(axis=1))
             for idx in _resamples(y.size, n_boot, rng)]
    low, high = np.quantile(np.concatenate(diffs), [0.5 - level / 2, 0.5 + level / 2])
    p_value = 1.0 if np.array_equal(sq_a, sq_b) else float(ttest_rel(sq_a, sq_b).pvalue)
    rmse_a, rmse_b = _rmse(y, a), _rmse(y, b)
    return PairedRegressionResult(rmse_a, rmse_b, rmse_a - rmse_b, float(low), float(high), p_value,
                                  int(y.size), level, n_boot)
