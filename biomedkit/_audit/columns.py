"""One column at a time: how it is encoded, and whether it looks like an identifier."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_ID_TOKENS = {"id", "ids", "mrn", "uuid", "guid", "ssn", "nhs", "identifier", "accession", "barcode",
              "idx"}
_ID_PREFIXES = ("patient", "subject", "record", "study", "sample", "person", "participant", "visit",
                "encounter", "admission", "specimen", "row", "case")
_ID_ALONE = ("patient", "subject", "participant", "person", "record", "specimen", "sample")
# Names of the columns a follow-up table carries (R survival, lifelines, trial exports):
# follow-up times (time, futime, days, os_time, pfs_months) and event indicators (event,
# cens, status, death, vital_status). A name is read as one only when all its words are
# from these lists, so that smoking_status or days_in_icu are not.
_TIME_WORDS = {"time", "times", "futime", "fu", "followup", "follow", "day", "days", "tte",
               "survtime", "stime", "dtime", "rtime", "rfstime", "ostime", "pfstime", "survival",
               "surv", "ttr", "ttp", "ttd"}
_ENDPOINTS = {"os", "pfs", "dfs", "rfs", "efs", "mfs", "dss", "css"}
_EVENT_WORDS = {"event", "events", "cens", "censor", "censored", "censoring", "status", "fustat",
                "death", "dead", "died", "deceased", "vital", "relapse", "recurrence", "recur"}
_FILLER = {"to", "of", "up", "at", "in", "month", "months", "year", "years", "yrs", "week", "weeks",
           "indicator", "ind", "flag"}
ROW_NUMBER = re.compile(r"^(unnamed.*|index|level_0)$", re.IGNORECASE)  # CSV and reset_index leftovers


def encode_column(series: pd.Series) -> tuple[str, np.ndarray]:
    """("numeric", floats with NaN) for numbers, booleans, dates and durations (as ns);
    ("categorical", int codes with -1 for missing) for everything else."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or dtype.kind in "mM":
        index = pd.Index(series)
        if getattr(index, "tz", None) is not None:
            index = index.tz_convert("UTC").tz_localize(None)
        values = index.as_unit("ns").asi8.astype(float)
        values[np.asarray(index.isna())] = np.nan
        return ("datetime" if dtype.kind != "m" else "numeric"), values
    if pd.api.types.is_bool_dtype(dtype) or (pd.api.types.is_numeric_dtype(dtype) and dtype.kind != "c"):
        return "numeric", series.to_numpy(dtype=float, na_value=np.nan) + 0.0  # -0.0 -> 0.0
    try:
        codes, _ = pd.factorize(series)
    except TypeError:  # unhashable values (lists, dicts): compare their text
        codes, _ = pd.factorize(series.where(series.isna(), series.astype(str)))
    return "categorical", codes.astype(np.int64)


def _words(name) -> set:
    """The lower-case words of a column name (snake_case, camelCase, dots)."""
    return {t.lower() for t in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(name))}


def _id_name(name) -> bool:
    text = str(name)
    tokens = _words(text)
    compact = re.sub(r"[^a-z0-9]", "", text.lower())
    if tokens & _ID_TOKENS or ROW_NUMBER.match(text) or compact in _ID_ALONE:
        return True
    return any(compact.endswith(end) and compact[:-len(end)] in _ID_PREFIXES
               for end in ("id", "no", "nr", "num", "number"))


def id_reasons(name, kind, values, missing, n_unique, n) -> str:
    """Why a column looks like an identifier ('' if it does not). Nearly unique (95 %) so
    that duplicated rows do not hide an identifier."""
    reasons = []
    distinct = n >= 50 and not missing.any() and n_unique >= 0.95 * n
    if distinct and kind == "categorical":
        reasons.append("distinct text in (nearly) every row")
    elif distinct and kind == "numeric" and np.all(values == np.round(values)):
        consecutive = values.max() - values.min() + 1 == n_unique
        reasons.append("integer sequence" if consecutive else "distinct integer in (nearly) every row")
    if _id_name(name):
        reasons.append("name looks like an identifier")
    return "; ".join(reasons)


def survival_role(name, kind: str, n_unique: int) -> str:
    """'follow-up time' or 'event indicator' when the name says so (every word of it from
    the follow-up vocabulary above), '' otherwise; a numeric column with more than two
    values and a time word is a time, one with an event word an indicator."""
    words = _words(name)
    keys = words & (_TIME_WORDS | _ENDPOINTS | _EVENT_WORDS)
    if not keys or not words <= keys | _FILLER:
        return ""
    timed = words & (_TIME_WORDS | _ENDPOINTS)
    if kind == "numeric" and n_unique > 2 and (timed or not words & _EVENT_WORDS):
        return "follow-up time"
    return "event indicator" if words & (_EVENT_WORDS | _ENDPOINTS) else ""
