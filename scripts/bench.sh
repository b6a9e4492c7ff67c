#!/usr/bin/env bash
# Set everything up (first time only) and print every benchmark against its budget.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
python benchmarks/import_time.py
echo
python benchmarks/simulators.py
echo
python benchmarks/validation.py
echo
python benchmarks/fairness.py
echo
python benchmarks/explain.py
echo
python benchmarks/audit.py
echo
python benchmarks/combat.py
echo
python benchmarks/notebooks.py
