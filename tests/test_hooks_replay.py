"""Validators that can refuse or rewrite operations, and replaying the thread at any moment."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from threadwidget import Comment, OperationRejected, Post, ThreadWidget
from threadwidget.core import operations, rules
from threadwidget.core.models import utcnow

from .conftest import T0, Recorder


def spam_filter(op: operations.Operation, ctx: rules.Context) -> operations.Operation | None:
    if isinstance(op, operations.AddComment) and "followers" in op.body.lower():
        raise ValueError("Looks like spam: comments selling followers are not allowed.")
    return None


def mask(op: operations.Operation, ctx: rules.Context) -> operations.Operation | None:
    if isinstance(op, (operations.AddComment, operations.EditComment)):
        return op.model_copy(update={"body": re.sub(r"(?i)darn", "d**n", op.body)})
    return None


def test_validator_refuses_with_its_reason_from_browser_and_python(
    widget: ThreadWidget, rec: Recorder
) -> None:
    widget.add_validator(spam_filter)
    reply = rec.op({"type": "add", "body": "Buy real instagram followers!"})
    assert reply["kind"] == "reject"
    assert reply["reason"] == "Looks like spam: comments selling followers are not allowed."
    with pytest.raises(OperationRejected, match="spam"):
        widget.add_comment("cheap followers here")
    assert widget.seq == 0
    assert rec.op({"type": "add", "body": "A fair point."})["kind"] == "event"


def test_validators_rewrite_in_order_and_can_be_removed(widget: ThreadWidget) -> None:
    remove = widget.add_validator(mask)
    widget.add_validator(lambda op, ctx: None)
    c = widget.add_comment("darn it, DARN")
    assert widget.get(c.id).body == "d**n it, d**n"
    widget.edit_comment(c.id, "darn again")
    assert widget.get(c.id).body == "d**n again"
    remove()
    assert widget.add_comment("darn").body == "darn"


def test_a_broken_validator_refuses_and_is_reported(
    widget: ThreadWidget, rec: Recorder, reported: Any
) -> None:
    def broken(op: operations.Operation, ctx: rules.Context) -> None:
        raise RuntimeError("bug in my check")

    widget.add_validator(broken)
    with reported("bug in my check"):
        reply = rec.op({"type": "like", "id": "a"})
    assert reply["kind"] == "reject"
    assert "check on this discussion failed" in reply["reason"]
    assert widget.get("a").likes == 0
    assert isinstance(widget.errors[-1], RuntimeError)


def test_a_validator_may_not_change_the_target(widget: ThreadWidget, reported: Any) -> None:
    widget.add_validator(lambda op, ctx: operations.DeleteComment(id="c"))
    with reported("same comment"), pytest.raises(OperationRejected):
        widget.like("a")
    assert widget.get("c").status == "visible"


def test_validators_see_who_asks(widget: ThreadWidget, rec: Recorder) -> None:
    seen: list[tuple[str, bool]] = []
    widget.add_validator(lambda op, ctx: seen.append((ctx.actor, ctx.trusted)))
    widget.like("a", user="Teacher")
    rec.op({"type": "like", "id": "c"})
    assert seen == [("Teacher", True), ("Chris", False)]


def test_replay_at_shows_the_thread_as_it_stood() -> None:
    w = ThreadWidget(
        post=Post(title="t", author="Steve", created_at=T0),
        comments=[
            Comment(id="a", author="Ann", body="first", created_at=T0 + timedelta(hours=1)),
            Comment(
                id="b",
                parent_id="a",
                author="Bob",
                body="second",
                created_at=T0 + timedelta(hours=2),
            ),
        ],
        user="Chris",
    )
    before_edit = utcnow()
    w.edit_comment("a", "first, edited")
    w.delete_comment("b")
    assert [c.id for c in w.replay_at(T0).comments] == []
    assert [c.id for c in w.replay_at(T0 + timedelta(hours=1, minutes=5)).comments] == ["a"]
    middle = w.replay_at(before_edit)
    assert middle.get("a").body == "first"
    assert middle.get("b").status == "visible"
    now = w.replay_at(utcnow())
    assert now == w.thread
    stops = w.moments()
    assert stops[0] == T0 + timedelta(hours=1)
    assert len(stops) == 4
    with pytest.raises(ValueError, match="timezone"):
        w.replay_at(T0.replace(tzinfo=None))


def test_replay_keeps_a_valid_tree_when_imported_times_disagree() -> None:
    w = ThreadWidget(
        comments=[
            Comment(id="p", author="A", body="parent", created_at=T0 + timedelta(hours=5)),
            Comment(id="r", parent_id="p", author="B", body="reply", created_at=T0),
        ]
    )
    assert w.replay_at(T0 + timedelta(hours=1)).comments == ()
