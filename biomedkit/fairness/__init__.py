"""Fairness: group metrics at every threshold, group thresholds, mitigation.

Examples
--------
>>> curves = bk.fairness.group_curves(y, risk, groups)              # doctest: +SKIP
>>> curves.at(0.2)                                                  # doctest: +SKIP
>>> curves.disparities(0.2, n_boot=1000, random_state=0)            # doctest: +SKIP
"""

from biomedkit.fairness._groups import intersect
from biomedkit.fairness.curves import CRITERIA, GroupCurves, group_curves
from biomedkit.fairness.mitigation import AdversarialDebiasingClassifier, Reweighing, compare, reweighing_weights
from biomedkit.fairness.plots import (
    plot_differences,
    plot_fairness,
    plot_group_calibration,
    plot_group_roc,
    plot_group_sizes,
)
from biomedkit.fairness.thresholds import ThresholdPolicy, group_thresholds

__all__ = ["CRITERIA", "AdversarialDebiasingClassifier", "GroupCurves", "Reweighing", "ThresholdPolicy",
           "compare", "group_curves", "group_thresholds", "intersect", "plot_differences",
           "plot_fairness", "plot_group_calibration", "plot_group_roc", "plot_group_sizes",
           "reweighing_weights"]
