"""The object every loader and simulator returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(repr=False)
class Dataset:
    """A table with its target and its card.

    Attributes
    ----------
    frame : pandas.DataFrame
        The data, one row per patient (or sample, molecule, pixel).
    target : str or None
        Name of the target column in ``frame``, or None when there is none.
    card : dict
        The dataset card: source, citation, licence, sensitive attributes, ...
    truth : object or None
        For simulated data, what generated it (see the simulator's docs).
    extras : dict
        Anything that is not a table, for example ``{"image": array}``.
    """

    frame: pd.DataFrame
    target: str | None
    card: dict
    truth: Any = None
    extras: dict = field(default_factory=dict)

    @property
    def X(self) -> pd.DataFrame:
        """The frame without the target column (a copy)."""
        return self.frame.drop(columns=[self.target]) if self.target else self.frame.copy()

    @property
    def y(self) -> pd.Series:
        """The target column."""
        if not self.target:
            raise ValueError(f"dataset {self.card['name']!r} has no target column; use .frame")
        return self.frame[self.target]

    def __getattr__(self, name: str) -> Any:
        # dataset.image for the IHC slide, without a field per modality
        extras = self.__dict__.get("extras", {})
        if name in extras:
            return extras[name]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __repr__(self) -> str:
        c = self.card
        n_rows, n_cols = self.frame.shape
        lines = [
            f"<Dataset {c['name']!r}: {c['title']} ({c['kind']})",
            f"  {n_rows} rows x {n_cols} columns; target: {self.target or 'none'}",
        ]
        if c["sensitive"]:
            lines.append(f"  sensitive attributes: {', '.join(c['sensitive'])}")
        if c["sites"]:
            lines.append(f"  sites/batches: {c['sites']}")
        n_missing = int(self.frame.isna().sum().sum())
        lines.append(f"  missing values: {n_missing}")
        for key, value in self.extras.items():
            lines.append(f"  .{key}: {type(value).__name__} {getattr(value, 'shape', '')}")
        if self.truth is not None:
            lines.append(f"  .truth: {type(self.truth).__name__}")
        lines.append(f"  source: {c['source']}>")
        return "\n".join(lines)
