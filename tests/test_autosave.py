"""Autosave: every acknowledged operation survives restarts, kills and damage, in the one file
the user named, and every reader of that file sees it (issue #13)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import threadwidget
from threadwidget import Comment, ThreadFileError, ThreadWidget
from threadwidget.core.engine import Engine
from threadwidget.formats.database import is_database
from threadwidget.storage.file import FileStorage
from threadwidget.stores import JournalStore, RecoveryWarning

from .conftest import ROOT, Recorder


def _reopen(path: Path, **kwargs: object) -> ThreadWidget:
    return ThreadWidget(autosave=path, **kwargs)  # type: ignore[arg-type]


def test_resume_after_restart(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(comments=[Comment(id="a", author="Ann", body="x")], autosave=path, user="Bo")
    c = w.add_comment("kept", parent_id="a")
    w.like("a")
    w.edit_comment(c.id, "kept, edited")
    w.close()
    again = _reopen(path)  # the saved discussion wins over the (empty) arguments
    assert again.thread == w.thread
    assert again.get(c.id).body == "kept, edited"


def test_saved_file_opened_with_autosave_keeps_every_later_change(tmp_path: Path) -> None:
    """The first-week bug: w.save("d.json"), later autosave="d.json", add, restart: gone."""
    path = tmp_path / "d.json"
    ThreadWidget(comments=[Comment(id="a", body="saved by hand")]).save(path)
    bodies = ["saved by hand"]
    for restart in range(4):  # the sequence, not the step: restart after restart
        w = _reopen(path, user="Bo")
        assert [c.body for c in w.comments] == bodies, f"after restart {restart}"
        bodies.append(w.add_comment(f"added after restart {restart}").body)
        w.close()
    assert [c.body for c in threadwidget.load(path).comments] == bodies
    original = json.loads(path.with_name("d.json.bak").read_text())  # the JSON, kept aside
    assert [c["body"] for c in original["comments"]] == ["saved by hand"]


def test_browser_operations_are_saved_before_the_ack(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path, user="Bo")
    rec = Recorder(w)
    reply = rec.op({"type": "add", "id": "v-1", "body": "from the page"})
    assert reply["kind"] == "event"
    # another reader of the file, while the widget still has it open
    assert [c.id for c in threadwidget.load(path).comments] == ["v-1"]


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


def test_every_reader_of_the_killed_kernels_file_sees_every_acknowledged_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "killed.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    acked: list[str] = []
    deadline = time.monotonic() + 120
    while len(acked) < 300 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("ACK "):
            acked.append(line.split()[1])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    acked += [
        line.split()[1] for line in proc.stdout.read().splitlines() if line.startswith("ACK ")
    ]
    proc.stdout.close()
    assert len(acked) >= 300
    # a copy of the one file, mailed or committed, is the whole discussion
    copy = tmp_path / "copy-of-killed.json"
    copy.write_bytes(path.read_bytes())
    for reader in (threadwidget.load, lambda p: ThreadWidget.load(p).thread):
        for target in (path, copy):
            ids = {c.id for c in reader(target).comments}
            assert set(acked) <= ids and len(ids) - len(acked) <= 1, (reader, target)
    info = subprocess.run(
        [sys.executable, "-m", "threadwidget", "info", str(copy)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    count = len(set(acked) | {c.id for c in threadwidget.load(copy).comments})
    assert f"{count} (" in info.stdout or f"{count} comments" in info.stdout, info.stdout


def _child(path: str, seed: int, ack_fd: int, snapshot_every: int) -> None:
    """Random operations on an autosave, each acknowledged on ``ack_fd`` once it returned."""
    from threadwidget.stores.store import SharedStore

    SharedStore.SNAPSHOT_EVERY = snapshot_every  # checkpoints (snapshot rewrites) happen often
    rng = random.Random(seed)
    w = ThreadWidget(autosave=path, user="writer")
    ids = [c.id for c in w.comments if c.status == "visible"]
    n = 0
    while True:
        n += 1
        kind = rng.random()
        if kind < 0.5 or not ids:
            c = w.add_comment(f"{seed}-{n}", parent_id=rng.choice(ids) if ids and n % 2 else None)
            ids.append(c.id)
            line = f"add {c.id} {c.body}"
        elif kind < 0.8:
            target = rng.choice(ids)
            liker = f"u{seed}-{n}"
            w.like(target, user=liker)
            line = f"like {target} {liker}"
        else:
            target = rng.choice(ids)
            w.edit_comment(target, f"edit {seed}-{n}")
            line = f"edit {target} edit {seed}-{n}"
        os.write(ack_fd, (line + "\n").encode())


def _first_ack(fd: int) -> bytes:
    """Block until the child acknowledged its first operation; the bytes read so far."""
    import select

    data = b""
    deadline = time.monotonic() + 60
    while b"\n" not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    return data


def _check(path: Path, acked: list[list[str]]) -> ThreadWidget:
    """Reopen and check: every acknowledged add and like exactly once, edits at least as new."""
    w = _reopen(path, user="checker")
    comments = {c.id: c for c in w.comments}
    added = [a for a in acked if a[0] == "add"]
    assert len({a[1] for a in added}) == len(added)
    for kind, target, *rest in acked:
        assert target in comments, (kind, target)
        if kind == "add":
            assert comments[target].created_at is not None
        elif kind == "like":
            assert comments[target].liked_by.count(rest[0]) == 1
    for comment in comments.values():  # validation: a like counted once, likes == likers
        assert comment.likes == len(comment.liked_by)
    return w


@pytest.mark.parametrize("trials", [200])
def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path: Path, trials: int) -> None:
    """Fault injection: kill -9 at random moments (during commits and snapshot rewrites), reopen,
    add more, reopen again; every acknowledged operation is there exactly once, every time."""
    import multiprocessing

    fork = multiprocessing.get_context("fork")
    rng = random.Random(13)
    path = tmp_path / "chaos.json"
    acked: list[list[str]] = []
    for trial in range(trials):
        read_fd, write_fd = os.pipe()
        child = fork.Process(target=_child, args=(str(path), trial, write_fd, rng.choice([2, 5])))
        child.start()
        os.close(write_fd)
        first = _first_ack(read_fd)  # the child is at work (however loaded the machine is)
        time.sleep(rng.uniform(0, 0.05))  # then kill it at a random moment
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL  # killed while at work, never finished
        with os.fdopen(read_fd, "rb") as pipe:
            lines = (first + pipe.read()).decode().splitlines()
        assert lines, trial  # the kill came after the child had acknowledged work
        acked += [line.split(" ", 2) for line in lines]
        if trial % 20 == 19:  # more operations in this process between the kills
            w = _check(path, acked)
            c = w.add_comment(f"between kills {trial}")
            acked.append(["add", c.id, c.body])
            w.close()
    _check(path, acked).close()
    _check(path, acked).close()


def test_a_read_only_folder_is_a_clear_error_and_nothing_is_acknowledged() -> None:
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="tw-ro-"))  # pytest's own tmp folders are root-only
    base.chmod(0o755)
    folder = base / "ro"
    folder.mkdir()
    path = folder / "d.json"
    ThreadWidget(autosave=path).close()
    folder.chmod(0o555)
    path.chmod(0o444)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # as an unprivileged user: root ignores file modes
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                w = ThreadWidget(autosave=path)
                try:
                    w.add_comment("lost?")
                    result = "acknowledged"
                except ValueError as error:
                    result = f"refused: {error}; comments={len(w.comments)}"
            except ValueError as error:
                result = f"open failed: {error}"
            except BaseException as error:  # reported to the test, which fails on it
                result = f"unexpected {type(error).__name__}: {error}"
            os.write(write_fd, result.encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    os.waitpid(pid, 0)
    with os.fdopen(read_fd) as pipe:
        result = pipe.read()
    folder.chmod(0o755)
    try:
        assert result.startswith(("refused", "open failed")), result
        assert "d.json" in result and "acknowledged" not in result
        assert threadwidget.load(path).comments == ()
    finally:
        shutil.rmtree(base)


def test_a_full_disk_refuses_the_operation_and_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path, user="Bo")
    rec = Recorder(w)
    w.add_comment("before")
    conn = w.engine.storage.store._conn  # type: ignore[attr-defined]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from here on
    reply = rec.op({"type": "add", "body": "x" * 10_000})
    assert reply["kind"] == "reject" and "full" in reply["reason"] and "d.json" in reply["reason"]
    with pytest.raises(ValueError, match="Could not save this change"):
        w.add_comment("y" * 10_000)
    assert [c.body for c in w.comments] == ["before"]
    conn.execute("PRAGMA max_page_count = 1000000")  # space again
    w.add_comment("after")
    w.close()
    assert [c.body for c in threadwidget.load(path).comments] == ["before", "after"]


def test_a_file_replaced_by_junk_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path)
    w.add_comment("one")
    w.close()
    path.write_bytes(b"\x00\x01 not a discussion")
    with pytest.raises(ThreadFileError, match=r"d\.json"):
        ThreadWidget(autosave=path)
    assert path.read_bytes() == b"\x00\x01 not a discussion"  # nothing overwritten


def test_junk_written_over_an_open_autosave_refuses_operations(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path)
    w.add_comment("one")
    with open(path, "r+b") as handle:  # clobber the header under the open connection
        handle.write(b"garbage" * 20)
    with pytest.raises(ValueError, match=r"Could not save this change to .*d\.json"):
        w.add_comment("two")
    assert [c.body for c in w.comments] == ["one"]
    w.close()


def test_compaction_by_snapshot_keeps_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadwidget.stores.store import SharedStore

    monkeypatch.setattr(SharedStore, "SNAPSHOT_EVERY", 5)
    path = tmp_path / "d.json"
    w = ThreadWidget(autosave=path)
    for i in range(12):
        w.add_comment(f"n{i}")
    w.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT seq FROM tw_snapshots").fetchone()[0] == 10
    assert len(_reopen(path).comments) == 12
    assert len(_reopen(path).moments()) == 12  # the whole history is still there for replay


# ---- files written by earlier versions keep loading ------------------------------------------


def _legacy(path: Path) -> list[str]:
    """An autosave as the journal-based versions wrote it: base JSON plus journal."""
    store = JournalStore(path)
    engine = Engine()
    store.start(engine.thread)
    bodies = []
    for i in range(3):
        from threadwidget.core import operations, rules

        ctx = rules.Context(actor="old", trusted=True)
        event = rules.check(engine.state, operations.AddComment(body=f"old {i}"), ctx)
        rules.commit(engine.state, event)
        store.append(event)
        bodies.append(f"old {i}")
    store.close()
    return bodies


def test_an_earlier_versions_autosave_loads_and_imports(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    bodies = _legacy(path)
    assert [c.body for c in threadwidget.load(path).comments] == bodies  # the journal folded in
    assert [c.body for c in ThreadWidget.load(path).comments] == bodies
    w = _reopen(path)  # imported into the database, nothing lost
    assert [c.body for c in w.comments] == bodies
    w.add_comment("new")
    w.close()
    assert is_database(path)
    assert [c.body for c in threadwidget.load(path).comments] == [*bodies, "new"]


def test_a_torn_legacy_journal_line_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    bodies = _legacy(path)
    with open(path.with_name("old.json.journal"), "a") as handle:
        handle.write('{"type": "add", "comment": {"id": "half')
    with pytest.warns(RecoveryWarning, match="incomplete last line"):
        assert [c.body for c in threadwidget.load(path).comments] == bodies


def test_damage_in_a_legacy_journal_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    _legacy(path)
    journal = path.with_name("old.json.journal")
    lines = journal.read_text().splitlines()
    lines[2] = "garbage"
    journal.write_text("\n".join(lines) + "\n")
    with pytest.raises(ThreadFileError, match=r"old\.json\.journal: line 3 .*lines 2-2"):
        threadwidget.load(path)


def test_an_autosave_database_is_not_taken_for_a_shared_store(tmp_path: Path) -> None:
    from threadwidget.stores import SQLiteStore

    path = tmp_path / "class.db"
    with SQLiteStore(path) as store:
        store.create_thread("week1")
    with pytest.raises(ThreadFileError, match=r"ThreadWidget\.connect"):
        FileStorage(path)
    assert threadwidget.load(path, select="week1").comments == ()
