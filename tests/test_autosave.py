"""Autosave: every acknowledged operation survives SIGKILL; damage gives clear errors."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from threadwidget import Comment, ThreadFileError, ThreadWidget
from threadwidget.stores import JournalStore, RecoveryWarning

from .conftest import ROOT, Recorder


def test_resume_after_restart(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(comments=[Comment(id="a", author="Ann", body="x")], autosave=path, user="Bo")
    c = w.add_comment("kept", parent_id="a")
    w.like("a")
    w.edit_comment(c.id, "kept, edited")
    again = ThreadWidget(autosave=path)  # the saved discussion wins over the (empty) arguments
    assert again.thread == w.thread
    assert again.get(c.id).body == "kept, edited"


def test_browser_operations_are_saved_before_the_ack(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path, user="Bo")
    rec = Recorder(w)
    reply = rec.op({"type": "add", "id": "v-1", "body": "from the page"})
    assert reply["kind"] == "event"
    assert "v-1" in path.with_name("d.json.journal").read_text()


def test_write_failure_refuses_the_operation(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path, user="Bo")
    rec = Recorder(w)

    def broken(event: object) -> None:
        raise OSError(28, "No space left on device")

    w._store.append = broken  # type: ignore[union-attr,method-assign]
    reply = rec.op({"type": "add", "body": "lost?"})
    assert reply["kind"] == "reject"
    assert "No space left" in reply["reason"]
    assert w.comments == []
    with pytest.raises(ValueError, match="Could not save"):
        w.add_comment("from python")


def test_torn_last_line_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path)
    w.add_comment("one")
    w.add_comment("two")
    w._store.close()  # type: ignore[union-attr]
    journal = path.with_name("d.json.journal")
    with open(journal, "a") as handle:
        handle.write('{"type": "add", "comment": {"id": "half')
    with pytest.warns(RecoveryWarning, match="incomplete last line"):
        again = ThreadWidget(autosave=path)
    assert [c.body for c in again.comments] == ["one", "two"]


def test_damage_in_the_middle_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path)
    for i in range(3):
        w.add_comment(f"n{i}")
    w._store.close()  # type: ignore[union-attr]
    journal = path.with_name("d.json.journal")
    lines = journal.read_text().splitlines()
    lines[2] = "garbage"
    journal.write_text("\n".join(lines) + "\n")
    with pytest.raises(ThreadFileError, match=r"d\.json\.journal: line 3 .*lines 2-2"):
        ThreadWidget(autosave=path)


def test_corrupt_base_is_a_clear_error_and_backup_recovers(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    store = JournalStore(path)
    w = ThreadWidget(comments=[Comment(id="a", body="x")], autosave=store)
    w.add_comment("later")
    store.compact(w.thread)  # the previous base becomes d.json.bak
    path.write_text('{"version": 1, "comments": [')
    with pytest.raises(ThreadFileError, match=r"d\.json: not valid JSON"):
        ThreadWidget(autosave=path)
    backup = ThreadWidget.load(path.with_name("d.json.bak"))
    assert [c.id for c in backup.comments] == ["a"]


def test_stale_journal_after_crash_during_compaction_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path)
    c = w.add_comment("one")
    w.like(c.id, user="Ann")
    journal = path.with_name("d.json.journal").read_bytes()
    w._store.compact(w.thread)  # type: ignore[union-attr]
    path.with_name("d.json.journal").write_bytes(journal)  # as if the crash hit before the swap
    again = ThreadWidget(autosave=path)
    assert again.get(c.id).liked_by == ("Ann",)  # not applied twice


def test_compaction_keeps_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(JournalStore, "COMPACT_EVERY", 5)
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path)
    for i in range(12):
        w.add_comment(f"n{i}")
    journal_lines = path.with_name("d.json.journal").read_text().splitlines()
    assert len(journal_lines) <= 6  # header + fewer than 5 events
    assert len(ThreadWidget(autosave=path).comments) == 12


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from threadwidget import ThreadWidget
    w = ThreadWidget(autosave=sys.argv[1], user="writer")
    i = 0
    while True:
        c = w.add_comment(f"comment {i}")
        if i % 3 == 0:
            w.like(c.id)
        print("ACK", c.id, flush=True)
        i += 1
    """
)


def test_sigkill_loses_nothing_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "killed.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    acked: list[str] = []
    deadline = time.monotonic() + 60
    while len(acked) < 150 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("ACK "):
            acked.append(line.split()[1])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # everything printed before the kill was acknowledged too (it sat in the pipe)
    acked += [
        line.split()[1] for line in proc.stdout.read().splitlines() if line.startswith("ACK ")
    ]
    proc.stdout.close()
    assert len(acked) >= 150
    with pytest.warns(RecoveryWarning) if _torn(path) else contextlib.nullcontext():
        survivor = ThreadWidget(autosave=path)
    ids = {c.id for c in survivor.comments}
    assert set(acked) <= ids
    assert len(ids) - len(acked) <= 1  # at most the one being written when killed


def _torn(path: Path) -> bool:
    data = path.with_name(path.name + ".journal").read_bytes()
    if not data.endswith(b"\n"):
        return True
    try:
        json.loads(data.rstrip(b"\n").rsplit(b"\n", 1)[-1])
    except ValueError:
        return True
    return False
