"""Measures shared by the monitoring modules: one period's (or one model's) performance."""

from __future__ import annotations

import numpy as np

from biomedkit._stats import wilson_interval


def period_measures(y: np.ndarray, p: np.ndarray, z: float, level: float) -> dict:
    """Performance of risks ``p`` against outcomes ``y`` (all known): events, O/E with its Wilson
    interval, Brier score, AUC with its DeLong interval, intercept and slope with Wald limits."""
    from biomedkit.validation import auc_ci
    from biomedkit.validation.calibration import intercept_and_slope

    events = int(y.sum())
    mean_p = float(p.mean())
    low, high = wilson_interval(events, y.size, level)
    with np.errstate(divide="ignore", invalid="ignore"):  # every risk 0: O/E is undefined
        oe = np.divide([events / y.size, float(low), float(high)], mean_p)
    row = {"events": events, "observed_rate": events / y.size, "mean_predicted": mean_p,
           "oe": oe[0], "oe_low": oe[1], "oe_high": oe[2], "brier": float(np.mean((p - y) ** 2))}
    if 0 < events < y.size:
        auc = auc_ci(y.astype(int), p, level=level)
        row.update(auc=auc.auc, auc_low=auc.low, auc_high=auc.high, auc_se=auc.se, status="complete")
        try:
            row.update(intercept_and_slope(y, p, z))
        except np.linalg.LinAlgError:  # separation in a tiny period: no finite slope
            row["status"] = "complete; calibration slope not estimable"
    else:
        row["status"] = "one outcome class only: no AUC or slope"
    return row
