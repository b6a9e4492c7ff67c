"""Execute every notebook and print its wall time and the kernel's peak memory.

    python benchmarks/notebooks.py [notebooks/01_workflow.ipynb ...]

Budgets (DESIGN.md): under 120 s and under 1.5 GB peak RSS per notebook, on
2 cores, because Binder gives a session 2 GB.
"""

import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S, BUDGET_GB = 120.0, 1.5


class PeakRSS:
    """Poll the kernel process (and its children) every 50 ms for its resident memory."""

    def __init__(self, pid: int):
        self.process, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self):
        while not self._stop.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(path: Path) -> tuple[float, float, str]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        monitor = PeakRSS(client.km.provisioner.process.pid)
        start = time.perf_counter()
        error = ""
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except Exception as exc:  # report and go on with the next notebook
            error = type(exc).__name__
        seconds = time.perf_counter() - start
        peak = monitor.stop()
    return seconds, peak / 1024**3, error


def main(paths: list[str]) -> int:
    notebooks = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    print(f"{'notebook':<28} {'wall s':>7} {'peak GB':>8}  budget {BUDGET_S:.0f} s / {BUDGET_GB} GB")
    over = 0
    for path in notebooks:
        seconds, gb, error = run(path)
        ok = seconds < BUDGET_S and gb < BUDGET_GB and not error
        over += not ok
        print(f"{path.stem:<28} {seconds:>7.1f} {gb:>8.2f}  {'OK' if ok else 'OVER ' + error}", flush=True)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
