"""Where a network looks: gradient saliency, Grad-CAM, and how well a map finds known structures.

Both maps explain a **score**: for a network with two outputs, the log-odds of class
``target`` (its logit minus the other's, which is what the softmax turns into a
probability); for one output, that output (its negative for ``target=0``); for more, the
logit of ``target``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_int, check_level
from biomedkit.imaging._images import check_images, check_maps
from biomedkit.imaging.cnn import check_image_shape


def _network(model, layer=None):
    """The torch module inside ``model`` (a fitted PatchCNN or a module) and its device."""
    import torch

    module = getattr(model, "module_", model)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"model must be a fitted biomedkit.imaging.PatchCNN or a torch.nn.Module; "
                        f"got {type(model).__name__}")
    if layer is not None and not isinstance(layer, torch.nn.Module):
        raise TypeError(f"layer must be a torch.nn.Module inside model (e.g. model.module_.features); "
                        f"got {type(layer).__name__}")
    if layer is not None and not any(m is layer for m in module.modules()):
        raise ValueError("layer must be one of model's own layers (e.g. model.module_.features)")
    parameter = next(module.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    return module, device


def _in_channels(model, module) -> int | None:
    """The channels the network takes: a PatchCNN's ``in_channels``, else the first
    convolution's; None (any count) for a network without one."""
    import torch

    if hasattr(model, "module_") and hasattr(model, "in_channels"):
        return int(model.in_channels)
    for layer in module.modules():
        # a lazy convolution reports 0 channels until it has seen an input
        if isinstance(layer, torch.nn.Conv2d) and layer.in_channels > 0:
            return int(layer.in_channels)
    return None


def _score(output, target: int):
    """The score each map explains, one per image (see the module's docstring)."""
    k = output.shape[1]
    if k == 1 and target > 1:
        raise ValueError(f"target must be 0 or 1 for a network with one output; got {target}")
    if k == 1:
        return output[:, 0] if target == 1 else -output[:, 0]
    if target >= k:
        raise ValueError(f"target must be a class index below {k} (the network has {k} outputs); got {target}")
    if k == 2:
        return output[:, target] - output[:, 1 - target]
    return output[:, target]


def _inputs(model, module, images, batch_size):
    """The images as the network takes them: its channels and, for a fitted PatchCNN, the
    size it was trained on (as its ``predict_proba`` requires; a flattening network would
    otherwise fail inside torch with a shape error)."""
    X = check_images(images, channels=_in_channels(model, module))
    shape = getattr(model, "image_shape_", None) if module is not model else None
    if shape is not None:
        check_image_shape(X, shape, "images")
    return X, check_int(batch_size, "batch_size", 1)


def saliency_map(model, images, *, target: int = 1, batch_size: int = 256) -> np.ndarray:
    """Gradient saliency (Simonyan et al. 2014): how much the score moves per change of each pixel.

    The absolute gradient of the score with respect to the input, combined over the channels
    by taking the largest: a pixel is as salient as its most salient channel (colour, or
    marker of a multiplexed image). With one channel the map is that channel's absolute
    gradient.

    Parameters
    ----------
    model : PatchCNN or torch.nn.Module
        A fitted :class:`biomedkit.imaging.PatchCNN`, or any network taking (n, channels,
        height, width) and returning (n, n_outputs).
    images : ndarray
        (n, channels, height, width), uint8 or float in [0, 1], with the channels the network
        takes: a PatchCNN's ``in_channels`` (3 for colour, 1 for grey), or the first
        convolution's ``in_channels`` for another network (any count if it has none). A
        fitted PatchCNN also needs the height and width it was trained on, as its
        ``predict_proba`` does.
    target : int, default=1
        The class whose score is explained (1: tumour, for 0/1 labels).
    batch_size : int, default=256

    Returns
    -------
    ndarray of shape (n, height, width)

    Examples
    --------
    >>> maps = bk.imaging.saliency_map(model, data.images[:8])          # doctest: +SKIP
    """
    import torch

    target = check_int(target, "target", 0)
    module, device = _network(model)
    X, batch_size = _inputs(model, module, images, batch_size)
    was_training = module.training
    module.eval()
    out = []
    try:
        for start in range(0, len(X), batch_size):
            batch = torch.tensor(X[start:start + batch_size], device=device, requires_grad=True)
            score = _score(module(batch), target).sum()
            (grad,) = torch.autograd.grad(score, batch)
            out.append(grad.abs().amax(dim=1).cpu().numpy())  # the most salient channel
    finally:
        module.train(was_training)
    return np.concatenate(out).astype(np.float64)


def grad_cam(model, images, *, target: int = 1, layer=None, normalize: bool = False,
             batch_size: int = 256) -> np.ndarray:
    """Grad-CAM (Selvaraju et al. 2017): which regions of a convolutional layer raise the score.

    Each channel ``k`` of the layer's output ``A`` gets a weight, the mean over positions of
    the score's gradient with respect to ``A[k]``; the map is ``ReLU(sum_k weight_k *
    A[k])``, brought to the image's size by bilinear interpolation.

    Parameters
    ----------
    model : PatchCNN or torch.nn.Module
        A fitted PatchCNN (its last convolution block, ``module_.features``, is used unless
        ``layer`` says otherwise), or a network with ``layer`` given.
    images : ndarray
        (n, channels, height, width), uint8 or float in [0, 1], with the channels (and, for a
        PatchCNN, the size) the network takes, as for :func:`saliency_map`. Whatever the
        channel count, the map is one value per pixel: it is computed on the layer's feature
        maps.
    target : int, default=1
        The class whose score is explained.
    layer : torch.nn.Module, optional
        The layer whose output is explained; required for a network that is not a PatchCNN.
    normalize : bool, default=False
        Divide each map by its maximum (maps that are all zero stay zero).
    batch_size : int, default=256

    Returns
    -------
    ndarray of shape (n, height, width), non-negative

    Examples
    --------
    >>> maps = bk.imaging.grad_cam(model, data.images[:8], normalize=True)   # doctest: +SKIP
    """
    import torch

    target = check_int(target, "target", 0)
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize must be True or False; got {normalize!r}")
    if layer is None:
        if not hasattr(model, "module_"):
            raise ValueError("layer is required for a network that is not a fitted PatchCNN: pass the "
                             "convolutional layer to explain, e.g. layer=network.conv2")
        layer = model.module_.features
    module, device = _network(model, layer)
    X, batch_size = _inputs(model, module, images, batch_size)
    captured = {}
    hook = layer.register_forward_hook(lambda mod, args, output: captured.__setitem__("A", output))
    was_training = module.training
    module.eval()
    out = []
    try:
        for start in range(0, len(X), batch_size):
            batch = torch.tensor(X[start:start + batch_size], device=device)
            score = _score(module(batch), target).sum()
            activation = captured["A"]
            if activation.ndim != 4:
                raise ValueError(f"layer must output feature maps (n, channels, height, width); "
                                 f"its output has shape {tuple(activation.shape)}")
            (grad,) = torch.autograd.grad(score, activation)
            weights = grad.mean(dim=(2, 3), keepdim=True)
            cam = torch.relu((weights * activation).sum(dim=1, keepdim=True))
            cam = torch.nn.functional.interpolate(cam, size=X.shape[2:], mode="bilinear", align_corners=False)
            out.append(cam[:, 0].detach().cpu().numpy())
    finally:
        hook.remove()
        module.train(was_training)
    maps = np.concatenate(out).astype(np.float64)
    if normalize:
        peak = maps.max(axis=(1, 2), keepdims=True)
        maps = np.divide(maps, peak, out=np.zeros_like(maps), where=peak > 0)
    return maps


@dataclass(repr=False)
class LocalizationResult:
    """How well maps point at known structures (the label-carrying nuclei, a lesion).

    Attributes
    ----------
    hit_rate : float
        Share of images whose map peaks inside the mask (the "pointing game").
    low, high : float
        Wilson interval of the hit rate.
    chance : float
        The hit rate expected if the peak fell on a random pixel: the mean share of the image
        the mask covers.
    mass_in_mask : float
        Mean share of each map's total inside the mask (chance: the mask's share of the image).
    level : float
    table : DataFrame
        One row per image: hit, mass_in_mask, mask_share.
    """

    hit_rate: float
    low: float
    high: float
    chance: float
    mass_in_mask: float
    level: float
    table: pd.DataFrame

    def __repr__(self) -> str:
        return (f"map peaks inside the mask in {self.hit_rate:.1%} of {len(self.table)} images "
                f"({self.level:.0%} CI {self.low:.1%} to {self.high:.1%}; chance {self.chance:.1%}); "
                f"{self.mass_in_mask:.1%} of the map inside the mask")

    def to_frame(self) -> pd.DataFrame:
        """One row per image (a copy of ``table``)."""
        return self.table.copy()


def localization(maps, masks, *, tolerance: int = 0, level: float = 0.95) -> LocalizationResult:
    """Check maps against masks of what they should find: pointing game and mass in the mask.

    Parameters
    ----------
    maps : ndarray of shape (n, height, width)
        Saliency or Grad-CAM maps (any non-negative scale).
    masks : ndarray of bool, shape (n, height, width)
        What each map should point at (``truth.masks`` of the tissue simulator). Images whose
        mask is empty are left out (there is nothing to find).
    tolerance : int, default=0
        Grow each mask by this many pixels first (coarse maps: Grad-CAM of a layer at half
        resolution is blurred by about a pixel).
    level : float, default=0.95

    Returns
    -------
    LocalizationResult

    Examples
    --------
    >>> bk.imaging.localization(maps, truth.masks[idx], tolerance=1)      # doctest: +SKIP
    """
    from scipy import ndimage

    from biomedkit._stats import wilson_interval

    maps = check_maps(maps)
    m = np.asarray(masks)
    if m.shape != maps.shape:
        raise ValueError(f"masks must have the shape of maps {maps.shape}; got {m.shape}")
    if m.dtype != bool:
        raise TypeError(f"masks must be boolean (True inside); got dtype {m.dtype}")
    tolerance = check_int(tolerance, "tolerance", 0)
    level = check_level(level)
    if (maps < 0).any():
        raise ValueError("maps must be non-negative (take the absolute value or a ReLU first)")
    if tolerance:
        m = ndimage.binary_dilation(m, structure=np.ones((1, 3, 3), bool), iterations=tolerance)
    keep = m.any(axis=(1, 2))
    if not keep.any():
        raise ValueError("every mask is empty: pass the masks of images that hold the structure")
    maps, m, index = maps[keep], m[keep], np.flatnonzero(keep)
    flat = maps.reshape(len(maps), -1)
    hit = m.reshape(len(m), -1)[np.arange(len(m)), flat.argmax(axis=1)]
    total = flat.sum(axis=1)
    hit &= total > 0  # a map that is zero everywhere points nowhere
    inside = (maps * m).sum(axis=(1, 2))
    mass = np.divide(inside, total, out=np.full(len(total), np.nan), where=total > 0)
    table = pd.DataFrame({"hit": hit, "mass_in_mask": mass, "mask_share": m.mean(axis=(1, 2))},
                         index=pd.Index(index, name="image"))
    low, high = wilson_interval(int(hit.sum()), len(hit), level)
    return LocalizationResult(hit_rate=float(hit.mean()), low=float(low), high=float(high),
                              chance=float(table["mask_share"].mean()),
                              mass_in_mask=float(np.nanmean(mass)), level=level, table=table)
