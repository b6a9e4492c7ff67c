"""The workshop room without internet (scripts/offline.sh), run for real on a cut of the lock.

The whole lock (torch and some 150 other packages) takes minutes to download and install, so
the test cuts a small lock from binder/requirements.txt: a few small pure-Python entries,
verbatim, with their real pins and hashes (one depends on another, so pip resolves inside the
lock). Through ``BIOMEDKIT_LOCK`` both commands then run their real code paths:

1. ``offline.sh download`` (the package registry is needed here, as for any download) saves
   every locked file and every file of the build backend's lock (binder/build-requirements.txt,
   the whole of it: it is small), each with a hash its lock lists, and nothing else; a hash a
   lock does not list makes it fail.
2. ``offline.sh install`` builds a fresh environment through scripts/learners_env.sh with pip's
   configuration files switched off, and with the index and every proxy variable pointing to a
   local recorder: no request reaches it, so nothing was fetched; the environment holds exactly
   the locked versions, the build backend's, and biomedkit built from the checkout by the locked
   backend (not editable), and nothing else. A tampered file in the folder, the backend's too,
   makes install fail on its hash, and leaves no ready stamp. A later run without the folder
   (as lab.sh runs it) rebuilds a changed biomedkit with the environment's backend, offline.
3. Every line of both real locks is a plain ``==`` pin with hashes, or an index option that
   PIP_NO_INDEX switches off: nothing in them can reach past the folder. The backend's lock
   satisfies pyproject.toml's build-system and agrees with the learners' lock where both pin.

Not proved here: that the *whole* lock downloads and installs offline (the test command builds
the full learners' environment from it, but with an index), nor postBuild's ``pip check``
with the backend's packages beside the whole lock, which a partial lock skips (a test below
shows that the two locks agree). No marker: like the rest of the test command, which builds its
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
BUILD_LOCK = ROOT / "binder" / "build-requirements.txt"
# Small, pure-Python, and with no requirement outside this list (rfc3339-validator needs six).
ENTRIES = ("six", "rfc3339-validator", "cycler")
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _cut_lock(entries: tuple[str, ...] = ENTRIES, lock: Path = LOCK) -> str:
    """These entries' blocks of a real lock, verbatim (pins, hashes and `# via` comments)."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text())
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
             "[d.version, str(d.locate_file('')), d.read_text('direct_url.json'), d.read_text('WHEEL')] "
             "for d in m.distributions()}))")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", probe], cwd=venv, check=True,
                         capture_output=True, text=True).stdout
    dists = {canonicalize_name(name): info for name, info in json.loads(out).items()}
    return venv, dists, list(requests)


def test_download_saves_every_locked_file_with_a_locked_hash_and_nothing_else(small_lock, wheelhouse):
    saved = {}
    for path in wheelhouse.iterdir():
        saved.setdefault(_name_version(path.name), []).append(hashlib.sha256(path.read_bytes()).hexdigest())
    pins = {**_pins(small_lock.read_text()), **_pins(BUILD_LOCK.read_text())}
    for name, (version, hashes) in pins.items():
        digests = saved.get((name, Version(version)))
        assert digests, f"{name}=={version} is not in the folder: {sorted(p.name for p in wheelhouse.iterdir())}"
        assert set(digests) <= hashes, f"{name}=={version}: a file whose hash the lock does not list"
    unlocked = set(saved) - {(name, Version(version)) for name, (version, _) in pins.items()}
    assert not unlocked, f"files no lock pins: {unlocked}"


@pytest.mark.parametrize("variable", ["BIOMEDKIT_LOCK", "BIOMEDKIT_BUILD_LOCK"])
def test_download_refuses_a_file_whose_hash_the_lock_does_not_list(tmp_path, wheelhouse, variable):
    """The learners' lock, then the build backend's, lists hashes no file has. The files come
    from the first download's folder (pip's own options), which saves fetching them again."""
    locks = {"BIOMEDKIT_LOCK": _cut_lock(("six",)), "BIOMEDKIT_BUILD_LOCK": _cut_lock(("hatchling",), BUILD_LOCK)}
    locks[variable] = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, locks[variable])
    env = {**os.environ, "PYTHON": sys.executable, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}
    for name, text in locks.items():
        (tmp_path / name).write_text(text)
        env[name] = str(tmp_path / name)
    result = _run("download", tmp_path / "wheelhouse", env)
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stderr


def test_install_asks_no_index_and_installs_exactly_the_locks(small_lock, installed):
    venv, dists, requests = installed
    assert requests == [], f"install reached for the network: {requests}"
    assert (venv / ".biomedkit-lock").exists(), "the environment is stamped ready"
    pins = {name: version for name, (version, _) in
            {**_pins(small_lock.read_text()), **_pins(BUILD_LOCK.read_text())}.items()}
    assert {name: dists[name][0] for name in pins if name in dists} == pins
    # Nothing else: biomedkit's own requirements came from nowhere (--no-deps), as in postBuild.
    assert set(dists) - set(pins) <= {"biomedkit", "pip", "setuptools"}
    version, location, direct_url, wheel = dists["biomedkit"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert version == project["version"]
    assert Path(location).is_relative_to(venv), "biomedkit lies inside the new environment"
    assert not json.loads(direct_url).get("dir_info", {}).get("editable"), "installed as a wheel, not editable"
    # built by the locked backend, the one installed with its hashes checked
    assert f"Generator: hatchling {pins['hatchling']}" in wheel


def test_a_later_run_rebuilds_biomedkit_offline_with_the_environments_backend(small_lock, installed, recorder):
    """As lab.sh runs learners_env.sh after the checkout changed: no folder, no PIP_NO_INDEX.
    Built in pip's isolation, biomedkit would need the backend from the (recording) index."""
    venv, _, _ = installed
    url, requests = recorder
    seen = len(requests)
    (venv / ".biomedkit-code").write_text("a library the checkout no longer has\n")
    result = subprocess.run(["bash", str(ROOT / "scripts" / "learners_env.sh")], cwd=ROOT, timeout=300,
                            env=_offline_env(small_lock, venv, url), capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "building the learners' environment" not in result.stdout, "the environment is kept"
    assert (venv / ".biomedkit-code").read_text() != "a library the checkout no longer has\n"
    assert requests[seen:] == []


@pytest.mark.parametrize("package", ["six", "hatchling"])  # from the learners' lock, the backend's
def test_install_fails_on_a_tampered_file(tmp_path, small_lock, wheelhouse, recorder, package):
    url, requests = recorder
    seen = len(requests)
    folder = shutil.copytree(wheelhouse, tmp_path / "wheelhouse")
    (wheel,) = folder.glob(f"{package}-*.whl")
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    venv = tmp_path / "venv-learners"
    result = _run("install", folder, _offline_env(small_lock, venv, url))
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stderr and package in result.stderr
    assert not (venv / ".biomedkit-lock").exists(), "a failed install is not marked ready"
    assert requests[seen:] == []


@pytest.mark.parametrize(("lock", "at_least"), [(LOCK, 100), (BUILD_LOCK, 1)], ids=["lock", "build lock"])
def test_every_line_of_the_lock_installs_from_the_folder_alone(lock, at_least):
    """Complements tests/test_binder.py (every `==` entry has a hash): no line of the real locks
    escapes the folder. A URL, editable or unpinned requirement would be fetched or resolved
    whatever PIP_NO_INDEX says; an index option is ignored under it."""
    logical = re.sub(r"\\\n", " ", lock.read_text())
    lines = [line.split("#")[0].strip() for line in logical.splitlines()]
    lines = [line for line in lines if line]
    options = [line for line in lines if line.startswith("-")]
    assert all(re.match(r"--(extra-)?index-url \S+$", line) for line in options), options
    entries = [line for line in lines if not line.startswith("-")]
    assert len(entries) > at_least
    for line in entries:
        requirement, *hashes = line.split(" --hash=")
        pin = Requirement(requirement)
        assert pin.url is None and len(pin.specifier) == 1, f"not a plain pin: {requirement}"
        assert next(iter(pin.specifier)).operator == "==", f"not a plain pin: {requirement}"
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h.strip()) for h in hashes), requirement


def test_build_lock_holds_the_build_system_in_step_with_the_lock():
    """What pyproject.toml's build-system requires, pinned within its range, hashed (above), and
    at the learners' lock's version wherever both locks pin a package: both install into one
    environment. Out of step: run `bash scripts/lock.sh`."""
    build, learners = _pins(BUILD_LOCK.read_text()), _pins(LOCK.read_text())
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]:
        requirement = Requirement(requirement)
        name = canonicalize_name(requirement.name)
        assert name in build, f"{requirement} is not in binder/build-requirements.txt: run `bash scripts/lock.sh`"
        assert requirement.specifier.contains(build[name][0]), f"{name}=={build[name][0]} is outside {requirement}"
    differ = {name: (build[name][0], learners[name][0]) for name in set(build) & set(learners)
              if build[name][0] != learners[name][0]}
    assert not differ, f"the two locks pin other versions: {differ}; run `bash scripts/lock.sh`"


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
    result = _run("download", ROOT / "no-such-folder", {**os.environ, "BIOMEDKIT_BUILD_LOCK": "no-such-lock.txt"})
    assert result.returncode == 1 and "no lock at" in result.stderr and "no-such-lock.txt" in result.stderr
    assert not (ROOT / "no-such-folder").exists()
