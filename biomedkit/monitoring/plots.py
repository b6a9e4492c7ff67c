"""One figure of a deployed model over time: performance with intervals, input drift, known
drift onsets and alarms."""

from __future__ import annotations

import numpy as np

from biomedkit.monitoring.inputs import FeatureDriftResult
from biomedkit.monitoring.performance import PerformanceResult

MEASURES = {"auc": ("AUC", "auc_alarm", None), "oe": ("observed / expected", "oe_alarm", 1.0),
            "slope": ("calibration slope", "slope_alarm", 1.0)}
_ONSET_COLOURS = ("tab:orange", "tab:purple", "tab:green", "tab:brown")


def _numeric(values) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def plot_monitoring(performance: PerformanceResult, drift: FeatureDriftResult | None = None, *,
                    measures=("auc", "oe"), onsets: dict | None = None, xlabel: str = "period",
                    figsize=None):
    """Performance over periods with intervals, input drift (PSI), drift onsets and alarms.

    Parameters
    ----------
    performance : PerformanceResult
        From :func:`performance_over_time`. Each measure gets a panel: the value per period
        with its interval, the reference (a dashed line and its interval, shaded) when there
        is one, and a red triangle where the period raised that alarm. Periods whose labels
        are not all in are shaded grey.
    drift : FeatureDriftResult, optional
        From :func:`feature_drift` with ``period=``: adds a panel of PSI per feature (thin)
        and the largest per period (thick), the ``psi_alarm`` line, and triangles where an
        input alarm was raised.
    measures : sequence of {"auc", "oe", "slope"}, default=("auc", "oe")
    onsets : dict of str -> period, optional
        Known drift onsets, for example ``truth.onsets`` of a simulation: a vertical line at
        each and a light shade after it.
    xlabel : str, default="period"
    figsize : tuple, optional

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    With numeric periods (months, or the month at which each quarter starts) the panels
    share one time axis, so performance and drift may use different periods; otherwise the
    periods are placed in order.

    Examples
    --------
    >>> fig = bk.monitoring.plot_monitoring(perf, drift, onsets=truth.onsets, xlabel="month")  # doctest: +SKIP
    >>> plt.show()                                                                             # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    if not isinstance(performance, PerformanceResult):
        raise TypeError(f"performance must come from bk.monitoring.performance_over_time; got "
                        f"{type(performance).__name__}")
    if drift is not None and not isinstance(drift, FeatureDriftResult):
        raise TypeError(f"drift must come from bk.monitoring.feature_drift; got {type(drift).__name__}")
    if drift is not None and "period" not in drift.table.index.names:
        raise ValueError("drift has no periods; compute it with feature_drift(..., period=...)")
    measures = [measures] if isinstance(measures, str) else list(measures)
    unknown = [m for m in measures if m not in MEASURES]
    if unknown or not measures:
        raise ValueError(f"measures must be drawn from {list(MEASURES)}; got {measures!r}")
    if onsets is not None and not isinstance(onsets, dict):
        raise TypeError("onsets must be a dict {label: period}, e.g. truth.onsets")

    table = performance.table
    drift_summary = drift.summary() if drift is not None else None
    periods = list(table.index) + ([] if drift is None else list(drift_summary.index))
    numeric = _numeric(periods)
    order = {p: i for i, p in enumerate(dict.fromkeys(periods))}

    def x_of(values):
        return np.asarray(values, float) if numeric else np.array([order[v] for v in values], float)

    n_panels = len(measures) + (drift is not None)
    fig, axes = plt.subplots(n_panels, 1, sharex=True, squeeze=False,
                             figsize=figsize or (9, 2.4 * n_panels + 0.6))
    axes = axes[:, 0]
    x = x_of(table.index)
    waiting = (table["n_labelled"] < table["n"]).to_numpy()
    half = np.min(np.diff(np.unique(x))) / 2 if np.unique(x).size > 1 else 0.5
    for ax, name in zip(axes, measures):
        _measure_panel(ax, table, name, x, waiting, half, performance)
    if drift is not None:
        _psi_panel(axes[-1], drift, drift_summary, x_of)
    for ax in axes:
        _mark_onsets(ax, onsets, x_of, numeric, order)
    axes[0].legend(loc="lower left", fontsize=8, ncol=2)
    if not numeric:
        axes[-1].set_xticks(list(order.values()), labels=[str(p) for p in order])
    axes[-1].set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def _measure_panel(ax, table, name, x, waiting, half, performance):
    label, alarm_column, target = MEASURES[name]
    value, low, high = table[name].to_numpy(float), table[f"{name}_low"].to_numpy(float), \
        table[f"{name}_high"].to_numpy(float)
    ok = np.isfinite(value)
    ax.errorbar(x[ok], value[ok], yerr=[value[ok] - low[ok], high[ok] - value[ok]], fmt="o-", color="k",
                ms=4, lw=1, capsize=2, label=f"per period ({performance.level:.0%} CI)")
    if target is not None:
        ax.axhline(target, color="grey", lw=1)
    ref = performance.reference
    if name == "auc" and ref is not None:
        ax.axhline(ref["auc"], color="tab:blue", ls="--", lw=1, label="reference")
        ax.axhspan(ref["auc_low"], ref["auc_high"], color="tab:blue", alpha=0.1)
    alarm = table[alarm_column].to_numpy(bool) & ok
    if alarm.any():
        top = np.nanmax(high[ok])
        ax.plot(x[alarm], np.full(alarm.sum(), top), "v", color="red", ms=8, label="alarm")
    for xi in x[waiting]:
        ax.axvspan(xi - half, xi + half, color="grey", alpha=0.15, lw=0)
    if waiting.any():
        ax.text(x[waiting].mean(), 0.5, "labels\nnot in yet", transform=ax.get_xaxis_transform(),
                ha="center", va="center", fontsize=8, color="grey")
    ax.set_ylabel(label)


def _psi_panel(ax, drift, summary, x_of):
    table = drift.table["psi"].unstack("feature")
    xs = x_of(table.index)
    for feature in table.columns:
        ax.plot(xs, table[feature].to_numpy(), color="grey", lw=0.7, alpha=0.6)
    ax.plot(x_of(summary.index), summary["max_psi"].to_numpy(), color="k", lw=1.6,
            label="largest PSI (thin: each feature)")
    ax.axhline(drift.psi_alarm, color="red", ls=":", lw=1, label=f"alarm level {drift.psi_alarm:g}")
    alarm = summary["alarm"].to_numpy(bool)
    if alarm.any():
        ax.plot(x_of(summary.index[alarm]), summary["max_psi"].to_numpy()[alarm], "v", color="red", ms=7,
                label="input alarm")
    ax.set_ylabel("PSI")
    ax.legend(loc="center left", fontsize=8)


def _mark_onsets(ax, onsets, x_of, numeric, order):
    if not onsets:
        return
    right = ax.get_xlim()[1]
    for colour, (kind, at) in zip(_ONSET_COLOURS, onsets.items()):
        if not numeric and at not in order:
            continue
        xo = float(x_of([at])[0])
        ax.axvline(xo, color=colour, lw=1.5)
        ax.axvspan(xo, right, color=colour, alpha=0.06, lw=0)
        ax.text(xo, 0.98, f" {kind} drift", transform=ax.get_xaxis_transform(), color=colour,
                fontsize=8, va="top", ha="left")
    ax.set_xlim(right=right)

