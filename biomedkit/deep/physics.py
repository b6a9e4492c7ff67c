"""Physics-informed learning of a time course, and the classical fit it must be compared with.

A physics-informed neural network (PINN; Raissi, Perdikaris and Karniadakis 2019) fits a small
network ``u(t)`` to a few measurements while asking it to obey an ordinary differential
equation (ODE) at many *collocation* times, with the ODE's parameters trained alongside the
weights. The classical alternative fits the ODE's solution itself by least squares. Both are
here, for the models of ``biomedkit.simulate.dynamics``:

=============  ===========================================  ===================
model          ODE                                          parameters
=============  ===========================================  ===================
``logistic``   ``dN/dt = r N (1 - N / K)``                  ``N0``, ``r``, ``K``
``gompertz``   ``dN/dt = r N log(K / N)``                   ``N0``, ``r``, ``K``
``pk_iv``      ``dC/dt = -ke C``, ``C(0) = dose / V``       ``ke``, ``V``
``pk_oral``    ``dA/dt = -ka A``, ``dC/dt = ka A / V - ke C``,  ``ka``, ``ke``, ``V``
               ``A(0) = dose``, ``C(0) = 0``
=============  ===========================================  ===================

Several patients are fitted at once, each with a network and parameters of its own: the
networks are trained side by side in one batched computation (faster than one after another),
and no patient's fit depends on another's.

References
----------
Raissi M, Perdikaris P, Karniadakis GE. Physics-informed neural networks: a deep learning
framework for solving forward and inverse problems involving nonlinear partial differential
equations. J Comput Phys 378:686-707 (2019).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_level, check_training_options
from biomedkit._progress import progress
from biomedkit.simulate.dynamics import TYPICAL, curve_of

MODELS = tuple(TYPICAL)  # logistic, gompertz, pk_oral, pk_iv
TUMOUR = ("logistic", "gompertz")


# --- the ODEs --------------------------------------------------------------------------------

def _rhs(model: str, states: list, p: dict, log) -> list:
    """The right-hand side of the model's ODE, state by state; ``log`` is numpy's or torch's.

    Written once for both: the numerical solver calls it with floats, the network with tensors.
    """
    if model == "logistic":
        (n,) = states
        return [p["r"] * n * (1 - n / p["K"])]
    if model == "gompertz":
        (n,) = states
        return [p["r"] * n * log(p["K"] / n)]
    if model == "pk_iv":
        (c,) = states
        return [-p["ke"] * c]
    a, c = states  # pk_oral: the amount in the gut, the concentration in the blood
    return [-p["ka"] * a, p["ka"] * a / p["V"] - p["ke"] * c]


def _initial_state(model: str, p: dict, dose) -> list:
    """The state at time 0 (for the numerical solver)."""
    if model in TUMOUR:
        return [p["N0"]]
    if model == "pk_iv":
        return [dose / p["V"]]
    return [dose, 0.0]


def _solve(model: str, time: np.ndarray, p: dict, dose) -> np.ndarray:
    """The observed state at ``time``, by ``scipy.integrate.solve_ivp`` (tight tolerances)."""
    from scipy.integrate import solve_ivp

    order = np.argsort(time)
    end = max(float(time.max()), 1e-12)
    sol = solve_ivp(lambda _, u: _rhs(model, list(u), p, np.log), (0.0, end), _initial_state(model, p, dose),
                    t_eval=np.clip(time[order], 0.0, end), method="LSODA", rtol=1e-10, atol=1e-12)
    out = np.empty(len(time))
    out[order] = sol.y[-1]  # the observed state is the last one (the concentration for pk_oral)
    return out


# --- input checks ----------------------------------------------------------------------------

def _check_model(model) -> str:
    if not isinstance(model, str):
        raise TypeError(f"model must be one of {list(MODELS)} (a string); got {type(model).__name__}")
    if model not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)}; got {model!r}")
    return model


def _column(values, name: str, n: int | None = None) -> np.ndarray:
    a = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {a.shape}")
    if n is not None and len(a) != n:
        raise ValueError(f"{name} has {len(a)} values but time has {n}; they must match")
    return a


def _numeric(values, name: str, n: int | None = None) -> np.ndarray:
    a = _column(values, name, n)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be numeric; got dtype {a.dtype}")
    a = a.astype(float)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values; drop those rows first")
    return a


def _series(model, time, measurement, patient, dose) -> tuple[list, bool]:
    """Split the long data into one (patient, times, values, dose) tuple per patient.

    Returns the list and whether a patient column was given.
    """
    t = _numeric(time, "time")
    if t.size == 0:
        raise ValueError("time is empty; pass the measurement times")
    if t.min() < 0:
        raise ValueError("time must be >= 0: time 0 is the first measurement (tumours) or the dose (drugs)")
    y = _numeric(measurement, "measurement", len(t))
    if patient is None:
        ids = np.zeros(len(t), dtype=int)
    else:
        ids = _column(patient, "patient", len(t))
        if pd.isna(ids).any():
            raise ValueError("patient contains missing values; every row needs its patient")
    if model in TUMOUR:
        if dose is not None:
            raise ValueError(f"model {model!r} takes no dose; leave dose=None")
        doses = None
    else:
        if dose is None:
            raise ValueError(f"model {model!r} needs the dose given at time 0: pass dose=100.0 "
                             "(one number) or dose=frame['dose'] (one per row)")
        if isinstance(dose, numbers.Real) and not isinstance(dose, bool):
            doses = np.full(len(t), float(dose))
        elif isinstance(dose, (bool, str)):
            raise TypeError(f"dose must be a positive number or one number per row; got {dose!r}")
        else:
            doses = _numeric(dose, "dose", len(t))
        if not (doses > 0).all():
            raise ValueError("dose must be positive")
    groups = []
    for pid in pd.unique(ids).tolist():  # plain Python values: messages read "patient 3"
        rows = ids == pid
        if rows.sum() < 2:
            raise ValueError(f"patient {pid!r} has {int(rows.sum())} measurement; each patient needs at least 2")
        d = None
        if doses is not None:
            if np.ptp(doses[rows]) > 0:
                raise ValueError(f"dose differs within patient {pid!r}; one dose per patient")
            d = float(doses[rows][0])
        groups.append((pid, t[rows], y[rows], d))
    return groups, patient is not None


def initial_guess(model: str, time, measurement, *, dose=None) -> dict:
    """A rough starting point for a fit of one patient's curve, from the data alone.

    Both the classical fit and the physics-informed network start here, so neither has a
    better start than the other. Tumour models: ``N0`` the first measurement, ``K`` 1.5 times
    the largest, ``r`` the mean growth rate between the first and the largest measurement (for
    the Gompertz model divided by ``log(K / N0)``, its initial relative growth rate). Drug
    models: ``ke`` from the log-linear decline after the peak, ``V`` from the area under the
    curve (clearance ``dose / AUC`` divided by ``ke``), ``ka`` from the time of the peak.

    Examples
    --------
    >>> from biomedkit.deep.physics import initial_guess
    >>> guess = initial_guess("logistic", [0, 10, 20, 30], [50, 200, 600, 1000])
    >>> sorted(guess)
    ['K', 'N0', 'r']
    """
    model = _check_model(model)
    t = _numeric(time, "time")
    y = _numeric(measurement, "measurement", len(t))
    order = np.argsort(t)
    t, y = t[order], y[order]
    span = max(float(t.max() - t.min()), 1e-9)
    positive = y > 0
    if model in TUMOUR:
        y0 = float(y[positive][0]) if positive.any() else 1.0
        top = int(np.argmax(y))
        k = 1.5 * max(float(y[top]), y0)
        rate = math.log(max(y[top], y0) / y0) / (t[top] - t[0]) if t[top] > t[0] and y[top] > y0 else 1 / span
        r = rate if model == "logistic" else rate / math.log(k / y0)
        return {"N0": y0, "r": float(max(r, 1e-3 / span)), "K": float(k)}
    top = int(np.argmax(y))
    tail = (np.arange(len(t)) >= top) & positive if model == "pk_oral" else positive
    ke = 1.0 / span
    if tail.sum() >= 2 and np.ptp(t[tail]) > 0:
        slope = np.polyfit(t[tail], np.log(y[tail]), 1)[0]
        if slope < 0:
            ke = float(-slope)
    if model == "pk_iv":
        c0 = np.exp(np.mean(np.log(y[positive]) + ke * t[positive])) if positive.any() else 1.0
        return {"ke": ke, "V": float(dose / c0)}
    area = np.trapezoid(np.r_[0.0, np.clip(y, 0, None)], np.r_[0.0, t]) + max(y[-1], 0.0) / ke
    v = dose / max(area, 1e-12) / ke
    return {"ka": float(_ka_from_peak(float(t[top]), ke)), "ke": ke, "V": float(v)}


def _ka_from_peak(t_peak: float, ke: float) -> float:
    """The ``ka`` > ``ke`` at which a one-compartment curve peaks at ``t_peak``.

    The peak time ``log(ka / ke) / (ka - ke)`` falls from ``1 / ke`` to 0 as ``ka`` grows;
    a peak later than ``1 / ke`` has no such ``ka`` (then twice ``ke`` is used).
    """
    from scipy.optimize import brentq

    def gap(ka):
        return math.log(ka / ke) / (ka - ke) - t_peak

    low, high = ke * (1 + 1e-6), ke * 1e4
    if t_peak <= 0 or gap(low) <= 0 or gap(high) >= 0:
        return 2 * ke if t_peak <= 0 or gap(low) <= 0 else high
    return brentq(gap, low, high, xtol=1e-10 * ke)


def _predictions(groups_ids, single, curves, time, patient):
    """``predict``'s answer: one curve (1-d) or one row per patient (2-d)."""
    t = _numeric(np.atleast_1d(time), "time")
    if single:
        if patient is not None:
            raise ValueError("this fit has no patient column; call predict(time) without patient")
        return curves(groups_ids[0], t)
    if patient is None:
        return np.vstack([curves(pid, t) for pid in groups_ids])
    if patient not in list(groups_ids):
        raise ValueError(f"patient {patient!r} was not fitted; the patients are {list(groups_ids)[:10]}")
    return curves(patient, t)


# --- the classical fit -----------------------------------------------------------------------

@dataclass(repr=False)
class ODEFitResult:
    """The least-squares fit of an ODE's solution to each patient's measurements.

    Attributes
    ----------
    model : str
    parameters : DataFrame
        One row per patient (index ``patient``), one column per parameter: the estimates.
    table : DataFrame
        Long: ``patient``, ``parameter``, ``estimate``, ``low``, ``high`` (the interval),
        ``se_log`` (the standard error of the log parameter).
    residual_sd : Series
        Per patient, the standard deviation of the residuals (``sqrt(SSR / (n - p))``).
    level : float
    solver : str
    """

    model: str
    parameters: pd.DataFrame
    table: pd.DataFrame
    residual_sd: pd.Series
    level: float
    solver: str
    _doses: dict
    _single: bool

    def predict(self, time, *, patient=None) -> np.ndarray:
        """The fitted curve at ``time``: 1-d for one patient, (patients, times) for all.

        Without a patient column at fit, ``predict(time)`` gives the one curve. With one,
        ``predict(time, patient=p)`` gives patient ``p``'s curve and ``predict(time)`` one row
        per patient, in the order of ``parameters.index``.
        """
        def curve(pid, t):
            return curve_of(self.model, t, self.parameters.loc[pid].to_dict(), dose=self._doses[pid])

        return _predictions(self.parameters.index, self._single, curve, time, patient)

    def to_frame(self) -> pd.DataFrame:
        """Every estimate with its interval, one row per patient and parameter."""
        return self.table.copy()

    def __repr__(self) -> str:
        n = len(self.parameters)
        lines = [f"<ODEFitResult: {self.model}, {n} patient{'s' if n != 1 else ''}, least squares "
                 f"({self.solver}); {self.level:.0%} intervals>"]
        for _, row in self.table.head(12).iterrows():
            lines.append(f"  patient {row.patient}: {row.parameter} = {row.estimate:.4g} "
                         f"({row.low:.4g} to {row.high:.4g})")
        if len(self.table) > 12:
            lines.append(f"  ... {len(self.table) - 12} more rows: .to_frame()")
        return "\n".join(lines)


def fit_ode(time, measurement, *, model: str, patient=None, dose=None, solver: str = "closed_form",
            level: float = 0.95) -> ODEFitResult:
    """Fit an ODE model to each patient's measurements by least squares (the classical way).

    For each patient, ``scipy.optimize.least_squares`` finds the log parameters that minimise
    the squared differences between the measurements and the model's curve, starting from
    :func:`initial_guess`. The curve comes from its closed form (``solver="closed_form"``) or
    from solving the ODE numerically (``solver="solve_ivp"``, the route for a model without a
    closed form; the two agree to many digits here). The intervals are Wald intervals on the
    log scale, from the Jacobian at the optimum (the covariance ``curve_fit`` reports) with a
    t quantile on ``n - p`` degrees of freedom: with six points and three parameters they are
    rough, and they assume the model is right.

    Parameters
    ----------
    time, measurement : array-like
        One row per measurement; time 0 is the first measurement (tumours) or the dose (drugs).
    model : {"logistic", "gompertz", "pk_oral", "pk_iv"}
    patient : array-like, optional
        The patient of each row; each patient is fitted on its own.
    dose : float or array-like, optional
        The dose at time 0 (drug models only): one number, or one per row (constant within a
        patient).
    solver : {"closed_form", "solve_ivp"}, default="closed_form"
    level : float, default=0.95

    Returns
    -------
    ODEFitResult

    Examples
    --------
    >>> import biomedkit as bk
    >>> from biomedkit.deep.physics import fit_ode
    >>> data, truth = bk.simulate.tumour_growth(n_patients=3, model="logistic", random_state=0)
    >>> f = data.frame
    >>> fit = fit_ode(f.time, f.measurement, model="logistic", patient=f.patient)
    >>> fit.parameters.columns.tolist()
    ['N0', 'r', 'K']
    """
    from scipy.optimize import least_squares
    from scipy.stats import t as student_t

    model = _check_model(model)
    if solver not in ("closed_form", "solve_ivp"):
        raise ValueError(f"solver must be 'closed_form' or 'solve_ivp'; got {solver!r}")
    level = check_level(level)
    groups, has_patients = _series(model, time, measurement, patient, dose)
    names = list(TYPICAL[model])
    estimates, rows, sds, doses = {}, [], {}, {}
    for pid, t, y, d in groups:
        def residuals(theta, t=t, y=y, d=d):
            p = dict(zip(names, np.exp(theta)))
            curve = curve_of(model, t, p, dose=d) if solver == "closed_form" else _solve(model, t, p, d)
            return curve - y

        start = initial_guess(model, t, y, dose=d)
        fit = least_squares(residuals, np.log([start[name] for name in names]), method="trf")
        n, k = len(y), len(names)
        ssr = float(fit.fun @ fit.fun)
        se = np.full(k, np.nan)
        if n > k:
            try:
                se = np.sqrt(np.diag(np.linalg.inv(fit.jac.T @ fit.jac)) * ssr / (n - k))
            except np.linalg.LinAlgError:  # a parameter the data cannot pin down
                pass
        quantile = student_t.ppf(0.5 + level / 2, n - k) if n > k else np.nan
        estimates[pid] = np.exp(fit.x)
        sds[pid] = math.sqrt(ssr / (n - k)) if n > k else np.nan
        doses[pid] = d
        with np.errstate(over="ignore"):  # a parameter the data cannot pin down: (0, inf)
            low, high = np.exp(fit.x - quantile * se), np.exp(fit.x + quantile * se)
        for i, name in enumerate(names):
            rows.append({"patient": pid, "parameter": name, "estimate": float(np.exp(fit.x[i])),
                         "low": float(low[i]), "high": float(high[i]), "se_log": float(se[i])})
    parameters = pd.DataFrame.from_dict(estimates, orient="index", columns=names)
    parameters.index.name = "patient"
    residual_sd = pd.Series(sds, name="residual_sd")
    residual_sd.index.name = "patient"
    return ODEFitResult(model=model, parameters=parameters, table=pd.DataFrame(rows),
                        residual_sd=residual_sd, level=level, solver=solver, _doses=doses,
                        _single=not has_patients)


# --- the physics-informed network ------------------------------------------------------------

def _build_networks(n_networks: int, hidden: tuple[int, ...], n_out: int, generator, dtype):
    """Weights of ``n_networks`` independent tanh networks (1 input), stacked for batched products.

    Drawn network by network (Xavier-normal, zero biases), so the first network of a batch is
    the network a fit of that patient alone would start from.
    """
    import torch

    sizes = (1, *hidden, n_out)
    layers = [[] for _ in sizes[1:]]
    for _ in range(n_networks):
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            std = math.sqrt(2.0 / (fan_in + fan_out))
            layers[i].append(torch.randn(fan_in, fan_out, generator=generator, dtype=dtype) * std)
    weights = [torch.stack(w).requires_grad_(True) for w in layers]
    biases = [torch.zeros(n_networks, 1, w.shape[2], dtype=dtype, requires_grad=True) for w in weights]
    return weights, biases


def _forward(x, weights, biases):
    """``x`` (networks, points, 1) -> outputs (networks, points, n_out)."""
    import torch

    h = x
    for i, (w, b) in enumerate(zip(weights, biases)):
        h = torch.baddbmm(b, h, w)
        if i < len(weights) - 1:
            h = torch.tanh(h)
    return h


class PhysicsInformedODE:
    """A physics-informed neural network that fits a time course and the parameters of its ODE.

    For each patient, a small network maps time to the model's state, ``u(t)``. Training
    minimises, with Adam,

    ``data misfit + physics_weight * (mean squared ODE residual + initial-condition misfit)``

    where the data misfit is the mean squared difference between ``u`` and the measurements,
    and the ODE residual ``du/dt - f(u; parameters)`` is evaluated at ``n_collocation`` evenly
    spaced times on ``[0, horizon]``, with ``du/dt`` from automatic differentiation. The ODE's
    parameters (on the log scale) are trained with the weights. Everything is scaled first
    (time to [-1, 1] over ``[0, horizon]``, on a log scale for the drug models, whose curves
    change fastest in the first hour; values by each patient's largest measurement), so the
    terms are comparable. The first fifth of the steps fit the data alone: starting on both at once, a
    network often settles on a curve that satisfies the ODE and ignores the data. The learning
    rate then decays along a cosine to a hundredth of its start.

    With ``physics_weight=0`` it is a **plain network**: the same network, data and training,
    without the physics; its ODE parameters are then NaN (nothing estimates them).

    Parameters
    ----------
    model : {"logistic", "gompertz", "pk_oral", "pk_iv"}, default="logistic"
        The ODE (see the module's table). For ``pk_oral`` the amount in the gut,
        ``dose * exp(-ka t)``, is solved exactly; the network is the concentration.
    physics_weight : float, default=0.1
        The weight of the physics terms, >= 0. Larger weights enforce the ODE more strictly
        but make the loss harder to minimise: with 10, the fit often stalls far from the data
        within a few thousand steps.
    hidden : tuple of int, default=(32, 32)
        Units of each hidden layer (tanh).
    steps : int, default=3000
        Adam steps (full batch: every measurement and collocation time at each step).
    learning_rate : float, default=1e-2
    n_collocation : int, default=100
        Times where the ODE is enforced.
    horizon : float, optional
        The end of the collocation interval; defaults to the last measurement time. Set it
        to the time you want to predict up to: the physics then shapes the curve beyond the
        data, where a plain network has nothing to go on.
    device : str, default="cpu"
        Where the networks train: "cpu", "cuda" or "mps"; results come back as numpy.
    random_state : int or None, default=None
        Seeds the networks' weights; the same integer gives the same fit (on a CPU, with
        ``torch.use_deterministic_algorithms(True)``).

    Attributes
    ----------
    parameters_ : DataFrame
        One row per patient (index ``patient``): the ODE parameters, with ``N0 = u(0)`` for
        the tumour models.
    history_ : DataFrame
        Per step, the data misfit and the physics terms, each summed over patients.
    horizon_ : float
    patients_ : ndarray

    Notes
    -----
    Training runs on one CPU thread (PyTorch's setting is restored afterwards): for networks
    this small that is faster than several. 3,000 steps for 10 patients take a few seconds.

    PINNs are sensitive to scaling, weights and initialisation; this one fixes sensible
    choices for the four models here. It does not make an ODE true: with the wrong model,
    the physics pulls the curve and the parameters towards the wrong law. When the ODE has a
    closed form or a fast solver, :func:`fit_ode` (least squares on the solution) is the
    baseline to beat.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.tumour_growth(n_patients=2, model="logistic", random_state=0)
    >>> f = data.frame
    >>> pinn = bk.deep.PhysicsInformedODE("logistic", steps=500, horizon=60, random_state=0)
    >>> pinn.fit(f.time, f.measurement, patient=f.patient).parameters_.shape
    (2, 3)
    """

    def __init__(self, model: str = "logistic", *, physics_weight: float = 0.1, hidden: tuple[int, ...] = (32, 32),
                 steps: int = 3000, learning_rate: float = 1e-2, n_collocation: int = 100,
                 horizon: float | None = None, device: str = "cpu", random_state: int | None = None):
        self.model = model
        self.physics_weight = physics_weight
        self.hidden = hidden
        self.steps = steps
        self.learning_rate = learning_rate
        self.n_collocation = n_collocation
        self.horizon = horizon
        self.device = device
        self.random_state = random_state

    def __repr__(self) -> str:
        return (f"PhysicsInformedODE({self.model!r}, physics_weight={self.physics_weight!r}, hidden={self.hidden!r}, "
                f"steps={self.steps!r}, horizon={self.horizon!r}, random_state={self.random_state!r})")

    def _check_params(self) -> tuple[int, ...]:
        _check_model(self.model)
        check_float(self.physics_weight, "physics_weight", 0, 1e6)
        hidden = self.hidden
        if isinstance(hidden, (int, np.integer)) or not isinstance(hidden, (tuple, list)) or not hidden:
            raise ValueError(f"hidden must be a non-empty tuple of positive integers, e.g. (32, 32); got {hidden!r}")
        hidden = tuple(check_int(h, f"hidden[{i}]", 1) for i, h in enumerate(hidden))
        check_training_options(steps=self.steps, learning_rate=self.learning_rate, random_state=self.random_state,
                               device=self.device)
        check_int(self.n_collocation, "n_collocation", 2)
        if self.horizon is not None:
            check_float(self.horizon, "horizon", 0, np.inf, open_low=True, open_high=True)
        return hidden

    def fit(self, time, measurement, *, patient=None, dose=None) -> PhysicsInformedODE:
        """Train one network (and one set of ODE parameters) per patient.

        Parameters
        ----------
        time, measurement : array-like
            One row per measurement.
        patient : array-like, optional
            The patient of each row; without it, all rows are one patient's.
        dose : float or array-like, optional
            The dose at time 0, for the drug models (one number, or one per row).

        Returns
        -------
        self
        """
        import torch

        hidden = self._check_params()
        groups, has_patients = _series(self.model, time, measurement, patient, dose)
        horizon = max(float(max(t.max() for _, t, _, _ in groups)), 1e-12) if self.horizon is None \
            else float(self.horizon)
        late = max(float(t.max()) for _, t, _, _ in groups)
        if late > horizon:
            raise ValueError(f"horizon ({horizon:g}) must reach the last measurement ({late:g})")
        seed = (int(np.random.default_rng().integers(2**31 - 1)) if self.random_state is None
                else int(self.random_state))
        self._torch = torch
        self.horizon_ = horizon
        self.patients_ = np.array([pid for pid, *_ in groups])
        self._single = not has_patients
        self._doses = {pid: d for pid, _, _, d in groups}
        # The networks are tiny: on a CPU, threads cost more in coordination than they save
        # (on a busy 2-core machine, tens of times more), so training runs on one thread.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            self._train(groups, hidden, torch.Generator().manual_seed(seed))
        finally:
            torch.set_num_threads(threads)
        return self

    def _tensors(self, groups, dtype):
        """Padded data (patients, max points, 1) on the network's time axis, its mask, each scale."""
        import torch

        m = max(len(t) for _, t, _, _ in groups)
        x, y, mask = np.zeros((len(groups), m, 1)), np.zeros((len(groups), m, 1)), np.zeros((len(groups), m, 1))
        scales = np.ones((len(groups), 1, 1))  # each patient's largest measurement
        for i, (_, t, v, _) in enumerate(groups):
            x[i, :len(t), 0] = self._warp(t)
            y[i, :len(t), 0] = v
            mask[i, :len(t), 0] = 1.0
            scales[i] = max(np.abs(v).max(), 1e-12)
        return [torch.as_tensor(a, dtype=dtype, device=self.device) for a in (x, y, mask, scales)]

    # The network's input x runs over [-1, 1]. For tumours it is linear in time. A drug's
    # curve changes in the first hour and then for a day: on a linear axis a small network
    # cannot follow the first hour, so for the drug models x is linear in log(1 + t / tau),
    # with tau a hundredth of the horizon, and the collocation times are dense early.
    def _tau(self):
        return self.horizon_ / 100 if self.model.startswith("pk") else None

    def _warp(self, t):
        """Time -> the network's input x in [-1, 1]."""
        t, tau = np.asarray(t, float), self._tau()
        if tau is None:
            return 2.0 * t / self.horizon_ - 1.0
        return 2.0 * np.log1p(t / tau) / math.log1p(self.horizon_ / tau) - 1.0

    def _unwarp(self, x):
        """x -> (time, dt/dx): the inverse of ``_warp`` and its derivative."""
        tau = self._tau()
        if tau is None:
            return (x + 1.0) * self.horizon_ / 2.0, np.full_like(x, self.horizon_ / 2.0)
        half = math.log1p(self.horizon_ / tau) / 2.0
        t = tau * np.expm1((x + 1.0) * half)
        return t, half * (t + tau)

    def _train(self, groups, hidden, generator):
        torch = self._torch
        dtype = torch.float32
        names = list(TYPICAL[self.model])
        trained = [n for n in names if n != "N0"]  # N0 is the network's own u(0)
        x, y, mask, scales = self._tensors(groups, dtype)
        count = mask.sum(dim=1)  # (patients, 1)
        weights, biases = _build_networks(len(groups), hidden, 1, generator, dtype)
        weights = [w.detach().to(self.device).requires_grad_(True) for w in weights]
        biases = [b.detach().to(self.device).requires_grad_(True) for b in biases]
        guesses = [initial_guess(self.model, t, v, dose=d) for _, t, v, d in groups]
        log_p = torch.tensor(np.log([[g[n] for n in trained] for g in guesses]), dtype=dtype,
                             device=self.device).requires_grad_(True)
        doses = (torch.tensor([[d] for *_, d in groups], dtype=dtype, device=self.device)
                 if self.model.startswith("pk") else None)
        grid = np.linspace(-1.0, 1.0, self.n_collocation)
        t_grid, dt_dx = (torch.as_tensor(a, dtype=dtype, device=self.device) for a in self._unwarp(grid))
        colloc = torch.as_tensor(grid, dtype=dtype, device=self.device).repeat(len(groups), 1)[:, :, None]
        colloc.requires_grad_(True)
        self._scales = scales

        optimizer = torch.optim.Adam([*weights, *biases, log_p], lr=self.learning_rate)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, self.steps,
                                                              eta_min=self.learning_rate / 100)
        use_physics = self.physics_weight > 0
        warmup = self.steps // 5
        history = torch.zeros(self.steps, 2, dtype=dtype, device=self.device)
        for step in progress(range(self.steps), desc="PINN training", min_total=200):
            optimizer.zero_grad()
            data = ((((_forward(x, weights, biases) - y / scales) ** 2) * mask).sum(dim=1) / count).sum()
            physics = torch.zeros((), dtype=dtype, device=self.device)
            if use_physics and step >= warmup:
                p = {n: torch.exp(log_p[:, i])[:, None] for i, n in enumerate(trained)}
                physics = self._physics(colloc, t_grid, dt_dx, weights, biases, p, doses)
            loss = data + self.physics_weight * physics
            loss.backward()
            optimizer.step()
            schedule.step()
            history[step, 0], history[step, 1] = data.detach(), physics.detach()

        self._weights = [w.detach() for w in weights]
        self._biases = [b.detach() for b in biases]
        self.history_ = pd.DataFrame(history.cpu().numpy().astype(float), columns=["data", "physics"])
        self.history_.index.name = "step"
        estimates = np.exp(log_p.detach().cpu().numpy().astype(float))
        if not use_physics:
            estimates[:] = np.nan
        table = pd.DataFrame(estimates, columns=trained, index=pd.Index(self.patients_, name="patient"))
        if "N0" in names:
            table.insert(0, "N0", self._curves(np.zeros(1))[:, 0])
        self.parameters_ = table

    def _physics(self, colloc, t_grid, dt_dx, weights, biases, p, doses):
        """Mean squared ODE residual at the collocation times, plus the initial-condition misfit.

        The residual is taken on the network's own scale, ``du/dx - (dt/dx) f(u) / scale`` (x the
        network's input, u its output), so every patient and model weighs alike.
        """
        torch = self._torch
        scales = self._scales  # (patients, 1, 1)
        out = _forward(colloc, weights, biases)  # (patients, points, 1), in units of the scale
        du_dx = torch.autograd.grad(out.sum(), colloc, create_graph=True)[0][:, :, 0]
        u = out[:, :, 0] * scales[:, 0]
        if self.model == "gompertz":
            u = u.clamp_min(1e-6 * scales[:, 0])  # its log needs N > 0 (early in training)
        if self.model == "pk_oral":
            # the gut holds dose * exp(-ka t), solved exactly; the network is the concentration
            states = [doses * torch.exp(-p["ka"] * t_grid), u]
        else:
            states = [u]
        f = _rhs(self.model, states, p, torch.log)[-1]
        residual = du_dx - dt_dx * f / scales[:, 0]
        total = (residual ** 2).mean(dim=1).sum()
        if self.model.startswith("pk"):  # the concentration at the dose: dose / V (IV) or 0 (oral)
            start = _forward(colloc[:, :1].detach(), weights, biases)[:, 0, 0]  # x = -1 is t = 0
            target = doses[:, 0] / p["V"][:, 0] / scales[:, 0, 0] if self.model == "pk_iv" else 0.0
            total = total + ((start - target) ** 2).sum()
        return total

    def _curves(self, t: np.ndarray) -> np.ndarray:
        """The curve of every patient's network at ``t``: (patients, times)."""
        torch = self._torch
        x = torch.as_tensor(self._warp(t), dtype=torch.float32, device=self.device)
        x = x.repeat(len(self.patients_), 1)[:, :, None]
        with torch.no_grad():
            out = _forward(x, self._weights, self._biases)[:, :, 0] * self._scales[:, 0]
        return out.cpu().numpy().astype(float)

    def predict(self, time, *, patient=None) -> np.ndarray:
        """The network's curve at ``time``: 1-d for one patient, (patients, times) for all.

        Without a patient column at fit, ``predict(time)`` gives the one curve. With one,
        ``predict(time, patient=p)`` gives patient ``p``'s curve and ``predict(time)`` one row
        per patient, in the order of ``patients_``. (For ``pk_oral``, the concentration.)
        """
        if not hasattr(self, "parameters_"):
            raise ValueError("this PhysicsInformedODE is not fitted yet: call fit(time, measurement) first")
        index = {pid: i for i, pid in enumerate(self.patients_)}

        def curve(pid, t):
            return self._curves(t)[index[pid]]

        return _predictions(self.patients_, self._single, curve, time, patient)
