#!/usr/bin/env bash
# Set up a workshop room with no internet, from the same lock as Binder.
#
#   bash scripts/offline.sh download [folder]   # with internet: every locked file
#   bash scripts/offline.sh install  [folder]   # on each offline laptop (Linux x86_64, Python 3.11)
#
# `download` fills the folder (default: wheelhouse/) with the files binder/requirements.txt
# pins, each checked against its hash, and the build backend that installs biomedkit from
# the checkout. Copy the folder with this checkout to each laptop (or a USB stick).
# `install` builds the learners' environment from that folder alone (no index is asked:
# nothing is fetched), checking every hash again; then `bash scripts/lab.sh` opens the lessons.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
action="${1:-}"
folder="$(realpath -m "${2:-wheelhouse}")"
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

case "$action" in
download)
    mkdir -p "$folder"
    "$PYTHON" -m pip download --require-hashes --no-deps -r binder/requirements.txt -d "$folder"
    "$PYTHON" -m pip download -d "$folder" "hatchling>=1.24"   # builds biomedkit at install
    echo "==> $folder holds $(ls "$folder" | wc -l) files; copy it with this checkout"
    ;;
install)
    [ -d "$folder" ] || { echo "no folder $folder: run 'bash scripts/offline.sh download' first" >&2; exit 1; }
    export PIP_NO_INDEX=1 PIP_FIND_LINKS="$folder"
    source scripts/learners_env.sh
    echo "==> installed; open the lessons with: bash scripts/lab.sh"
    ;;
*)
    echo "usage: bash scripts/offline.sh download|install [folder]" >&2
    exit 2
    ;;
esac
