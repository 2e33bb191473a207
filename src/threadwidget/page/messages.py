"""Kernel -> browser messages as pydantic models, with the builders the kernel sends them through.

With the envelopes of :mod:`threadwidget.page.requests` and the operations and events of
:mod:`threadwidget.core.rules`, these models are the one description of the wire: the JSON Schema
(:mod:`threadwidget.page.schema`) and the TypeScript types (``js/src/generated/``) are made from
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    model_serializer,
)

from ..core import operations, rules
from ..core.models import MAX_BODY_CHARS, Comment, Id, Key, Post
from ..core.ranking import Sort
from .rendering import markdown_html

__all__ = [
    "OMITTED_WHEN_EMPTY",
    "ActionResultMessage",
    "ActionSpec",
    "CatchupEntry",
    "CatchupMessage",
    "ConfigValue",
    "EventMessage",
    "EventsMessage",
    "FieldSpec",
    "FirstScreen",
    "FocusMessage",
    "RejectMessage",
    "ReplayStateMessage",
    "SavedSlot",
    "ServerMessage",
    "SnapshotMessage",
    "SnapshotValue",
    "TimelineMessage",
    "VoteChoice",
    "Voting",
    "WireAddEvent",
    "WireComment",
    "WireEditEvent",
    "WireEvent",
    "WirePost",
    "action_result_message",
    "catchup_entry",
    "catchup_message",
    "config_value",
    "event_message",
    "events_message",
    "focus_message",
    "reject_message",
    "replay_state_message",
    "saved_slot",
    "snapshot_message",
    "snapshot_value",
    "timeline_message",
    "wire_comment",
    "wire_event",
    "wire_post",
]

#: Comment fields the wire leaves out while they hold their empty default (the frontend's
#: ``normComment`` puts them back): most comments are never flagged, voted on or labelled.
OMITTED_WHEN_EMPTY = ("flags", "moderation", "pinned", "locked", "votes", "labels", "extra")

Count = Annotated[int, Field(ge=0)]
RequestId = Annotated[str, Field(min_length=1, max_length=128)]
#: An ISO 8601 time with a timezone, as ``datetime.isoformat()`` writes it.
IsoTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Html = Annotated[str, Field(description="the body rendered from Markdown by the kernel")]


def _without(data: Any, keys: tuple[str, ...], empty: bool) -> Any:
    """``data`` without the ``keys`` that hold None (with ``empty``: any empty value)."""
    if isinstance(data, dict):
        for key in keys:
            if key in data and (not data[key] if empty else data[key] is None):
                del data[key]
    return data


class _Wire(BaseModel):
    """A kernel -> browser shape; ``OPTIONAL`` fields are left out of its JSON while None."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    OPTIONAL: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _without(handler(self), self.OPTIONAL, empty=False)

    def wire(self) -> dict[str, Any]:
        """The JSON the kernel sends for this message."""
        data: dict[str, Any] = self.model_dump(mode="json")
        return data


class WirePost(Post):
    """The post on the wire: the model plus its body's ``html``; ``gaps`` left out while empty."""

    OPTIONAL: ClassVar[tuple[str, ...]] = ("gaps",)
    html: Html

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _without(handler(self), self.OPTIONAL, empty=True)


class WireComment(Comment):
    """A comment on the wire: its body's ``html`` added, empty optional fields left out."""

    OPTIONAL: ClassVar[tuple[str, ...]] = OMITTED_WHEN_EMPTY
    html: Html

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _without(handler(self), self.OPTIONAL, empty=True)


class WireAddEvent(operations.AddEvent):
    """An ``add`` event on the wire: the new comment in its wire shape."""

    comment: WireComment


class WireEditEvent(operations.EditEvent):
    """An ``edit`` event on the wire: the new body travels with its ``html``."""

    html: Html


WireEvent = Annotated[
    WireAddEvent
    | WireEditEvent
    | operations.DeleteEvent
    | operations.LikeEvent
    | operations.UnlikeEvent
    | operations.FlagEvent
    | operations.UnflagEvent
    | operations.ModerateEvent
    | operations.PinEvent
    | operations.LockEvent
    | operations.VoteEvent
    | operations.LabelEvent
    | operations.SetExtraEvent,
    Field(discriminator="type"),
]


class FirstScreen(_Wire):
    """What an incomplete ``_snapshot`` carrying only the first screen says about the rest."""

    sort: Sort
    #: visible comments in the whole thread
    total: Count
    top_level: Count
    #: comment id -> [shown direct replies, visible comments below] in the whole thread
    replies: dict[Id, Annotated[list[Count], Field(min_length=2, max_length=2)]]


class SnapshotValue(_Wire):
    """The ``_snapshot`` trait: the whole thread at ``seq``, or (``complete`` false) none of it
    or only the first screen (``first_screen``)."""

    OPTIONAL: ClassVar[tuple[str, ...]] = ("saved_at", "first_screen")
    epoch: str
    seq: Count
    complete: bool
    post: WirePost
    comments: list[WireComment]
    #: set by ``ThreadWidget.embed_state()``: the page is a saved, read-only snapshot
    saved_at: IsoTime | None = None
    first_screen: FirstScreen | None = None


class SavedSlot(_Wire):
    """A saved-state slot ``_t<n>`` (``_tn`` counts them): the post or one comment as it is now,
    folded over ``_snapshot`` by a page opened without a kernel."""

    OPTIONAL: ClassVar[tuple[str, ...]] = ("post", "comment")
    post: WirePost | None = None
    comment: WireComment | None = None


class VoteChoice(_Wire):
    """One choice of the voting model ("up"/"down", or a reaction) and how its button looks."""

    key: Key
    icon: str
    label: str


class Voting(_Wire):
    """The voting model: ``likes`` (like/unlike), ``updown`` (score = ups - downs), reactions."""

    kind: Literal["likes", "updown", "reactions"]
    choices: list[VoteChoice]


class FieldSpec(_Wire):
    """``w.fields``: an ``extra`` key the cards show, and how."""

    key: Key
    kind: Literal["text", "badge", "bar", "number"]
    label: str


class ActionSpec(_Wire):
    """``w.add_action(...)``: a button on comments (``ids`` None: every comment), post or thread."""

    name: Key
    label: str
    icon: str | None
    target: Literal["comment", "post", "thread"]
    ids: list[Id] | None


class ConfigValue(_Wire):
    """The ``_config`` trait: the rules the views draw, computed by the kernel."""

    max_body: Count = MAX_BODY_CHARS
    role: rules.Role
    voting: Voting
    label_set: list[Key]
    fields: list[FieldSpec]
    actions: list[ActionSpec]
    badges: dict[str, str]
    #: how the views lay out the thread (``w.layout``)
    layout: Literal["tree", "two-level", "flat"] = "tree"
    #: the preset's CSS (``w.preset``), before ``w.css``
    style: str = ""


class EventMessage(_Wire):
    """One applied event, broadcast to every view; ``rid`` acks the sender's request."""

    kind: Literal["event"] = "event"
    epoch: str
    seq: Count
    rid: RequestId | None
    event: WireEvent


class CatchupEntry(_Wire):
    """One missed event in a ``catchup``."""

    seq: Count
    rid: RequestId | None
    event: WireEvent


class EventsMessage(_Wire):
    """Applied events in ``seq`` order, broadcast together (a burst from Python, batched)."""

    kind: Literal["events"] = "events"
    epoch: str
    events: list[CatchupEntry]


class RejectMessage(_Wire):
    """A refused request; only the view that owns ``rid`` (None: unreadable) acts on it."""

    kind: Literal["reject"] = "reject"
    rid: RequestId | None
    reason: str
    field: str | None


class CatchupMessage(_Wire):
    """Events a view missed (``to`` names it), in bounded parts; ``done`` on the last one."""

    kind: Literal["catchup"] = "catchup"
    to: RequestId
    rid: RequestId | None
    epoch: str
    events: list[CatchupEntry]
    done: bool


class SnapshotMessage(_Wire):
    """One part of the whole thread for a view; ``post`` and ``confirmed`` in part 0 only."""

    OPTIONAL: ClassVar[tuple[str, ...]] = ("post", "confirmed")
    kind: Literal["snapshot"] = "snapshot"
    to: RequestId
    rid: RequestId | None
    epoch: str
    seq: Count
    part: Count
    parts: Annotated[int, Field(ge=1)]
    post: WirePost | None = None
    #: the client's recent accepted request ids, newest last
    confirmed: list[RequestId] | None = None
    comments: list[WireComment]


class FocusMessage(_Wire):
    """``w.focus(id)``: every view scrolls to the comment and highlights it."""

    kind: Literal["focus"] = "focus"
    id: Id


class ActionResultMessage(_Wire):
    """The answer to an ``action`` request: ok (with an optional message) or refused."""

    kind: Literal["action_result"] = "action_result"
    rid: RequestId
    ok: bool
    reason: str | None
    message: str | None


class TimelineMessage(_Wire):
    """The answer to a ``timeline`` request: every moment the thread changed, oldest first."""

    kind: Literal["timeline"] = "timeline"
    rid: RequestId
    moments: list[IsoTime]


class ReplayStateMessage(_Wire):
    """One part of the thread as it stood at moment ``index``; ``post`` in part 0 only."""

    OPTIONAL: ClassVar[tuple[str, ...]] = ("post",)
    kind: Literal["replay_state"] = "replay_state"
    rid: RequestId
    index: Count
    at: IsoTime
    count: Count
    part: Count
    parts: Annotated[int, Field(ge=1)]
    post: WirePost | None = None
    comments: list[WireComment]


ServerMessage = Annotated[
    EventMessage
    | EventsMessage
    | RejectMessage
    | CatchupMessage
    | SnapshotMessage
    | FocusMessage
    | ActionResultMessage
    | TimelineMessage
    | ReplayStateMessage,
    Field(discriminator="kind"),
]
_server_adapter: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)
_event_adapter: TypeAdapter[WireEvent] = TypeAdapter(WireEvent)


def parse_server_message(data: object) -> BaseModel:
    """Validate a kernel -> browser message (tests and fixtures use this)."""
    model: BaseModel = _server_adapter.validate_python(data)
    return model


# --- builders: what the kernel sends, as checked JSON -----------------------------------------


def wire_comment(comment: Comment | Mapping[str, Any]) -> dict[str, Any]:
    """A comment as JSON for the browser: its body's ``html`` added, empty optional fields left
    out."""
    data = comment.model_dump(mode="json") if isinstance(comment, Comment) else dict(comment)
    for key in OMITTED_WHEN_EMPTY:
        if key in data and not data[key]:
            del data[key]
    data["html"] = markdown_html(data["body"])
    return data


def wire_post(post: Post) -> dict[str, Any]:
    """The post as JSON for the browser, with its body's ``html``."""
    data: dict[str, Any] = _without(post.model_dump(mode="json"), WirePost.OPTIONAL, empty=True)
    data["html"] = markdown_html(post.body)
    return data


def wire_event(event: operations.Event | Mapping[str, Any]) -> dict[str, Any]:
    """An event as JSON for the browser: a new or edited body travels with its ``html``."""
    data = event.model_dump(mode="json") if isinstance(event, BaseModel) else dict(event)
    kind = data.get("type")
    if kind == "add":
        return {**data, "comment": wire_comment(data["comment"])}
    if kind == "edit":
        return {**data, "html": markdown_html(data["body"])}
    return data


def _checked(model: type[_Wire], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` after validating it against ``model`` (a programming error raises)."""
    model.model_validate(data)
    return data


def event_message(
    epoch: str, seq: int, rid: str | None, event: operations.Event | Mapping[str, Any]
) -> dict[str, Any]:
    """The broadcast announcing one applied event (``event`` as a model or as its JSON)."""
    data = {"kind": "event", "epoch": epoch, "seq": seq, "rid": rid, "event": wire_event(event)}
    return _checked(EventMessage, data)


def events_message(epoch: str, entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Several applied events at once: ``catchup_entry`` dicts in ``seq`` order."""
    data = {"kind": "events", "epoch": epoch, "events": list(entries)}
    return _checked(EventsMessage, data)


def reject_message(rid: str | None, reason: str, field: str | None = None) -> dict[str, Any]:
    """The answer to a refused request (op, sync, action or replay)."""
    data = {"kind": "reject", "rid": rid, "reason": reason, "field": field}
    return _checked(RejectMessage, data)


def catchup_entry(
    seq: int, rid: str | None, event: operations.Event | Mapping[str, Any]
) -> dict[str, Any]:
    """One missed event for a ``catchup`` (``event`` as a model, or as its JSON or wire JSON)."""
    return {"seq": seq, "rid": rid, "event": wire_event(event)}


def catchup_message(
    to: str, rid: str | None, epoch: str, entries: Iterable[Mapping[str, Any]], *, done: bool
) -> dict[str, Any]:
    """One part of the answer to a ``sync``: ``catchup_entry`` dicts the view missed."""
    data = {"kind": "catchup", "to": to, "rid": rid, "epoch": epoch, "events": list(entries)}
    return _checked(CatchupMessage, {**data, "done": done})


def snapshot_message(
    to: str,
    rid: str | None,
    epoch: str,
    seq: int,
    part: int,
    parts: int,
    comments: Iterable[Comment | Mapping[str, Any]],
    *,
    post: Post | None = None,
    confirmed: list[str] | None = None,
) -> dict[str, Any]:
    """One part of the whole thread for client ``to``; give ``post`` and ``confirmed`` in part 0."""
    data: dict[str, Any] = {
        "kind": "snapshot",
        "to": to,
        "rid": rid,
        "epoch": epoch,
        "seq": seq,
        "part": part,
        "parts": parts,
        "comments": [c if isinstance(c, dict) else wire_comment(c) for c in comments],
    }
    if post is not None:
        data["post"] = wire_post(post)
    if confirmed is not None:
        data["confirmed"] = list(confirmed)
    return _checked(SnapshotMessage, data)


def snapshot_value(
    post: Post,
    comments: Iterable[Comment],
    *,
    epoch: str,
    seq: int,
    complete: bool = True,
    saved_at: datetime | None = None,
    first_screen: Mapping[str, Any] | None = None,
    shown: Iterable[Comment] | None = None,
) -> dict[str, Any]:
    """The ``_snapshot`` trait's value: the whole thread at ``seq`` (comments only if complete;
    an incomplete one may carry the ``shown`` first screen and its ``first_screen`` counts)."""
    data: dict[str, Any] = {
        "epoch": epoch,
        "seq": seq,
        "complete": complete,
        "post": wire_post(post),
        "comments": [wire_comment(c) for c in comments] if complete else [],
    }
    if saved_at is not None:
        data["saved_at"] = saved_at.isoformat()
    if first_screen is not None:
        data["comments"] = [wire_comment(c) for c in shown or ()]
        data["first_screen"] = dict(first_screen)
    return _checked(SnapshotValue, data)


def saved_slot(*, post: Post | None = None, comment: Comment | None = None) -> dict[str, Any]:
    """A saved-state slot ``_t<n>``: the post or one comment in its wire form."""
    data = {"post": wire_post(post)} if post is not None else {}
    if comment is not None:
        data["comment"] = wire_comment(comment)
    return _checked(SavedSlot, data)


def focus_message(comment_id: str) -> dict[str, Any]:
    """``w.focus(id)``'s broadcast."""
    return _checked(FocusMessage, {"kind": "focus", "id": comment_id})


def action_result_message(
    rid: str, ok: bool, reason: str | None = None, message: str | None = None
) -> dict[str, Any]:
    """The answer to a custom ``action`` request."""
    data = {"kind": "action_result", "rid": rid, "ok": ok, "reason": reason, "message": message}
    return _checked(ActionResultMessage, data)


def timeline_message(rid: str, moments: Iterable[datetime]) -> dict[str, Any]:
    """The answer to a ``timeline`` request (moments oldest first)."""
    stops = [when.isoformat() for when in moments]
    return _checked(TimelineMessage, {"kind": "timeline", "rid": rid, "moments": stops})


def replay_state_message(
    rid: str,
    index: int,
    at: datetime,
    count: int,
    part: int,
    parts: int,
    comments: Iterable[Comment | Mapping[str, Any]],
    *,
    post: Post | None = None,
) -> dict[str, Any]:
    """One part of the answer to a ``replay`` request; give ``post`` in part 0."""
    data: dict[str, Any] = {
        "kind": "replay_state",
        "rid": rid,
        "index": index,
        "at": at.isoformat(),
        "count": count,
        "part": part,
        "parts": parts,
        "comments": [c if isinstance(c, dict) else wire_comment(c) for c in comments],
    }
    if post is not None:
        data["post"] = wire_post(post)
    return _checked(ReplayStateMessage, data)


def config_value(
    *,
    role: str,
    voting: Mapping[str, Any],
    label_set: Iterable[str],
    fields: Iterable[Mapping[str, Any]],
    actions: Iterable[Mapping[str, Any]],
    badges: Mapping[str, str],
    max_body: int = MAX_BODY_CHARS,
    layout: str = "tree",
    style: str = "",
) -> dict[str, Any]:
    """The ``_config`` trait's value (``voting``, fields and actions as their ``wire()`` dicts)."""
    data = {
        "max_body": max_body,
        "role": role,
        "voting": dict(voting),
        "label_set": list(label_set),
        "fields": [dict(f) for f in fields],
        "actions": [dict(a) for a in actions],
        "badges": dict(badges),
        "layout": layout,
        "style": style,
    }
    return _checked(ConfigValue, data)
