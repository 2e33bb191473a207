"""Shared threads: the store API, conflict rules and live widgets, on SQLite and on a real
PostgreSQL server (a throwaway one this module starts; missing server programs FAIL, never skip).

At the end: several real Python processes on one shared thread (one SQLite file, one PostgreSQL
server), random concurrent operations, one process SIGKILLed mid-run, the PostgreSQL server
restarted mid-run. Every process converges to the store's state; every acknowledged event is
stored exactly once; nothing else is stored but, at most, the operation the killed process was
doing.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from threadwidget import Comment, OperationRejected, Post, Thread, ThreadWidget
from threadwidget.core import operations, rules
from threadwidget.stores import (
    SCHEMA_VERSION,
    SharedStore,
    SQLiteStore,
    StoreError,
    open_store,
)

from .conftest import ROOT, Recorder
from .pgserver import TemporaryPostgres


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TemporaryPostgres]:
    """One throwaway PostgreSQL server for the whole session (FAILS if PostgreSQL is missing)."""
    server = TemporaryPostgres()  # raises PostgresNotInstalled with the fix in its message
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


def fresh_pg_url(server: TemporaryPostgres) -> str:
    """A new, empty database on the session's server."""
    import psycopg

    name = f"tw_{secrets.token_hex(6)}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh store lives: an SQLite path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "class.db")
    return fresh_pg_url(request.getfixturevalue("pg_server"))


@pytest.fixture
def store(target: str) -> Iterator[SharedStore]:
    s = open_store(target)
    yield s
    s.close()


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError("timed out waiting")
        time.sleep(0.005)
    return time.monotonic() - start


SEED = Thread(
    post=Post(title="Week 1", author="Teacher"),
    comments=(Comment(id="q", author="Teacher", body="What is a widget?"),),
)


def test_create_list_delete(store: SharedStore) -> None:
    assert store.list_threads() == []
    assert store.create_thread("week1", SEED) is True
    assert store.create_thread("week2") is True
    assert store.create_thread("week1", exist_ok=True) is False
    with pytest.raises(ValueError, match="already exists"):
        store.create_thread("week1")
    with pytest.raises(ValueError, match="thread id"):
        store.create_thread("no spaces please")
    assert store.list_threads() == ["week1", "week2"]
    state, seq = store.load("week1")
    assert seq == 0 and state.to_thread() == SEED
    assert store.delete_thread("week2") is True
    assert store.delete_thread("week2") is False
    assert store.list_threads() == ["week1"]
    with pytest.raises(KeyError, match="week2"):
        store.load("week2")


def test_append_decides_against_the_latest_state(store: SharedStore) -> None:
    store.create_thread("t", SEED)
    ctx = rules.Context(actor="Ann")
    seq, event = store.append(
        "t", lambda s: rules.check(s, operations.AddComment(id="a", body="hi"), ctx)
    )
    assert seq == 1 and isinstance(event, operations.AddEvent)
    with pytest.raises(OperationRejected, match="already exists"):
        store.append(
            "t", lambda s: rules.check(s, operations.AddComment(id="a", body="again"), ctx)
        )
    assert store.head("t") == 1  # a refused operation stores nothing
    assert [s for s, _ in store.events_since("t", 0)] == [1]
    with pytest.raises(KeyError):
        store.append("gone", lambda s: rules.check(s, operations.AddComment(body="x"), ctx))


def test_snapshots_are_refreshed(store: SharedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(type(store), "SNAPSHOT_EVERY", 5)
    store.create_thread("t")
    ctx = rules.Context(actor="Ann")
    for i in range(12):
        store.append(
            "t", lambda s, i=i: rules.check(s, operations.AddComment(id=f"c{i}", body="x"), ctx)
        )
    state, seq = store.load("t")
    assert seq == 12 and state.seq == 12 and len(state.comments) == 12

    def snapshot_seq() -> int:
        with store._tx(write=False) as cur:
            return int(
                store._exec(cur, "SELECT seq FROM tw_snapshots WHERE thread_id = 't'").fetchone()[0]
            )

    assert snapshot_seq() == 10


def test_schema_version_and_migrations(target: str) -> None:
    with open_store(target) as store:
        assert store.schema_version() == SCHEMA_VERSION
        store.create_thread("t", SEED)
    with open_store(target) as again:  # opening again migrates nothing and keeps the data
        assert again.list_threads() == ["t"]
        with again._tx(write=True) as cur:
            again._exec(cur, "UPDATE tw_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(target)


def test_widgets_share_live(store: SharedStore) -> None:
    store.create_thread("t", SEED)
    ann = ThreadWidget.connect(store, "t", user="Ann")
    bo = ThreadWidget.connect(store, "t", user="Bo")
    seen: list[object] = []
    bo.on_comment(seen.append)
    rec = Recorder(bo)
    c = ann.add_comment("hello", parent_id="q")
    delay = wait_for(lambda: len(bo.comments) == 2)
    assert delay < 1.0
    assert bo.get(c.id).author == "Ann"
    bo.engine.flush()  # remote events' callbacks run on a background thread
    assert seen == [c]  # callbacks fire for remote events
    assert rec.sent[-1]["kind"] == "event" and rec.sent[-1]["rid"] is None
    assert rec.sent[-1]["seq"] == bo.seq == 1  # the views' own numbering is unchanged
    ann.close()
    bo.close()


def test_browser_ack_comes_after_the_store_commit(store: SharedStore) -> None:
    store.create_thread("t", SEED)
    w = ThreadWidget.connect(store, "t", user="Bo")
    rec = Recorder(w)
    reply = rec.op({"type": "add", "id": "v-1", "parent_id": "q", "body": "from the page"})
    assert reply["kind"] == "event" and reply["rid"] == "view1-1"
    assert [e.type for _, e in store.events_since("t", 0)] == ["add"]
    refused = rec.op({"type": "edit", "id": "q", "body": "not mine"})
    assert refused["kind"] == "reject" and "Only the author" in refused["reason"]
    w.close()


def test_reply_to_a_comment_deleted_elsewhere_is_refused(store: SharedStore) -> None:
    store.create_thread("t", SEED)
    ann = ThreadWidget.connect(store, "t", user="Ann")
    bo = ThreadWidget.connect(store, "t", user="Bo")
    ann.engine._unsubscribe()  # Ann hears nothing by herself
    target = bo.add_comment("soon gone")
    ann.refresh()
    bo.delete_comment(target.id)
    assert ann.get(target.id).status == "visible"  # Ann has not heard yet...
    rec = Recorder(ann)
    sent = rec.browser(
        {"kind": "op", "rid": "v-1", "op": {"type": "add", "parent_id": target.id, "body": "x"}}
    )
    # her views first get the missed delete, then the refusal
    assert [m["kind"] for m in sent] == ["event", "reject"]
    assert sent[0]["event"]["type"] == "delete" and sent[0]["rid"] is None
    assert "was deleted" in sent[1]["reason"]
    assert ann.get(target.id).status == "deleted"
    ann.close()
    bo.close()


def test_concurrent_edits_last_writer_wins(store: SharedStore) -> None:
    store.create_thread("t", SEED)
    a = ThreadWidget.connect(store, "t", user="Teacher")
    b = ThreadWidget.connect(store, "t", user="Teacher")
    a.edit_comment("q", "first edit")
    b.edit_comment("q", "second edit")
    wait_for(lambda: a.get("q").body == "second edit")
    assert b.get("q").body == "second edit"
    with pytest.raises(OperationRejected, match="already exists"):
        a.apply({"type": "add", "id": a.comments[-1].id, "body": "dup"})
    a.close()
    b.close()


def test_shared_thread_cannot_be_replaced_or_autosaved(store: SharedStore) -> None:
    store.create_thread("t", SEED)
    w = ThreadWidget.connect(store, "t")
    with pytest.raises(RuntimeError, match="shared thread"):
        w.thread = SEED
    with pytest.raises(TypeError, match="autosave"):
        ThreadWidget.connect(store, "t", autosave="x.json")
    w.close()


def test_deleted_thread_refuses_operations(store: SharedStore) -> None:
    store.create_thread("t", SEED)
    w = ThreadWidget.connect(store, "t")
    store.delete_thread("t")
    with pytest.raises(OperationRejected, match="deleted"):
        w.add_comment("anyone?")
    w.close()


def test_connect_creates_and_user_defaults_to_the_hub_user(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "student7")
    w = ThreadWidget.connect(target, "new", thread=SEED)
    assert w.user == "student7" and w.shared_seq == 0
    assert w.add_comment("me").author == "student7"
    again = ThreadWidget.connect(target, "new", thread=Thread())  # the stored one wins
    assert len(again.comments) == 2
    w.close()
    again.close()


def test_open_store_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREADWIDGET_STORE", str(tmp_path / "env.db"))
    with open_store() as store:
        assert isinstance(store, SQLiteStore)
    monkeypatch.delenv("THREADWIDGET_STORE")
    with pytest.raises(ValueError, match="THREADWIDGET_STORE"):
        open_store()


def test_postgres_reconnects_after_restart(pg_server: TemporaryPostgres) -> None:
    url = fresh_pg_url(pg_server)
    store = open_store(url)
    store.create_thread("t", SEED)
    ann = ThreadWidget.connect(url, "t", user="Ann")
    bo = ThreadWidget.connect(url, "t", user="Bo")
    ann.add_comment("before")
    wait_for(lambda: len(bo.comments) == 2)
    pg_server.restart()
    c = ann.add_comment("after the restart")  # the write reconnects
    wait_for(lambda: c.id in {x.id for x in bo.comments}, timeout=10)  # the watcher re-listens
    assert ann.thread == bo.thread == store.load("t")[0].to_thread()
    assert [e.type for _, e in store.events_since("t", 0)] == ["add", "add"]
    ann.close()
    bo.close()
    store.close()


# ---- many processes ------------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import hashlib, json, random, sys, time
    from threadwidget import OperationRejected, ThreadWidget
    target, thread_id, user, count, seed = sys.argv[1:6]
    count, rnd = int(count), random.Random(int(seed))
    w = ThreadWidget.connect(target, thread_id, user=user)
    print("READY", flush=True)
    i = 0
    while count < 0 or i < count:
        i += 1
        alive = [c for c in w.comments if c.status == "visible"]
        mine = [c for c in alive if c.author == user]
        roll = rnd.random()
        if roll < 0.45 or not alive:
            parent = rnd.choice(alive).id if alive and rnd.random() < 0.7 else None
            op = {"type": "add", "id": f"{user}-{i}", "parent_id": parent, "body": f"{user} {i}"}
        elif roll < 0.6 and mine:
            op = {"type": "edit", "id": rnd.choice(mine).id, "body": f"edited by {user} {i}"}
        elif roll < 0.7 and mine:
            op = {"type": "delete", "id": rnd.choice(mine).id}
        else:
            c = rnd.choice(alive)
            op = {"type": "unlike" if user in c.liked_by else "like", "id": c.id}
        try:
            event = w.apply(op)
        except OperationRejected as error:
            print("REJ", error.reason, flush=True)
        else:
            print("ACK", json.dumps(event.model_dump(mode="json"), sort_keys=True), flush=True)
        time.sleep(rnd.random() * 0.02)
    print("DONE", flush=True)
    head = int(sys.stdin.readline().split()[1])
    deadline = time.monotonic() + 15
    while (w.shared_seq or 0) < head and time.monotonic() < deadline:
        time.sleep(0.01)  # no refresh(): the news must arrive by themselves
    digest = hashlib.sha256(w.thread.model_dump_json().encode()).hexdigest()
    print("FINAL", w.shared_seq, digest, flush=True)
    w.close()
    """
)


class Worker:
    def __init__(self, target: str, thread_id: str, user: str, count: int, seed: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        env.pop("JUPYTERHUB_USER", None)
        self.user = user
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, target, thread_id, user, str(count), str(seed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def has(self, prefix: str) -> bool:
        return any(line.startswith(prefix) for line in self.lines)

    def acked(self) -> list[str]:
        return [line[4:] for line in self.lines if line.startswith("ACK ")]

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.reader.join(5)
        self.close()

    def close(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None and not pipe.closed:
                pipe.close()

    def finish(self, head: int) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"HEAD {head}\n")
        self.proc.stdin.flush()
        self.proc.wait(30)
        self.reader.join(5)
        errors = self.proc.stderr.read() if self.proc.stderr else ""
        self.close()
        assert self.proc.returncode == 0, errors
        return next(line for line in self.lines if line.startswith("FINAL "))


def wait_until(condition, timeout: float, what: str, workers: list[Worker]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        for w in workers:
            if w.proc.poll() not in (None, 0, -signal.SIGKILL):
                raise AssertionError(f"{w.user} died: {w.proc.stderr.read()}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def run_class(target: str, restart: TemporaryPostgres | None = None) -> None:
    seed = Thread(post=Post(title="Shared"), comments=(Comment(id="q", body="Discuss"),))
    store = open_store(target)
    store.create_thread("class", seed)
    workers = [Worker(target, "class", f"s{n}", 30, n) for n in range(4)]
    victim = Worker(target, "class", "victim", -1, 99)
    everyone = [*workers, victim]
    try:
        wait_until(lambda: all(w.has("READY") for w in everyone), 30, "start", everyone)
        wait_until(lambda: len(victim.acked()) >= 10, 30, "victim's acks", everyone)
        victim.kill()  # SIGKILL, most likely in the middle of an operation
        if restart is not None:
            wait_until(lambda: sum(len(w.acked()) for w in workers) >= 20, 30, "acks", workers)
            restart.restart()
        wait_until(lambda: all(w.has("DONE") for w in workers), 60, "the workers", workers)
        head = store.head("class")
        finals = [w.finish(head) for w in workers]
    finally:
        for w in everyone:
            if w.proc.poll() is None:
                w.kill()
            w.close()
    state, seq = store.load("class")
    digest = hashlib.sha256(state.to_thread().model_dump_json().encode()).hexdigest()
    assert finals == [f"FINAL {seq} {digest}"] * len(workers)  # everyone converged
    stored = [
        json.dumps(e.model_dump(mode="json"), sort_keys=True)
        for _, e in store.events_since("class", 0)
    ]
    assert len(stored) == seq
    for w in everyone:
        for event in w.acked():
            assert stored.count(event) == 1, (w.user, event)  # nothing lost, nothing duplicated
    by_victim = [e for e in stored if json.loads(e)["actor"] == "victim"]
    assert set(victim.acked()) <= set(by_victim)
    assert len(by_victim) - len(victim.acked()) <= 1  # only the one in flight at the kill
    acked_total = sum(len(w.acked()) for w in everyone)
    assert len(stored) - acked_total <= 1
    store.close()


def test_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    run_class(str(tmp_path / "class.db"))


def test_processes_share_one_postgres_server(pg_server: TemporaryPostgres) -> None:
    run_class(fresh_pg_url(pg_server))


@pytest.mark.timeout(120)
def test_postgres_restart_mid_run(pg_server: TemporaryPostgres) -> None:
    run_class(fresh_pg_url(pg_server), restart=pg_server)
