"""Shared test helpers."""

import os

# PyTorch's worker threads sleep while they wait instead of spinning: on a busy 2-core machine
# spinning threads slow the networks' tests several times. Set before anything imports torch.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import subprocess  # noqa: E402
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (clean sys.modules) and return the result."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, **kwargs)


def marimo_export(app: Path, out: Path) -> Path:
    """``marimo export ipynb app -o out``, as a Jupyter user would run it."""
    done = subprocess.run([sys.executable, "-m", "marimo", "export", "ipynb", str(app), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def root() -> Path:
    return ROOT
