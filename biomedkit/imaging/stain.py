"""Stains in bright-field images: separation (colour deconvolution), normalisation between
labs, and the share of DAB-positive cells in an immunohistochemistry image.

Light passing through a stained slide is absorbed by each stain in proportion to its amount
(the Beer-Lambert law). In optical density, ``OD = -log(light / glass)``, the stains simply
add up: ``OD = amounts @ stains``, where each row of ``stains`` is one stain's optical
density per unit amount in red, green and blue. Colour deconvolution (Ruifrok & Johnston
2001) inverts this to get each stain's amount per pixel. Optical densities here use the
natural log and a white glass (light 1.0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_level
from biomedkit._stats import wilson_interval
from biomedkit.imaging._images import check_rgb

# Rows: haematoxylin, eosin, DAB; columns: optical density in red, green, blue per unit of
# stain (Ruifrok & Johnston 2001; the matrix scikit-image's rgb2hed inverts).
HED_STAINS = np.array([[0.65, 0.70, 0.29],
                       [0.07, 0.99, 0.11],
                       [0.27, 0.57, 0.78]])
_DARKEST = 1e-6  # light below this is taken as this, so that the log stays finite


def _check_stains(stains, name: str = "stains") -> np.ndarray:
    m = np.asarray(stains, dtype=float)
    if m.ndim != 2 or m.shape[1] != 3 or not 1 <= m.shape[0] <= 3:
        raise ValueError(f"{name} must have shape (n_stains, 3), one row of red, green, blue optical "
                         f"densities per stain (1 to 3 stains); got shape {m.shape}")
    if not np.isfinite(m).all() or np.linalg.matrix_rank(m) < m.shape[0]:
        raise ValueError(f"{name} must be finite, with linearly independent rows (distinct colours)")
    return m


def _optical_density(image) -> np.ndarray:
    """``-log(light)`` per pixel and channel, in the layout of ``image`` (float64)."""
    rgb, first = check_rgb(image)
    density = -np.log(np.maximum(rgb.astype(np.float64), _DARKEST))
    return np.moveaxis(density, -1, 1) if first else density


def separate_stains(image, *, stains=HED_STAINS) -> np.ndarray:
    """Colour deconvolution: the amount of each stain in every pixel.

    Parameters
    ----------
    image : ndarray
        One RGB image (height, width, 3) or a batch (n, 3, height, width); uint8 (0-255) or
        float in [0, 1].
    stains : array of shape (n_stains, 3), default=HED_STAINS
        Each stain's optical density per unit amount in red, green and blue. The default is
        haematoxylin, eosin and DAB (Ruifrok & Johnston 2001). With three stains the system is
        solved exactly; with fewer, by least squares.

    Returns
    -------
    ndarray
        Stain amounts in optical-density units, channels in the layout of ``image``: (height,
        width, n_stains) or (n, n_stains, height, width). They are not clipped at 0 (noise
        gives small negative amounts). ``skimage.color.rgb2hed`` gives the same amounts
        divided by ``log(1e6)`` and clipped at 0.

    Examples
    --------
    >>> from skimage import data
    >>> hed = separate_stains(data.immunohistochemistry())
    >>> hed.shape
    (512, 512, 3)
    """
    m = _check_stains(stains)
    rgb, first = check_rgb(image)
    density = -np.log(np.maximum(rgb.astype(np.float64), _DARKEST))
    amounts = density @ np.linalg.pinv(m)
    return np.moveaxis(amounts, -1, 1) if first else amounts


def combine_stains(amounts, *, stains=HED_STAINS, glass: float = 1.0) -> np.ndarray:
    """The RGB image that stain ``amounts`` would give: the inverse of :func:`separate_stains`.

    Parameters
    ----------
    amounts : ndarray
        (height, width, n_stains) or (n, n_stains, height, width), in optical-density units.
    stains : array of shape (n_stains, 3), default=HED_STAINS
    glass : float, default=1.0
        The brightness of an empty slide, in (0, 1].

    Returns
    -------
    ndarray
        float32 in [0, 1], in the layout of ``amounts`` with 3 channels.

    Examples
    --------
    >>> from skimage import data
    >>> slide = data.immunohistochemistry()
    >>> amounts = separate_stains(slide)
    >>> amounts[..., 2] = 0                      # the slide without its DAB
    >>> combine_stains(amounts).shape
    (512, 512, 3)
    """
    m = _check_stains(stains)
    glass = check_float(glass, "glass", 0, 1, open_low=True)
    a = np.asarray(amounts, dtype=np.float64)
    first = a.ndim == 4
    if a.ndim not in (3, 4) or a.shape[1 if first else -1] != m.shape[0]:
        raise ValueError(f"amounts must have shape (height, width, {m.shape[0]}) or (n, {m.shape[0]}, "
                         f"height, width) for {m.shape[0]} stains; got shape {a.shape}")
    last = np.moveaxis(a, 1, -1) if first else a
    rgb = np.clip(glass * np.exp(-(last @ m)), 0, 1).astype(np.float32)
    return np.moveaxis(rgb, -1, 1) if first else rgb


def macenko_stains(image, *, od_threshold: float = 0.15, percentile: float = 1.0) -> np.ndarray:
    """Estimate the haematoxylin and eosin vectors of an image (Macenko et al. 2009).

    The optical densities of stained pixels lie in a plane spanned by the two stain vectors.
    The method finds that plane (the two main directions of the densities), measures each
    pixel's angle in it, and takes the directions at the ``percentile`` and ``100 -
    percentile`` of the angles as the two stains (robust extremes, not the absolute ones).
    The stain that absorbs more red is haematoxylin.

    Parameters
    ----------
    image : ndarray
        One RGB image (height, width, 3) or a batch (n, 3, height, width): the pixels of all
        images are pooled, so pass the patches of one slide or one scanner together.
    od_threshold : float, default=0.15
        Pixels whose optical density (the length of the red, green, blue vector) is below
        this, nearly white, are left out of the estimate. (Macenko's paper drops a pixel
        below the threshold in *any* channel, which also drops pale eosin, absorbing little
        red, and biases the eosin vector towards haematoxylin.)
    percentile : float, default=1.0
        In (0, 50).

    Returns
    -------
    ndarray of shape (2, 3)
        Unit vectors: haematoxylin (row 0) and eosin (row 1) in red, green, blue.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.tissue_patches(n=200, domain="C", random_state=0)
    >>> estimate = bk.imaging.macenko_stains(data.images)
    >>> bool((estimate * truth.stain_matrix).sum(axis=1).min() > 0.98)   # cosines to the truth
    True
    """
    od_threshold = check_float(od_threshold, "od_threshold", 0, 5)
    percentile = check_float(percentile, "percentile", 0, 50, open_low=True, open_high=True)
    density = _pixels(_optical_density(image), image)
    stained = density[np.linalg.norm(density, axis=1) > od_threshold]
    if len(stained) < 10:
        raise ValueError(f"image has {len(stained)} stained pixels (optical density above od_threshold="
                         f"{od_threshold}); pass tissue, or lower od_threshold")
    _, vectors = np.linalg.eigh(np.cov(stained, rowvar=False))
    plane = vectors[:, [2, 1]]  # the two main directions
    plane *= np.sign(stained.mean(axis=0) @ plane)  # point them into the stained half-space
    projected = stained @ plane
    angle = np.arctan2(projected[:, 1], projected[:, 0])
    low, high = np.percentile(angle, [percentile, 100 - percentile])
    ends = np.array([plane @ [np.cos(low), np.sin(low)], plane @ [np.cos(high), np.sin(high)]])
    ends *= np.sign(ends.sum(axis=1, keepdims=True))
    ends /= np.linalg.norm(ends, axis=1, keepdims=True)
    return ends if ends[0, 0] >= ends[1, 0] else ends[::-1].copy()


def _pixels(values: np.ndarray, image) -> np.ndarray:
    """One row per pixel (its channels: colours or stains), whatever the layout of ``image``."""
    first = np.ndim(image) == 4
    channels = values.shape[1] if first else values.shape[-1]
    return (np.moveaxis(values, 1, -1) if first else values).reshape(-1, channels)


class StainNormalizer:
    """Make images from another lab look as if stained and scanned like a reference.

    Macenko's method (Macenko et al. 2009): estimate the haematoxylin and eosin vectors of
    the reference and of the images, separate each image's stains with its own vectors,
    rescale each stain's amounts so that their 99th percentile matches the reference's, and
    recombine with the reference's vectors.

    Examples
    --------
    >>> import biomedkit as bk
    >>> ref, _ = bk.simulate.tissue_patches(n=100, domain="A", random_state=0)
    >>> other, _ = bk.simulate.tissue_patches(n=100, domain="B", random_state=1)
    >>> normalizer = bk.imaging.StainNormalizer().fit(ref.images)
    >>> normalizer.transform(other.images).shape
    (100, 3, 32, 32)
    """

    def __init__(self, *, od_threshold: float = 0.15, percentile: float = 1.0):
        self.od_threshold = od_threshold
        self.percentile = percentile

    def __repr__(self) -> str:
        return f"StainNormalizer(od_threshold={self.od_threshold}, percentile={self.percentile})"

    def _estimate(self, image) -> tuple[np.ndarray, np.ndarray]:
        stains = macenko_stains(image, od_threshold=self.od_threshold, percentile=self.percentile)
        amounts = _pixels(separate_stains(image, stains=stains), image)
        return stains, np.percentile(amounts, 99, axis=0)

    def fit(self, reference) -> StainNormalizer:
        """Learn the reference's stain vectors (``stain_matrix_``) and amounts (``max_amounts_``)."""
        self.stain_matrix_, self.max_amounts_ = self._estimate(reference)
        return self

    def transform(self, images) -> np.ndarray:
        """Normalised copies of ``images``, in their layout, float32 in [0, 1].

        The stains of ``images`` are estimated from all of them together: pass the images of
        one slide or one scanner in one call.
        """
        if not hasattr(self, "stain_matrix_"):
            raise ValueError("this StainNormalizer is not fitted yet: call fit(reference_images) first")
        stains, max_amounts = self._estimate(images)
        amounts = separate_stains(images, stains=stains)
        axis = 1 if np.ndim(images) == 4 else -1
        shape = [1] * amounts.ndim
        shape[axis] = 2
        amounts = amounts * (self.max_amounts_ / max_amounts).reshape(shape)
        return combine_stains(amounts, stains=self.stain_matrix_)


@dataclass(repr=False)
class PositiveCellResult:
    """The share of DAB-positive cells in an immunohistochemistry image.

    Attributes
    ----------
    n_cells, n_positive : int
    fraction : float
        ``n_positive / n_cells``.
    low, high : float
        Wilson interval of the fraction, as if the cells were independent (they are not:
        neighbouring cells are alike, so the real uncertainty is larger).
    level : float
    dab_threshold : float
        The mean DAB optical density above which a cell counts as positive.
    compartment : str
        Where DAB was measured: "nucleus" or "cell" (nucleus plus a ring around it).
    nuclei : ndarray of int
        The nuclei found, labelled 1 .. n_cells (0 = background).
    cells : ndarray of int
        The measured regions, labelled like ``nuclei``.
    table : DataFrame
        One row per cell: area, mean haematoxylin, mean DAB, positive.
    """

    n_cells: int
    n_positive: int
    fraction: float
    low: float
    high: float
    level: float
    dab_threshold: float
    compartment: str
    nuclei: np.ndarray
    cells: np.ndarray
    table: pd.DataFrame

    def __repr__(self) -> str:
        return (f"{self.n_positive} of {self.n_cells} cells DAB-positive: {self.fraction:.1%} "
                f"({self.level:.0%} CI {self.low:.1%} to {self.high:.1%}; DAB > {self.dab_threshold:.3f} "
                f"in the {self.compartment})")

    def to_frame(self) -> pd.DataFrame:
        """One row per cell (a copy of ``table``)."""
        return self.table.copy()

    def overlay(self, image) -> np.ndarray:
        """``image`` with the outline of every measured region: red if positive, blue if not."""
        from skimage.segmentation import find_boundaries

        rgb, first = check_rgb(image)
        if first or rgb.shape[:2] != self.cells.shape:
            raise ValueError(f"image must be the (height, width, 3) image that was measured, "
                             f"{self.cells.shape}; got shape {np.shape(image)}")
        out = rgb.copy()
        positive = np.zeros(self.n_cells + 1, bool)
        positive[1:] = self.table["positive"].to_numpy()
        edges = find_boundaries(self.cells, mode="inner")
        out[edges & positive[self.cells]] = (0.85, 0.0, 0.0)
        out[edges & ~positive[self.cells]] = (0.0, 0.2, 0.9)
        return out


def positive_cell_fraction(image, *, compartment: str = "cell", dab_threshold: float | None = None,
                           expand: int = 3, min_area: int = 20, level: float = 0.95) -> PositiveCellResult:
    """Find the nuclei of a haematoxylin-DAB image and count the cells positive for DAB.

    The idea behind scores such as PD-L1's tumour proportion score: the share of cells
    stained by the antibody. Steps: separate haematoxylin and DAB (colour deconvolution),
    find nuclei where the smoothed haematoxylin exceeds its neighbourhood's mean and a global
    floor (0.8 times Otsu's threshold), split touching nuclei (watershed on the distance to
    the background), drop specks below ``min_area`` pixels, and measure each cell's mean DAB
    in its nucleus or in its nucleus grown by ``expand`` pixels (for an antibody that stains
    the membrane or cytoplasm).

    It counts **every** cell. A clinical score counts only viable tumour cells, judged by a
    pathologist; a threshold on a colour is not a diagnosis.

    Parameters
    ----------
    image : ndarray
        One RGB image (height, width, 3), uint8 or float in [0, 1].
    compartment : {"cell", "nucleus"}, default="cell"
        Where the antibody's signal is measured: "nucleus" for nuclear markers (Ki-67,
        oestrogen receptor), "cell" for membrane or cytoplasm (PD-L1, HER2).
    dab_threshold : float or None, default=None
        Mean DAB optical density above which a cell is positive. None: Otsu's threshold on
        the cells' mean DAB (chosen from the data: report it).
    expand : int, default=3
        Pixels by which a nucleus is grown into its cell (compartment "cell").
    min_area : int, default=20
        Smallest nucleus, in pixels.
    level : float, default=0.95
        Confidence level of the interval.

    Returns
    -------
    PositiveCellResult

    Examples
    --------
    >>> import biomedkit as bk
    >>> slide = bk.datasets.load("ihc").image
    >>> bk.imaging.positive_cell_fraction(slide)                      # doctest: +SKIP
    """
    from scipy import ndimage
    from skimage.filters import threshold_otsu

    if compartment not in ("cell", "nucleus"):
        raise ValueError(f"compartment must be 'cell' or 'nucleus'; got {compartment!r}")
    if dab_threshold is not None:
        dab_threshold = check_float(dab_threshold, "dab_threshold", -10, 10)
    expand = check_int(expand, "expand", 0)
    min_area = check_int(min_area, "min_area", 1)
    level = check_level(level)
    rgb, first = check_rgb(image)
    if first:
        raise ValueError(f"image must be one RGB image (height, width, 3); got a batch of shape {np.shape(image)}")
    amounts = separate_stains(rgb)
    haematoxylin, dab = amounts[..., 0], amounts[..., 2]
    nuclei = _segment_nuclei(ndimage.gaussian_filter(haematoxylin, 1.0), min_area)
    n = int(nuclei.max())
    if n == 0:
        raise ValueError("no nuclei found in image: is it a haematoxylin-DAB image with tissue?")
    if compartment == "cell":
        from skimage.segmentation import expand_labels

        cells = expand_labels(nuclei, distance=expand)
    else:
        cells = nuclei
    index = np.arange(1, n + 1)
    mean_dab = np.asarray(ndimage.mean(dab, cells, index))
    if dab_threshold is None:
        dab_threshold = float(threshold_otsu(mean_dab)) if np.ptp(mean_dab) > 0 else float(mean_dab[0])
    table = pd.DataFrame({"area": np.bincount(cells.ravel(), minlength=n + 1)[1:],
                          "mean_haematoxylin": np.asarray(ndimage.mean(haematoxylin, nuclei, index)),
                          "mean_dab": mean_dab, "positive": mean_dab > dab_threshold},
                         index=pd.Index(index, name="cell"))
    k = int(table["positive"].sum())
    low, high = wilson_interval(k, n, level)
    return PositiveCellResult(n_cells=n, n_positive=k, fraction=k / n, low=float(low), high=float(high),
                              level=level, dab_threshold=dab_threshold, compartment=compartment,
                              nuclei=nuclei, cells=cells, table=table)


def _segment_nuclei(haematoxylin: np.ndarray, min_area: int) -> np.ndarray:
    """Label nuclei in a smoothed haematoxylin image.

    A pixel is nuclear where the haematoxylin exceeds both its neighbourhood's mean (31 x 31
    pixels; packed tumour nuclei sit on a haematoxylin-tinged background) and 0.8 times Otsu's
    global threshold; touching nuclei are split by a watershed on the distance to the
    background, seeded by its maxima at least 1.5 pixels high (fewer cuts across elongated
    nuclei than every local maximum); specks below ``min_area`` pixels are dropped.
    """
    from scipy import ndimage
    from skimage.filters import threshold_local, threshold_otsu
    from skimage.morphology import h_maxima
    from skimage.segmentation import watershed

    local = threshold_local(haematoxylin, 31, offset=-0.02)
    mask = (haematoxylin > local) & (haematoxylin > 0.8 * threshold_otsu(haematoxylin))
    mask = ndimage.binary_opening(ndimage.binary_fill_holes(mask))
    distance = ndimage.distance_transform_edt(mask)
    markers, _ = ndimage.label(h_maxima(distance, 1.5))
    labels = watershed(-distance, markers, mask=mask)
    sizes = np.bincount(labels.ravel())
    keep = sizes >= min_area
    keep[0] = False
    relabel = np.zeros(len(sizes), np.int32)
    relabel[keep] = np.arange(1, keep.sum() + 1)
    return relabel[labels]
