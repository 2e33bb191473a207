"""apply(): each operation, its event, and every refusal leaving the state untouched."""

from __future__ import annotations

import copy

import pytest

from threadwidget import ops
from threadwidget.models import Thread

from .conftest import T0


def state_of(thread: Thread) -> ops.ThreadState:
    return ops.ThreadState.from_thread(thread)


def as_chris(**kw: object) -> ops.Context:
    return ops.Context(actor="Chris", now=T0, **kw)  # type: ignore[arg-type]


def test_add_fills_author_and_time(thread: Thread) -> None:
    state = state_of(thread)
    event = ops.apply(state, ops.AddComment(id="n", parent_id="a", body="hi"), as_chris())
    assert isinstance(event, ops.AddEvent)
    assert event.comment.author == "Chris" and event.comment.created_at == T0
    assert state.comments["n"].parent_id == "a"
    assert state.seq == 1
    state.to_thread()  # still a valid thread


def test_edit_own_comment_marks_edited(thread: Thread) -> None:
    state = state_of(thread)
    ops.apply(state, ops.EditComment(id="b", body="better"), as_chris())
    assert state.comments["b"].body == "better"
    assert state.comments["b"].edited_at == T0


def test_delete_keeps_a_tombstone(thread: Thread) -> None:
    state = state_of(thread)
    ops.apply(state, ops.DeleteComment(id="b"), as_chris())
    assert state.comments["b"].status == "deleted"
    assert state.comments["b"].body == ""


def test_like_and_unlike(thread: Thread) -> None:
    state = state_of(thread)
    like = ops.apply(state, ops.Like(id="c"), as_chris())
    assert isinstance(like, ops.LikeEvent) and like.likes == 3
    assert state.comments["c"].liked_by == ("Ann", "Chris")
    ops.apply(state, ops.Unlike(id="c"), as_chris())
    assert state.comments["c"].likes == 2 and state.comments["c"].liked_by == ("Ann",)


REFUSALS = [
    (ops.AddComment(id="a", body="dup"), {}, "already exists", "id"),
    (ops.AddComment(body="x", parent_id="ghost"), {}, "does not exist", "parent_id"),
    (ops.AddComment(body="   "), {}, "empty", "body"),
    (ops.EditComment(id="a", body="mine now"), {}, "Only the author", "id"),
    (ops.DeleteComment(id="c"), {}, "Only the author", "id"),
    (ops.EditComment(id="ghost", body="x"), {}, "no comment", "id"),
    (ops.EditComment(id="b", body=""), {}, "empty", "body"),
    (ops.Like(id="c"), {"actor": "Ann"}, "already like", "id"),
    (ops.Unlike(id="a"), {}, "not liked", "id"),
    (ops.AddComment(body="hello"), {"read_only": True}, "read-only", None),
]


@pytest.mark.parametrize(("op", "ctx", "reason", "field"), REFUSALS)
def test_refusals_leave_state_untouched(
    thread: Thread, op: ops.Operation, ctx: dict[str, object], reason: str, field: str | None
) -> None:
    state = state_of(thread)
    before = copy.deepcopy(state)
    context = ops.Context(**{"actor": "Chris", "now": T0, **ctx})  # type: ignore[arg-type]
    with pytest.raises(ops.OperationRejected) as info:
        ops.apply(state, op, context)
    assert reason in info.value.reason
    assert info.value.field == field
    assert state == before


def test_reply_to_deleted_comment_is_refused(thread: Thread) -> None:
    state = state_of(thread)
    ops.apply(state, ops.DeleteComment(id="b"), as_chris())
    with pytest.raises(ops.OperationRejected, match="deleted"):
        ops.apply(state, ops.AddComment(body="late", parent_id="b"), as_chris())
    with pytest.raises(ops.OperationRejected, match="deleted"):
        ops.apply(state, ops.EditComment(id="b", body="again"), as_chris())


def test_trusted_python_may_edit_anyone_and_ignores_read_only(thread: Thread) -> None:
    state = state_of(thread)
    ctx = ops.Context(actor="Teacher", trusted=True, read_only=True, now=T0)
    ops.apply(state, ops.EditComment(id="a", body="moderated"), ctx)
    assert state.comments["a"].body == "moderated"


def test_check_does_not_change_state(thread: Thread) -> None:
    state = state_of(thread)
    before = copy.deepcopy(state)
    ops.check(state, ops.AddComment(body="hi"), as_chris())
    assert state == before


def test_replaying_events_rebuilds_the_state(thread: Thread) -> None:
    live = state_of(thread)
    events = [
        ops.apply(live, ops.AddComment(id="n1", body="one"), as_chris()),
        ops.apply(live, ops.AddComment(id="n2", parent_id="n1", body="two"), as_chris()),
        ops.apply(live, ops.Like(id="n1"), as_chris()),
        ops.apply(live, ops.EditComment(id="n2", body="2"), as_chris()),
        ops.apply(live, ops.DeleteComment(id="n1"), as_chris()),
    ]
    replay = state_of(thread)
    for event in events:
        ops.commit(replay, ops.parse_event(event.model_dump(mode="json")))
    assert replay == live


def test_parse_operation_names_bad_fields() -> None:
    with pytest.raises(ValueError, match="body"):
        ops.parse_operation({"type": "edit", "id": "a"})
    with pytest.raises(ValueError, match="author"):
        ops.parse_operation({"type": "add", "body": "x", "author": "Mallory"})


def test_a_comment_cannot_be_its_own_parent(thread: Thread) -> None:
    state = state_of(thread)
    with pytest.raises(ops.OperationRejected, match="does not exist"):
        ops.apply(state, ops.AddComment(id="loop", parent_id="loop", body="me"), as_chris())
    assert "loop" not in state.comments
