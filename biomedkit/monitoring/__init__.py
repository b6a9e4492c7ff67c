"""Monitoring a deployed model: drift in its inputs, its performance as labels arrive, and
updates that stay within a predetermined change control plan.

Examples
--------
>>> import biomedkit as bk
>>> bk.monitoring.psi(reference_ages, current_ages)                        # doctest: +SKIP
>>> drift = bk.monitoring.feature_drift(development, deployed, period="month")  # doctest: +SKIP
>>> y_now = bk.monitoring.labels_known(y, label_month, as_of=30)           # doctest: +SKIP
>>> perf = bk.monitoring.performance_over_time(y_now, risk, quarter)       # doctest: +SKIP
>>> bk.monitoring.plot_monitoring(perf, drift, onsets=truth.onsets)        # doctest: +SKIP
"""

from biomedkit.monitoring.inputs import (
    ClassifierTestResult,
    FeatureDriftResult,
    adjust_pvalues,
    classifier_test,
    feature_drift,
    psi,
    psi_table,
)
from biomedkit.monitoring.performance import PerformanceResult, labels_known, performance_over_time
from biomedkit.monitoring.plots import plot_monitoring
from biomedkit.monitoring.updates import (
    ChangePlan,
    ChangeReviewResult,
    UpdateComparisonResult,
    UpdatedModel,
    compare_updates,
    review_update,
    update_model,
)

__all__ = [
    "ChangePlan", "ChangeReviewResult", "ClassifierTestResult", "FeatureDriftResult",
    "PerformanceResult", "UpdateComparisonResult", "UpdatedModel", "adjust_pvalues",
    "classifier_test", "compare_updates", "feature_drift", "labels_known", "performance_over_time",
    "plot_monitoring", "psi", "psi_table", "review_update", "update_model",
]
