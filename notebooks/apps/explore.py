# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "biomedkit[models,notebooks]",
#     "marimo>=0.9",
#     "anywidget>=0.9",
#     "pandas>=2.1,<3",
#     "scikit-learn>=1.6",
#     "xgboost-cpu>=2.1",
#     "shap>=0.46",
#     "markdown>=3.5",
# ]
# ///
# Inside this repository the learners' environment (scripts/lab.sh, or Binder) already has
# every one of these; the header lets `uv run` or `marimo run --sandbox` set up elsewhere.
"""Explore your own table: audit, cross-validated baselines, validation report, fairness and
explanations, in a web page.

Run it with ``marimo run notebooks/apps/explore.py`` (``marimo edit`` shows the code).
Everything runs on the computer that runs marimo: the data never leave it. The logic is
tested in ``tests/test_explore_app.py`` (it lives in ``biomedkit/_explore/``); the page in
``tests/browser/test_explore_app_in_browser.py``.
"""

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full")


@app.cell
def _():
    import html
    import os
    import time

    # Before numpy and scikit-learn load OpenMP: idle threads sleep instead of spinning, so a
    # busy or small machine (Binder's 2 cores) is not slowed down by threads that wait.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    import marimo as mo
    import pandas as pd

    import biomedkit as bk
    from biomedkit import _explore as ex
    from biomedkit._explore import ui  # marimo's controls under marimo, ipywidgets in Jupyter

    NONE = "(none)"
    return NONE, bk, ex, html, mo, pd, time, ui


@app.cell
def _(mo):
    mo.md(r"""
    # Explore your own table

    Upload a CSV with one row per patient (or pick a bundled dataset), say which column
    is the outcome, and the app audits the table, fits two baselines (logistic
    regression and gradient boosting) by 5-fold cross-validation, and shows the
    validation report, the fairness explorer and the explanation explorer for the
    model you choose. Everything runs on the computer that runs this app: your data
    never leave it.

    Opened in Jupyter (from `marimo export ipynb`), the same cells run in order: make
    each choice, then run the cells from the one just below it. The explorers react in both.

    This is exploration, not a finished model: the numbers are cross-validated within
    your table, and a model meant for use needs validation on data from elsewhere
    and later in time.
    """)
    return


@app.cell
def _(ex, ui):
    # The inputs and the choice between them live in one cell that depends on no other element:
    # a cell that reads an element's value re-runs when it changes, re-creating what it defines.
    source = ui.radio(["Upload a CSV", "A bundled dataset", "A CSV on this computer"], value="Upload a CSV",
                      label="Where is your table?")
    upload = ui.file_upload(filetypes=[".csv", ".tsv", ".txt"], label="Drop a CSV here or click to choose one")
    bundled = ui.dropdown(ex.bundled_datasets(), value=None, label="Real dataset from the catalogue")
    path = ui.text_input(placeholder="data/my_cohort.csv", label="Path of a CSV on the computer that runs this app")
    return bundled, path, source, upload


@app.cell
def _(bundled, path, source, ui, upload):
    ui.vstack([ui.md("## 1 · Your table"),
               ui.choice(source, {"Upload a CSV": upload, "A bundled dataset": bundled,
                                  "A CSV on this computer": path})])
    return


@app.cell
def _(bundled, ex, path, source, ui, upload):
    table, hint, _file = None, None, ui.uploaded(upload)
    if source.value == "Upload a CSV" and _file:
        with ui.spinner("Reading the file…"):
            table = ex.read_csv(_file[1], name=_file[0])
    elif source.value == "A bundled dataset" and bundled.value:
        with ui.spinner("Loading the dataset…"):
            table, hint = ex.load_bundled(bundled.value)
    elif source.value == "A CSV on this computer" and (path.value or "").strip():
        with ui.spinner("Reading the file…"):
            table = ex.read_csv(path.value.strip())
    if table is None:
        _shown = ui.say(ex.Message("neutral", "Upload a CSV, pick a bundled dataset, or give the path of a CSV "
                                              "on this computer, to start."))
    elif not table.ok:
        _shown = ui.vstack([ui.say(m) for m in table.messages])
    else:
        _rows, _cols = table.frame.shape
        _read = f" (encoding {table.encoding})" if table.encoding else ""
        _shown = ui.vstack([
            *[ui.say(m) for m in table.messages],
            ui.text(f"{table.name}: {_rows:,} rows × {_cols:,} columns, read in {table.seconds:.1f} s{_read}. "
                    "The first 100 rows:"),
            ui.table(table.frame.head(100), page_size=10),
        ])
    _shown
    return hint, table


@app.cell
def _(NONE, ex, hint, table, ui):
    ui.stop(table is None or not table.ok)
    frame = table.frame
    _guess = ex.guess_roles(frame, target=hint)
    _columns = list(frame.columns)

    def _pick(label, guess, optional=True):
        options = [NONE, *_columns] if optional else _columns
        value = guess if guess is not None else (NONE if optional else _columns[-1])
        return ui.dropdown(options, value=value, label=label)

    target_pick = _pick("Outcome (target)", _guess.target, optional=False)
    group_pick = _pick("Group, for fairness (sex, race…)", _guess.group)
    site_pick = _pick("Site (hospital, centre, batch)", _guess.site)
    time_pick = _pick("Time (a date or year)", _guess.time)
    id_pick = ui.multiselect(_columns, value=_guess.ids, label="Identifiers (patient or record numbers)")
    ui.vstack([
        ui.md("## 2 · What each column is\nThe guesses come from the column names and values; change any of them."),
        ui.hstack([target_pick, group_pick, site_pick, time_pick]),
        id_pick,
    ])
    return frame, group_pick, id_pick, site_pick, target_pick, time_pick


@app.cell
def _(NONE, ex, frame, group_pick, id_pick, pd, site_pick, target_pick, time_pick, ui):
    def _chosen(pick):
        return None if pick.value in (None, NONE) else pick.value

    roles = ex.Roles(target=target_pick.value, group=_chosen(group_pick), site=_chosen(site_pick),
                     time=_chosen(time_pick), ids=list(id_pick.value))
    role_messages = ex.check_roles(roles)
    check = ex.check_target(frame, roles.target)
    _names = dict(zip(ex.labels(pd.Series(check.classes, dtype=object)), check.classes))
    positive_pick = (ui.dropdown(_names, value=ex.labels(pd.Series([check.positive], dtype=object))[0],
                                 label="Event class (the outcome = 1)") if check.positive is not None else None)
    ui.vstack([*[ui.say(m) for m in role_messages + check.messages], positive_pick])
    return check, positive_pick, role_messages, roles


@app.cell
def _(bk, check, ex, frame, positive_pick, role_messages, roles, time, ui):
    ui.stop(any(m.kind == "danger" for m in role_messages))
    ui.stop(not check.audit_ok, ui.md("## 3 · Audit\nThe audit needs a target with 2 to 20 classes (see above)."))
    positive = positive_pick.value if positive_pick is not None else None
    _sample, _sampled = ex.sample_rows(frame, ex.AUDIT_CELLS)
    audit, _error = None, None
    with ui.spinner("Auditing the table…"):
        _start = time.perf_counter()
        try:
            audit = bk.audit(_sample, roles.target, group=roles.group, site=roles.site,
                             id_columns=roles.ids or None, time=roles.time, positive=positive)
        except Exception as error:  # a table the audit cannot read: a message, not a crash
            _error = ex.Message("danger", f"The audit could not run: {type(error).__name__}: {error}")
        audit_seconds = time.perf_counter() - _start
    if audit is None:
        _shown = [ui.say(_error)]
    else:
        _findings = audit.findings_frame()
        _shown = [
            ui.say(ex.Message("info", f"Large table: the audit ran on a random sample of {len(_sample):,} of its "
                                      f"{len(frame):,} rows, to stay quick.")) if _sampled else None,
            ui.text(f"{len(audit.findings)} finding{'' if len(audit.findings) == 1 else 's'} in "
                    f"{audit_seconds:.1f} s{', most severe first' if len(audit.findings) > 1 else ''}."),
            (ui.table(_findings, page_size=10, wrapped_columns=["message"]) if len(_findings)
             else ui.text("No findings.")),
            ui.accordion({"The full audit report": ui.raw_html(audit.to_html())}),
            ui.hstack([
                ui.download(ex.report_page(audit.to_html(), "Data audit").encode(), filename="audit.html",
                            mimetype="text/html", label="Audit (HTML)"),
                ui.download(audit.to_markdown().encode(), filename="audit.md", mimetype="text/markdown",
                            label="Audit (Markdown)"),
            ]),
            ui.hook("bk-python-audit", {"roles": {"target": roles.target, "group": roles.group, "site": roles.site,
                                                  "time": roles.time, "ids": roles.ids},
                                        "n_rows": audit.n_rows, "findings": [str(f) for f in audit.findings],
                                        "class_balance": audit.class_balance.to_dict("split")}),
        ]
    ui.vstack([ui.md("## 3 · Audit"), *_shown])
    return audit, positive


@app.cell
def _(audit, check, ex, frame, html, role_messages, roles, ui):
    ui.stop(check.fatal or any(m.kind == "danger" for m in role_messages),
            ui.vstack([ui.md("## 4 · Baselines"), ui.text("The baselines need a binary outcome with enough rows "
                                                          "of each class: see the messages above.")]))
    _suggested = {**ex.default_leave_out(frame, roles), **(ex.audit_leave_out(audit) if audit is not None else {})}
    leave_pick = ui.multiselect([c for c in frame.columns if c != roles.target], value=list(_suggested),
                                label="Columns left out of the models")
    every_row = ui.switch(label="Use every row, even in a large table (slower)")
    _why = "; ".join(f"{c}: {why}" for c, why in _suggested.items())
    ui.vstack([
        ui.md("## 4 · Baselines"),
        leave_pick,
        ui.note(f"Left out by default: {html.escape(_why) if _why else 'nothing'}. "
                "Leave out too any other column the audit flags as a possible leak."),
        every_row,
    ])
    return every_row, leave_pick


@app.cell
def _(every_row, ex, frame, leave_pick, pd, positive, roles, ui):
    mdata, _error = None, None
    try:
        mdata = ex.model_data(frame, roles, positive, leave_out=leave_pick.value,
                              max_cells=None if every_row.value else ex.MODEL_CELLS)
    except Exception as error:  # a message, not a crash
        _error = ex.Message("danger", f"The table cannot be prepared for the models: {error}")
    fit_button = ui.run_button(label="Fit the baselines")
    _event = ex.labels(pd.Series([positive], dtype=object))[0]
    ui.vstack([ui.say(_error)] if _error else [
        *[ui.say(m) for m in mdata.messages],
        ui.text(f"{mdata.X.shape[0]:,} rows × {mdata.X.shape[1]:,} features, {int(mdata.y.sum()):,} events "
                f"({roles.target} = {_event}). Logistic regression (median imputation with missingness "
                "indicators, standardized numbers, one-hot categories) and gradient boosting (XGBoost, 200 "
                "trees of depth 3): each row's risk comes from the model fitted on the other 4 folds."),
        fit_button])
    return fit_button, mdata


@app.cell
def _(ex, fit_button, mdata, ui):
    ui.stop(mdata is None)
    ui.stop(not fit_button.value, ui.md("Press **Fit the baselines** to cross-validate them."))
    baselines, _failed = None, None
    try:
        with ui.progress_bar(total=2 * 5, title="Cross-validating the baselines") as _bar:
            baselines = ex.fit_baselines(mdata.X, mdata.y, on_step=lambda step: _bar.update(subtitle=step))
    except Exception as error:  # whatever a table makes a model refuse: a message, not a crash
        _failed = ex.Message("danger", f"The baselines could not be fitted: {type(error).__name__}: {error}")
    ui.stop(baselines is None, ui.say(_failed) if _failed else None)
    return (baselines,)


@app.cell
def _(baselines, ex, ui):
    summary = baselines.to_frame()
    _shown = ex.performance_text(summary).drop(columns="observed / expected events").assign(
        seconds=summary.seconds.round(1))
    _c = baselines.compare()
    if _c.low > 0 or _c.high < 0:
        _verdict = (f"the interval excludes 0: {ex.MODELS[1] if _c.low > 0 else ex.MODELS[0]} discriminates "
                    "better on these data")
    else:
        _verdict = ("the interval includes 0: these data cannot tell the two apart, and the simpler logistic "
                    "regression is the one to keep")
    model_pick = ui.dropdown(list(ex.MODELS), value=ex.MODELS[0], label="Model for the report and explorers")
    ui.vstack([
        ui.text(f"Out-of-fold performance ({baselines.n_splits}-fold cross-validation; 95% DeLong intervals "
                "for the AUC, Wald intervals for the calibration slope):"),
        ui.table(_shown),
        ui.text(f"Gradient boosting minus logistic regression, DeLong's paired test: AUC difference "
                f"{_c.difference:+.3f} (95% CI {_c.low:+.3f} to {_c.high:+.3f}), p = {_c.p_value:.3g}; {_verdict}."),
        model_pick,
        ui.hook("bk-python-baselines", {"table": summary.to_dict("index"),
                                        "comparison": [_c.difference, _c.low, _c.high, _c.p_value]}),
    ])
    return (model_pick,)


@app.cell
def _(baselines, ex, mdata, roles, ui):
    # Later patients: each baseline fitted on the earlier rows, validated on the later ones. An
    # optional section: a message instead of a stop, so that in Jupyter Run All goes on.
    temporal, _notes = None, []
    if mdata.times is None:
        _notes = [ex.Message("info", "Pick a time column (a date or a year) above to validate the baselines "
                                     "on the later rows too.")]
    else:
        with ui.spinner("Fitting on the earlier rows…"):
            temporal, _notes = ex.temporal_validation(mdata.X, mdata.y, mdata.times)
    _shown = []
    if temporal is not None:
        _t, _cv = temporal.to_frame(), baselines.to_frame()
        _table = ex.performance_text(_t)[["AUC (95% CI)", "calibration slope (95% CI)", "observed / expected events"]]
        _table = _table.rename(columns={"AUC (95% CI)": "AUC on the later rows (95% CI)"})
        _table.insert(1, "cross-validated AUC", _cv.auc.loc[_t.index].map("{:.3f}".format))
        _split = temporal.split
        _shown = [
            ui.text(f"Each baseline fitted on the {int(_split.train.sum()):,} rows up to {_split.cut_text} and "
                    f"validated on the {int(_split.test.sum()):,} later rows ({roles.time}). A model in use "
                    "predicts patients who come after its data: an AUC clearly below the cross-validated one "
                    "(mind its interval), or observed / expected events far from 1, suggests that the outcome "
                    "or its predictors changed over time."),
            ui.table(_table),
            ui.hook("bk-python-temporal", {"cut": _split.cut_text, "n_train": int(_split.train.sum()),
                                           "n_test": int(_split.test.sum()), "table": _t.to_dict("index")}),
        ]
    ui.vstack([ui.md("### Validation on later patients"), *[ui.say(m) for m in _notes], *_shown])
    return


@app.cell
def _(baselines, bk, ex, mdata, model_pick, pd, positive, roles, ui):
    chosen = model_pick.value
    _sites, _pooled = ex.pool_small_sites(mdata.sites, mdata.y) if mdata.sites is not None else (None, [])
    _notes = []
    if _pooled:
        _notes.append(ex.Message("info", f"Sites with fewer than {ex.MIN_CLASS} events or non-events are pooled "
                                         f"as '{ex.OTHER_SITES}' in the report: {', '.join(_pooled)}."))
    _options = dict(model_name=f"{chosen} ({baselines.n_splits}-fold cross-validation)",
                    outcome=f"{roles.target} = {ex.labels(pd.Series([positive], dtype=object))[0]}",
                    thresholds=ex.report_thresholds(mdata.y),
                    subgroups={roles.group: mdata.groups} if roles.group is not None else None)
    # A per-site or per-group part can fail on unusual labels: then the report goes without it.
    _attempts = [("", {"sites": _sites}), ("per site", {"sites": None}),
                 ("per site and per group", {"sites": None, "subgroups": None})]
    report = None
    with ui.spinner("Writing the validation report…"):
        for _left_out, _change in _attempts:
            try:
                report = bk.validation.ValidationReport(baselines.cross_validated(chosen), mdata.X, mdata.y,
                                                        **{**_options, **_change}).run()
            except ValueError as error:
                _notes.append(ex.Message("warn", f"The report could not be written with the sites and groups "
                                                 f"chosen ({error})."))
                continue
            if _left_out and report is not None:
                _notes.append(ex.Message("warn", f"The report below leaves out the performance {_left_out}."))
            break
    # No stop when the report fails: the sections below do not need it (in Jupyter a stop would
    # halt Run All before them).
    _card = None if report is None else report.model_card(training_data=(
        f"{len(mdata.y)} rows of the uploaded table ({mdata.n_labelled} with the outcome recorded"
        f"{', a random sample' if mdata.sampled else ''}); {mdata.X.shape[1]} features. The performance is "
        f"from out-of-fold risks of {baselines.n_splits}-fold cross-validation within this table."))
    ui.vstack([
        ui.md("## 5 · Validation report and model card"),
        *[ui.say(m) for m in _notes],
        *([] if report is None else [
            ui.text(f"{chosen}: {report.auc_}."),
            ui.accordion({"The validation report": ui.raw_html(report.to_html()),
                          "The model card (Markdown)": ui.plain_text(_card)}),
            ui.hstack([
                ui.download(_card.encode(), filename="model_card.md", mimetype="text/markdown",
                            label="Model card (Markdown)"),
                ui.download(ex.markdown_to_html(_card, "Model card").encode(), filename="model_card.html",
                            mimetype="text/html", label="Model card (HTML)"),
                ui.download(report.to_markdown().encode(), filename="validation_report.md",
                            mimetype="text/markdown", label="Report (Markdown)"),
                ui.download(ex.report_page(report.to_html(), "Validation report").encode(),
                            filename="validation_report.html", mimetype="text/html", label="Report (HTML)"),
            ]),
            ui.hook("bk-python-card", {"model": chosen, "card": _card}),
        ]),
    ])
    return (chosen,)


@app.cell
def _(baselines, bk, chosen, ex, mdata, roles, ui):
    # An optional section: a message instead of a stop, so that in Jupyter Run All goes on.
    fairness, fairness_widget, _note = None, None, None
    if mdata.groups is None:
        _note = ex.Message("info", "Pick a group column (sex, race…) above to see the fairness explorer.")
    elif len(set(mdata.groups)) > ex.MAX_GROUPS:
        _note = ex.Message("warn", f"The group {roles.group} has {len(set(mdata.groups))} levels; the fairness "
                                   f"explorer draws at most {ex.MAX_GROUPS}. Pick a column with fewer groups.")
    else:
        try:
            fairness = bk.widgets.FairnessExplorer(
                mdata.y, baselines.risks[chosen], mdata.groups, threshold=round(float(mdata.y.mean()), 2),
                title=f"Out-of-fold risks of the {chosen}, by {roles.group}")
            fairness_widget = ui.anywidget(fairness)
        except Exception as error:  # a message, not a crash
            _note = ex.Message("danger", f"The fairness explorer cannot show these groups: {error}")
    ui.vstack([ui.md("## 6 · Fairness\nMove the threshold, or tick *thresholds per group*; the table under the "
                     "explorer is recomputed in Python from the thresholds the explorer sends back."),
               ui.say(_note) if _note else fairness_widget])
    return fairness, fairness_widget


@app.cell
def _(fairness, fairness_widget, ui):
    def _python_view():
        _table = fairness.to_frame()
        return ui.vstack([
            ui.md("### Python's view of the same thresholds"),
            _table[["threshold", "selection_rate", "tpr", "fpr", "ppv", "accuracy"]].round(3),
            ui.hook("bk-python-table", {str(k): v for k, v in _table.to_dict("index").items()}),
        ])

    # Re-run whenever the explorer's state changes: marimo re-runs this cell, which names the
    # widget; in Jupyter the output is redrawn.
    ui.live(fairness_widget, _python_view) if fairness_widget is not None else None
    return


@app.cell
def _(baselines, bk, chosen, ex, mdata, ui):
    _rows, _background = ex.explanation_data(baselines, mdata.X)
    _title = f"The {chosen} fitted without fold 1, explained on the {len(_rows)} rows of fold 1"
    explanations, _failed = None, None
    with ui.spinner("Explaining the model…"):
        try:
            explanations = bk.widgets.ExplanationExplorer.from_model(
                baselines.held_out_models[chosen], _rows, _background, max_points=min(800, len(_rows)),
                title=_title)
        except Exception as error:  # a message, not a crash
            _failed = ex.Message("danger", f"The model could not be explained: {type(error).__name__}: {error}")
    explanation_widget = None if explanations is None else ui.anywidget(explanations)
    ui.vstack([
        ui.md("## 7 · Explanations\nThe explained model never saw these rows, so each risk here is the row's "
              "out-of-fold risk. Pick a patient, then change values in the what-if panel."),
        ui.say(_failed) if _failed else explanation_widget,
    ])
    return explanation_widget, explanations


@app.cell
def _(explanation_widget, explanations, html, ui):
    def _python_view():
        _what = explanations.whatif_result.get("risk")
        return ui.raw_html(
            f"<div hidden style='display:none'>"
            f"<span data-testid='bk-python-patient'>{html.escape(explanations.patient['id'])}</span>"
            f"<span data-testid='bk-python-risk'>{explanations.patient['risk']:.6f}</span>"
            f"<span data-testid='bk-python-whatif'>{'' if _what is None else f'{_what:.6f}'}</span>"
            f"</div>")

    # Hooks for the browser tests (tests/browser/): Python's own numbers, kept out of view; kept
    # current as the explorer's state changes (marimo re-runs this cell; Jupyter redraws it).
    ui.live(explanation_widget, _python_view) if explanation_widget is not None else None
    return


if __name__ == "__main__":
    app.run()
