"""Fairness: group metrics at every threshold, group thresholds, mitigation.

Examples
--------
>>> curves = bk.fairness.group_curves(y, risk, groups)              # doctest: +SKIP
>>> curves.at(0.2)                                                  # doctest: +SKIP
>>> curves.disparities(0.2, n_boot=1000, random_state=0)            # doctest: +SKIP
"""

from biomedkit.fairness._groups import intersect
from biomedkit.fairness.curves import CRITERIA, GroupCurves, group_curves
from biomedkit.fairness.thresholds import ThresholdPolicy, group_thresholds

__all__ = ["CRITERIA", "GroupCurves", "ThresholdPolicy", "group_curves", "group_thresholds", "intersect"]
