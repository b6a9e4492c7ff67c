"""From a follow-up time and an event flag to a binary outcome at a horizon
(``bk.datasets.binary_at_horizon``), with censoring handled honestly."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from biomedkit._checks import check_float

CENSORING = ("drop", "ipcw")


def binary_at_horizon(data: pd.DataFrame, *, time, event, horizon: float, censoring: str = "drop",
                      outcome: str = "event_by_horizon", weight: str = "ipcw_weight") -> pd.DataFrame:
    """A copy of a table with a binary outcome: did the event happen by ``horizon``?

    A follow-up table has, per patient, a time (to the event, or to the last contact) and an
    event flag (1: the event happened at that time; 0: censored, event-free when last seen).
    At a horizon ``h`` each patient falls in one of three sets:

    - the event by the horizon (``event == 1`` and ``time <= h``): outcome 1;
    - followed to the horizon without the event (``time > h``, or censored at ``h`` exactly):
      outcome 0;
    - censored before the horizon (``event == 0`` and ``time < h``): the outcome is
      **unknown**. These rows are always removed, as no outcome can be given to them.

    Removing them is not neutral. Those who remain over-represent early events: every event
    before the horizon is kept, while the event-free patients who left early are gone, so
    the event rate of the kept rows is biased upwards (and calling the censored patients
    "no event" biases it downwards). ``censoring`` says how to handle that:

    - ``"drop"``: keep the other rows as they are, and warn with the count. Acceptable when
      few patients are censored before the horizon.
    - ``"ipcw"``: add a column ``weight`` of inverse probability of censoring weights:
      ``1 / G(min(time, h)-)``, where ``G(t-)`` is the probability of remaining uncensored
      until ``t``, estimated by the Kaplan-Meier estimator of the censoring distribution
      (the event indicator reversed). Each kept row then stands also for the censored
      patients like it. The weights sum to the number of input rows, and the weighted
      event rate equals one minus the Kaplan-Meier estimate of event-free survival at the
      horizon. Pass them as ``sample_weight`` when fitting.

    The time and event columns stay in the returned frame: they define the outcome, so
    leave them out of a model's features (``bk.audit`` flags them).

    Parameters
    ----------
    data : DataFrame
        One row per patient. It is not modified.
    time : column name
        Follow-up time: non-negative numbers, no missing values (any unit; ``horizon`` in
        the same unit).
    event : column name
        1 (or True) where the event was observed at ``time``, 0 (or False) where the
        patient was censored.
    horizon : float
        The time at which the outcome is read, in the unit of ``time`` (e.g. 1826 days for
        five years). Must be positive, and some patients must be followed up to it.
    censoring : {"drop", "ipcw"}, default="drop"
        How to handle the patients censored before the horizon (see above).
    outcome : str, default="event_by_horizon"
        Name of the new outcome column (0/1 integers); must not be a column of ``data``.
    weight : str, default="ipcw_weight"
        Name of the new weight column (``censoring="ipcw"`` only).

    Returns
    -------
    DataFrame
        The rows of ``data`` whose outcome at the horizon is known, with their index, all
        their columns, ``outcome`` and, for ``"ipcw"``, ``weight``.

    Warns
    -----
    UserWarning
        With ``censoring="drop"``, when rows censored before the horizon were removed: how
        many, and why that biases the event rate.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame, ``time`` is not numeric or ``event`` is not 0/1 or
        boolean.
    ValueError
        For a missing column, missing or negative times, event values other than 0 and 1,
        a horizon that is not positive or that nobody is followed to, an unknown
        ``censoring``, or an output name that is already a column.

    Notes
    -----
    Tied times follow the Kaplan-Meier convention that events come before censorings at
    the same time: ``G`` counts a censoring at ``t`` after the events at ``t``. With this
    convention the weighted event rate equals ``1 - S(h)`` of the Kaplan-Meier estimator
    exactly, ties included (Satten and Datta 2001). A Kaplan-Meier fit of the censoring
    times alone (for instance lifelines' ``KaplanMeierFitter`` on ``1 - event``) counts the
    events at ``t`` among those still at risk of censoring and gives slightly different
    weights after such ties; without ties the two agree.

    References
    ----------
    Satten GA, Datta S (2001). The Kaplan-Meier estimator as an inverse-probability-of-
    censoring weighted average. *The American Statistician* 55:207-210.

    Graf E, Schmoor C, Sauerbrei W, Schumacher M (1999). Assessment and comparison of
    prognostic classification schemes for survival data. *Statistics in Medicine*
    18:2529-2545 (inverse probability of censoring weights at a horizon).

    Examples
    --------
    >>> import pandas as pd
    >>> import biomedkit as bk
    >>> df = pd.DataFrame({"days": [100, 400, 900, 1200, 2000, 2100],
    ...                    "died": [1, 0, 1, 0, 1, 0], "age": [71, 64, 58, 66, 49, 55]})
    >>> out = bk.datasets.binary_at_horizon(df, time="days", event="died", horizon=1000,
    ...                                     censoring="ipcw")
    >>> out[["days", "died", "event_by_horizon", "ipcw_weight"]]
       days  died  event_by_horizon  ipcw_weight
    0   100     1                 1         1.00
    2   900     1                 1         1.25
    3  1200     0                 0         1.25
    4  2000     1                 0         1.25
    5  2100     0                 0         1.25
    >>> float((out.event_by_horizon * out.ipcw_weight).sum() / len(df))  # = 1 - KM at 1000
    0.375
    """
    t, d, horizon = _checked(data, time, event, horizon, censoring, outcome, weight)
    is_event = (d == 1) & (t <= horizon)
    unknown = (d == 0) & (t < horizon)  # censored before the horizon
    if not (t >= horizon).any():
        raise ValueError(f"no patient is followed up to horizon={horizon:g} (the longest time is "
                         f"{t.max():g}); choose a horizon within the follow-up")
    out = data.loc[~unknown].copy()
    out[outcome] = is_event[~unknown].astype(np.int64)
    n_unknown = int(unknown.sum())
    if censoring == "ipcw":
        uncensored = censoring_survival_before(t, d, np.minimum(t, horizon))
        out[weight] = 1.0 / uncensored[~unknown]
    elif n_unknown:
        warnings.warn(
            f"binary_at_horizon removed {n_unknown} of {t.size} rows ({n_unknown / t.size:.1%}) "
            f"censored before the horizon ({horizon:g}): their outcome is unknown. Without them the "
            "event rate is biased upwards (event-free patients who left early are missing); "
            "censoring='ipcw' weights the remaining rows to correct for it.", UserWarning, stacklevel=2)
    return out


def censoring_survival_before(time: np.ndarray, event: np.ndarray, at: np.ndarray) -> np.ndarray:
    """G(at-): the Kaplan-Meier probability of remaining uncensored until each time in
    ``at`` (censorings strictly before it), with events before censorings at tied times."""
    times, inverse = np.unique(time, return_inverse=True)
    events = np.bincount(inverse, weights=event, minlength=times.size)
    censored = np.bincount(inverse, weights=1 - event, minlength=times.size)
    at_risk = time.size - np.cumsum(events + censored) + events + censored
    at_risk_of_censoring = at_risk - events  # the events at a time come first
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(at_risk_of_censoring > 0, 1 - censored / at_risk_of_censoring, 1.0)
    after = np.cumprod(factor)
    before = np.concatenate([[1.0], after])  # before[j]: the product over times[:j]
    return before[np.searchsorted(times, at, side="left")]


def _checked(data, time, event, horizon, censoring, outcome, weight) -> tuple[np.ndarray, np.ndarray, float]:
    """The times and events as float arrays, and the horizon, after checking every argument."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame (e.g. from pd.read_csv); got {type(data).__name__}")
    for arg, name in (("time", time), ("event", event)):
        try:
            known = name in data.columns
        except TypeError:  # an unhashable value names no column
            known = False
        if not known:
            raise ValueError(f"{arg}={name!r} is not a column of data; columns are: "
                             f"{', '.join(map(str, data.columns[:20]))}")
    if time == event:
        raise ValueError(f"time and event are the same column {time!r}; pass the follow-up time "
                         "and the event flag")
    horizon = check_float(horizon, "horizon", 0, np.inf, open_low=True, open_high=True)
    if censoring not in CENSORING:
        raise ValueError(f"censoring must be one of {CENSORING}; got {censoring!r}")
    names = [("outcome", outcome)] + ([("weight", weight)] if censoring == "ipcw" else [])
    for arg, name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(f"{arg} must be a column name (a non-empty str); got {name!r}")
        if name in data.columns:
            raise ValueError(f"{arg}={name!r} is already a column of data; pass another name, "
                             f"e.g. {arg}={name + '_new'!r}")
    if censoring == "ipcw" and outcome == weight:
        raise ValueError(f"outcome and weight must be different names; both are {outcome!r}")
    return _times(data[time], time), _events(data[event], event), horizon


def _times(column: pd.Series, name) -> np.ndarray:
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        raise TypeError(f"time={name!r} must hold numbers (days, months, years); got dtype {dtype}. "
                        "Convert it first, e.g. pd.to_numeric(df[time]) or, for durations, "
                        "df[time].dt.days")
    t = column.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(t).any():
        raise ValueError(f"time={name!r} has {int(np.isnan(t).sum())} missing values; every "
                         "patient needs a follow-up time: drop or complete those rows first")
    if not np.isfinite(t).all():
        raise ValueError(f"time={name!r} has infinite values; pass finite follow-up times")
    if (t < 0).any():
        raise ValueError(f"time={name!r} has {int((t < 0).sum())} negative values (smallest "
                         f"{t.min():g}); follow-up times must be >= 0")
    return t


def _events(column: pd.Series, name) -> np.ndarray:
    dtype = column.dtype
    if not (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)):
        raise TypeError(f"event={name!r} must hold 0/1 or True/False; got dtype {dtype}. Recode "
                        "it first, e.g. df[event].eq('dead').astype(int)")
    d = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(d).any():
        raise ValueError(f"event={name!r} has {int(np.isnan(d).sum())} missing values; drop or "
                         "complete those rows first")
    values = np.unique(d)
    if not np.isin(values, (0, 1)).all():
        raise ValueError(f"event={name!r} must hold only 0 (censored) and 1 (event); got values "
                         f"{values[:5].tolist()}. Some packages code 1 = censored and 2 = event: "
                         "recode, e.g. (df[event] == 2).astype(int)")
    return d
