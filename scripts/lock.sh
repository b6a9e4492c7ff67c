#!/usr/bin/env bash
# Refresh the lock of what learners install (binder/requirements.txt) and the lock of the build
# backend that builds biomedkit (binder/build-requirements.txt), then run the tests.
#
#   bash scripts/lock.sh            # re-resolve, rewrite both locks, run scripts/test.sh
#   bash scripts/lock.sh --no-test  # only rewrite the locks
#
# The lock is made by pip-compile (pip-tools) from the `binder` extra of pyproject.toml, with
# a sha256 hash for every file, and torch pinned to its CPU build. Binder, the JupyterHub image
# (the same binder/ folder) and the offline workshop set-up (scripts/offline.sh) all install
# from it, so every learner gets the same versions and the lessons print the same numbers.
# pip-compile must find torch's CPU build: set TORCH_INDEX_URL to PyTorch's CPU wheel index
# unless your pip configuration already finds it.
# The build backend's lock pins what pyproject.toml's build-system requires (hatchling, with what
# it needs), held to the versions of the first lock where the two share a package, so that both
# install into one environment: scripts/offline.sh downloads it with its hashes and builds
# biomedkit with it offline, leaving no file unchecked.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
TORCH_PIN="torch==${TORCH_VERSION}+cpu"

pip install --quiet "pip-tools>=7.4"
constraints="$(mktemp)"
pins="$(mktemp)"
trap 'rm -f "$constraints" "$pins"' EXIT
echo "$TORCH_PIN" > "$constraints"

echo "==> resolving the learners' environment (pip-compile; a few minutes)"
pip-compile --quiet --extra binder --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --constraint "$constraints" \
    ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} \
    --output-file binder/requirements.txt pyproject.toml
python scripts/_tidy_lock.py binder/requirements.txt "$TORCH_PIN"
echo "==> wrote binder/requirements.txt ($(grep -c '==' binder/requirements.txt) packages)"

echo "==> resolving the build backend (pip-compile)"
# the first lock's versions, without its hashes or index, as constraints
grep -oE '^[A-Za-z0-9_.-]+==[^ ]+' binder/requirements.txt > "$pins"
pip-compile --quiet --build-deps-for wheel --only-build-deps --generate-hashes --allow-unsafe \
    --strip-extras --no-emit-index-url --no-emit-find-links --constraint "$pins" \
    --output-file binder/build-requirements.txt pyproject.toml
python scripts/_tidy_lock.py --build-backend binder/build-requirements.txt
echo "==> wrote binder/build-requirements.txt ($(grep -c '==' binder/build-requirements.txt) packages)"

if [ "${1:-}" != "--no-test" ]; then
    exec bash scripts/test.sh
fi
