"""The timer the benchmark scripts share (run each script from the repository root or
from this folder: Python puts the script's folder on the path)."""

import statistics
import time


def median_time(run, repeats=3):
    """Median wall-clock seconds of ``run()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)
