"""Execute every lesson once, keep the executed copies, and record time and peak memory.

    python scripts/run_notebooks.py                  # every lesson, into build/executed/
    python scripts/run_notebooks.py notebooks/03_unsupervised_subtypes.ipynb
    python scripts/run_notebooks.py --report         # print the table of the last run

The test command runs this once, with the interpreter of the learners' environment (the one
Binder builds from the lock), so the lessons are checked where learners run them. Everything
that needs an executed lesson reads the copies written here instead of running it again: the
notebook tests (tests/test_notebooks.py) and the notebook benchmark (benchmarks/notebooks.py).

Each executed copy is ``build/executed/NN_name.ipynb``, carrying in its metadata the hash of
the notebook it came from, so a stale copy is recognised; ``build/executed/results.json``
holds one record per notebook: seconds, peak memory of the kernel and its children, and the
error, if any. Lessons run side by side when the machine has cores to spare (one lesson per
two cores: each is budgeted for two), so on a 2-core machine they run one after another.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import threading
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from build_notebooks import unfold_solutions  # the same folder: scripts/

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "executed"
BUDGETS = tomllib.loads((ROOT / "benchmarks" / "budgets.toml").read_text())["notebook"]


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lessons() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))


class PeakRSS:
    """Poll the kernel process (and its children) every 50 ms for its resident memory."""

    def __init__(self, pid: int):
        import psutil

        self._psutil, self.process, self.peak = psutil, psutil.Process(pid), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self):
        while not self._stop.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except self._psutil.Error:
                pass
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def execute(path: Path, out_dir: Path, threads: int) -> dict:
    """Run one notebook top to bottom from its own folder; save the executed copy."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)  # the kernel inherits it: side-by-side lessons share fairly
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["BIOMEDKIT_PROGRESS"] = "0"  # bars are for a learner watching, not for stored outputs
    # OpenMP threads that wait by spinning fight each other on a busy 2-core machine (PyTorch
    # training ran about 12 times slower): let them sleep instead. The numbers do not change.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    nb = unfold_solutions(nbformat.read(path, as_version=4))  # every solution runs too
    client = NotebookClient(nb, timeout=int(BUDGETS["timeout_s"]), kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    error, seconds, peak = "", 0.0, 0
    try:
        with client.setup_kernel():
            monitor = PeakRSS(client.km.provisioner.process.pid)
            start = time.perf_counter()
            try:
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
            except CellExecutionError as exc:
                error = str(exc)[-3000:]
            finally:
                seconds, peak = time.perf_counter() - start, monitor.stop()
    except Exception as exc:  # a kernel that died or never started, a timeout: report it, go on
        error = error or f"{type(exc).__name__}: {exc}"[-3000:]
    record = {"notebook": path.stem, "seconds": round(seconds, 1), "peak_gb": round(peak / 1024**3, 3),
              "error": error, "source_sha256": source_hash(path), "python": sys.executable}
    nb.metadata["biomedkit"] = {k: record[k] for k in ("source_sha256", "seconds", "peak_gb")}
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(out_dir / path.name, nbformat.writes(nb))
    return record


def _write_atomically(path: Path, text: str) -> None:
    # readers (the tests, another run) never see a half-written file
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def over_budget(record: dict) -> list[str]:
    why = []
    if record["error"]:
        why.append("error")
    if record["seconds"] > BUDGETS["seconds"]:
        why.append(f"> {BUDGETS['seconds']:.0f} s")
    if record["peak_gb"] > BUDGETS["peak_gb"]:
        why.append(f"> {BUDGETS['peak_gb']} GB")
    return why


def report(records: list[dict], n: int = 10) -> str:
    """The n slowest lessons with their peak memory, and the total."""
    rows = sorted(records, key=lambda r: -r["seconds"])
    lines = [f"{'slowest lessons':<32} {'seconds':>8} {'peak GB':>8}   budget {BUDGETS['seconds']:.0f} s, "
             f"{BUDGETS['peak_gb']} GB each"]
    for r in rows[:n]:
        flag = ", ".join(over_budget(r))
        lines.append(f"{r['notebook']:<32} {r['seconds']:>8.1f} {r['peak_gb']:>8.2f}   {flag or 'ok'}")
    total = sum(r["seconds"] for r in records)
    worst = max((r["peak_gb"] for r in records), default=0.0)
    lines.append(f"{len(records)} lessons: {total:.0f} s of execution in all, highest peak {worst:.2f} GB")
    return "\n".join(lines)


def load_results(out_dir: Path = OUT) -> list[dict]:
    path = out_dir / "results.json"
    return json.loads(path.read_text()) if path.exists() else []


def run_all(paths: list[Path], out_dir: Path, jobs: int) -> list[dict]:
    threads = max(1, (os.cpu_count() or 2) // jobs)
    print(f"==> executing {len(paths)} lessons ({jobs} at a time) with {sys.executable}", flush=True)
    records = {r["notebook"]: r for r in load_results(out_dir)}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(execute, p, out_dir, threads) for p in paths]
        for future in futures:
            r = future.result()
            records[r["notebook"]] = r
            status = "FAILED" if r["error"] else "ok"
            print(f"    {r['notebook']:<32} {r['seconds']:>6.1f} s {r['peak_gb']:>5.2f} GB  {status}", flush=True)
    current = {p.stem for p in lessons()}
    merged = sorted((r for r in records.values() if r["notebook"] in current), key=lambda r: r["notebook"])
    _write_atomically(out_dir / "results.json", json.dumps(merged, indent=1) + "\n")
    return [records[p.stem] for p in paths]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--report", action="store_true", help="print the last run's table and exit")
    args = parser.parse_args(argv)
    if args.report:
        records = load_results(args.out)
        print(report(records) if records else "no executed lessons yet: run scripts/run_notebooks.py")
        return 0
    done = run_all([p.resolve() for p in args.notebooks] or lessons(), args.out, args.jobs)
    for r in done:
        if r["error"]:
            print(f"\n{r['notebook']} failed:\n{r['error']}", file=sys.stderr)
    return 1 if any(r["error"] for r in done) else 0


if __name__ == "__main__":
    sys.exit(main())
