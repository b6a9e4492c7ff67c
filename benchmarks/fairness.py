"""Time the fairness computations against their budgets (budgets.toml; exits 1 over budget).

    python benchmarks/fairness.py [--metricframe-thresholds 100]

- group_curves on 1,000,000 rows and 4 groups (budget: under 1 s);
- one threshold query afterwards (budget: under 1 ms), as counts and as a full table;
- a 100-threshold sweep on 100,000 rows with group_curves against the same sweep with
  fairlearn's MetricFrame (selection rate, TPR, FPR), in the same process: the ratio;
- the FairnessExplorer built on 1,000,000 rows.
"""

import argparse
import sys

import numpy as np
from _timing import Verdicts, budget, median_time

import biomedkit as bk


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.choice(np.array(["A", "B", "C", "D"]), n, p=[0.4, 0.3, 0.2, 0.1])
    y = (rng.random(n) < 0.2).astype(int)
    s = np.clip(rng.normal(0.25 + 0.25 * y, 0.15), 0, 1)
    return y, s, g


def main() -> int:
    verdicts = Verdicts()
    curves_budget, query_budget = budget("fairness", "curves_seconds"), budget("fairness", "query_seconds")
    parser = argparse.ArgumentParser()
    parser.add_argument("--metricframe-thresholds", type=int, default=100)
    args = parser.parse_args()
    from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate

    y, s, g = data(1_000_000)
    curves = bk.fairness.group_curves(y, s, g)  # warm-up (imports)
    t_curves = median_time(lambda: bk.fairness.group_curves(y, s, g))
    t_counts = median_time(lambda: [curves.counts(0.3) for _ in range(1000)]) / 1000
    t_table = median_time(lambda: [curves.at(0.3) for _ in range(100)]) / 100
    t_explorer = median_time(lambda: bk.widgets.FairnessExplorer(y, s, g), repeats=1)
    print(f"group_curves, 1,000,000 rows x 4 groups: {t_curves:.3f} s (budget {curves_budget:g} s: "
          f"{verdicts.check('group_curves', t_curves, curves_budget)})")
    print(f"one threshold query: counts {t_counts * 1e3:.3f} ms, full table {t_table * 1e3:.3f} ms "
          f"(budget {query_budget * 1e3:g} ms: {verdicts.check('one threshold query', t_table, query_budget)})")
    print(f"FairnessExplorer ready on 1,000,000 rows: {t_explorer:.2f} s")

    y, s, g = data(100_000, seed=1)
    thresholds = np.linspace(0.05, 0.95, 100)

    def ours():
        c = bk.fairness.group_curves(y, s, g)
        return [c.at(t) for t in thresholds]

    k = args.metricframe_thresholds
    metrics = {"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate}

    def theirs():
        return [MetricFrame(metrics=metrics, y_true=y, y_pred=s >= t, sensitive_features=g).by_group
                for t in thresholds[:k]]

    t_ours = median_time(ours)
    t_theirs = median_time(theirs, repeats=1) * len(thresholds) / k
    print(f"100-threshold sweep on 100,000 rows: group_curves {t_ours:.3f} s, MetricFrame "
          f"{t_theirs:.1f} s{'' if k == 100 else f' (extrapolated from {k})'}: "
          f"{t_theirs / t_ours:.0f}x faster")
    return verdicts.exit_code()


if __name__ == "__main__":
    sys.exit(main())
