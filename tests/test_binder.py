"""The Binder recipe works, proved without Docker.

1. repo2docker accepts ``binder/`` and plans the expected image (``--no-build``).
2. A fresh virtual environment built from the Binder files alone (requirements.txt,
   then postBuild, as repo2docker runs them) executes every notebook.

The second test installs everything again, so it runs only when asked for:
``BIOMEDKIT_TEST_BINDER=1`` (the README's test command sets it).
"""

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import ROOT

BINDER = ROOT / "binder"


def test_binder_folder_has_the_recipe():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    requirements = (BINDER / "requirements.txt").read_text()
    assert "torch==" in requirements and "/whl/cpu" in requirements, "CPU-only torch"
    assert os.access(BINDER / "postBuild", os.X_OK)
    assert '".[binder]"' in (BINDER / "postBuild").read_text()


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


@pytest.mark.skipif(os.environ.get("BIOMEDKIT_TEST_BINDER") != "1",
                    reason="set BIOMEDKIT_TEST_BINDER=1 to build the Binder environment")
def test_binder_environment_runs_every_notebook(tmp_path):
    env_dir = tmp_path / "binder-env"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "VIRTUAL_ENV": str(env_dir), "PIP_RETRIES": "0"}
    env.pop("PYTHONPATH", None)

    def run(*cmd, cwd=ROOT):
        result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{cmd} failed:\n{(result.stdout + result.stderr)[-4000:]}"
        return result.stdout

    # exactly what repo2docker does, in the same order, from the repository root
    run(str(bin_dir / "pip"), "install", "--no-cache-dir", "-r", "binder/requirements.txt")
    run(str(BINDER / "postBuild"))

    # biomedkit comes from the installed wheel, not the checkout; no test tools
    probe = run(str(bin_dir / "python"), "-c",
                "import biomedkit as bk, importlib.util as u, torch; "
                "print(bk.__file__); print(len(bk.datasets.catalog())); "
                "print(u.find_spec('pytest') is None); print(torch.__version__)", cwd=tmp_path)
    module_file, n_cards, no_pytest, torch_version = probe.split()
    assert module_file.startswith(str(env_dir)) and int(n_cards) > 0
    assert no_pytest == "True" and torch_version.endswith("+cpu")

    # run the notebooks from a copy, far from the checkout, with the env's own Jupyter
    work = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", work, ignore=shutil.ignore_patterns(".*"))
    notebooks = sorted(str(p) for p in work.glob("[0-9]*.ipynb"))
    assert notebooks
    run(str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--inplace",
        "--ExecutePreprocessor.timeout=600", *notebooks, cwd=work)
