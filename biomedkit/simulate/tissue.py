"""Simulated tissue patches: tumour and normal nuclear morphology under several stains."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset

# One domain = one laboratory's staining and one scanner. Each stain is its optical density
# per unit amount in (red, green, blue) (Beer-Lambert: light = glass * exp(-density)); the
# amounts say how much stain the protocol leaves (a longer haematoxylin bath: more), and
# "glass" is how bright the scanner renders an empty slide. "A" uses the haematoxylin and
# eosin vectors of Ruifrok & Johnston (2001), the ones scikit-image's rgb2hed assumes.
DOMAINS = {
    "A": {"what": "reference lab and scanner (standard haematoxylin and eosin)",
          "haematoxylin": (0.65, 0.70, 0.29), "eosin": (0.07, 0.99, 0.11),
          "h_amount": 1.0, "e_amount": 1.0, "glass": 0.97},
    "B": {"what": "second lab: stronger, bluer haematoxylin, paler eosin, a cooler scanner",
          "haematoxylin": (0.52, 0.74, 0.43), "eosin": (0.16, 0.95, 0.27),
          "h_amount": 1.45, "e_amount": 0.7, "glass": 0.94},
    "C": {"what": "third lab: faded haematoxylin, strong eosin",
          "haematoxylin": (0.70, 0.66, 0.27), "eosin": (0.05, 0.98, 0.17),
          "h_amount": 0.6, "e_amount": 1.35, "glass": 0.97},
}
NUCLEI_PER_32PX = 8.0  # mean number of nuclei in a 32 x 32 patch (about 0.5 um per pixel)
_CHUNK = 1024  # patches drawn at once: bounds the memory of the (patch, nucleus, y, x) arrays


@dataclass(repr=False)
class TissueTruth:
    """What generated a set of simulated tissue patches.

    Attributes
    ----------
    masks : ndarray of bool, shape (n, size, size)
        Per patch, the pixels of the **label-carrying** (atypical, tumour) nuclei. Empty for
        normal patches. A map that explains a tumour call should light up here.
    nuclei : ndarray of bool, shape (n, size, size)
        Per patch, the pixels of every nucleus (normal, atypical and lymphocytes).
    n_atypical : ndarray of int
        Number of atypical nuclei in each patch: 0 for a normal patch, 1 to 3 for a tumour
        patch (0 only in the very rare tumour patch with no normal nucleus to change).
    domain : str
        The stain/scanner domain the patches were rendered in (a key of ``DOMAINS``).
    stain_matrix : ndarray, shape (2, 3)
        The optical density of one unit of haematoxylin (row 0) and eosin (row 1) in red,
        green and blue, as unit vectors: what a stain-separation method should recover.
    stain_amounts : ndarray, shape (2,)
        The domain's amount of each stain (the factors applied to the unit vectors).
    glass : float
        The brightness of an empty slide in this domain.
    slide_label : ndarray of int or None
        With ``n_slides``: 1 for a slide that contains tumour, else 0; None otherwise.
    tumour_share : ndarray or None
        With ``n_slides``: the probability that a patch of each slide is tumour.
    """

    masks: np.ndarray
    nuclei: np.ndarray
    n_atypical: np.ndarray
    domain: str
    stain_matrix: np.ndarray
    stain_amounts: np.ndarray
    glass: float
    slide_label: np.ndarray | None = None
    tumour_share: np.ndarray | None = None

    def __repr__(self) -> str:
        tumour = int((self.n_atypical > 0).sum())
        slides = "" if self.slide_label is None else (
            f", {len(self.slide_label)} slides ({int(self.slide_label.sum())} with tumour)")
        return (f"<TissueTruth: {len(self.n_atypical)} patches of {self.masks.shape[1]} px in domain "
                f"{self.domain!r}, {tumour} tumour patches{slides}>")


def tissue_patches(
    n: int = 2000,
    *,
    size: int = 32,
    domain: str = "A",
    prevalence: float = 0.5,
    atypia: float = 1.0,
    n_slides: int | None = None,
    random_state: int | np.random.Generator | None = None,
):
    """Simulate stained tissue patches, tumour or normal, with the label-carrying nuclei known.

    Each patch is a square of stroma (eosin, pink) with nuclei (haematoxylin, purple).
    A **normal** patch holds small, round, evenly stained nuclei, some small dark
    lymphocytes, and now and then an enlarged (reactive) nucleus. A **tumour** patch is drawn
    the same way, but 1 to 3 of its normal nuclei are **atypical**: larger, more elongated,
    irregular in outline and darker (hyperchromatic). Only the atypical nuclei carry the
    label; ``truth.masks`` marks their pixels, so a saliency or Grad-CAM map can be checked
    against them.

    The stain and the scanner are set by ``domain``; the tissue is not. With the same
    ``random_state`` every domain renders **the same tissue** (same nuclei, same labels),
    only the colours differ: a paired comparison of one model across domains.

    Parameters
    ----------
    n : int, default=2000
        Number of patches.
    size : int, default=32
        Height and width of a patch in pixels (16 to 256). Nuclei keep their size in
        pixels; a larger patch holds more of them.
    domain : {"A", "B", "C"}, default="A"
        The stain/scanner domain (see ``biomedkit.simulate.tissue.DOMAINS``): "A" the
        reference, "B" a darker, bluer lab, "C" a faded one.
    prevalence : float, default=0.5
        Probability that a patch is tumour (without ``n_slides``), or that a slide contains
        tumour (with ``n_slides``). In [0, 1].
    atypia : float, default=1.0
        How different atypical nuclei are from normal ones, in [0, 3]. 0 makes them
        identical: the label then carries no visible signal (a negative control).
    n_slides : int or None, default=None
        Group the patches into this many slides (as equal as possible, consecutive
        patches). A slide contains tumour with probability ``prevalence``; in such a slide
        each patch is tumour with a probability drawn uniformly from [0.1, 0.5]; a slide
        without tumour has none.
    random_state : int, Generator or None
        Seeds everything; the same value gives the same patches.

    Returns
    -------
    data : Dataset
        ``data.images``: float32 array of shape (n, 3, size, size), RGB channels first (as
        PyTorch expects), values in [0, 1]. ``data.frame``: one row per patch, indexed by
        ``patch_id``, with ``domain``, ``slide`` (only with ``n_slides``) and ``label``
        (1 = tumour), the target.
    truth : TissueTruth
        The masks of the label-carrying nuclei and of all nuclei, the stain matrix and, with
        slides, each slide's label and tumour share.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.tissue_patches(n=200, random_state=0)
    >>> data.images.shape, data.images.dtype
    ((200, 3, 32, 32), dtype('float32'))
    >>> bool(truth.masks[data.y.to_numpy() == 0].any())    # normal patches: no atypical nuclei
    False
    """
    n = check_int(n, "n", 1)
    size = check_int(size, "size", 16)
    if size > 256:
        raise ValueError(f"size must be an integer in [16, 256]; got {size!r}")
    if not isinstance(domain, str):
        raise TypeError(f"domain must be one of {sorted(DOMAINS)} (a string); got {type(domain).__name__}")
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {sorted(DOMAINS)}; got {domain!r}")
    prevalence = check_float(prevalence, "prevalence", 0, 1)
    atypia = check_float(atypia, "atypia", 0, 3)
    if n_slides is not None:
        n_slides = check_int(n_slides, "n_slides", 1)
        if n_slides > n:
            raise ValueError(f"n_slides must be at most n ({n}); got {n_slides}")
    rng = check_random_state(random_state)
    # Separate streams: the tissue and the labels do not depend on the domain's rendering.
    tissue_rng, render_rng = (np.random.default_rng(s) for s in rng.integers(0, 2**63 - 1, size=2))

    slide, slide_label, share, tumour = _labels(n, n_slides, prevalence, tissue_rng)
    stains, amounts, glass = _domain(domain)
    images = np.empty((n, 3, size, size), np.float32)
    masks = np.empty((n, size, size), bool)
    nuclei = np.empty((n, size, size), bool)
    n_atypical = np.zeros(n, np.int64)
    for start in range(0, n, _CHUNK):
        part = slice(start, min(start + _CHUNK, n))
        h, e, masks[part], nuclei[part], n_atypical[part] = _draw_tissue(tumour[part], size, atypia,
                                                                         tissue_rng)
        images[part] = _render(h, e, stains, amounts, glass, render_rng)

    columns = {"domain": pd.Categorical([domain] * n, categories=sorted(DOMAINS))}
    if n_slides is not None:
        columns["slide"] = slide
    columns["label"] = tumour.astype(np.int64)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n, name="patch_id"))
    truth = TissueTruth(masks=masks, nuclei=nuclei, n_atypical=n_atypical, domain=domain,
                        stain_matrix=stains, stain_amounts=amounts, glass=glass,
                        slide_label=slide_label, tumour_share=share)
    data = as_dataset(frame, truth, name="tissue_patches", target="label", sites="slide")
    data.extras["images"] = images
    return data, truth


def _labels(n, n_slides, prevalence, rng):
    """Slide of each patch, each slide's label and tumour share, and each patch's label."""
    if n_slides is None:
        return None, None, None, rng.random(n) < prevalence
    slide = np.repeat(np.arange(n_slides), np.diff(np.linspace(0, n, n_slides + 1).round().astype(int)))
    slide_label = (rng.random(n_slides) < prevalence).astype(np.int64)
    share = np.where(slide_label == 1, rng.uniform(0.1, 0.5, n_slides), 0.0)
    return slide, slide_label, share, rng.random(n) < share[slide]


def _domain(domain):
    """The domain's unit stain vectors (2 x 3), stain amounts and glass brightness."""
    spec = DOMAINS[domain]
    stains = np.array([spec["haematoxylin"], spec["eosin"]], float)
    stains /= np.linalg.norm(stains, axis=1, keepdims=True)
    return stains, np.array([spec["h_amount"], spec["e_amount"]]), float(spec["glass"])


def _nucleus_parameters(tumour, size, atypia, rng):
    """Centre, radius, aspect, angle, irregularity, stain amount and kind of every nucleus slot.

    Every patch gets the same number of slots (``k``); unused slots have amount 0. Each used
    slot is a lymphocyte (15 %), a reactive, enlarged nucleus (4 %) or a normal nucleus, in
    tumour and normal patches alike. In a tumour patch the first 1 to 3 normal nuclei become
    atypical: their shape and stain are the normal ones plus ``atypia`` times an increase,
    so with ``atypia=0`` tumour and normal patches have the same distribution.
    """
    m = len(tumour)
    mean = NUCLEI_PER_32PX * (size / 32) ** 2
    k = int(mean + 4 * np.sqrt(mean)) + 4
    count = np.minimum(rng.poisson(mean, m) + 2, k)
    used = np.arange(k) < count[:, None]
    draw = rng.random((m, k))
    kind = np.where(draw < 0.15, 1, np.where(draw < 0.19, 2, 0))  # 0 normal, 1 lymphocyte, 2 reactive
    normal = (kind == 0) & used
    wanted = np.where(tumour, 1 + rng.binomial(2, 0.5, m), 0)
    atypical = normal & (np.cumsum(normal, axis=1) <= wanted[:, None])

    u = rng.random((m, k, 8))
    radius = np.select([kind == 1, kind == 2], [1.3 + 0.3 * u[..., 0], 2.3 + 0.6 * u[..., 0]],
                       default=1.6 + 0.6 * u[..., 0])
    aspect = 0.8 + 0.2 * u[..., 1]
    irregular = 0.04 * u[..., 2]
    amount = np.where(kind == 1, 1.25 + 0.15 * u[..., 3], 0.8 + 0.15 * u[..., 3])
    # atypia: larger, more elongated, irregular in outline, darker (hyperchromatic)
    radius = radius + atypical * atypia * (0.8 + 1.0 * u[..., 4])
    aspect = aspect * (1 - atypical * min(atypia, 1.5) * 0.25 * (0.4 + u[..., 5]))
    irregular = irregular + atypical * np.minimum(atypia * (0.08 + 0.12 * u[..., 6]), 0.45)
    amount = amount + atypical * atypia * (0.15 + 0.2 * u[..., 7])
    amount = np.where(used, amount, 0.0)
    centre = rng.uniform(1.0, size - 1.0, (m, k, 2))
    angle = rng.uniform(0, np.pi, (m, k))
    phase = rng.uniform(0, 2 * np.pi, (m, k, 2))
    return dict(centre=centre, radius=radius, aspect=aspect, angle=angle, irregular=irregular,
                amount=amount, phase=phase, atypical=atypical, n_atypical=atypical.sum(axis=1))


def _draw_tissue(tumour, size, atypia, rng):
    """Haematoxylin and eosin amounts per pixel, and the masks, for a chunk of patches."""
    from scipy.ndimage import gaussian_filter

    m = len(tumour)
    p = _nucleus_parameters(tumour, size, atypia, rng)
    # Each nucleus is drawn in a small window around its centre, one slot at a time: within a
    # slot every patch has one nucleus, so the windows can be written without collisions.
    extent = p["radius"] * (1 + p["irregular"]) + 1.5
    half = int(np.ceil(extent.max()))
    width, pad = 2 * half + 1, half + 1
    side = size + 2 * pad
    canvas = np.zeros((4, m * side * side), np.float32)  # h, inside, nucleus, atypical; flattened
    offsets = np.arange(width) - half
    patch = np.arange(m)[:, None, None] * side * side
    for slot in range(p["amount"].shape[1]):
        if not (p["amount"][:, slot] > 0).any():
            continue
        centre = p["centre"][:, slot]
        corner = np.floor(centre).astype(int)
        ys = corner[:, 0, None] + offsets  # pixel rows of the window, (m, width)
        xs = corner[:, 1, None] + offsets
        inside = _nucleus_window(ys + 0.5 - centre[:, 0, None], xs + 0.5 - centre[:, 1, None],
                                 {k: v[:, slot] for k, v in p.items() if k != "n_atypical"})
        amount = p["amount"][:, slot, None, None]
        nucleus = ((inside > 0.5) & (amount > 0)).astype(np.float32)
        where = (patch + (ys + pad)[:, :, None] * side + (xs + pad)[:, None, :]).ravel()
        layers = np.stack([inside * amount, inside * (amount > 0), nucleus,
                           nucleus * p["atypical"][:, slot, None, None]]).reshape(4, -1)
        for layer, values in zip(canvas, layers):
            layer[where] = np.maximum(layer[where], values)
    canvas = canvas.reshape(4, m, side, side)
    h_nuclei, inside_any, nuclei, masks = canvas[:, :, pad:pad + size, pad:pad + size]
    chromatin = 1 + 0.12 * rng.standard_normal((m, size, size), dtype=np.float32)
    h = 0.04 + h_nuclei * chromatin
    stroma = gaussian_filter(rng.standard_normal((m, size, size), dtype=np.float32), sigma=(0, 2.0, 2.0))
    stroma /= stroma.std(axis=(1, 2), keepdims=True) + 1e-12
    e = np.clip(0.32 + 0.12 * stroma, 0.05, None) * (1 - 0.6 * inside_any)
    return h, e, masks > 0, nuclei > 0, p["n_atypical"]


def _nucleus_window(dy, dx, p):
    """How much of each pixel of a (m, width, width) window lies inside the nucleus (0 to 1).

    ``dy`` (m, width) and ``dx`` (m, width): pixel centres relative to the nucleus centre.
    The outline is an ellipse whose radius wobbles with the angle (cos 3θ and cos 5θ, written
    with Chebyshev polynomials of the direction to avoid an arctangent per pixel).
    """
    f32 = {k: np.asarray(v, np.float32) for k, v in p.items()}
    dy, dx = dy.astype(np.float32)[:, :, None], dx.astype(np.float32)[:, None, :]
    cos, sin = np.cos(f32["angle"])[:, None, None], np.sin(f32["angle"])[:, None, None]
    along, across = dx * cos + dy * sin, dy * cos - dx * sin
    r = f32["radius"][:, None, None]
    rho = np.hypot(along / r, across / (r * f32["aspect"][:, None, None]))
    dist = np.hypot(along, across) + np.float32(1e-6)
    c, s = along / dist, across / dist
    c2, s2 = c * c, s * s
    c3, s3 = c * (4 * c2 - 3), s * (3 - 4 * s2)
    c5, s5 = c * ((16 * c2 - 20) * c2 + 5), s * ((16 * s2 - 20) * s2 + 5)
    ph3, ph5 = f32["phase"][:, 0, None, None], f32["phase"][:, 1, None, None]
    wobble = (0.6 * (c3 * np.cos(ph3) - s3 * np.sin(ph3))
              + 0.4 * (c5 * np.cos(ph5) - s5 * np.sin(ph5)))
    outline = 1 + f32["irregular"][:, None, None] * wobble
    # signed distance to the outline in pixels (approximately), through a soft 0.35 px edge
    return 1 / (1 + np.exp(-np.clip((outline - rho) * r / np.float32(0.35), -30, 30)))


def _render(h, e, stains, amounts, glass, rng):
    """Beer-Lambert: light through the stains, as the scanner records it, with sensor noise."""
    density = (h[:, None] * (amounts[0] * stains[0])[None, :, None, None]
               + e[:, None] * (amounts[1] * stains[1])[None, :, None, None])
    light = glass * np.exp(-density) + rng.normal(0, 0.01, density.shape)
    return np.clip(light, 0, 1).astype(np.float32)
