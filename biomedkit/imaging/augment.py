"""Random changes to training images that should not change their label."""

from __future__ import annotations

import numpy as np

from biomedkit._checks import check_float
from biomedkit.imaging.stain import HED_STAINS


class Augmentation:
    """Flips, quarter turns and stain jitter for training batches (pass it as ``augment=``).

    A patch of tissue has no up or down, so flipped and turned copies are equally valid
    examples. Stain jitter (the "HED" augmentation of Tellez et al. 2018) separates each
    image into haematoxylin, eosin and DAB by colour deconvolution, multiplies each stain's
    amount by a random factor in [1 - stain_scale, 1 + stain_scale], adds a random shift in
    [-stain_shift, stain_shift] (optical density), and recombines: the network sees the
    stain variation of other labs before it meets them. Flips and turns work on images with
    any number of channels; stain jitter needs colour (RGB) images.

    Parameters
    ----------
    flips : bool, default=True
        Flip each image left-right and up-down, each with probability 1/2.
    rotations : bool, default=True
        Turn each image by a random multiple of 90 degrees (square images only).
    stain_scale : float, default=0.0
        Range of the random factor on each stain amount, in [0, 1).
    stain_shift : float, default=0.0
        Range of the random shift of each stain, in optical density (natural log), in [0, 1].

    Examples
    --------
    >>> import biomedkit as bk
    >>> augment = bk.imaging.Augmentation(stain_scale=0.3, stain_shift=0.05)
    >>> model = bk.imaging.PatchCNN(augment=augment, random_state=0)      # doctest: +SKIP
    """

    def __init__(self, *, flips: bool = True, rotations: bool = True, stain_scale: float = 0.0,
                 stain_shift: float = 0.0):
        for name, value in (("flips", flips), ("rotations", rotations)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be True or False; got {value!r}")
        self.flips = flips
        self.rotations = rotations
        self.stain_scale = check_float(stain_scale, "stain_scale", 0, 1, open_high=True)
        self.stain_shift = check_float(stain_shift, "stain_shift", 0, 1)

    def __repr__(self) -> str:
        return (f"Augmentation(flips={self.flips}, rotations={self.rotations}, "
                f"stain_scale={self.stain_scale}, stain_shift={self.stain_shift})")

    def __call__(self, batch, generator):
        """Return an augmented copy of ``batch`` (a float tensor (n, channels, height, width) in [0, 1]).

        ``generator`` (a CPU ``torch.Generator``) draws every random choice, so a seeded
        generator gives the same augmentation on any device.
        """
        import torch

        jitter = bool(self.stain_scale or self.stain_shift)
        if not isinstance(batch, torch.Tensor) or batch.ndim != 4:
            raise ValueError("batch must be a torch tensor of shape (n, channels, height, width); got "
                             f"{type(batch).__name__} {tuple(getattr(batch, 'shape', ()))}")
        if jitter and batch.shape[1] != 3:
            raise ValueError(f"stain jitter needs colour images: batch must have shape (n, 3, height, "
                             f"width); got {tuple(batch.shape)}. For other images pass stain_scale=0 "
                             f"and stain_shift=0 (flips and turns work on any channels)")
        n = batch.shape[0]
        draws = torch.rand(n, 4, generator=generator)
        out = batch
        if self.flips:
            out = torch.where(_column(draws[:, 0] < 0.5, out), out.flip(-1), out)
            out = torch.where(_column(draws[:, 1] < 0.5, out), out.flip(-2), out)
        if self.rotations and out.shape[-1] == out.shape[-2]:
            turns = (draws[:, 2] * 4).long().clamp(max=3).to(out.device)
            turned = torch.stack([torch.rot90(out, k, dims=(-2, -1)) for k in range(4)])
            out = turned[turns, torch.arange(n, device=out.device)]
        if jitter:
            out = self._jitter_stains(out, generator)
        return out if out is not batch else batch.clone()

    def _jitter_stains(self, batch, generator):
        import torch

        n = batch.shape[0]
        scale = 1 + self.stain_scale * (2 * torch.rand(n, 3, generator=generator) - 1)
        shift = self.stain_shift * (2 * torch.rand(n, 3, generator=generator) - 1)
        to_stains = torch.as_tensor(np.linalg.inv(HED_STAINS), dtype=batch.dtype, device=batch.device)
        to_density = torch.as_tensor(HED_STAINS, dtype=batch.dtype, device=batch.device)
        density = -torch.log(batch.clamp(min=1e-6))
        stains = torch.einsum("nchw,cs->nshw", density, to_stains)
        stains = stains * scale.to(batch)[:, :, None, None] + shift.to(batch)[:, :, None, None]
        density = torch.einsum("nshw,sc->nchw", stains, to_density)
        return torch.exp(-density).clamp(0, 1)


def _column(condition, like):
    """A per-image boolean, shaped to broadcast over (n, channels, height, width)."""
    return condition.to(like.device)[:, None, None, None]
