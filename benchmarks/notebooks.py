"""Each lesson's wall time and the kernel's peak memory, against the budgets in budgets.toml.

    python benchmarks/notebooks.py                     # the results of the last test run
    python benchmarks/notebooks.py --run [notebooks]   # execute now (all, or those named)

The test command executes every lesson once, in the learners' environment, and records the
figures (scripts/run_notebooks.py); this script reads them rather than running the lessons a
second time. A record is used only if it was made from the notebook as it is now. Exits 1 if
a lesson failed or went over its budget, or if a lesson has no current record.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import run_notebooks as rn  # noqa: E402


def main(argv: list[str]) -> int:
    if argv[:1] == ["--run"]:
        rn.main(argv[1:])
    records = {r["notebook"]: r for r in rn.load_results()}
    current, missing = [], []
    for path in rn.lessons():
        r = records.get(path.stem)
        if r and r["source_sha256"] == rn.source_hash(path):
            current.append(r)
        else:
            missing.append(path.stem)
    print(rn.report(current, n=len(current)))
    over = [r["notebook"] for r in current if rn.over_budget(r)]
    if missing:
        print(f"no current record for {', '.join(missing)}: run `python benchmarks/notebooks.py --run`")
    if over:
        print(f"OVER BUDGET: {', '.join(over)}")
    return 1 if over or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
