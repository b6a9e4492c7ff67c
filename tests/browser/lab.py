"""Drive a notebook in JupyterLab 4 or Notebook 7: open, run all, add a cell, read outputs.

Both front ends are built from the same JupyterLab components and expose the same application
object, so one set of helpers drives either; only the address of a notebook differs."""

from __future__ import annotations

import contextlib
import json
import shutil
import time

# JupyterLab exposes its application object when started with expose_app_in_browser.
ALL_DONE = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  if (!nb || !nb.content || !nb.sessionContext.session || !nb.sessionContext.session.kernel) return false;
  const cells = nb.content.widgets;
  return nb.sessionContext.session.kernel.status === 'idle' &&
    cells.every(c => c.model.type !== 'code' || c.model.executionCount !== null);
}"""


def open_notebook(page, url: str, name: str) -> None:
    if url.endswith("/lab"):
        page.goto(f"{url}/tree/{name}?reset", wait_until="domcontentloaded")
    else:  # Notebook 7 serves the application at /tree and each notebook at /notebooks/<name>
        page.goto(f"{url.rsplit('/', 1)[0]}/notebooks/{name}", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext", timeout=120_000)
    page.wait_for_function("""() => {
      const s = window.jupyterapp.shell.currentWidget.sessionContext;
      return s.session && s.session.kernel && s.session.kernel.status === 'idle'; }""", timeout=120_000)


def run_all(page, timeout_s: float = 600) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    time.sleep(2)
    page.wait_for_function(ALL_DONE, timeout=timeout_s * 1000, polling=1000)


def errors(page) -> list[str]:
    """Tracebacks and widget failures visible in the notebook."""
    found = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-RenderedText'))
        .map(e => e.innerText).filter(t => t.includes('Traceback') || t.includes('Error displaying widget'))""")
    if "Error displaying widget" in page.inner_text("body"):
        found.append("Error displaying widget")
    return found


def run_code(page, code: str, timeout_s: float = 120) -> str:
    """Append a code cell with ``code``, run it, and return its text output."""
    page.evaluate("""async (code) => {
      const app = window.jupyterapp, nb = app.shell.currentWidget.content;
      nb.activeCellIndex = nb.widgets.length - 1;
      await app.commands.execute('notebook:insert-cell-below');
      await app.commands.execute('notebook:change-cell-to-code');
      nb.activeCell.model.sharedModel.setSource(code);
      await app.commands.execute('notebook:run-cell');
    }""", code)
    page.wait_for_function(ALL_DONE, timeout=timeout_s * 1000, polling=500)
    return page.evaluate("""() => {
      const cells = window.jupyterapp.shell.currentWidget.content.widgets;
      const last = cells[cells.length - 1];
      return last.node.querySelector('.jp-OutputArea').innerText; }""")


def settings_dir(tmp_path):
    """User settings for the test server: no cell windowing (every output stays in the DOM),
    no question about news."""
    root = tmp_path / "lab-settings" / "@jupyterlab"
    for folder, name, value in (("notebook-extension", "tracker", {"windowingMode": "none"}),
                                ("apputils-extension", "notification", {"fetchNews": "false"})):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / f"{name}.jupyterlab-settings").write_text(json.dumps(value))
    return tmp_path / "lab-settings"


@contextlib.contextmanager
def lesson_in_lab(lesson, tmp_path, frontend: str = "lab"):
    """Copy ``lesson`` to ``tmp_path``, serve it with JupyterLab (or Notebook 7:
    ``frontend="notebook"``), run every cell in chromium, check that no cell failed and no
    widget failed to display; yield the page."""
    from browser.harness import browser_page, server

    shutil.copy(lesson, tmp_path / lesson.name)
    env = {"JUPYTERLAB_SETTINGS_DIR": str(settings_dir(tmp_path))}
    with server(frontend, tmp_path, env=env) as url, browser_page() as page:
        open_notebook(page, url, lesson.name)
        run_all(page)
        assert errors(page) == []
        yield page
