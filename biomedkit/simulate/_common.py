"""Small helpers shared by the simulators."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit


def check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def check_float(value, name: str, low: float, high: float, *, open_low=False, open_high=False) -> float:
    ok_type = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok_type and np.isfinite(value) and (value > low if open_low else value >= low) and (
        value < high if open_high else value <= high)
    if not ok:
        lo, hi = "(" if open_low else "[", ")" if open_high else "]"
        raise ValueError(f"{name} must be a number in {lo}{low}, {high}{hi}; got {value!r}")
    return float(value)


def intercept_for_prevalence(linear_predictor: np.ndarray, prevalence: float) -> float:
    """The intercept b such that mean(expit(lp + b)) equals ``prevalence``."""
    return brentq(lambda b: expit(linear_predictor + b).mean() - prevalence, -60.0, 60.0, xtol=1e-12)


def as_dataset(frame, truth, *, name: str, target: str, sites: str):
    """Wrap a simulated frame with its card, updated to the shape asked for."""
    from biomedkit.datasets._cards import get_card
    from biomedkit.datasets._dataset import Dataset

    card = get_card(name)
    card.update(rows=frame.shape[0], columns=frame.shape[1])
    if sites not in frame.columns or frame[sites].nunique() < 2:
        card["sites"] = ""
    return Dataset(frame=frame, target=target, card=card, truth=truth)
