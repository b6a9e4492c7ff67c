"""Time the simulators at scale, against their budget (budgets.toml; exits 1 over it).

    python benchmarks/simulators.py
"""

import statistics
import sys
import time

from _timing import Verdicts, budget

import biomedkit as bk

BUDGET_S = budget("simulators")
CASES = [
    ("cohort: 100,000 patients", lambda: bk.simulate.cohort(100_000, random_state=0)),
    ("cohort: 100,000 patients, 4 sites", lambda: bk.simulate.cohort(100_000, n_sites=4, random_state=0)),
    ("cohort: 100,000 patients + 300 noise labs", lambda: bk.simulate.cohort(100_000, n_noise=300, random_state=0)),
    ("expression: 200 samples x 20,000 genes", lambda: bk.simulate.expression(200, 20_000, random_state=0)),
    ("expression: 2,000 samples x 5,000 genes", lambda: bk.simulate.expression(2_000, 5_000, random_state=0)),
]


def main(repeats: int = 3) -> int:
    verdicts = Verdicts()
    bk.simulate.cohort(100, random_state=0)  # warm imports
    print(f"{'simulator':<45} {'median s':>9}  budget {BUDGET_S:.0f} s")
    for label, run in CASES:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            run()
            times.append(time.perf_counter() - t)
        median = statistics.median(times)
        print(f"{label:<45} {median:>9.3f}  {verdicts.check(label, median, BUDGET_S)}")
    return verdicts.exit_code()


if __name__ == "__main__":
    sys.exit(main())
