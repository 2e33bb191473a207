"""Operations, the events they yield, and :func:`apply`: the only way a thread changes.

An *operation* is what someone asks for ("add this reply"); it carries no identity and no time.
:func:`check` decides, against the current state and the :class:`Context` (who asks, when, with
which rights), whether it is allowed, and returns the *event*: the operation with every decided
field filled in. :func:`commit` applies an event to a :class:`ThreadState`. The browser mirrors
``commit`` exactly (``js/src/state.ts``); a journal or a replay re-runs ``commit`` over
stored events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .models import AwareDatetime, Body, Comment, Id, Name, Post, Thread, new_id, utcnow

__all__ = [
    "AddComment",
    "AddEvent",
    "Context",
    "DeleteComment",
    "DeleteEvent",
    "EditComment",
    "EditEvent",
    "Event",
    "Like",
    "LikeEvent",
    "Operation",
    "OperationRejected",
    "ThreadState",
    "Unlike",
    "UnlikeEvent",
    "apply",
    "check",
    "commit",
    "parse_event",
    "parse_operation",
]


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- operations: what a user asks for -------------------------------------------------------


class AddComment(_Message):
    """Add a comment; ``parent_id`` None replies to the post. The id may be chosen by the client."""

    type: Literal["add"] = "add"
    id: Id = Field(default_factory=new_id)
    parent_id: Id | None = None
    body: Body


class EditComment(_Message):
    """Replace a comment's body."""

    type: Literal["edit"] = "edit"
    id: Id
    body: Body


class DeleteComment(_Message):
    """Delete a comment; it stays as a ``[deleted]`` placeholder while it has replies."""

    type: Literal["delete"] = "delete"
    id: Id


class Like(_Message):
    """Like a comment as the acting user (once per user)."""

    type: Literal["like"] = "like"
    id: Id


class Unlike(_Message):
    """Take back the acting user's like."""

    type: Literal["unlike"] = "unlike"
    id: Id


Operation = Annotated[
    AddComment | EditComment | DeleteComment | Like | Unlike, Field(discriminator="type")
]

# --- events: what happened, with every decided field filled in --------------------------------


class _Event(_Message):
    actor: Name
    at: AwareDatetime


class AddEvent(_Event):
    """A comment was added."""

    type: Literal["add"] = "add"
    comment: Comment


class EditEvent(_Event):
    """A comment's body was replaced."""

    type: Literal["edit"] = "edit"
    id: Id
    body: Body
    edited_at: AwareDatetime


class DeleteEvent(_Event):
    """A comment was deleted (its body is dropped; it stays as a tombstone)."""

    type: Literal["delete"] = "delete"
    id: Id


class LikeEvent(_Event):
    """``user`` liked comment ``id``; ``likes`` is the new count."""

    type: Literal["like"] = "like"
    id: Id
    user: Name
    likes: int


class UnlikeEvent(_Event):
    """``user`` took back their like of comment ``id``; ``likes`` is the new count."""

    type: Literal["unlike"] = "unlike"
    id: Id
    user: Name
    likes: int


Event = Annotated[
    AddEvent | EditEvent | DeleteEvent | LikeEvent | UnlikeEvent, Field(discriminator="type")
]

_operation_adapter: TypeAdapter[Operation] = TypeAdapter(Operation)
_event_adapter: TypeAdapter[Event] = TypeAdapter(Event)


def parse_operation(data: object) -> Operation:
    """Validate an operation given as JSON-like data; ``ValidationError`` names the bad field."""
    return _operation_adapter.validate_python(data)


def parse_event(data: object) -> Event:
    """Validate an event given as JSON-like data (from a journal or a store)."""
    return _event_adapter.validate_python(data)


# --- state and rules ---------------------------------------------------------------------------


class OperationRejected(ValueError):
    """An operation was refused; ``reason`` is written for the person who asked, ``field`` names
    the part of the operation at fault (or None)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Context:
    """Who asks and with which rights: ``trusted`` is Python code in the kernel (may edit anyone's
    comments and ignores ``read_only``); browsers are never trusted."""

    actor: str
    trusted: bool = False
    read_only: bool = False
    now: datetime = field(default_factory=utcnow)


@dataclass
class ThreadState:
    """The current thread, indexed by comment id so that each operation costs O(1).

    Change it only through :func:`apply` / :func:`commit`; ``seq`` counts the events committed.
    """

    post: Post
    comments: dict[str, Comment]
    seq: int = 0

    @classmethod
    def from_thread(cls, thread: Thread) -> ThreadState:
        """Index a validated thread."""
        return cls(post=thread.post, comments={c.id: c for c in thread.comments})

    def to_thread(self) -> Thread:
        """A validated, immutable snapshot."""
        return Thread(post=self.post, comments=tuple(self.comments.values()))

    def __iter__(self) -> Iterator[Comment]:
        return iter(self.comments.values())


def _target(state: ThreadState, comment_id: str) -> Comment:
    comment = state.comments.get(comment_id)
    if comment is None:
        raise OperationRejected(f"There is no comment with id {comment_id!r}.", "id")
    return comment


def _own_and_alive(comment: Comment, ctx: Context, verb: str) -> None:
    if comment.status == "deleted":
        raise OperationRejected(f"This comment was deleted; it cannot be {verb}.", "id")
    if not ctx.trusted and comment.author != ctx.actor:
        raise OperationRejected(
            f"Only the author can change this comment ({comment.author}); you are {ctx.actor}.",
            "id",
        )


def check(state: ThreadState, op: Operation, ctx: Context) -> Event:
    """Decide an operation against the state without changing it: the event, or
    :class:`OperationRejected` with a reason for the user."""
    if ctx.read_only and not ctx.trusted:
        raise OperationRejected("This discussion is read-only.")
    stamp = {"actor": ctx.actor, "at": ctx.now}
    if isinstance(op, AddComment):
        if op.id in state.comments:
            raise OperationRejected(f"A comment with id {op.id!r} already exists.", "id")
        if op.parent_id is not None:
            parent = state.comments.get(op.parent_id)
            if parent is None:
                raise OperationRejected(
                    f"The comment you reply to ({op.parent_id!r}) does not exist.", "parent_id"
                )
            if parent.status == "deleted":
                raise OperationRejected(
                    "The comment you reply to was deleted; your reply was not posted.", "parent_id"
                )
        if not op.body.strip():
            raise OperationRejected("A comment cannot be empty.", "body")
        comment = Comment(
            id=op.id, parent_id=op.parent_id, author=ctx.actor, body=op.body, created_at=ctx.now
        )
        return AddEvent(comment=comment, **stamp)
    if isinstance(op, EditComment):
        comment = _target(state, op.id)
        _own_and_alive(comment, ctx, "edited")
        if not op.body.strip():
            raise OperationRejected("A comment cannot be empty; delete it instead.", "body")
        return EditEvent(id=op.id, body=op.body, edited_at=ctx.now, **stamp)
    if isinstance(op, DeleteComment):
        comment = _target(state, op.id)
        _own_and_alive(comment, ctx, "deleted again")
        return DeleteEvent(id=op.id, **stamp)
    if isinstance(op, Like):
        comment = _target(state, op.id)
        if comment.status == "deleted":
            raise OperationRejected("A deleted comment cannot be liked.", "id")
        if ctx.actor in comment.liked_by:
            raise OperationRejected("You already like this comment.", "id")
        return LikeEvent(id=op.id, user=ctx.actor, likes=comment.likes + 1, **stamp)
    if isinstance(op, Unlike):
        comment = _target(state, op.id)
        if ctx.actor not in comment.liked_by:
            raise OperationRejected("You have not liked this comment.", "id")
        return UnlikeEvent(id=op.id, user=ctx.actor, likes=comment.likes - 1, **stamp)
    raise OperationRejected(f"Unknown operation {type(op).__name__}.", "type")  # pragma: no cover


def commit(state: ThreadState, event: Event) -> None:
    """Apply a decided event to the state in O(1); the browser's mirror does exactly this."""
    comments = state.comments
    if isinstance(event, AddEvent):
        comments[event.comment.id] = event.comment
    elif isinstance(event, EditEvent):
        old = comments[event.id]
        comments[event.id] = old.model_copy(
            update={"body": event.body, "edited_at": event.edited_at}
        )
    elif isinstance(event, DeleteEvent):
        old = comments[event.id]
        comments[event.id] = old.model_copy(update={"status": "deleted", "body": ""})
    elif isinstance(event, LikeEvent):
        old = comments[event.id]
        comments[event.id] = old.model_copy(
            update={"likes": event.likes, "liked_by": (*old.liked_by, event.user)}
        )
    elif isinstance(event, UnlikeEvent):
        old = comments[event.id]
        liked_by = tuple(u for u in old.liked_by if u != event.user)
        comments[event.id] = old.model_copy(update={"likes": event.likes, "liked_by": liked_by})
    state.seq += 1


def apply(state: ThreadState, op: Operation, ctx: Context) -> Event:
    """Check and commit one operation: the event on success; on :class:`OperationRejected` the
    state is untouched."""
    event = check(state, op, ctx)
    commit(state, event)
    return event
