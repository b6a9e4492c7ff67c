"""Checks and conversions of image arguments, shared by the imaging modules."""

from __future__ import annotations

import numpy as np


def check_images(images, name: str = "images", *, channels: int | None = 3) -> np.ndarray:
    """Return a batch of images as float32 (n, channels, height, width) in [0, 1].

    ``channels`` is the count axis 1 must hold: 3 for colour (the default), the network's
    ``in_channels`` for a network's input, None for any count (plots). uint8 images (0-255)
    are divided by 255 into a new array; float images are returned as float32 (a copy only
    where the dtype changes). The caller's array is never modified.
    """
    if not isinstance(images, np.ndarray):
        if type(images).__module__.startswith("torch"):
            raise TypeError(f"{name} must be a numpy array; got a torch tensor: pass {name}.cpu().numpy()")
        images = np.asarray(images)
    shape = images.shape
    layout = f"(n, {'channels' if channels is None else channels}, height, width)"
    if images.ndim == 3 and channels != 1 and shape[-1] == (3 if channels is None else channels):
        raise ValueError(f"{name} must be a batch of shape {layout}; got one image of shape "
                         f"{shape}: pass {name}.transpose(2, 0, 1)[None]")
    if images.ndim == 3 and channels in (1, None):
        raise ValueError(f"{name} must be a batch of shape {layout}; got shape {shape}: grey images "
                         f"without a channel axis? pass {name}[:, None]")
    if images.ndim != 4:
        raise ValueError(f"{name} must have 4 dimensions {layout}; got shape {shape}")
    if channels is not None and shape[1] != channels:
        hint = f": channels last? pass {name}.transpose(0, 3, 1, 2)" if shape[-1] == channels else ""
        if channels == 3:
            raise ValueError(f"{name} must have 3 colour channels in axis 1 (n, 3, height, width); "
                             f"got shape {shape}{hint}")
        s = "" if channels == 1 else "s"
        raise ValueError(f"{name} must have shape {layout} for a network with in_channels={channels} "
                         f"({channels} channel{s} in axis 1); got shape {shape}{hint}")
    if shape[0] == 0:
        raise ValueError(f"{name} holds no images (shape {shape})")
    if 0 in shape[1:]:
        raise ValueError(f"{name} has an empty channel or pixel axis (shape {shape})")
    return _as_unit_float(images, name)


def check_rgb(image, name: str = "image") -> tuple[np.ndarray, bool]:
    """Return RGB pixels as float32 in [0, 1] with the channels last, and whether they were first.

    Accepts one image (height, width, 3), as scikit-image and matplotlib hold it, or a batch
    (n, 3, height, width), as PyTorch does; uint8 or float in [0, 1].
    """
    if not isinstance(image, np.ndarray):
        if type(image).__module__.startswith("torch"):
            raise TypeError(f"{name} must be a numpy array; got a torch tensor: pass {name}.cpu().numpy()")
        image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 3:
        return _as_unit_float(image, name), False
    if image.ndim == 4 and image.shape[1] == 3:
        return _as_unit_float(np.moveaxis(image, 1, -1), name), True
    raise ValueError(f"{name} must be one RGB image (height, width, 3) or a batch (n, 3, height, width); "
                     f"got shape {image.shape}")


def _as_unit_float(images: np.ndarray, name: str) -> np.ndarray:
    if images.dtype == np.uint8:
        return images.astype(np.float32) / np.float32(255)
    if images.dtype == bool or images.dtype.kind not in "f":
        raise TypeError(f"{name} must be uint8 (0-255) or float (0-1); got dtype {images.dtype}")
    images = images.astype(np.float32, copy=False)
    if not np.isfinite(images).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    low, high = float(images.min()), float(images.max())
    if low < 0 or high > 1:
        raise ValueError(f"{name} must hold values in [0, 1] (float) or 0-255 (uint8); got values in "
                         f"[{low:.3g}, {high:.3g}]. Float images in 0-255? Divide by 255.")
    return images


def check_maps(maps, name: str = "maps") -> np.ndarray:
    """Return per-image maps (n, height, width) as float64."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"{name} must have shape (n, height, width); got shape {maps.shape}")
    if maps.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric; got dtype {maps.dtype}")
    maps = maps.astype(np.float64)
    if not np.isfinite(maps).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return maps
