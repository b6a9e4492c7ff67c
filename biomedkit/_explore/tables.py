"""Reading a researcher's CSV (any encoding and separator) or a bundled dataset, and the
messages the app shows about it."""

from __future__ import annotations

import html
import io
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # latin-1 decodes any bytes: the last resort
SEPARATORS = (",", ";", "\t", "|")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")


@dataclass(frozen=True)
class Message:
    """One thing the app tells the researcher: ``kind`` is "info", "warn" or "danger"
    (the last stops what depends on it)."""

    kind: str
    text: str

    def to_html(self) -> str:
        """The text as HTML: user strings (column names, labels) are escaped."""
        return f"<p>{html.escape(self.text)}</p>"


@dataclass
class Table:
    """A table read from a CSV, and what reading it noticed."""

    frame: pd.DataFrame | None  # None when the file could not be read
    name: str
    encoding: str | None = None
    separator: str | None = None
    seconds: float = 0.0
    messages: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.frame is not None

    def __repr__(self) -> str:
        shape = "unreadable" if self.frame is None else f"{self.frame.shape[0]} rows x {self.frame.shape[1]} columns"
        return f"<Table {self.name!r}: {shape}; {len(self.messages)} message(s)>"


# --- reading ----------------------------------------------------------------------------------

def read_csv(source, *, name: str | None = None) -> Table:
    """Read a CSV from its bytes (an upload) or a path, never raising on bad content.

    The encoding is UTF-8 if the bytes decode as such, else Windows-1252, else Latin-1
    (which decodes anything); the separator is the one of ``, ; tab |`` found most often in
    the header line. Text columns holding only ISO dates (2024-03-01) become dates. What
    went wrong or was guessed is in ``messages``; ``frame`` is None when nothing could be read.

    Parameters
    ----------
    source : bytes, str or Path
        The file's content, or its path.
    name : str, optional
        The file name to show (default: the path's name, or "upload").

    Returns
    -------
    Table

    Examples
    --------
    >>> table = read_csv("name;age\\nJosé;61\\n".encode("cp1252"))
    >>> table.encoding, table.separator, table.frame.shape
    ('cp1252', ';', (1, 2))
    """
    start = time.perf_counter()
    if isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        name = name or path.name
        if not path.is_file():
            return Table(None, name, messages=[Message("danger", f"There is no file at {path}.")])
        try:
            with open(path, "rb") as f:
                head = f.read(65536)
        except OSError as error:  # no permission, a broken disk: say so
            return Table(None, name, messages=[Message("danger", f"{path} cannot be read: {error.strerror}.")])
        opener = lambda: path  # noqa: E731 - pandas reads the path itself (no copy in memory)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name, head = name or "upload", data[:65536]
        opener = lambda: io.BytesIO(data)  # noqa: E731
    else:
        raise TypeError(f"source must be the file's bytes or its path; got {type(source).__name__}")
    problem = _not_text(head)
    if problem:
        return Table(None, name, messages=[Message("danger", f"{name}: {problem}")])
    separator = _separator(head)
    table = _parse(opener, name, separator)
    if table.ok:
        _finish(table)
    table.seconds = time.perf_counter() - start
    return table


def _not_text(head: bytes) -> str | None:
    """Why these first bytes are not a CSV (empty, a spreadsheet, binary), or None."""
    if not head.strip():
        return "the file is empty."
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "this is a spreadsheet workbook, not a CSV. Save it as 'CSV UTF-8' and upload that."
    if b"\x00" in head:
        return "this is not a text file (it holds binary bytes). Upload a CSV."
    return None


def _separator(head: bytes) -> str:
    first = head.decode("latin-1").splitlines()[0] if head else ""
    counts = {s: first.count(s) for s in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _parse(opener: Callable, name: str, separator: str) -> Table:
    for encoding in ENCODINGS:
        try:
            with warnings.catch_warnings():
                # a column whose chunks hold numbers and text: _finish makes it text and says so
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                frame = pd.read_csv(opener(), sep=separator, encoding=encoding)
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
            text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            return Table(None, name, messages=[Message("danger", f"{name} could not be read as a CSV: {text}")])
        table = Table(frame, name, encoding=encoding.replace("utf-8-sig", "utf-8"), separator=separator)
        if encoding != "utf-8-sig":
            table.messages.append(Message(
                "warn", f"{name} is not UTF-8 text; it was read as {_ENCODING_NAMES[encoding]}. Check that "
                "accented letters look right in the preview; saving the file as 'CSV UTF-8' avoids the guess."))
        return table
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


_ENCODING_NAMES = {"cp1252": "Windows-1252 (Western European)", "latin-1": "Latin-1 (ISO-8859-1)"}


def _finish(table: Table) -> None:
    """Tidy the frame just read (names, dates) and add what a researcher should know."""
    frame = table.frame
    frame.columns = [str(c).strip() for c in frame.columns]
    if table.separator != ",":
        names = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
        table.messages.append(Message("info", f"Columns separated by {names[table.separator]}."))
    if len(frame) == 0:
        table.messages.append(Message("danger", f"{table.name} has a header but no rows."))
        table.frame = None
        return
    if frame.shape[1] == 1:
        table.messages.append(Message(
            "warn", "The file has one column only: is it separated by commas, semicolons or tabs?"))
    mixed = _mixed_to_text(frame)
    if mixed:
        table.messages.append(Message("warn", f"Numbers and text mixed in one column, read as text: "
                                      f"{', '.join(mixed)}. Check for typing errors or codes such as 'n/a'."))
    dates = _parse_dates(frame)
    if dates:
        table.messages.append(Message("info", f"Read as dates: {', '.join(dates)}."))


def _mixed_to_text(frame: pd.DataFrame) -> list:
    """Text columns that also hold numbers (pandas reads a large file in chunks, each typed
    on its own) made text throughout, in place; their names."""
    mixed = []
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object:
            kinds = column.dropna().map(type).unique()
            if len(kinds) > 1:
                frame[name] = column.map(lambda v: v if pd.isna(v) else str(v))
                mixed.append(name)
    return mixed


def _parse_dates(frame: pd.DataFrame) -> list:
    """Turn text columns that hold only ISO dates into dates (in place); their names."""
    parsed = []
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object:
            continue
        head = column.dropna().head(200)
        if len(head) and head.map(lambda v: isinstance(v, str) and bool(_ISO_DATE.match(v.strip()))).all():
            converted = pd.to_datetime(column, errors="coerce", format="ISO8601")
            if converted.notna().sum() >= 0.95 * column.notna().sum():
                frame[name] = converted
                parsed.append(name)
    return parsed


def bundled_datasets() -> list:
    """Names of the real tabular datasets of the catalogue (the image left out)."""
    from biomedkit.datasets import catalog

    cards = catalog()
    keep = (cards.kind == "real") & ~cards.task.str.contains("image", case=False)
    return sorted(cards.loc[keep, "name"])


def load_bundled(name: str) -> tuple[Table, str | None]:
    """A bundled dataset as a :class:`Table`, and its card's target (a hint for the roles)."""
    from biomedkit.datasets import load

    if name not in bundled_datasets():
        raise ValueError(f"name must be one of {bundled_datasets()}; got {name!r}")
    start = time.perf_counter()
    try:
        data = load(name)
    except ImportError as error:
        return Table(None, name, messages=[Message("danger", str(error))]), None
    frame = data.frame
    if any(n is not None for n in frame.index.names):
        frame = frame.reset_index()
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]  # as a CSV would name them
    table = Table(frame, name, seconds=time.perf_counter() - start, messages=[Message(
        "info", f"{data.card['title']}: real data ({data.card['source']}). {data.card['notes']}".strip())])
    return table, data.target
