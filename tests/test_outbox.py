"""A burst of changes is a few messages (outbox.py): events batched per 10 ms, the saved-state
slot once per batch, every event once and in order, answers never overtaking events."""

from __future__ import annotations

import time
from typing import Any

from threadwidget import ThreadWidget
from threadwidget.page.outbox import BATCH_SECONDS

from .test_saved_notebooks import fold


def _record(w: ThreadWidget) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    messages: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []
    w.send = lambda content, buffers=None: messages.append(content)  # type: ignore[method-assign]
    w._send_raw = states.append  # type: ignore[method-assign]
    return messages, states


def _events(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        if m["kind"] == "event":
            out.append(m)
        elif m["kind"] == "events":
            out.extend(m["events"])
    return out


def test_a_burst_of_python_calls_is_a_few_messages_with_every_event_once_in_order() -> None:
    w = ThreadWidget(user="Chris")
    messages, states = _record(w)
    start = time.monotonic()
    ids = [w.add_comment(f"burst {i}").id for i in range(2000)]
    for i in ids[:1000]:
        w.like(i, user="Ann")
    took = time.monotonic() - start
    w._outbox.flush()
    events = _events(messages)
    assert [e["seq"] for e in events] == list(range(1, 3001))
    # one message per batch (at most one per 10 ms, plus the first at once), not one per change
    assert len(messages) <= took / BATCH_SECONDS + 2
    assert len(messages) < 300
    assert any(m["kind"] == "events" for m in messages)
    # the saved-state slots go once per batch, merged: what a saved notebook folds is current
    assert len(states) <= 2 * len(messages)
    saved: dict[str, Any] = {"_snapshot": w._snapshot}
    for s in states:
        saved.update(s)
    folded = fold(saved)
    assert folded is not None
    assert {c["id"]: c["likes"] for c in folded["comments"]} == {
        c.id: c.likes for c in w.thread.comments
    }


def test_a_lone_change_goes_at_once_and_a_tail_within_the_batch_time() -> None:
    w = ThreadWidget(user="Chris")
    messages, _states = _record(w)
    time.sleep(2 * BATCH_SECONDS)
    w.add_comment("alone")
    assert [m["kind"] for m in messages] == ["event"]
    w.add_comment("right after")  # waits for the batch time, then goes by itself
    assert len(messages) == 1
    time.sleep(BATCH_SECONDS * 20)
    assert [e["seq"] for e in _events(messages)] == [1, 2]


def test_answers_never_overtake_waiting_events_and_acks_go_at_once() -> None:
    w = ThreadWidget(user="Chris")
    messages, _states = _record(w)
    first = w.add_comment("first").id
    w.add_comment("waits")  # within the batch time: waits
    # a page's operation: its ack goes at once, after what waited
    w._on_custom_message(w, {"kind": "op", "rid": "v1-1", "op": {"type": "like", "id": first}}, [])
    assert [e["seq"] for e in _events(messages)] == [1, 2, 3]
    w.add_comment("waits again")
    # a refused request's answer: what waited goes first
    w._on_custom_message(
        w, {"kind": "op", "rid": "v1-2", "op": {"type": "edit", "id": "nope", "body": "x"}}, []
    )
    assert [m["kind"] for m in messages][-1] == "reject"
    assert [e["seq"] for e in _events(messages)] == [1, 2, 3, 4]
    w.engine.flush()
