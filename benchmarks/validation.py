"""Time the validation computations against their budgets (budgets.toml).

    python benchmarks/validation.py

Each case is timed 3 times (median). For scale, scikit-learn's roc_auc_score on the
same million rows is timed in the same process: our DeLong interval costs a small
multiple of a bare AUC. Every case runs on the one engine of sorted counts
(biomedkit/_counts.py); the net-benefit bootstrap draws its resampling counts per cell
of patients alike at every threshold, so its budget is 0.5 s (it was 2 s when each
replicate weighted every row). Exits 1 when a figure is over its budget.
"""

import sys

import numpy as np
from _timing import Verdicts, budget, median_time
from sklearn.metrics import roc_auc_score

import biomedkit as bk


def main() -> int:
    verdicts = Verdicts()
    rng = np.random.default_rng(0)
    n = 1_000_000
    y = (rng.random(n) < 0.2).astype(int)
    a = np.clip(rng.normal(0.2 + 0.2 * y, 0.15), 0, 1)
    b = np.clip(a + rng.normal(0, 0.1, n), 0, 1)
    y10 = (rng.random(10_000) < 0.2).astype(int)
    p10 = np.clip(rng.normal(0.2 + 0.2 * y10, 0.15), 0, 1)
    y100 = y[:100_000]
    a100 = a[:100_000]

    reference = median_time(lambda: roc_auc_score(y, a))
    cases = [
        ("auc_ci (DeLong), 1,000,000 rows", lambda: bk.validation.auc_ci(y, a), budget("validation", "delong_seconds")),
        ("delong_test, 1,000,000 rows", lambda: bk.validation.delong_test(y, a, b),
         budget("validation", "delong_seconds")),
        ("net_benefit, 1,000 bootstraps, 10,000 rows, 100 thresholds",
         lambda: bk.validation.net_benefit(y10, {"m": p10}, thresholds=np.linspace(0.01, 0.99, 100),
                                           n_boot=1000, random_state=0),
         budget("validation", "net_benefit_seconds")),
        ("auc_ci (bootstrap, 2,000), 10,000 rows",
         lambda: bk.validation.auc_ci(y10, p10, method="bootstrap", random_state=0), None),
        ("calibration_summary, 100,000 rows", lambda: bk.validation.calibration_summary(y100, a100), None),
        ("threshold_metrics, 1,000,000 rows, 99 thresholds",
         lambda: bk.validation.threshold_metrics(y, a, np.linspace(0.01, 0.99, 99)), None),
    ]
    print(f"for scale: sklearn roc_auc_score on 1,000,000 rows: {reference:.3f} s")
    print(f"{'computation':<62} {'median s':>9} {'budget':>7}  {'vs roc_auc_score':>16}")
    for label, run, limit in cases:
        seconds = median_time(run)
        verdict = "" if limit is None else verdicts.check(label, seconds, limit)
        budget_text = "-" if limit is None else f"{limit:g} s"
        print(f"{label:<62} {seconds:>9.3f} {budget_text:>7}  {seconds / reference:>15.1f}x {verdict}")
    return verdicts.exit_code()


if __name__ == "__main__":
    sys.exit(main())
