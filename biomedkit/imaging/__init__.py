"""Medical imaging: a small CNN for patches, where it looks, and the stains it sees.

- :class:`PatchCNN`: a small convolutional network with ``fit``/``predict_proba``, a
  progress bar, ``fine_tune`` for transfer learning and ``device=`` for a GPU.
- :class:`Augmentation`: flips, quarter turns and stain jitter for training.
- :func:`saliency_map`, :func:`grad_cam`: where the network looks; :func:`localization`
  checks a map against a mask of what it should find.
- :func:`separate_stains`, :func:`combine_stains`, :func:`macenko_stains`,
  :class:`StainNormalizer`: colour deconvolution and stain normalisation.
- :func:`positive_cell_fraction`: the share of DAB-positive cells in an immunohistochemistry
  image.
- :func:`slide_scores`: from patch predictions to one score per slide.
- :func:`plot_patches`: a grid of patches with maps and masks.

Images are numpy arrays: a batch is (n, 3, height, width) (channels first, as PyTorch
expects), one image for scikit-image is (height, width, 3); uint8 (0-255) or float in
[0, 1]. The network, its maps and the plots also take other channel counts (a PatchCNN's
``in_channels``: 1 for grey, more for multiplexed markers); the stain functions need colour.
PyTorch is imported only when a network is built or explained.

Examples
--------
>>> import biomedkit as bk
>>> data, truth = bk.simulate.tissue_patches(n=1_000, random_state=0)
>>> model = bk.imaging.PatchCNN(epochs=5, random_state=0).fit(data.images, data.y)   # doctest: +SKIP
>>> maps = bk.imaging.grad_cam(model, data.images[:16])                              # doctest: +SKIP
"""

from biomedkit.imaging.augment import Augmentation
from biomedkit.imaging.cnn import PatchCNN
from biomedkit.imaging.plots import plot_patches
from biomedkit.imaging.saliency import LocalizationResult, grad_cam, localization, saliency_map
from biomedkit.imaging.slides import slide_scores
from biomedkit.imaging.stain import (
    HED_STAINS,
    PositiveCellResult,
    StainNormalizer,
    combine_stains,
    macenko_stains,
    positive_cell_fraction,
    separate_stains,
)

__all__ = ["HED_STAINS", "Augmentation", "LocalizationResult", "PatchCNN", "PositiveCellResult",
           "StainNormalizer", "combine_stains", "grad_cam", "localization", "macenko_stains",
           "plot_patches", "positive_cell_fraction", "saliency_map", "separate_stains", "slide_scores"]
