"""A deployed risk model's patients over calendar time, with covariate, prior and concept drift."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset, intercept_for_prevalence

FEATURES = ["age", "female", "comorbidities", "creatinine", "heart_rate", "resp_rate", "sbp", "lactate"]
KINDS = ("covariate", "prior", "concept")
# The outcome model before any drift: (term, coefficient, formula). Concept drift scales the
# lactate term only (a new protocol treats high lactate early, so it predicts less).
TERMS = (
    ("age", 0.035, "(age - 65)"),
    ("female", -0.15, "female"),
    ("comorbidities", 0.22, "comorbidities"),
    ("log_creatinine", 0.7, "log(creatinine / 85)"),
    ("heart_rate", 0.015, "(heart_rate - 90)"),
    ("resp_rate", 0.09, "(resp_rate - 18)"),
    ("sbp_below_110", 0.03, "max(110 - sbp, 0)"),
    ("lactate_above_2", 1.2, "max(lactate - 2, 0)"),
)
_INTERCEPT_SAMPLE = 20_000  # pre-drift patients on which the intercept is solved (fixed seed)
_WHAT = {
    "covariate": "case mix: older, frailer patients with more comorbidities and higher creatinine "
                 "(the mean of a latent frailty rises by {size:g} sd); the outcome model is unchanged",
    "prior": "the odds of the event rise by a factor {odds:.3g} while patients with and without the "
             "event look as before (label shift: P(x | event) is unchanged)",
    "concept": "a new protocol treats high lactate early: the lactate term of the outcome model "
               "shrinks by {share:.0%}; the patients look as before",
}


@dataclass(repr=False)
class DriftTruth:
    """What generated a drifting cohort.

    Attributes
    ----------
    risk : ndarray
        Each patient's true probability of the event, in the month of admission.
    baseline_risk : ndarray
        The risk that the outcome model *before any drift* gives the same patient: what a
        perfect model built before deployment would predict. Equal to ``risk`` under
        covariate drift alone (the model is still right for the new case mix).
    schedule : DataFrame
        Indexed by month: the strength (0 to 1) of each kind of drift. Each drift starts
        at its onset and grows linearly over ``ramp`` months to full strength.
    drifts : DataFrame
        One row per kind (covariate, prior, concept): ``size`` (0 means none), ``onset``
        (first month affected), ``full`` (first month at full strength) and ``what``.
    terms : DataFrame
        The outcome model before drift: ``term``, ``coefficient``, ``formula``.
    intercept : float
        Solved so that the mean true risk before drift equals ``prevalence``.
    deploy_month : int
        The first month of deployment: months before it are the development data.
    label_delay : int
        Months until an outcome is known: the label of a patient admitted in month ``m``
        arrives in month ``m + label_delay`` (the ``label_month`` column).
    features : list of str
        The columns a model may use (``month`` and ``label_month`` are bookkeeping).
    """

    risk: np.ndarray
    baseline_risk: np.ndarray
    schedule: pd.DataFrame
    drifts: pd.DataFrame
    terms: pd.DataFrame
    intercept: float
    deploy_month: int
    label_delay: int
    features: list

    @property
    def onsets(self) -> dict:
        """``{kind: onset month}`` for each drift that happens (size not 0)."""
        active = self.drifts[self.drifts["size"] != 0]
        return {kind: int(month) for kind, month in active["onset"].items()}

    def __repr__(self) -> str:
        happening = ", ".join(f"{k} from month {m}" for k, m in self.onsets.items()) or "none"
        return (f"<DriftTruth: {len(self.risk)} patients over {len(self.schedule)} months, deployed "
                f"from month {self.deploy_month}, labels {self.label_delay} months late; "
                f"drift: {happening}>")


def drifting_cohort(
    n_per_month: int = 400,
    *,
    n_months: int = 36,
    deploy_month: int | None = None,
    label_delay: int = 3,
    prevalence: float = 0.12,
    covariate_shift: float = 0.0,
    covariate_onset: int | None = None,
    prior_shift: float = 0.0,
    prior_onset: int | None = None,
    concept_shift: float = 0.0,
    concept_onset: int | None = None,
    ramp: int = 6,
    random_state: int | np.random.Generator | None = None,
):
    """Simulate monthly admissions to a hospital that deploys a risk model, with drift.

    Each month ``n_per_month`` emergency admissions are recorded with eight features (age,
    sex, comorbidities, creatinine, heart rate, respiratory rate, systolic blood pressure,
    lactate) and a binary ``event`` (deterioration within 30 days), drawn from a logistic
    outcome model (``truth.terms``). Three kinds of drift can start at chosen months:

    - **covariate** drift: the case mix changes (older, frailer patients), the outcome model
      does not (``P(x)`` moves, ``P(y | x)`` stays);
    - **prior** drift: the event becomes more (or less) common while patients with and
      without the event look as before (label shift: ``P(y)`` moves, ``P(x | y)`` stays, so
      ``P(x)`` moves a little and every patient's odds change by the same factor);
    - **concept** drift: a new protocol weakens the link between lactate and the outcome
      (``P(y | x)`` moves, ``P(x)`` stays): invisible in the inputs.

    Parameters
    ----------
    n_per_month : int, default=400
        Admissions per month.
    n_months : int, default=36
        Number of months (``month`` runs from 0 to ``n_months - 1``).
    deploy_month : int, optional
        The month the model goes live; months before it are the development data.
        Default: a third of the way, ``n_months // 3`` (12 for 36 months).
    label_delay : int, default=3
        Months until an outcome is known (``label_month = month + label_delay``).
    prevalence : float, default=0.12
        Mean true risk before any drift; the intercept is solved for it.
    covariate_shift : float, default=0.0
        Rise of the mean of a latent frailty, in standard deviations, at full strength
        (1 adds about 9 years of age and a third more comorbidities). In [-3, 3].
    prior_shift : float, default=0.0
        Log odds ratio of the event at full strength (``log(2)``: the odds double). In [-3, 3].
    concept_shift : float, default=0.0
        Share of the lactate term that the new protocol removes at full strength, in [-2, 1]
        (1: lactate no longer predicts the outcome; negative values strengthen it).
    covariate_onset, prior_onset, concept_onset : int, optional
        First month affected by each drift (ignored when its size is 0). Default: half-way,
        ``n_months // 2`` (18 for 36 months).
    ramp : int, default=6
        Months from onset to full strength (1: a step change).
    random_state : int, Generator or None
        Seed for reproducibility.

    Returns
    -------
    data : Dataset
        ``data.frame`` indexed by ``patient_id`` with ``month``, the features, ``event`` and
        ``label_month``; ``data.target == "event"``.
    truth : DriftTruth
        True and pre-drift risks, the drift schedule and what each drift does.

    Examples
    --------
    >>> data, truth = bk.simulate.drifting_cohort(covariate_shift=1.0, concept_shift=0.75,
    ...                                           concept_onset=24, random_state=0)
    >>> truth.onsets                                     # doctest: +SKIP
    {'covariate': 18, 'concept': 24}
    """
    n_per_month = check_int(n_per_month, "n_per_month", 20)
    n_months = check_int(n_months, "n_months", 2)
    deploy_month = check_int(n_months // 3 if deploy_month is None else deploy_month, "deploy_month", 1)
    if deploy_month >= n_months:
        raise ValueError(f"deploy_month must be below n_months ({n_months}) so that some months "
                         f"are deployed; got {deploy_month}")
    label_delay = check_int(label_delay, "label_delay", 0)
    prevalence = check_float(prevalence, "prevalence", 0, 1, open_low=True, open_high=True)
    sizes = {"covariate": check_float(covariate_shift, "covariate_shift", -3, 3),
             "prior": check_float(prior_shift, "prior_shift", -3, 3),
             "concept": check_float(concept_shift, "concept_shift", -2, 1)}
    onsets = {kind: check_int(n_months // 2 if value is None else value, f"{kind}_onset", 0) for kind, value in
              (("covariate", covariate_onset), ("prior", prior_onset), ("concept", concept_onset))}
    for kind, onset in onsets.items():
        if sizes[kind] and onset >= n_months:
            raise ValueError(f"{kind}_onset must be below n_months ({n_months}) for the drift to "
                             f"happen; got {onset}")
    ramp = check_int(ramp, "ramp", 1)
    rng = check_random_state(random_state)

    terms = pd.DataFrame(TERMS, columns=["term", "coefficient", "formula"])
    reference = _draw_patients(_INTERCEPT_SAMPLE, 0.0, np.random.default_rng(20_230_417))
    intercept = intercept_for_prevalence(_linear_predictor(reference, terms), prevalence)
    schedule = _schedule(n_months, onsets, sizes, ramp)
    frames, risks, baselines = [], [], []
    for month in range(n_months):
        frame, risk, baseline = _draw_month(month, n_per_month, schedule.loc[month], sizes, terms,
                                            intercept, rng)
        frames.append(frame)
        risks.append(risk)
        baselines.append(baseline)
    frame = pd.concat(frames, ignore_index=True)
    frame["label_month"] = frame["month"] + label_delay
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="patient_id")

    drifts = pd.DataFrame({
        "size": [sizes[k] for k in KINDS],
        "onset": [onsets[k] for k in KINDS],
        "full": [onsets[k] + ramp - 1 for k in KINDS],
        "what": [_WHAT[k].format(size=sizes[k], odds=np.exp(sizes[k]), share=sizes[k]) if sizes[k]
                 else "none" for k in KINDS]}, index=pd.Index(KINDS, name="kind"))
    truth = DriftTruth(risk=np.concatenate(risks), baseline_risk=np.concatenate(baselines),
                       schedule=schedule, drifts=drifts, terms=terms, intercept=intercept,
                       deploy_month=deploy_month, label_delay=label_delay, features=list(FEATURES))
    return as_dataset(frame, truth, name="drifting_cohort", target="event", sites="site"), truth


def _schedule(n_months: int, onsets: dict, sizes: dict, ramp: int) -> pd.DataFrame:
    """Strength of each drift per month: 0 before onset, then a linear ramp to 1."""
    months = np.arange(n_months)
    table = {kind: np.clip((months - onsets[kind] + 1) / ramp, 0, 1) if sizes[kind] else np.zeros(n_months)
             for kind in KINDS}
    return pd.DataFrame(table, index=pd.Index(months, name="month"))


def _draw_patients(n: int, frailty_mean: float, rng: np.random.Generator) -> pd.DataFrame:
    """The features, driven by two latent traits: frailty (age, comorbidities, kidneys) and
    acuity (vital signs, lactate); rounded as a record would hold them."""
    frailty = rng.normal(frailty_mean, 1.0, n)
    acuity = rng.normal(0.0, 1.0, n)
    e = rng.normal(0.0, 1.0, (6, n))
    female = rng.random(n) < 0.48
    return pd.DataFrame({
        "age": np.clip(64 + 9 * frailty + 9 * e[0], 18, 100).round(0),
        "female": female.astype(int),
        "comorbidities": rng.poisson(np.exp(0.3 + 0.3 * frailty)),
        "creatinine": (85 * np.exp(0.12 * frailty + 0.25 * e[1] - 0.1 * female)).round(0),
        "heart_rate": np.clip(88 + 9 * acuity + 11 * e[2], 35, 190).round(0),
        "resp_rate": np.clip(18 + 2.2 * acuity + 2.5 * e[3], 8, 45).round(0),
        "sbp": np.clip(128 - 9 * acuity + 18 * e[4], 60, 230).round(0),
        "lactate": np.exp(0.35 + 0.35 * acuity + 0.35 * e[5]).round(1),
    })


def _term_values(frame: pd.DataFrame) -> dict:
    return {
        "age": frame["age"].to_numpy(float) - 65,
        "female": frame["female"].to_numpy(float),
        "comorbidities": frame["comorbidities"].to_numpy(float),
        "log_creatinine": np.log(frame["creatinine"].to_numpy(float) / 85),
        "heart_rate": frame["heart_rate"].to_numpy(float) - 90,
        "resp_rate": frame["resp_rate"].to_numpy(float) - 18,
        "sbp_below_110": np.maximum(110 - frame["sbp"].to_numpy(float), 0),
        "lactate_above_2": np.maximum(frame["lactate"].to_numpy(float) - 2, 0),
    }


def _linear_predictor(frame: pd.DataFrame, terms: pd.DataFrame, lactate_scale: float = 1.0) -> np.ndarray:
    values = _term_values(frame)
    scale = {"lactate_above_2": lactate_scale}
    return sum(c * scale.get(t, 1.0) * values[t] for t, c in zip(terms.term, terms.coefficient))


def _draw_month(month, n, strength, sizes, terms, intercept, rng):
    """One month of admissions: its patients, true risks and pre-drift risks.

    Prior drift is label shift, drawn by thinning: candidates are drawn from the month's
    population and kept with a probability that depends on their outcome only (events kept
    with q1, non-events with q0, q1 / q0 = the odds ratio), so P(x | event) is unchanged and
    each kept patient's odds are exactly the candidates' odds times q1 / q0.
    """
    log_or = sizes["prior"] * strength["prior"]
    q1, q0 = min(1.0, np.exp(log_or)), min(1.0, np.exp(-log_or))
    kept, kept_risk, kept_base = [], [], []
    while sum(len(k) for k in kept) < n:
        m = int(np.ceil(1.2 * n / min(q0, q1)))
        cand = _draw_patients(m, sizes["covariate"] * strength["covariate"], rng)
        base_logit = intercept + _linear_predictor(cand, terms)
        logit = intercept + _linear_predictor(cand, terms, 1 - sizes["concept"] * strength["concept"])
        event = rng.random(m) < expit(logit)
        keep = rng.random(m) < np.where(event, q1, q0)
        cand["event"] = event.astype(int)
        kept.append(cand[keep])
        kept_risk.append(expit(logit[keep] + log_or))
        kept_base.append(expit(base_logit[keep]))
    frame = pd.concat(kept, ignore_index=True).iloc[:n]
    frame.insert(0, "month", month)
    return frame, np.concatenate(kept_risk)[:n], np.concatenate(kept_base)[:n]
