"""Models that scikit-learn does not provide, with the scikit-learn API.

Importing this module does not import PyTorch: each estimator imports it the
first time it is fitted.

Examples
--------
>>> from biomedkit.models import TorchMLPClassifier
>>> model = TorchMLPClassifier(hidden_layer_sizes=(32, 16), random_state=0)
"""

from biomedkit.models.mlp import TorchMLPClassifier

__all__ = ["TorchMLPClassifier"]
