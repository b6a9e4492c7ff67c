"""The app's upload widget (biomedkit.widgets.upload.py): the file arrives whole, in order,
under a name of our own, or a message says why not. The page's side is driven in chromium by
tests/browser/test_explore_app_in_browser.py and test_explore_app_in_jupyter.py; here the
Python side gets the page's messages directly, and the bytes written are compared with the
bytes sent."""

from __future__ import annotations

import numpy as np
import pytest

from biomedkit.widgets.upload import FileDrop

PIECE = 1000


@pytest.fixture
def drop():
    widget = FileDrop(accept=".csv", label="Drop a CSV", max_mb=1)
    widget.replies = []
    widget.send = widget.replies.append  # what the page would receive
    yield widget
    widget.close()


def say(drop, content, buffers=None) -> dict:
    drop._on_message(drop, content, buffers or [])
    return drop.replies[-1]


def upload(drop, data: bytes, name: str = "my table.csv", upload_id: str = "1") -> dict:
    """Send ``data`` as the page does: start, pieces in order, end; then the page's ``file``."""
    assert say(drop, {"kind": "start", "id": upload_id, "name": name, "size": len(data)})["kind"] == "ack"
    for offset in range(0, len(data), PIECE):
        reply = say(drop, {"kind": "piece", "id": upload_id, "offset": offset},
                    [memoryview(data[offset:offset + PIECE])])
        assert reply == {"kind": "ack", "received": min(offset + PIECE, len(data))}
    reply = say(drop, {"kind": "end", "id": upload_id})
    if reply["kind"] == "done":
        drop.file = {"name": name, "size": len(data), "id": upload_id}
    return reply


def test_the_file_arrives_byte_for_byte(drop):
    data = np.random.default_rng(0).integers(0, 256, 5_500, dtype=np.uint8).tobytes()
    assert drop.path is None and drop.name is None
    assert upload(drop, data) == {"kind": "done", "received": 5_500}
    assert drop.path.read_bytes() == data and drop.name == "my table.csv"


def test_the_researchers_file_name_is_never_a_path(drop):
    upload(drop, b"a,b\n1,2\n", name="../../outside/evil.csv")
    assert drop.path.parent == drop._folder and drop.path.suffix == ".csv"
    assert drop.name == "../../outside/evil.csv"  # shown as the researcher's computer called it


def test_a_newer_file_replaces_the_older_on_disk(drop):
    upload(drop, b"first\n", upload_id="1")
    first = drop.path
    upload(drop, b"second\n", upload_id="2")
    assert drop.path.read_bytes() == b"second\n" and not first.exists()


@pytest.mark.parametrize("fault, words", [
    ("a piece out of order", "went missing"),
    ("a piece missing at the end", "Only 1,000 of 2,500 bytes arrived"),
    ("another upload began", "was interrupted"),
    ("too large", "over this app's limit of 1 MB"),
])
def test_a_broken_upload_gets_a_message_and_leaves_no_file(drop, fault, words):
    data = bytes(2_500)
    if fault == "too large":
        reply = say(drop, {"kind": "start", "id": "1", "name": "big.csv", "size": 2_000_000})
    else:
        say(drop, {"kind": "start", "id": "1", "name": "t.csv", "size": len(data)})
        say(drop, {"kind": "piece", "id": "1", "offset": 0}, [data[:PIECE]])
        if fault == "a piece out of order":
            reply = say(drop, {"kind": "piece", "id": "1", "offset": 2 * PIECE}, [data[2 * PIECE:]])
        elif fault == "a piece missing at the end":
            reply = say(drop, {"kind": "end", "id": "1"})
        else:
            say(drop, {"kind": "start", "id": "2", "name": "u.csv", "size": 10})
            reply = say(drop, {"kind": "piece", "id": "1", "offset": PIECE}, [data[PIECE:2 * PIECE]])
    assert reply["kind"] == "error" and words in reply["message"], reply
    assert drop.path is None
    assert [p.name for p in drop._folder.iterdir()] in ([], ["0.csv"])  # at most the newer upload's
    if fault != "another upload began":
        assert list(drop._folder.iterdir()) == []


def test_a_disk_error_is_a_message(drop, monkeypatch):
    say(drop, {"kind": "start", "id": "1", "name": "t.csv", "size": 10})

    def full(_data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(drop._receiving["handle"], "write", full)
    reply = say(drop, {"kind": "piece", "id": "1", "offset": 0}, [b"0123456789"])
    assert reply["kind"] == "error" and "could not be saved" in reply["message"] and "No space left" in reply["message"]
    assert drop._receiving is None and list(drop._folder.iterdir()) == []
