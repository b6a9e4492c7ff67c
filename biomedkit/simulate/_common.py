"""Small helpers shared by the simulators."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit


def intercept_for_prevalence(linear_predictor: np.ndarray, prevalence: float) -> float:
    """The intercept b such that mean(expit(lp + b)) equals ``prevalence``."""
    return brentq(lambda b: expit(linear_predictor + b).mean() - prevalence, -60.0, 60.0, xtol=1e-12)


def as_dataset(frame, truth, *, name: str, target: str, sites: str):
    """Wrap a simulated frame with its card, updated to the shape asked for."""
    from biomedkit.datasets import Dataset, get_card

    card = get_card(name)
    card.update(rows=frame.shape[0], columns=frame.shape[1])
    if sites not in frame.columns or frame[sites].nunique() < 2:
        card["sites"] = ""
    return Dataset(frame=frame, target=target, card=card, truth=truth)
