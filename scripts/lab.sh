#!/usr/bin/env bash
# Set up the learners' environment (first time only: from the lock, as on Binder) and open
# JupyterLab on the lessons. Extra arguments go to JupyterLab, e.g. scripts/lab.sh --port 8899
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/learners_env.sh"

# Workshops often have no internet: JupyterLab should not ask to fetch news.
settings="$LEARNERS_VENV/share/jupyter/lab/settings"
if [ ! -f "$settings/overrides.json" ]; then
    mkdir -p "$settings"
    echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
        > "$settings/overrides.json"
fi

args=(--notebook-dir "$ROOT/notebooks")
[ "$(id -u)" = "0" ] && args+=(--allow-root)   # containers often run as root
exec "$LEARNERS_VENV/bin/jupyter" lab "${args[@]}" "$@"
