"""Static fairness plots (matplotlib): each takes ``ax=`` and returns the Axes."""

from __future__ import annotations

import warnings

import numpy as np

from biomedkit._deprecation import keyword_only_after

# Okabe-Ito: distinguishable with the common colour-vision deficiencies (same as the explorer).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def _check_curves(curves) -> None:
    from biomedkit.fairness.curves import GroupCurves

    if not isinstance(curves, GroupCurves):
        raise TypeError("curves must be a GroupCurves, from bk.fairness.group_curves(y_true, y_score, "
                        f"groups); got {type(curves).__name__}")


def _check_threshold(curves, threshold):
    """One number for all groups, a sequence or a mapping group -> number (checked by the curves); a
    threshold outside the scores is allowed and warned about there (nobody, or everybody, flagged)."""
    if isinstance(threshold, (str, bytes, bool)):
        raise TypeError(f"threshold must be a number, one per group in a sequence, or a mapping "
                        f"group -> number; got {type(threshold).__name__}")
    t = curves.thresholds_per_group(threshold)
    lo, hi = curves.score_range
    if (t > hi).all() or (t <= lo).all():
        who = "nobody" if (t > hi).all() else "everybody"
        warnings.warn(f"threshold {threshold!r} lies outside the scores [{lo:.3g}, {hi:.3g}]: {who} is "
                      "flagged, so the plotted rates do not compare the groups", stacklevel=3)
    return t


def _ax(ax):
    import matplotlib.pyplot as plt

    return ax if ax is not None else plt.subplots(figsize=(4.5, 4))[1]


@keyword_only_after(1)
def plot_group_roc(curves, *, threshold=None, ax=None):
    """Each group's ROC curve, with its operating point at ``threshold`` if given."""
    _check_curves(curves)
    if threshold is not None:
        _check_threshold(curves, threshold)
    ax = _ax(ax)
    table = curves.at(threshold) if threshold is not None else None
    auc = curves.auc()
    for i, g in enumerate(curves.groups):
        roc = curves.roc(g)
        color = PALETTE[i % len(PALETTE)]
        ax.plot(roc.fpr, roc.tpr, color=color, lw=1.5, label=f"{g} (AUC {auc[g]:.3f})")
        if table is not None:
            ax.plot(table.fpr[g], table.tpr[g], "o", color=color, ms=7, mec="white")
    ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=1)
    ax.set(xlabel="False positive rate", ylabel="True positive rate", title="ROC by group",
           xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="lower right", fontsize="small")
    return ax


@keyword_only_after(2)
def plot_differences(curves, threshold, *, reference=None, ax=None):
    """Each group's rate minus the reference group's, with 95% Wald intervals (``reference``
    is a group label; default: the largest group)."""
    _check_curves(curves)
    _check_threshold(curves, threshold)
    ax = _ax(ax)
    diff = curves.differences(threshold, reference=reference).reset_index()
    metrics = list(dict.fromkeys(diff.metric))
    others = list(dict.fromkeys(diff.group))
    width = 0.8 / max(len(others), 1)
    for j, g in enumerate(others):
        d = diff[diff.group == g].set_index("metric").loc[metrics]
        x = np.arange(len(metrics)) + (j - (len(others) - 1) / 2) * width
        color = PALETTE[list(curves.groups).index(g) % len(PALETTE)]
        ax.bar(x, d.difference, width, color=color, label=str(g))
        ax.errorbar(x, d.difference, yerr=[d.difference - d.difference_low, d.difference_high - d.difference],
                    fmt="none", ecolor="black", lw=1, capsize=2)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(np.arange(len(metrics)), ["selection", "TPR", "FPR", "PPV"][:len(metrics)])
    ax.set(ylabel=f"difference from {diff.attrs['reference']}", title="Disparities (95% CI)")
    ax.legend(fontsize="small")
    return ax


@keyword_only_after(1)
def plot_group_calibration(curves, *, n_bins: int = 10, ax=None):
    """Observed event rate against mean score, per group."""
    _check_curves(curves)
    ax = _ax(ax)
    cal = curves.calibration(n_bins=n_bins)
    for i, g in enumerate(curves.groups):
        c = cal[cal.group == g]
        ax.plot(c.mean_score, c.observed, "o-", color=PALETTE[i % len(PALETTE)], ms=3, label=str(g))
    lo, hi = curves.score_range
    ax.plot([lo, hi], [lo, hi], ls=":", color="grey", lw=1)
    ax.set(xlabel="Mean score", ylabel="Observed event rate", title="Calibration within groups")
    ax.legend(fontsize="small")
    return ax


@keyword_only_after(1)
def plot_group_sizes(curves, *, ax=None):
    """Group sizes (bars) and base rates (labels)."""
    _check_curves(curves)
    ax = _ax(ax)
    n = curves.positives + curves.negatives
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(curves.groups))]
    bars = ax.barh([str(g) for g in curves.groups], n, color=colors)
    for bar, rate in zip(bars, curves.positives / n):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" base rate {rate:.1%}",
                va="center", fontsize="small")
    ax.invert_yaxis()
    ax.set(xlabel="Patients", title="Group sizes and base rates")
    return ax


@keyword_only_after(2)
def plot_fairness(curves, threshold, *, reference=None, title: str = "Fairness"):
    """The four panels of the fairness explorer as one matplotlib Figure.

    ``reference`` is the label of the group the disparity bars compare with (default: the
    largest group); an integer is a label too, as groups are often coded 0, 1, 2.
    """
    import matplotlib.pyplot as plt

    _check_curves(curves)
    _check_threshold(curves, threshold)
    fig, axes = plt.subplots(2, 2, figsize=(10, 8), constrained_layout=True)
    plot_group_roc(curves, threshold=threshold, ax=axes[0, 0])
    plot_differences(curves, threshold, reference=reference, ax=axes[0, 1])
    plot_group_calibration(curves, ax=axes[1, 0])
    plot_group_sizes(curves, ax=axes[1, 1])
    fig.suptitle(title)
    return fig
