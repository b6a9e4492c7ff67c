"""Decision curve analysis: net benefit of acting on a model's risks (Vickers and Elkin 2006)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from biomedkit._checks import check_binary, check_n_boot, check_random_state, check_scores, check_thresholds
from biomedkit._counts import SortedCounts, resample_cells
from biomedkit._deprecation import keyword_only_after

DEFAULT_THRESHOLDS = np.round(np.arange(0.01, 1.0, 0.01), 2)
TREAT_ALL, TREAT_NONE = "Treat all", "Treat none"


def _net_benefit(tp, fp, n_pos, n_neg, thresholds, harm, prevalence):
    odds = thresholds / (1 - thresholds)
    if prevalence is None:  # a cohort: the sample's own prevalence
        n = n_pos + n_neg
        tp_rate, fp_rate = tp / n, fp / n
        prev = n_pos / n
    else:  # case-control: rates within each class, weighted by the true prevalence
        tp_rate, fp_rate = tp / n_pos * prevalence, fp / n_neg * (1 - prevalence)
        prev = np.full_like(n_pos, prevalence, dtype=float)
    model = tp_rate - fp_rate * odds - harm
    treat_all = prev - (1 - prev) * odds
    return model, treat_all, tp_rate, fp_rate


@keyword_only_after(2)
def net_benefit(y_true, scores: Mapping, *, thresholds=DEFAULT_THRESHOLDS, harm=0.0,
                prevalence: float | None = None, n_boot: int = 0, level: float = 0.95,
                random_state=None) -> pd.DataFrame:
    """Net benefit of each model, of treating all and of treating none, at each threshold.

    A patient is treated when their predicted risk is at least the threshold
    probability ``t``. Net benefit counts true positives and charges each false
    positive the odds ``t / (1 - t)`` (the exchange rate a clinician accepts at
    ``t``): ``NB = TP/n - FP/n * t/(1-t) - harm``.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : mapping of str to array-like
        Model name -> predicted risks in [0, 1] for the same patients.
    thresholds : sequence of float in (0, 1), default 0.01 to 0.99 by 0.01
        Each threshold once (a repeated one is refused).
    harm : float or mapping, default=0.0
        The harm of the test or treatment in net-benefit units, subtracted from the
        model's net benefit; a mapping gives one value per model.
    prevalence : float, optional
        The event rate in the target population, for case-control samples whose
        own event rate is set by design. Rates are then computed within cases and
        controls and weighted by it (as R dcurves' ``prevalence``).
    n_boot : int, default=0
        Bootstrap replicates for percentile intervals of the net benefit (resampling
        cases and controls separately when ``prevalence`` is given).
    level : float, default=0.95
    random_state : int, Generator or None

    Returns
    -------
    DataFrame
        One row per strategy and threshold with the columns ``model`` (the names in
        ``scores``, then "Treat all" and "Treat none"), ``threshold``, ``n``,
        ``prevalence``, ``tp_rate``, ``fp_rate``, ``harm``, ``net_benefit``,
        ``standardized_net_benefit`` (net benefit / prevalence) and
        ``net_interventions_avoided`` (per 100 patients, relative to treating all),
        plus ``net_benefit_low`` and ``net_benefit_high`` when ``n_boot > 0``.

    References
    ----------
    Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating
    prediction models. Med Decis Making 26:565-574 (2006).
    Vickers AJ, et al. A simple, step-by-step guide to interpreting decision curve
    analysis. Diagn Progn Res 3:18 (2019).

    Examples
    --------
    >>> nb = bk.validation.net_benefit(y, {"model": risk}, thresholds=[0.1, 0.2])  # doctest: +SKIP
    >>> bk.validation.plot_decision_curve(nb)                                       # doctest: +SKIP
    """
    y, risks, t, harms = _checked(y_true, scores, thresholds, harm, prevalence, level)
    n_boot = check_n_boot(n_boot)
    frames = {}
    for name, s in risks.items():
        counts = SortedCounts(y, s)
        tp, fp = counts.at(t)
        nb, _, tp_rate, fp_rate = _net_benefit(tp, fp, counts.positives, counts.negatives, t,
                                               harms[name], prevalence)
        frames[name] = _frame(name, t, y, nb, tp_rate, fp_rate, harms[name], prevalence)
    n_pos = int(y.sum())
    all_nb = _net_benefit(0.0, 0.0, n_pos, y.size - n_pos, t, 0.0, prevalence)[1]
    frames[TREAT_ALL] = _frame(TREAT_ALL, t, y, all_nb, None, None, 0.0, prevalence)
    none = np.zeros_like(t)
    frames[TREAT_NONE] = _frame(TREAT_NONE, t, y, none, none, none, 0.0, prevalence)
    if n_boot:
        replicates = _bootstrap(y, risks, t, harms, prevalence, n_boot, check_random_state(random_state))
        replicates[TREAT_NONE] = np.zeros((1, t.size))
        for name, reps in replicates.items():
            frames[name]["net_benefit_low"], frames[name]["net_benefit_high"] = np.quantile(
                reps, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    out = pd.concat(frames.values(), ignore_index=True)
    odds = out["threshold"] / (1 - out["threshold"])
    all_by_t = pd.Series(all_nb, index=t)
    out["net_interventions_avoided"] = (
        (out["net_benefit"] - out["threshold"].map(all_by_t)) / odds * 100)
    return out


def _checked(y_true, scores, thresholds, harm, prevalence, level):
    """The outcomes, the risks of each model, the thresholds and each model's harm, checked."""
    y = check_binary(y_true)
    if not isinstance(scores, Mapping) or not scores:
        raise TypeError("scores must be a non-empty mapping of model name -> predicted risks, "
                        "e.g. {'model': model.predict_proba(X)[:, 1]}")
    reserved = {TREAT_ALL, TREAT_NONE} & set(scores)
    if reserved:
        raise ValueError(f"scores may not use the reserved names {sorted(reserved)}")
    risks = {str(name): check_scores(s, y.size, f"scores[{name!r}]", probability=True)
             for name, s in scores.items()}
    t = check_thresholds(thresholds)
    values, counts = np.unique(t, return_counts=True)
    repeated = values[counts > 1]
    if repeated.size:
        raise ValueError(f"thresholds repeats {[float(v) for v in repeated[:5]]}; give each threshold once "
                         "(np.unique(thresholds)): the table has one row per strategy and threshold")
    harms = harm if isinstance(harm, Mapping) else {name: harm for name in risks}
    if set(harms) != set(risks) or not all(np.isfinite(float(h)) for h in harms.values()):
        raise ValueError("harm must be a number or a mapping with one number per model in scores")
    if prevalence is not None and not 0 < prevalence < 1:
        raise ValueError(f"prevalence must lie in (0, 1); got {prevalence!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level!r}")
    return y, risks, t, harms


def _cells(y, s, t):
    """Patients alike at every threshold: the same outcome and the same band between
    consecutive thresholds. Returns the first patient of each cell and the cells' sizes."""
    band = np.searchsorted(np.sort(t), s, side="right")
    cell = y.astype(np.int64) * (t.size + 1) + band
    _, first, sizes = np.unique(cell, return_index=True, return_counts=True)
    return first, sizes


def _resample(y_cell, sizes, n_boot, rng, stratified) -> np.ndarray:
    """Resampling counts of the cells, (n_boot, cells); case-control data resample cases
    and controls separately."""
    draws = np.empty((n_boot, sizes.size))
    strata = [y_cell == 1, y_cell == 0] if stratified else [np.ones(sizes.size, bool)]
    for cells in strata:
        draws[:, cells] = resample_cells(sizes[cells], int(sizes[cells].sum()), n_boot, rng)
    return draws


def _bootstrap(y, risks, t, harms, prevalence, n_boot, rng) -> dict:
    """Net benefit of each model and of treating all in each replicate, (n_boot, len(t)).

    Patients of one cell (:func:`_cells`) are interchangeable in a resample, so a
    replicate draws its resampling counts per cell, in one multinomial draw: the same
    distribution as resampling patients, at a cost independent of their number. The
    counts are weights on the cells, sorted once. Each strategy is resampled on its own
    cells (the intervals are per strategy).
    """
    stratified = prevalence is not None
    out = {}
    for name, s in risks.items():
        first, sizes = _cells(y, s, t)
        counts = SortedCounts(y[first], s[first], _resample(y[first], sizes, n_boot, rng, stratified))
        tp, fp = counts.at(t)
        out[name] = _net_benefit(tp, fp, counts.positives[:, None], counts.negatives[:, None], t,
                                 harms[name], prevalence)[0]
    n_pos = _resample(np.array([0, 1]), np.bincount(y, minlength=2), n_boot, rng, stratified)[:, 1:]
    out[TREAT_ALL] = _net_benefit(0.0, 0.0, n_pos, y.size - n_pos, t, 0.0, prevalence)[1]
    return out


def _frame(name, t, y, nb, tp_rate, fp_rate, harm, prevalence):
    prev = y.mean() if prevalence is None else prevalence
    if tp_rate is None:  # treat all
        tp_rate, fp_rate = np.full_like(t, prev), np.full_like(t, 1 - prev)
    return pd.DataFrame({
        "model": name, "threshold": t, "n": y.size, "prevalence": prev,
        "tp_rate": tp_rate, "fp_rate": fp_rate, "harm": float(harm),
        "net_benefit": nb, "standardized_net_benefit": nb / prev,
    })
