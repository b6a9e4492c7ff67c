#!/usr/bin/env bash
# Refresh the lock of what learners install (binder/requirements.txt), then run the tests.
#
#   bash scripts/lock.sh            # re-resolve, rewrite the lock, run scripts/test.sh
#   bash scripts/lock.sh --no-test  # only rewrite the lock
#
# The lock is made by pip-compile (pip-tools) from the `binder` extra of pyproject.toml, with
# a sha256 hash for every file, and torch pinned to its CPU build. Binder, the JupyterHub image
# (the same binder/ folder) and the offline workshop set-up (scripts/offline.sh) all install
# from it, so every learner gets the same versions and the lessons print the same numbers.
# pip-compile must find torch's CPU build: set TORCH_INDEX_URL to PyTorch's CPU wheel index
# unless your pip configuration already finds it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
TORCH_PIN="torch==${TORCH_VERSION}+cpu"

pip install --quiet "pip-tools>=7.4"
constraints="$(mktemp)"
trap 'rm -f "$constraints"' EXIT
echo "$TORCH_PIN" > "$constraints"

echo "==> resolving the learners' environment (pip-compile; a few minutes)"
pip-compile --quiet --extra binder --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --constraint "$constraints" \
    ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} \
    --output-file binder/requirements.txt pyproject.toml
python scripts/_tidy_lock.py binder/requirements.txt "$TORCH_PIN"
echo "==> wrote binder/requirements.txt ($(grep -c '==' binder/requirements.txt) packages)"

if [ "${1:-}" != "--no-test" ]; then
    exec bash scripts/test.sh
fi
