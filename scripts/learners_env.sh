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
#
# The lock pins files for Linux x86_64 and Python 3.11 (what Binder and JupyterHub run).
# Elsewhere it cannot apply: the environment is then built from pyproject.toml's `binder`
# extra with the newest matching releases, and the script says so.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEARNERS_VENV="${BIOMEDKIT_LEARNERS_VENV:-$ROOT/.venv-learners}"
PYTHON="${PYTHON:-python3}"
LEARNERS_LOCK="$(realpath "${BIOMEDKIT_LOCK:-$ROOT/binder/requirements.txt}")"
export PIP_DISABLE_PIP_VERSION_CHECK=1

locked=1
if [ "$(uname -sm)" != "Linux x86_64" ] || \
   ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    locked=0
    echo "NOTE: the lock is made for Linux x86_64 and Python 3.11; this is $(uname -sm) with" \
         "$("$PYTHON" --version 2>&1). Installing unpinned releases instead: numbers may differ" \
         "slightly from the lessons' text." >&2
fi

stamp="$LEARNERS_VENV/.biomedkit-lock"
wanted="$locked $(cat "$LEARNERS_LOCK" "$ROOT/binder/postBuild" | sha256sum | cut -c1-64)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "==> building the learners' environment in $LEARNERS_VENV (a few minutes)"
    rm -rf "$LEARNERS_VENV"
    "$PYTHON" -m venv "$LEARNERS_VENV"
    (
        cd "$ROOT"
        export PATH="$LEARNERS_VENV/bin:$PATH" VIRTUAL_ENV="$LEARNERS_VENV"
        unset PYTHONPATH
        if [ "$locked" = 1 ]; then
            # exactly what repo2docker runs, in the same order, from the repository root
            # (a partial lock cannot pass postBuild's `pip check`: see BIOMEDKIT_LOCK above)
            pip install --quiet --no-cache-dir -r "$LEARNERS_LOCK"
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
    echo "$wanted" > "$stamp"
fi

# biomedkit is installed there as a wheel would be, not editable: refresh it when the
# checkout's library differs from what was installed (a few seconds).
code="$(cd "$ROOT" && find biomedkit datasets/cards pyproject.toml -type f \( -name '*.py' -o -name '*.js' \
        -o -name '*.css' -o -name '*.toml' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
if [ "$(cat "$LEARNERS_VENV/.biomedkit-code" 2>/dev/null)" != "$code" ]; then
    "$LEARNERS_VENV/bin/pip" install --quiet --no-deps --no-cache-dir --force-reinstall "$ROOT" 2>&1 \
        | { grep -v "^WARNING: Location" || true; }
    echo "$code" > "$LEARNERS_VENV/.biomedkit-code"
fi
echo "==> learners' environment ready: $LEARNERS_VENV"
LEARNERS_PYTHON="$LEARNERS_VENV/bin/python"
export LEARNERS_VENV LEARNERS_PYTHON
