"""The dataset catalogue: real data that ship inside pip packages, and simulators.

Examples
--------
>>> import biomedkit as bk
>>> bk.datasets.catalog()[["name", "kind", "rows", "target"]]   # doctest: +SKIP
>>> lung = bk.datasets.load("lung")
>>> lung.frame.head()                                             # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

# get_card is public to the library, not to learners (they read a card with load(name).card or
# catalog(), hence not in __all__): the simulators find their cards through it.
from biomedkit.datasets._cards import FIELDS, all_cards, get_card
from biomedkit.datasets._convert import model_ready
from biomedkit.datasets._dataset import Dataset
from biomedkit.datasets._horizon import binary_at_horizon
from biomedkit.datasets._remote import cache_dir, fetch

__all__ = ["Dataset", "binary_at_horizon", "cache_dir", "catalog", "fetch", "load", "model_ready"]


def catalog() -> pd.DataFrame:
    """The catalogue as a DataFrame, one row per dataset card.

    Returns
    -------
    pandas.DataFrame
        Columns: name, title, kind ("real" or "simulated"), description, source,
        citation, license, package, rows, columns, target, task, sensitive (list),
        missing, sites, lessons (list), notes.

    Examples
    --------
    >>> cat = bk.datasets.catalog()
    >>> cat.loc[cat.kind == "real", "name"].tolist()     # doctest: +SKIP
    """
    return pd.DataFrame(list(all_cards().values()), columns=list(FIELDS))


def load(name: str, **kwargs) -> Dataset:
    """Load a catalogued dataset by name.

    Parameters
    ----------
    name : str
        A name from :func:`catalog`, for example ``"breast_cancer"`` or ``"lung"``.
    **kwargs
        For simulated datasets only: passed to the simulator
        (``bk.simulate.cohort`` or ``bk.simulate.expression``).

    Returns
    -------
    Dataset
        With ``.frame`` (a DataFrame), ``.target`` (a column name or None), ``.card``
        (a dict), ``.truth`` for simulated data and, for the image, ``.image``.

    Raises
    ------
    ValueError
        For an unknown name, or keyword arguments given to a real dataset.
    ImportError
        When the package that ships the data is missing; the message names it.
    """
    card = get_card(name)
    if card["kind"] == "simulated":
        from biomedkit import simulate

        data, _ = getattr(simulate, name)(**kwargs)
        return data
    if kwargs:
        raise ValueError(f"load({name!r}) takes no keyword arguments (it is real data); got {sorted(kwargs)}")
    from biomedkit.datasets._loaders import REAL

    frame, extras = REAL[name]()
    target = card["target"] or None
    return Dataset(frame=frame, target=target, card=card, extras=extras)


