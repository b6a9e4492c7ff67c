"""Time bk.audit on 100,000 rows x 100 columns against its budget (budgets.toml; exits 1 over it).

    python benchmarks/audit.py

The table is a simulated cohort (3 sites, 85 noise labs) with problems put in on purpose:
a leaked column, a marker that leaks the label at one site only, a text identifier,
informative missingness, duplicated rows, a date, a categorical ward and a train/test
split column whose test rows drifted in one lab. Each
run is timed 3 times (median); the findings of the last run are printed, so that the
figures come with evidence that every check ran.

Those warm runs follow a warm-up that has already imported scikit-learn and loaded its
thread pools, so they cannot see what happens only on a process's first call (a thread pool
loaded after the one-thread limit was set keeps a thread per core). So the first call is
also timed in a fresh interpreter, with its CPU time: CPU / wall near 1 means one thread,
as intended; near the number of cores means the pools ran wide.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import Verdicts, budget

import biomedkit as bk

BUDGET_S = budget("audit")
FIRST_CALL_BUDGET_S = budget("audit", "first_call_seconds")
AUDIT_KWARGS = dict(site="site", group="group", time="admission_date", test="split", random_state=0)

# Run in a fresh interpreter: biomedkit imported, the table made, then the first bk.audit of
# the process timed. process_time counts the CPU time of every thread of the process.
FIRST_CALL = """
import json, sys, time
import biomedkit as bk
from audit import AUDIT_KWARGS, problem_table
table = problem_table()
loaded = sorted(name for name in ("sklearn", "scipy.linalg", "torch", "xgboost") if name in sys.modules)
start, start_cpu = time.perf_counter(), time.process_time()
bk.audit(table, "event", **AUDIT_KWARGS)
wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
print(json.dumps({"wall": wall, "cpu": cpu, "loaded_before": loaded}))
"""


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


def first_call() -> dict:
    """Wall and CPU seconds of the first bk.audit in a fresh interpreter (see FIRST_CALL)."""
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(here), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the first-call run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(repeats: int = 3) -> int:
    verdicts = Verdicts()
    first = first_call()  # before this process builds its own table: one big table in memory at a time
    table = problem_table()
    bk.audit(table.iloc[:2000], "event", **AUDIT_KWARGS)  # warm the imports
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        report = bk.audit(table, "event", **AUDIT_KWARGS)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(times)
    print(f"bk.audit on {table.shape[0]:,} rows x {table.shape[1]} columns (+ named index): "
          f"median {median:.2f} s over {repeats} runs (min {min(times):.2f}, max {max(times):.2f}; "
          f"CPU time {statistics.median(cpu):.2f} s); budget {BUDGET_S:.0f} s: "
          f"{verdicts.check('bk.audit', median, BUDGET_S)}")
    loaded = ", ".join(first["loaded_before"]) or "none of scikit-learn, SciPy's linalg, torch, xgboost"
    print(f"first call in a fresh interpreter: {first['wall']:.2f} s (CPU time {first['cpu']:.2f} s, "
          f"CPU / wall {first['cpu'] / first['wall']:.2f}: near 1 is one thread; "
          f"loaded before the call: {loaded}); budget {FIRST_CALL_BUDGET_S:.0f} s: "
          f"{verdicts.check('bk.audit first call', first['wall'], FIRST_CALL_BUDGET_S)}")
    print(report)
    print(report.separability)
    return verdicts.exit_code()


if __name__ == "__main__":
    sys.exit(main())
