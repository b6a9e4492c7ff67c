"""The workshop room without internet (scripts/offline.sh), run for real on a cut of the lock.

The whole lock (torch and some 150 other packages) takes minutes to download and install, so
the test cuts a small lock from binder/requirements.txt: a few small pure-Python entries,
verbatim, with their real pins and hashes (one depends on another, so pip resolves inside the
lock). Through ``BIOMEDKIT_LOCK`` both commands then run their real code paths:

1. ``offline.sh download`` (the package registry is needed here, as for any download) saves
   every locked file, each with a hash the lock lists, and the build backend; a hash the lock
   does not list makes it fail.
2. ``offline.sh install`` builds a fresh environment through scripts/learners_env.sh with pip's
   configuration files switched off, and with the index and every proxy variable pointing to a
   local recorder: no request reaches it, so nothing was fetched; the environment holds exactly
   the locked versions and biomedkit built from the checkout (not editable), and nothing else.
   A tampered file in the folder makes install fail on its hash, and leaves no ready stamp.
3. Every line of the real lock is a plain ``==`` pin with hashes, or an index option that
   PIP_NO_INDEX switches off: nothing in it can reach past the folder.

Not proved here: that the *whole* lock downloads and installs offline (the test command builds
the full learners' environment from it, but with an index), nor postBuild's ``pip check``,
which a partial lock skips. No marker: like the rest of the test command, which builds its
environments from the registry, ``download`` needs the registry; ``install`` needs nothing.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "offline.sh"
LOCK = ROOT / "binder" / "requirements.txt"
# Small, pure-Python, and with no requirement outside this list (rfc3339-validator needs six).
ENTRIES = ("six", "rfc3339-validator", "cycler")
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _cut_lock(entries: tuple[str, ...] = ENTRIES) -> str:
    """These entries' blocks of the real lock, verbatim (pins, hashes and `# via` comments)."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text())
    cut = {canonicalize_name(b.split("==")[0]): b.rstrip() for b in blocks if re.match(r"[A-Za-z0-9_.\-]+==", b)}
    missing = [name for name in entries if name not in cut]
    assert not missing, f"{missing} left the lock: pick other small pure-Python entries for ENTRIES"
    return "\n".join(cut[name] for name in entries) + "\n"


def _pins(lock: str) -> dict[str, tuple[str, set[str]]]:
    """Name -> (version, sha256 hashes) of each entry of a lock's text."""
    pins = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock):
        if pin := re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block):
            pins[canonicalize_name(pin[1])] = (pin[2], set(re.findall(r"--hash=sha256:([0-9a-f]{64})", block)))
    return pins


def _name_version(filename: str) -> tuple[str, Version]:
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
    else:
        name, version = parse_sdist_filename(filename)
    return name, version


def _run(action: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), action, str(folder)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


class _Recorder(BaseHTTPRequestHandler):
    """Answers every request (a proxy CONNECT too) with 403, and writes it down."""

    def _refuse(self):
        self.server.requests.append(f"{self.command} {self.path}")
        self.send_error(403)

    do_GET = do_HEAD = do_POST = do_CONNECT = _refuse

    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    # It does write requests down: one through it as a proxy, as pip's would go.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": url}))
    with pytest.raises(urllib.error.HTTPError):
        opener.open("http://example.invalid/simple/six/", timeout=10)
    assert server.requests == ["GET http://example.invalid/simple/six/"]
    server.requests.clear()
    yield url, server.requests
    server.shutdown()


@pytest.fixture(scope="module")
def small_lock(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lock") / "requirements.txt"
    path.write_text(_cut_lock())
    pins = _pins(path.read_text())
    assert set(pins) == set(ENTRIES) and all(len(hashes) >= 1 for _, hashes in pins.values())
    return path


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory, small_lock) -> Path:
    """What `offline.sh download` saves for the small lock (with the machine's own pip setup)."""
    folder = tmp_path_factory.mktemp("room") / "wheelhouse"
    env = {**os.environ, "PYTHON": sys.executable, "BIOMEDKIT_LOCK": str(small_lock)}
    result = _run("download", folder, env)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return folder


def _offline_env(small_lock: Path, venv: Path, recorder_url: str) -> dict[str, str]:
    """The caller's environment without pip's settings, its configuration files or proxies;
    index and proxies point to the recorder, so any attempt to fetch is seen."""
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith("PIP_") and k.lower() not in PROXY_VARIABLES
           and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({name: recorder_url for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")})
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=f"{recorder_url}/simple", PIP_RETRIES="0",
               PYTHON=sys.executable, BIOMEDKIT_LOCK=str(small_lock), BIOMEDKIT_LEARNERS_VENV=str(venv))
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory, small_lock, wheelhouse, recorder):
    """`offline.sh install` from the wheelhouse into a fresh environment; what it then holds."""
    url, requests = recorder
    venv = tmp_path_factory.mktemp("laptop") / "venv-learners"
    result = _run("install", wheelhouse, _offline_env(small_lock, venv, url))
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    probe = ("import importlib.metadata as m, json; print(json.dumps({d.metadata['Name']: "
             "[d.version, str(d.locate_file('')), d.read_text('direct_url.json')] for d in m.distributions()}))")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", probe], cwd=venv, check=True,
                         capture_output=True, text=True).stdout
    dists = {canonicalize_name(name): info for name, info in json.loads(out).items()}
    return venv, dists, list(requests)


def test_download_saves_every_locked_file_with_a_locked_hash(small_lock, wheelhouse):
    saved = {}
    for path in wheelhouse.iterdir():
        saved.setdefault(_name_version(path.name), []).append(hashlib.sha256(path.read_bytes()).hexdigest())
    for name, (version, hashes) in _pins(small_lock.read_text()).items():
        digests = saved.get((name, Version(version)))
        assert digests, f"{name}=={version} is not in the folder: {sorted(p.name for p in wheelhouse.iterdir())}"
        assert set(digests) <= hashes, f"{name}=={version}: a file whose hash the lock does not list"
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert backend == ["hatchling>=1.24"], "offline.sh downloads hatchling>=1.24: keep it in step"
    assert any(name == "hatchling" and version >= Version("1.24") for name, version in saved)


def test_download_refuses_a_file_whose_hash_the_lock_does_not_list(tmp_path):
    lock = tmp_path / "requirements.txt"
    lock.write_text(re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, _cut_lock(("six",))))
    result = _run("download", tmp_path / "wheelhouse", {**os.environ, "PYTHON": sys.executable,
                                                        "BIOMEDKIT_LOCK": str(lock)})
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stderr


def test_install_asks_no_index_and_installs_exactly_the_lock(small_lock, installed):
    venv, dists, requests = installed
    assert requests == [], f"install reached for the network: {requests}"
    assert (venv / ".biomedkit-lock").exists(), "the environment is stamped ready"
    pins = {name: version for name, (version, _) in _pins(small_lock.read_text()).items()}
    assert {name: dists[name][0] for name in pins if name in dists} == pins
    # Nothing else: biomedkit's own requirements came from nowhere (--no-deps), as in postBuild.
    assert set(dists) - set(pins) <= {"biomedkit", "pip", "setuptools"}
    version, location, direct_url = dists["biomedkit"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert version == project["version"]
    assert Path(location).is_relative_to(venv), "biomedkit lies inside the new environment"
    assert not json.loads(direct_url).get("dir_info", {}).get("editable"), "installed as a wheel, not editable"


def test_install_fails_on_a_tampered_file(tmp_path, small_lock, wheelhouse, recorder):
    url, requests = recorder
    seen = len(requests)
    folder = shutil.copytree(wheelhouse, tmp_path / "wheelhouse")
    (wheel,) = folder.glob("six-*.whl")
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    venv = tmp_path / "venv-learners"
    result = _run("install", folder, _offline_env(small_lock, venv, url))
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stderr and "six" in result.stderr
    assert not (venv / ".biomedkit-lock").exists(), "a failed install is not marked ready"
    assert requests[seen:] == []


def test_every_line_of_the_lock_installs_from_the_folder_alone():
    """Complements tests/test_binder.py (every `==` entry has a hash): no line of the real lock
    escapes the folder. A URL, editable or unpinned requirement would be fetched or resolved
    whatever PIP_NO_INDEX says; an index option is ignored under it."""
    logical = re.sub(r"\\\n", " ", LOCK.read_text())
    lines = [line.split("#")[0].strip() for line in logical.splitlines()]
    lines = [line for line in lines if line]
    options = [line for line in lines if line.startswith("-")]
    assert all(re.match(r"--(extra-)?index-url \S+$", line) for line in options), options
    entries = [line for line in lines if not line.startswith("-")]
    assert len(entries) > 100
    for line in entries:
        requirement, *hashes = line.split(" --hash=")
        pin = Requirement(requirement)
        assert pin.url is None and len(pin.specifier) == 1, f"not a plain pin: {requirement}"
        assert next(iter(pin.specifier)).operator == "==", f"not a plain pin: {requirement}"
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h.strip()) for h in hashes), requirement


@pytest.mark.parametrize("action", ["download", "install"])
def test_commands_stop_where_the_lock_cannot_apply(tmp_path, action):
    (tmp_path / "wheelhouse").mkdir()
    # `false` stands for an interpreter that is not Python 3.11.
    result = _run(action, tmp_path / "wheelhouse", {**os.environ, "PYTHON": "false"})
    assert result.returncode == 1
    assert "Linux x86_64 and Python 3.11" in result.stderr
    assert list((tmp_path / "wheelhouse").iterdir()) == []


def test_usage_and_missing_folder():
    assert _run("upload", ROOT, dict(os.environ)).returncode == 2
    result = _run("install", ROOT / "no-such-folder", dict(os.environ))
    assert result.returncode == 1 and "run 'bash scripts/offline.sh download' first" in result.stderr
