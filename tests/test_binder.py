"""What learners install is locked, and the Binder recipe works, proved without Docker.

1. The lock (binder/requirements.txt) pins every package with hashes, torch as its CPU build,
   and satisfies every requirement of pyproject.toml's `binder` extra.
2. repo2docker accepts ``binder/`` and plans the expected image (``--no-build``).
3. The learners' environment that the test command built from the lock, exactly as
   repo2docker would (scripts/learners_env.sh), holds the locked versions and biomedkit as a
   wheel, without test tools; every lesson ran in it (tests/test_notebooks.py).
"""

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

BINDER = ROOT / "binder"
LOCK = BINDER / "requirements.txt"
LEARNERS_VENV = Path(os.environ.get("BIOMEDKIT_LEARNERS_VENV", ROOT / ".venv-learners"))


def _pins() -> dict[str, str]:
    """Package name -> pinned version, from the lock."""
    return {canonicalize_name(name): version
            for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", LOCK.read_text(), flags=re.M)}


def _binder_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    names = [r for r in project["dependencies"]]
    for extra in ("models", "data", "notebooks"):
        names += extras[extra]
    return [Requirement(r) for r in names]


def test_binder_folder_has_the_recipe():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)
    post = (BINDER / "postBuild").read_text()
    assert "pip install --no-cache-dir --no-deps --no-build-isolation ." in post and "pip check" in post
    # the build backend from its hashed lock, before biomedkit is built with it
    backend = "pip install --no-cache-dir --require-hashes -r binder/build-requirements.txt"
    assert backend in post and post.index(backend) < post.index("--no-build-isolation .")


def test_lock_pins_every_package_with_a_hash_and_torch_for_the_cpu():
    text = LOCK.read_text()
    assert "/whl/cpu" in text, "torch's CPU wheel index"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
    pinned = [b for b in blocks if re.match(r"[A-Za-z0-9_.\-]+==", b)]
    assert len(pinned) == len(_pins()) > 100
    unhashed = [b.split()[0] for b in pinned if "--hash=sha256:" not in b]
    assert not unhashed, f"packages without a hash: {unhashed}"
    assert re.match(r"\d+\.\d+\.\d+\+cpu$", _pins()["torch"])
    assert not any(name.startswith("nvidia-") for name in _pins()), "CUDA libraries in the lock"
    assert "biomedkit" not in _pins()


def test_lock_satisfies_every_requirement_learners_need():
    pins = _pins()
    for requirement in _binder_requirements():
        name = canonicalize_name(requirement.name)
        if name == "biomedkit":
            continue
        assert name in pins, f"{requirement} is not in the lock: run `bash scripts/lock.sh`"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"the lock pins {name}=={pins[name]}, outside {requirement}: run `bash scripts/lock.sh`"


def test_repo2docker_accepts_the_folder(tmp_path):
    exe = Path(sys.executable).parent / "repo2docker"  # installed with the test extras
    if not exe.exists():
        pytest.skip("repo2docker is not installed (pip install jupyter-repo2docker)")
    result = subprocess.run(
        [str(exe), "--no-build", "--no-run", "--debug", "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in log
    assert "./binder/postBuild" in log
    assert "python=3.11" in log  # runtime.txt picked up


@pytest.mark.lessons
def test_learners_environment_holds_the_locked_versions(tmp_path):
    python = LEARNERS_VENV / "bin" / "python"
    if not python.exists():
        pytest.fail(f"no learners' environment at {LEARNERS_VENV}: run `bash scripts/test.sh`")
    probe = ("import importlib.metadata as m, importlib.util as u, json, biomedkit, torch; "
             "print(json.dumps({'versions': {d.metadata['Name']: d.version for d in m.distributions()}, "
             "'biomedkit': biomedkit.__file__, 'pytest': u.find_spec('pytest') is not None, "
             "'torch': torch.__version__}))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = json.loads(subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=env, check=True,
                                    capture_output=True, text=True).stdout)
    installed = {canonicalize_name(k): v for k, v in out["versions"].items()}
    wrong = {name: (version, installed.get(name)) for name, version in _pins().items()
             if installed.get(name) != version}
    assert not wrong, f"locked vs installed: {wrong}"
    assert out["biomedkit"].startswith(str(LEARNERS_VENV)), "biomedkit comes from the installed wheel"
    assert not out["pytest"] and out["torch"].endswith("+cpu")
