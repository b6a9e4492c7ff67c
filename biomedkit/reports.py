"""The reports biomedkit writes, importable from one public place.

>>> from biomedkit.reports import AuditReport, ValidationReport, Finding   # doctest: +SKIP

Each is built by its own entry point (``bk.audit(df, ...)`` returns an :class:`AuditReport`;
``bk.validation.ValidationReport(model, X, y)`` runs a validation); this module only names
them, so that type hints and ``isinstance`` checks need no private path. Imported lazily:
naming the audit's report does not load the validation stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {"AuditReport": "biomedkit._audit.report", "Finding": "biomedkit._audit.report",
          "ValidationReport": "biomedkit.validation.report"}

__all__ = list(_HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from biomedkit._audit.report import AuditReport, Finding
    from biomedkit.validation.report import ValidationReport


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'biomedkit.reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
