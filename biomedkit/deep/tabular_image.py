"""Omics as images: lay the features of a table out on a grid, DeepInsight-style.

DeepInsight (Sharma et al., Scientific Reports 9:11399, 2019) turns each row of a table
into an image so that a convolutional network can read it: features that behave alike
across the samples are placed near each other, and each sample's values paint their
pixels. The steps, as in the paper:

1. embed the features (the columns of ``X``, i.e. the rows of ``X.T``) in two dimensions
   with t-SNE or kernel PCA;
2. find the convex hull of the points and the rectangle of minimum area around it
   (rotating calipers: one side of that rectangle lies on an edge of the hull), and
   rotate the points so that this rectangle is axis-aligned;
3. stretch the rectangle over a grid of pixels and give each feature the pixel it falls
   in; several features may fall in one pixel (a collision): that pixel shows their mean;
4. scale each feature to [0, 1] (minimum and maximum of the training data) and paint.

PyTorch is not needed here: the images are numpy arrays (n, 1, height, width).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from biomedkit._checks import check_float, check_int

METHODS = ("tsne", "kpca")


def minimum_area_rotation(points) -> np.ndarray:
    """Rotate 2-D points so that the smallest rectangle enclosing them is axis-aligned.

    The smallest-area enclosing rectangle has one side on an edge of the convex hull
    (Freeman and Shapira, 1975), so only the hull's edge directions are tried. Points
    that have no hull of positive area (fewer than three, or all on one line) are turned
    so that their line is horizontal.

    Parameters
    ----------
    points : array-like of shape (n, 2)

    Returns
    -------
    ndarray of shape (n, 2)
        The rotated points (a new array), the longer side of the rectangle along the first
        axis.

    Examples
    --------
    >>> import numpy as np
    >>> from biomedkit.deep.tabular_image import minimum_area_rotation
    >>> turn = np.array([[np.cos(0.5), -np.sin(0.5)], [np.sin(0.5), np.cos(0.5)]])
    >>> square = np.array([[0, 0], [2, 0], [2, 1], [0, 1]]) @ turn.T
    >>> np.ptp(minimum_area_rotation(square), axis=0).round(6)
    array([2., 1.])
    """
    from scipy.spatial import ConvexHull, QhullError

    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
        raise ValueError(f"points must have shape (n, 2) with n >= 1; got shape {p.shape}")
    if not np.isfinite(p).all():
        raise ValueError("points contains NaN or infinite values")
    centred = p - p.mean(axis=0)
    try:
        hull = centred[ConvexHull(centred).vertices]
        edges = np.roll(hull, -1, axis=0) - hull
        angles = np.arctan2(edges[:, 1], edges[:, 0])
    except (QhullError, ValueError):
        # no hull of positive area: the points lie on a line (or are one point)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        hull, angles = centred, np.array([np.arctan2(vt[0, 1], vt[0, 0])])
    best, best_area = 0.0, np.inf
    for angle in angles:
        extent = np.ptp(hull @ _rotation(-angle).T, axis=0)
        if extent[0] * extent[1] < best_area - 1e-12:
            best, best_area = angle, extent[0] * extent[1]
    rotated = centred @ _rotation(-best).T
    extent = np.ptp(rotated, axis=0)
    if extent[1] > extent[0]:  # the longer side along the first axis
        rotated = rotated[:, ::-1].copy()
    return rotated


def _rotation(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def points_to_pixels(points, shape) -> tuple[np.ndarray, np.ndarray]:
    """Align 2-D points (:func:`minimum_area_rotation`) and give each one a pixel of a grid.

    The aligned rectangle is stretched over the whole grid, the longer side along the
    grid's longer side, and cut into ``height x width`` equal cells.

    Parameters
    ----------
    points : array-like of shape (n, 2)
    shape : tuple of int
        ``(height, width)`` of the grid.

    Returns
    -------
    rows, cols : ndarray of int, shape (n,)

    Examples
    --------
    >>> from biomedkit.deep.tabular_image import points_to_pixels
    >>> points_to_pixels([[0, 0], [4, 0], [4, 1], [0, 1], [2, 0.5]], (2, 4))
    (array([0, 0, 1, 1, 1]), array([0, 3, 3, 0, 2]))
    """
    height, width = _check_size(shape, "shape")
    return _cut(_unit_square(minimum_area_rotation(points), height > width), height, width)


def _unit_square(rotated: np.ndarray, tall: bool) -> np.ndarray:
    """Aligned points scaled to [0, 1] on each axis, the longer side along the grid's longer side."""
    if tall:
        rotated = rotated[:, ::-1]
    low, extent = rotated.min(axis=0), np.ptp(rotated, axis=0)
    # a side of zero length (one point, or points on a line, up to rounding) sits in the
    # middle of the grid
    flat = extent <= 1e-9 * max(extent.max(), 1e-300)
    return np.divide(rotated - low, extent, out=np.full_like(rotated, 0.5), where=~flat)


def _cut(unit: np.ndarray, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The pixel (row, col) of each point of the unit square, in equal cells."""
    rows = np.minimum(np.floor(unit[:, 1] * height), height - 1).astype(int)
    cols = np.minimum(np.floor(unit[:, 0] * width), width - 1).astype(int)
    return rows, cols


def _check_size(size, name: str = "size") -> tuple[int, int]:
    """``size`` as (height, width): an int n means n x n; each side at least 2 pixels."""
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise TypeError(f"{name} must be an int (a square grid) or a (height, width) tuple, e.g. 24 or "
                        f"(20, 30); got {size!r}")
    return check_int(size[0], f"{name}[0] (height)", 2), check_int(size[1], f"{name}[1] (width)", 2)


class TabularToImage(TransformerMixin, BaseEstimator):
    """Turn each row of a table (samples x features) into an image, DeepInsight-style.

    ``fit`` places every feature on a pixel of a ``height x width`` grid so that features
    that vary alike across the training samples are close: it embeds the features in two
    dimensions (t-SNE or kernel PCA of the standardised columns; the distance between
    two standardised features is ``sqrt(2 n (1 - r))``, so it is small when their
    correlation ``r`` is high), rotates the points so that the minimum-area rectangle
    around their convex hull is axis-aligned, and stretches that rectangle over the grid.
    ``transform`` scales each feature to [0, 1] with the training minimum and maximum
    (values outside the training range are clipped, so an image always lies in [0, 1])
    and paints each sample's values into their pixels; a pixel that holds several features
    (a *collision*) shows their mean, and a pixel that holds none stays 0.

    Fit it on training data only, as any scaler: the layout and the scaling use the
    samples' values, so fitting on the test rows would let them shape the images.

    Parameters
    ----------
    method : {"tsne", "kpca"}, default="tsne"
        How the features are embedded: scikit-learn's ``TSNE`` (PCA initialisation) or
        ``KernelPCA`` with an RBF kernel (faster, more collisions).
    size : int or (int, int), default=24
        The grid: ``height x width`` pixels (an int gives a square).
    perplexity : float, default=30.0
        t-SNE's perplexity (about the number of neighbours each feature keeps close);
        capped at ``(n_features - 1) / 3`` for small tables. Ignored by kernel PCA.
    max_iter : int, default=1000
        t-SNE's iterations (at least 250, the early-exaggeration phase); fewer are faster
        and leave the clusters a little less settled. Ignored by kernel PCA.
    shuffle : bool, default=False
        After the layout, hand the positions out to the features at random: the same
        pixels are used and the same collisions happen, but neighbours are no longer
        related. A control for the question *does the layout matter?*
    random_state : int or None, default=None
        Seeds t-SNE, kernel PCA's solver and the shuffle.

    Attributes
    ----------
    layout_ : DataFrame
        One row per feature (indexed by its name): ``row`` and ``col`` of its pixel, ``x``
        and ``y`` (its aligned position in [0, 1]), and ``n_in_pixel`` (how many features
        share its pixel).
    pixel_counts_ : ndarray of int, shape (height, width)
        The number of features in each pixel.
    n_collisions_ : int
        Features that found their pixel already taken: ``n_features - occupied pixels``.
        Their values are averaged with their neighbours' and cannot be told apart.
    image_shape_ : tuple
        ``(1, height, width)``, the shape of one image.
    data_min_, data_range_ : ndarray of shape (n_features_in_,)
        The training minimum and range of each feature (a range of 0 is stored as 1).
    perplexity_ : float or None
        The perplexity t-SNE used (None for kernel PCA).
    n_iter_ : int
        The iterations t-SNE ran (1 for kernel PCA: one eigen-decomposition).
    n_features_in_, feature_names_in_ : as in scikit-learn

    Notes
    -----
    The output is a 4-D float32 array (n, 1, height, width), the layout PyTorch's
    convolutions expect, not a table; so there is no ``get_feature_names_out`` and no
    pandas output. It passes scikit-learn's ``check_estimator``.

    References
    ----------
    Sharma A, Vans E, Shigemizu D, Boroevich KA, Tsunoda T. DeepInsight: a methodology to
    transform a non-image data to an image for convolution neural network architecture.
    Scientific Reports 9:11399 (2019). doi:10.1038/s41598-019-47765-6

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.expression(n_samples=100, n_genes=200, random_state=0)
    >>> genes = data.frame.drop(columns=["batch", "outcome"])
    >>> to_image = bk.deep.TabularToImage(size=16, random_state=0).fit(genes)
    >>> to_image.transform(genes).shape
    (100, 1, 16, 16)
    >>> row, col = to_image.layout_.loc["g0001", ["row", "col"]].astype(int)
    >>> to_image.pixel_features(row, col)                                # doctest: +SKIP
    ['g0001', 'g0093']
    """

    def __init__(self, *, method: str = "tsne", size=24, perplexity: float = 30.0, max_iter: int = 1000,
                 shuffle: bool = False, random_state: int | None = None):
        self.method = method
        self.size = size
        self.perplexity = perplexity
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # images are float32 whatever comes in (what PyTorch's layers take)
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def _check_params(self) -> tuple[int, int]:
        if not isinstance(self.method, str) or self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}; got {self.method!r}")
        shape = _check_size(self.size)
        check_float(self.perplexity, "perplexity", 0, 1e6, open_low=True)
        check_int(self.max_iter, "max_iter", 250)
        if not isinstance(self.shuffle, bool):
            raise TypeError(f"shuffle must be True or False; got {self.shuffle!r}")
        if self.random_state is not None and not (isinstance(self.random_state, numbers.Integral)
                                                  and not isinstance(self.random_state, bool)):
            raise TypeError(f"random_state must be None or an int; got {type(self.random_state).__name__}")
        if self.random_state is not None:
            check_int(self.random_state, "random_state", 0)
        return shape

    def fit(self, X, y=None) -> TabularToImage:
        """Learn the scaling of each feature and its pixel from ``X`` (samples x features).

        ``y`` is ignored (the layout is unsupervised); it is accepted for pipelines.

        Returns
        -------
        self
        """
        height, width = self._check_params()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2, ensure_min_features=2)
        seed = (int(np.random.default_rng().integers(2**31 - 1)) if self.random_state is None
                else int(self.random_state))
        self.data_min_ = X.min(axis=0)
        spread = X.max(axis=0) - self.data_min_
        self.data_range_ = np.where(spread > 0, spread, 1.0)
        points = self._embed(X, seed)
        if self.shuffle:
            points = points[np.random.default_rng(seed).permutation(len(points))]
        aligned = _unit_square(minimum_area_rotation(points), height > width)
        rows, cols = _cut(aligned, height, width)
        counts = np.zeros((height, width), dtype=int)
        np.add.at(counts, (rows, cols), 1)
        names = (self.feature_names_in_.astype(str) if hasattr(self, "feature_names_in_")
                 else np.array([f"x{i}" for i in range(X.shape[1])]))
        self.layout_ = pd.DataFrame({"row": rows, "col": cols, "x": aligned[:, 0], "y": aligned[:, 1],
                                     "n_in_pixel": counts[rows, cols]},
                                    index=pd.Index(names, name="feature"))
        self.pixel_counts_ = counts
        self.n_collisions_ = int(X.shape[1] - np.count_nonzero(counts))
        self.image_shape_ = (1, height, width)
        return self

    def _embed(self, X: np.ndarray, seed: int) -> np.ndarray:
        """Two coordinates per feature, from the standardised columns of X."""
        sd = X.std(axis=0)
        Z = ((X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)).T  # features are the points
        if self.method == "kpca":
            from sklearn.decomposition import KernelPCA

            self.perplexity_, self.n_iter_ = None, 1
            # gamma 1 / n_samples: the kernel exp(-2 (1 - r)) of the features' correlation r
            kpca = KernelPCA(n_components=2, kernel="rbf", gamma=1.0 / Z.shape[1], random_state=seed)
            return kpca.fit_transform(Z)
        from sklearn.manifold import TSNE

        self.perplexity_ = float(min(self.perplexity, (Z.shape[0] - 1) / 3))
        tsne = TSNE(n_components=2, perplexity=self.perplexity_, init="pca", max_iter=self.max_iter,
                    random_state=seed)
        points = tsne.fit_transform(Z)
        self.n_iter_ = int(tsne.n_iter_)
        return points

    def transform(self, X) -> np.ndarray:
        """The image of each sample: ndarray of float32, shape (n, 1, height, width), in [0, 1]."""
        from scipy import sparse

        check_is_fitted(self, "layout_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scaled = np.clip((X - self.data_min_) / self.data_range_, 0.0, 1.0)
        _, height, width = self.image_shape_
        pixel = self.layout_["row"].to_numpy() * width + self.layout_["col"].to_numpy()
        # one sparse product paints every sample: feature f adds value / n_in_pixel to its pixel
        weights = 1.0 / self.layout_["n_in_pixel"].to_numpy()
        paint = sparse.csr_matrix((weights, (pixel, np.arange(len(pixel)))), shape=(height * width, len(pixel)))
        images = np.asarray(paint @ scaled.T).T
        return images.reshape(len(X), 1, height, width).astype(np.float32)

    def pixel_features(self, row: int, col: int) -> list[str]:
        """The names of the features painted into pixel (``row``, ``col``); [] for an empty pixel.

        Examples
        --------
        >>> to_image.pixel_features(3, 7)                                   # doctest: +SKIP
        ['g0041', 'g0157']
        """
        check_is_fitted(self, "layout_")
        _, height, width = self.image_shape_
        row = _check_index(row, "row", height)
        col = _check_index(col, "col", width)
        here = (self.layout_["row"] == row) & (self.layout_["col"] == col)
        return self.layout_.index[here.to_numpy()].tolist()

    def map_to_features(self, maps) -> pd.Series | pd.DataFrame:
        """Read a map over the pixels (an image, a saliency map) back as one value per feature.

        Each feature gets the value of its pixel; features that share a pixel get the same
        value (the map cannot tell them apart). Sorting the result names the features behind
        the brightest pixels, e.g. the genes a saliency map points at.

        Parameters
        ----------
        maps : ndarray
            One map (height, width), or several: (n, height, width) or (n, 1, height, width).

        Returns
        -------
        Series (one map) or DataFrame (n maps x features), indexed by feature name.

        Examples
        --------
        >>> scores = to_image.map_to_features(saliency)                     # doctest: +SKIP
        >>> scores.sort_values(ascending=False).head(10)                      # doctest: +SKIP
        """
        check_is_fitted(self, "layout_")
        m = np.asarray(maps)
        _, height, width = self.image_shape_
        if m.ndim == 4 and m.shape[1] == 1:
            m = m[:, 0]
        if m.ndim not in (2, 3) or m.shape[-2:] != (height, width):
            raise ValueError(f"maps must have shape ({height}, {width}), (n, {height}, {width}) or "
                             f"(n, 1, {height}, {width}), the grid of this layout; got shape {m.shape}")
        if m.dtype.kind not in "biuf":
            raise TypeError(f"maps must be numeric; got dtype {m.dtype}")
        rows, cols = self.layout_["row"].to_numpy(), self.layout_["col"].to_numpy()
        if m.ndim == 2:
            return pd.Series(m[rows, cols].astype(float), index=self.layout_.index.copy())
        return pd.DataFrame(m[:, rows, cols].astype(float), columns=self.layout_.index.copy())


def _check_index(value, name: str, n: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int (a pixel index); got {type(value).__name__}")
    if not 0 <= value < n:
        raise ValueError(f"{name} must be in 0..{n - 1} for this grid; got {value}")
    return int(value)
