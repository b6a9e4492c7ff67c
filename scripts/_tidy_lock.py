"""Make pip-compile's output a lock that Binder's pip (or the offline set-up) installs as it is.

    python scripts/_tidy_lock.py binder/requirements.txt torch==2.13.0+cpu
    python scripts/_tidy_lock.py --build-backend binder/build-requirements.txt

The learners' lock (the first form): pip-compile lists biomedkit itself (the `binder` extra
names biomedkit's other extras) as an unhashable local path: drop it, since postBuild installs
biomedkit from the checkout. It also writes no index: add PyTorch's CPU wheel index first, so
that the pinned CPU build of torch is found (the default index has only the build with several
GB of CUDA libraries).

The build backend's lock (the second form): the backend that pyproject.toml's build-system
names, with what it needs, resolved in step with the learners' lock. The offline set-up
(scripts/offline.sh) downloads and installs it with its hashes checked, then builds biomedkit
with it.

Both: pip-compile's own header names this machine's paths, and the constraint file it names is
a temporary one: both are replaced by words.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HEADER = """\
# What learners install: the lock for Binder, the JupyterHub image and the offline workshop.
# Made by `bash scripts/lock.sh` (pip-compile with hashes); do not edit by hand.
# torch is pinned to its CPU build, found on PyTorch's own CPU wheel index:
--extra-index-url https://download.pytorch.org/whl/cpu
"""

BUILD_HEADER = """\
# The build backend that builds biomedkit from the checkout (pyproject.toml's build-system),
# with what it needs, for the offline workshop (scripts/offline.sh): downloaded and installed
# with every hash checked. Versions shared with requirements.txt are the same.
# Made by `bash scripts/lock.sh` (pip-compile with hashes); do not edit by hand.
"""


def _body(text: str, constraint: str) -> str:
    if "biomedkit @" in text:
        raise SystemExit("the lock still names biomedkit by path; update scripts/_tidy_lock.py")
    if re.search(r"^nvidia-", text, flags=re.M):
        raise SystemExit("the lock pulls CUDA libraries (nvidia-*): torch is not the CPU build")
    body = re.sub(r"\A(#.*\n)+", "", text)  # pip-compile's own header names this machine's paths
    return re.sub(r"#   -c \S+", f"#   -c {constraint}", body)  # a temporary file


def tidy(text: str, torch_pin: str) -> str:
    # drop the self-reference (and the warning pip-compile writes above it)
    text = re.sub(r"# WARNING: pip install will require.*?\n# Consider using.*?\nbiomedkit @ \S+\n"
                  r"(    # via .*\n)*", "", text)
    if torch_pin not in text:
        raise SystemExit(f"the lock does not pin {torch_pin}; check the constraint in scripts/lock.sh")
    return HEADER + "#\n" + _body(text, "the CPU build of torch (scripts/lock.sh)")


def tidy_build_backend(text: str) -> str:
    if "pyproject.toml::build-system.requires" not in text:
        raise SystemExit("the build lock pins no build-system requirement: pip-compile needs "
                         "--build-deps-for wheel --only-build-deps (scripts/lock.sh)")
    if "--hash=sha256:" not in text:
        raise SystemExit("the build lock has no hashes: pip-compile needs --generate-hashes")
    return BUILD_HEADER + "#\n" + _body(text, "requirements.txt (the versions both locks share)")


if __name__ == "__main__":
    if sys.argv[1] == "--build-backend":
        path = Path(sys.argv[2])
        path.write_text(tidy_build_backend(path.read_text()))
    else:
        path = Path(sys.argv[1])
        path.write_text(tidy(path.read_text(), sys.argv[2]))
