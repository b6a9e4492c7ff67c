"""Which column is the outcome, the group, the site, the time and the identifiers: guesses
from names and values, the checks of the chosen target, and the columns to leave out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from biomedkit._explore.tables import Message

MIN_CLASS = 10  # events and non-events the cross-validated baselines need
MAX_GROUPS = 12  # the fairness explorer draws one curve per group
MANY_LEVELS = 50  # text columns with more distinct values are left out of the models

# Words in column names that suggest a role; a name matches when one of its words (split at
# anything but letters and digits) is in the list, earlier words first.
TARGET_WORDS = ("outcome", "target", "label", "event", "death", "died", "dead", "mortality", "deceased",
                "status", "malignant", "diagnosis", "case", "cens", "y")
GROUP_WORDS = ("sex", "gender", "race", "ethnicity", "ethnic", "group")
SITE_WORDS = ("site", "centre", "center", "hospital", "inst", "institution", "clinic", "batch", "lab",
              "ward", "scanner", "practice")
ID_WORDS = ("id", "mrn", "pid", "pidnum", "seqn", "uuid", "patient", "subject", "record")
TIME_WORDS = ("date", "admitted", "admission", "year", "datetime", "enrolled", "visit")
POSITIVE_WORDS = ("1", "true", "yes", "y", "event", "dead", "died", "death", "deceased", "positive",
                  "pos", "case", "malignant", "disease", "abnormal")


@dataclass
class Roles:
    """Which column plays which part: the outcome, a group for fairness, a site, a time
    and identifiers. None (or an empty list) where there is none."""

    target: str | None = None
    group: str | None = None
    site: str | None = None
    time: str | None = None
    ids: list = field(default_factory=list)


# --- guessing the roles -----------------------------------------------------------------------

def _words(name) -> list:
    return [w for w in re.split(r"[^0-9a-z]+", str(name).lower()) if w]


def _matches(name, words) -> int | None:
    """The position in ``words`` of the first word of the column name found there, or None."""
    found = [words.index(w) for w in _words(name) if w in words]
    return min(found) if found else None


def _by_name(frame: pd.DataFrame, words, accept: Callable, taken=()) -> str | None:
    """The column whose name matches the earliest of ``words`` and that ``accept`` takes."""
    ranked = sorted((rank, i, c) for i, c in enumerate(frame.columns)
                    if c not in taken and (rank := _matches(c, words)) is not None)
    for _, _, column in ranked:
        if accept(frame[column]):
            return column
    return None


def _is_text(column: pd.Series) -> bool:
    return (column.dtype == object or isinstance(column.dtype, (pd.CategoricalDtype, pd.StringDtype))
            or pd.api.types.is_bool_dtype(column.dtype))


def _n_levels(column: pd.Series) -> int:
    return int(column.nunique(dropna=True))


def is_identifier(column: pd.Series) -> bool:
    """Distinct in (nearly) every row and text or whole numbers: a patient or record number."""
    values = column.dropna()
    if len(values) < 2 or values.nunique() < 0.95 * len(column):
        return False
    if _is_text(column):
        return True
    if pd.api.types.is_numeric_dtype(column.dtype):
        numbers = values.to_numpy(dtype=float)
        return bool(np.all(numbers == np.round(numbers)))
    return False


def guess_roles(frame: pd.DataFrame, *, target=None) -> Roles:
    """Guess the outcome, group, site, time and identifier columns from names and values.

    - target: ``target`` if given and binary; else a binary column named like
      outcome/target/label/event/death/status...; else ``target`` (binary or not); else
      a column so named, binary or not; else the last binary column.
    - group: a column with 2 to 12 levels named like sex/gender/race/ethnicity/group;
      else the first text column with 2 to 12 levels.
    - site: a column with at least 2 levels named like site/centre/hospital/inst/batch.
    - time: the first date column; else one named like date/admitted/year.
    - ids: columns named like id/mrn/patient/seqn, or text, that are distinct in (nearly)
      every row and hold text or whole numbers.

    Parameters
    ----------
    frame : DataFrame
    target : column name, optional
        A hint (a dataset card's target), kept when the column is binary.

    Returns
    -------
    Roles

    Examples
    --------
    >>> frame = pd.DataFrame({"mrn": ["a", "b", "c", "d"], "sex": ["F", "M", "F", "M"],
    ...                       "hospital": ["x", "x", "y", "y"], "died": [0, 1, 0, 0]})
    >>> guess_roles(frame)
    Roles(target='died', group='sex', site='hospital', time=None, ids=['mrn'])
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame; got {type(frame).__name__}")

    def binary(column):
        return _n_levels(column) == 2

    hint = target if target is not None and target in frame.columns else None
    if hint is not None and binary(frame[hint]):
        guess_target = hint
    else:
        # A column named like an outcome, binary or not (the app then says why it cannot model
        # it), before an unnamed binary column: guessing a flag such as smoker would mislead.
        candidates = [_by_name(frame, TARGET_WORDS, binary), hint,
                      _by_name(frame, TARGET_WORDS, lambda c: _n_levels(c) > 0)]
        guess_target = next((c for c in candidates if c is not None), None)
        if guess_target is None:
            binaries = [c for c in frame.columns if binary(frame[c]) and not is_identifier(frame[c])]
            guess_target = binaries[-1] if binaries else None
    taken = [guess_target]
    ids = [c for c in frame.columns if c not in taken and (_matches(c, ID_WORDS) is not None or _is_text(frame[c]))
           and is_identifier(frame[c])]
    taken += ids

    def few_levels(column):
        return 2 <= _n_levels(column) <= MAX_GROUPS

    group = _by_name(frame, GROUP_WORDS, few_levels, taken)
    site = _by_name(frame, SITE_WORDS, lambda c: 2 <= _n_levels(c) < max(3, 0.5 * len(c)), [*taken, group])
    if group is None:
        group = next((c for c in frame.columns if c not in (*taken, site) and _is_text(frame[c])
                      and few_levels(frame[c])), None)
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c]) and c not in taken]
    when = dates[0] if dates else _by_name(frame, TIME_WORDS, lambda c: _n_levels(c) >= 2,
                                           [*taken, group, site])
    return Roles(target=guess_target, group=group, site=site, time=when, ids=ids)


def check_roles(roles: Roles) -> list:
    """Messages for roles that clash (one column in two roles)."""
    named = [("target", roles.target), ("group", roles.group), ("site", roles.site), ("time", roles.time),
             *[("identifier", c) for c in roles.ids]]
    seen, messages = {}, []
    for role, column in named:
        if column is None:
            continue
        if column in seen:
            messages.append(Message("danger", f"Column {column} is both the {seen[column]} and the {role}: "
                                    "pick a different column for one of them."))
        seen.setdefault(column, role)
    return messages


def default_leave_out(frame: pd.DataFrame, roles: Roles) -> dict:
    """Columns the models should not use by default, each with the reason (column -> reason).

    Identifiers, the site and the time (the validation report uses them per site and the
    audit per period; a model that learns the hospital does not transfer), empty and
    constant columns, dates, and text with more than 50 distinct values (free text or codes).
    """
    out = {c: "identifier" for c in roles.ids}
    if roles.site is not None:
        out[roles.site] = "site (a model that learns the hospital does not transfer)"
    if roles.time is not None:
        out[roles.time] = "time"
    for name in frame.columns:
        if name == roles.target or name in out:
            continue
        column = frame[name]
        levels = _n_levels(column)
        if levels == 0:
            out[name] = "empty (every value missing)"
        elif levels == 1:
            out[name] = "constant (one value)"
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = "date"
        elif _is_text(column) and not pd.api.types.is_bool_dtype(column.dtype) and levels > MANY_LEVELS:
            out[name] = f"text with {levels} distinct values"
    return out


def audit_leave_out(audit) -> dict:
    """Columns an audit flags as a follow-up time or an event indicator (known only at the
    end of follow-up, never when a prediction is made), each with the reason. Columns flagged
    only for a high AUC are not left out: a strong predictor is not a leak by itself."""
    table = getattr(audit, "leakage", None)
    if table is None or "looks_like" not in table:
        return {}
    roles = table["looks_like"].fillna("").astype(str)
    flagged = roles[(roles != "") & table["flag"].astype(bool)]
    return {name: f"looks like {'an' if role[:1] in 'aeiou' else 'a'} {role} (the audit)"
            for name, role in flagged.items()}


# --- the target -------------------------------------------------------------------------------

@dataclass
class TargetCheck:
    """What the chosen target allows: its classes, the default event class, messages,
    whether the baselines can run (``fatal`` when not) and whether the audit can."""

    classes: list
    counts: list
    positive: object
    messages: list
    fatal: bool
    audit_ok: bool


def _is_one(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating, bool, np.bool_)) and value == 1


def default_positive(classes: list, counts: list):
    """The event class: 1 (or True); else a label such as yes/dead/event/positive; else the rarer."""
    for c in classes:
        if _is_one(c):
            return c
    for c in classes:
        if str(c).strip().lower() in POSITIVE_WORDS:
            return c
    return classes[int(np.argmin(counts))]


def check_target(frame: pd.DataFrame, target) -> TargetCheck:
    """Check that ``target`` can train the baselines: binary, both classes with at least
    10 rows; missing values are left out with a warning.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": range(30), "y": [0, 1, 2] * 10})
    >>> check_target(frame, "y").fatal
    True
    """
    if target not in frame.columns:
        raise ValueError(f"target {target!r} is not a column of the table")
    column = frame[target]
    counts = column.value_counts(dropna=True)
    try:
        counts = counts.sort_index()
    except TypeError:  # mixed types: keep the order by count
        pass
    classes, numbers = counts.index.tolist(), [int(v) for v in counts]
    messages, missing = [], int(column.isna().sum())
    if len(classes) == 0:
        return TargetCheck([], [], None, [Message("danger", f"The target {target} has no values at all "
                                                  "(every row is missing): pick another column.")], True, False)
    if missing:
        messages.append(Message("warn", f"{missing} rows ({missing / len(column):.1%}) have no value of the "
                                f"target {target}: they are left out of the models and of the audit's "
                                "outcome checks."))
    audit_ok = 2 <= len(classes) <= 20
    if len(classes) == 1:
        messages.append(Message("danger", f"The target {target} has one class only ({classes[0]!s} in every "
                                "row): a model needs rows with and without the event. Pick another target."))
        return TargetCheck(classes, numbers, None, messages, True, False)
    if len(classes) > 2:
        shown = ", ".join(map(str, classes[:5])) + (", ..." if len(classes) > 5 else "")
        messages.append(Message("danger", f"The target {target} has {len(classes)} distinct values ({shown}); "
                                "the baselines need a binary outcome (two values). Pick a binary column, or add one "
                                "to your CSV (for example 1 when the value is above a cut-off, else 0)."))
        return TargetCheck(classes, numbers, None, messages, True, audit_ok)
    positive = default_positive(classes, numbers)
    if min(numbers) < MIN_CLASS:
        rare = classes[int(np.argmin(numbers))]
        messages.append(Message("danger", f"Only {min(numbers)} rows have {target} = {rare!s}: cross-validated "
                                f"baselines need at least {MIN_CLASS} rows of each class."))
        return TargetCheck(classes, numbers, positive, messages, True, audit_ok)
    return TargetCheck(classes, numbers, positive, messages, False, audit_ok)
