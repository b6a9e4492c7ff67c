"""Confusion counts at every threshold, and the AUC, from one sort (shared internals).

Every count of flagged events and non-events in the package comes from here: the
threshold metrics, net benefit and its bootstrap, the fairness curves, the AUC with its
DeLong variance and its bootstrap, and the audit's AUC of a feature. A change to how ties
or weights count is made once, here.

Conventions: a row is flagged at threshold ``t`` when its score is at least ``t``; in the
AUC a tie between an event and a non-event counts one half (as scikit-learn's
``roc_auc_score`` and pROC). Weights may carry a leading axis of bootstrap replicates,
shape ``(r, n)``: the rows are sorted once and every replicate reuses that sort.

This module imports only numpy, so that any subpackage can use it.
"""

from __future__ import annotations

import copy

import numpy as np


class SortedCounts:
    """Weighted events and non-events flagged at every threshold, from one descending sort.

    Cumulative sums over the sorted rows answer "how many events and non-events score at
    least t" with one binary search; the view per distinct score (:attr:`scores`,
    :attr:`tp`, :attr:`pos`, ...), which ROC curves and AUCs need, is built when first
    asked for.

    Parameters
    ----------
    y : array of 0/1, shape (n,)
    s : array of float, shape (n,)
    weights : array of shape (n,) or (r, n), optional
        Row weights: sample weights, or resampling counts with one row per bootstrap
        replicate. None counts each row once, in integers.
    presorted : bool, default=False
        True when the rows are in descending order of score already (the sort is skipped).

    Attributes
    ----------
    scores : ndarray, shape (k,)
        The distinct scores, in descending order.
    tp, fp : ndarray, shape (..., k)
        Weighted events and non-events whose score is at least ``scores[j]`` (flagged there).
    pos, neg : ndarray, shape (..., k)
        Weighted events and non-events whose score equals ``scores[j]``.
    positives, negatives : ndarray, shape (...)
        Weighted events and non-events in all.
    order : ndarray, shape (n,)
        The rows in descending order of score (ties in their original order).
    """

    def __init__(self, y, s, weights=None, *, presorted: bool = False):
        s = np.asarray(s, dtype=float)
        self._order = None if presorted else np.argsort(-s, kind="mergesort")
        self._s = s if presorted else s[self._order]  # the rows' scores, descending
        y = np.asarray(y) if presorted else np.asarray(y)[self._order]
        self._y = y.astype(np.int8, copy=False)  # 0/1, booleans too
        self._last = None  # last row of each run of tied scores, when first needed
        self._count(weights, in_order=presorted)

    @property
    def order(self) -> np.ndarray:
        return np.arange(self._y.size) if self._order is None else self._order

    def reweighted(self, weights, *, in_order: bool = False) -> SortedCounts:
        """The same sort with other row weights (for bootstrap replicates: shape (r, n));
        ``in_order=True`` says the weights are laid out in :attr:`order` already."""
        out = copy.copy(self)
        out._count(weights, in_order)
        return out

    def resampled(self, event_counts, nonevent_counts) -> SortedCounts:
        """The same sort with bootstrap resampling counts given per class: arrays of shape
        (r, events) and (r, non-events), each class's rows in the order of :attr:`order`.

        A replicate's counts are summed per distinct score within each class, without
        a weight for every row: the cheap way to bootstrap an AUC.
        """
        k = self._per_score()[0].size
        level = np.cumsum(self._last) - self._last  # of each sorted row
        out = copy.copy(self)
        out._cum_tp = out._cum_fp = None  # only the view per distinct score is known
        flagged = []
        for counts, rows in ((event_counts, self._y == 1), (nonevent_counts, self._y == 0)):
            row_level = level[rows]
            first = np.flatnonzero(np.r_[True, row_level[1:] != row_level[:-1]])  # of each score
            per_score = np.add.reduceat(np.asarray(counts), first, axis=-1)  # integer counts stay so
            cumulative = np.zeros(per_score.shape[:-1] + (first.size + 1,))
            np.cumsum(per_score, axis=-1, out=cumulative[..., 1:])
            # at each distinct score, from "flag nobody": the class's scores reached so far
            reached = np.searchsorted(row_level[first], np.arange(-1, k), side="right")
            flagged.append(np.take(cumulative, reached, axis=-1))
        out._levels = (self._levels[0], *flagged)
        return out

    def _count(self, weights, in_order: bool = False) -> None:
        """Cumulative events (and, weighted, non-events) over the sorted rows, after a
        leading 0 ("flag nobody"). Unweighted, non-events are rows less events."""
        self._levels = None
        if weights is None:  # integers, so that unweighted counts print as counts
            self._cum_tp = np.zeros(self._y.size + 1, dtype=np.int64)
            np.cumsum(self._y, out=self._cum_tp[1:])
            self._cum_fp = None
            return
        w = np.asarray(weights, dtype=float)
        w = w if in_order or self._order is None else w[..., self._order]
        self._cum_tp, self._cum_fp = np.zeros((2, *w.shape[:-1], self._y.size + 1))
        np.cumsum(w * self._y, axis=-1, out=self._cum_tp[..., 1:])
        np.cumsum(w * (1 - self._y), axis=-1, out=self._cum_fp[..., 1:])

    def _flagged(self, rows) -> tuple[np.ndarray, np.ndarray]:
        """(tp, fp) when the first ``rows`` sorted rows are flagged."""
        if self._cum_fp is None:
            tp = self._cum_tp[rows]
            return tp, rows - tp
        return np.take(self._cum_tp, rows, axis=-1), np.take(self._cum_fp, rows, axis=-1)

    def at(self, thresholds) -> tuple[np.ndarray, np.ndarray]:
        """Weighted events and non-events with a score >= each threshold: two arrays of
        shape (..., len(thresholds)). A binary search per threshold."""
        if self._cum_tp is None:  # resampled: counts per distinct score only
            scores, tp0, fp0 = self._levels
            k = scores.size - np.searchsorted(scores[::-1], thresholds, side="left")
            return np.take(tp0, k, axis=-1), np.take(fp0, k, axis=-1)
        # rows scoring >= t (a binary search on a reversed view: no copy of the scores)
        return self._flagged(self._s.size - np.searchsorted(self._s[::-1], thresholds, side="left"))

    @property
    def positives(self) -> np.ndarray:
        return self._per_score()[1][..., -1] if self._cum_tp is None else self._cum_tp[..., -1]

    @property
    def negatives(self) -> np.ndarray:
        return self._per_score()[2][..., -1] if self._cum_tp is None else self._flagged(self._s.size)[1]

    # -- the view per distinct score ---------------------------------------------------
    def _per_score(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct scores, and (tp, fp) at each with a leading 0 (built once)."""
        if self._last is None:
            self._last = np.r_[self._s[1:] != self._s[:-1], True]
        if self._levels is None:
            ends = np.r_[0, np.flatnonzero(self._last) + 1]  # rows flagged at each score
            self._levels = (self._s[self._last], *self._flagged(ends))
        return self._levels

    @property
    def scores(self) -> np.ndarray:
        return self._per_score()[0]

    @property
    def tp(self) -> np.ndarray:
        return self._per_score()[1][..., 1:]

    @property
    def fp(self) -> np.ndarray:
        return self._per_score()[2][..., 1:]

    @property
    def pos(self) -> np.ndarray:
        return np.diff(self._per_score()[1], axis=-1)

    @property
    def neg(self) -> np.ndarray:
        return np.diff(self._per_score()[2], axis=-1)

    def row_levels(self) -> np.ndarray:
        """Index into ``scores`` of each row, in the rows' original order."""
        self._per_score()
        level = np.empty(self._y.size, dtype=np.int64)
        level[self.order] = np.cumsum(self._last) - self._last  # runs of ties ended before the row
        return level

    def roc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Thresholds, false and true positive rates at every distinct score, from the point
        (0, 0) at +inf (as ``roc_curve(..., drop_intermediate=False)``)."""
        scores, tp0, fp0 = self._per_score()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.r_[np.inf, scores], fp0 / fp0[..., -1:], tp0 / tp0[..., -1:]

    def auc(self) -> np.ndarray:
        """Area under the ROC curve (one per replicate with 2-d weights)."""
        _, tp0, fp0 = self._per_score()
        return auc_from_flagged(tp0, fp0)

    def placements(self) -> tuple[np.ndarray, np.ndarray]:
        """DeLong's placement values at each distinct score (see :func:`placements`)."""
        v10, v01 = placements(self.pos[..., ::-1], self.neg[..., ::-1])
        return v10[..., ::-1], v01[..., ::-1]


def placements(pos, neg) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's placement values for a score whose distinct values, in increasing order,
    index the last axis of the counts ``pos`` (events) and ``neg`` (non-events).

    Returns, at each value, the share of non-events that an event there outranks, and the
    share of events that outrank a non-event there (ties count one half). A row's
    placement depends only on its value, which is why counts suffice.
    """
    pos, neg = np.asarray(pos, dtype=float), np.asarray(neg, dtype=float)
    n_pos, n_neg = pos.sum(axis=-1, keepdims=True), neg.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _outranked(neg) / n_neg, (n_pos - _outranked(pos)) / n_pos


def _outranked(counts: np.ndarray) -> np.ndarray:
    """Rows of lower value at each value, ties counted one half (values increasing)."""
    return np.cumsum(counts, axis=-1) - counts / 2


def auc_from_flagged(tp, fp) -> np.ndarray:
    """The AUC from the events ``tp`` and non-events ``fp`` flagged at each distinct score,
    in decreasing order of score and starting from 0 (flag nobody), on the last axis;
    leading axes are separate problems (replicates, sites, classes). NaN without both
    classes.

    The trapezoid under the ROC curve through these points: each non-event counts the
    events above it, and half of those tied with it (the Mann-Whitney statistic).
    """
    tp, fp = np.asarray(tp, dtype=float), np.asarray(fp, dtype=float)
    pairs = tp[..., -1] * fp[..., -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.einsum("...i,...i->...", np.diff(fp, axis=-1), tp[..., 1:] + tp[..., :-1]) / (2 * pairs)


def auc_from_counts(pos, neg) -> np.ndarray:
    """The AUC (:func:`auc_from_flagged`) for a score whose distinct values, in increasing
    order, index the last axis of the counts ``pos`` (events) and ``neg`` (non-events)."""
    return auc_from_flagged(*(_flagged_from_top(c) for c in (pos, neg)))


def _flagged_from_top(counts) -> np.ndarray:
    """Counts per value (increasing) -> rows at or above each value, from the top, after a 0."""
    counts = np.asarray(counts, dtype=float)[..., ::-1]
    out = np.zeros(counts.shape[:-1] + (counts.shape[-1] + 1,))
    np.cumsum(counts, axis=-1, out=out[..., 1:])
    return out


def delong_from_counts(pos, neg) -> tuple[np.ndarray, np.ndarray]:
    """The AUC and its DeLong standard error from counts (as :func:`auc_from_counts`).

    The variances of the placement values are count-weighted sums over the distinct
    values. With a single row in a class (or none) that class's variance has no degrees
    of freedom: the standard error is NaN, silently, as in :func:`delong` (callers say
    why, see :func:`single_row_class`).
    """
    pos, neg = np.asarray(pos, dtype=float), np.asarray(neg, dtype=float)
    v10, v01 = placements(pos, neg)
    n_pos, n_neg = pos.sum(axis=-1), neg.sum(axis=-1)
    auc = auc_from_counts(pos, neg)
    with np.errstate(invalid="ignore", divide="ignore"):
        ss10 = np.einsum("...i,...i->...", pos, (v10 - auc[..., None]) ** 2)
        ss01 = np.einsum("...i,...i->...", neg, (v01 - auc[..., None]) ** 2)
        # a variance of one row is undefined, not 0: 0 would understate the error
        var10 = np.where(n_pos > 1, ss10 / (n_pos - 1), np.nan)
        var01 = np.where(n_neg > 1, ss01 / (n_neg - 1), np.nan)
        return auc, np.sqrt(np.maximum(var10 / n_pos + var01 / n_neg, 0.0))


def delong(y, scores) -> tuple[np.ndarray, np.ndarray]:
    """AUCs of several scores of the same rows, and their DeLong covariance matrix.

    Parameters
    ----------
    y : array of 0/1, shape (n,), with both classes
    scores : array, shape (k, n)

    Returns
    -------
    aucs : ndarray, shape (k,)
    cov : ndarray, shape (k, k)

    Notes
    -----
    One sort per score (the fast algorithm of Sun and Xu 2014 needs three): each row's
    placement value is looked up from the counts at its score, and the covariance is
    that of the structural components (DeLong, DeLong and Clarke-Pearson 1988).
    With a single event or a single non-event the variance of that class's
    components has no degrees of freedom: the covariance is NaN (silently; the public
    functions say why, see :func:`single_row_class`).
    """
    y = np.asarray(y)
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    cases = y == 1
    m, n = int(cases.sum()), int((~cases).sum())
    aucs = np.empty(len(scores))
    v10, v01 = np.empty((len(scores), m)), np.empty((len(scores), n))
    for i, s in enumerate(scores):
        counts = SortedCounts(y, s)
        p10, p01 = counts.placements()
        level = counts.row_levels()
        v10[i], v01[i] = p10[level[cases]], p01[level[~cases]]
        aucs[i] = counts.auc()
    if min(m, n) < 2:  # np.cov would divide by zero degrees of freedom, with warnings
        return aucs, np.full((len(scores), len(scores)), np.nan)
    cov = np.atleast_2d(np.cov(v10)) / m + np.atleast_2d(np.cov(v01)) / n
    return aucs, cov


def single_row_class(y) -> str:
    """Why DeLong's variance cannot be computed for outcomes ``y``, or "" when it can.

    DeLong's variance adds the sample variances of the events' and of the non-events'
    placement values; a class with a single row has no sample variance (zero degrees of
    freedom), so the standard error, and any interval or test built on it, is undefined.
    """
    y = np.asarray(y)
    m = int((y == 1).sum())
    n = y.size - m
    if min(m, n) != 1:
        return ""
    which = "event" if m == 1 else "non-event"
    return (f"only one {which}: DeLong's variance needs at least two events and two non-events "
            "(the spread of their placement values), so the standard error and the interval are NaN")


def resample_cells(cells, n_rows: int, n_boot: int, rng) -> np.ndarray:
    """Bootstrap replicates of the counts in cells, shape (n_boot, len(cells)).

    Rows in one cell are interchangeable for whatever is computed from the counts, so
    resampling ``n_rows`` rows with replacement and counting them per cell is one
    multinomial draw over the cells (exact, and independent of the number of rows).
    Weighted cells are drawn in proportion to their weight and scaled back to it.
    """
    cells = np.asarray(cells, dtype=float)
    total = cells.sum()
    return rng.multinomial(n_rows, cells / total, size=n_boot) * (total / n_rows)
