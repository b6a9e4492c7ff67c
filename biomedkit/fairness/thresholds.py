"""Per-group thresholds that meet a fairness criterion, and what they cost.

The optimisation follows Hardt, Price and Srebro (2016) as fairlearn's
ThresholdOptimizer implements it: each group's achievable trade-off between the
constrained rate (x) and the objective (y) is the upper convex hull of its
threshold points; mixing two neighbouring thresholds at random reaches any point
on the hull. On a grid of x values the group objectives, weighted by group size,
are summed and the best x is chosen. For equalized odds the groups share one
(FPR, TPR) point below all their ROC hulls; a group above it is mixed with a
random "flag with probability x" rule to come down to it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_random_state
from biomedkit._deprecation import keyword_only_after
from biomedkit.fairness.curves import GroupCurves, rates

CONSTRAINTS = {"demographic_parity": "selection_rate", "equal_opportunity": "tpr",
               "equalized_odds": "fpr"}
OBJECTIVES = ("accuracy", "balanced_accuracy", "net_benefit")


def _objective(c: dict, objective: str, threshold_probability: float | None) -> np.ndarray:
    """The objective per group from confusion counts (net benefit per patient of the group)."""
    r = rates(**c)
    if objective == "accuracy":
        return r["accuracy"]
    if objective == "balanced_accuracy":
        return (r["tpr"] + r["tnr"]) / 2
    odds = threshold_probability / (1 - threshold_probability)
    return (c["tp"] - odds * c["fp"]) / r["n"]


def _upper_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the upper convex hull of points sorted by (x, y) (monotone chain)."""
    keep: list[int] = []
    for i in range(len(x)):
        while len(keep) >= 2:
            a, b = keep[-2], keep[-1]
            if (y[b] - y[a]) * (x[i] - x[a]) <= (y[i] - y[a]) * (x[b] - x[a]):
                keep.pop()
            else:
                break
        keep.append(i)
    return np.array(keep)


def _interpolate(hx: np.ndarray, grid: np.ndarray):
    """For each grid value: the hull segment (index i, i + 1) and the weight of point i."""
    i = np.searchsorted(hx, grid, side="right") - 1
    i[1:] = np.where(grid[1:] == hx[i[1:]], i[1:] - 1, i[1:])
    i = np.clip(i, 0, len(hx) - 2)
    p0 = (hx[i + 1] - grid) / (hx[i + 1] - hx[i])
    return i, p0


@dataclass(repr=False)
class ThresholdPolicy:
    """Per-group (possibly randomised) thresholds chosen by :func:`group_thresholds`.

    For a patient of group g with score s the probability of being flagged is
    ``(1 - p_ignore) * (p0 * [s >= t0] + (1 - p0) * [s >= t1]) + p_ignore * constant``.
    A deterministic policy has p0 = 1 and p_ignore = 0.

    Attributes
    ----------
    rules : DataFrame
        Per group: t0, t1, p0, p_ignore, constant.
    summary : DataFrame
        Per group: the rules' expected rates on the data they were chosen on (also
        :meth:`to_frame`).
    price : DataFrame
        The objective and overall accuracy of this policy against one threshold for
        everybody chosen for the best objective (the cost of the constraint).
    """

    constraint: str | None
    objective: str
    rules: pd.DataFrame
    summary: pd.DataFrame
    price: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Per group: the rules' expected rates on the data they were chosen on (a copy
        of :attr:`summary`)."""
        return self.summary.copy()

    @property
    def randomised(self) -> bool:
        """True when some group's rule mixes two thresholds, or flags some patients at random."""
        r = self.rules
        return bool(((r.p0 % 1 > 0) | (r.p_ignore > 0)).any())

    @property
    def thresholds(self) -> dict:
        """One threshold per group (t0; for a randomised policy the more likely one).

        For a randomised policy these single cut-offs do **not** meet the constraint: only
        the mixture does (:meth:`predict` draws it). Asking for them then warns; for one
        fixed threshold per group, choose the policy with ``randomize=False``.
        """
        if self.randomised:
            warnings.warn("this policy is randomised: it meets its constraint only by mixing two "
                          "thresholds at random (predict() draws that mixture); used as fixed cut-offs, "
                          "these single thresholds break the constraint. For one fixed threshold per "
                          "group, use group_thresholds(..., randomize=False).", UserWarning, stacklevel=2)
        r = self.rules
        return {g: float(r.t0[g] if r.p0[g] >= 0.5 else r.t1[g]) for g in r.index}

    def predict_proba(self, y_score, groups) -> np.ndarray:
        """Probability that each patient is flagged under the policy."""
        s = np.asarray(y_score)
        if s.ndim != 1 or s.dtype.kind not in "iufb":
            raise ValueError(f"y_score must be a one-dimensional array of numbers; got shape {s.shape}, "
                             f"dtype {s.dtype}")
        s = s.astype(float)
        if np.isnan(s).any():
            raise ValueError(f"y_score contains {int(np.isnan(s).sum())} NaN; every patient needs a score "
                             "(a missing score would silently count as not flagged)")
        g = pd.Categorical(np.asarray(groups, dtype=object), categories=self.rules.index)
        if len(g) != s.size:
            raise ValueError(f"groups has {len(g)} values but y_score has {s.size}; they must match")
        if np.asarray(g.isna()).any():
            raise ValueError(f"groups has labels the policy does not know; it knows {list(self.rules.index)}")
        r = self.rules.iloc[g.codes]
        flag = r.p0.to_numpy() * (s >= r.t0.to_numpy()) + (1 - r.p0.to_numpy()) * (s >= r.t1.to_numpy())
        return (1 - r.p_ignore.to_numpy()) * flag + r.p_ignore.to_numpy() * r.constant.to_numpy()

    @keyword_only_after(3)
    def predict(self, y_score, groups, *, random_state=None) -> np.ndarray:
        """Flag patients (0/1), drawing at random where the policy is randomised."""
        rng = check_random_state(random_state)
        p = self.predict_proba(y_score, groups)
        return (rng.random(p.size) < p).astype(int)

    def __repr__(self) -> str:
        kind = "randomised" if self.randomised else "deterministic"
        return (f"<ThresholdPolicy: {self.constraint or 'unconstrained'}, {kind}, objective "
                f"{self.objective}>\n{self.summary.round(3).to_string()}\n\n{self.price.round(4).to_string()}")


def group_thresholds(y_true, y_score, groups, *, constraint: str | None = "equal_opportunity",
                     objective: str = "accuracy", threshold_probability: float | None = None,
                     randomize: bool = True, grid_size: int = 1000, candidates=None,
                     sample_weight=None) -> ThresholdPolicy:
    """Choose per-group thresholds that meet a fairness criterion with the best objective.

    Parameters
    ----------
    y_true, y_score, groups, sample_weight
        As in :func:`group_curves` (or pass a :class:`GroupCurves` as ``y_true``
        and None for ``y_score`` and ``groups``).
    constraint : {"demographic_parity", "equal_opportunity", "equalized_odds"} or None
        The rate to equalise: selection rate, TPR, or TPR and FPR. None lets each
        group have the threshold that is best for the objective on its own.
    objective : {"accuracy", "balanced_accuracy", "net_benefit"}
        What to maximise overall (group objectives weighted by group size).
        ``"net_benefit"`` needs ``threshold_probability``: TP/n - FP/n * pt/(1 - pt).
    threshold_probability : float, optional
        The risk at which treating is worth it, for the net-benefit objective.
    randomize : bool, default=True
        True: the exact optimum, mixing two thresholds at random where needed (the
        same solution as fairlearn's ThresholdOptimizer); flag patients with
        ``policy.predict``, since ``policy.thresholds`` alone does not meet the
        constraint. False: one threshold per group, the candidate closest to that
        optimum's operating point (easier to explain and to deploy as fixed cut-offs;
        the criterion then holds only approximately).
    grid_size : int, default=1000
        Resolution of the grid over the constrained rate, as in fairlearn.
    candidates : array-like, optional
        Thresholds a deterministic policy may use (default: every distinct score).

    Returns
    -------
    ThresholdPolicy

    Examples
    --------
    >>> policy = bk.fairness.group_thresholds(y, risk, groups, constraint="equal_opportunity")
    ...                                                              # doctest: +SKIP
    >>> policy.to_frame(), policy.price                              # doctest: +SKIP
    """
    curves = y_true if isinstance(y_true, GroupCurves) else GroupCurves(
        y_true, y_score, groups, sample_weight=sample_weight)
    if constraint is not None and constraint not in CONSTRAINTS:
        raise ValueError(f"constraint must be one of {list(CONSTRAINTS)} or None; got {constraint!r}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}; got {objective!r}")
    if objective == "net_benefit":
        if threshold_probability is None or not 0 < threshold_probability < 1:
            raise ValueError("objective='net_benefit' needs threshold_probability in (0, 1), "
                             f"the risk at which acting is worth it; got {threshold_probability!r}")
    if not isinstance(grid_size, (int, np.integer)) or grid_size < 10:
        raise ValueError(f"grid_size must be an integer >= 10; got {grid_size!r}")

    points = [_points(curves, i) for i in range(len(curves.groups))]
    share = _weights(curves)
    grid = np.linspace(0, 1, grid_size + 1)
    if constraint is None:
        rules = [_best_own(p, objective, threshold_probability) for p in points]
    elif constraint == "equalized_odds":
        rules = _equalized_odds(points, curves, grid, objective, threshold_probability)
    else:
        rules = _simple(points, share, grid, CONSTRAINTS[constraint], objective, threshold_probability)
    rules = pd.DataFrame(rules, index=curves.groups, columns=["t0", "t1", "p0", "p_ignore", "constant"])
    if not randomize:
        rules = _deterministic(curves, rules, constraint, candidates)
    summary, value = _evaluate(curves, rules, objective, threshold_probability)
    return ThresholdPolicy(constraint, objective, rules, summary,
                           _price(curves, value, summary, objective, threshold_probability))


def _weights(curves: GroupCurves) -> np.ndarray:
    n = curves.positives + curves.negatives
    return n / n.sum()


def _points(curves: GroupCurves, i: int) -> dict:
    """Counts at every threshold of group i, from flag-nobody (+inf) to flag-everybody."""
    c = curves.confusion(curves.groups[i])
    return {"t": c.threshold.to_numpy(), **{k: c[k].to_numpy() for k in ("tp", "fp", "fn", "tn")}}


def _best_own(p: dict, objective: str, pt) -> tuple:
    k = int(np.argmax(_objective({c: p[c] for c in ("tp", "fp", "fn", "tn")}, objective, pt)))
    return (p["t"][k], p["t"][k], 1.0, 0.0, 0.0)


def _hull_curve(p: dict, x_metric: str, objective: str, pt, grid: np.ndarray):
    c = {k: p[k] for k in ("tp", "fp", "fn", "tn")}
    r = rates(**c)
    x = r[x_metric]
    y = r["tpr"] if x_metric == "fpr" else _objective(c, objective, pt)
    order = np.lexsort((y, x))
    hull = order[_upper_hull(x[order], y[order])]
    i, p0 = _interpolate(x[hull], grid)
    y_grid = p0 * y[hull][i] + (1 - p0) * y[hull][i + 1]
    return y_grid, p["t"][hull][i], p["t"][hull][i + 1], p0


def _simple(points, share, grid, x_metric, objective, pt) -> list[tuple]:
    curves = [_hull_curve(p, x_metric, objective, pt, grid) for p in points]
    total = sum(w * c[0] for w, c in zip(share, curves))
    best = int(np.argmax(total))
    return [(t0[best], t1[best], p0[best], 0.0, 0.0) for _, t0, t1, p0 in curves]


def _equalized_odds(points, curves, grid, objective, pt) -> list[tuple]:
    rocs = [_hull_curve(p, "fpr", objective, pt, grid) for p in points]
    y_min = np.min([r[0] for r in rocs], axis=0)
    pos, neg = curves.positives.sum(), curves.negatives.sum()
    overall = {"tp": pos * y_min, "fn": pos * (1 - y_min), "fp": neg * grid, "tn": neg * (1 - grid)}
    best = int(np.argmax(np.around(_objective(overall, objective, pt), 15)))
    x, y = grid[best], y_min[best]
    rules = []
    for y_grid, t0, t1, p0 in rocs:
        gy = y_grid[best]
        # Mix with "flag with probability x" (a point on the diagonal) to come down to y.
        p_ignore = 0.0 if gy == x else (gy - y) / (gy - x)
        rules.append((t0[best], t1[best], p0[best], p_ignore, x))
    return rules


def _deterministic(curves: GroupCurves, rules: pd.DataFrame, constraint, candidates) -> pd.DataFrame:
    """Replace each group's randomised rule by the single candidate threshold closest to
    its operating point (in the constrained rate; in FPR and TPR for equalized odds)."""
    target = _evaluate(curves, rules, "accuracy", None)[0]
    cols = ["fpr", "tpr"] if constraint == "equalized_odds" else [CONSTRAINTS.get(constraint, "selection_rate")]
    given = None if candidates is None else np.unique(np.asarray(candidates, dtype=float))
    chosen = {}
    for i, g in enumerate(curves.groups):
        t = curves.confusion(g).threshold.to_numpy() if given is None else given
        tp, fp = curves.group_counts(i, t)
        r = rates(tp=tp, fp=fp, fn=curves.positives[i] - tp, tn=curves.negatives[i] - fp)
        dist = sum((r[col] - target[col][g]) ** 2 for col in cols)
        chosen[g] = t[int(np.argmin(dist))]
    return pd.DataFrame({"t0": chosen, "t1": chosen, "p0": 1.0, "p_ignore": 0.0, "constant": 0.0},
                        index=rules.index)


def _evaluate(curves: GroupCurves, rules: pd.DataFrame, objective: str, pt):
    """Expected counts and rates of each group under the rules, and the overall objective
    (group objectives weighted by group size, as fairlearn sums them)."""
    tp, fp = np.zeros(len(rules)), np.zeros(len(rules))
    for i, r in enumerate(rules.itertuples()):
        tp0, fp0 = curves.group_counts(i, np.array([r.t0, r.t1]))
        flag_all = r.p_ignore * r.constant
        tp[i] = (1 - r.p_ignore) * (r.p0 * tp0[0] + (1 - r.p0) * tp0[1]) + flag_all * curves.positives[i]
        fp[i] = (1 - r.p_ignore) * (r.p0 * fp0[0] + (1 - r.p0) * fp0[1]) + flag_all * curves.negatives[i]
    c = {"tp": tp, "fp": fp, "fn": curves.positives - tp, "tn": curves.negatives - fp}
    summary = pd.DataFrame(rates(**c), index=rules.index)[
        ["n", "selection_rate", "tpr", "fpr", "ppv", "accuracy"]]
    return summary, float(np.dot(_weights(curves), _objective(c, objective, pt)))


def _price(curves, value, summary, objective, pt) -> pd.DataFrame:
    """This policy against the best single threshold for everybody."""
    pooled = np.unique(np.concatenate([curves.confusion(g).threshold[1:] for g in curves.groups]))
    counts = [curves.group_counts(i, pooled) for i in range(len(curves.groups))]
    obj = sum(w * _objective({"tp": tp, "fp": fp, "fn": curves.positives[i] - tp,
                              "tn": curves.negatives[i] - fp}, objective, pt)
              for i, (w, (tp, fp)) in enumerate(zip(_weights(curves), counts)))
    k = int(np.argmax(obj))
    n = curves.positives.sum() + curves.negatives.sum()
    correct_single = sum(tp[k] + curves.negatives[i] - fp[k] for i, (tp, fp) in enumerate(counts))
    return pd.DataFrame(
        {objective: [value, float(obj[k])],
         "accuracy": [float((summary.accuracy * summary.n).sum() / n), float(correct_single / n)]},
        index=pd.Index(["this policy", f"one threshold ({pooled[k]:.3g})"], name="policy"))
