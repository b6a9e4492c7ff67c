"""Input checks shared by the validation functions: once, at the public boundary."""

from __future__ import annotations

import numbers

import numpy as np


def check_binary(y_true, name: str = "y_true") -> np.ndarray:
    """Return ``y_true`` as an int array of 0/1, or raise a ValueError that says why not."""
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {y.shape}")
    if y.dtype == bool:
        y = y.astype(int)
    if y.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold 0/1 (or True/False) outcomes; got dtype {y.dtype}")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError(f"{name} contains NaN; drop or impute the missing outcomes first")
    values = np.unique(y)
    if not np.isin(values, (0, 1)).all():
        raise ValueError(f"{name} must hold only 0 and 1; got values {values[:5].tolist()}")
    if values.size < 2:
        raise ValueError(f"{name} has only one class ({values.tolist()}); "
                         "discrimination and calibration need both events and non-events")
    return y.astype(np.int8)


def check_scores(y_score, n: int, name: str = "y_score", probability: bool = False) -> np.ndarray:
    """Return ``y_score`` as a float array of length ``n``; probabilities must lie in [0, 1]."""
    s = np.asarray(y_score)
    if s.ndim == 2 and s.shape[1] == 2:
        raise ValueError(f"{name} has two columns; pass the probability of the event only: "
                         "model.predict_proba(X)[:, 1]")
    if s.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {s.shape}")
    if s.dtype.kind not in "iufb":
        raise TypeError(f"{name} must be numeric; got dtype {s.dtype}")
    s = s.astype(float)
    if s.size != n:
        raise ValueError(f"{name} has {s.size} values but y_true has {n}; they must match")
    if not np.isfinite(s).all():
        raise ValueError(f"{name} contains NaN or infinite values; every patient needs a score")
    if probability and (s.min() < 0 or s.max() > 1):
        raise ValueError(f"{name} must lie in [0, 1]; got values in [{s.min():.3g}, {s.max():.3g}]. "
                         "Pass probabilities, not decision scores.")
    return s


def check_level(level) -> float:
    if not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), e.g. 0.95; got {level!r}")
    return float(level)


def check_thresholds(thresholds, name: str = "thresholds") -> np.ndarray:
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"{name} must be a number or a 1-d sequence of numbers")
    if not np.isfinite(t).all() or t.min() <= 0 or t.max() >= 1:
        raise ValueError(f"{name} must lie strictly inside (0, 1); got values in "
                         f"[{np.nanmin(t):.3g}, {np.nanmax(t):.3g}]")
    return t


def check_n_boot(n_boot, minimum: int = 0) -> int:
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < minimum:
        raise ValueError(f"n_boot must be an integer >= {minimum}; got {n_boot!r}")
    return int(n_boot)


def wilson_interval(successes, trials, level: float = 0.95):
    """Wilson score interval for binomial proportions (vectorised; NaN where trials == 0)."""
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    k, n = np.asarray(successes, float), np.asarray(trials, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half
