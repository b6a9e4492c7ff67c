"""Simulators with a known ground truth.

Each simulator is deterministic for a given ``random_state`` and returns
``(data, truth)``: a :class:`~biomedkit.datasets.Dataset` (also reachable as
``data.truth``) and an object that records what generated the data.

Examples
--------
>>> import biomedkit as bk
>>> data, truth = bk.simulate.cohort(n=5_000, n_sites=3, random_state=0)
>>> data.frame.shape, round(truth.risk.mean(), 2)                   # doctest: +SKIP
"""

from biomedkit.simulate.cohort import CohortTruth, cohort
from biomedkit.simulate.expression import ExpressionTruth, expression
from biomedkit.simulate.tissue import TissueTruth, tissue_patches
from biomedkit.simulate.treatment import TreatmentMDP, treatment_mdp

__all__ = ["CohortTruth", "ExpressionTruth", "TreatmentMDP", "cohort", "expression", "treatment_mdp"]
__all__ += ["TissueTruth", "tissue_patches"]
