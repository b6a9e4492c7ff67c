"""What the benchmark scripts share: the budgets, a timer and the verdicts (run each script
from the repository root or from this folder: Python puts the script's folder on the path).

Every script prints its figures against the budgets in budgets.toml and exits 1 when one is
over, so that `scripts/bench.sh` (and CI, if asked) can tell.
"""

import statistics
import time
import tomllib
from pathlib import Path

BUDGETS = tomllib.loads((Path(__file__).parent / "budgets.toml").read_text())


def budget(section: str, key: str = "seconds") -> float:
    """The budget ``key`` of ``section`` in budgets.toml."""
    return BUDGETS[section][key]


def median_time(run, repeats=3):
    """Median wall-clock seconds of ``run()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class Verdicts:
    """Collects each figure's verdict against its budget; ``exit_code()`` at the end."""

    def __init__(self):
        self.over: list[str] = []

    def check(self, label: str, value: float, limit: float) -> str:
        if value < limit:
            return "OK"
        self.over.append(f"{label}: {value:.3g} against {limit:.3g}")
        return "OVER"

    def exit_code(self) -> int:
        for line in self.over:
            print(f"OVER BUDGET {line}")
        return 1 if self.over else 0
