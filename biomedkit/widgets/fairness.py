"""The fairness explorer: move thresholds, see every group's consequences at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import traitlets

from biomedkit.fairness.curves import CRITERIA, group_curves
from biomedkit.widgets._base import Explorer, esm, f32

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

    Examples
    --------
    >>> explorer = bk.widgets.FairnessExplorer(y_test, risk, groups)   # doctest: +SKIP
    >>> explorer                     # the widget; in marimo: mo.ui.anywidget(explorer)
    >>> explorer.table()             # the metrics at the thresholds now set in the browser
    """

    _esm = esm("fairness")
    data = traitlets.Dict().tag(sync=True)
    threshold_index = traitlets.List(traitlets.Int()).tag(sync=True)
    per_group = traitlets.Bool(False).tag(sync=True)

    def __init__(self, y_true, y_score, groups, *, sample_weight=None, threshold: float = 0.5,
                 n_thresholds: int = 201, reference=None, title: str | None = None):
        curves = group_curves(y_true, y_score, groups, sample_weight=sample_weight)
        if not isinstance(n_thresholds, (int, np.integer)) or not 11 <= n_thresholds <= 2001:
            raise ValueError(f"n_thresholds must be an integer in [11, 2001]; got {n_thresholds!r}")
        grid = _grid(*curves.score_range, n_thresholds)
        if not np.isfinite(threshold):
            raise ValueError(f"threshold must be a finite number; got {threshold!r}")
        start = int(np.argmin(np.abs(grid - threshold)))
        ref = int(np.argmax(curves.n_rows)) if reference is None else curves._index(reference)
        self.curves, self.grid, self.title = curves, grid, title
        super().__init__(data=self._payload(curves, grid, ref, title),
                         threshold_index=[start] * len(curves.groups))

    @staticmethod
    def _payload(curves, grid, ref, title) -> dict:
        counts = [curves.counts(t) for t in grid]  # thresholds x groups
        tp = np.array([c["tp"] for c in counts]).T
        fp = np.array([c["fp"] for c in counts]).T
        rocs = []
        for g in curves.groups:
            roc = curves.roc(g)
            keep = np.unique(np.linspace(0, len(roc) - 1, min(len(roc), MAX_ROC_POINTS)).round().astype(int))
            rocs.append({"fpr": f32(roc.fpr.to_numpy()[keep]), "tpr": f32(roc.tpr.to_numpy()[keep])})
        cal = curves.calibration(n_bins=10)
        calibration = [{"score": f32(c.mean_score), "observed": f32(c.observed), "n": c.n.tolist()}
                       for _, c in cal.groupby("group", observed=True, sort=False)]
        return {
            "title": title or "Fairness explorer",
            "groups": [str(g) for g in curves.groups], "reference": ref,
            "thresholds": f32(grid), "n_thresholds": len(grid),
            "tp": f32(tp), "fp": f32(fp),
            "positives": curves.positives.tolist(), "negatives": curves.negatives.tolist(),
            "auc": curves.auc().round(6).tolist(), "roc": rocs, "calibration": calibration,
            "criteria": {k: list(v) for k, v in CRITERIA.items()},
        }

    @property
    def thresholds(self) -> dict:
        """The thresholds now set, group -> threshold."""
        return {g: float(self.grid[i]) for g, i in zip(self.curves.groups, self.threshold_index)}

    def set_thresholds(self, threshold) -> None:
        """Move the sliders from Python: one threshold, or a mapping group -> threshold."""
        t = self.curves._threshold_per_group(threshold)
        self.per_group = bool(np.ptp(t) > 0)
        self.threshold_index = [int(np.argmin(np.abs(self.grid - v))) for v in t]

    def table(self) -> pd.DataFrame:
        """Every group metric at the thresholds now set (see ``GroupCurves.at``)."""
        return self.curves.at(self.thresholds)

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

        return plot_fairness(self.curves, self.thresholds, reference=self.data["reference"],
                             title=self.data["title"])
