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

# The simulators of lessons 16-23, imported on first use (name -> module in this package).
_LAZY = {
    # lesson 18
    "tumour_growth": "dynamics", "pharmacokinetics": "dynamics",
    # lesson 19
    "multimodal": "multimodal",
    # lesson 20
    "observational_study": "observational",
    # lesson 21
    "perturbations": "perturbation", "PerturbationTruth": "perturbation",
    # lesson 22
    "sequences": "sequences",
    # lesson 23
    "drifting_cohort": "drift",
}
__all__ += list(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'biomedkit.simulate' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"biomedkit.simulate.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
