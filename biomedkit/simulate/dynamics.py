"""Simulated time courses with known dynamics: tumour growth and one-compartment pharmacokinetics.

Each patient follows an ordinary differential equation whose parameters vary between patients
(log-normally, as in population models); a few noisy measurements per patient are what an
analyst sees. The truth keeps every patient's parameters and the dense, noise-free curve, so a
fit can be checked against both, inside and beyond the measured time window.

The closed-form solutions used here are public (:func:`logistic_curve`,
:func:`gompertz_curve`, :func:`one_compartment_curve`): a classical fit uses them, and the tests
check them against a numerical ODE solver.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset

# Typical (population) values of each model's parameters. Tumour volumes in mm^3 and time in
# days, roughly the scale of a subcutaneous xenograft; concentrations in mg/L, doses in mg,
# volumes in L and time in hours for the drug, roughly an oral small molecule.
TYPICAL = {
    "logistic": {"N0": 50.0, "r": 0.15, "K": 1500.0},
    "gompertz": {"N0": 50.0, "r": 0.07, "K": 1500.0},
    "pk_oral": {"ka": 1.0, "ke": 0.15, "V": 30.0},
    "pk_iv": {"ke": 0.15, "V": 30.0},
}
N_DENSE = 241  # points of the dense true curve on [0, horizon]


# --- closed-form solutions -------------------------------------------------------------------

def _times(t) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if not np.isfinite(t).all():
        raise ValueError("t must hold finite times (no NaN or infinity)")
    return t


def logistic_curve(t, *, N0, r, K):
    """The logistic growth curve, the solution of ``dN/dt = r N (1 - N / K)`` with ``N(0) = N0``.

    ``N(t) = K / (1 + (K / N0 - 1) exp(-r t))``: near-exponential growth at rate ``r`` while
    ``N`` is small, an inflection at ``K / 2``, and a plateau at the carrying capacity ``K``.
    Parameters may be arrays that broadcast with ``t`` (one value per patient).

    Examples
    --------
    >>> from biomedkit.simulate.dynamics import logistic_curve
    >>> float(logistic_curve(0.0, N0=50, r=0.15, K=1500))
    50.0
    """
    t = _times(t)
    return K / (1 + (K / N0 - 1) * np.exp(-r * t))


def gompertz_curve(t, *, N0, r, K):
    """The Gompertz growth curve, the solution of ``dN/dt = r N log(K / N)`` with ``N(0) = N0``.

    ``N(t) = K exp(log(N0 / K) exp(-r t))``: the relative growth rate falls steadily as the
    tumour grows (it is ``r log(K / N)``), with an inflection at ``K / e``, earlier and lower
    than the logistic curve's.

    Examples
    --------
    >>> from biomedkit.simulate.dynamics import gompertz_curve
    >>> round(float(gompertz_curve(1e6, N0=50, r=0.07, K=1500)), 6)
    1500.0
    """
    t = _times(t)
    return K * np.exp(np.log(N0 / K) * np.exp(-r * t))


def _exp_difference(t, ka, ke):
    """``(exp(-ke t) - exp(-ka t)) / (ka - ke)``, exact also when ``ka`` equals ``ke``.

    Written as ``t exp(-ke t) h((ka - ke) t)`` with ``h(x) = (1 - exp(-x)) / x`` and
    ``h(0) = 1``: the direct formula loses every digit as ``ka - ke`` goes to 0.
    """
    x = (ka - ke) * t
    small = np.abs(x) < 1e-8
    h = np.where(small, 1 - x / 2, -np.expm1(-x) / np.where(small, 1.0, x))
    return t * np.exp(-ke * t) * h


def one_compartment_curve(t, *, dose, ke, V, ka=None):
    """The concentration of a one-compartment model after a single dose at time 0.

    - Intravenous bolus (``ka=None``): ``C(t) = dose / V exp(-ke t)``, the solution of
      ``dC/dt = -ke C`` with ``C(0) = dose / V``.
    - Oral dose (``ka`` given): the Bateman function
      ``C(t) = dose ka / (V (ka - ke)) (exp(-ke t) - exp(-ka t))``, the solution of
      ``dA/dt = -ka A`` (the amount ``A`` still in the gut, ``A(0) = dose``) and
      ``dC/dt = ka A / V - ke C`` with ``C(0) = 0``. With ``ka = ke`` it becomes
      ``dose / V ka t exp(-ke t)``, which this function also returns. For an oral dose,
      ``V`` is the apparent volume ``V / F`` (the bioavailability ``F`` is not separable
      from ``V`` with oral data alone).

    Times before the dose give 0.

    Parameters
    ----------
    t : array-like
        Times since the dose.
    dose : float or array
        The amount given (mg for concentrations in mg/L).
    ke : float or array
        Elimination rate constant (per unit of time): the half-life is ``log(2) / ke``.
    V : float or array
        Volume of distribution (L).
    ka : float, array or None
        Absorption rate constant for an oral dose; None for an intravenous bolus.

    Examples
    --------
    >>> from biomedkit.simulate.dynamics import one_compartment_curve
    >>> float(one_compartment_curve(0.0, dose=100, ke=0.15, V=30))           # IV: dose / V
    3.3333333333333335
    >>> float(one_compartment_curve(0.0, dose=100, ke=0.15, V=30, ka=1.0))   # oral: nothing yet
    0.0
    """
    t = _times(t)
    after = np.maximum(t, 0.0)
    if ka is None:
        c = dose / V * np.exp(-ke * after)
    else:
        c = dose * ka / V * _exp_difference(after, ka, ke)
    return np.where(t < 0, 0.0, c)


# --- the truth -------------------------------------------------------------------------------

@dataclass(repr=False)
class DynamicsTruth:
    """What generated a set of simulated time courses.

    Attributes
    ----------
    model : str
        "logistic" or "gompertz" (tumour growth), "pk_oral" or "pk_iv" (drug concentration).
    parameters : DataFrame
        One row per patient (index ``patient``), one column per parameter: ``N0``, ``r``,
        ``K`` for tumour growth; ``ka``, ``ke``, ``V`` (``ke``, ``V`` for an IV bolus) for the
        drug. The values each patient's curve was drawn from.
    curve : DataFrame
        The dense noise-free curves, long: ``patient``, ``time``, ``value``; 241 times from 0
        to ``horizon`` per patient.
    typical : dict
        The population's typical value (the median) of each parameter.
    variability : float
        The standard deviation of each log parameter between patients.
    noise : str
        "proportional" or "additive".
    noise_sd : float
        The standard deviation of the measurement error: relative for proportional noise
        (0.1 = 10 %), in the measurement's units for additive noise.
    follow_up : float
        The last planned measurement time; measurements lie in [0, follow_up].
    horizon : float
        The end of the dense true curve: the span ``(follow_up, horizon]`` is for judging
        extrapolation.
    dose : float or None
        The dose (drug models only).
    units : dict
        The units of ``time`` and of the measurement.
    """

    model: str
    parameters: pd.DataFrame
    curve: pd.DataFrame
    typical: dict
    variability: float
    noise: str
    noise_sd: float
    follow_up: float
    horizon: float
    dose: float | None
    units: dict

    def value(self, time, patient) -> np.ndarray:
        """The true, noise-free value of one patient's curve at any ``time`` (an array).

        Examples
        --------
        >>> import biomedkit as bk
        >>> data, truth = bk.simulate.tumour_growth(n_patients=3, random_state=0)
        >>> truth.value([0.0, 90.0], patient=0).round(1)                        # doctest: +SKIP
        """
        if patient not in self.parameters.index:
            raise ValueError(f"patient must be one of {self.parameters.index.tolist()[:10]}...; got {patient!r}")
        p = self.parameters.loc[patient].to_dict()
        return curve_of(self.model, time, p, dose=self.dose)

    def __repr__(self) -> str:
        typical = ", ".join(f"{k} {v:g}" for k, v in self.typical.items())
        noise = (f"{self.noise_sd:.0%} proportional" if self.noise == "proportional"
                 else f"additive, sd {self.noise_sd:.3g} {self.units['measurement']}")
        return (f"<DynamicsTruth: {self.model}, {len(self.parameters)} patients; typical {typical}; "
                f"between-patient sd of log parameters {self.variability:g}; noise {noise}; "
                f"measured until {self.follow_up:g}, curve until {self.horizon:g} {self.units['time']}>")


def curve_of(model: str, time, parameters: dict, *, dose=None) -> np.ndarray:
    """The noise-free curve of ``model`` ("logistic", "gompertz", "pk_oral", "pk_iv") at ``time``.

    ``parameters`` maps names to values, as in ``DynamicsTruth.parameters``; extra entries are
    ignored. The drug models need ``dose``.

    Examples
    --------
    >>> from biomedkit.simulate.dynamics import curve_of
    >>> float(curve_of("logistic", 0.0, {"N0": 50, "r": 0.15, "K": 1500}))
    50.0
    """
    if model not in TYPICAL:
        raise ValueError(f"model must be one of {sorted(TYPICAL)}; got {model!r}")
    missing = [name for name in TYPICAL[model] if name not in parameters]
    if missing:
        raise ValueError(f"parameters lacks {missing} for model {model!r}")
    p = {name: parameters[name] for name in TYPICAL[model]}
    if model == "logistic":
        return logistic_curve(time, **p)
    if model == "gompertz":
        return gompertz_curve(time, **p)
    if dose is None:
        raise ValueError(f"model {model!r} needs the dose; pass dose=...")
    return one_compartment_curve(time, dose=dose, **p)


# --- the simulators --------------------------------------------------------------------------

def _check_choice(value, name, choices):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {list(choices)} (a string); got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}")
    return value


def _check_typical(typical, model) -> dict:
    """The model's typical values, with the ones the caller gives in their place."""
    values = dict(TYPICAL[model])
    if typical is None:
        return values
    if not isinstance(typical, dict):
        raise TypeError(f"typical must be a dict such as {{'r': 0.1}} or None; got {type(typical).__name__}")
    unknown = sorted(set(typical) - set(values))
    if unknown:
        raise ValueError(f"typical has {unknown}, which model {model!r} does not use; "
                         f"its parameters are {list(values)}")
    for name, value in typical.items():
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"typical[{name!r}] must be a positive number; got {type(value).__name__}")
        values[name] = check_float(value, f"typical[{name!r}]", 0, np.inf, open_low=True, open_high=True)
    if model in ("logistic", "gompertz") and not values["N0"] < values["K"]:
        raise ValueError(f"typical N0 ({values['N0']:g}) must be below the carrying capacity K "
                         f"({values['K']:g}): the tumour grows towards K")
    return values


def _check_common(n_patients, n_times, follow_up, horizon, noise, noise_level, variability):
    n_patients = check_int(n_patients, "n_patients", 1)
    n_times = check_int(n_times, "n_times", 2)
    follow_up = check_float(follow_up, "follow_up", 0, np.inf, open_low=True, open_high=True)
    if horizon is None:
        horizon = 2 * follow_up
    horizon = check_float(horizon, "horizon", 0, np.inf, open_low=True, open_high=True)
    if horizon < follow_up:
        raise ValueError(f"horizon ({horizon:g}) must be at least follow_up ({follow_up:g}): the true "
                         "curve covers the measured window and what comes after it")
    noise = _check_choice(noise, "noise", ("proportional", "additive"))
    noise_level = check_float(noise_level, "noise_level", 0, 1)
    variability = check_float(variability, "variability", 0, 2)
    return n_patients, n_times, follow_up, horizon, noise, noise_level, variability


def _draw_parameters(typical, variability, n, rng) -> pd.DataFrame:
    """Log-normal between-patient variation around the typical values (their medians)."""
    eta = rng.standard_normal((n, len(typical)))
    values = np.asarray(list(typical.values())) * np.exp(variability * eta)
    return pd.DataFrame(values, columns=list(typical), index=pd.RangeIndex(n, name="patient"))


def _measure(model, params, times, dose, noise, noise_sd, rng) -> np.ndarray:
    """Each patient's noisy measurements at their times (one row per patient)."""
    true = np.vstack([curve_of(model, t, p, dose=dose) for t, p in zip(times, params.to_dict("records"))])
    eps = rng.standard_normal(true.shape)
    # proportional: the error grows with the level (the usual model of assays and calipers);
    # additive: a constant error, which can go below zero where the level is low
    return true * (1 + noise_sd * eps) if noise == "proportional" else true + noise_sd * eps


def _assemble(model, params, times, measured, dose, horizon, extra=None):
    """The tidy frame and the dense truth."""
    n_patients, n_times = times.shape
    columns = {"patient": np.repeat(params.index.to_numpy(), n_times), "time": times.ravel()}
    if extra:
        columns.update(extra)
    columns["measurement"] = measured.ravel()
    frame = pd.DataFrame(columns)
    grid = np.linspace(0.0, horizon, N_DENSE)
    dense = np.concatenate([curve_of(model, grid, p, dose=dose) for p in params.to_dict("records")])
    curve = pd.DataFrame({"patient": np.repeat(params.index.to_numpy(), N_DENSE),
                          "time": np.tile(grid, n_patients), "value": dense})
    return frame, curve


def tumour_growth(
    n_patients: int = 10,
    *,
    model: str = "gompertz",
    n_times: int = 6,
    follow_up: float = 30.0,
    horizon: float | None = None,
    noise: str = "proportional",
    noise_level: float = 0.1,
    variability: float = 0.3,
    typical: dict | None = None,
    random_state: int | np.random.Generator | None = None,
):
    """Simulate tumour volumes that grow by a logistic or a Gompertz law, measured a few times.

    Each patient's tumour follows ``dN/dt = r N (1 - N / K)`` (logistic) or
    ``dN/dt = r N log(K / N)`` (Gompertz) from its volume ``N0`` at the first measurement
    (time 0). The three parameters vary between patients log-normally around ``typical``
    (each patient's value is ``typical * exp(variability * z)`` with ``z`` standard normal).
    Each tumour is measured ``n_times`` times: at 0 and then at roughly even intervals up to
    ``follow_up`` (each time moved at random by up to a quarter of an interval), with
    measurement error. The truth keeps the parameters and the dense, noise-free curve up to
    ``horizon``, beyond the last measurement, to judge extrapolation.

    Parameters
    ----------
    n_patients : int, default=10
    model : {"gompertz", "logistic"}, default="gompertz"
    n_times : int, default=6
        Measurements per patient (at least 2).
    follow_up : float, default=30.0
        The last planned measurement, in days.
    horizon : float, optional
        The end of the true curve, in days; defaults to ``2 * follow_up``.
    noise : {"proportional", "additive"}, default="proportional"
        Proportional: ``measured = true * (1 + noise_level * z)``. Additive:
        ``measured = true + noise_level * typical K * z``, the same error at every size (so
        ``noise_level`` is a fraction of the typical carrying capacity).
    noise_level : float, default=0.1
        In [0, 1]; 0 gives exact measurements.
    variability : float, default=0.3
        Standard deviation of the log parameters between patients, in [0, 2]; 0 makes
        every patient typical.
    typical : dict, optional
        Typical values to use instead of the defaults (``TYPICAL[model]``): ``N0`` (mm^3),
        ``r`` (per day) and ``K`` (mm^3), e.g. ``{"r": 0.1}``.
    random_state : int, Generator or None

    Returns
    -------
    data : Dataset
        ``data.frame``: one row per measurement, with ``patient``, ``time`` (days) and
        ``measurement`` (the measured volume in mm^3), the target.
    truth : DynamicsTruth
        Each patient's parameters, the dense true curves and the noise.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.tumour_growth(n_patients=5, model="logistic", random_state=0)
    >>> data.frame.shape
    (30, 3)
    >>> list(truth.parameters.columns)
    ['N0', 'r', 'K']
    """
    model = _check_choice(model, "model", ("gompertz", "logistic"))
    n_patients, n_times, follow_up, horizon, noise, noise_level, variability = _check_common(
        n_patients, n_times, follow_up, horizon, noise, noise_level, variability)
    typical = _check_typical(typical, model)
    rng = check_random_state(random_state)

    params = _draw_parameters(typical, variability, n_patients, rng)
    step = follow_up / (n_times - 1)
    jitter = rng.uniform(-0.25, 0.25, (n_patients, n_times)) * step
    jitter[:, 0] = 0.0  # time 0 is the first measurement
    times = np.clip(np.arange(n_times) * step + jitter, 0.0, follow_up)
    noise_sd = noise_level if noise == "proportional" else noise_level * typical["K"]
    measured = _measure(model, params, times, None, noise, noise_sd, rng)
    units = {"time": "days", "measurement": "mm^3"}
    frame, curve = _assemble(model, params, times, measured, None, horizon)
    truth = DynamicsTruth(model=model, parameters=params, curve=curve, typical=typical,
                          variability=variability, noise=noise, noise_sd=noise_sd, follow_up=follow_up,
                          horizon=horizon, dose=None, units=units)
    return as_dataset(frame, truth, name="tumour_growth", target="measurement", sites="site"), truth


def pharmacokinetics(
    n_patients: int = 10,
    *,
    route: str = "oral",
    dose: float = 100.0,
    n_times: int = 6,
    follow_up: float = 24.0,
    horizon: float | None = None,
    noise: str = "proportional",
    noise_level: float = 0.15,
    variability: float = 0.3,
    typical: dict | None = None,
    random_state: int | np.random.Generator | None = None,
):
    """Simulate drug concentrations after one dose, in a one-compartment model.

    Each patient receives ``dose`` (mg) at time 0, by mouth (``route="oral"``: absorbed at
    rate ``ka``) or as an intravenous bolus (``route="iv"``); the drug distributes in a volume
    ``V`` (L) and is eliminated at rate ``ke`` (per hour). Concentrations (mg/L) follow
    :func:`one_compartment_curve`. The parameters vary between patients log-normally around
    ``typical``. Each patient gives ``n_times`` blood samples at times spread evenly on a log
    scale from 15 minutes to ``follow_up`` (dense early, where the curve changes fast, as in a
    real sampling schedule), each moved at random by up to 10 %, with measurement error.

    Parameters
    ----------
    n_patients : int, default=10
    route : {"oral", "iv"}, default="oral"
    dose : float, default=100.0
        The dose in mg, the same for every patient (a positive number).
    n_times : int, default=6
        Samples per patient (at least 2).
    follow_up : float, default=24.0
        The last planned sample, in hours (more than 0.25).
    horizon : float, optional
        The end of the true curve, in hours; defaults to ``2 * follow_up``.
    noise : {"proportional", "additive"}, default="proportional"
        Proportional: ``measured = true * (1 + noise_level * z)``. Additive:
        ``measured = true + noise_level * typical peak * z``, where the typical peak is the
        highest concentration of a typical patient; additive noise can give values below 0
        at low concentrations, and they are kept (as a raw assay reading would be).
    noise_level : float, default=0.15
        In [0, 1].
    variability : float, default=0.3
        Standard deviation of the log parameters between patients, in [0, 2].
    typical : dict, optional
        Typical values instead of ``TYPICAL["pk_oral"]`` (or ``"pk_iv"``): ``ka`` and ``ke``
        (per hour), ``V`` (L).
    random_state : int, Generator or None

    Returns
    -------
    data : Dataset
        ``data.frame``: one row per sample, with ``patient``, ``time`` (hours), ``dose`` (mg)
        and ``measurement`` (the measured concentration in mg/L), the target.
    truth : DynamicsTruth
        Each patient's parameters, the dense true curves and the noise.

    Notes
    -----
    With oral data alone, ``ka`` and ``ke`` can trade places ("flip-flop" kinetics): the
    curve with ``ka`` and ``ke`` swapped and ``V`` multiplied by ``ke / ka`` is the same
    curve. A fit must assume which is faster (usually absorption).

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.pharmacokinetics(n_patients=4, random_state=0)
    >>> list(data.frame.columns), list(truth.parameters.columns)
    (['patient', 'time', 'dose', 'measurement'], ['ka', 'ke', 'V'])
    """
    route = _check_choice(route, "route", ("oral", "iv"))
    if not isinstance(dose, numbers.Real) or isinstance(dose, bool):
        raise TypeError(f"dose must be a positive number (mg); got {type(dose).__name__}")
    dose = check_float(dose, "dose", 0, np.inf, open_low=True, open_high=True)
    n_patients, n_times, follow_up, horizon, noise, noise_level, variability = _check_common(
        n_patients, n_times, follow_up, horizon, noise, noise_level, variability)
    if follow_up <= 0.25:
        raise ValueError(f"follow_up must be more than 0.25 hours (the first sample); got {follow_up!r}")
    model = f"pk_{route}"
    typical = _check_typical(typical, model)
    rng = check_random_state(random_state)

    params = _draw_parameters(typical, variability, n_patients, rng)
    planned = np.geomspace(0.25, follow_up, n_times)
    times = np.sort(np.clip(planned * rng.uniform(0.9, 1.1, (n_patients, n_times)), 0.0, follow_up), axis=1)
    grid = np.linspace(0.0, follow_up, 2001)
    peak = float(curve_of(model, grid, typical, dose=dose).max())
    noise_sd = noise_level if noise == "proportional" else noise_level * peak
    measured = _measure(model, params, times, dose, noise, noise_sd, rng)
    units = {"time": "hours", "measurement": "mg/L"}
    frame, curve = _assemble(model, params, times, measured, dose, horizon,
                             extra={"dose": np.full(times.size, dose)})
    truth = DynamicsTruth(model=model, parameters=params, curve=curve, typical=typical,
                          variability=variability, noise=noise, noise_sd=noise_sd, follow_up=follow_up,
                          horizon=horizon, dose=dose, units=units)
    return as_dataset(frame, truth, name="pharmacokinetics", target="measurement", sites="site"), truth
