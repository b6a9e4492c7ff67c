"""From the scan to the report: :class:`Builder` runs each section function in turn; a
section adds its tables (the report's attributes), findings and rendered section."""

from __future__ import annotations

import pandas as pd

from biomedkit._audit import leaks, quality, strata, train_test
from biomedkit._audit.context import Context
from biomedkit._audit.report import SEVERITIES, AuditReport, Finding
from biomedkit._audit.scan import Scan

# the order of the report
_SECTIONS = (quality.overview, quality.missingness, quality.class_balance, quality.duplicates,
             quality.identifiers, leaks.leakage, strata.sites, strata.groups, strata.periods,
             train_test.train_test)


class Builder:
    """Turns the scan into tables, findings and report sections."""

    def __init__(self, ctx: Context, scan: Scan, thresholds: dict, time_freq):
        self.ctx, self.scan, self.t, self.time_freq = ctx, scan, thresholds, time_freq
        self.findings, self.sections, self.tables, self.separability = [], [], {}, []
        self.info = pd.DataFrame(scan.rows).set_index("column")

    def flag(self, severity, section, message, column=None):
        self.findings.append(Finding(severity, section, message, None if column is None else str(column)))

    def report(self) -> AuditReport:
        for step in _SECTIONS:
            step(self)
        order = {s: i for i, s in enumerate(SEVERITIES)}
        findings = sorted(self.findings, key=lambda f: order[f.severity])
        columns = ["comparison", "auc", "balanced_accuracy", "chance", "n_rows", "n_features"]
        separability = pd.DataFrame(self.separability, columns=columns).set_index("comparison")
        return AuditReport(target=str(self.ctx.target), n_rows=self.ctx.n,
                           n_columns=len(self.ctx.columns), findings=findings,
                           separability=separability, sections=self.sections, **self.tables)
