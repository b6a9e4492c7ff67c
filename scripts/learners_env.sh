#!/usr/bin/env bash
# Build (or reuse) the learners' environment exactly as Binder builds it: the lock
# (binder/requirements.txt, every file checked against its hash), then binder/postBuild
# (biomedkit itself, installed as a wheel would be, no test tools). Sourced by lab.sh and
# test.sh; sets LEARNERS_PYTHON and LEARNERS_VENV.
#
#   BIOMEDKIT_LEARNERS_VENV   where it lives (default: .venv-learners in the checkout)
#   PYTHON                    the Python 3.11 interpreter to build it from (default: python3)
#   BIOMEDKIT_LOCK            the lock to install (default: binder/requirements.txt). Any other
#                             lock is taken as a part of it (tests/test_offline.py): biomedkit is
#                             then installed with --no-deps as postBuild does, without postBuild's
#                             `pip check`, which a partial lock cannot pass.
#   BIOMEDKIT_BUILD_LOCK      the build backend's hashed lock (binder/build-requirements.txt), set
#                             by scripts/offline.sh: installed into the environment after the lock,
#                             every hash checked, and biomedkit is then built with it, without pip's
#                             build isolation (which installs the backend it needs unchecked).
#                             Unset (the default), biomedkit is built as Binder builds it.
#
# The lock pins files for Linux x86_64 and Python 3.11 (what Binder and JupyterHub run).
# Elsewhere it cannot apply: the environment is then built from pyproject.toml's `binder`
# extra with the newest matching releases, and the script says so.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEARNERS_VENV="${BIOMEDKIT_LEARNERS_VENV:-$ROOT/.venv-learners}"
PYTHON="${PYTHON:-python3}"
LEARNERS_LOCK="$(realpath "${BIOMEDKIT_LOCK:-$ROOT/binder/requirements.txt}")"
BUILD_LOCK="${BIOMEDKIT_BUILD_LOCK:+$(realpath "$BIOMEDKIT_BUILD_LOCK")}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

locked=1
if [ "$(uname -sm)" != "Linux x86_64" ] || \
   ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    locked=0
    echo "NOTE: the lock is made for Linux x86_64 and Python 3.11; this is $(uname -sm) with" \
         "$("$PYTHON" --version 2>&1). Installing unpinned releases instead: numbers may differ" \
         "slightly from the lessons' text." >&2
fi

# what the checkout's library is now (biomedkit is refreshed below when it changes)
code="$(cd "$ROOT" && find biomedkit datasets/cards pyproject.toml -type f \( -name '*.py' -o -name '*.js' \
        -o -name '*.css' -o -name '*.toml' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
stamp="$LEARNERS_VENV/.biomedkit-lock"
wanted="$locked $(cat "$LEARNERS_LOCK" "$ROOT/binder/postBuild" | sha256sum | cut -c1-64)"
# An environment built without the backend's lock (or with another) is rebuilt when one is
# asked for; a later run without BIOMEDKIT_BUILD_LOCK (lab.sh) keeps it as it is.
[ "$locked" = 1 ] || BUILD_LOCK=""
backend_stamp="$LEARNERS_VENV/.biomedkit-backend"
backend_wanted="${BUILD_LOCK:+$(sha256sum < "$BUILD_LOCK" | cut -c1-64)}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ] || \
   { [ -n "$BUILD_LOCK" ] && [ "$(cat "$backend_stamp" 2>/dev/null)" != "$backend_wanted" ]; }; then
    echo "==> building the learners' environment in $LEARNERS_VENV (a few minutes)"
    rm -rf "$LEARNERS_VENV"
    "$PYTHON" -m venv "$LEARNERS_VENV"
    (
        cd "$ROOT"
        export PATH="$LEARNERS_VENV/bin:$PATH" VIRTUAL_ENV="$LEARNERS_VENV"
        unset PYTHONPATH
        if [ "$locked" = 1 ]; then
            # exactly what repo2docker runs, in the same order, from the repository root
            # (a partial lock cannot pass postBuild's `pip check`: see BIOMEDKIT_LOCK above),
            # but for the build backend's lock in between when BIOMEDKIT_BUILD_LOCK is set
            pip install --quiet --no-cache-dir -r "$LEARNERS_LOCK"
            if [ -n "$BUILD_LOCK" ]; then
                pip install --quiet --no-cache-dir --require-hashes -r "$BUILD_LOCK"
                # pip reads this "no-" variable inverted: 0 turns build isolation off
                export PIP_NO_BUILD_ISOLATION=0
            fi
            if [ "$LEARNERS_LOCK" -ef binder/requirements.txt ]; then
                ./binder/postBuild >/dev/null
            else
                pip install --quiet --no-cache-dir --no-deps .
            fi
        else
            pip install --quiet "torch==$(grep -o '^torch==[0-9.]*' binder/requirements.txt | cut -d= -f3)" \
                ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
            pip install --quiet ".[binder]"
        fi
    )
    [ -z "$BUILD_LOCK" ] || echo "$backend_wanted" > "$backend_stamp"
    echo "$code" > "$LEARNERS_VENV/.biomedkit-code"  # just built from this checkout
    echo "$wanted" > "$stamp"
fi

# biomedkit is installed there as a wheel would be, not editable: refresh it when the
# checkout's library differs from what was installed (a few seconds), with the environment's
# own build backend when it has one (BIOMEDKIT_BUILD_LOCK), so that no index is needed.
own_backend=""
[ -f "$backend_stamp" ] && own_backend=1
if [ "$(cat "$LEARNERS_VENV/.biomedkit-code" 2>/dev/null)" != "$code" ]; then
    "$LEARNERS_VENV/bin/pip" install --quiet --no-deps --no-cache-dir --force-reinstall \
        ${own_backend:+--no-build-isolation} "$ROOT" 2>&1 \
        | { grep -v "^WARNING: Location" || true; }
    echo "$code" > "$LEARNERS_VENV/.biomedkit-code"
fi
echo "==> learners' environment ready: $LEARNERS_VENV"
LEARNERS_PYTHON="$LEARNERS_VENV/bin/python"
export LEARNERS_VENV LEARNERS_PYTHON
