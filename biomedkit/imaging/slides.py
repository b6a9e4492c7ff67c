"""From patch predictions to one score per slide."""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int

METHODS = ("mean", "max", "top_k", "share_above")


def slide_scores(patch_scores, slides, *, method: str = "top_k", k: int = 5,
                 threshold: float = 0.5) -> pd.DataFrame:
    """Aggregate the scores of a slide's patches into a slide-level score.

    A whole-slide image is cut into patches; a patch classifier scores each; the slide needs
    one score. Tumour may fill a small part of a positive slide, so the mean dilutes it, and
    the maximum rests on one patch (one false positive is enough). The mean of the ``k``
    highest patch scores is a common compromise.

    Parameters
    ----------
    patch_scores : array-like of shape (n_patches,)
        Each patch's probability (or score) of the positive class.
    slides : array-like of shape (n_patches,)
        The slide each patch comes from.
    method : {"top_k", "mean", "max", "share_above"}, default="top_k"
        "top_k": mean of the ``k`` highest scores (all of them on a slide with fewer);
        "mean"; "max"; "share_above": share of patches with a score above ``threshold``.
    k : int, default=5
    threshold : float, default=0.5

    Returns
    -------
    DataFrame
        Indexed by slide (sorted): ``n_patches`` and ``score``.

    Examples
    --------
    >>> bk.imaging.slide_scores([0.1, 0.9, 0.2, 0.3], ["a", "a", "b", "b"], method="max")   # doctest: +SKIP
    """
    scores = np.asarray(patch_scores, dtype=float)
    if scores.ndim != 1:
        raise ValueError(f"patch_scores must be one-dimensional (one score per patch; for predict_proba "
                         f"output pass [:, 1]); got shape {scores.shape}")
    if not np.isfinite(scores).all():
        raise ValueError("patch_scores contains NaN or infinite values")
    groups = np.asarray(slides)
    if groups.shape != scores.shape:
        raise ValueError(f"slides must give one slide per patch ({scores.size}); got shape {groups.shape}")
    if pd.isna(groups).any():  # groupby would drop those patches without a word
        raise ValueError(f"slides has {int(pd.isna(groups).sum())} missing values; every patch needs its slide")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    k = check_int(k, "k", 1)
    threshold = check_float(threshold, "threshold", -np.inf, np.inf)
    frame = pd.DataFrame({"slide": groups, "score": scores})
    grouped = frame.groupby("slide", sort=True)["score"]
    if method == "mean":
        score = grouped.mean()
    elif method == "max":
        score = grouped.max()
    elif method == "top_k":
        score = grouped.apply(lambda s: s.nlargest(k).mean())
    else:
        score = grouped.apply(lambda s: (s > threshold).mean())
    return pd.DataFrame({"n_patches": grouped.size(), "score": score.astype(float)})
