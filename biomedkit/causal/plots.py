"""Plots of the overlap and balance checks. Each takes ``ax=`` and returns the Axes."""

from __future__ import annotations

import numpy as np

from biomedkit._checks import check_float, check_n_bins


def _axes(ax, size):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


def plot_overlap(result, *, ax=None, bins: int = 30):
    """Propensity distributions of the treated (above the axis) and the untreated (below).

    Where one group has people and the other none, no one comparable got the other
    treatment: positivity fails there, and weights grow large.

    Parameters
    ----------
    result : OverlapResult
        From :func:`biomedkit.causal.overlap`.
    ax : matplotlib Axes, optional
    bins : int, default=30

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> bk.causal.plot_overlap(bk.causal.overlap(frame, treatment="qsmk", confounders=cols))  # doctest: +SKIP
    """
    bins = check_n_bins(bins, "bins")
    ax = _axes(ax, (6, 4))
    edges = np.linspace(0, 1, bins + 1)
    treated = result.treated.to_numpy()
    ps = result.propensity.to_numpy()
    up, _ = np.histogram(ps[treated], edges)
    down, _ = np.histogram(ps[~treated], edges)
    width = np.diff(edges)
    ax.bar(edges[:-1], up, width=width, align="edge", color="tab:orange", alpha=0.8,
           label=f"treated (n = {treated.sum():,})")
    ax.bar(edges[:-1], -down, width=width, align="edge", color="tab:blue", alpha=0.8,
           label=f"untreated (n = {(~treated).sum():,})")
    ax.axhline(0, color="black", lw=0.8)
    ax.set(xlim=(0, 1), xlabel=f"propensity: P({result.treatment} = 1 | confounders)",
           ylabel="people (untreated below the axis)")
    ax.yaxis.set_major_formatter(lambda v, _: f"{abs(v):g}")
    ax.legend(frameon=False)
    return ax


def love_plot(result, *, ax=None, threshold: float = 0.1):
    """A love plot: the absolute standardised mean difference of each confounder, before
    (open circles) and after (filled) weighting, with the rule-of-thumb threshold.

    Parameters
    ----------
    result : BalanceResult
        From :func:`biomedkit.causal.balance`.
    ax : matplotlib Axes, optional
    threshold : float, default=0.1
        Where to draw the dashed line.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> bk.causal.love_plot(bk.causal.balance(frame, treatment="qsmk", confounders=cols))  # doctest: +SKIP
    """
    threshold = check_float(threshold, "threshold", 0, 10)
    table = result.table.sort_values("smd", key=np.abs)
    ax = _axes(ax, (6, 0.3 * len(table) + 1.2))
    rows = np.arange(len(table))
    ax.hlines(rows, table["smd weighted"].abs(), table["smd"].abs(), color="grey", lw=0.8)
    ax.plot(table["smd"].abs(), rows, "o", mfc="white", color="tab:red", label="before weighting")
    ax.plot(table["smd weighted"].abs(), rows, "o", color="tab:blue", label="after weighting")
    ax.axvline(threshold, ls="--", color="black", lw=0.8)
    ax.set_yticks(rows, labels=table.index)
    ax.set(xlabel="absolute standardised mean difference", xlim=(0, None))
    ax.legend(frameon=False, loc="lower right")
    return ax
