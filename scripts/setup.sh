#!/usr/bin/env bash
# Create (or reuse) the virtual environment with everything the series needs.
# Sourced by lab.sh and test.sh; safe to run again: what is installed is reused.
#
#   BIOMEDKIT_VENV   where the environment lives (default: .venv in the checkout)
#   PYTHON           the Python 3.11+ interpreter to build it from (default: python3)
#   TORCH_INDEX_URL  a pip index with CPU-only torch wheels, for machines whose
#                    default index would pull the CUDA build (see README)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BIOMEDKIT_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
TORCH_VERSION="2.13.0"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "biomedkit needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
    echo "Install Python 3.11 and run again with PYTHON=python3.11." >&2
    exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating the virtual environment in $VENV"
    "$PYTHON" -m venv "$VENV"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# CPU-only torch first: once it is there, the packages that need torch accept it
# instead of pulling the multi-GB CUDA build.
if ! python -c "import torch" 2>/dev/null; then
    echo "==> installing torch $TORCH_VERSION (CPU)"
    pip install --quiet "torch==$TORCH_VERSION" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
fi

# Then biomedkit with everything; skipped when pyproject.toml has not changed.
stamp="$VENV/.biomedkit-installed"
wanted="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-64) $ROOT"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "==> installing biomedkit and its dependencies (a few minutes the first time)"
    pip install --quiet -e "$ROOT[all]"
    echo "$wanted" > "$stamp"
else
    echo "==> environment up to date: $VENV"
fi

# Workshops often have no internet: JupyterLab should not ask to fetch news.
settings="$VENV/share/jupyter/lab/settings"
if [ ! -f "$settings/overrides.json" ]; then
    mkdir -p "$settings"
    echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
        > "$settings/overrides.json"
fi
