"""Time the exploratory app on a large table, as a researcher uses it (budgets.toml; exits 1 over).

    python benchmarks/explore_app.py            # 200,000 rows x 300 columns (about 440 MB)
    python benchmarks/explore_app.py --rows 20000

Needs the development environment and chromium (scripts/test.sh installs both). Writes a CSV
of simulated numbers with a binary outcome, serves the app with ``marimo run``, uploads the
file through the page in chromium (Playwright), presses Fit, and times each step until the
page shows its result; the server's memory (its processes together) is sampled as a
kernel's is (run_notebooks.PeakRSS).
"""

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
from _timing import Verdicts, budget

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "scripts")]
from run_notebooks import PeakRSS  # noqa: E402  (the server and its children, as for a kernel)

from browser.harness import browser_page, server  # noqa: E402

APP = ROOT / "notebooks" / "apps" / "explore.py"
WAIT = 600_000  # ms


def write_table(path: Path, rows: int, columns: int = 300, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, columns)).round(4)
    frame = pd.DataFrame(values, columns=[f"x{i}" for i in range(columns)])
    frame["outcome"] = (rng.random(rows) < 1 / (1 + np.exp(2 - values[:, 0] - 0.5 * values[:, 1]))).astype(int)
    frame.to_csv(path, index=False)


def server_pid() -> int:
    """The process of the ``marimo run`` serving the app (the harness starts it)."""
    for proc in psutil.process_iter(["pid", "cmdline"]):
        command = " ".join(proc.info["cmdline"] or [])
        if "marimo" in command and " run " in command and str(APP) in command:
            return proc.info["pid"]
    raise RuntimeError("no marimo server is running the app")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    rows = parser.parse_args().rows
    verdicts = Verdicts()
    with tempfile.TemporaryDirectory(prefix="biomedkit-bench-") as folder:
        csv = Path(folder) / "large.csv"
        write_table(csv, rows)
        print(f"{rows:,} rows x 301 columns: {csv.stat().st_size / 1e6:,.0f} MB")
        with server("marimo", Path(folder), target=str(APP)) as url, browser_page(height=1100) as page:
            memory = PeakRSS(server_pid())
            page.goto(url, wait_until="domcontentloaded")
            page.locator("[data-testid=bk-upload] input[type=file]").first.wait_for(state="attached", timeout=WAIT)
            steps = {}
            start = time.perf_counter()

            def step(name, locator):
                locator.first.wait_for(timeout=WAIT)
                steps[name] = time.perf_counter() - start - sum(steps.values())

            page.locator("[data-testid=bk-upload] input[type=file]").first.set_input_files(str(csv))
            step("upload", page.get_by_text(re.compile(r"received in")))
            step("read", page.get_by_text(re.compile(r"rows × .* columns, read in")))
            step("audit", page.get_by_text(re.compile(r"findings? in|No findings")))
            page.locator("button", has_text="Fit the baselines").click()
            step("baselines", page.get_by_text("Gradient boosting minus logistic regression"))
            step("explorers", page.locator("[data-testid=bk-explanation-explorer]"))
            peak = memory.stop() / 1e9
    for name, seconds in steps.items():
        limit = budget("explore_app", f"{name}_seconds")
        print(f"{name:<10} {seconds:6.1f} s   (budget {limit:.0f} s)  {verdicts.check(name, seconds, limit)}")
    limit = budget("explore_app", "peak_gb")
    print(f"{'peak':<10} {peak:6.2f} GB  (budget {limit:.1f} GB) {verdicts.check('server peak GB', peak, limit)}")
    return verdicts.exit_code()


if __name__ == "__main__":
    sys.exit(main())
