"""Group and site labels, ordered the same way by every table of the package."""

from __future__ import annotations

import pandas as pd


def ordered_levels(groups) -> list:
    """Categories in their declared order, numbers by value, anything else as text."""
    series = pd.Series(groups)  # keeps a categorical's order
    present = set(series.dropna())
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [c for c in series.cat.categories if c in present]
    try:
        return sorted(present)
    except TypeError:  # mixed types
        return sorted(present, key=str)
