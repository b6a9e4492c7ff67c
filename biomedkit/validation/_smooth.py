"""A local-linear (lowess-type) smoother for calibration curves, with pointwise SEs."""

from __future__ import annotations

import numpy as np

MAX_POINTS = 3_000  # above this, smooth equal-count bins instead of single patients


def _tricube(u: np.ndarray) -> np.ndarray:
    return np.clip(1 - np.abs(u) ** 3, 0, None) ** 3


def local_linear(x, y, x_eval, frac: float = 0.75, weights=None):
    """Local-linear regression of ``y`` on ``x`` at ``x_eval`` with tricube weights.

    Each fit uses the nearest ``floor(frac * n)`` points, as statsmodels' ``lowess``
    without robustness iterations. Returns the fitted values and the equivalent
    kernel weights (rows: evaluation points), from which variances follow.
    """
    x, y, x_eval = (np.asarray(a, float) for a in (x, y, x_eval))
    w_obs = np.ones_like(x) if weights is None else np.asarray(weights, float)
    k = min(x.size, max(2, int(frac * x.size + 1e-10)))  # a single distinct x: k = 1
    fits, kernels = [], []
    for block in np.array_split(x_eval, max(1, x_eval.size // 200)):
        d = np.abs(block[:, None] - x[None, :])
        h = np.partition(d, k - 1, axis=1)[:, k - 1:k]
        h = np.where(h > 0, h, 1.0)
        w = _tricube(d / (h * (1 + 1e-10))) * w_obs
        dx = x[None, :] - block[:, None]
        s0, s1, s2 = w.sum(1), (w * dx).sum(1), (w * dx**2).sum(1)
        det = s0 * s2 - s1**2
        flat = det <= 1e-12 * np.maximum(s0 * s2, 1e-300)  # all neighbours at one x
        det = np.where(flat, 1.0, det)
        ker = np.where(flat[:, None], w / s0[:, None], w * (s2[:, None] - s1[:, None] * dx) / det[:, None])
        kernels.append(ker)
        fits.append(ker @ y)
    return np.concatenate(fits), np.vstack(kernels)


def smooth_calibration(p: np.ndarray, y: np.ndarray, frac: float = 0.75):
    """The smoothed observed event rate as a function of the predicted risk.

    Returns ``(x, fit, se)``: sorted distinct predicted risks, the smoothed event rate
    at each, and its binomial standard error. For more than ``MAX_POINTS`` patients
    the smoother runs on equal-count bins of the predicted risk (mean risk, event
    rate, bin size as weight), which bounds the cost with no visible change in the
    curve; interpolate between the returned points.
    """
    if p.size > MAX_POINTS:
        order = np.argsort(p, kind="mergesort")
        bins = np.array_split(order, MAX_POINTS)
        counts = np.array([b.size for b in bins], float)
        x = np.array([p[b].mean() for b in bins])
        rate = np.array([y[b].mean() for b in bins])
    else:
        x, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
        counts = counts.astype(float)
        rate = np.bincount(inverse, weights=y) / counts
    fit, ker = local_linear(x, rate, x, frac, weights=counts)
    fitted = np.clip(fit, 1e-6, 1 - 1e-6)
    se = np.sqrt((ker**2 * (fitted * (1 - fitted) / counts)[None, :]).sum(axis=1))
    return x, fit, se
