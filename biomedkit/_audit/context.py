"""The audit's validated arguments, as arrays over all rows (:class:`Context`)."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._audit.common import name_list
from biomedkit._audit.stats import N_FOLDS
from biomedkit._checks import check_int, check_random_state

_MAX_CLASSES = 20


@dataclass
class Context:
    """The validated inputs, as arrays over all rows: the rows of ``df`` first, then those
    of a separate test frame (whose outcome and site are not used)."""

    columns: dict  # name -> Series over df rows
    test_columns: dict  # name -> Series over test-frame rows (empty without a test frame)
    row_labels: pd.Index
    n: int  # rows of df
    n_all: int  # rows of df and of a test frame
    target: object
    y: np.ndarray  # class code per row, -1 where missing (test-frame rows: -1)
    classes: list
    positive: int  # code of the event class (binary), -1 otherwise
    site: object
    site_codes: np.ndarray | None
    site_levels: list
    group: object
    time: object
    id_given: list
    split_column: object
    split: np.ndarray | None  # 0 training, 1 test, -1 neither; over all rows
    folds: np.ndarray
    rng: np.random.Generator
    seed: int
    max_rows: int

    @classmethod
    def build(cls, df, target, *, group, site, id_columns, time, test, positive, max_rows,
              random_state):
        """Check the arguments of :func:`audit` against ``df`` and resolve them to arrays.

        One step per kind of argument, in this order: the table, the named columns
        (target, group, site, time, identifiers), the target's classes, the train/test
        split, and the site and group levels."""
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
        if df.shape[0] < 2:
            raise ValueError(f"df must have at least 2 rows; got {df.shape[0]}")
        columns = _columns_of(df, "df")
        max_rows = check_int(max_rows, "max_rows", 100)
        rng = check_random_state(random_state)
        named = _named_columns(columns, target=target, group=group, site=site, time=time)
        id_given = _id_columns(columns, id_columns, target)
        y_codes, classes, pos = _target_classes(columns[target], target, positive)
        test_columns, split_column, split = _test_split(columns, test, len(df),
                                                        taken=[*named.values(), *id_given])
        n = len(df)
        n_all = n + (len(next(iter(test_columns.values()))) if test_columns else 0)
        site_codes, site_levels = _site_codes(columns, named["site"], n_all)
        if named["group"] is not None and columns[group].nunique() < 2:
            raise ValueError(f"group={group!r} has one level only; pass a column with at least "
                             "two groups, or leave group out")
        folds = rng.permutation(n_all) % N_FOLDS
        seed = int(rng.integers(2**31 - 1))  # drawn after the folds, as the classifier's seed
        return cls(columns=columns, test_columns=test_columns, row_labels=df.index, n=n,
                   n_all=n_all, target=target, y=_over_all_rows(y_codes, n_all), classes=classes,
                   positive=pos, site=named["site"], site_codes=site_codes,
                   site_levels=site_levels, group=named["group"], time=named["time"],
                   id_given=id_given, split_column=split_column, split=split, folds=folds,
                   rng=rng, seed=seed, max_rows=max_rows)


def _column(columns: dict, value, arg: str, required: bool = False):
    """``value`` if it names a column (None when optional and not given), else a ValueError."""
    if value is None and not required:
        return None
    try:
        known = value in columns
    except TypeError:  # an unhashable value (a list) names no column
        known = False
    if not known:
        raise ValueError(f"{arg}={value!r} is not a column of df; columns are: "
                         f"{name_list(columns, 20)}")
    return value


def _named_columns(columns: dict, **given) -> dict:
    """The target and the optional group, site and time columns by argument name; each
    must be a column, and no column may be given twice."""
    named = {}
    for arg, value in given.items():
        value = _column(columns, value, arg, required=arg == "target")
        for other, taken in named.items():
            if value is not None and value == taken:
                raise ValueError(f"{arg} and {other} are the same column {value!r}; "
                                 "pass different columns")
        named[arg] = value
    return named


def _id_columns(columns: dict, id_columns, target) -> list:
    """The identifier columns given (one name or a list), which may not include the target."""
    if id_columns is None:
        id_given = []
    elif isinstance(id_columns, (list, tuple, pd.Index)):
        id_given = [_column(columns, c, "id_columns") for c in id_columns]
    else:
        id_given = [_column(columns, id_columns, "id_columns")]
    if target in id_given:
        raise ValueError(f"id_columns includes the target {target!r}; remove it")
    return id_given


def _target_classes(series: pd.Series, target, positive) -> tuple[np.ndarray, list, int]:
    """The target's class codes over the rows of df (-1 where missing), its classes (sorted;
    2 to _MAX_CLASSES of them) and the code of the event class (-1 unless binary)."""
    y_codes, classes = pd.factorize(series, sort=True)
    classes = list(classes)
    if len(classes) < 2:
        raise ValueError(f"target {target!r} has only one class ({classes}); the audit needs "
                         "rows of at least two classes")
    if len(classes) > _MAX_CLASSES:
        raise ValueError(f"target {target!r} has {len(classes)} distinct values; the audit "
                         f"expects a class label (at most {_MAX_CLASSES} classes). For a "
                         "continuous outcome, audit a binarized copy, e.g. "
                         "df.assign(high=df['y'] > cutoff) with target='high'.")
    return y_codes, classes, _positive_code(classes, y_codes, positive)


def _test_split(columns: dict, test, n: int, *,
                taken: list) -> tuple[dict, object, np.ndarray | None]:
    """The test frame's columns (empty without one), the split column's name (None without
    one), and the split over all rows (None without a test set): 0 training, 1 test, -1
    neither. ``taken``: the columns already given as other arguments."""
    if isinstance(test, pd.DataFrame):
        test_columns = _columns_of(test, "test")
        if not test_columns or len(next(iter(test_columns.values()))) == 0:
            raise ValueError("test is an empty DataFrame; pass the test rows")
        n_test = len(next(iter(test_columns.values())))
        return test_columns, None, np.r_[np.zeros(n, np.int64), np.ones(n_test, np.int64)]
    if test is None:
        return {}, None, None
    split_column = _column(columns, test, "test")
    if split_column in taken:
        raise ValueError(f"test={split_column!r} is already used as another argument")
    return {}, split_column, _split_codes(columns[split_column])


def _site_codes(columns: dict, site, n_all: int) -> tuple[np.ndarray | None, list]:
    """Site codes over all rows (-1 where missing and on test-frame rows), and the site
    levels; (None, []) without a site column."""
    if site is None:
        return None, []
    codes, levels = pd.factorize(columns[site], sort=True)
    if len(levels) < 2:
        raise ValueError(f"site={site!r} has one level only; pass a column with at "
                         "least two sites, or leave site out")
    return _over_all_rows(codes, n_all), list(levels)


def _over_all_rows(codes: np.ndarray, n_all: int) -> np.ndarray:
    """Codes over the rows of df, extended with -1 for the rows of a test frame."""
    out = np.full(n_all, -1, np.int64)
    out[:codes.size] = codes
    return out


def _columns_of(frame: pd.DataFrame, arg: str) -> dict:
    """Columns by name, a named index first; no copies."""
    columns = {}
    for level, name in enumerate(frame.index.names):
        if name is not None and name not in frame.columns:
            columns[name] = pd.Series(frame.index.get_level_values(level), name=name)
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(f"{arg} has duplicated column names {duplicated}; rename them")
    columns.update({name: frame[name] for name in frame.columns})
    return columns


def _positive_code(classes: list, y_codes: np.ndarray, positive) -> int:
    if len(classes) != 2:
        if positive is not None:
            raise ValueError(f"positive applies to a binary target; this one has {len(classes)} "
                             "classes")
        return -1
    if positive is not None:
        matches = [k for k, c in enumerate(classes) if c == positive]
        if not matches:
            raise ValueError(f"positive={positive!r} is not a class of the target; classes are "
                             f"{classes}")
        return matches[0]
    ones = [k for k, c in enumerate(classes) if _is_one(c)]
    if ones:
        return ones[0]
    counts = np.bincount(y_codes[y_codes >= 0], minlength=2)
    return 0 if counts[0] < counts[1] else 1


def _is_one(value) -> bool:
    """True for 1, 1.0 and True (the usual code of an event, or of a test row)."""
    return isinstance(value, (numbers.Real, np.bool_)) and value == 1


def _split_codes(series: pd.Series) -> np.ndarray:
    """0 for training rows, 1 for test rows, -1 where missing."""
    codes, levels = pd.factorize(series, sort=True)
    levels = list(levels)
    test_words = ("test", "testing", "holdout", "validation", "valid", "val", "external")
    marks = [k for k, v in enumerate(levels)
             if _is_one(v) or (isinstance(v, str) and v.strip().lower() in test_words)]
    if len(levels) != 2 or len(marks) != 1:
        raise ValueError(f"test={series.name!r} must have two values, one marking the test rows "
                         f"(True, 1 or 'test'); got {levels[:5]}")
    return np.where(codes < 0, -1, (codes == marks[0]).astype(np.int64))
