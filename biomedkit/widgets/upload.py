"""A file upload that streams the file to disk in pieces, for tables of any size.

marimo's and ipywidgets' upload elements send the whole file in one message, as base64 text:
the page must hold a third more than the file in one string, which Chromium refuses above
about 400 MB, and Jupyter's server refuses messages far smaller. :class:`FileDrop` sends the
file in 8 MB pieces as binary buffers, one at a time, each written to a temporary file before
the next leaves; so the kernel never holds the file in memory and the page shows true
progress. It is an anywidget, so it works in marimo (through ``mo.ui.anywidget``) and in
Jupyter alike. The exploratory app (``notebooks/apps/explore.py``) uses it.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

import anywidget
import traitlets

from biomedkit.widgets._base import css, esm


class FileDrop(anywidget.AnyWidget):
    """A drop zone and file chooser whose file lands on the kernel's disk.

    ``file`` (synced) names the last file received whole: ``{"name", "size", "id"}``, set by
    the page only once Python has written every byte, so code that reacts to it (a marimo
    cell) never sees half a file. :attr:`path` is where it lies; the folder goes when the
    widget does.

    Parameters
    ----------
    accept : str
        File types the chooser offers, as for an HTML file input (".csv,.tsv,.txt").
    label : str
        The text of the drop zone.
    max_mb : int, default=4000
        Files larger than this are refused before any byte is sent.

    Examples
    --------
    >>> drop = bk.widgets.FileDrop(accept=".csv")           # doctest: +SKIP
    >>> drop                                                # doctest: +SKIP
    >>> frame = pd.read_csv(drop.path)                      # doctest: +SKIP
    """

    _esm = esm("upload")
    _css = css("upload")
    accept = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("Drop a file here or click to choose one").tag(sync=True)
    file = traitlets.Dict({}).tag(sync=True)

    def __init__(self, *, accept: str = "", label: str = "Drop a file here or click to choose one",
                 max_mb: int = 4000):
        super().__init__(accept=accept, label=label)
        self.max_mb = max_mb
        self._folder = Path(tempfile.mkdtemp(prefix="biomedkit-upload-"))
        weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
        self._receiving: dict | None = None  # the file on its way: id, name, size, written, handle
        self._done: dict[str, tuple[str, Path]] = {}  # id -> (name, path) of files received whole
        self.on_msg(self._on_message)

    @property
    def path(self) -> Path | None:
        """Where the file named by ``file`` lies on disk, or None before the first upload."""
        done = self._done.get(self.file.get("id", ""))
        return done[1] if done else None

    @property
    def name(self) -> str | None:
        """The uploaded file's own name (as the researcher's computer called it)."""
        done = self._done.get(self.file.get("id", ""))
        return done[0] if done else None

    # --- the page's messages -----------------------------------------------------------------

    def _on_message(self, _widget, content, buffers) -> None:
        try:
            reply = self._handle(content, buffers)
        except OSError as error:  # a full disk, a folder gone: the page shows it
            self._abandon()
            reply = {"kind": "error", "message": f"The file could not be saved on the computer that runs "
                                                 f"this app: {error}"}
        self.send(reply)

    def _handle(self, content, buffers) -> dict:
        kind, upload_id = content.get("kind"), str(content.get("id", ""))
        if kind == "start":
            return self._start(upload_id, str(content.get("name", "upload")), int(content.get("size", 0)))
        receiving = self._receiving
        if receiving is None or receiving["id"] != upload_id:
            return {"kind": "error", "message": "This upload was interrupted (another began, or the app "
                                                "restarted): choose the file again."}
        if kind == "piece":
            return self._piece(receiving, int(content.get("offset", -1)), buffers)
        if kind == "end":
            return self._end(receiving)
        return {"kind": "error", "message": f"Unknown upload message {kind!r}."}

    def _start(self, upload_id: str, name: str, size: int) -> dict:
        self._abandon()
        if size > self.max_mb * 1_000_000:
            return {"kind": "error", "message": f"{name} is {size / 1e6:,.0f} MB, over this app's limit of "
                                                f"{self.max_mb:,} MB."}
        free = shutil.disk_usage(self._folder).free
        if size > free:
            return {"kind": "error", "message": f"{name} is {size / 1e6:,.0f} MB, and the computer that runs this "
                                                f"app has {free / 1e6:,.0f} MB free."}
        # Our own file name: the researcher's is shown, never used as a path.
        path = self._folder / f"{len(self._done)}{Path(name).suffix.lower()[:8]}"
        self._receiving = {"id": upload_id, "name": name, "size": size, "written": 0, "path": path,
                           "handle": open(path, "wb")}
        return {"kind": "ack", "received": 0}

    def _piece(self, receiving: dict, offset: int, buffers) -> dict:
        if offset != receiving["written"] or not buffers:
            self._abandon()
            return {"kind": "error", "message": "A piece of the file went missing on the way: choose the file again."}
        data = buffers[0]
        receiving["handle"].write(data)
        receiving["written"] += len(memoryview(data).cast("B"))
        if receiving["written"] > receiving["size"]:
            self._abandon()
            return {"kind": "error", "message": "The file grew while it was sent: choose it again."}
        return {"kind": "ack", "received": receiving["written"]}

    def _end(self, receiving: dict) -> dict:
        receiving["handle"].close()
        self._receiving = None
        if receiving["written"] != receiving["size"]:
            receiving["path"].unlink(missing_ok=True)
            return {"kind": "error", "message": f"Only {receiving['written']:,} of {receiving['size']:,} bytes "
                                                "arrived: choose the file again."}
        for _, old in self._done.values():  # keep only the newest file on disk
            old.unlink(missing_ok=True)
        self._done = {receiving["id"]: (receiving["name"], receiving["path"])}
        return {"kind": "done", "received": receiving["written"]}

    def _abandon(self) -> None:
        if self._receiving is not None:
            self._receiving["handle"].close()
            self._receiving["path"].unlink(missing_ok=True)
            self._receiving = None
