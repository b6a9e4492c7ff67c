#!/usr/bin/env bash
# Set everything up (first time only) and open JupyterLab on the notebook series.
# Extra arguments go to JupyterLab, for example: scripts/lab.sh --port 8899
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

args=(--notebook-dir "$ROOT/notebooks")
[ "$(id -u)" = "0" ] && args+=(--allow-root)   # containers often run as root
exec jupyter lab "${args[@]}" "$@"
