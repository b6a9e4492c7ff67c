"""Deep-learning building blocks of lessons 16-22, in plain PyTorch and scikit-learn.

Each name is imported on first use, so ``bk.deep`` costs nothing until a lesson needs it.
"""

from __future__ import annotations

import importlib

# name -> module in this package
_LAZY = {
    # lesson 16: omics as images
    "TabularToImage": "tabular_image",
    # lesson 18: physics-informed learning
    "PhysicsInformedODE": "physics", "fit_ode": "physics", "ODEFitResult": "physics",
    # lesson 19: multi-modal fusion
    "FusionClassifier": "fusion", "modality_ablation": "fusion",
    # lesson 22: a foundation model in miniature
    "SequenceTransformer": "sequence", "KmerCounts": "sequence", "kmer_counts": "sequence",
    "encode_sequences": "sequence", "label_efficiency": "sequence",
}
__all__ = list(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'biomedkit.deep' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"biomedkit.deep.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
