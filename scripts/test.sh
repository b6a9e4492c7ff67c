#!/usr/bin/env bash
# Set everything up (first time only) and run the whole test suite: unit tests,
# every notebook executed top to bottom (nbmake), the browser tests of the explorers
# (JupyterLab and marimo in Debian's chromium) and the Binder check.
# Extra arguments go to pytest, for example: scripts/test.sh -k datasets
set -euo pipefail
# The browser tests drive Debian's chromium (never a downloaded browser). Install it
# where we can: Debian or Ubuntu, as root. Elsewhere, say so plainly.
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM:-}" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing Debian's chromium for the browser tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "NOTE: chromium is not installed and cannot be installed here (needs root on Debian or" >&2
        echo "      Ubuntu: apt-get install chromium). The lessons work without it; the browser" >&2
        echo "      tests will fail until it is there (or CHROMIUM points to a Chromium binary)." >&2
    fi
fi

source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

export BIOMEDKIT_TEST_BINDER="${BIOMEDKIT_TEST_BINDER:-1}"
python -m pytest --nbmake --nbmake-timeout=600 tests notebooks "$@"
