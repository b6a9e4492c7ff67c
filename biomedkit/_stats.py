"""Small statistics shared by several subpackages."""

from __future__ import annotations

import numpy as np


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
