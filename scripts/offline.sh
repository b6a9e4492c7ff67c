#!/usr/bin/env bash
# Set up a workshop room with no internet, from the same lock as Binder.
#
#   bash scripts/offline.sh download [folder]   # with internet: every locked file
#   bash scripts/offline.sh install  [folder]   # on each offline laptop (Linux x86_64, Python 3.11)
#
# `download` fills the folder (default: wheelhouse/ in the checkout) with the files the lock
# pins and those of the build backend's lock (hatchling, with what it needs, which builds
# biomedkit from the checkout), each checked against its hash. Copy the folder with this
# checkout to each laptop (or a USB stick).
# `install` builds the learners' environment (scripts/learners_env.sh) from that folder alone:
# no index is asked (PIP_NO_INDEX), so nothing is fetched, and every hash is checked again,
# the build backend's too: it is installed from its lock into the environment, and biomedkit is
# built with it there (pip's build isolation would install it from the folder unchecked).
# Then `bash scripts/lab.sh` opens the lessons.
#
# The lock's files are for Linux x86_64 and Python 3.11. Both commands stop on anything else
# rather than fill the folder with another platform's files (download), or look for unpinned
# releases the folder does not hold (install).
#
#   PYTHON                    the Python 3.11 interpreter (default: python3): its pip downloads,
#                             and the learners' environment is made from it
#   BIOMEDKIT_LEARNERS_VENV   where `install` builds the environment (default: .venv-learners)
#   BIOMEDKIT_LOCK            the lock (default: binder/requirements.txt). tests/test_offline.py
#                             passes a few entries of the real lock, to run both commands in
#                             seconds; with such a partial lock `install` skips postBuild's
#                             `pip check`, which only the whole lock can pass (learners_env.sh).
#   BIOMEDKIT_BUILD_LOCK      the build backend's lock (default: binder/build-requirements.txt,
#                             made with the lock by scripts/lock.sh)
# A relative folder or lock is taken from the current directory.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
action="${1:-}"
folder="$(realpath -m "${2:-$ROOT/wheelhouse}")"
lock="$(realpath -m "${BIOMEDKIT_LOCK:-$ROOT/binder/requirements.txt}")"
build_lock="$(realpath -m "${BIOMEDKIT_BUILD_LOCK:-$ROOT/binder/build-requirements.txt}")"
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
cd "$ROOT"

# Same test as learners_env.sh, which would otherwise fall back to unpinned releases.
platform_fits() {
    [ "$(uname -sm)" = "Linux x86_64" ] && \
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
}
this_machine() { echo "this is $(uname -sm) with $("$PYTHON" --version 2>&1 || echo "no working $PYTHON")"; }

for file in "$lock" "$build_lock"; do
    [ -f "$file" ] || { echo "no lock at $file" >&2; exit 1; }
done
case "$action" in
download)
    platform_fits || {
        echo "the lock's files are for Linux x86_64 and Python 3.11, and pip downloads the files" \
             "of the machine it runs on; $(this_machine). Run download on a Linux x86_64 machine" \
             "(or container) with Python 3.11, e.g. PYTHON=python3.11." >&2
        exit 1
    }
    mkdir -p "$folder"
    "$PYTHON" -m pip download --require-hashes --no-deps -r "$lock" -d "$folder"
    "$PYTHON" -m pip download --require-hashes --no-deps -r "$build_lock" -d "$folder"
    echo "==> $folder holds $(ls "$folder" | wc -l) files; copy it with this checkout"
    ;;
install)
    [ -d "$folder" ] || { echo "no folder $folder: run 'bash scripts/offline.sh download' first" >&2; exit 1; }
    platform_fits || {
        echo "the folder holds files for Linux x86_64 and Python 3.11 only; $(this_machine)." \
             "Use Binder or the workshop's JupyterHub on this laptop, or run" \
             "'bash scripts/lab.sh' where there is internet." >&2
        exit 1
    }
    export PIP_NO_INDEX=1 PIP_FIND_LINKS="$folder" BIOMEDKIT_LOCK="$lock" BIOMEDKIT_BUILD_LOCK="$build_lock"
    source scripts/learners_env.sh
    echo "==> installed; open the lessons with: bash scripts/lab.sh"
    ;;
*)
    echo "usage: bash scripts/offline.sh download|install [folder]" >&2
    exit 2
    ;;
esac
