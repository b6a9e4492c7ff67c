"""Deep-learning building blocks of lessons 16-22, in plain PyTorch and scikit-learn.

Each name is imported on first use, so ``bk.deep`` costs nothing until a lesson needs it.
"""

from __future__ import annotations

from biomedkit._lazy import attach

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

__getattr__, __dir__ = attach("biomedkit.deep", _LAZY)
