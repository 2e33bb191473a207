"""The replay timeline over the browser protocol: ``timeline`` and ``replay`` requests and their
answers (``timeline``, ``replay_state`` parts), with the browser simulated by messages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from threadwidget import Comment, Post, ThreadWidget
from threadwidget.page.requests import CHUNK_BYTES

from .conftest import T0, Recorder


def _widget() -> ThreadWidget:
    """Ann at +1 h, Bob's reply at +2 h, Cy at +3 h (imported times); then edits made in class."""
    return ThreadWidget(
        post=Post(title="t", author="Steve", created_at=T0),
        comments=[
            Comment(id="a", author="Ann", body="first", created_at=T0 + timedelta(hours=1)),
            Comment(
                id="b",
                parent_id="a",
                author="Bob",
                body="reply",
                created_at=T0 + timedelta(hours=2),
            ),
            Comment(id="c", author="Cy", body="third", created_at=T0 + timedelta(hours=3)),
        ],
        user="Chris",
    )


def _timeline(rec: Recorder, rid: str = "v1-q1") -> list[str]:
    replies = rec.browser({"kind": "timeline", "rid": rid})
    assert len(replies) == 1 and replies[0]["kind"] == "timeline" and replies[0]["rid"] == rid
    moments: list[str] = replies[0]["moments"]
    return moments


def _replay(rec: Recorder, index: int, rid: str = "v1-q2") -> dict[str, Any]:
    """Ask for one moment; check the parts and reassemble them as the browser does."""
    replies = rec.browser({"kind": "replay", "rid": rid, "index": index})
    assert replies and all(r["kind"] == "replay_state" and r["rid"] == rid for r in replies)
    assert [r["part"] for r in replies] == list(range(replies[0]["parts"]))
    assert {r["parts"] for r in replies} == {len(replies)}
    assert len({(r["index"], r["at"], r["count"]) for r in replies}) == 1
    assert "post" in replies[0] and all("post" not in r for r in replies[1:])
    return {
        **{k: replies[0][k] for k in ("index", "at", "count", "post")},
        "comments": [c for r in replies for c in r["comments"]],
        "parts": len(replies),
    }


def test_timeline_lists_every_change_oldest_first_with_the_rid() -> None:
    w = _widget()
    rec = Recorder(w)
    w.edit_comment("a", "first, edited")
    w.delete_comment("b")
    moments = _timeline(rec)
    times = [datetime.fromisoformat(m) for m in moments]
    assert times == sorted(times) and len(times) == 5
    assert times[:3] == [T0 + timedelta(hours=h) for h in (1, 2, 3)]
    assert times[3:] == [e.at for e in w.events]
    assert moments == [m.isoformat() for m in w.moments()]


def test_replay_shows_each_moment_as_it_stood_including_edits_and_deletions() -> None:
    w = _widget()
    rec = Recorder(w)
    w.edit_comment("a", "first, **edited**")
    w.delete_comment("b")
    first = _replay(rec, 0)
    assert first["index"] == 0 and first["count"] == 5
    assert [c["id"] for c in first["comments"]] == ["a"]
    assert first["post"]["title"] == "t"
    assert datetime.fromisoformat(first["at"]) == T0 + timedelta(hours=1)

    before_edit = _replay(rec, 2)
    by_id = {c["id"]: c for c in before_edit["comments"]}
    assert sorted(by_id) == ["a", "b", "c"]
    assert by_id["a"]["body"] == "first" and not by_id["a"].get("edited_at")
    assert by_id["b"]["status"] == "visible"

    edited = {c["id"]: c for c in _replay(rec, 3)["comments"]}
    assert edited["a"]["body"] == "first, **edited**" and edited["a"]["edited_at"]
    assert "<strong>edited</strong>" in edited["a"]["html"]  # the browser gets the kernel's HTML
    assert edited["b"]["status"] == "visible"

    last = {c["id"]: c for c in _replay(rec, 4)["comments"]}
    assert last["b"]["status"] == "deleted" and last["b"]["body"] == ""
    assert w.seq == 2  # asking changed nothing


def test_replay_index_past_the_end_is_clamped_to_the_last_moment() -> None:
    w = _widget()
    rec = Recorder(w)
    w.add_comment("new", author="Dee")
    answer = _replay(rec, 999)
    assert answer["index"] == answer["count"] - 1 == 3
    assert datetime.fromisoformat(answer["at"]) == w.moments()[-1]
    assert sorted(c["id"] for c in answer["comments"]) == sorted(c.id for c in w.comments)


def test_big_replay_answers_come_in_bounded_parts_that_reassemble() -> None:
    body = "word " * 2000
    w = ThreadWidget(
        comments=[
            Comment(id=f"n{i}", body=body, created_at=T0 + timedelta(minutes=i)) for i in range(600)
        ]
    )
    rec = Recorder(w)
    replies = rec.browser({"kind": "replay", "rid": "v1-q9", "index": 599})
    assert len(replies) > 1
    assert all(len(json.dumps(r)) < 2 * CHUNK_BYTES for r in replies)
    answer = _replay(rec, 599, rid="v1-q10")
    assert [c["id"] for c in answer["comments"]] == [f"n{i}" for i in range(600)]
    assert [c["id"] for c in _replay(rec, 9, rid="v1-q11")["comments"]] == [
        f"n{i}" for i in range(10)
    ]


def test_empty_thread_has_no_moments_and_replay_is_refused_with_the_rid() -> None:
    w = ThreadWidget(user="Chris")
    rec = Recorder(w)
    assert _timeline(rec) == []
    replies = rec.browser({"kind": "replay", "rid": "v1-q5", "index": 0})
    assert replies == [
        {
            "kind": "reject",
            "rid": "v1-q5",
            "reason": "There is nothing to replay yet.",
            "field": "index",
        }
    ]


def test_a_new_event_adds_a_moment() -> None:
    w = _widget()
    rec = Recorder(w)
    before = _timeline(rec)
    reply = rec.op({"type": "like", "id": "c"})
    assert reply["kind"] == "event"
    after = _timeline(rec, rid="v1-q3")
    assert after[: len(before)] == before and len(after) == len(before) + 1
    assert _replay(rec, len(after) - 1)["comments"][-1]["likes"] == 1


@pytest.mark.parametrize(
    "message",
    [
        {"kind": "replay", "rid": "v1-q1", "index": -1},
        {"kind": "replay", "rid": "v1-q1"},
        {"kind": "replay", "rid": "v1-q1", "index": "last"},
        {"kind": "timeline"},
    ],
)
def test_malformed_requests_are_refused(message: dict[str, Any]) -> None:
    w = _widget()
    rec = Recorder(w)
    replies = rec.browser(message)
    assert len(replies) == 1 and replies[0]["kind"] == "reject"
    assert w.seq == 0


def test_replay_works_for_readers_and_read_only_widgets() -> None:
    """Looking back changes nothing, so every role may do it."""
    w = _widget()
    w.role = "reader"
    w.read_only = True
    rec = Recorder(w)
    assert len(_timeline(rec)) == 3
    assert [c["id"] for c in _replay(rec, 1)["comments"]] == ["a", "b"]
