"""The engine apart from the widget: history in seq order, callbacks after the commit and outside
the lock, bounded memory, storage URLs (issues #13 and #15)."""

from __future__ import annotations

import threading
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from threadwidget import Comment, Thread, ThreadWidget
from threadwidget.core import operations, rules
from threadwidget.core.engine import Engine
from threadwidget.core.models import utcnow
from threadwidget.storage.open import open_storage
from threadwidget.storage.shared import SharedStorage
from threadwidget.stores import SQLiteStore, open_store
from threadwidget.stores.store import store_target

from .conftest import Recorder

PYTHON = rules.Context(actor="py", trusted=True)


def _add(engine: Engine, body: str, actor: str = "py") -> operations.Event:
    return engine.submit(operations.AddComment(body=body), rules.Context(actor=actor, trusted=True))


# ---- the engine needs no widget -------------------------------------------------------------


def test_the_engine_runs_without_a_widget() -> None:
    engine = Engine(Thread(comments=(Comment(id="a", body="x"),)))
    seen: list[str] = []
    engine.on_change(lambda event: seen.append(event.type))
    event = _add(engine, "hello")
    assert isinstance(event, operations.AddEvent) and engine.seq == 1
    engine.submit(operations.Like(id="a"), rules.Context(actor="Ann"))
    with pytest.raises(rules.OperationRejected, match="already like"):
        engine.submit(operations.Like(id="a"), rules.Context(actor="Ann"))
    assert seen == ["add", "like"] and engine.get("a").liked_by == ("Ann",)
    assert [e.type for e in engine.events] == ["add", "like"]


def test_the_time_of_an_event_is_taken_when_it_is_decided() -> None:
    engine = Engine()
    stale = rules.Context(actor="py", trusted=True, now=utcnow() - timedelta(hours=1))
    before = utcnow()
    event = engine.submit(operations.AddComment(body="x"), stale)
    assert event.at >= before


# ---- history in seq order -------------------------------------------------------------------


def _store_event(store: SQLiteStore, event: operations.Event) -> None:
    store.append("t", lambda _state: event)


def test_replay_follows_seq_order_when_clocks_disagree(tmp_path: Path) -> None:
    """Another kernel's clock is an hour behind: its later event carries an earlier time."""
    store = SQLiteStore(tmp_path / "s.db")
    store.create_thread("t", Thread())
    t0 = utcnow()
    first = operations.AddEvent(
        comment=Comment(id="a", body="first", created_at=t0), actor="A", at=t0
    )
    behind = t0 - timedelta(hours=1)
    late = operations.AddEvent(
        comment=Comment(id="b", body="second, slow clock", created_at=behind), actor="B", at=behind
    )
    edit = operations.EditEvent(
        id="a", body="edited", edited_at=t0, actor="A", at=t0 + timedelta(1)
    )
    for event in (first, late, edit):
        _store_event(store, event)
    w = ThreadWidget.connect(store, "t")
    # moments never go back in time, and the slow kernel's comment appears after the first
    assert w.moments() == sorted(w.moments())
    at_first = w.replay_at(t0)
    assert {c.id for c in at_first.comments} == {"a", "b"}  # b was stored after a, at "t0"
    assert at_first.get("a").body == "first"
    assert w.replay_at(t0 + timedelta(2)).get("a").body == "edited"
    w.close()
    store.close()


def test_a_shared_widget_replays_the_whole_stored_thread(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    early = ThreadWidget.connect(db, "t", thread=Thread(), user="Ann")
    for i in range(3):
        early.add_comment(f"before the latecomer {i}")
    late = ThreadWidget.connect(db, "t", user="Bo")
    assert len(late.moments()) == 3
    assert len(late.replay_at(late.moments()[0]).comments) == 1
    assert [e.type for e in late.events] == ["add", "add", "add"]
    early.close()
    late.close()


def test_replacing_the_thread_is_an_event_every_reader_of_history_sees() -> None:
    w = ThreadWidget(comments=[Comment(id="a", body="old thread")], user="teacher")
    heard: list[str] = []
    w.on_change(lambda event: heard.append(event.type))
    w.add_comment("still the old thread")
    old_ids = {c.id for c in w.comments}
    before = utcnow()
    time.sleep(0.01)
    w.thread = Thread(comments=(Comment(id="z", body="new thread"),))
    assert heard == ["add", "replace"]
    assert [row["action"] for row in w.audit()] == ["replace"]
    assert w.audit()[0]["by"] == "teacher"
    assert {c.id for c in w.replay_at(before).comments} == old_ids
    assert [c.id for c in w.replay_at(utcnow()).comments] == ["z"]


# ---- user code outside the lock -------------------------------------------------------------


def test_a_callback_that_adds_a_comment_is_heard_after_the_current_event() -> None:
    w = ThreadWidget(user="Ann")
    order_a: list[int] = []
    order_b: list[int] = []

    def answer(event: Any) -> None:
        order_a.append(w.seq if not order_a else order_a[-1] + 1)
        if isinstance(event, operations.AddEvent) and event.comment.author == "Ann":
            w.add_comment("auto-reply", parent_id=event.comment.id, user="bot")

    seqs: list[str] = []
    w.on_change(answer)
    w.on_change(lambda event: seqs.append(event.comment.body if event.type == "add" else "?"))
    w.on_change(lambda event: order_b.append(len(order_b) + 1))
    w.add_comment("question")
    # every callback saw "question" before "auto-reply": never re-entered, always in order
    assert seqs == ["question", "auto-reply"]
    assert order_b == [1, 2] and len(w.comments) == 2


def test_a_slow_callback_does_not_delay_another_views_acknowledgement() -> None:
    w = ThreadWidget(user="Ann")
    sent: list[tuple[float, dict[str, Any]]] = []
    w.send = lambda content, buffers=None: sent.append((time.monotonic(), content))  # type: ignore[method-assign]
    w.on_comment(lambda comment: time.sleep(2) if comment.body == "slow" else None)

    def view(client: str, body: str) -> None:
        op = {"type": "add", "body": body}
        w._on_custom_message(w, {"kind": "op", "rid": f"{client}-1", "op": op}, [])

    first = threading.Thread(target=view, args=("viewA", "slow"))
    first.start()
    time.sleep(0.05)  # view A's callback is now sleeping
    start = time.monotonic()
    view("viewB", "quick")
    acks = [at for at, m in sent if m.get("kind") == "event" and m.get("rid") == "viewB-1"]
    assert acks and acks[0] - start < 0.1
    first.join()
    w.engine.flush()
    assert [c.body for c in w.comments] == ["slow", "quick"]


def test_python_calls_return_after_their_callbacks_ran() -> None:
    w = ThreadWidget()
    log: list[str] = []
    w.on_comment(lambda comment: log.append(comment.body))
    w.add_comment("one")
    assert log == ["one"]


# ---- bounded memory -------------------------------------------------------------------------


class _FastSQLite(SQLiteStore):
    """A shared store without fsync, so a test can afford many operations."""

    def _connect(self) -> Any:
        conn = super()._connect()
        conn.execute("PRAGMA synchronous=OFF")
        return conn


def test_memory_follows_the_thread_not_the_history(tmp_path: Path) -> None:
    store = _FastSQLite(tmp_path / "m.db")
    store.create_thread("t", Thread(comments=(Comment(id="a", author="Ann", body="x"),)))
    engine = Engine(storage=SharedStorage(store, "t"))

    def churn(n: int, offset: int) -> None:
        for i in range(offset, offset + n):
            engine.submit(operations.EditComment(id="a", body=f"edit {i}"), PYTHON)
            ctx = rules.Context(actor="Bo", trusted=True)
            engine.submit(operations.Like(id="a") if i % 2 == 0 else operations.Unlike(id="a"), ctx)

    churn(500, 0)  # warm up caches
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    churn(2000, 500)
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert engine.seq == 5000
    assert grown < 200_000, f"{grown} bytes for 4,000 operations on one comment"
    assert len(engine.events) == 5000  # the history is in the store, whole
    engine.close()
    store.close()


def test_error_lists_and_per_client_tables_are_capped(widget: ThreadWidget) -> None:
    rec = Recorder(widget)
    widget.on_change(lambda _event: 1 / 0)
    for i in range(150):
        widget.add_comment(f"n{i}")
    assert len(widget.errors) == 100  # the newest errors, not every traceback forever
    for i in range(1000):  # a page choosing a new client id for every request
        widget._on_custom_message(widget, {"kind": "op", "rid": f"c{i}-1", "op": {}}, [])
    assert len(widget._rates) <= 256
    for i in range(300):
        rec.browser({"kind": "op", "rid": f"k{i}-1", "op": {"type": "like", "id": "a"}})
        rec.browser({"kind": "op", "rid": f"k{i}-2", "op": {"type": "unlike", "id": "a"}})
        widget._rates.clear()
    assert len(widget._page._confirmed) <= 256


# ---- storage URLs ---------------------------------------------------------------------------


def test_sqlalchemy_style_sqlite_urls_are_understood(tmp_path: Path) -> None:
    path = tmp_path / "class.db"
    w = ThreadWidget.connect(f"sqlite:///{path}", "week1", thread=Thread())
    w.add_comment("hello")
    w.close()
    again = ThreadWidget.connect(str(path), "week1")
    assert [c.body for c in again.comments] == ["hello"]
    again.close()
    with open_store(f"sqlite:///{path}") as store:  # the public store opener takes them too
        assert store.list_threads() == ["week1"]
    with pytest.raises(ValueError, match=r"'mysql://x/y'.*sqlite:///class\.db"):
        store_target("mysql://x/y")
    with pytest.raises(ValueError, match="in-memory"):
        store_target("sqlite:///:memory:")
    with pytest.raises(KeyError, match="no shared thread 'nope'"):
        open_storage(path, "nope")
