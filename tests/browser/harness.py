"""Start JupyterLab, Notebook 7 or marimo on 127.0.0.1 and drive Debian's chromium with Playwright.

Browser tests never download a browser: they use the system chromium that the README's
set-up installs (``apt-get install chromium``), found by CHROMIUM or on the PATH.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """The system chromium, or a clear error: these tests must not skip silently."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError(
            "Browser tests need Debian's chromium: run `bash scripts/setup.sh` as root on Debian or "
            "Ubuntu (it runs `apt-get install -y chromium`), or set CHROMIUM to a Chromium binary.")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited early with code {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=5):
                return
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def server(kind: str, workdir: Path, target: str | None = None, env: dict | None = None):
    """Run ``jupyter lab`` (kind="lab"), ``jupyter notebook`` (kind="notebook", Notebook 7) or
    ``marimo run target`` (kind="marimo"); yield its URL."""
    port = free_port()
    env = {**os.environ, "JUPYTER_PLATFORM_DIRS": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
    if kind in ("lab", "notebook"):
        # Both expose their application object (window.jupyterapp) for the tests to drive.
        app = "LabApp" if kind == "lab" else "JupyterNotebookApp"
        cmd = [sys.executable, "-m", "jupyter", kind, "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--allow-root", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--{app}.expose_app_in_browser=True", f"--ServerApp.root_dir={workdir}"]
        if kind == "lab":  # Notebook 7 has no such option (and fails to start with it)
            cmd.append("--LabApp.news_url=")
        url = f"http://127.0.0.1:{port}/{'lab' if kind == 'lab' else 'tree'}"
    else:
        cmd = [sys.executable, "-m", "marimo", "run", str(target), "--headless", "--host",
               "127.0.0.1", "--port", str(port), "--no-token"]
        url = f"http://127.0.0.1:{port}/"
    log = open(workdir / f"{kind}-server.log", "w")
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def shoot(page, tmp_path: Path, name: str) -> Path:
    """Save a screenshot in the test's folder (and in BIOMEDKIT_SCREENSHOTS when set)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    if os.environ.get("BIOMEDKIT_SCREENSHOTS"):
        out = Path(os.environ["BIOMEDKIT_SCREENSHOTS"])
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, out / path.name)
    return path
