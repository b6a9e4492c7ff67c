#!/usr/bin/env bash
# Set everything up (first time only) and print every benchmark against its budget
# (benchmarks/budgets.toml). Exits 1 if any figure is over budget; every script runs anyway.
# A separate command from the tests: timings on a shared machine are noisy, so a figure
# over budget is a reason to look, measured again, not a failed test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
over=()
for script in import_time simulators validation fairness explain audit combat dask_cluster notebooks; do
    echo "== benchmarks/$script.py"
    python "benchmarks/$script.py" || over+=("$script")
    echo
done
if [ "${#over[@]}" -gt 0 ]; then
    echo "over budget (or failed): ${over[*]}" >&2
    exit 1
fi
echo "every benchmark within its budget"
