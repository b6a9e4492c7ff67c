"""Group metrics at every threshold: sort once, count per group, query in microseconds.

fairlearn's MetricFrame recomputes every metric from the rows for each threshold
(about a second per threshold on 100,000 rows). Here the rows are sorted once by group
and descending score; the package's engine of sorted counts (``biomedkit._counts``) then
gives each group's confusion counts at every distinct score, and a query is a binary
search per group.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from biomedkit._checks import check_binary, check_level, check_n_bins, check_n_boot, check_random_state, check_scores
from biomedkit._counts import SortedCounts, resample_cells
from biomedkit._deprecation import keyword_only_after
from biomedkit.fairness._groups import check_groups

# Each fairness criterion compares one rate across groups (equalized odds: two).
CRITERIA = {
    "demographic_parity": ("selection_rate",),
    "equal_opportunity": ("tpr",),
    "equalized_odds": ("tpr", "fpr"),
    "predictive_parity": ("ppv",),
}
METRICS = ["n", "base_rate", "selection_rate", "tpr", "fpr", "fnr", "tnr", "ppv", "npv", "accuracy"]


def rates(tp, fp, fn, tn) -> dict[str, np.ndarray]:
    """Every group metric from confusion counts (arrays broadcast; NaN where undefined)."""
    tp, fp, fn, tn = (np.asarray(a, dtype=float) for a in (tp, fp, fn, tn))
    n = tp + fp + fn + tn
    pos, neg, flagged, unflagged = tp + fn, fp + tn, tp + fp, fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "n": n, "base_rate": pos / n, "selection_rate": flagged / n,
            "tpr": tp / pos, "fpr": fp / neg, "fnr": fn / pos, "tnr": tn / neg,
            "ppv": tp / flagged, "npv": tn / unflagged, "accuracy": (tp + tn) / n,
        }


def disparity(values: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Between-group difference (max - min) and ratio (min / max), as fairlearn defines them."""
    hi, lo = np.nanmax(values, axis=axis), np.nanmin(values, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hi - lo, np.where(hi > 0, lo / hi, 1.0)


class GroupCurves:
    """Confusion counts of every group at every distinct threshold, computed once.

    Query it with :meth:`at`, :meth:`disparities`, :meth:`differences`, :meth:`roc`,
    :meth:`auc` and :meth:`calibration`. A patient is flagged when
    ``y_score >= threshold``. :func:`group_curves` is the same constructor as a function.

    Parameters
    ----------
    y_true : array-like of 0/1
        Observed outcomes.
    y_score : array-like of float
        Risk scores.
    groups : array-like, DataFrame or list of arrays
        The sensitive attribute; several columns give intersectional groups
        (see :func:`intersect`).
    sample_weight : array-like, optional
        Non-negative weights; counts and rates are then weighted.
    """

    def __init__(self, y_true, y_score, groups, *, sample_weight=None):
        y = check_binary(y_true)
        s = check_scores(y_score, y.size)
        g = check_groups(groups, y.size)
        w = _check_weights(sample_weight, y.size)
        self.groups = pd.Index(g.categories, name="group")
        codes = np.asarray(g.codes)
        order = np.lexsort((-s, codes))  # by group, then descending score: one sort for all
        s, y, w, codes = s[order], y[order], w[order], codes[order]
        bounds = np.searchsorted(codes, np.arange(len(self.groups) + 1))
        # (score, y, w) of each group, in descending order of score
        self._sorted = [(s[a:b], y[a:b], w[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
        self._counts = [SortedCounts(gy, gs, gw, presorted=True) for gs, gy, gw in self._sorted]
        self.n_rows = np.diff(bounds)  # unweighted rows per group (for the bootstrap)
        self.positives = np.array([c.positives for c in self._counts], dtype=float)
        self.negatives = np.array([c.negatives for c in self._counts], dtype=float)
        self.score_range = (float(s.min()), float(s.max()))
        self._check_groups()

    def _check_groups(self) -> None:
        for g, rows, pos, neg in zip(self.groups, self.n_rows, self.positives, self.negatives):
            if rows < 2:
                raise ValueError(f"group {g!r} has only {rows} member; merge it with another group "
                                 "or drop it: no rate can be estimated from one patient")
            if pos == 0 or neg == 0:
                kind = "events" if pos == 0 else "non-events"
                raise ValueError(f"group {g!r} has no {kind}; its true and false positive rates "
                                 "are undefined. Merge it with another group or drop it.")

    def __repr__(self) -> str:
        sizes = ", ".join(f"{g}: {n}" for g, n in zip(self.groups, self.n_rows))
        return f"<GroupCurves: {len(self.groups)} groups ({sizes})>"

    # -- queries ---------------------------------------------------------------
    def index_of(self, group) -> int:
        """Position of a group label in :attr:`groups` (a label, never a position)."""
        try:
            return int(self.groups.get_loc(group))
        except KeyError:
            raise ValueError(f"unknown group {group!r}; the groups are {list(self.groups)}") from None

    def thresholds_per_group(self, threshold) -> np.ndarray:
        """One threshold per group, in the order of :attr:`groups`, from one number, a
        sequence with one number per group, or a mapping group -> number."""
        if isinstance(threshold, Mapping):
            unknown = set(threshold) - set(self.groups)
            missing = [g for g in self.groups if g not in threshold]
            if unknown or missing:
                raise ValueError(f"threshold mapping must have one entry per group {list(self.groups)}; "
                                 f"unknown: {sorted(map(str, unknown))}, missing: {missing}")
            t = np.array([threshold[g] for g in self.groups], dtype=float)
        else:
            t = np.broadcast_to(np.asarray(threshold, dtype=float), (len(self.groups),))
        if t.ndim != 1 or t.size != len(self.groups) or not np.isfinite(t).all():
            raise ValueError("threshold must be a finite number, one per group in a sequence, or a "
                             f"mapping group -> number; got {threshold!r}")
        return t

    def counts(self, threshold) -> dict[str, np.ndarray]:
        """Weighted confusion counts per group (arrays in the order of ``self.groups``).

        Parameters
        ----------
        threshold : float, sequence or mapping
            One threshold for all groups, one per group in order, or ``{group: threshold}``.
        """
        t = self.thresholds_per_group(threshold)
        tp, fp = np.array([self.group_counts(i, t[i]) for i in range(len(t))], dtype=float).T
        return {"tp": tp, "fp": fp, "fn": self.positives - tp, "tn": self.negatives - fp}

    def group_counts(self, i: int, thresholds):
        """Weighted true and false positives of group number ``i`` at each threshold."""
        return self._counts[i].at(thresholds)

    def confusion(self, group) -> pd.DataFrame:
        """One group's weighted confusion counts at every distinct threshold, from flagging
        nobody (+inf) to flagging everybody: threshold, tp, fp, fn, tn."""
        i = self.index_of(group)
        c = self._counts[i]
        tp, fp = np.r_[0.0, c.tp], np.r_[0.0, c.fp]
        return pd.DataFrame({"threshold": np.r_[np.inf, c.scores], "tp": tp, "fp": fp,
                             "fn": self.positives[i] - tp, "tn": self.negatives[i] - fp})

    def at(self, threshold) -> pd.DataFrame:
        """Every group metric at a threshold (one for all, or a mapping group -> threshold).

        Returns
        -------
        DataFrame
            Indexed by group: threshold, n (weighted), base_rate, selection_rate,
            tpr, fpr, fnr, tnr, ppv, npv, accuracy. PPV is NaN (with a warning) for a
            group where nobody is flagged, NPV where everybody is: a threshold outside
            the range of the scores flags everybody or nobody.
        """
        t = self.thresholds_per_group(threshold)
        r = rates(**self.counts(t))
        for col, who in (("ppv", "nobody"), ("npv", "everybody")):
            if np.isnan(r[col]).any():
                undefined = self.groups[np.isnan(r[col])].tolist()
                warnings.warn(f"{col.upper()} is undefined (NaN) for {undefined}: {who} in "
                              "these groups is flagged at this threshold", stacklevel=2)
        # One 2-d array into one DataFrame: the query stays well under a millisecond.
        values = np.column_stack([t] + [r[m] for m in METRICS])
        return pd.DataFrame(values, index=self.groups, columns=["threshold", *METRICS])

    def disparities(self, threshold, *, n_boot: int = 0, level: float = 0.95,
                    random_state=None) -> pd.DataFrame:
        """Between-group difference (max - min) and ratio (min / max) for each criterion.

        Criteria: demographic parity (selection rate), equal opportunity (TPR),
        equalized odds (the larger of the TPR and FPR differences; the smaller ratio),
        predictive parity (PPV). These follow fairlearn's definitions.

        Parameters
        ----------
        threshold : float, sequence or mapping
            As in :meth:`at`.
        n_boot : int, default=0
            With n_boot > 0, percentile intervals from a bootstrap that resamples
            patients within each group. At a fixed threshold a resample changes only
            the four confusion counts of each group, so each replicate is one
            multinomial draw per group (exact, and fast on a million rows). The
            interval is for the two groups that are furthest apart in the data (the
            pair, and the rate for equalized odds, stay fixed across replicates), so
            that it contains the estimate; a lower limit below 0 (or a ratio above 1)
            means that even which group fares worse is uncertain. (Re-choosing the
            most distant pair in every replicate would bias the interval away from 0.)
        level : float, default=0.95
        random_state : int, Generator or None

        Returns
        -------
        DataFrame
            One row per criterion (index ``criterion``): ``difference`` and ``ratio``,
            and with ``n_boot`` their limits ``difference_low``, ``difference_high``,
            ``ratio_low``, ``ratio_high``; the same layout as :meth:`differences`.
        """
        c = self.counts(threshold)
        table = pd.DataFrame(_disparity_arrays(c), index=pd.Index(list(CRITERIA), name="criterion"))
        n_boot = check_n_boot(n_boot)
        if n_boot:
            level = check_level(level)
            point, boot = rates(**c), rates(**self._bootstrap_counts(c, n_boot, random_state))
            for col in ("difference", "ratio"):
                limits = [_fixed_pair_interval(point, boot, metrics, col, level) for metrics in CRITERIA.values()]
                table[f"{col}_low"], table[f"{col}_high"] = np.array(limits).T
        return table

    def differences(self, threshold, *, reference=None, level: float = 0.95) -> pd.DataFrame:
        """Each group's selection rate, TPR, FPR and PPV minus the reference group's, with
        Wald intervals for a difference of two independent proportions (the bars of the
        fairness explorer).

        Parameters
        ----------
        threshold : float, sequence or mapping
            As in :meth:`at`.
        reference : group label, optional
            The group everyone is compared with (default: the largest group). A label,
            never a position: with groups coded 1, 2, 3, ``reference=1`` is group 1.
        level : float, default=0.95

        Returns
        -------
        DataFrame
            One row per (metric, group) other than the reference: ``difference``,
            ``difference_low`` and ``difference_high``, the layout of :meth:`disparities`;
            ``attrs["reference"]`` names the reference group.
        """
        from scipy.stats import norm

        z = norm.ppf(0.5 + check_level(level) / 2)
        ref = int(np.argmax(self.n_rows)) if reference is None else self.index_of(reference)
        c = self.counts(threshold)
        r = rates(**c)
        denominators = {"selection_rate": r["n"], "tpr": self.positives, "fpr": self.negatives,
                        "ppv": c["tp"] + c["fp"]}
        rows = []
        for metric, n in denominators.items():
            p = r[metric]
            with np.errstate(invalid="ignore", divide="ignore"):
                var = p * (1 - p) / n
            for i, g in enumerate(self.groups):
                if i == ref:
                    continue
                d, se = p[i] - p[ref], np.sqrt(var[i] + var[ref])
                rows.append((metric, g, d, d - z * se, d + z * se))
        out = pd.DataFrame(rows, columns=["metric", "group", "difference", "difference_low", "difference_high"])
        out.attrs["reference"] = self.groups[ref]
        return out.set_index(["metric", "group"])

    def _bootstrap_counts(self, c, n_boot, random_state) -> dict[str, np.ndarray]:
        rng = check_random_state(random_state)
        cells = np.stack([c["tp"], c["fp"], c["fn"], c["tn"]], axis=1)  # groups x 4
        draws = np.stack([resample_cells(p, n, n_boot, rng)
                          for n, p in zip(self.n_rows, cells)], axis=1)  # boot x groups x 4
        return {k: draws[..., i] for i, k in enumerate(("tp", "fp", "fn", "tn"))}

    def roc(self, group) -> pd.DataFrame:
        """One group's ROC curve at every distinct score (as scikit-learn's ``roc_curve``
        with ``drop_intermediate=False``), starting from the point (0, 0) at +inf."""
        threshold, fpr, tpr = self._counts[self.index_of(group)].roc()
        return pd.DataFrame({"threshold": threshold, "fpr": fpr, "tpr": tpr})

    def auc(self) -> pd.Series:
        """Area under each group's ROC curve (ties count one half, as in roc_auc_score)."""
        return pd.Series([float(c.auc()) for c in self._counts], index=self.groups, name="auc")

    @keyword_only_after(1)
    def calibration(self, *, n_bins: int = 10) -> pd.DataFrame:
        """Observed event rate against mean score within each group, in ``n_bins`` bins
        of equal width over the range of the scores (the same bins for every group)."""
        n_bins = check_n_bins(n_bins)
        lo, hi = self.score_range
        if lo < 0 or hi > 1:  # a mean score of 4 against an event rate of 0.3 means nothing
            raise ValueError(f"calibration needs y_score to be probabilities in [0, 1]; got values in "
                             f"[{lo:.3g}, {hi:.3g}]. Pass predicted risks (predict_proba(X)[:, 1])")
        edges = np.linspace(lo, hi, n_bins + 1)
        rows = []
        for g, (s, y, w) in zip(self.groups, self._sorted):
            b = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, n_bins - 1)
            weight = np.bincount(b, w, n_bins)
            with np.errstate(invalid="ignore", divide="ignore"):
                rows.append(pd.DataFrame({
                    "group": g, "bin": np.arange(n_bins), "n": np.bincount(b, minlength=n_bins),
                    "mean_score": np.bincount(b, w * s, n_bins) / weight,
                    "observed": np.bincount(b, w * y, n_bins) / weight}))
        out = pd.concat(rows, ignore_index=True)
        return out[out.n > 0].reset_index(drop=True)


def _check_weights(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have one value per patient ({n}); got shape {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be finite and non-negative")
    return w


def _disparity_arrays(c) -> dict[str, np.ndarray]:
    """Differences and ratios per criterion; counts may carry a leading replicate axis."""
    r = rates(**c)
    diffs, ratios = [], []
    for metrics in CRITERIA.values():
        d, q = zip(*(disparity(r[m]) for m in metrics))
        diffs.append(np.maximum.reduce(d))
        ratios.append(np.minimum.reduce(q))
    return {"difference": np.array(diffs), "ratio": np.array(ratios)}


def _fixed_pair_interval(point, boot, metrics, col: str, level: float) -> tuple[float, float]:
    """Percentile interval of one criterion's difference (or ratio) in the replicates, for
    the rate and the pair of groups that give the estimate, both held fixed."""
    which = 0 if col == "difference" else 1
    m = (max if col == "difference" else min)(metrics, key=lambda k: disparity(point[k])[which])
    valid = np.flatnonzero(np.isfinite(point[m]))
    if valid.size < 2:
        return np.nan, np.nan
    order = valid[np.argsort(point[m][valid], kind="stable")]
    lo, hi = order[0], order[-1]  # two distinct groups, even when tied
    with np.errstate(invalid="ignore", divide="ignore"):
        rep = boot[m][:, hi] - boot[m][:, lo] if col == "difference" else boot[m][:, lo] / boot[m][:, hi]
    alpha = (1 - level) / 2
    return np.nanquantile(rep, alpha), np.nanquantile(rep, 1 - alpha)


@keyword_only_after(3)
def group_curves(y_true, y_score, groups, *, sample_weight=None) -> GroupCurves:
    """Confusion counts of every group at every distinct threshold, computed once.

    Parameters
    ----------
    y_true : array-like of 0/1
        Observed outcomes.
    y_score : array-like of float
        Risk scores (a patient is flagged when ``y_score >= threshold``).
    groups : array-like, DataFrame or list of arrays
        The sensitive attribute; several columns give intersectional groups
        (see :func:`intersect`).
    sample_weight : array-like, optional
        Non-negative weights; counts and rates are then weighted.

    Returns
    -------
    GroupCurves

    Examples
    --------
    >>> curves = bk.fairness.group_curves(y, risk, df["group"])    # doctest: +SKIP
    >>> curves.at(0.2)                                              # doctest: +SKIP
    >>> curves.at({"A": 0.2, "B": 0.15})                            # doctest: +SKIP
    >>> curves.disparities(0.2, n_boot=1000, random_state=0)        # doctest: +SKIP
    """
    return GroupCurves(y_true, y_score, groups, sample_weight=sample_weight)
