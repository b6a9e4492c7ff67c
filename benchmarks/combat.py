"""Time biomedkit's ComBat against neuroCombat on 200 samples x 20,000 genes, and check that
they agree.

    python benchmarks/combat.py

Parametric empirical Bayes, three batches, the subtype kept as a biological covariate;
then once more with a reference batch. Each case is timed 3 times (median), fit and
transform together on both sides. neuroCombat is a Python port of R sva's ComBat and must
be installed (it is in the test environment). There is no time budget; exits 1 if the two
disagree.
"""

import contextlib
import io
import statistics
import sys
import time

import numpy as np
import pandas as pd

import biomedkit as bk
from biomedkit.preprocessing import ComBat

TOLERANCE = 1e-6  # as in tests/test_combat.py


def median_time(run, repeats=3):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    import neuroCombat

    disagree = 0

    if not hasattr(np, "int"):  # neuroCombat 0.2.12 still calls np.int (gone in numpy 2)
        np.int = int
    data, _ = bk.simulate.expression(n_samples=200, n_genes=20_000, n_subtypes=2, n_batches=3,
                                     random_state=0)
    frame = data.frame.assign(batch=data.frame["batch"].astype(str))
    genes = [c for c in frame.columns if c not in ("batch", "outcome")]
    values = frame[genes].to_numpy(float)
    covars = pd.DataFrame({"batch": frame["batch"].to_numpy(), "outcome": frame["outcome"].to_numpy()})
    print(f"ComBat on {values.shape[0]} samples x {values.shape[1]:,} genes, 3 batches, outcome as "
          "covariate (median of 3 runs; ratio = neuroCombat time / biomedkit time)")
    print(f"{'case':<22} {'biomedkit s':>11} {'neuroCombat s':>13} {'ratio':>6} {'max |diff|':>11}")
    for label, ref in (("no reference batch", None), ("reference batch_1", "batch_1")):
        def ours():
            return ComBat(batch="batch", covariates=["outcome"], reference_batch=ref).fit_transform(frame)

        def theirs():
            with contextlib.redirect_stdout(io.StringIO()):  # neuroCombat prints its progress
                out = neuroCombat.neuroCombat(values.T, covars, "batch", categorical_cols=["outcome"],
                                              ref_batch=ref)
            return out["data"].T

        t_ours, got = median_time(ours)
        t_theirs, expected = median_time(theirs)
        diff = float(np.max(np.abs(got - expected)))
        verdict = "agree" if diff < TOLERANCE else "DISAGREE"
        disagree += diff >= TOLERANCE
        print(f"{label:<22} {t_ours:>11.2f} {t_theirs:>13.2f} {t_theirs / t_ours:>5.1f}x {diff:>11.1e}"
              f"  {verdict}")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
