"""Progress bars for the loops that take more than a few seconds.

One switch for the whole package: bars show in notebooks (tqdm's notebook bar, which marimo
and a terminal render too) unless they are turned off by ``bk.show_progress(False)`` or the
environment variable ``BIOMEDKIT_PROGRESS=0``. They are silent under pytest, so that test
output stays readable, and silent for short loops (``min_total``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

_enabled: bool | None = None  # None: decided by the environment


def show_progress(enabled: bool = True) -> None:
    """Turn biomedkit's progress bars on or off for this session.

    Examples
    --------
    >>> import biomedkit as bk
    >>> bk.show_progress(False)       # no bars, e.g. in a script whose log is kept
    """
    global _enabled
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be True or False; got {enabled!r}")
    _enabled = enabled


def progress_enabled() -> bool:
    if _enabled is not None:
        return _enabled
    if os.environ.get("BIOMEDKIT_PROGRESS", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return "PYTEST_CURRENT_TEST" not in os.environ


def progress(iterable: Iterable, *, total: int | None = None, desc: str = "", min_total: int = 20) -> Iterable:
    """Wrap ``iterable`` in a progress bar when bars are on and the loop is long enough.

    ``min_total``: loops with fewer steps than this get no bar (they end before one helps).
    """
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if not progress_enabled() or (total is not None and total < min_total):
        return iterable
    from tqdm.auto import tqdm

    # delay: a loop that ends within a second never draws a bar (no flicker in short calls)
    return tqdm(iterable, total=total, desc=desc, leave=False, delay=1.0)


def parallel_progress(tasks: Iterable, *, n_jobs: int | None, total: int, desc: str = "",
                      min_total: int = 20) -> list:
    """Run joblib ``tasks`` (``delayed(f)(...)`` calls) through ``Parallel(n_jobs=n_jobs)``, with a bar.

    The tasks still go through joblib, on whatever backend is in force (loky, threads, or a
    Dask cluster under ``joblib.parallel_config(backend="dask")``). With a bar, joblib hands
    the results back one by one (``return_as="generator"``), so the bar moves as tasks finish.
    A backend that cannot do that (multiprocessing) runs the tasks without a bar.

    Parameters
    ----------
    tasks : iterable of joblib ``delayed`` calls
    n_jobs : int or None
        Passed to ``joblib.Parallel``.
    total : int
        The number of tasks (the bar's length).
    desc, min_total
        As in :func:`progress`.

    Returns
    -------
    list
        The tasks' results, in the order of ``tasks`` (as ``Parallel`` returns them).
    """
    from joblib import Parallel

    if progress_enabled() and total >= min_total:
        try:
            parallel = Parallel(n_jobs=n_jobs, return_as="generator")
        except ValueError:  # this backend cannot hand results back one by one
            pass
        else:
            return list(progress(parallel(tasks), total=total, desc=desc, min_total=min_total))
    return Parallel(n_jobs=n_jobs)(tasks)
