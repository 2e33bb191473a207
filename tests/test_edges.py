"""Next to the tested paths (issue #22): races, lifecycles and small promises, each tried as a new
user would (several kernels at once, a killed writer, a failing constructor, odd file names)."""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import threadwidget
from threadwidget import Comment, Thread, ThreadWidget
from threadwidget.core.models import utcnow
from threadwidget.stores.sqlite import SQLiteStore

from .conftest import T0

FORK = multiprocessing.get_context("fork")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# ---- item 1: several kernels create (or import) one autosave file at the same moment ----------


def _kernel(path: str, name: str, barrier: Any, acks: Any) -> None:
    """One kernel running the class's cell: open the autosave, add two comments, close."""
    try:
        barrier.wait(10)
        w = ThreadWidget(autosave=path, user=name)
        for n in (1, 2):
            acks.put(("ack", w.add_comment(f"{name} {n}").id))
        w.close()
    except BaseException as error:
        acks.put(("error", f"{name}: {type(error).__name__}: {error}"))
    finally:
        acks.put(("done", name))


def _run_kernels(path: Path, kernels: int) -> list[str]:
    barrier = FORK.Barrier(kernels)
    acks = FORK.Queue()
    procs = [
        FORK.Process(target=_kernel, args=(str(path), f"k{i}", barrier, acks))
        for i in range(kernels)
    ]
    for proc in procs:
        proc.start()
    acked, errors, done = [], [], 0
    while done < kernels:
        kind, value = acks.get(timeout=60)
        if kind == "ack":
            acked.append(value)
        elif kind == "error":
            errors.append(value)
        else:
            done += 1
    for proc in procs:
        proc.join(10)
    assert not errors, errors
    assert len(acked) == 2 * kernels
    return acked


@pytest.mark.parametrize("trials", [12])
def test_kernels_creating_one_autosave_at_once_lose_nothing(tmp_path: Path, trials: int) -> None:
    for trial in range(trials):
        path = tmp_path / f"class-{trial}.db"
        acked = _run_kernels(path, 4)
        ids = {c.id for c in threadwidget.load(path).comments}
        assert set(acked) <= ids, (trial, set(acked) - ids)
        assert len(ids) == len(acked)
        assert sorted(p.name for p in tmp_path.glob(f"*{trial}.db*")) == [path.name]


@pytest.mark.parametrize("trials", [6])
def test_kernels_importing_one_json_at_once_keep_the_original_as_bak(
    tmp_path: Path, thread: Thread, trials: int
) -> None:
    for trial in range(trials):
        path = tmp_path / f"saved-{trial}.json"
        threadwidget.save(thread, path)
        original = path.read_bytes()
        acked = _run_kernels(path, 4)
        ids = {c.id for c in threadwidget.load(path).comments}
        assert set(acked) | {"a", "b", "c"} == ids
        backup = path.with_name(path.name + ".bak")
        assert backup.read_bytes() == original  # the original, not a database imported twice


# ---- item 7: reading right after a writer was killed in a transaction -------------------------


def _die_in_a_transaction(path: str) -> None:
    """Start a big write (SQLite spills it to the file, leaving a hot journal) and be killed."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA cache_size=1")
    conn.execute("BEGIN IMMEDIATE")
    for i in range(300):
        conn.execute("INSERT INTO tw_meta (key, value) VALUES (?, ?)", (f"k{i}", "x" * 4000))
    conn.execute("UPDATE tw_snapshots SET thread_json = 'half written'")
    os.kill(os.getpid(), signal.SIGKILL)


def test_every_reader_works_right_after_a_writer_was_killed_mid_transaction(
    tmp_path: Path,
) -> None:
    path = tmp_path / "killed.db"
    w = ThreadWidget(autosave=path, user="Ann")
    ids = {w.add_comment(f"c{i}").id for i in range(5)}
    w.close()
    child = FORK.Process(target=_die_in_a_transaction, args=(str(path),))
    child.start()
    child.join(30)
    assert Path(f"{path}-journal").stat().st_size > 0  # a hot journal is there
    assert {c.id for c in threadwidget.load(path).comments} == ids
    assert {c.id for c in ThreadWidget.load(path).thread.comments} == ids
    reopened = ThreadWidget(autosave=path)
    assert {c.id for c in reopened.thread.comments} == ids
    reopened.close()


def test_a_read_only_file_with_a_hot_journal_is_read_from_a_copy() -> None:
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="tw-ro-"))  # pytest's own tmp folders are root-only
    base.chmod(0o755)
    folder = base / "ro"
    folder.mkdir()
    path = folder / "killed.db"
    w = ThreadWidget(autosave=path)
    ids = {w.add_comment("kept").id}
    w.close()
    child = FORK.Process(target=_die_in_a_transaction, args=(str(path),))
    child.start()
    child.join(30)
    before = path.read_bytes()
    path.chmod(0o444)
    Path(f"{path}-journal").chmod(0o444)
    folder.chmod(0o555)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # as an unprivileged user: root ignores file modes
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                result = " ".join(sorted(c.id for c in threadwidget.load(path).comments))
            except BaseException as error:  # reported to the test, which fails on it
                result = f"failed: {type(error).__name__}: {error}"
            os.write(write_fd, result.encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    os.waitpid(pid, 0)
    with os.fdopen(read_fd) as pipe:
        result = pipe.read()
    folder.chmod(0o755)
    try:
        assert result == " ".join(sorted(ids))
        assert path.read_bytes() == before  # the reader changed nothing
        assert threadwidget.load(path).comments[0].body == "kept"
    finally:
        shutil.rmtree(base)


# ---- item 8: the small ones -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["week #3.db", "what?.db", "100%.db", "a?mode=rw#x.db"])
def test_file_names_with_uri_characters_name_that_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    w = ThreadWidget(autosave=path)
    c = w.add_comment("in the right file")
    w.close()
    assert [x.id for x in threadwidget.load(path).comments] == [c.id]
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no stray empty file


def test_a_failing_constructor_leaves_no_watcher_or_file_open(tmp_path: Path) -> None:
    path = tmp_path / "class.db"
    ThreadWidget(autosave=path).close()
    threads, fds = threading.active_count(), _open_fds()
    for _ in range(15):
        with pytest.raises(Exception, match="sort"):
            ThreadWidget(autosave=path, sort="bogus")
    time.sleep(0.3)
    assert threading.active_count() <= threads
    assert _open_fds() <= fds


def test_saving_onto_the_widgets_own_autosave_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "class.db"
    w = ThreadWidget(autosave=path)
    w.add_comment("kept")
    for target in (path, tmp_path / "." / "class.db", str(path)):
        with pytest.raises(ValueError, match="autosave"):
            w.save(target)
    w.add_comment("still saved")  # autosave still works
    w.close()
    assert len(threadwidget.load(path).comments) == 2
    copy = ThreadWidget(autosave=path)
    assert copy.save(tmp_path / "copy.json").exists()  # another name is fine
    copy.close()


def test_a_replaced_thread_keeps_its_comment_times_in_the_timeline() -> None:
    w = ThreadWidget(user="teacher")
    w.add_comment("before the replacement")
    times = [T0.replace(day=d) for d in (2, 3, 4)]
    imported = Thread(
        comments=tuple(Comment(id=f"i{n}", body="old", created_at=t) for n, t in enumerate(times))
    )
    w.thread = imported
    moments = w.moments()
    assert set(times) <= set(moments)
    assert [c.id for c in w.replay_at(times[1]).comments] == ["i0", "i1"]
    assert [c.id for c in w.replay_at(utcnow()).comments] == ["i0", "i1", "i2"]


def test_a_validator_calling_a_verb_runs_no_callback_with_the_lock_held() -> None:
    w = ThreadWidget(user="Ann")
    held: list[bool] = []
    w.on_change(lambda event: held.append(w.engine.lock._is_owned()))  # type: ignore[attr-defined]

    def note_every_reply(op: Any, ctx: Any) -> None:
        if op.type == "add" and op.parent_id is not None:
            w.set_extra(op.parent_id, replied=True)

    w.add_validator(note_every_reply)
    parent = w.add_comment("question")
    w.add_comment("answer", parent_id=parent.id)
    w.engine.flush()
    assert len(held) == 3 and not any(held)
    assert w.get(parent.id).extra == {"replied": True}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_in_extra_are_refused_naming_the_field(bad: float) -> None:
    w = ThreadWidget()
    c = w.add_comment("x")
    with pytest.raises(ValueError, match=r"extra\['score'\]\['runs'\]\[1\]"):
        w.set_extra(c.id, score={"runs": [0.5, bad]})
    with pytest.raises(ValueError, match="NaN and infinity"):
        w.add_comment("y", extra={"score": bad})
    with pytest.raises(ValueError, match="extra"):
        Comment(body="z", extra={"s": bad})
    assert w.get(c.id).extra == {}


def test_a_followers_error_list_is_bounded() -> None:
    from threadwidget.sources.follow import Follower

    MAX_ERRORS = 100

    def failing() -> Thread:
        raise OSError("offline")

    follower = Follower(ThreadWidget(), "https://example.invalid/x", 60, failing, None)
    for _ in range(MAX_ERRORS + 50):
        follower.poll()
    assert len(follower.errors) == MAX_ERRORS
    assert follower.polls == MAX_ERRORS + 50


def test_an_sqlite_watcher_error_is_retried_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "class.db"
    store = SQLiteStore(path)
    store.create_thread("week1")
    real = store._data_version
    failures = [sqlite3.OperationalError("disk I/O error")] * 2

    def flaky(conn: sqlite3.Connection) -> int:
        if failures:
            raise failures.pop()
        return real(conn)

    store._data_version = flaky  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="threadwidget.shared"):
        w = ThreadWidget.connect(store, "week1")
        other = ThreadWidget.connect(path, "week1", user="Bob")
        c = other.add_comment("heard despite the watcher's errors")
        deadline = time.monotonic() + 10
        while c.id not in w.engine.state.comments and time.monotonic() < deadline:
            time.sleep(0.05)
    assert c.id in w.engine.state.comments
    assert len(store.watch_errors) == 2
    assert "retrying" in caplog.text
    other.close()
    w.close()
    store.close()


# ---- item 2: a shared thread deleted and created again under the same id ---------------------


def test_a_shared_thread_created_again_under_its_id_is_told_not_mixed(tmp_path: Path) -> None:
    path = tmp_path / "class.db"
    store = SQLiteStore(path)
    store.create_thread("week1")
    w = ThreadWidget.connect(path, "week1", user="Ann")
    w.add_comment("one")
    w.add_comment("two")
    store.delete_thread("week1")
    store.create_thread("week1")
    other = ThreadWidget.connect(path, "week1", user="Bob")
    other.add_comment("the new thread's first")
    with pytest.raises(ValueError, match="created again"):
        w.add_comment("would be lost")
    w.refresh()
    assert any("created again" in str(error) for error in w.errors)
    assert len([e for e in w.errors if "created again" in str(e)]) == 1  # told once
    assert [c.body for c in threadwidget.load(path, select="week1").comments] == [
        "the new thread's first"
    ]
    again = ThreadWidget.connect(path, "week1", user="Ann")  # connecting again shows it
    assert again.add_comment("now in the new thread").body == "now in the new thread"
    for widget in (w, other, again):
        widget.close()
    store.close()


# ---- item 5: costs that must not grow with the history ----------------------------------------


def test_memory_storage_history_does_not_grow_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadwidget.core.storage import MemoryStorage

    monkeypatch.setattr(MemoryStorage, "KEEP_BYTES", 64 * 1024, raising=False)
    import tracemalloc

    tracemalloc.start()  # before the warm-up: what it allocates and later frees is counted
    w = ThreadWidget(comments=[Comment(id="a", author="Ann", body="x")], user="Bo")
    for _ in range(1100):  # warm up caches, fill the views' catch-up ring (bounded)
        w.like("a")
        w.unlike("a")
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(3000):  # like/unlike pairs: the thread does not change
        w.like("a")
        w.unlike("a")
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 250_000, f"{grown} bytes for 6,000 operations on an unchanged thread"
    # the whole history is still there, in order, for replay and audit
    events = w.events
    assert len(events) == w.seq == 8200
    assert [e.type for e in events[:2]] == ["like", "unlike"] and events[-1].type == "unlike"
    assert [s for s, _ in w.engine.storage.events_since(8198)] == [8199, 8200]
    assert len(w.moments()) == len({e.at for e in events} | {w.get("a").created_at})
    w.close()


def test_moments_and_replay_of_an_autosave_are_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    from threadwidget.stores.store import SharedStore

    monkeypatch.setattr(SharedStore, "HISTORY_PAGE", 50, raising=False)
    path = tmp_path / "long.db"
    w = ThreadWidget(autosave=path, user="Ann")
    c = w.add_comment("draft")
    for i in range(400):  # a long history of large edits of one comment
        w.edit_comment(c.id, f"version {i} " + "x" * 10_000)
    expected_moments = len({e.at for e in w.events} | {c.created_at})
    tracemalloc.start()
    moments = w.moments()
    replayed = w.replay_at(moments[len(moments) // 2])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    w.close()
    assert len(moments) == expected_moments
    assert replayed.get(c.id).body.startswith("version ")
    assert peak < 3_000_000, f"peak {peak} bytes for a 4 MB history read in pages of 50"


def test_timeline_and_replay_requests_are_rate_limited_apart_from_operations() -> None:
    from .conftest import Recorder

    w = ThreadWidget(comments=[Comment(id="a", author="Ann", body="x", created_at=T0)])
    rec = Recorder(w)
    kinds = []
    for n in range(100):  # a page asking again and again (or a hostile one)
        request = (
            {"kind": "timeline", "rid": f"v1-t{n}"}
            if n % 2
            else {"kind": "replay", "rid": f"v1-t{n}", "index": 0}
        )
        replies = rec.browser(request)
        kinds.append(replies[0]["kind"])
    answered = sum(k in ("timeline", "replay_state") for k in kinds)
    assert answered == 30 and kinds[-1] == "reject"
    assert "Too many replays" in rec.sent[-1]["reason"]
    # operations have their own budget: posting still works while the timeline is refused
    assert rec.op({"type": "add", "id": "n1", "body": "still posting"})["kind"] == "event"


# ---- item 8: an unreachable PostgreSQL never holds the engine's lock -------------------------


def test_an_unreachable_postgres_never_holds_the_engine_lock() -> None:
    from threadwidget.stores.postgres import PostgresStore

    from .pgserver import TemporaryPostgres

    with TemporaryPostgres() as server:
        store = PostgresStore(server.url, retry_for=2.0, connect_timeout=1)
        store.create_thread("week1")
        w = ThreadWidget.connect(store, "week1", user="Ann")
        acked = [w.add_comment("before the outage").id]
        server.stop("immediate")
        outcome: list[str] = []

        def write() -> None:
            try:
                acked.append(w.add_comment("during the outage").id)
                outcome.append("acknowledged")
            except ValueError as error:
                outcome.append(f"refused: {error}")

        writer = threading.Thread(target=write)
        started = time.monotonic()
        writer.start()
        waits = []
        while writer.is_alive() and time.monotonic() - started < 30:
            time.sleep(0.2)
            t0 = time.monotonic()
            got = w.engine.lock.acquire(timeout=2.0)
            waits.append(time.monotonic() - t0)
            if got:
                w.engine.lock.release()
                _ = w.comments  # a reader (a page's sync) gets through meanwhile
        writer.join(30)
        assert outcome and outcome[0].startswith("refused"), outcome
        assert "Could not reach" in outcome[0]
        assert len(waits) >= 3 and max(waits) < 1.0, waits  # never held through the retries
        server.start()
        acked.append(w.add_comment("after the outage").id)
        assert [c.id for c in store.load("week1")[0]] == acked
        w.close()
        store.close()


def test_an_autosave_is_created_where_hard_links_are_not_supported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: str, dst: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "on-a-share.db"
    w = ThreadWidget(autosave=path)
    c = w.add_comment("saved anyway")
    w.close()
    assert [x.id for x in threadwidget.load(path).comments] == [c.id]
