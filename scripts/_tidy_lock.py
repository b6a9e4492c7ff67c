"""Make pip-compile's output a lock that Binder's pip can install as it is.

    python scripts/_tidy_lock.py binder/requirements.txt torch==2.13.0+cpu

pip-compile lists biomedkit itself (the `binder` extra names biomedkit's other extras) as an
unhashable local path: drop it, since postBuild installs biomedkit from the checkout. It also
writes no index: add PyTorch's CPU wheel index first, so that the pinned CPU build of torch is
found (the default index has only the build with several GB of CUDA libraries).
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


def tidy(text: str, torch_pin: str) -> str:
    # drop the self-reference (and the warning pip-compile writes above it)
    text = re.sub(r"# WARNING: pip install will require.*?\n# Consider using.*?\nbiomedkit @ \S+\n"
                  r"(    # via .*\n)*", "", text)
    if "biomedkit @" in text:
        raise SystemExit("the lock still names biomedkit by path; update scripts/_tidy_lock.py")
    if torch_pin not in text:
        raise SystemExit(f"the lock does not pin {torch_pin}; check the constraint in scripts/lock.sh")
    if re.search(r"^nvidia-", text, flags=re.M):
        raise SystemExit("the lock pulls CUDA libraries (nvidia-*): torch is not the CPU build")
    body = re.sub(r"\A(#.*\n)+", "", text)  # pip-compile's own header names this machine's paths
    body = re.sub(r"#   -c \S+", "#   -c the CPU build of torch (scripts/lock.sh)", body)  # a temporary file
    return HEADER + "#\n" + body


if __name__ == "__main__":
    path = Path(sys.argv[1])
    path.write_text(tidy(path.read_text(), sys.argv[2]))
