"""Time bk.audit on 100,000 rows x 100 columns against its budget (budgets.toml; exits 1 over it).

    python benchmarks/audit.py

The table is a simulated cohort (3 sites, 85 noise labs) with problems put in on purpose:
a leaked column, a marker that leaks the label at one site only, a text identifier,
informative missingness, duplicated rows, a date, a categorical ward and a train/test
split column whose test rows drifted in one lab. Each
run is timed 3 times (median); the findings of the last run are printed, so that the
figures come with evidence that every check ran.
"""

import statistics
import sys
import time

import numpy as np
import pandas as pd
from _timing import Verdicts, budget

import biomedkit as bk

BUDGET_S = budget("audit")


def problem_table(n: int = 100_000, seed: int = 0) -> pd.DataFrame:
    data, _ = bk.simulate.cohort(n=n, n_noise=85, n_sites=3, leaky_site="site_2", random_state=seed)
    frame = data.frame
    rng = np.random.default_rng(seed)
    event = frame["event"].to_numpy()
    extra = pd.DataFrame({
        "troponin_after": event * 2.0 + rng.normal(0, 0.5, n),  # measured after the outcome
        "mrn": [f"MRN{k:07d}" for k in rng.permutation(n)],
        "admission_date": pd.Timestamp("2016-01-01") + pd.to_timedelta(rng.integers(0, 6 * 365, n), "D"),
        "ward": rng.choice([f"ward_{k}" for k in range(12)], n),
        "split": np.where(rng.random(n) < 0.25, "test", "train"),
    }, index=frame.index)
    frame = pd.concat([frame, extra], axis=1)
    frame["bmi"] = frame["bmi"].where(~((event == 1) & (rng.random(n) < 0.4)))  # missing in cases
    test = (frame["split"] == "test").to_numpy()
    frame.loc[test, "lab_001"] += 0.5  # drift
    return pd.concat([frame, frame.iloc[:500]])  # 500 duplicated rows


def main(repeats: int = 3) -> int:
    verdicts = Verdicts()
    table = problem_table()
    kwargs = dict(site="site", group="group", time="admission_date", test="split", random_state=0)
    bk.audit(table.iloc[:2000], "event", **kwargs)  # warm the imports
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        report = bk.audit(table, "event", **kwargs)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(times)
    print(f"bk.audit on {table.shape[0]:,} rows x {table.shape[1]} columns (+ named index): "
          f"median {median:.2f} s over {repeats} runs (min {min(times):.2f}, max {max(times):.2f}; "
          f"CPU time {statistics.median(cpu):.2f} s); budget {BUDGET_S:.0f} s: "
          f"{verdicts.check('bk.audit', median, BUDGET_S)}")
    print(report)
    print(report.separability)
    return verdicts.exit_code()


if __name__ == "__main__":
    sys.exit(main())
