#!/usr/bin/env bash
# Set everything up (first time only) and run the whole test suite:
#   1. the development environment (.venv, floating versions) and the learners' environment
#      (.venv-learners, from the lock in binder/ exactly as Binder builds it);
#   2. every lesson executed once, top to bottom, in the learners' environment
#      (scripts/run_notebooks.py; executed copies in build/executed/);
#   3. the website built from those executed copies (scripts/build_site.py: nothing runs twice);
#   4. pytest in the development environment: unit tests, the notebook checks (which read the
#      executed copies), the browser tests of the explorers (JupyterLab, Notebook 7 and marimo
#      in Debian's chromium) and of the site, and the Binder checks; then ruff;
#   5. the total time, and the ten slowest lessons with their peak memory.
#
#   bash scripts/test.sh             # everything (what CI runs)
#   bash scripts/test.sh --quick     # unit tests only: no lessons, no browser, no learners' env
#   bash scripts/test.sh -k datasets # extra arguments go to pytest
set -euo pipefail
start=$(date +%s)
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi

# The browser tests drive Debian's chromium (never a downloaded browser). Install it
# where we can: Debian or Ubuntu, as root. Elsewhere, say so plainly.
if [ "$quick" = 0 ] && ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM:-}" ]; then
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

if [ "$quick" = 1 ]; then
    python -m pytest tests -m "not browser and not lessons" "$@"
    ruff check .
    exit 0
fi

# A machine without internet (CI) must not wait on retries to reach PyTorch's wheel index.
export PIP_RETRIES="${PIP_RETRIES:-0}"
source scripts/learners_env.sh
lessons_rc=0
"$LEARNERS_PYTHON" scripts/run_notebooks.py || lessons_rc=$?
site_rc=0
python scripts/build_site.py || site_rc=$?

tests_rc=0
python -m pytest tests "$@" || tests_rc=$?
lint_rc=0
ruff check . || lint_rc=$?

echo
python scripts/run_notebooks.py --report
minutes=$(( ($(date +%s) - start) / 60 )); seconds=$(( ($(date +%s) - start) % 60 ))
echo "the whole test command took ${minutes} min ${seconds} s (budget: 30 min on a fresh 2-core machine)"
[ "$lessons_rc" = 0 ] || echo "FAILED: a lesson did not run to the end (see above)" >&2
[ "$site_rc" = 0 ] || echo "FAILED: the website did not build (see above)" >&2
exit $(( lessons_rc || site_rc || tests_rc || lint_rc ))
