"""From a CSV to a model-ready frame: one documented conversion (``bk.datasets.model_ready``)."""

from __future__ import annotations

import pandas as pd


def model_ready(df: pd.DataFrame, *, target=None, verbose: bool = True) -> pd.DataFrame:
    """A copy of a table (typically read from a CSV) that every model in the lessons accepts.

    ``pd.read_csv`` gives text columns as ``object``, counts and 0/1 flags as ``int64``, and
    nullable columns as ``Int64``/``boolean``/``string``. XGBoost needs ``category`` for
    text, scikit-learn's partial dependence refuses integers, and nullable dtypes reach
    numpy as objects. This function converts, and says what it changed:

    - text (``object`` or ``string``) columns become ``category`` (missing values stay
      missing);
    - integer and boolean columns, nullable ones included, become ``float64`` (``<NA>``
      becomes NaN);
    - other columns (floats, categories, dates) are kept as they are.

    The ``target`` column, if named, is left alone (a classifier wants its labels as
    they are). The caller's frame is never changed.

    Parameters
    ----------
    df : DataFrame
    target : column name, optional
        A column to leave unconverted, such as the outcome.
    verbose : bool, default=True
        Print one line per kind of conversion, naming the columns.

    Returns
    -------
    DataFrame
        A new frame with the same index and column order.

    Examples
    --------
    >>> import io
    >>> import pandas as pd
    >>> import biomedkit as bk
    >>> raw = pd.read_csv(io.StringIO("age,sex,smoker,event\\n61,F,1,0\\n47,M,0,1\\n"))
    >>> X = bk.datasets.model_ready(raw, target="event")
    text to category: sex
    integer to float: age, smoker
    >>> X.dtypes.astype(str).tolist()
    ['float64', 'category', 'float64', 'int64']
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame (e.g. from pd.read_csv); got {type(df).__name__}")
    if target is not None and target not in df.columns:
        raise ValueError(f"target {target!r} is not a column of df")
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose must be True or False; got {verbose!r}")
    changes: dict[str, dict] = {"text to category": {}, "integer to float": {}}
    for name, column in df.items():
        if name == target:
            continue
        dtype = column.dtype
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            changes["text to category"][name] = column.astype(object).where(column.notna()).astype("category")
        elif pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            changes["integer to float"][name] = column.astype("Float64").astype(float)
    out = df.copy()
    for converted in changes.values():
        for name, column in converted.items():
            out[name] = column
    if verbose:
        for kind, columns in changes.items():
            if columns:
                print(f"{kind}: {', '.join(map(str, columns))}")
    return out

