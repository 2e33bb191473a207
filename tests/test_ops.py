"""apply(): each operation, its event, and every refusal leaving the state untouched."""

from __future__ import annotations

import copy

import pytest

from threadwidget.core import operations, rules
from threadwidget.core.models import Thread

from .conftest import T0


def state_of(thread: Thread) -> rules.ThreadState:
    return rules.ThreadState.from_thread(thread)


def as_chris(**kw: object) -> rules.Context:
    return rules.Context(actor="Chris", now=T0, **kw)  # type: ignore[arg-type]


def test_add_fills_author_and_time(thread: Thread) -> None:
    state = state_of(thread)
    event = rules.apply(state, operations.AddComment(id="n", parent_id="a", body="hi"), as_chris())
    assert isinstance(event, operations.AddEvent)
    assert event.comment.author == "Chris" and event.comment.created_at == T0
    assert state.comments["n"].parent_id == "a"
    assert state.seq == 1
    state.to_thread()  # still a valid thread


def test_edit_own_comment_marks_edited(thread: Thread) -> None:
    state = state_of(thread)
    rules.apply(state, operations.EditComment(id="b", body="better"), as_chris())
    assert state.comments["b"].body == "better"
    assert state.comments["b"].edited_at == T0


def test_delete_keeps_a_tombstone(thread: Thread) -> None:
    state = state_of(thread)
    rules.apply(state, operations.DeleteComment(id="b"), as_chris())
    assert state.comments["b"].status == "deleted"
    assert state.comments["b"].body == ""


def test_like_and_unlike(thread: Thread) -> None:
    state = state_of(thread)
    like = rules.apply(state, operations.Like(id="c"), as_chris())
    assert isinstance(like, operations.LikeEvent) and like.likes == 3
    assert state.comments["c"].liked_by == ("Ann", "Chris")
    rules.apply(state, operations.Unlike(id="c"), as_chris())
    assert state.comments["c"].likes == 2 and state.comments["c"].liked_by == ("Ann",)


REFUSALS = [
    (operations.AddComment(id="a", body="dup"), {}, "already exists", "id"),
    (operations.AddComment(body="x", parent_id="ghost"), {}, "does not exist", "parent_id"),
    (operations.AddComment(body="   "), {}, "empty", "body"),
    (operations.EditComment(id="a", body="mine now"), {}, "Only the author", "id"),
    (operations.DeleteComment(id="c"), {}, "Only the author", "id"),
    (operations.EditComment(id="ghost", body="x"), {}, "no comment", "id"),
    (operations.EditComment(id="b", body=""), {}, "empty", "body"),
    (operations.Like(id="c"), {"actor": "Ann"}, "already like", "id"),
    (operations.Unlike(id="a"), {}, "not liked", "id"),
    (operations.AddComment(body="hello"), {"read_only": True}, "read-only", None),
]


@pytest.mark.parametrize(("op", "ctx", "reason", "field"), REFUSALS)
def test_refusals_leave_state_untouched(
    thread: Thread, op: operations.Operation, ctx: dict[str, object], reason: str, field: str | None
) -> None:
    state = state_of(thread)
    before = copy.deepcopy(state)
    context = rules.Context(**{"actor": "Chris", "now": T0, **ctx})  # type: ignore[arg-type]
    with pytest.raises(rules.OperationRejected) as info:
        rules.apply(state, op, context)
    assert reason in info.value.reason
    assert info.value.field == field
    assert state == before


def test_reply_to_deleted_comment_is_refused(thread: Thread) -> None:
    state = state_of(thread)
    rules.apply(state, operations.DeleteComment(id="b"), as_chris())
    with pytest.raises(rules.OperationRejected, match="deleted"):
        rules.apply(state, operations.AddComment(body="late", parent_id="b"), as_chris())
    with pytest.raises(rules.OperationRejected, match="deleted"):
        rules.apply(state, operations.EditComment(id="b", body="again"), as_chris())


def test_trusted_python_may_edit_anyone_and_ignores_read_only(thread: Thread) -> None:
    state = state_of(thread)
    ctx = rules.Context(actor="Teacher", trusted=True, read_only=True, now=T0)
    rules.apply(state, operations.EditComment(id="a", body="moderated"), ctx)
    assert state.comments["a"].body == "moderated"


def test_check_does_not_change_state(thread: Thread) -> None:
    state = state_of(thread)
    before = copy.deepcopy(state)
    rules.check(state, operations.AddComment(body="hi"), as_chris())
    assert state == before


def test_replaying_events_rebuilds_the_state(thread: Thread) -> None:
    live = state_of(thread)
    events = [
        rules.apply(live, operations.AddComment(id="n1", body="one"), as_chris()),
        rules.apply(live, operations.AddComment(id="n2", parent_id="n1", body="two"), as_chris()),
        rules.apply(live, operations.Like(id="n1"), as_chris()),
        rules.apply(live, operations.EditComment(id="n2", body="2"), as_chris()),
        rules.apply(live, operations.DeleteComment(id="n1"), as_chris()),
    ]
    replay = state_of(thread)
    for event in events:
        rules.commit(replay, operations.parse_event(event.model_dump(mode="json")))
    assert replay == live


def test_parse_operation_names_bad_fields() -> None:
    with pytest.raises(ValueError, match="body"):
        operations.parse_operation({"type": "edit", "id": "a"})
    with pytest.raises(ValueError, match="author"):
        operations.parse_operation({"type": "add", "body": "x", "author": "Mallory"})


def test_a_comment_cannot_be_its_own_parent(thread: Thread) -> None:
    state = state_of(thread)
    with pytest.raises(rules.OperationRejected, match="does not exist"):
        rules.apply(
            state, operations.AddComment(id="loop", parent_id="loop", body="me"), as_chris()
        )
    assert "loop" not in state.comments
