"""The fairness explorer: move thresholds, see every group's consequences at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import traitlets

from biomedkit._checks import check_int
from biomedkit._deprecation import warn_deprecated
from biomedkit.fairness.curves import CRITERIA, group_curves
from biomedkit.widgets._base import Explorer, css, esm, f32

MAX_ROC_POINTS = 400  # per group: enough for a smooth curve, small for the notebook file


def _grid(lo: float, hi: float, size: int) -> np.ndarray:
    """Threshold grid: hundredths-friendly steps for probabilities, else the score range."""
    if lo >= 0 and hi <= 1:
        return np.round(np.linspace(0, 1, size), 6)
    return np.linspace(lo, hi, size)


class FairnessExplorer(Explorer):
    """Per-group metrics, ROC curves, disparities and calibration at thresholds you move.

    A global threshold slider, per-group sliders, and presets that keep the reference
    group's threshold and move every other group's to match it for a criterion
    (demographic parity, equal opportunity, equalized odds, predictive parity).
    Every group's confusion counts at every grid threshold are computed once in
    Python (:func:`biomedkit.fairness.group_curves`); the browser redraws from them
    on each slider move, with no round trip to the kernel. Only these aggregates
    reach the browser, never patient rows.

    Parameters
    ----------
    y_true, y_score, groups, sample_weight
        As in :func:`biomedkit.fairness.group_curves` (several sensitive columns
        give intersectional groups).
    threshold : float, default=0.5
        The starting threshold for everybody (snapped to the grid).
    n_thresholds : int, default=201
        Grid size: thresholds 0, 0.005, ..., 1 for probabilities.
    reference : group label, optional
        The group the disparity bars compare with (default: the largest).
    title : str, optional

    Attributes
    ----------
    curves : GroupCurves
    grid : ndarray
        The thresholds the sliders can take.
    threshold_index : list of int
        The current slider positions, one per group (synced with the browser).
    data : dict
        What the browser draws besides the arrays: group labels, counts, AUCs, title.
    threshold_grid, tp, fp : bytes
        float32 buffers: the grid, and true and false positives (groups x grid).
    roc_fpr, roc_tpr, calibration_score, calibration_observed : list of bytes
        float32 buffers, one per group (the curves differ in length between groups).

    Examples
    --------
    >>> explorer = bk.widgets.FairnessExplorer(y_test, risk, groups)   # doctest: +SKIP
    >>> explorer                     # the widget; in marimo: mo.ui.anywidget(explorer)
    >>> explorer.to_frame()          # the metrics at the thresholds now set in the browser
    """

    _esm = esm("fairness")
    _css = css("fairness")
    data = traitlets.Dict().tag(sync=True)
    # Each array is a binary buffer in a trait of its own (anywidget's path for binary
    # data, in JupyterLab and marimo alike), which Python reads back without unpacking a
    # dict. Per-group curves differ in length: one buffer per group, in a list.
    threshold_grid = traitlets.Bytes().tag(sync=True)
    tp = traitlets.Bytes().tag(sync=True)
    fp = traitlets.Bytes().tag(sync=True)
    roc_fpr = traitlets.List(traitlets.Bytes()).tag(sync=True)
    roc_tpr = traitlets.List(traitlets.Bytes()).tag(sync=True)
    calibration_score = traitlets.List(traitlets.Bytes()).tag(sync=True)
    calibration_observed = traitlets.List(traitlets.Bytes()).tag(sync=True)
    threshold_index = traitlets.List(traitlets.Int()).tag(sync=True)
    per_group = traitlets.Bool(False).tag(sync=True)

    def __init__(self, y_true, y_score, groups, *, sample_weight=None, threshold: float = 0.5,
                 n_thresholds: int = 201, reference=None, title: str | None = None):
        curves = group_curves(y_true, y_score, groups, sample_weight=sample_weight)
        if check_int(n_thresholds, "n_thresholds", 11) > 2001:
            raise ValueError(f"n_thresholds must be an integer in [11, 2001]; got {n_thresholds!r}")
        grid = _grid(*curves.score_range, n_thresholds)
        if not np.isfinite(threshold):
            raise ValueError(f"threshold must be a finite number; got {threshold!r}")
        start = int(np.argmin(np.abs(grid - threshold)))
        ref = int(np.argmax(curves.n_rows)) if reference is None else curves.index_of(reference)
        self.curves, self.grid, self.title = curves, grid, title
        super().__init__(**self._payload(curves, grid, ref, title),
                         threshold_index=[start] * len(curves.groups))

    @staticmethod
    def _payload(curves, grid, ref, title) -> dict:
        """The synced traits: labels and small numbers in ``data``, arrays as buffers."""
        counts = [curves.counts(t) for t in grid]  # thresholds x groups
        tp = np.array([c["tp"] for c in counts]).T
        fp = np.array([c["fp"] for c in counts]).T
        roc_fpr, roc_tpr = [], []
        for g in curves.groups:
            roc = curves.roc(g)
            keep = np.unique(np.linspace(0, len(roc) - 1, min(len(roc), MAX_ROC_POINTS)).round().astype(int))
            roc_fpr.append(f32(roc.fpr.to_numpy()[keep]))
            roc_tpr.append(f32(roc.tpr.to_numpy()[keep]))
        cal = [c for _, c in curves.calibration(n_bins=10).groupby("group", observed=True, sort=False)]
        return {
            "data": {
                "title": title or "Fairness explorer",
                "groups": [str(g) for g in curves.groups], "reference": ref, "n_thresholds": len(grid),
                "positives": curves.positives.tolist(), "negatives": curves.negatives.tolist(),
                "auc": curves.auc().round(6).tolist(), "calibration_n": [c.n.tolist() for c in cal],
                "criteria": {k: list(v) for k, v in CRITERIA.items()},
            },
            "threshold_grid": f32(grid), "tp": f32(tp), "fp": f32(fp), "roc_fpr": roc_fpr, "roc_tpr": roc_tpr,
            "calibration_score": [f32(c.mean_score) for c in cal],
            "calibration_observed": [f32(c.observed) for c in cal],
        }

    @property
    def thresholds(self) -> dict:
        """The thresholds now set, group -> threshold."""
        return {g: float(self.grid[i]) for g, i in zip(self.curves.groups, self.threshold_index)}

    def set_thresholds(self, threshold) -> None:
        """Move the sliders from Python: one threshold, or a mapping group -> threshold."""
        t = self.curves.thresholds_per_group(threshold)
        self.per_group = bool(np.ptp(t) > 0)
        self.threshold_index = [int(np.argmin(np.abs(self.grid - v))) for v in t]

    def to_frame(self) -> pd.DataFrame:
        """Every group metric at the thresholds now set (see ``GroupCurves.at``)."""
        return self.curves.at(self.thresholds)

    def table(self) -> pd.DataFrame:
        """Deprecated alias of :meth:`to_frame`, kept for one release."""
        warn_deprecated("FairnessExplorer.table()", "FairnessExplorer.to_frame()")
        return self.to_frame()

    def disparities(self, **kwargs) -> pd.DataFrame:
        """Disparities at the thresholds now set (see ``GroupCurves.disparities``)."""
        return self.curves.disparities(self.thresholds, **kwargs)

    def differences(self, **kwargs) -> pd.DataFrame:
        """The disparity bars: each group minus the reference group, with Wald intervals."""
        kwargs.setdefault("reference", self.curves.groups[self.data["reference"]])
        return self.curves.differences(self.thresholds, **kwargs)

    def figure(self):
        """A static rendering: ROC curves with operating points, the disparity bars,
        calibration within groups, and group sizes with base rates."""
        from biomedkit.fairness.plots import plot_fairness

        return plot_fairness(self.curves, self.thresholds, reference=self.curves.groups[self.data["reference"]],
                             title=self.data["title"])
