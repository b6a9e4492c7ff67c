"""Decision curve analysis: net benefit of acting on a model's risks (Vickers and Elkin 2006)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from biomedkit._checks import check_binary, check_n_boot, check_random_state, check_scores, check_thresholds

DEFAULT_THRESHOLDS = np.round(np.arange(0.01, 1.0, 0.01), 2)
TREAT_ALL, TREAT_NONE = "Treat all", "Treat none"


def _positive_rates(y, s, thresholds, weights=None):
    """Weighted shares of (event and s >= t) and (non-event and s >= t), per threshold.

    ``weights`` has shape (r, n) for r bootstrap replicates (counts), or is None.
    Returns arrays of shape (r, len(thresholds)) as rates over all patients, and
    the per-class totals needed for the case-control correction.
    """
    order = np.argsort(-s, kind="mergesort")
    y_d = y[order].astype(float)
    w = np.ones((1, y.size)) if weights is None else weights[:, order]
    k = np.searchsorted(-s[order], -thresholds, side="right")  # patients with s >= t
    tp_cum = np.concatenate([np.zeros((w.shape[0], 1)), np.cumsum(w * y_d, axis=1)], axis=1)
    all_cum = np.concatenate([np.zeros((w.shape[0], 1)), np.cumsum(w, axis=1)], axis=1)
    tp, flagged = tp_cum[:, k], all_cum[:, k]
    n_pos, n_all = tp_cum[:, -1:], all_cum[:, -1:]
    return tp, flagged - tp, n_pos, n_all - n_pos


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


def net_benefit(y_true, scores: Mapping, thresholds=DEFAULT_THRESHOLDS, harm=0.0,
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
    harms = harm if isinstance(harm, Mapping) else {name: harm for name in risks}
    if set(harms) != set(risks) or not all(np.isfinite(float(h)) for h in harms.values()):
        raise ValueError("harm must be a number or a mapping with one number per model in scores")
    if prevalence is not None and not 0 < prevalence < 1:
        raise ValueError(f"prevalence must lie in (0, 1); got {prevalence!r}")
    n_boot = check_n_boot(n_boot)
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level!r}")

    weights = None
    if n_boot:
        rng = check_random_state(random_state)
        weights = _bootstrap_weights(y, n_boot, rng, stratified=prevalence is not None)

    rows = []
    treat_all = None
    for name, s in risks.items():
        tp, fp, n_pos, n_neg = _positive_rates(y, s, t)
        nb, all_nb, tp_rate, fp_rate = _net_benefit(tp, fp, n_pos, n_neg, t, harms[name], prevalence)
        frame = _frame(name, t, y, nb[0], tp_rate[0], fp_rate[0], harms[name], prevalence)
        treat_all = (all_nb[0], _frame(TREAT_ALL, t, y, all_nb[0], None, None, 0.0, prevalence))
        if n_boot:
            btp, bfp, bpos, bneg = _positive_rates(y, s, t, weights)
            bnb = _net_benefit(btp, bfp, bpos, bneg, t, harms[name], prevalence)[0]
            frame["net_benefit_low"], frame["net_benefit_high"] = np.quantile(
                bnb, [0.5 - level / 2, 0.5 + level / 2], axis=0)
        rows.append(frame)
    all_nb, all_frame = treat_all
    if n_boot:
        bpos = weights @ y.astype(float)
        bneg = weights.sum(axis=1) - bpos
        ball = _net_benefit(np.zeros((n_boot, 1)), np.zeros((n_boot, 1)), bpos[:, None],
                            bneg[:, None], t, 0.0, prevalence)[1]
        all_frame["net_benefit_low"], all_frame["net_benefit_high"] = np.quantile(
            ball, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    none_frame = _frame(TREAT_NONE, t, y, np.zeros_like(t), np.zeros_like(t), np.zeros_like(t),
                        0.0, prevalence)
    if n_boot:
        none_frame["net_benefit_low"] = none_frame["net_benefit_high"] = 0.0
    out = pd.concat([*rows, all_frame, none_frame], ignore_index=True)
    odds = out["threshold"] / (1 - out["threshold"])
    all_by_t = pd.Series(all_nb, index=t)
    out["net_interventions_avoided"] = (
        (out["net_benefit"] - out["threshold"].map(all_by_t)) / odds * 100)
    return out


def _bootstrap_weights(y, n_boot, rng, stratified):
    """Resampling counts, shape (n_boot, n): multinomial overall or within each class."""
    n = y.size
    if not stratified:
        return rng.multinomial(n, np.full(n, 1 / n), size=n_boot).astype(float)
    w = np.zeros((n_boot, n))
    for cls in (0, 1):
        idx = np.flatnonzero(y == cls)
        w[:, idx] = rng.multinomial(idx.size, np.full(idx.size, 1 / idx.size), size=n_boot)
    return w


def _frame(name, t, y, nb, tp_rate, fp_rate, harm, prevalence):
    prev = y.mean() if prevalence is None else prevalence
    if tp_rate is None:  # treat all
        tp_rate, fp_rate = np.full_like(t, prev), np.full_like(t, 1 - prev)
    return pd.DataFrame({
        "model": name, "threshold": t, "n": y.size, "prevalence": prev,
        "tp_rate": tp_rate, "fp_rate": fp_rate, "harm": float(harm),
        "net_benefit": nb, "standardized_net_benefit": nb / prev,
    })
