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

# Imported here, not on first use: a function named like its module (``multimodal``,
# ``sequences``) must be bound after the module, or a direct import of the module would leave
# the package attribute pointing at the module instead of the function.
from biomedkit.simulate.cohort import CohortTruth, cohort
from biomedkit.simulate.drift import DriftTruth, drifting_cohort
from biomedkit.simulate.dynamics import DynamicsTruth, pharmacokinetics, tumour_growth
from biomedkit.simulate.expression import ExpressionTruth, expression
from biomedkit.simulate.multimodal import MultimodalTruth, multimodal
from biomedkit.simulate.observational import ObservationalTruth, observational_study
from biomedkit.simulate.perturbation import PerturbationTruth, perturbations
from biomedkit.simulate.sequences import SequenceTruth, sequences
from biomedkit.simulate.tissue import TissueTruth, tissue_patches
from biomedkit.simulate.treatment import TreatmentMDP, treatment_mdp

__all__ = [
    "CohortTruth", "DriftTruth", "DynamicsTruth", "ExpressionTruth", "MultimodalTruth", "ObservationalTruth",
    "PerturbationTruth", "SequenceTruth", "TissueTruth", "TreatmentMDP",
    "cohort", "drifting_cohort", "expression", "multimodal", "observational_study", "perturbations",
    "pharmacokinetics", "sequences", "tissue_patches", "treatment_mdp", "tumour_growth",
]

