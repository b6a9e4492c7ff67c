"""bk.datasets.binary_at_horizon: outcomes and weights computed by hand, the weighted event
rate against lifelines' Kaplan-Meier estimator (Satten and Datta 2001), the weights against
lifelines' Kaplan-Meier fit of the censoring times, and the bad inputs."""

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_gbsg2

import biomedkit as bk
from biomedkit.datasets._horizon import censoring_survival_before

at_horizon = bk.datasets.binary_at_horizon


@pytest.fixture
def small():
    return pd.DataFrame({"days": [100, 400, 900, 1200, 2000, 2100], "died": [1, 0, 1, 0, 1, 0],
                         "age": [71, 64, 58, 66, 49, 55]}, index=list("abcdef"))


def km_event_rate(time, event, horizon):
    km = KaplanMeierFitter().fit(time, event)
    return 1 - float(km.predict(horizon))


def test_outcome_and_weights_by_hand(small):
    # G(t-): 1 until 400, 0.8 after the censoring at 400 (5 at risk), so 1/G is 1, 1.25, 1.25...
    out = at_horizon(small, time="days", event="died", horizon=1000, censoring="ipcw")
    assert out.index.tolist() == ["a", "c", "d", "e", "f"]  # b: censored at 400, unknown
    assert out["event_by_horizon"].tolist() == [1, 1, 0, 0, 0]
    assert out["ipcw_weight"].tolist() == pytest.approx([1, 1.25, 1.25, 1.25, 1.25], abs=1e-15)
    assert out["event_by_horizon"].dtype == np.int64
    assert list(out.columns) == ["days", "died", "age", "event_by_horizon", "ipcw_weight"]
    # 1 - KM: S(900) = 5/6 * 3/4, so 0.375 of the 6 patients have the event by day 1000
    assert (out.event_by_horizon * out.ipcw_weight).sum() / len(small) == pytest.approx(0.375)


def test_drop_removes_the_censored_rows_and_warns_with_the_count(small):
    with pytest.warns(UserWarning, match=r"removed 1 of 6 rows \(16\.7%\) censored before the "
                                         r"horizon \(1000\).*biased upwards.*censoring='ipcw'"):
        out = at_horizon(small, time="days", event="died", horizon=1000)
    assert out.index.tolist() == ["a", "c", "d", "e", "f"] and "ipcw_weight" not in out
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nobody censored before day 300: no warning
        assert at_horizon(small, time="days", event="died", horizon=300)["event_by_horizon"].sum() == 1


def test_boundaries_event_and_censoring_at_the_horizon():
    # an event at the horizon counts (T <= h); a censoring at the horizon means event-free at h
    df = pd.DataFrame({"t": [5.0, 5.0, 3.0, 7.0], "e": [1, 0, 0, 1]})
    out = at_horizon(df, time="t", event="e", horizon=5.0, censoring="ipcw")
    assert out.index.tolist() == [0, 1, 3] and out["event_by_horizon"].tolist() == [1, 0, 0]
    # G(5-) = 1 - 1/4 after the censoring at 3 (all 4 at risk): every kept row weighs 4/3
    assert out["ipcw_weight"].tolist() == pytest.approx([4 / 3] * 3)
    assert out["ipcw_weight"].sum() == pytest.approx(len(df))


def test_ties_follow_the_kaplan_meier_convention():
    # at t=2 one event and one censoring among 3: the censoring comes after the event,
    # so G(2) = 1 - 1/(3 - 1) = 0.5 and the patient followed to t=3 weighs 2
    df = pd.DataFrame({"t": [2, 2, 3], "e": [1, 0, 0]})
    out = at_horizon(df, time="t", event="e", horizon=2.5, censoring="ipcw")
    assert out["ipcw_weight"].tolist() == pytest.approx([1.0, 2.0])
    assert (out.event_by_horizon * out.ipcw_weight).sum() / 3 == pytest.approx(
        km_event_rate(df.t, df.e, 2.5))  # 1/3


@pytest.mark.parametrize("horizon", [365, 730, 1095, 1461, 1826, 2191])
def test_weighted_event_rate_equals_lifelines_kaplan_meier_on_gbsg2(horizon):
    # Satten and Datta (2001): the IPCW-weighted rate is 1 - KM(h), exactly, ties included
    df = load_gbsg2()
    out = at_horizon(df, time="time", event="cens", horizon=horizon, censoring="ipcw")
    rate = (out.event_by_horizon * out.ipcw_weight).sum() / len(df)
    assert rate == pytest.approx(km_event_rate(df.time, df.cens, horizon), abs=1e-12)
    assert out["ipcw_weight"].sum() == pytest.approx(len(df), abs=1e-9)


def test_gbsg2_at_five_years_naive_and_dropped_rates_bracket_kaplan_meier():
    df = load_gbsg2()
    h = 1826
    censored_early = int(((df.cens == 0) & (df.time < h)).sum())
    with pytest.warns(UserWarning, match=f"removed {censored_early} of 686 rows"):
        dropped = at_horizon(df, time="time", event="cens", horizon=h)
    naive = ((df.cens == 1) & (df.time <= h)).mean()  # "censored = no event"
    km = km_event_rate(df.time, df.cens, h)
    assert len(dropped) == 686 - censored_early
    assert naive < km - 0.05 and dropped.event_by_horizon.mean() > km + 0.1


def test_weights_equal_lifelines_reverse_kaplan_meier_without_ties():
    # with distinct times, G is lifelines' KaplanMeierFitter on the reversed indicator
    rng = np.random.default_rng(0)
    t = rng.permutation(np.arange(1, 301)) + rng.random(300)
    e = (rng.random(300) < 0.6).astype(int)
    horizon = 150.0
    km = KaplanMeierFitter().fit(t, 1 - e)
    sf = km.survival_function_.iloc[:, 0]
    at = np.minimum(t, horizon)
    expected = np.array([sf[sf.index < s].iloc[-1] if (sf.index < s).any() else 1.0 for s in at])
    assert censoring_survival_before(t, e.astype(float), at) == pytest.approx(expected, abs=1e-12)
    out = at_horizon(pd.DataFrame({"t": t, "e": e}), time="t", event="e", horizon=horizon,
                     censoring="ipcw")
    known = ~((e == 0) & (t < horizon))
    assert out["ipcw_weight"].to_numpy() == pytest.approx(1 / expected[known], abs=1e-12)


def test_booleans_nullable_integers_and_names(small):
    df = small.assign(died=small.died.astype(bool), days=small.days.astype("Int64"))
    out = at_horizon(df, time="days", event="died", horizon=1000, censoring="ipcw",
                     outcome="died_by_1000", weight="w")
    reference = at_horizon(small, time="days", event="died", horizon=1000, censoring="ipcw")
    assert out["died_by_1000"].tolist() == reference["event_by_horizon"].tolist()
    assert out["w"].tolist() == reference["ipcw_weight"].tolist()


def test_does_not_mutate_its_input(small):
    before = small.copy()
    with pytest.warns(UserWarning):
        at_horizon(small, time="days", event="died", horizon=1000)
    at_horizon(small, time="days", event="died", horizon=1000, censoring="ipcw")
    pd.testing.assert_frame_equal(small, before)


@pytest.mark.parametrize("change, kwargs, error, match", [
    (None, dict(time="day"), ValueError, r"time='day' is not a column of data; columns are: days"),
    (None, dict(event=["died"]), ValueError, r"event=\['died'\] is not a column"),
    (None, dict(event="days"), ValueError, "time and event are the same column"),
    (None, dict(horizon=0), ValueError, r"horizon must be a number in \(0, inf\)"),
    (None, dict(horizon=-5), ValueError, "horizon must be a number"),
    (None, dict(horizon=np.nan), ValueError, "horizon must be a number"),
    (None, dict(horizon=True), ValueError, "horizon must be a number"),
    (None, dict(horizon="5y"), ValueError, "horizon must be a number"),
    (None, dict(horizon=5000), ValueError, r"no patient is followed up to horizon=5000 \(the longest time is 2100\)"),
    (None, dict(censoring="naive"), ValueError, r"censoring must be one of \('drop', 'ipcw'\)"),
    (None, dict(outcome="age"), ValueError, "outcome='age' is already a column of data"),
    (None, dict(outcome=3), TypeError, "outcome must be a column name"),
    (None, dict(censoring="ipcw", weight="age"), ValueError, "weight='age' is already a column"),
    (None, dict(censoring="ipcw", weight="event_by_horizon"), ValueError, "must be different names"),
    (lambda d: d.assign(days=d.days.astype(str)), {}, TypeError, r"time='days' must hold numbers.*pd.to_numeric"),
    (lambda d: d.assign(days=d.days > 500), {}, TypeError, "time='days' must hold numbers"),
    (lambda d: d.assign(days=d.days.where(d.age > 50)), {}, ValueError, "time='days' has 1 missing values"),
    (lambda d: d.assign(days=d.days - 200), {}, ValueError, r"time='days' has 1 negative values \(smallest -100\)"),
    (lambda d: d.assign(days=d.days.astype(float).where(d.age > 50, np.inf)), {}, ValueError, "infinite"),
    (lambda d: d.assign(died=np.where(d.died == 1, "dead", "alive")), {}, TypeError,
     r"event='died' must hold 0/1.*Recode"),
    (lambda d: d.assign(died=d.died + 1), {}, ValueError,
     r"only 0 \(censored\) and 1 \(event\); got values \[1\.0, 2\.0\].*== 2"),
    (lambda d: d.assign(died=d.died.where(d.age > 50)), {}, ValueError, "event='died' has 1 missing values"),
])
def test_bad_input_names_the_argument(small, change, kwargs, error, match):
    data = small if change is None else change(small)
    args = dict(time="days", event="died", horizon=1000) | kwargs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(error, match=match):
            at_horizon(data, **args)


def test_data_must_be_a_dataframe(small):
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        at_horizon(small.to_numpy(), time="days", event="died", horizon=1000)


def test_options_are_keyword_only(small):
    with pytest.raises(TypeError):
        at_horizon(small, "days", "died", 1000)  # noqa
