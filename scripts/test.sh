#!/usr/bin/env bash
# Set everything up (first time only) and run the whole test suite: unit tests,
# every notebook executed top to bottom (nbmake), and the Binder check.
# Extra arguments go to pytest, for example: scripts/test.sh -k datasets
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

export BIOMEDKIT_TEST_BINDER="${BIOMEDKIT_TEST_BINDER:-1}"
python -m pytest --nbmake --nbmake-timeout=600 tests notebooks "$@"
