"""A grid of image patches, with maps and masks drawn over them."""

from __future__ import annotations

import numpy as np

from biomedkit._checks import check_int
from biomedkit.imaging._images import check_images, check_maps


def plot_patches(images, *, titles=None, maps=None, masks=None, ncols: int = 8, scale: float = 1.5):
    """Show patches side by side; optionally a map (heat, half transparent) and a mask outline.

    Colour images (3 channels) are shown in colour; others in grey: one channel as it is,
    two or more than three (a multiplexed image's markers) as the mean of their channels.

    Parameters
    ----------
    images : ndarray
        (n, channels, height, width), uint8 or float in [0, 1].
    titles : sequence of str, optional
        One per patch.
    maps : ndarray of shape (n, height, width), optional
        Saliency or Grad-CAM maps, each scaled to its own maximum.
    masks : ndarray of bool, shape (n, height, width), optional
        Outlined in green (for example ``truth.masks``: the label-carrying nuclei).
    ncols : int, default=8
    scale : float, default=1.5
        Inches per patch.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = bk.imaging.plot_patches(data.images[:16], titles=data.y[:16])   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    X = check_images(images, channels=None)
    n = len(X)
    ncols = check_int(ncols, "ncols", 1)
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles must give one title per image ({n}); got {len(titles)}")
    if maps is not None:
        maps = check_maps(maps)
        if maps.shape != (n, *X.shape[2:]):
            raise ValueError(f"maps must have shape {(n, *X.shape[2:])}; got {maps.shape}")
    if masks is not None:
        masks = np.asarray(masks, bool)
        if masks.shape != (n, *X.shape[2:]):
            raise ValueError(f"masks must have shape {(n, *X.shape[2:])}; got {masks.shape}")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(scale * ncols, scale * nrows + 0.25 * nrows),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        if X.shape[1] == 3:
            ax.imshow(X[i].transpose(1, 2, 0))
        else:
            ax.imshow(X[i].mean(axis=0), cmap="gray", vmin=0, vmax=1)
        if maps is not None:
            peak = maps[i].max()
            ax.imshow(maps[i] / peak if peak > 0 else maps[i], cmap="inferno", alpha=0.5, vmin=0, vmax=1)
        if masks is not None and masks[i].any():
            ax.contour(masks[i], levels=[0.5], colors="lime", linewidths=1)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    fig.tight_layout()
    return fig
