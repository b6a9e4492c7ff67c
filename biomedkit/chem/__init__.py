"""Molecules for machine learning: graphs, fingerprints, scaffold splits, a message-passing
network and a glimpse of generative design (lesson 17).

- :func:`mol_to_graph`, :func:`batch_graphs`: a SMILES string as atoms and bonds with
  features (``x``, ``edge_index``, ``edge_attr``, ``batch``, as PyTorch Geometric names
  them); :func:`plot_molecule` draws one.
- :class:`MessagePassingLayer`, :class:`MPNNRegressor`: message passing in plain PyTorch,
  with ``fit``/``predict`` on lists of SMILES.
- :func:`morgan_fingerprints`, :func:`nearest_similarity`: circular fingerprints and the
  Tanimoto similarity to a training set.
- :func:`murcko_scaffolds`, :func:`scaffold_split`: test on ring systems the model never saw.
- :func:`regression_metrics`, :func:`compare_regressors`: RMSE and R² with bootstrap
  intervals, and a paired comparison of two models on the same molecules.
- :func:`mutate`, :func:`crossover`, :func:`evolve`, :func:`is_valid_smiles`: edit molecules,
  keep what RDKit accepts, and search for a high predicted score.

RDKit (installed with datamol) is imported when a function needs it, PyTorch when the
network is used.

Examples
--------
>>> import biomedkit as bk
>>> g = bk.chem.mol_to_graph("CC(=O)O")                       # acetic acid
>>> train, test = bk.chem.scaffold_split(smiles, test_size=0.2)   # doctest: +SKIP
"""

from __future__ import annotations

from biomedkit._lazy import attach

# name -> module in this package; each module is imported on first use
_LAZY = {
    "ATOM_FEATURES": "graphs", "BOND_FEATURES": "graphs", "GraphBatch": "graphs", "MolGraph": "graphs",
    "batch_graphs": "graphs", "mol_to_graph": "graphs",
    "plot_molecule": "plots",
    "morgan_fingerprints": "features", "nearest_similarity": "features",
    "murcko_scaffolds": "split", "scaffold_split": "split",
    "PairedRegressionResult": "metrics", "RegressionMetricsResult": "metrics",
    "compare_regressors": "metrics", "regression_metrics": "metrics",
    "MPNNRegressor": "mpnn", "MessagePassingLayer": "mpnn",
    "MUTATIONS": "design", "EvolutionResult": "design", "crossover": "design", "evolve": "design",
    "is_valid_smiles": "design", "mutate": "design",
}
__all__ = sorted(_LAZY)

__getattr__, __dir__ = attach("biomedkit.chem", _LAZY)
