"""Validation a biostatistician would sign: discrimination, calibration, clinical
utility, internal and external validation, and a TRIPOD+AI report.

Examples
--------
>>> import biomedkit as bk
>>> print(bk.validation.auc_ci(y, risk))                          # doctest: +SKIP
>>> bk.validation.calibration_summary(y, risk).to_frame()         # doctest: +SKIP
>>> nb = bk.validation.net_benefit(y, {"model": risk}, n_boot=500)  # doctest: +SKIP
>>> bk.validation.plot_decision_curve(nb)                         # doctest: +SKIP
"""

from biomedkit._deprecation import warn_deprecated
from biomedkit.validation.calibration import CalibrationCurve, CalibrationResult, calibration_curve, calibration_summary
from biomedkit.validation.decision import net_benefit
from biomedkit.validation.discrimination import AUCResult, DeLongTestResult, auc_ci, delong_test
from biomedkit.validation.external import MetaAnalysisResult, external_validation, random_effects
from biomedkit.validation.internal import OptimismResult, bootstrap_optimism, nested_cv, repeated_cv, summarize_cv
from biomedkit.validation.plots import plot_calibration, plot_decision_curve
from biomedkit.validation.recalibration import RecalibratedClassifier
from biomedkit.validation.report import ValidationReport
from biomedkit.validation.thresholds import threshold_metrics

__all__ = [
    "AUCResult", "CalibrationCurve", "CalibrationResult", "DeLongTestResult", "MetaAnalysisResult",
    "OptimismResult", "RecalibratedClassifier", "ValidationReport", "auc_ci", "bootstrap_optimism",
    "calibration_curve", "calibration_summary", "delong_test", "external_validation", "nested_cv",
    "net_benefit", "plot_calibration", "plot_decision_curve", "random_effects", "repeated_cv",
    "summarize_cv", "threshold_metrics",
]

# Result classes are named ...Result; the old names work for one release, with a warning.
_RENAMED = {"CalibrationSummary": CalibrationResult, "MetaAnalysis": MetaAnalysisResult}


def __getattr__(name):
    if name in _RENAMED:
        warn_deprecated(f"biomedkit.validation.{name}", _RENAMED[name].__name__)
        return _RENAMED[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
