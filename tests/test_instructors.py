"""The instructor guide's tracks add up: every session lasts what its lesson says it lasts.

Each track in docs/instructors.md is a heading ``### <name> (<N> minutes)`` followed by a table
of sessions ``| start | session | minutes |``. A session is a lesson taken whole
(``NN_name (whole)``: its stated total), its teaching only (``NN_name (teaching)``: its stated
teaching minutes, exercises left for later), or a break. The lessons state their minutes in
their front matter (``NN minutes: TT teaching, EE exercises``), and tests/test_notebooks.py
checks those against the lesson's length.
"""

import re

import pytest

from conftest import ROOT

GUIDE = ROOT / "docs" / "instructors.md"
HEADING = re.compile(r"^### (.+) \((\d+) minutes\)$", re.M)
ROW = re.compile(r"^\| (\d+):(\d\d) \| (.+?) \| (\d+) \|$")
SESSION = re.compile(r"^`?(\d\d_\w+)`? \((whole|teaching)\)$")


def lesson_minutes() -> dict[str, dict[str, int]]:
    found = {}
    for source in sorted((ROOT / "lesson_sources").glob("[0-9][0-9]_*.py")):
        m = re.search(r"^# (\d+) minutes: (\d+) teaching, (\d+) exercises", source.read_text(), re.M)
        assert m, f"{source.name} states no time"
        found[source.stem] = {"whole": int(m[1]), "teaching": int(m[2])}
    return found


def tracks() -> list[tuple[str, int, list[tuple[int, str, int]]]]:
    text = GUIDE.read_text()
    heads = list(HEADING.finditer(text))
    out = []
    for head, nxt in zip(heads, [*heads[1:], None]):
        body = text[head.end(): nxt.start() if nxt else len(text)]
        rows = [ROW.match(line.strip()) for line in body.splitlines()]
        rows = [(int(r[1]) * 60 + int(r[2]), r[3].strip(), int(r[4])) for r in rows if r]
        out.append((head[1], int(head[2]), rows))
    return out


def test_the_guide_has_the_three_tracks():
    names = " ".join(name.lower() for name, _, _ in tracks())
    for track in ("half day", "full day", "three days"):
        assert track in names, f"no {track} track in {GUIDE.name}"


@pytest.mark.parametrize("name,total,rows", tracks(), ids=[t[0] for t in tracks()])
def test_each_track_adds_up(name, total, rows):
    minutes = lesson_minutes()
    assert rows, f"{name}: no sessions"
    clock = rows[0][0]
    for start, session, length in rows:
        assert start == clock, f"{name}: {session} starts at {start // 60}:{start % 60:02d}, " \
                               f"the session before ends at {clock // 60}:{clock % 60:02d}"
        m = SESSION.match(session)
        if m:
            assert m[1] in minutes, f"{name}: no lesson {m[1]}"
            assert length == minutes[m[1]][m[2]], \
                f"{name}: {session} is given {length} minutes; the lesson states {minutes[m[1]][m[2]]}"
        else:
            assert re.match(r"(break|lunch)\b", session.lower()), f"{name}: unknown session {session!r}"
        clock += length
    assert clock - rows[0][0] == total, f"{name}: the sessions add up to {clock - rows[0][0]}, not {total}"
