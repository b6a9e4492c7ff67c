"""Tumour growth and pharmacokinetics: the closed forms solve their ODEs, and the simulators
return the truth they used."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad, solve_ivp

import biomedkit as bk
from biomedkit.simulate.dynamics import TYPICAL, gompertz_curve, logistic_curve, one_compartment_curve

T = np.linspace(0, 60, 61)


def _numerical(rhs, y0, t):
    """The ODE solved by scipy (tight tolerances), written here from the equations alone."""
    sol = solve_ivp(rhs, (0, t[-1]), y0, t_eval=t, method="DOP853", rtol=1e-11, atol=1e-12)
    assert sol.success
    return sol.y


# --- the closed forms against a numerical solver ------------------------------------------

@pytest.mark.parametrize("n0, r, k", [(50, 0.15, 1500), (10, 0.4, 200), (900, 0.05, 600)])
def test_logistic_closed_form_solves_its_ode(n0, r, k):
    numerical = _numerical(lambda t, n: r * n * (1 - n / k), [n0], T)[0]
    np.testing.assert_allclose(logistic_curve(T, N0=n0, r=r, K=k), numerical, rtol=1e-8)


@pytest.mark.parametrize("n0, r, k", [(50, 0.07, 1500), (10, 0.2, 200), (900, 0.05, 600)])
def test_gompertz_closed_form_solves_its_ode(n0, r, k):
    numerical = _numerical(lambda t, n: r * n * np.log(k / n), [n0], T)[0]
    np.testing.assert_allclose(gompertz_curve(T, N0=n0, r=r, K=k), numerical, rtol=1e-8)


@pytest.mark.parametrize("ka, ke, v", [(1.0, 0.15, 30.0), (0.3, 0.6, 12.0), (2.5, 0.05, 80.0)])
def test_bateman_function_solves_the_oral_one_compartment_model(ka, ke, v):
    dose, t = 100.0, np.linspace(0, 48, 97)
    # state: amount in the gut, concentration in the blood
    gut, conc = _numerical(lambda _, s: [-ka * s[0], ka * s[0] / v - ke * s[1]], [dose, 0.0], t)
    np.testing.assert_allclose(one_compartment_curve(t, dose=dose, ka=ka, ke=ke, V=v), conc, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(gut, dose * np.exp(-ka * t), rtol=1e-8, atol=1e-6)  # 1e-8 of the dose


def test_iv_bolus_solves_its_ode():
    t = np.linspace(0, 48, 97)
    numerical = _numerical(lambda _, c: -0.2 * c, [100 / 25], t)[0]
    np.testing.assert_allclose(one_compartment_curve(t, dose=100, ke=0.2, V=25), numerical, rtol=1e-8)


# --- the closed forms by hand ---------------------------------------------------------------

def test_logistic_and_gompertz_by_hand():
    n0, r, k = 50.0, 0.15, 1500.0
    # logistic: half the capacity at t = log(K / N0 - 1) / r; N(0) = N0; N -> K
    half = math.log(k / n0 - 1) / r
    assert logistic_curve(half, N0=n0, r=r, K=k) == pytest.approx(k / 2, rel=1e-12)
    assert logistic_curve(0.0, N0=n0, r=r, K=k) == pytest.approx(n0)
    # Gompertz: the inflection N = K / e at t = log(log(K / N0)) / r
    inflection = math.log(math.log(k / n0)) / 0.07
    assert gompertz_curve(inflection, N0=n0, r=0.07, K=k) == pytest.approx(k / math.e, rel=1e-12)
    assert gompertz_curve(1e4, N0=n0, r=0.07, K=k) == pytest.approx(k, rel=1e-12)
    # a value worked out on paper: K / (1 + 29 e^-1.5) for t = 10
    assert logistic_curve(10.0, N0=n0, r=r, K=k) == pytest.approx(1500 / (1 + 29 * 0.22313016014842982), rel=1e-12)


def test_bateman_peak_and_area_by_hand():
    dose, ka, ke, v = 100.0, 1.0, 0.15, 30.0
    t_peak = math.log(ka / ke) / (ka - ke)  # where dC/dt = 0
    c_peak = dose / v * (ka / ke) ** (-ke / (ka - ke))
    t = np.linspace(0, 24, 240_001)
    c = one_compartment_curve(t, dose=dose, ka=ka, ke=ke, V=v)
    assert t[np.argmax(c)] == pytest.approx(t_peak, abs=1e-4)
    assert c.max() == pytest.approx(c_peak, rel=1e-9)
    # the area under the curve is dose / (V ke) = dose / clearance
    area, _ = quad(lambda s: float(one_compartment_curve(s, dose=dose, ka=ka, ke=ke, V=v)), 0, np.inf)
    assert area == pytest.approx(dose / (v * ke), rel=1e-8)


def test_bateman_function_at_equal_rates_is_its_limit():
    t = np.linspace(0, 30, 31)
    limit = 100 / 20 * 0.3 * t * np.exp(-0.3 * t)  # dose / V ka t exp(-ke t)
    np.testing.assert_allclose(one_compartment_curve(t, dose=100, ka=0.3, ke=0.3, V=20), limit, rtol=1e-12)
    near = one_compartment_curve(t, dose=100, ka=0.3 * (1 + 1e-7), ke=0.3, V=20)
    np.testing.assert_allclose(near, limit, rtol=1e-6)
    assert one_compartment_curve(-1.0, dose=100, ka=1.0, ke=0.1, V=20) == 0  # before the dose


# --- the simulators ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tumours():
    return bk.simulate.tumour_growth(n_patients=6, model="logistic", random_state=0)


def test_tumour_growth_is_deterministic_and_tidy(tumours):
    data, truth = tumours
    again, truth_again = bk.simulate.tumour_growth(n_patients=6, model="logistic", random_state=0)
    other, _ = bk.simulate.tumour_growth(n_patients=6, model="logistic", random_state=1)
    pd.testing.assert_frame_equal(data.frame, again.frame)
    pd.testing.assert_frame_equal(truth.parameters, truth_again.parameters)
    assert not data.frame.equals(other.frame)
    assert list(data.frame.columns) == ["patient", "time", "measurement"] and data.target == "measurement"
    assert len(data.frame) == 6 * 6 and data.card["name"] == "tumour_growth" and data.truth is truth
    per_patient = data.frame.groupby("patient")["time"]
    assert (per_patient.min() == 0).all() and (per_patient.max() <= 30).all()
    assert (per_patient.apply(lambda s: s.is_monotonic_increasing)).all()
    assert list(truth.parameters.columns) == ["N0", "r", "K"] and "logistic" in repr(truth)


def test_default_shape_matches_the_cards():
    for simulate, name in ((bk.simulate.tumour_growth, "tumour_growth"),
                           (bk.simulate.pharmacokinetics, "pharmacokinetics")):
        data, _ = simulate(random_state=0)
        card = bk.datasets.catalog().set_index("name").loc[name]
        assert data.frame.shape == (card["rows"], card["columns"])


def test_loads_through_the_catalogue():
    data = bk.datasets.load("pharmacokinetics", n_patients=3, random_state=2)
    pd.testing.assert_frame_equal(data.frame, bk.simulate.pharmacokinetics(n_patients=3, random_state=2)[0].frame)


def test_dense_truth_is_the_closed_form(tumours):
    data, truth = tumours
    curve = truth.curve
    assert curve.groupby("patient").size().eq(241).all() and curve.time.max() == 60.0
    p = truth.parameters.loc[2]
    rows = curve[curve.patient == 2]
    np.testing.assert_allclose(rows.value, logistic_curve(rows.time.to_numpy(), N0=p.N0, r=p.r, K=p.K))
    assert rows.value.iloc[0] == pytest.approx(p.N0)
    np.testing.assert_allclose(truth.value([0.0, 45.0], patient=2),
                               logistic_curve(np.array([0.0, 45.0]), N0=p.N0, r=p.r, K=p.K))


@pytest.mark.parametrize("simulate", [bk.simulate.tumour_growth, bk.simulate.pharmacokinetics])
def test_without_noise_the_measurements_are_the_truth(simulate):
    data, truth = simulate(n_patients=4, noise_level=0.0, random_state=3)
    f = data.frame
    for pid, rows in f.groupby("patient"):
        np.testing.assert_allclose(rows.measurement, truth.value(rows.time.to_numpy(), pid), rtol=1e-12)


def test_noise_has_the_size_asked_for():
    data, truth = bk.simulate.tumour_growth(n_patients=400, noise_level=0.2, random_state=4)
    f = data.frame
    true = np.concatenate([truth.value(rows.time.to_numpy(), pid) for pid, rows in f.groupby("patient")])
    relative = f.sort_values(["patient", "time"]).measurement.to_numpy() / true - 1
    assert relative.std() == pytest.approx(0.2, rel=0.05) and abs(relative.mean()) < 0.01
    data, truth = bk.simulate.pharmacokinetics(n_patients=400, noise="additive", noise_level=0.1, random_state=4)
    f = data.frame
    true = np.concatenate([truth.value(rows.time.to_numpy(), pid) for pid, rows in f.groupby("patient")])
    error = f.measurement.to_numpy() - true
    # the additive sd is 10 % of a typical patient's peak, worked out from the Bateman peak
    ka, ke, v = TYPICAL["pk_oral"]["ka"], TYPICAL["pk_oral"]["ke"], TYPICAL["pk_oral"]["V"]
    peak = 100 / v * (ka / ke) ** (-ke / (ka - ke))
    assert truth.noise_sd == pytest.approx(0.1 * peak, rel=1e-4)
    assert error.std() == pytest.approx(0.1 * peak, rel=0.05)


def test_between_patient_variation_is_log_normal_around_the_typical_values():
    _, truth = bk.simulate.pharmacokinetics(n_patients=4000, variability=0.4, random_state=5,
                                            typical={"ke": 0.2})
    logs = np.log(truth.parameters)
    np.testing.assert_allclose(np.exp(logs.median()), [1.0, 0.2, 30.0], rtol=0.03)
    np.testing.assert_allclose(logs.std(), 0.4, rtol=0.05)
    _, same = bk.simulate.tumour_growth(n_patients=3, variability=0.0, random_state=0)
    assert (same.parameters == pd.Series(TYPICAL["gompertz"])).all().all()


def test_pharmacokinetic_samples_and_routes():
    data, truth = bk.simulate.pharmacokinetics(n_patients=5, route="iv", dose=250.0, n_times=8, random_state=6)
    f = data.frame
    assert list(f.columns) == ["patient", "time", "dose", "measurement"] and (f.dose == 250).all()
    assert len(f) == 40 and f.time.min() >= 0.225 and f.time.max() <= 24
    assert truth.model == "pk_iv" and list(truth.parameters.columns) == ["ke", "V"]
    first = truth.curve[truth.curve.time == 0].value.to_numpy()
    np.testing.assert_allclose(first, 250 / truth.parameters.V.to_numpy())  # C(0) = dose / V


@pytest.mark.parametrize("kwargs, error, match", [
    ({"model": "exponential"}, ValueError, "model must be one of"),
    ({"model": 3}, TypeError, "model must be one of"),
    ({"n_times": 1}, ValueError, "n_times"),
    ({"n_patients": 0}, ValueError, "n_patients"),
    ({"follow_up": -1.0}, ValueError, "follow_up"),
    ({"horizon": 10.0}, ValueError, "horizon"),
    ({"noise": "gaussian"}, ValueError, "noise must be one of"),
    ({"noise_level": 2.0}, ValueError, "noise_level"),
    ({"variability": -0.1}, ValueError, "variability"),
    ({"typical": {"ka": 1.0}}, ValueError, "does not use"),
    ({"typical": {"N0": 2000.0}}, ValueError, "below the carrying capacity"),
    ({"typical": {"r": "fast"}}, TypeError, "typical"),
    ({"typical": [("r", 0.1)]}, TypeError, "typical must be a dict"),
    ({"random_state": "a"}, TypeError, "random_state"),
])
def test_tumour_growth_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        bk.simulate.tumour_growth(**kwargs)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"route": "oral_solution"}, ValueError, "route must be one of"),
    ({"dose": -5.0}, ValueError, "dose"),
    ({"dose": "100 mg"}, TypeError, "dose"),
    ({"follow_up": 0.2}, ValueError, "follow_up"),
    ({"typical": {"ka": 0.0}}, ValueError, "typical"),
    ({"route": "iv", "typical": {"ka": 1.0}}, ValueError, "does not use"),
])
def test_pharmacokinetics_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        bk.simulate.pharmacokinetics(**kwargs)


def test_truth_value_names_a_missing_patient(tumours):
    with pytest.raises(ValueError, match="patient must be one of"):
        tumours[1].value([1.0], patient=99)
    with pytest.raises(ValueError, match="t must hold finite"):
        logistic_curve([np.nan], N0=1, r=1, K=2)


def test_caller_typical_dict_is_not_changed():
    typical = {"r": 0.1}
    bk.simulate.tumour_growth(n_patients=2, typical=typical, random_state=0)
    assert typical == {"r": 0.1}
