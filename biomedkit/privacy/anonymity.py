"""Re-identification risk: equivalence classes, k-anonymity and generalisation.

A *quasi-identifier* is a column that is not a name or a number but that someone could know
about a person from elsewhere (age, sex, postcode, weight). Rows that share all their
quasi-identifiers form an *equivalence class*; a table is *k-anonymous* when every class has
at least ``k`` rows (Sweeney 2002), so that anyone who knows a person's quasi-identifiers
finds at least ``k`` candidate rows. The generalisation helpers coarsen quasi-identifiers or
remove the rows of small classes; each returns a new table and says what it changed.

References
----------
Sweeney L. k-anonymity: a model for protecting privacy. International Journal of
Uncertainty, Fuzziness and Knowledge-Based Systems 10(5):557-570 (2002).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_int


@dataclass(frozen=True, repr=False)
class KAnonymityResult:
    """The equivalence classes of a table on its quasi-identifiers (from :func:`k_anonymity`).

    Attributes
    ----------
    quasi_identifiers : tuple of str
    class_size : pandas.Series of int
        For every row (same index as the table), the number of rows that share its
        quasi-identifiers, itself included. A missing value counts as a value of its own.
    k : int
        The smallest class size: the table is k-anonymous for this ``k``.
    share_unique : float
        Share of rows whose quasi-identifiers no other row has (class size 1).
    n_classes : int
        Number of equivalence classes.
    """

    quasi_identifiers: tuple[str, ...]
    class_size: pd.Series
    classes: pd.DataFrame  # one row per class: the quasi-identifiers and "size"

    @property
    def k(self) -> int:
        return int(self.class_size.min())

    @property
    def share_unique(self) -> float:
        return float((self.class_size == 1).mean())

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def share_below(self, k) -> float:
        """Share of rows in classes smaller than ``k`` (the rows that break ``k``-anonymity)."""
        k = check_int(k, "k", 1)
        return float((self.class_size < k).mean())

    def to_frame(self) -> pd.DataFrame:
        """One row per equivalence class (its quasi-identifiers and ``size``), smallest first."""
        return self.classes.copy()

    def __str__(self) -> str:
        n = len(self.class_size)
        return (f"k-anonymity on ({', '.join(self.quasi_identifiers)}): k = {self.k}; "
                f"{self.n_classes:,} classes for {n:,} rows; "
                f"{self.share_unique:.1%} of rows unique, {self.share_below(5):.1%} in classes below 5")

    __repr__ = __str__


@dataclass(frozen=True, repr=False)
class GeneralisationResult:
    """A generalised copy of a table and what was changed (from the generalisation helpers).

    Attributes
    ----------
    frame : pandas.DataFrame
        The new table; the caller's table is left as it was.
    what : str
        One sentence saying what was changed.
    n_changed : int
        Number of values that differ from the original (in kept rows).
    n_removed : int
        Number of rows removed.
    """

    frame: pd.DataFrame
    what: str
    n_changed: int
    n_removed: int

    def to_frame(self) -> pd.DataFrame:
        """The generalised table (a copy)."""
        return self.frame.copy()

    def __str__(self) -> str:
        return self.what

    __repr__ = __str__


def _check_frame(df, name: str = "df") -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(df).__name__}. "
                        "Wrap an array with pd.DataFrame(array, columns=[...]) first")
    if df.empty:
        raise ValueError(f"{name} has no rows")
    return df


def _check_columns(df: pd.DataFrame, columns, name: str) -> list[str]:
    """Return ``columns`` as a list of column names of ``df`` (a single name is accepted)."""
    if isinstance(columns, str):
        columns = [columns]
    try:
        columns = list(columns)
    except TypeError:
        raise TypeError(f"{name} must be a column name or a list of column names; "
                        f"got {type(columns).__name__}") from None
    if not columns:
        raise ValueError(f"{name} must name at least one column")
    if len(set(columns)) != len(columns):
        raise ValueError(f"{name} names a column twice: {columns}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} names columns that are not in the table: {missing}; "
                         f"the columns are {list(df.columns)}")
    return columns


def _check_numeric_column(df: pd.DataFrame, column, name: str = "column") -> str:
    (column,) = _check_columns(df, [column], name)
    if not pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_bool_dtype(df[column]):
        raise TypeError(f"column {column!r} must be numeric; it has dtype {df[column].dtype}")
    return column


def _check_positive(value, name: str) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a positive number; got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


def k_anonymity(df, quasi_identifiers) -> KAnonymityResult:
    """Equivalence classes, their sizes and ``k`` of a table on its quasi-identifiers.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person.
    quasi_identifiers : str or list of str
        The columns an outsider could know about a person (age, sex, weight...). A missing
        value counts as a value of its own (an outsider may know it is missing).

    Returns
    -------
    KAnonymityResult
        ``class_size`` (per row), ``k``, ``share_unique``, ``n_classes``,
        ``share_below(k)`` and ``to_frame()`` (one row per class, smallest first).

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        If a quasi-identifier is not a column of ``df``, or ``df`` has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> import biomedkit as bk
    >>> df = pd.DataFrame({"age": [34, 34, 51, 51, 51], "sex": ["F", "F", "M", "M", "F"]})
    >>> result = bk.privacy.k_anonymity(df, ["age", "sex"])
    >>> result.k, result.share_unique, result.class_size.tolist()
    (1, 0.2, [2, 2, 2, 2, 1])
    """
    df = _check_frame(df)
    qis = _check_columns(df, quasi_identifiers, "quasi_identifiers")
    # dropna=False: a missing value is information an outsider may have, so it forms a class
    groups = df.groupby(qis, dropna=False, observed=True, sort=False)
    codes = groups.ngroup().to_numpy()
    sizes = np.bincount(codes)
    class_size = pd.Series(sizes[codes], index=df.index, name="class_size")
    classes = groups.size().rename("size").reset_index()
    classes = classes.sort_values("size", kind="stable").reset_index(drop=True)
    return KAnonymityResult(tuple(qis), class_size, classes)


def _band_labels(lower: np.ndarray, width: float, integral: bool) -> np.ndarray:
    """Readable labels of bands starting at ``lower``: '40-49' for whole numbers."""
    def fmt(x):
        return f"{x:g}"

    if integral and float(width).is_integer():
        return np.array([f"{fmt(lo)}-{fmt(lo + width - 1)}" for lo in lower], dtype=object)
    return np.array([f"{fmt(lo)} to <{fmt(lo + width)}" for lo in lower], dtype=object)


def age_bands(df, column: str = "age", *, width=10, top=None) -> GeneralisationResult:
    """Replace a numeric column (an age) by bands of ``width`` years: 40-49, 50-59...

    Parameters
    ----------
    df : pandas.DataFrame
    column : str, default="age"
        A numeric column. Missing values stay missing.
    width : positive number, default=10
        Width of each band; bands start at multiples of ``width`` (0, 10, 20, ...).
    top : number or None, default=None
        Top-coding: values at or above ``top`` become one band ``"{top}+"`` (HIPAA's Safe
        Harbor rule, for example, groups all ages over 89 as "90 or older").

    Returns
    -------
    GeneralisationResult
        ``frame`` is a copy of ``df`` whose ``column`` is an ordered categorical of bands.

    Examples
    --------
    >>> import pandas as pd
    >>> import biomedkit as bk
    >>> df = pd.DataFrame({"age": [23, 37, 41, 48, 93]})
    >>> step = bk.privacy.age_bands(df, "age", width=10, top=90)
    >>> step.frame["age"].tolist()
    ['20-29', '30-39', '40-49', '40-49', '90+']
    """
    df = _check_frame(df)
    column = _check_numeric_column(df, column)
    width = _check_positive(width, "width")
    if top is not None:
        if not isinstance(top, numbers.Real) or isinstance(top, bool):
            raise TypeError(f"top must be None or a number (for example 90); got {type(top).__name__}")
        # a band that straddled ``top`` would be labelled with ages it no longer holds
        if not np.isfinite(top) or top % width != 0:
            raise ValueError(f"top must be a multiple of width ({width:g}), for example "
                             f"{10 * width:g}; got {top!r}")
    values = df[column].to_numpy(dtype=float)
    known = ~np.isnan(values)
    lower = np.floor(values[known] / width) * width
    integral = bool(np.all(values[known] == np.round(values[known])))
    labels = _band_labels(lower, width, integral)
    order = list(_band_labels(np.unique(lower), width, integral))
    if top is not None:
        over = values[known] >= top
        labels[over] = f"{top:g}+"
        order = [label for label, lo in zip(order, np.unique(lower)) if lo < top] + [f"{top:g}+"]
        order = list(dict.fromkeys(order))
    banded = np.full(values.shape, np.nan, dtype=object)
    banded[known] = labels
    out = df.copy()
    out[column] = pd.Categorical(banded, categories=order, ordered=True)
    capped = f", {top:g} and over as '{top:g}+'" if top is not None else ""
    what = (f"{column}: {int(known.sum()):,} values replaced by {width:g}-wide bands{capped} "
            f"({len(order)} bands); no rows removed")
    return GeneralisationResult(out, what, int(known.sum()), 0)


def coarsen(df, column: str, *, step=None, mapping=None) -> GeneralisationResult:
    """Coarsen one column: round numbers to a multiple of ``step``, or merge values with ``mapping``.

    Parameters
    ----------
    df : pandas.DataFrame
    column : str
    step : positive number, optional
        Round a numeric column to the nearest multiple of ``step`` (weight to 10 kg,
        height to 5 cm). The column stays numeric, so means stay nearly unbiased.
    mapping : dict, optional
        Replace values by others (several codes into one: ``{3: "3+", 4: "3+"}``); values
        not in ``mapping`` are kept. Give either ``step`` or ``mapping``.

    Returns
    -------
    GeneralisationResult
        ``frame`` is a copy of ``df`` with ``column`` coarsened; ``n_changed`` counts the
        values that changed.

    Examples
    --------
    >>> import pandas as pd
    >>> import biomedkit as bk
    >>> df = pd.DataFrame({"weight": [61.2, 68.0, 73.9]})
    >>> bk.privacy.coarsen(df, "weight", step=10).frame["weight"].tolist()
    [60.0, 70.0, 70.0]
    """
    df = _check_frame(df)
    if (step is None) == (mapping is None):
        raise ValueError("give exactly one of step (round numbers) or mapping (merge values)")
    if step is not None:
        column = _check_numeric_column(df, column)
        step = _check_positive(step, "step")
        old = df[column].to_numpy(dtype=float)
        # the outer round removes floating-point residue such as 7.1000000000000005
        new = np.round(np.round(old / step) * step, 10)
        how = f"rounded to the nearest multiple of {step:g}"
    else:
        (column,) = _check_columns(df, [column], "column")
        if not isinstance(mapping, dict) or not mapping:
            raise TypeError(f"mapping must be a non-empty dict of old value -> new value; got {mapping!r}")
        old = df[column].to_numpy(dtype=object)
        new = np.array([mapping.get(v, v) for v in old], dtype=object)
        how = f"{len(mapping)} values merged or recoded"
    changed = ~(pd.isna(old) & pd.isna(new)) & (old != new)
    out = df.copy()
    # infer_objects: a mapping from codes to codes keeps a numeric column numeric
    out[column] = pd.Series(new, index=df.index).infer_objects()
    n_changed = int(changed.sum())
    what = f"{column}: {how}; {n_changed:,} of {len(df):,} values changed; no rows removed"
    return GeneralisationResult(out, what, n_changed, 0)


def suppress_small_classes(df, quasi_identifiers, *, k=5) -> GeneralisationResult:
    """Remove the rows whose equivalence class has fewer than ``k`` rows.

    The rows left form a ``k``-anonymous table on ``quasi_identifiers`` (removing a whole
    class leaves the other classes as they were). Suppressed rows are rarely missing at
    random: they are the unusual people, so say how many were removed and who they were.

    Parameters
    ----------
    df : pandas.DataFrame
    quasi_identifiers : str or list of str
    k : int, default=5
        The smallest class size to keep (>= 2).

    Returns
    -------
    GeneralisationResult
        ``frame`` holds the kept rows (original index); ``n_removed`` counts the others.

    Examples
    --------
    >>> import pandas as pd
    >>> import biomedkit as bk
    >>> df = pd.DataFrame({"age": ["30-39"] * 5 + ["80-89"], "sex": ["F"] * 6})
    >>> print(bk.privacy.suppress_small_classes(df, ["age", "sex"], k=5))
    removed 1 of 6 rows (16.7%) in 1 equivalence classes smaller than 5 on (age, sex)
    """
    k = check_int(k, "k", 2)
    result = k_anonymity(df, quasi_identifiers)
    small = (result.class_size < k).to_numpy()
    out = df.loc[~small].copy()
    n_classes = int((result.classes["size"] < k).sum())
    what = (f"removed {int(small.sum()):,} of {len(df):,} rows ({small.mean():.1%}) in {n_classes:,} "
            f"equivalence classes smaller than {k} on ({', '.join(result.quasi_identifiers)})")
    return GeneralisationResult(out, what, 0, int(small.sum()))
