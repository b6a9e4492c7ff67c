"""Names of a package imported on first use: one rule for every package that has them.

A package that would otherwise import torch or RDKit when it is merely touched lists its
public names and the module each lives in; :func:`attach` gives it the module-level
``__getattr__`` and ``__dir__`` that import the module the first time a name is asked for.
Imports only importlib, so ``import biomedkit`` stays light.
"""

from __future__ import annotations

import importlib


def attach(package: str, names: dict[str, str]):
    """``(__getattr__, __dir__)`` for ``package``, whose ``names`` map to its submodules."""

    def __getattr__(name: str):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{names[name]}"), name)
        globals_of_package = importlib.import_module(package).__dict__
        globals_of_package[name] = value  # cache: the next access is a plain lookup
        return value

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
