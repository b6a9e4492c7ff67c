"""Audit a table before modelling it (``bk.audit``).

One pass over the columns gathers what every check needs: missingness, distinct values,
identifier hints, each feature's rank or out-of-fold AUC for the target and for the site,
drift statistics between training and test rows, and 64-bit row hashes for duplicates and
train/test overlap. Two checks fit a classifier (site separability and train-vs-test
separability); they run on a random subsample so that the audit stays fast on large tables.

The package, in the order an audit runs:

- ``run``: :func:`audit`, the entry point; checks the arguments and runs the steps below.
- ``context``: the validated inputs as arrays (target and site codes, train/test split, folds).
- ``columns``: how a column is encoded, and whether it looks like an identifier.
- ``stats``: AUC from counts, out-of-fold target-encoded AUC, chi-square, row hashes.
- ``scan``: the single pass over the columns; drift and classifier separability.
- ``build``: turns the scan into tables, findings and report sections, one section function
  at a time from ``quality`` (overview, missing values, target, duplicates, identifiers),
  ``leaks``, ``strata`` (sites, groups, periods) and ``train_test``.
- ``report``: :class:`AuditReport` and :class:`Finding`, rendered as HTML or Markdown.
- ``common``: thresholds and wording that several sections share.
"""

from biomedkit._audit.report import AuditReport, Finding
from biomedkit._audit.run import audit

__all__ = ["AuditReport", "Finding", "audit"]
