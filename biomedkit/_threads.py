"""One thread per pool for the package's small computations: the rule in one place.

On a 2-core laptop or Binder session, small matrix products and small model fits gain
nothing from extra threads, and threads that compete with the learner's other work (a
second kernel, a widget) can make a fit many times slower. So ``bk.audit`` and the
estimators of ``bk.causal`` run inside :func:`single_threaded`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

# What loads a thread pool on import, for the ``modules`` of single_threaded: numpy its BLAS,
# "scipy.linalg" a second BLAS of its own (statsmodels computes with it), "sklearn.ensemble"
# the OpenMP runtime of histogram gradient boosting, "xgboost" and "torch" their OpenMP
# runtimes (one library file can serve several of them; threadpoolctl lists what is loaded).


@contextmanager
def single_threaded(*modules: str) -> Iterator[None]:
    """Run the block with one thread in every BLAS and OpenMP pool, restored afterwards.

    threadpoolctl's ``threadpool_limits`` changes only the libraries loaded when the block
    starts. A library imported for the first time inside the block keeps one thread per core:
    scikit-learn's histogram gradient boosting, XGBoost and PyTorch each bring an OpenMP
    runtime, SciPy a second BLAS. So ``modules`` are imported first: name each library the
    block computes with (importing the library's module is enough to load its pool).

    Parameters
    ----------
    *modules : str
        Importable names of the libraries the block uses, such as ``"sklearn.ensemble"``
        (histogram gradient boosting), ``"xgboost"``, ``"torch"`` or ``"scipy.linalg"``.

    Examples
    --------
    >>> from biomedkit._threads import single_threaded
    >>> with single_threaded("sklearn.ensemble"):            # doctest: +SKIP
    ...     HistGradientBoostingClassifier().fit(X, y)
    """
    for name in modules:
        importlib.import_module(name)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield
