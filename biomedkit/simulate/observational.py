"""A simulated observational study whose treatment effect is known.

Patients with four measured confounders (age, sex, a disease-severity score and BMI) and
one unmeasured trait receive a treatment more often when they are more severely ill
(confounding by indication); severity also lowers the outcome. The naive comparison of
treated and untreated therefore mixes the treatment's effect with the effect of severity,
and the truth keeps both potential outcomes of every patient to check any estimate against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset, intercept_for_prevalence

CONFOUNDERS = ["age", "female", "severity", "bmi"]
# How each confounder moves the log-odds of treatment (times `confounding`) and the outcome.
PROPENSITY = {"age": 0.03, "female": -0.4, "severity": 1.0, "bmi": 0.05}
OUTCOME = {"age": -0.08, "female": 1.0, "severity": -2.5, "bmi": -0.15}
CENTRES = {"age": 60.0, "female": 0.0, "severity": 0.0, "bmi": 27.0}
TREATED_SHARE = 0.4
NOISE_SD = 3.0


@dataclass(repr=False)
class ObservationalTruth:
    """What generated a simulated observational study.

    Attributes
    ----------
    ate : float
        The average treatment effect in this sample, mean(y1 - y0): what an estimator of the
        average effect aims at.
    att : float
        The average effect among those who were treated.
    effect : float
        The effect asked for: each patient's effect is ``effect + heterogeneity * severity``,
        so ``effect`` is the average effect in the population (severity has mean 0).
    individual_effect, y0, y1 : ndarray
        Each patient's effect and potential outcomes (untreated, treated), without the
        measurement noise that both share.
    propensity : ndarray
        Each patient's true probability of treatment.
    hidden : ndarray
        The unmeasured trait (not in the data); it matters only with ``hidden_confounding``.
    confounders : list of str
        The measured confounders: adjusting for them (with the right models) removes all the
        confounding unless ``hidden_confounding`` is set.
    propensity_model, outcome_model : str
        The true models, written out.
    negative_control : str
        A column measured before treatment, which the treatment cannot affect.
    """

    ate: float
    att: float
    effect: float
    individual_effect: np.ndarray
    y0: np.ndarray
    y1: np.ndarray
    propensity: np.ndarray
    hidden: np.ndarray
    confounders: list[str]
    propensity_model: str
    outcome_model: str
    negative_control: str = "baseline_score"

    def __repr__(self) -> str:
        return (f"<ObservationalTruth: {len(self.y0)} patients, true average effect {self.ate:.3f} "
                f"(among the treated {self.att:.3f}); propensity from "
                f"{self.propensity.min():.3f} to {self.propensity.max():.3f}>\n"
                f"  {self.propensity_model}\n  {self.outcome_model}")


def _formula(coefficients: dict, scale: float) -> str:
    terms = []
    for name, coef in coefficients.items():
        centre = CENTRES[name]
        term = f"({name} - {centre:g})" if centre else name
        terms.append(f"{coef * scale:+.3g} * {term}")
    return " ".join(terms)


def observational_study(n: int = 2000, *, effect: float = 2.0, confounding: float = 1.0,
                        heterogeneity: float = 0.0, hidden_confounding: float = 0.0,
                        random_state: int | np.random.Generator | None = None):
    """Simulate an observational study of a treatment with a known effect on a continuous outcome.

    Each patient has an age (years), a sex (``female``), a disease-severity score (mean 0,
    standard deviation about 1, higher is sicker) and a BMI. The treatment is given with a
    probability that rises with severity, age and BMI and is lower for women (a logistic
    model, its strength set by ``confounding``; the intercept gives 40 % treated). The
    outcome (a symptom score after a year, higher is better) falls with severity, age and
    BMI, and the treatment adds each patient's effect. ``baseline_score`` is the same score
    measured *before* treatment: a negative control, which the treatment cannot change.

    Parameters
    ----------
    n : int, default=2000
        Number of patients.
    effect : float, default=2.0
        The average treatment effect in the population, in outcome points.
    confounding : float, default=1.0
        Multiplies the confounders' effects on the probability of treatment: 0 gives a
        randomised trial, 1 moderate confounding, 3 or more treatment decided almost by
        severity (poor overlap, extreme weights).
    heterogeneity : float, default=0.0
        Each patient's effect is ``effect + heterogeneity * severity``: with a positive value
        the sicker benefit more, and the average effect among the treated exceeds the
        average effect.
    hidden_confounding : float, default=0.0
        Strength of an unmeasured trait that raises the probability of treatment (by this
        much on the log-odds per standard deviation) and lowers both the outcome and the
        baseline score (by twice this many points). With it, no adjustment for the measured
        confounders recovers the effect, and the negative control shows it.
    random_state : int, Generator or None

    Returns
    -------
    data : Dataset
        ``data.frame`` indexed by ``patient_id`` with ``age``, ``female``, ``severity``,
        ``bmi``, ``baseline_score``, ``treated`` (0/1) and ``outcome``; ``data.target`` is
        ``"outcome"``.
    truth : ObservationalTruth
        The true average effect (``truth.ate``), potential outcomes and propensities.

    Examples
    --------
    >>> data, truth = bk.simulate.observational_study(n=2000, effect=2.0, random_state=0)
    >>> round(truth.ate, 1)                                          # doctest: +SKIP
    2.0
    """
    n = check_int(n, "n", 20)
    effect = check_float(effect, "effect", -100, 100)
    confounding = check_float(confounding, "confounding", 0, 10)
    heterogeneity = check_float(heterogeneity, "heterogeneity", -10, 10)
    hidden_confounding = check_float(hidden_confounding, "hidden_confounding", 0, 5)
    rng = check_random_state(random_state)

    # Every draw happens whatever the knobs, in a fixed order, so that two studies with the
    # same seed differ only where a knob acts.
    age = np.clip(rng.normal(60, 10, n), 30, 90).round(0)
    female = (rng.random(n) < 0.5).astype(int)
    severity = (rng.normal(0, 1, n) + 0.02 * (age - 60)).round(2)
    bmi = np.clip(rng.normal(27 + 0.8 * severity, 4, n), 16, 50).round(1)
    hidden = rng.normal(0, 1, n)
    u_treat, noise, noise_baseline = rng.random(n), rng.normal(0, NOISE_SD, n), rng.normal(0, NOISE_SD, n)

    columns = {"age": age, "female": female, "severity": severity, "bmi": bmi}
    linear = {name: columns[name] - CENTRES[name] for name in CONFOUNDERS}
    lp = confounding * sum(PROPENSITY[c] * linear[c] for c in CONFOUNDERS) + hidden_confounding * hidden
    intercept = intercept_for_prevalence(lp, TREATED_SHARE)
    propensity = expit(intercept + lp)
    treated = (u_treat < propensity).astype(int)

    prognosis = 10 + sum(OUTCOME[c] * linear[c] for c in CONFOUNDERS) - 2 * hidden_confounding * hidden
    individual = effect + heterogeneity * severity
    y0, y1 = prognosis, prognosis + individual
    outcome = np.where(treated == 1, y1, y0) + noise
    baseline = prognosis + noise_baseline

    frame = pd.DataFrame({**columns, "baseline_score": baseline.round(2), "treated": treated,
                          "outcome": outcome.round(2)})
    frame.index = pd.RangeIndex(1, n + 1, name="patient_id")
    hidden_term = f" {hidden_confounding:+.3g} * hidden" if hidden_confounding else ""
    truth = ObservationalTruth(
        ate=float(individual.mean()), att=float(individual[treated == 1].mean()), effect=effect,
        individual_effect=individual, y0=y0, y1=y1, propensity=propensity, hidden=hidden,
        confounders=list(CONFOUNDERS),
        propensity_model=(f"logit P(treated) = {intercept:.3f} "
                          f"{_formula(PROPENSITY, confounding)}{hidden_term}"),
        outcome_model=(f"outcome = 10 {_formula(OUTCOME, 1.0)}"
                       f"{f' {-2 * hidden_confounding:+.3g} * hidden' if hidden_confounding else ''}"
                       f" + treated * ({effect:g} {heterogeneity:+g} * severity) + noise (sd {NOISE_SD:g})"))
    return as_dataset(frame, truth, name="observational_study", target="outcome", sites="site"), truth
