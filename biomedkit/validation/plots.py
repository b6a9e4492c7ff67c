"""Plots of the validation results. Each takes ``ax=`` and returns the Axes."""

from __future__ import annotations

import pandas as pd

from biomedkit._deprecation import keyword_only_after


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 4.5))
    return ax


@keyword_only_after(1)
def plot_calibration(curve, *, ax=None, label=None, color=None):
    """Binned observed rates with Wilson intervals, the smoothed curve and its band."""
    if not hasattr(curve, "bins") or not hasattr(curve, "smooth"):
        raise TypeError(f"curve must be a CalibrationCurve (from calibration_curve); got {type(curve).__name__}")
    ax = _axes(ax)
    b, s = curve.bins, curve.smooth
    line, = ax.plot(s["predicted"], s["observed"], color=color, label=label or "smoothed")
    ax.fill_between(s["predicted"], s["low"], s["high"], color=line.get_color(), alpha=0.2, lw=0)
    ax.errorbar(b["mean_predicted"], b["observed"],
                yerr=[b["observed"] - b["observed_low"], b["observed_high"] - b["observed"]],
                fmt="o", ms=4, color=line.get_color(), capsize=2, label=None if label else curve.binning)
    top = max(b["mean_predicted"].max(), b["observed_high"].max(), s["predicted"].max()) * 1.05
    ax.plot([0, top], [0, top], ls="--", color="grey", lw=1, label="ideal")
    ax.set(xlim=(0, top), ylim=(0, top), xlabel="predicted risk", ylabel="observed event rate")
    ax.legend(frameon=False)
    return ax


@keyword_only_after(1)
def plot_decision_curve(net_benefit: pd.DataFrame, *, ax=None, ymin: float | None = None):
    """Decision curves from :func:`net_benefit`: one line per strategy, bands if bootstrapped."""
    if not isinstance(net_benefit, pd.DataFrame) or not {"model", "threshold", "net_benefit"} <= set(net_benefit):
        raise TypeError("net_benefit must be the DataFrame of bk.validation.net_benefit; "
                        f"got {type(net_benefit).__name__}")
    ax = _axes(ax)
    styles = {"Treat all": {"color": "grey", "lw": 1}, "Treat none": {"color": "black", "lw": 1, "ls": ":"}}
    for model, d in net_benefit.groupby("model", sort=False):
        line, = ax.plot(d["threshold"], d["net_benefit"], label=model, **styles.get(model, {}))
        if "net_benefit_low" in d and model not in styles:
            ax.fill_between(d["threshold"], d["net_benefit_low"], d["net_benefit_high"],
                            color=line.get_color(), alpha=0.15, lw=0)
    prevalence = net_benefit["prevalence"].iloc[0]
    ax.set(xlabel="threshold probability", ylabel="net benefit",
           ylim=(ymin if ymin is not None else -0.05 * prevalence * 2, prevalence * 1.1))
    ax.axhline(0, color="black", lw=0.5)
    ax.legend(frameon=False)
    return ax
