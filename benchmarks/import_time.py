"""Time `import biomedkit` in fresh interpreters, against its budget (budgets.toml: 0.3 s).

    python benchmarks/import_time.py
"""

import json
import statistics
import subprocess
import sys

from _timing import Verdicts, budget

BUDGET_S = budget("import")
PROBE = """
import json, sys, time
t = time.perf_counter()
import {module}
elapsed = time.perf_counter() - t
heavy = [m for m in ("torch", "xgboost", "shap", "sklearn", "pandas", "numpy") if m in sys.modules]
print(json.dumps({{"seconds": elapsed, "heavy": heavy}}))
"""


def measure(module: str, repeats: int = 15) -> tuple[float, list[str]]:
    runs = [json.loads(subprocess.run([sys.executable, "-c", PROBE.format(module=module)],
                                      capture_output=True, text=True, check=True).stdout)
            for _ in range(repeats)]
    return statistics.median(r["seconds"] for r in runs), runs[0]["heavy"]


def main() -> int:
    verdicts = Verdicts()
    seconds, heavy = measure("biomedkit")
    reference, _ = measure("numpy")  # a familiar yardstick, measured in the same run
    print(f"import biomedkit: median {seconds * 1000:.1f} ms over 15 fresh interpreters "
          f"(budget {BUDGET_S * 1000:.0f} ms: {verdicts.check('import biomedkit', seconds, BUDGET_S)})")
    print(f"  heavy modules loaded: {heavy or 'none'}")
    print(f"  for scale, import numpy: {reference * 1000:.1f} ms "
          f"(biomedkit takes {seconds / reference:.2f}x of that)")
    if heavy:
        verdicts.over.append(f"import biomedkit loads {heavy}")
    return verdicts.exit_code()


if __name__ == "__main__":
    sys.exit(main())
