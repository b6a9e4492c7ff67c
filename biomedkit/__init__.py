"""biomedkit: a thin helper library behind a notebook series on machine learning
in biomedical research.

``import biomedkit as bk`` is deliberately light: it imports no numpy, pandas,
scikit-learn, torch, xgboost or shap. Each submodule is imported the first time
it is used (``bk.datasets``, ``bk.simulate``, ...), so a learner pays only for
what a lesson needs.

Examples
--------
>>> import biomedkit as bk
>>> bk.check_env()                                  # doctest: +SKIP
>>> cohort, truth = bk.simulate.cohort(n=1_000, random_state=0)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public submodules, imported lazily on first attribute access.
_SUBMODULES = ("datasets", "simulate", "models", "preprocessing", "validation", "missing",
               "imbalance", "multisite", "fairness", "explain", "widgets", "clustering", "rl",
               "reports", "privacy", "imaging", "deep", "chem", "causal", "perturbation", "monitoring")
# Public functions that live in a submodule, also resolved lazily.
_FUNCTIONS = {"check_env": "biomedkit._env", "audit": "biomedkit._audit", "show_progress": "biomedkit._progress"}

__all__ = [*_SUBMODULES, *_FUNCTIONS, "__version__"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from biomedkit import (
        causal,
        chem,
        clustering,
        datasets,
        deep,
        explain,
        fairness,
        imaging,
        imbalance,
        missing,
        models,
        monitoring,
        multisite,
        perturbation,
        preprocessing,
        privacy,
        reports,
        rl,
        simulate,
        validation,
        widgets,
    )
    from biomedkit._audit import audit
    from biomedkit._env import check_env
    from biomedkit._progress import show_progress


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"biomedkit.{name}")
    elif name in _FUNCTIONS:
        module = getattr(importlib.import_module(_FUNCTIONS[name]), name)
    else:
        raise AttributeError(f"module 'biomedkit' has no attribute {name!r}")
    globals()[name] = module  # cache: the next access is a plain lookup
    return module


def __dir__() -> list[str]:
    return sorted(__all__)
