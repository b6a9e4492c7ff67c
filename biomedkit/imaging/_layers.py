"""PyTorch layers of the imaging networks (this module imports torch: import it lazily)."""

from __future__ import annotations

import torch
from torch import nn


class Standardize(nn.Module):
    """Fixed input scaling ``(x - centre) / spread``: pixels in [0, 1] become roughly [-2, 2].

    Convolutions with ReLU train poorly on inputs that are all positive and near 1 (bright
    slides); centring them is the usual remedy. The constants are fixed, not learned from
    the training images, so that every lab's images pass through the same scaling.
    """

    def __init__(self, centre: float = 0.5, spread: float = 0.25):
        super().__init__()
        self.centre = centre
        self.spread = spread

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.centre) / self.spread

    def extra_repr(self) -> str:
        return f"centre={self.centre}, spread={self.spread}"
