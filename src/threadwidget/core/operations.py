"""Operations and the events they yield: their shapes, as pydantic models, and parsing them.

An *operation* is what someone asks for ("add this reply"); it carries no identity and no time.
An *event* is an operation decided by :func:`threadwidget.core.rules.check`: every decided field
filled
in (who, when, the new like count). These models are the one description of the wire's
operations and events (the TypeScript types are generated from them). Import them from
:mod:`threadwidget.core.rules`, which re-exports every name.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .models import (
    AwareDatetime,
    Body,
    Comment,
    CommentStatus,
    Extra,
    Id,
    Key,
    ModerationAction,
    Name,
    Reason,
    Thread,
    new_id,
)

__all__ = [
    "AddComment",
    "AddEvent",
    "DeleteComment",
    "DeleteEvent",
    "EditComment",
    "EditEvent",
    "Event",
    "FlagComment",
    "FlagEvent",
    "LabelComment",
    "LabelEvent",
    "Like",
    "LikeEvent",
    "LockEvent",
    "LockThread",
    "Moderate",
    "ModerateEvent",
    "Operation",
    "Pin",
    "PinEvent",
    "Recorded",
    "ReplaceEvent",
    "SetExtra",
    "SetExtraEvent",
    "Unflag",
    "UnflagEvent",
    "Unlike",
    "UnlikeEvent",
    "Vote",
    "VoteEvent",
    "parse_event",
    "parse_operation",
    "parse_recorded",
    "parse_recorded_json",
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
    #: free JSON data for the new comment; only Python code may set it
    extra: Extra = Field(default_factory=dict)


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


class FlagComment(_Message):
    """Report a comment to the moderators, with a reason (once per user)."""

    type: Literal["flag"] = "flag"
    id: Id
    reason: Reason = ""


class Unflag(_Message):
    """Take back the acting user's report."""

    type: Literal["unflag"] = "unflag"
    id: Id


class Moderate(_Message):
    """A moderator's decision: hide/unhide, spam/not_spam, remove/restore (with a reason)."""

    type: Literal["moderate"] = "moderate"
    id: Id
    action: ModerationAction
    reason: Reason = ""


class Pin(_Message):
    """Pin a comment first among its siblings (or unpin it), with a reason; moderators only."""

    type: Literal["pin"] = "pin"
    id: Id
    pinned: bool = True
    reason: Reason = ""


class LockThread(_Message):
    """Lock (or unlock) a comment's subtree, or the whole thread when ``id`` is None."""

    type: Literal["lock"] = "lock"
    id: Id | None = None
    locked: bool = True
    reason: Reason = ""


class Vote(_Message):
    """Set the acting user's one vote on a comment ("up", "down" or a reaction); None retracts."""

    type: Literal["vote"] = "vote"
    id: Id
    choice: Key | None


class LabelComment(_Message):
    """Set the acting user's label on a comment (from the widget's label set); None clears it."""

    type: Literal["label"] = "label"
    id: Id
    label: Key | None


class SetExtra(_Message):
    """Merge JSON data into a comment's ``extra`` (the post's when ``id`` is None); a None value
    removes the key. Only Python code may do this."""

    type: Literal["set_extra"] = "set_extra"
    id: Id | None = None
    extra: Extra


Operation = Annotated[
    AddComment
    | EditComment
    | DeleteComment
    | Like
    | Unlike
    | FlagComment
    | Unflag
    | Moderate
    | Pin
    | LockThread
    | Vote
    | LabelComment
    | SetExtra,
    Field(discriminator="type"),
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


class FlagEvent(_Event):
    """``user`` reported comment ``id``."""

    type: Literal["flag"] = "flag"
    id: Id
    user: Name
    reason: Reason = ""


class UnflagEvent(_Event):
    """``user`` took back their report of comment ``id``."""

    type: Literal["unflag"] = "unflag"
    id: Id
    user: Name


class ModerateEvent(_Event):
    """A moderator acted on comment ``id``; ``status`` is its new status."""

    type: Literal["moderate"] = "moderate"
    id: Id
    action: ModerationAction
    reason: Reason = ""
    status: CommentStatus


class PinEvent(_Event):
    """Comment ``id`` was pinned or unpinned."""

    type: Literal["pin"] = "pin"
    id: Id
    pinned: bool
    reason: Reason = ""


class LockEvent(_Event):
    """A subtree (or the thread, for ``id`` None) was locked or unlocked."""

    type: Literal["lock"] = "lock"
    id: Id | None = None
    locked: bool
    reason: Reason = ""


class VoteEvent(_Event):
    """``user``'s vote on comment ``id`` is now ``choice`` (None: no vote)."""

    type: Literal["vote"] = "vote"
    id: Id
    user: Name
    choice: Key | None


class LabelEvent(_Event):
    """``user``'s label on comment ``id`` is now ``label`` (None: no label)."""

    type: Literal["label"] = "label"
    id: Id
    user: Name
    label: Key | None


class SetExtraEvent(_Event):
    """``extra`` was merged into comment ``id``'s (the post's for None); None values removed."""

    type: Literal["set_extra"] = "set_extra"
    id: Id | None = None
    extra: Extra


Event = Annotated[
    AddEvent
    | EditEvent
    | DeleteEvent
    | LikeEvent
    | UnlikeEvent
    | FlagEvent
    | UnflagEvent
    | ModerateEvent
    | PinEvent
    | LockEvent
    | VoteEvent
    | LabelEvent
    | SetExtraEvent,
    Field(discriminator="type"),
]


class ReplaceEvent(_Event):
    """Python code replaced the whole thread (``w.thread = ...``): history goes on from it."""

    type: Literal["replace"] = "replace"
    thread: Thread


#: What a history holds: every wire event, and thread replacements (which views receive as a
#: new snapshot, never as an event).
Recorded = Annotated[Event | ReplaceEvent, Field(discriminator="type")]

_operation_adapter: TypeAdapter[Operation] = TypeAdapter(Operation)
_event_adapter: TypeAdapter[Event] = TypeAdapter(Event)
_recorded_adapter: TypeAdapter[Recorded] = TypeAdapter(Recorded)


def parse_operation(data: object) -> Operation:
    """Validate an operation given as JSON-like data; ``ValidationError`` names the bad field."""
    return _operation_adapter.validate_python(data)


def parse_event(data: object) -> Event:
    """Validate an event given as JSON-like data (from a page or a fixture)."""
    return _event_adapter.validate_python(data)


def parse_recorded(data: object) -> Recorded:
    """Validate a stored event (a wire event or a replacement) given as JSON-like data."""
    return _recorded_adapter.validate_python(data)


def parse_recorded_json(raw: str | bytes) -> Recorded:
    """Validate a stored event from its JSON text (the fast path of stores and histories)."""
    return _recorded_adapter.validate_json(raw)
