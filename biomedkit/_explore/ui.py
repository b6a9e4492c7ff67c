"""The app's controls and outputs, under marimo or in a Jupyter kernel.

``notebooks/apps/explore.py`` is a marimo notebook, and ``marimo export ipynb`` turns it into a
Jupyter notebook with the same cells. The cells build their page from the functions here.
Under marimo each function is marimo's own (``mo.ui.dropdown``, ``mo.vstack``,
``mo.stop``...), so the app is a plain marimo app and reacts as one. Anywhere else (a Jupyter
kernel, a script) the controls are ipywidgets and the outputs what IPython displays: the
researcher changes a control, then runs the cells below it again, as with any Jupyter
notebook. The fairness and explanation explorers are anywidgets, live in both, and so is the
table that follows the fairness explorer (:func:`live`).

Text that comes from the table (column names, labels, file names) is escaped everywhere.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
from collections.abc import Callable, Mapping, Sequence

_KINDS = {"info": "#1f6feb", "neutral": "#6e7781", "warn": "#bf8700", "danger": "#cf222e", "success": "#1a7f37"}
_STOPPED = ("Stopped here: the cells below wait for a choice above. Make it, then select the cell just "
            "below the one that shows that choice, and run it and every cell below it (Run, then Run "
            "Selected Cell and All Below).")


def in_marimo() -> bool:
    """Whether the cells run in a marimo kernel (``marimo run`` or ``marimo edit``)."""
    try:
        import marimo as mo
    except ImportError:  # a Jupyter kernel without marimo: the exported notebook still runs
        return False
    return mo.running_in_notebook()


def _mo():
    import marimo as mo

    return mo


def _widgets():
    import ipywidgets

    return ipywidgets


def _label(label: str) -> dict:
    """ipywidgets options that show a whole label before the control."""
    return {"description": label, "style": {"description_width": "initial"},
            "layout": {"width": "auto"}}


# --- controls --------------------------------------------------------------------------------

def radio(options: Sequence[str], *, value: str, label: str):
    """One choice among a few, shown side by side."""
    if in_marimo():
        return _mo().ui.radio(list(options), value=value, inline=True, label=label)
    return _widgets().RadioButtons(options=list(options), value=value, **_label(label))


def dropdown(options, *, value=None, label: str):
    """One choice among many. ``options`` is a list, or a dict from shown label to value
    (``value`` is then a label)."""
    if in_marimo():
        return _mo().ui.dropdown(options, value=value, label=label)
    if isinstance(options, Mapping):
        return _widgets().Dropdown(options=list(options.items()), value=None if value is None else options[value],
                                   **_label(label))
    return _widgets().Dropdown(options=list(options), value=value, **_label(label))


def multiselect(options: Sequence[str], *, value: Sequence[str] = (), label: str):
    """Any number of choices; the value is a list."""
    if in_marimo():
        return _mo().ui.multiselect(list(options), value=list(value), label=label)
    return _MultiSelect(list(options), value, label)


def text_input(*, placeholder: str, label: str):
    """A line of text."""
    if in_marimo():
        return _mo().ui.text(placeholder=placeholder, full_width=True, label=label)
    return _widgets().Text(placeholder=placeholder, **{**_label(label), "layout": {"width": "100%"}})


def switch(*, label: str):
    """On or off (off at first)."""
    if in_marimo():
        return _mo().ui.switch(label=label)
    return _widgets().Checkbox(value=False, **_label(label))


def file_upload(*, filetypes: Sequence[str], label: str):
    """A file to upload, streamed to the kernel's disk in pieces (any size); read it with
    :func:`uploaded`."""
    from biomedkit.widgets import FileDrop

    drop = FileDrop(accept=",".join(filetypes), label=label)
    return _mo().ui.anywidget(drop) if in_marimo() else drop


def uploaded(element) -> tuple[str, object] | None:
    """The uploaded file's name and path on disk, or None before the first upload."""
    drop = getattr(element, "widget", element)  # marimo wraps the anywidget
    return None if drop.path is None else (drop.name, drop.path)


def run_button(*, label: str):
    """A button that lets what depends on it run. In Jupyter, running the cell that reads it is
    the press: its value is always true."""
    if in_marimo():
        return _mo().ui.run_button(label=label, kind="success")
    return _Pressed(label)


def anywidget(widget):
    """An anywidget (the explorers) as an element of the page."""
    return _mo().ui.anywidget(widget) if in_marimo() else widget


def choice(picker, inputs: Mapping):
    """The picker, and under it the input it names: under marimo the cell re-runs when the pick
    changes; in Jupyter the input is swapped in place."""
    if in_marimo():
        return _mo().vstack([picker, inputs[picker.value]])
    w = _widgets()
    box = w.VBox([picker, _as_widget(inputs[picker.value])])
    picker.observe(lambda change: setattr(box, "children", (picker, _as_widget(inputs[change["new"]]))), "value")
    return box


def live(widget, render: Callable):
    """``render()``, kept current as the widget's state changes. Under marimo the cell that
    names the widget re-runs by itself; in Jupyter the output is redrawn on each change."""
    if in_marimo():
        return render()
    from IPython.display import display

    out = _widgets().Output()

    def redraw(_=None):
        out.clear_output(wait=True)
        with out:
            display(render())

    redraw()
    widget.observe(redraw, names=[n for n in widget.trait_names(sync=True) if not n.startswith("_")])
    return out


# --- outputs ---------------------------------------------------------------------------------

def md(markdown: str):
    """Markdown written by the app (never user text: see :func:`text`)."""
    if in_marimo():
        return _mo().md(markdown)
    from IPython.display import Markdown

    return Markdown(markdown)


def raw_html(markup: str):
    """HTML made by the app or by the library (whose reports escape user text)."""
    if in_marimo():
        return _mo().Html(markup)
    from IPython.display import HTML

    return HTML(markup)


def text(value) -> object:
    """User strings as text in the page."""
    return raw_html(f"<p>{html.escape(str(value))}</p>")


def note(markup: str) -> object:
    """A grey line of explanation (``markup`` is the app's HTML, user text already escaped)."""
    return raw_html(f"<p style='color:#555'>{markup}</p>")


def say(message) -> object:
    """A :class:`~biomedkit._explore.tables.Message` as a call-out; its text escaped."""
    if in_marimo():
        mo = _mo()
        return mo.callout(mo.Html(message.to_html()), kind=message.kind)
    colour = _KINDS.get(message.kind, _KINDS["neutral"])
    return raw_html(f"<div style='border-left:4px solid {colour};padding:2px 10px;margin:4px 0'>"
                    f"{message.to_html()}</div>")


def plain_text(value: str) -> object:
    """Text shown as written, in a fixed-width font."""
    if in_marimo():
        return _mo().plain_text(value)
    return raw_html(f"<pre style='white-space:pre-wrap'>{html.escape(value)}</pre>")


def table(frame, **marimo_options) -> object:
    """A data frame; under marimo an interactive table (``marimo_options`` go to it)."""
    if in_marimo():
        return _mo().ui.table(frame, selection=None, show_column_summaries=False, **marimo_options)
    return frame  # pandas escapes the cells of its HTML


def accordion(sections: Mapping) -> object:
    """Sections folded under their titles."""
    if in_marimo():
        return _mo().accordion(dict(sections))
    return raw_html("".join(f"<details><summary>{html.escape(title)}</summary>{_as_html(body)}</details>"
                            for title, body in sections.items()))


def download(data: bytes, *, filename: str, mimetype: str, label: str) -> object:
    """A button (marimo) or a link (Jupyter) that saves ``data`` as ``filename``."""
    if in_marimo():
        return _mo().download(data, filename=filename, mimetype=mimetype, label=label)
    encoded = base64.b64encode(data).decode("ascii")
    return raw_html(f"<a download='{html.escape(filename, quote=True)}' href='data:{mimetype};base64,{encoded}' "
                    f"style='margin-right:1em'>⬇ {html.escape(label)}</a>")


def hook(testid: str, payload) -> object:
    """Python's numbers for the tests, kept out of view (a hidden element holding JSON)."""
    def native(value):  # numpy numbers as Python numbers
        return value.item() if hasattr(value, "item") else str(value)

    return raw_html(f"<pre data-testid='{testid}' hidden style='display:none'>"
                    f"{html.escape(json.dumps(payload, default=native))}</pre>")


def vstack(items: Sequence) -> object:
    """Items one under the other (``None`` is skipped)."""
    items = [i for i in items if i is not None]
    return _mo().vstack(items) if in_marimo() else _Stack(items)


def hstack(items: Sequence) -> object:
    """Items side by side, wrapping when the page is narrow."""
    items = [i for i in items if i is not None]
    if in_marimo():
        return _mo().hstack(items, justify="start", wrap=True)
    if all(_is_widget(i) for i in items):
        return _widgets().HBox(items, layout={"flex_flow": "row wrap"})
    return _Stack(items)


def stop(condition: bool, output=None) -> None:
    """Stop the cell here when ``condition`` holds, showing ``output``; the cells that depend on
    it wait. In Jupyter this raises, which halts Run All with one line instead of a traceback."""
    if in_marimo():
        _mo().stop(condition, output)
    elif condition:
        if output is not None:
            from IPython.display import display

            display(output)
        raise Stopped(_STOPPED)


@contextlib.contextmanager
def spinner(title: str):
    """Say what runs while it runs."""
    if in_marimo():
        with _mo().status.spinner(title=title):
            yield
        return
    from IPython.display import HTML, display

    shown = display(HTML(f"<p style='color:#555'>{html.escape(title)}</p>"), display_id=True)
    try:
        yield
    finally:
        if shown is not None:
            shown.update(HTML(""))


@contextlib.contextmanager
def progress_bar(*, total: int, title: str):
    """A bar of ``total`` steps; the object yielded has ``update(subtitle=...)``, one step each."""
    if in_marimo():
        with _mo().status.progress_bar(total=total, title=title, remove_on_exit=True) as bar:
            yield bar
        return
    bar = _Progress(total, title)
    try:
        yield bar
    finally:
        bar.close()


class Stopped(Exception):
    """Raised by :func:`stop` outside marimo; IPython shows its message alone."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook for a short error display
        return [str(self)]


# --- Jupyter's side --------------------------------------------------------------------------

def _is_widget(item) -> bool:
    try:
        return isinstance(item, _widgets().DOMWidget)
    except ImportError:
        return False


def _as_widget(item):
    """A widget as it is; anything IPython displays, inside an Output widget."""
    if _is_widget(item):
        return item
    from IPython.display import display

    out = _widgets().Output()
    with out:
        display(item)
    return out


def _as_html(item) -> str:
    if isinstance(item, str):
        return f"<p>{html.escape(item)}</p>"
    if hasattr(item, "_repr_html_") and item._repr_html_() is not None:
        return item._repr_html_()
    return html.escape(str(item))


class _Stack:
    """Items displayed one after the other, as Jupyter shows a cell's outputs."""

    def __init__(self, items):
        self.items = items

    def _ipython_display_(self):
        from IPython.display import display

        for item in self.items:
            display(item)


class _Pressed:
    """Jupyter's run button: running the cell is the press."""

    value = True

    def __init__(self, label: str):
        self.label = label

    def _sentence(self) -> str:
        return f"In Jupyter, run the next cell to {self.label[0].lower()}{self.label[1:]}."

    def __repr__(self) -> str:
        return self._sentence()

    def _repr_html_(self) -> str:
        return f"<p style='color:#555'>{html.escape(self._sentence())}</p>"


class _MultiSelect:
    """ipywidgets' SelectMultiple, whose value is a list as marimo's is."""

    def __init__(self, options, value, label):
        self.widget = _widgets().SelectMultiple(options=options, value=tuple(value), rows=min(8, max(len(options), 1)),
                                                **_label(label))

    @property
    def value(self) -> list:
        return list(self.widget.value)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class _Progress:
    """A bar and the step it is at, shown while the work runs and then cleared (a closed
    widget would leave an error in a saved notebook)."""

    def __init__(self, total: int, title: str):
        from IPython.display import display

        w = _widgets()
        self.bar = w.IntProgress(min=0, max=total, value=0, description=title,
                                 style={"description_width": "initial"})
        self.step = w.Label("")
        self.shown = display(w.HBox([self.bar, self.step]), display_id=True)

    def update(self, *, subtitle: str = "") -> None:
        self.bar.value += 1
        self.step.value = subtitle

    def close(self) -> None:
        if self.shown is not None:
            from IPython.display import HTML

            self.shown.update(HTML(""))
