"""The exploratory-analysis app exported for Jupyter (``marimo export ipynb``), in JupyterLab.

A Jupyter user's workflow, driven by Playwright in chromium: export the app, open it in
JupyterLab, Run All (which stops, with one line, at the first cell that waits for a table),
upload a CSV through the app's upload widget, run the cells below, read the audit and the
baselines, move the fairness threshold (the table that follows the explorer is redrawn by
Python), check the patient's risk and download the model card; each number against the same
computation run here in Python.
"""

from __future__ import annotations

import shutil

import pytest

import biomedkit as bk
from biomedkit import _explore as ex
from browser.harness import browser_page, server, shoot
from browser.lab import ALL_DONE, errors, open_notebook, settings_dir
from browser.test_explore_app_in_browser import (
    check_fairness_slider,
    check_patient_risk,
    cohort,
    downloaded_card,
    hook,
)
from conftest import ROOT, marimo_export

APP = ROOT / "notebooks" / "apps" / "explore.py"
WAIT = 180_000  # ms: a busy 2-core machine

pytestmark = pytest.mark.browser


def run_from(page, marker: str) -> None:
    """Select the cell whose code holds ``marker`` and run it and every cell below."""
    page.evaluate("""async (marker) => {
      const app = window.jupyterapp, nb = app.shell.currentWidget.content;
      nb.activeCellIndex = nb.widgets.findIndex(c => c.model.sharedModel.getSource().includes(marker));
      await app.commands.execute('notebook:run-all-below');
    }""", marker)
    page.wait_for_timeout(2000)
    page.wait_for_function(ALL_DONE, timeout=WAIT * 3, polling=1000)


def test_the_exported_app_in_jupyterlab(tmp_path):
    frame = cohort(600, seed=4)
    csv = tmp_path / "my_cohort.csv"
    frame.to_csv(csv, index=False)
    work = tmp_path / "server"
    work.mkdir()
    marimo_export(APP, work / "explore.ipynb")
    env = {"JUPYTERLAB_SETTINGS_DIR": str(settings_dir(tmp_path))}
    with server("lab", work, env=env) as url, browser_page(height=1100) as page:
        open_notebook(page, url, "explore.ipynb")
        # Run All with no table yet: one line says what to do, not a traceback.
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.get_by_text("Stopped here: the cells below wait for a choice above").first.wait_for(timeout=WAIT)
        assert page.get_by_text("Traceback").count() == 0

        page.locator("[data-testid=bk-upload] input[type=file]").first.set_input_files(str(csv))
        page.get_by_text("my_cohort.csv", exact=False).get_by_text("received in").first.wait_for(timeout=WAIT)
        shoot(page, tmp_path, "jupyter-uploaded")
        run_from(page, "table, hint, _file = None, None")
        assert errors(page) == []

        # The audit and the baselines: the numbers of the same computations run here.
        table = ex.read_csv(csv).frame
        roles = ex.guess_roles(table)
        audit = hook(page, "bk-python-audit")
        assert audit["roles"]["target"] == "outcome" and audit["roles"]["group"] == "sex"
        reference = bk.audit(table, "outcome", group=roles.group, site=roles.site, id_columns=roles.ids,
                             time=roles.time, positive=1)
        assert audit["findings"] == [str(f) for f in reference.findings]
        leave_out = {**ex.default_leave_out(table, roles), **ex.audit_leave_out(reference)}
        data = ex.model_data(table, roles, 1, leave_out=leave_out)
        result = ex.fit_baselines(data.X, data.y)
        shown = hook(page, "bk-python-baselines")
        for name in ex.MODELS:
            assert shown["table"][name]["auc"] == pytest.approx(result.to_frame().loc[name, "auc"], abs=1e-9)

        # The explorers, live in Jupyter: the table under the fairness explorer is redrawn by Python.
        check_fairness_slider(page, data, result, ["F", "M"])
        shoot(page, tmp_path, "jupyter-fairness")
        check_patient_risk(page, data, result)
        shoot(page, tmp_path, "jupyter-explanations")

        # The model card, downloaded from its link.
        downloaded_card(page, result)
        assert errors(page) == []
    shutil.rmtree(work, ignore_errors=True)
