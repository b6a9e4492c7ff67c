"""Temporal validation: the baselines fitted on the earlier rows and validated on the later
ones, when the researcher names a time column.

Cross-validation mixes years: every fold is trained on rows from before and after the rows it
predicts. A model meant for use will predict patients who come after the data it learned from,
so the app also fits each baseline on the earliest rows (70 % by default) and reports how it
does on the rest, beside its cross-validated AUC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float
from biomedkit._explore.baselines import MODELS, baseline_models, performance
from biomedkit._explore.data import MIN_CLASS
from biomedkit._explore.tables import Message


@dataclass
class TemporalSplit:
    """Which rows are earlier (``train``) and later (``test``), the last time of the earlier
    rows (``cut``), and how many rows had no time (left out of both)."""

    train: np.ndarray  # boolean masks over the rows
    test: np.ndarray
    cut: object
    n_missing: int

    @property
    def cut_text(self) -> str:
        """The cut as the researcher reads it: a date without its time of day, or a number."""
        if isinstance(self.cut, (np.datetime64, pd.Timestamp)):
            stamp = pd.Timestamp(self.cut)
            return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)
        value = self.cut.item() if hasattr(self.cut, "item") else self.cut
        return f"{value:g}" if isinstance(value, float) else str(value)


def temporal_split(times, y, *, fraction: float = 0.7) -> tuple[TemporalSplit | None, list]:
    """The earliest ``fraction`` of the rows with a time, and the rest; rows that share the
    cut's time all go to the earlier part, so that no time is on both sides.

    Returns the split, or None with a message saying why there is none (too few events or
    non-events on one side, too few distinct times).
    """
    fraction = check_float(fraction, "fraction", 0, 1, open_low=True, open_high=True)
    times = pd.Series(times).reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(times.dtype) or pd.api.types.is_datetime64_any_dtype(times.dtype):
        values = times
    else:  # text: dates if they read as dates, else no order to speak of
        values = pd.to_datetime(times, errors="coerce", format="mixed")
    y = np.asarray(y)
    known = values.notna().to_numpy()
    if known.sum() < 2:
        return None, [Message("warn", "Temporal validation needs a time for at least two rows.")]
    ordered = np.sort(values[known].to_numpy())
    cut = ordered[max(0, int(np.ceil(fraction * ordered.size)) - 1)]
    train = known & (values <= cut).to_numpy()
    test = known & (values > cut).to_numpy()
    for part, rows in (("earlier", train), ("later", test)):
        events = int(y[rows].sum())
        if min(events, int(rows.sum()) - events) < MIN_CLASS:
            return None, [Message("warn", f"Temporal validation is left out: the {part} rows have {events} events "
                                          f"and {int(rows.sum()) - events} non-events, and each part needs at "
                                          f"least {MIN_CLASS} of both.")]
    return TemporalSplit(train, test, cut, int((~known).sum())), []


@dataclass
class TemporalResult:
    """Each baseline fitted on the earlier rows, its risks for the later rows, and where the
    cut fell."""

    split: TemporalSplit
    y: np.ndarray  # the later rows' outcomes
    risks: dict  # model name -> risks of the later rows

    def to_frame(self) -> pd.DataFrame:
        """:func:`~biomedkit._explore.baselines.performance` on the later rows."""
        return performance(self.y, self.risks)

    def __repr__(self) -> str:
        return (f"<TemporalResult: fitted on {int(self.split.train.sum())} rows up to {self.split.cut_text}, "
                f"validated on {int(self.split.test.sum())} later rows>")


def temporal_validation(X: pd.DataFrame, y, times, *, fraction: float = 0.7, models=MODELS,
                        random_state: int = 0) -> tuple[TemporalResult | None, list]:
    """Fit each baseline on the earliest ``fraction`` of the rows (by ``times``) and predict
    the later rows. Returns the result, or None with the messages that say why not."""
    from biomedkit._threads import single_threaded

    y = np.asarray(y)
    split, messages = temporal_split(times, y, fraction=fraction)
    if split is None:
        return None, messages
    estimators = baseline_models(random_state=random_state)
    risks = {}
    with single_threaded("sklearn.linear_model", "xgboost"):  # as the cross-validation runs
        for name in models:
            model = estimators[name].fit(X[split.train], y[split.train])
            risks[name] = model.predict_proba(X[split.test])[:, 1]
    if split.n_missing:
        messages.append(Message("info", f"{split.n_missing:,} rows without a time are left out of the temporal "
                                        "validation."))
    return TemporalResult(split, y[split.test], risks), messages
