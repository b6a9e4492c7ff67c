"""Shared test helpers."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (clean sys.modules) and return the result."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, **kwargs)


@pytest.fixture
def root() -> Path:
    return ROOT
