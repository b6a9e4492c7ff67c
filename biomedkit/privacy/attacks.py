"""Membership inference: does a model give away who was in its training data?

The loss-threshold attack (Yeom et al. 2018) needs nothing but the model's output: a model
that has memorised its training rows has a smaller loss on them than on rows it never saw,
so an attacker who guesses "member" when the loss is small does better than a coin. How much
better is the attack's AUC over members (training rows) and non-members (rows from the same
population that the model did not see): 0.5 means the outputs give membership away no better
than chance, 1 means perfectly.

References
----------
Yeom S, Giacomelli I, Fredrikson M, Jha S. Privacy risk in machine learning: analyzing the
connection to overfitting. IEEE CSF 2018: 268-282.
Shokri R, Stronati M, Song C, Shmatikov V. Membership inference attacks against machine
learning models. IEEE S&P 2017: 3-18.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from biomedkit._checks import check_level, check_scores

if TYPE_CHECKING:  # pragma: no cover
    from biomedkit.validation import AUCResult

# Probabilities are kept this far from 0 and 1 so that a confident mistake has a large but
# finite loss (the value scikit-learn's log_loss uses for float64).
_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True, repr=False)
class MembershipInferenceResult:
    """The loss-threshold attack on one model (from :func:`membership_inference`).

    Attributes
    ----------
    auc : AUCResult
        The attack's AUC (members against non-members) with its DeLong interval.
    advantage : float
        The largest true-positive rate minus false-positive rate over all loss thresholds
        (Yeom's membership advantage). The threshold is chosen on the same rows, so this
        is optimistic for the attacker; the AUC is the summary to report.
    is_member : numpy.ndarray of 0/1
        Members first, then non-members.
    score : numpy.ndarray of float
        The attack's score for each row in the same order: minus the row's loss.
    """

    auc: AUCResult
    advantage: float
    is_member: np.ndarray
    score: np.ndarray

    @property
    def loss_members(self) -> np.ndarray:
        return -self.score[self.is_member == 1]

    @property
    def loss_nonmembers(self) -> np.ndarray:
        return -self.score[self.is_member == 0]

    def to_frame(self) -> pd.DataFrame:
        """One row: the attack AUC with its interval, the advantage and the mean losses."""
        a = self.auc
        return pd.DataFrame([{
            "attack_auc": a.auc, "low": a.low, "high": a.high, "advantage": self.advantage,
            "members": a.n_pos, "non_members": a.n_neg,
            "mean_loss_members": float(self.loss_members.mean()),
            "mean_loss_non_members": float(self.loss_nonmembers.mean()),
        }])

    def __str__(self) -> str:
        a = self.auc
        return (f"membership inference (loss threshold): attack AUC {a.auc:.3f} "
                f"({a.level:.0%} CI {a.low:.3f} to {a.high:.3f}), advantage {self.advantage:.3f}; "
                f"{a.n_pos:,} members, {a.n_neg:,} non-members")

    __repr__ = __str__


def _losses(y, proba, y_name: str, p_name: str) -> np.ndarray:
    """Per-row cross-entropy of probabilities ``proba`` for 0/1 outcomes ``y``."""
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{y_name} must be a non-empty one-dimensional array of 0/1 outcomes; "
                         f"got shape {y.shape}")
    if y.dtype == bool:
        y = y.astype(np.int8)
    if y.dtype.kind not in "iuf":
        raise TypeError(f"{y_name} must hold 0/1 outcomes; got dtype {y.dtype}")
    if not np.isin(y, (0, 1)).all():  # NaN fails this too
        raise ValueError(f"{y_name} must hold only 0 and 1; got values {np.unique(y)[:5].tolist()}")
    if np.ndim(proba) == 1 and np.size(proba) != y.size:
        raise ValueError(f"{p_name} has {np.size(proba)} values but {y_name} has {y.size}; "
                         "pass one probability per row")
    p = check_scores(proba, y.size, p_name, probability=True)
    p = np.clip(p, _EPS, 1 - _EPS)
    return -np.where(y == 1, np.log(p), np.log1p(-p))


def membership_inference(y_members, proba_members, y_nonmembers, proba_nonmembers, *,
                         level: float = 0.95) -> MembershipInferenceResult:
    """The loss-threshold membership inference attack, scored by its AUC.

    Parameters
    ----------
    y_members, proba_members : array-like
        Outcomes (0/1) of the model's training rows and the model's predicted probability
        of the event for them (``model.predict_proba(X_train)[:, 1]``).
    y_nonmembers, proba_nonmembers : array-like
        The same for rows from the same population that the model never saw (a test set).
    level : float, default=0.95
        Level of the DeLong interval of the attack's AUC.

    Returns
    -------
    MembershipInferenceResult
        ``auc`` (an :class:`~biomedkit.validation.AUCResult`), ``advantage``, the rows'
        ``is_member`` and ``score`` (minus the loss: higher means "member"), and
        ``to_frame()``. Two models attacked on the same rows can be compared with
        ``bk.validation.delong_test(a.is_member, a.score, b.score)``.

    Notes
    -----
    The attacker here knows each row's outcome and the model's output, as anyone would who
    holds a patient's record and can query the model. An AUC near 0.5 says this attack
    fails, not that every attack does; stronger attacks (shadow models, per-row
    calibration as in LiRA) can succeed where this one does not.

    Examples
    --------
    >>> import biomedkit as bk
    >>> result = bk.privacy.membership_inference([1, 0, 1, 0], [0.99, 0.01, 0.9, 0.2],
    ...                                          [1, 0, 1, 0], [0.6, 0.4, 0.7, 0.5])
    >>> round(result.auc.auc, 3)
    1.0
    """
    from biomedkit.validation import auc_ci

    level = check_level(level)
    loss_in = _losses(y_members, proba_members, "y_members", "proba_members")
    loss_out = _losses(y_nonmembers, proba_nonmembers, "y_nonmembers", "proba_nonmembers")
    is_member = np.r_[np.ones(loss_in.size, np.int8), np.zeros(loss_out.size, np.int8)]
    score = -np.r_[loss_in, loss_out]
    auc = auc_ci(is_member, score, level=level)
    return MembershipInferenceResult(auc, _advantage(is_member, score), is_member, score)


def _advantage(is_member: np.ndarray, score: np.ndarray) -> float:
    """max over thresholds of TPR - FPR ("member" when score >= threshold)."""
    order = np.argsort(-score, kind="stable")
    s, m = score[order], is_member[order]
    last = np.r_[s[1:] != s[:-1], True]  # a threshold sits after the last row of each tied run
    tpr = np.cumsum(m)[last] / m.sum()
    fpr = np.cumsum(1 - m)[last] / (m.size - m.sum())
    return float(max(0.0, (tpr - fpr).max()))
