"""Time SHAP explanations of an XGBoost model against the explorer's budget (budgets.toml).

    python benchmarks/explain.py

10,000 simulated patients x 30 features (``bk.simulate.cohort`` with 19 noise
columns); ``bk.explain.explain`` (xgboost's own pred_contribs) against shap's
TreeExplainer on the same model, each timed 3 times (median). Two models: a
typical tuned one (300 trees of depth 3) and xgboost's defaults (100 trees of depth
6). TreeSHAP costs about trees x leaves x depth^2 per row, so deep trees are dearer.
The explorer's budget is 3 s to be ready, met by ``ExplanationExplorer.from_model``, which
explains only the 800 rows it plots and, when picked, one patient (the verdict and the exit
code); a full explanation of every row, and the explorer built from it, are shown for scale.
"""

import os
import statistics
import sys
import time

from _timing import Verdicts, budget

import biomedkit as bk

BUDGET_S = budget("explain", "explorer_seconds")


def median_time(run, repeats=3):
    """Median wall-clock and processor seconds (the latter summed over threads)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    import shap
    import xgboost as xgb

    data, _ = bk.simulate.cohort(n=10_000, n_noise=19, random_state=0)
    X, y = data.X, data.y
    print(f"{X.shape[0]:,} rows x {X.shape[1]} features (1 categorical); xgboost {xgb.__version__}, "
          f"shap {shap.__version__}, {os.cpu_count()} cores, n_jobs=None (all)")
    verdicts = Verdicts()
    print(f"{'model':<32} {'bk.explain s':>12} {'(cpu s)':>8} {'shap s':>7} {'shap/bk':>8}")
    for label, params in (("300 trees, depth 3", {"n_estimators": 300, "max_depth": 3}),
                          ("100 trees, depth 6 (defaults)", {"n_estimators": 100, "max_depth": 6})):
        model = xgb.XGBClassifier(**params, learning_rate=0.05, enable_categorical=True,
                                  random_state=0).fit(X, y)
        ours, ours_cpu = median_time(lambda: bk.explain.explain(model, X))
        theirs, _ = median_time(lambda: shap.TreeExplainer(model).shap_values(X))
        print(f"{label:<32} {ours:>12.3f} {ours_cpu:>8.3f} {theirs:>7.3f} {theirs / ours:>7.2f}x")
        # The explorer: from a full explanation, and explaining only what it shows.
        full, _ = median_time(lambda: bk.widgets.ExplanationExplorer(bk.explain.explain(model, X)))
        lazy, _ = median_time(lambda: bk.widgets.ExplanationExplorer.from_model(model, X))
        print(f"{'':<32} explorer ready: explain + ExplanationExplorer {full:.3f} s, "
              f"ExplanationExplorer.from_model {lazy:.3f} s "
              f"(budget {BUDGET_S:.0f} s: {verdicts.check(f'explorer, {label}', lazy, BUDGET_S)})")
    print(f"load average over the last minute: {os.getloadavg()[0]:.1f} (other work slows the wall clock)")
    return verdicts.exit_code()


if __name__ == "__main__":
    sys.exit(main())
