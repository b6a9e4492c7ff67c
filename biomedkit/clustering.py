"""How reproducible is a clustering? Stability under resampling, and choosing k.

scikit-learn fits clusterings and scores them one at a time (silhouette, BIC);
it has no ready-made way to ask whether the clusters would come back on another
sample of the same population. :func:`cluster_stability` asks exactly that: it
clusters many random subsamples and compares every pair of clusterings on the
points they share, with the adjusted Rand index (ARI). :func:`choose_k` puts
silhouette, BIC (for mixtures) and stability side by side for several k.

The fits go through joblib with ``n_jobs``, without naming a backend, so
``with joblib.parallel_config(backend="dask"): ...`` spreads them over a Dask
cluster with no change to this code. A progress bar follows the fits while they run
(``bk.show_progress(False)`` turns the bars off).

Examples
--------
>>> from sklearn.cluster import KMeans
>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs(n_samples=300, centers=3, random_state=0)
>>> result = bk.clustering.cluster_stability(X, KMeans(3, n_init=10), random_state=0)
>>> round(result.mean, 2)                                        # doctest: +SKIP
1.0
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit._deprecation import keyword_only_after, warn_deprecated
from biomedkit._progress import parallel_progress, progress

__all__ = ["StabilityResult", "choose_k", "cluster_stability"]

# Parameters that set the number of clusters, in the order they are looked for.
_K_PARAMS = ("n_clusters", "n_components")


@dataclass(frozen=True, repr=False)
class StabilityResult:
    """The outcome of :func:`cluster_stability`.

    Attributes
    ----------
    aris : ndarray of shape (n_resamples * (n_resamples - 1) / 2,)
        The adjusted Rand index of every pair of subsample clusterings, computed
        on the points the two subsamples share (pairs sharing fewer than 2 points,
        possible only for tiny fractions, are left out). 1 = the same partition;
        about 0 = no more agreement than chance.
    indices : list of ndarray
        The rows of ``X`` in each subsample.
    labels : list of ndarray
        The cluster labels that the estimator gave those rows.
    sample_fraction : float
        The share of rows in each subsample.
    """

    aris: np.ndarray
    indices: list
    labels: list
    sample_fraction: float

    @property
    def mean(self) -> float:
        """The mean pairwise ARI: the usual one-number summary of stability."""
        return float(self.aris.mean())

    @keyword_only_after(1)
    def quantiles(self, *, q: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.Series:
        """Quantiles of the pairwise ARIs, indexed by ``q``."""
        return pd.Series(np.quantile(self.aris, q), index=pd.Index(q, name="quantile"), name="ari")

    def to_frame(self) -> pd.DataFrame:
        """Mean, standard deviation, the 5 %, 50 % and 95 % quantiles and the number of pairs
        of the ARIs: one row per statistic, in the column ``ari``."""
        table = self._statistics().to_frame()
        table.index.name = "statistic"
        return table

    def summary(self) -> pd.Series:
        """Deprecated: ``to_frame()["ari"]`` holds the same numbers; kept until biomedkit 0.3."""
        warn_deprecated("StabilityResult.summary()", "StabilityResult.to_frame()")
        return self._statistics()

    def _statistics(self) -> pd.Series:
        q05, q50, q95 = np.quantile(self.aris, (0.05, 0.5, 0.95))
        return pd.Series({"mean": self.mean, "sd": float(self.aris.std()), "q05": q05,
                          "median": q50, "q95": q95, "n_pairs": self.aris.size}, name="ari")

    def __repr__(self) -> str:
        q05, q95 = np.quantile(self.aris, (0.05, 0.95))
        return (f"<StabilityResult: mean ARI {self.mean:.3f} (90 % of pairs in {q05:.3f} to {q95:.3f}) "
                f"over {len(self.labels)} subsamples of {self.sample_fraction:.0%}>")


@keyword_only_after(2)
def cluster_stability(
    X: Any,
    estimator: Any,
    *,
    n_resamples: int = 50,
    sample_fraction: float = 0.8,
    random_state: int | None = None,
    n_jobs: int | None = None,
) -> StabilityResult:
    """Cluster random subsamples and measure how well the clusterings agree.

    Each of ``n_resamples`` subsamples holds ``sample_fraction`` of the rows, drawn
    without replacement. A fresh copy of ``estimator`` (``sklearn.base.clone``)
    clusters each one. Every pair of subsamples is then compared on the rows they
    share, with the adjusted Rand index (Hubert and Arabie 1985), which does not
    care how the clusters are numbered. Stable clusters give ARIs near 1; a
    partition that depends on which rows happened to be drawn gives low ARIs.

    High stability is necessary for believing in clusters, not sufficient: an
    algorithm can cut structureless data the same way every time (for example
    k-means on an elongated cloud), so read it together with the silhouette, a
    look at the data and, above all, outside evidence.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric data without missing values. It is not modified.
    estimator : scikit-learn clusterer
        Anything with ``fit_predict`` (KMeans, AgglomerativeClustering,
        GaussianMixture, a Pipeline ending in one, ...). Any ``random_state``
        parameter left at None is set from ``random_state`` for each subsample,
        so that the result is reproducible.
    n_resamples : int, default=50
        Number of subsamples (at least 2); the number of pairs compared is
        ``n_resamples * (n_resamples - 1) / 2``.
    sample_fraction : float, default=0.8
        Share of the rows in each subsample, in (0, 1]. With 1 every subsample is
        the whole data set and only the algorithm's own randomness remains.
    random_state : int or None
        Seed for the subsamples and the estimators' seeds.
    n_jobs : int or None
        Parallel fits through joblib (None = 1 unless a ``joblib.parallel_config``
        says otherwise; -1 = all cores).

    Returns
    -------
    StabilityResult
        ``.aris`` (every pairwise ARI), ``.mean``, ``.quantiles()``, ``.to_frame()``,
        and the subsamples' ``.indices`` and ``.labels``.

    Raises
    ------
    ValueError
        For X with NaN or infinite values or fewer than 3 rows, a number of
        clusters below 2, ``n_resamples < 2`` or ``sample_fraction`` outside (0, 1].
    TypeError
        When ``estimator`` has no ``fit_predict``.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(size=(200, 10))
    >>> res = bk.clustering.cluster_stability(noise, KMeans(3, n_init=10), random_state=0)
    >>> res.to_frame()                                            # doctest: +SKIP
    """
    X = _check_X(X)
    _check_estimator(estimator)
    n_resamples = check_int(n_resamples, "n_resamples", 2)
    sample_fraction = _check_fraction(sample_fraction)
    n_sub = int(round(sample_fraction * X.shape[0]))
    k = _n_clusters(estimator)
    if n_sub < max(3, (k or 0) + 1):
        raise ValueError(f"sample_fraction={sample_fraction} leaves {n_sub} rows per subsample, too few "
                         f"to form {k or 'the'} clusters; raise sample_fraction or give more rows")

    from joblib import delayed

    rng = check_random_state(random_state)
    indices = [np.sort(rng.choice(X.shape[0], size=n_sub, replace=False)) for _ in range(n_resamples)]
    seeds = rng.integers(0, 2**31 - 1, size=n_resamples)
    # Only the fits go through joblib: they are the heavy part, and any backend can run them.
    labels = parallel_progress((delayed(_fit_predict)(estimator, X[idx], int(seed))
                                for idx, seed in zip(indices, seeds, strict=True)),
                               n_jobs=n_jobs, total=n_resamples, desc="cluster_stability")
    aris = np.array([_shared_ari(indices[i], labels[i], indices[j], labels[j])
                     for i in range(n_resamples) for j in range(i + 1, n_resamples)])
    aris = aris[np.isfinite(aris)]  # pairs sharing fewer than 2 rows cannot be compared
    if aris.size == 0:
        raise ValueError(f"no two subsamples share 2 rows at sample_fraction={sample_fraction}; raise it")
    return StabilityResult(aris=aris, indices=indices, labels=list(labels),
                           sample_fraction=sample_fraction)


def choose_k(
    X: Any,
    estimator: Any,
    ks: Sequence[int],
    *,
    n_resamples: int = 20,
    sample_fraction: float = 0.8,
    random_state: int | None = None,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Silhouette, BIC (for mixtures) and stability for each number of clusters.

    For each k the estimator's ``n_clusters`` (or ``n_components`` for a mixture)
    is set to k. It is fitted once on all of ``X`` for the silhouette (and the BIC
    when it has a ``bic`` method, as ``GaussianMixture`` does), then
    :func:`cluster_stability` measures its stability. Every k sees the same
    subsamples, so the differences between ks are not resampling noise.

    No single column decides k: a high silhouette says the clusters are
    compact and apart, a low BIC that the mixture fits well for its size, a high
    stability that the partition comes back on other samples.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric data without missing values. For a Pipeline, the silhouette and
        BIC are computed in the space its last step sees (after the transforms).
    estimator : scikit-learn clusterer
        With an ``n_clusters`` or ``n_components`` parameter (possibly inside a
        Pipeline) and ``fit_predict``.
    ks : sequence of int
        The numbers of clusters to try, each at least 2 and below the number of rows.
    n_resamples, sample_fraction, random_state, n_jobs
        As in :func:`cluster_stability`.

    Returns
    -------
    pandas.DataFrame
        One row per k: ``k``, ``silhouette``, ``bic`` (mixtures only; lower is
        better), ``stability`` (mean ARI), ``stability_q05`` and ``stability_q95``.

    Examples
    --------
    >>> from sklearn.mixture import GaussianMixture
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(n_samples=300, centers=3, random_state=0)
    >>> bk.clustering.choose_k(X, GaussianMixture(), ks=[2, 3, 4], random_state=0)  # doctest: +SKIP
    """
    from sklearn.base import clone
    from sklearn.metrics import silhouette_score

    X = _check_X(X)
    _check_estimator(estimator)
    param = _k_param(estimator)
    if param is None:
        raise ValueError("estimator has no n_clusters or n_components parameter for choose_k to vary; "
                         "use cluster_stability for a clusterer that finds k itself")
    ks = _check_ks(ks, X.shape[0])
    seed = None if random_state is None else int(random_state)
    rows = []
    # each k is a full fit plus n_resamples more: a bar helps from 2 ks on
    for k in progress(ks, desc="choose_k", min_total=2):
        base = clone(estimator).set_params(**{param: k})
        model = _seeded(clone(base), seed)
        labels = model.fit_predict(X)
        space, final = _final_space(model, X)
        n_labels = np.unique(labels).size
        row = {"k": k, "silhouette": silhouette_score(space, labels) if 1 < n_labels < len(labels) else np.nan}
        if hasattr(final, "bic"):
            row["bic"] = final.bic(space)
        stability = cluster_stability(X, base, n_resamples=n_resamples, sample_fraction=sample_fraction,
                                      random_state=random_state, n_jobs=n_jobs)
        q05, q95 = np.quantile(stability.aris, (0.05, 0.95))
        row.update(stability=stability.mean, stability_q05=q05, stability_q95=q95)
        rows.append(row)
    return pd.DataFrame(rows)


# --- helpers -----------------------------------------------------------------

def _ari(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted Rand index of two labelings of the same points (Hubert and Arabie 1985)."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1)

    def pairs(counts: np.ndarray) -> float:
        return float((counts * (counts - 1) / 2).sum())

    index, rows, cols = pairs(table), pairs(table.sum(1)), pairs(table.sum(0))
    expected = rows * cols / pairs(np.array([a.size]))
    maximum = (rows + cols) / 2
    if maximum == expected:  # both partitions trivial (one cluster, or all singletons)
        return 1.0
    return (index - expected) / (maximum - expected)


def _shared_ari(idx_a: np.ndarray, labels_a: np.ndarray, idx_b: np.ndarray, labels_b: np.ndarray) -> float:
    """ARI of two subsample clusterings on the rows both subsamples contain."""
    _, in_a, in_b = np.intersect1d(idx_a, idx_b, assume_unique=True, return_indices=True)
    if in_a.size < 2:
        return np.nan
    return _ari(np.asarray(labels_a)[in_a], np.asarray(labels_b)[in_b])


def _fit_predict(estimator: Any, X: np.ndarray, seed: int) -> np.ndarray:
    # A module-level function: picklable, so any joblib backend (loky, dask) can run it.
    return np.asarray(_seeded(_clone(estimator), seed).fit_predict(X))


def _clone(estimator: Any) -> Any:
    from sklearn.base import clone

    return clone(estimator)


def _seeded(estimator: Any, seed: int | None) -> Any:
    """Set every random_state left at None (also inside a Pipeline) to ``seed``."""
    if seed is None:
        return estimator
    params = estimator.get_params()
    unset = {name: seed for name, value in params.items()
             if (name == "random_state" or name.endswith("__random_state")) and value is None}
    return estimator.set_params(**unset) if unset else estimator


def _final_space(model: Any, X: np.ndarray) -> tuple[np.ndarray, Any]:
    """The data as the last step of a fitted Pipeline sees them, and that step."""
    steps = getattr(model, "steps", None)
    if steps is None:
        return X, model
    return model[:-1].transform(X), model[-1]


def _k_param(estimator: Any) -> str | None:
    params = estimator.get_params()
    for base in _K_PARAMS:
        for name in params:
            if name == base or name.endswith(f"__{base}"):
                return name
    return None


def _n_clusters(estimator: Any) -> int | None:
    param = _k_param(estimator)
    if param is None:
        return None
    k = estimator.get_params()[param]
    if k is not None and (not isinstance(k, numbers.Integral) or k < 2):
        raise ValueError(f"the estimator's {param} must be an integer >= 2 (one cluster cannot be "
                         f"compared between subsamples); got {k!r}")
    return None if k is None else int(k)


def _check_X(X: Any) -> np.ndarray:
    try:
        array = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("X must be numeric (samples x features); drop or encode the non-numeric "
                         "columns first") from exc
    if array.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (samples x features); got {array.ndim} dimension(s)")
    if not np.isfinite(array).all():
        raise ValueError("X contains NaN or infinite values; impute or drop them before clustering")
    if array.shape[0] < 3:
        raise ValueError(f"X needs at least 3 rows to cluster subsamples; got {array.shape[0]}")
    return array


def _check_estimator(estimator: Any) -> None:
    if not hasattr(estimator, "fit_predict") or not hasattr(estimator, "get_params"):
        raise TypeError(f"estimator must be a scikit-learn clusterer with fit_predict (KMeans(3), "
                        f"GaussianMixture(3), ...); got {type(estimator).__name__}")



def _check_fraction(value: Any) -> float:
    # the share of rows in each subsample
    return check_float(value, "sample_fraction", 0, 1, open_low=True)


def _check_ks(ks: Any, n_rows: int) -> list[int]:
    if isinstance(ks, numbers.Integral):
        raise ValueError(f"ks must be a sequence of numbers of clusters, e.g. range(2, 8); got {ks!r}")
    ks = list(ks)
    bad = [k for k in ks if isinstance(k, bool) or not isinstance(k, numbers.Integral)
           or not 2 <= k < n_rows]
    if not ks or bad:
        raise ValueError(f"ks must hold integers k with 2 <= k < {n_rows} (the number of rows); "
                         f"got {ks!r}")
    return [int(k) for k in ks]
