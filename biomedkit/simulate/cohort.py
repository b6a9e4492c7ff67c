"""A simulated cardiovascular-style cohort whose true risk is known."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset, intercept_for_prevalence

# The outcome model, term by term: (name, kind, coefficient, formula).
# "kind" says which knob scales it: linear terms always count, "nonlinear" terms
# are multiplied by `nonlinear`, "interaction" terms by `interactions`.
TERMS = (
    ("age", "linear", 0.05, "(age - 60)"),
    ("age_over_65", "nonlinear", 0.06, "max(age - 65, 0)"),
    ("female", "linear", -0.45, "female"),
    ("smoker", "linear", 0.65, "smoker"),
    ("sbp", "linear", 0.018, "(sbp - 130)"),
    ("total_chol", "linear", 0.25, "(total_chol - 5.2)"),
    ("hdl", "linear", -0.8, "(hdl - 1.3)"),
    ("diabetes", "linear", 0.55, "diabetes"),
    ("bmi_u_shape", "nonlinear", 0.012, "(bmi - 25)^2"),
    ("log_crp", "nonlinear", 0.35, "log(crp)"),
    ("egfr_below_60", "nonlinear", 0.045, "max(60 - egfr, 0)"),
    ("smoker_x_age", "interaction", -0.035, "smoker * (age - 60)"),
    ("diabetes_x_sbp", "interaction", 0.025, "diabetes * (sbp - 130)"),
)
CLINICAL = ["age", "female", "group", "smoker", "sbp", "total_chol", "hdl", "bmi",
            "diabetes", "egfr", "crp"]


def _term_values(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Evaluate each term's formula on the columns of ``frame``."""
    age, sbp, smoker, diabetes = (frame[c].to_numpy(float) for c in ("age", "sbp", "smoker", "diabetes"))
    return {
        "age": age - 60,
        "age_over_65": np.maximum(age - 65, 0),
        "female": frame["female"].to_numpy(float),
        "smoker": smoker,
        "sbp": sbp - 130,
        "total_chol": frame["total_chol"].to_numpy(float) - 5.2,
        "hdl": frame["hdl"].to_numpy(float) - 1.3,
        "diabetes": diabetes,
        "bmi_u_shape": (frame["bmi"].to_numpy(float) - 25) ** 2,
        "log_crp": np.log(frame["crp"].to_numpy(float)),
        "egfr_below_60": np.maximum(60 - frame["egfr"].to_numpy(float), 0),
        "smoker_x_age": smoker * (age - 60),
        "diabetes_x_sbp": diabetes * (sbp - 130),
    }


def _linear_predictor(frame: pd.DataFrame, terms: pd.DataFrame) -> np.ndarray:
    """The outcome model without its intercept, evaluated on the columns of ``frame``."""
    values = _term_values(frame)
    return sum(coef * values[name] for name, coef in zip(terms.term, terms.coefficient))


@dataclass(repr=False)
class CohortTruth:
    """What generated a simulated cohort.

    Attributes
    ----------
    risk : ndarray
        Each patient's true probability of the event (the best any model can do).
    logit : ndarray
        ``log(risk / (1 - risk))``.
    intercept : float
        The intercept chosen so that the mean true risk equals ``prevalence``.
    terms : DataFrame
        One row per term of the outcome model: name, kind (linear, nonlinear,
        interaction), the coefficient used (after the knobs) and its formula.
    informative : list of str
        Columns that enter the outcome model.
    noise : list of str
        The ``lab_*`` columns, with no effect on the outcome. (``group`` has no
        direct effect either: it acts only through blood pressure, BMI and diabetes.)
    site_effects : DataFrame
        Per site: the shift in mean age and systolic blood pressure, the share of
        smokers and the share of group B (case mix only; the outcome model is the
        same at every site).
    bias : dict
        The biases asked for (selection, measurement, label), each with its
        settings and a sentence that says what it does; empty without them.
    true_event : ndarray
        The event as it happened, before any label bias (equal to the ``event``
        column without ``label_bias``).
    leak : dict or None
        The shortcut marker, if asked for (``leaky_site``): ``{"column":
        "sample_tube", "site": ..., "strength": marker_leak}``. The marker is not in
        the outcome model; at that site it copies the recorded event, elsewhere it is
        noise, so a model that relies on it fails at the other sites.
    """

    risk: np.ndarray
    logit: np.ndarray
    intercept: float
    terms: pd.DataFrame
    informative: list[str]
    noise: list[str]
    site_effects: pd.DataFrame
    leak: dict | None = None
    bias: dict = field(default_factory=dict)
    true_event: np.ndarray | None = None

    def predict_risk(self, frame: pd.DataFrame) -> np.ndarray:
        """The true risk of new patients given their clinical columns."""
        missing = [c for c in CLINICAL if c not in frame.columns]
        if missing:
            raise ValueError(f"frame lacks the columns {missing} that the outcome model uses")
        return expit(self.intercept + _linear_predictor(frame, self.terms))

    def oracle_auc(self, y: np.ndarray) -> float:
        """AUC of the true risk against observed outcomes ``y`` (a model's ceiling)."""
        from scipy.stats import rankdata

        y = np.asarray(y)
        n_pos = int(y.sum())
        n_neg = y.size - n_pos
        ranks = rankdata(self.risk)
        return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))

    @property
    def formula(self) -> str:
        parts = [f"{c:+.3g} * {f}" for c, f in zip(self.terms.coefficient, self.terms.formula) if c]
        return f"logit(risk) = {self.intercept:.3f} " + " ".join(parts)

    def __repr__(self) -> str:
        return (f"<CohortTruth: {len(self.risk)} patients, mean true risk {self.risk.mean():.3f}, "
                f"{len(self.informative)} informative and {len(self.noise)} noise columns>\n"
                f"  {self.formula}")


def cohort(
    n: int = 2000,
    *,
    prevalence: float = 0.15,
    nonlinear: float = 1.0,
    interactions: float = 1.0,
    n_noise: int = 0,
    n_sites: int = 1,
    site_shift: float = 1.0,
    group_share: float = 0.3,
    intercept: float | None = None,
    leaky_site: str | None = None,
    marker_leak: float = 0.9,
    selection_bias: float = 0.0,
    measurement_bias: float | None = None,
    label_bias: float = 0.0,
    random_state: int | np.random.Generator | None = None,
):
    """Simulate a clinical cohort with a known, partly non-linear true risk.

    Risk factors: age, sex, a sensitive attribute ``group`` (A or B), smoking,
    systolic blood pressure, total and HDL cholesterol, BMI, diabetes, eGFR and CRP,
    with realistic correlations (blood pressure rises with age and BMI, diabetes
    with BMI). The binary ``event`` is drawn from a logistic model with linear
    terms, non-linear terms (a U-shaped BMI effect, a steeper risk after 65, log CRP,
    kidney function below 60) and interactions (smoking x age, diabetes x blood
    pressure), listed in ``truth.terms``.

    Parameters
    ----------
    n : int, default=2000
        Number of patients.
    prevalence : float, default=0.15
        The mean true risk, in (0, 1); the intercept is solved for it.
    nonlinear : float, default=1.0
        Multiplies the non-linear terms; 0 makes the risk linear in the logit.
    interactions : float, default=1.0
        Multiplies the interaction terms; 0 removes them.
    n_noise : int, default=0
        Number of extra laboratory columns (``lab_001``, ...) with no effect on
        the outcome, for high-dimensional examples.
    n_sites : int, default=1
        Number of sites (hospitals). With more than one, a ``site`` column is added
        and each site gets its own case mix (see ``site_shift``).
    site_shift : float, default=1.0
        How much the case mix differs between sites (0: identical sites).
    group_share : float, default=0.3
        Share of patients in group B. Group B has higher blood pressure, BMI and
        diabetes prevalence; the outcome model is the same for both groups.
    intercept : float, optional
        Use this intercept instead of solving for ``prevalence`` (which is then
        ignored). Pass ``truth.intercept`` of another cohort to draw a second cohort
        from the same outcome model, for example one whose case mix has drifted.
    leaky_site : str, optional
        Name of one site (``"site_1"``, ...; needs ``n_sites >= 2``) where a
        ``sample_tube`` column (0/1) leaks the label: there, with probability
        ``marker_leak`` it equals the recorded ``event``, otherwise it is a coin
        flip with P(1) = 0.3; at every other site it is that coin flip only. A
        shortcut for the interpretability lesson (see ``truth.leak``); the other
        columns and the events are the same as without it.
    marker_leak : float, default=0.9
        How strongly the marker copies the event at ``leaky_site``, in [0, 1].
    selection_bias : float, default=0.0
        In [0, 1): the share of group B patients *without* the event who never
        enter the data (as when a group reaches hospital only when very ill). The
        returned cohort is then smaller than ``n``, group B's event rate is
        inflated, and ``truth.bias["selection"]`` keeps the population's rates.
    measurement_bias : float, optional
        Adds ``spo2_true`` (oxygen saturation, %, a marker that tracks the true
        risk; not a cause in the outcome model) and ``spo2``, its reading by a
        pulse-oximeter-like sensor that reads ``measurement_bias`` points too high
        in group B, so that sick group B patients look healthier than they are.
        Pass 0 for the sensor without the bias. Only ``spo2`` is meant as a feature.
    label_bias : float, default=0.0
        In [0, 1): the share of group B events that are not recorded in ``event``
        (as when cost of care stands in for need, and group B receives less care).
        ``truth.true_event`` keeps the events as they happened.
    random_state : int, Generator or None
        Seed for reproducibility.

    Returns
    -------
    data : Dataset
        ``data.frame`` indexed by ``patient_id``; ``data.target == "event"``.
    truth : CohortTruth
        The true risks, the outcome model and the site effects.

    Examples
    --------
    >>> data, truth = bk.simulate.cohort(n=1000, n_sites=3, random_state=0)
    >>> data.frame["event"].mean()                                  # doctest: +SKIP
    >>> truth.terms                                                 # doctest: +SKIP
    """
    n = check_int(n, "n", 10)
    prevalence = check_float(prevalence, "prevalence", 0, 1, open_low=True, open_high=True)
    nonlinear = check_float(nonlinear, "nonlinear", 0, 10)
    interactions = check_float(interactions, "interactions", 0, 10)
    n_noise = check_int(n_noise, "n_noise", 0)
    n_sites = check_int(n_sites, "n_sites", 1)
    site_shift = check_float(site_shift, "site_shift", 0, 10)
    group_share = check_float(group_share, "group_share", 0, 1)
    if intercept is not None:
        intercept = check_float(intercept, "intercept", -50, 50)
    marker_leak = check_float(marker_leak, "marker_leak", 0, 1)
    selection_bias = check_float(selection_bias, "selection_bias", 0, 1, open_high=True)
    label_bias = check_float(label_bias, "label_bias", 0, 1, open_high=True)
    if measurement_bias is not None:
        measurement_bias = check_float(measurement_bias, "measurement_bias", -20, 20)
    if leaky_site is not None and (n_sites < 2 or leaky_site not in [f"site_{i + 1}" for i in range(n_sites)]):
        raise ValueError(f"leaky_site must name one of the sites site_1 ... site_{n_sites} "
                         f"(and n_sites must be >= 2); got {leaky_site!r}")
    rng = check_random_state(random_state)

    # Every draw comes from one generator, in a fixed order (case mix, patients, noise labs,
    # event, marker, biases): each step below draws only after the ones before it, so that
    # a knob that adds a column leaves every earlier column as it was.
    site, site_effects = _draw_case_mix(n, n_sites, site_shift, group_share, rng)
    frame = _draw_patients(site, site_effects, rng)
    frame, noise = _add_noise_labs(frame, n_noise, rng)
    if n_sites > 1:
        frame["site"] = pd.Categorical(site_effects.site.to_numpy()[site], categories=site_effects.site)
    terms = _outcome_terms(nonlinear, interactions)
    intercept, logit, risk, event = _draw_outcome(frame, terms, prevalence, intercept, rng)
    frame["event"] = event
    leak = None if leaky_site is None else _add_leak(frame, leaky_site, marker_leak, rng)
    frame.index = pd.RangeIndex(1, n + 1, name="patient_id")
    frame, risk, logit, bias, true_event = _add_bias(
        frame, risk, logit, rng, selection_bias, measurement_bias, label_bias)

    informative = [c for c in CLINICAL if c != "group"]
    truth = CohortTruth(risk=risk, logit=logit, intercept=intercept, terms=terms,
                        informative=informative, noise=noise,
                        site_effects=site_effects, leak=leak, bias=bias, true_event=true_event)
    return as_dataset(frame, truth, name="cohort", target="event", sites="site"), truth


def _draw_case_mix(n: int, n_sites: int, site_shift: float, group_share: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, pd.DataFrame]:
    """Each patient's site, and each site's case mix (shifts in age and blood pressure,
    shares of smokers and of group B); drawn first, so that the patients depend on it."""
    site = rng.integers(0, n_sites, size=n) if n_sites > 1 else np.zeros(n, dtype=int)
    spread = site_shift if n_sites > 1 else 0.0
    site_effects = pd.DataFrame({
        "site": [f"site_{i + 1}" for i in range(n_sites)],
        "age_shift": rng.normal(0, 5 * spread, n_sites),
        "sbp_shift": rng.normal(0, 6 * spread, n_sites),
        "smoker_share": np.clip(0.22 + rng.normal(0, 0.06 * spread, n_sites), 0.02, 0.9),
        "group_b_share": np.clip(group_share + rng.normal(0, 0.1 * spread, n_sites), 0, 1),
    })
    return site, site_effects


def _draw_patients(site: np.ndarray, site_effects: pd.DataFrame,
                   rng: np.random.Generator) -> pd.DataFrame:
    """The clinical columns (``CLINICAL``), correlated as in a real cohort and rounded as a
    record would hold them."""
    n = site.size
    age = np.clip(rng.normal(60, 10, n) + site_effects.age_shift.to_numpy()[site], 30, 90)
    female = rng.random(n) < 0.5
    group_b = rng.random(n) < site_effects.group_b_share.to_numpy()[site]
    smoker = rng.random(n) < site_effects.smoker_share.to_numpy()[site]
    bmi = np.clip(rng.normal(27 + 1.5 * group_b, 4.5, n), 16, 55)
    sbp = np.clip(rng.normal(130 + 0.5 * (age - 60) + 0.8 * (bmi - 27) + 6 * group_b, 15, n)
                  + site_effects.sbp_shift.to_numpy()[site], 80, 230)
    total_chol = np.clip(rng.normal(5.2, 1.0, n), 2.0, 11.0)
    hdl = np.clip(rng.normal(1.25 + 0.25 * female, 0.35, n), 0.4, 3.0)
    diabetes = rng.random(n) < expit(-2.3 + 0.15 * (bmi - 27) + 0.03 * (age - 60) + 0.6 * group_b)
    egfr = np.clip(rng.normal(88 - 0.9 * (age - 60), 15, n), 8, 130)
    crp = np.exp(rng.normal(0.3 + 0.06 * (bmi - 27), 1.0, n))
    return pd.DataFrame({
        "age": age.round(1), "female": female.astype(int),
        "group": pd.Categorical(np.where(group_b, "B", "A"), categories=["A", "B"]),
        "smoker": smoker.astype(int), "sbp": sbp.round(0), "total_chol": total_chol.round(2),
        "hdl": hdl.round(2), "bmi": bmi.round(1), "diabetes": diabetes.astype(int),
        "egfr": egfr.round(0), "crp": np.maximum(crp.round(2), 0.01),  # log(crp) stays finite
    })


def _add_noise_labs(frame: pd.DataFrame, n_noise: int,
                    rng: np.random.Generator) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with ``n_noise`` standard normal ``lab_*`` columns after it, and their names."""
    noise = [f"lab_{i + 1:03d}" for i in range(n_noise)]
    if noise:
        labs = pd.DataFrame(rng.normal(0, 1, (len(frame), n_noise)), columns=noise)
        frame = pd.concat([frame, labs], axis=1)
    return frame, noise


def _outcome_terms(nonlinear: float, interactions: float) -> pd.DataFrame:
    """The terms of the outcome model (``TERMS``), their coefficients scaled by the knobs."""
    scale = {"linear": 1.0, "nonlinear": nonlinear, "interaction": interactions}
    return pd.DataFrame(
        [(name, kind, coef * scale[kind], formula) for name, kind, coef, formula in TERMS],
        columns=["term", "kind", "coefficient", "formula"],
    )


def _draw_outcome(frame: pd.DataFrame, terms: pd.DataFrame, prevalence: float,
                  intercept: float | None, rng: np.random.Generator):
    """The intercept (solved for ``prevalence`` unless given), each patient's true logit and
    risk, and the event drawn from that risk."""
    # Evaluate the model on the rounded values that the learner sees.
    lp = _linear_predictor(frame, terms)
    if intercept is None:
        intercept = intercept_for_prevalence(lp, prevalence)
    logit = intercept + lp
    risk = expit(logit)
    event = (rng.random(len(frame)) < risk).astype(int)
    return intercept, logit, risk, event


def _add_leak(frame: pd.DataFrame, leaky_site: str, marker_leak: float,
              rng: np.random.Generator) -> dict:
    """Insert the ``sample_tube`` marker before ``event`` in ``frame``; return ``truth.leak``.

    Drawn after the event, so every other column stays as without it."""
    n = len(frame)
    copies = (frame["site"] == leaky_site).to_numpy() & (rng.random(n) < marker_leak)
    tube = np.where(copies, frame["event"], rng.random(n) < 0.3).astype(int)
    frame.insert(frame.columns.get_loc("event"), "sample_tube", tube)
    return {"column": "sample_tube", "site": leaky_site, "strength": marker_leak}


def _add_bias(frame, risk, logit, rng, selection, measurement, label):
    """Measurement, label and selection bias in group B (see ``cohort``).

    Drawn last: without them every column is as before."""
    bias = {}
    group_b = (frame["group"] == "B").to_numpy()
    true_event = frame["event"].to_numpy().copy()
    if measurement is not None:
        # A severity marker: lower saturation with higher true risk, plus noise.
        z = (logit - logit.mean()) / logit.std()
        spo2_true = np.clip(95.5 - 1.6 * z + rng.normal(0, 1.2, len(z)), 70, 100)
        reading = np.clip(spo2_true + measurement * group_b + rng.normal(0, 0.8, len(z)), 70, 100)
        at = frame.columns.get_loc("event")
        frame.insert(at, "spo2", reading.round(0))
        frame.insert(at, "spo2_true", spo2_true.round(1))
        bias["measurement"] = {"column": "spo2", "true_column": "spo2_true", "offset_group_b": measurement,
                               "what": f"the sensor reads {measurement:g} points high in group B"}
    if label:
        missed = group_b & (true_event == 1) & (rng.random(len(frame)) < label)
        frame["event"] = np.where(missed, 0, true_event)
        bias["label"] = {"share_missed_group_b": label, "n_missed": int(missed.sum()),
                         "what": f"{label:.0%} of group B events are not recorded"}
    if selection:
        drop = group_b & (frame["event"].to_numpy() == 0) & (rng.random(len(frame)) < selection)
        bias["selection"] = {
            "share_dropped": selection, "n_dropped": int(drop.sum()),
            "event_rate_group_b_population": float(frame["event"].to_numpy()[group_b].mean()),
            "what": f"{selection:.0%} of group B patients without the event never enter the data"}
        keep = ~drop
        frame, risk, logit, true_event = frame[keep], risk[keep], logit[keep], true_event[keep]
    return frame, risk, logit, bias, true_event
