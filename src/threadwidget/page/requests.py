"""Browser -> kernel message envelopes (see ``docs/protocol.md``); kernel -> browser: ``messages``.

This module knows the shapes of messages and how to cut big payloads into bounded parts; it knows
nothing about the rules of a discussion (that is :mod:`threadwidget.core.rules`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..core.study import InteractionKind

__all__ = [
    "CHUNK_BYTES",
    "MAX_CLIENT_MESSAGE_BYTES",
    "ActionRequest",
    "ClientMessage",
    "InteractionRow",
    "InteractionsRequest",
    "OpRequest",
    "ProtocolError",
    "ReplayRequest",
    "SyncRequest",
    "TimelineRequest",
    "chunk_by_size",
    "describe_validation_error",
    "parse_client_message",
]

#: Largest message a browser may send; an operation is small, so anything bigger is refused.
MAX_CLIENT_MESSAGE_BYTES = 64 * 1024
#: Target size of one catch-up or snapshot part (far below Tornado's 10 MB websocket limit).
CHUNK_BYTES = 256 * 1024

RequestId = Annotated[str, Field(min_length=1, max_length=128)]


class _Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpRequest(_Envelope):
    """A browser asks for one operation; ``op`` is validated separately so that errors in it
    can still be answered with this request's ``rid``."""

    kind: Literal["op"]
    rid: RequestId
    op: Any


class SyncRequest(_Envelope):
    """A view says which state it holds and asks for what it missed."""

    kind: Literal["sync"]
    client: RequestId
    epoch: Annotated[str, Field(max_length=128)] = ""
    seq: Annotated[int, Field(ge=0)] = 0
    rid: RequestId | None = None


class ActionRequest(_Envelope):
    """A browser clicked a custom action (``ThreadWidget.add_action``) on comment ``id`` (the
    post or the thread for None); answered with ``action_result``."""

    kind: Literal["action"]
    rid: RequestId
    name: Annotated[str, Field(min_length=1, max_length=64)]
    id: Annotated[str, Field(max_length=64)] | None = None


class TimelineRequest(_Envelope):
    """A view asks for the replay timeline: every moment at which the thread changed."""

    kind: Literal["timeline"]
    rid: RequestId


class ReplayRequest(_Envelope):
    """A view asks for the thread as it stood at moment ``index`` of the timeline."""

    kind: Literal["replay"]
    rid: RequestId
    index: Annotated[int, Field(ge=0)]


class InteractionRow(_Envelope):
    """One thing a reader did (docs/studies.md): when (``t``, ms since 1970 by the page's
    clock), what (``k``), on which comment, the new value (a sort, a search), for how long."""

    t: Annotated[int, Field(ge=0)]
    k: InteractionKind
    id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    v: Annotated[str, Field(max_length=200)] | None = None
    ms: Annotated[int, Field(ge=0, le=86_400_000)] | None = None


class InteractionsRequest(_Envelope):
    """A batch of the interaction log (only while ``log_interactions`` is on); ``dropped`` rows
    the page left out to stay within its bytes per second. Never answered."""

    kind: Literal["interactions"]
    client: RequestId
    rows: Annotated[list[InteractionRow], Field(max_length=400)]
    dropped: Annotated[int, Field(ge=0)] = 0


ClientMessage = Annotated[
    OpRequest | SyncRequest | ActionRequest | TimelineRequest | ReplayRequest | InteractionsRequest,
    Field(discriminator="kind"),
]
_client_adapter: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


class ProtocolError(ValueError):
    """A browser message that is not a well-formed request; ``rid`` is set when it could be read."""

    def __init__(self, reason: str, rid: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.rid = rid


_TAGS = {
    "add",
    "edit",
    "delete",
    "like",
    "unlike",
    "flag",
    "unflag",
    "moderate",
    "pin",
    "lock",
    "vote",
    "label",
    "set_extra",
    "op",
    "sync",
    "action",
    "timeline",
    "replay",
    "interactions",
}


def describe_validation_error(error: ValidationError, prefix: str = "") -> tuple[str, str | None]:
    """A one-line, human-readable reason and the dotted name of the first bad field."""
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"] if not str(part).startswith("function-")]
    # Drop the discriminator tag pydantic inserts (e.g. "add") from the location.
    if loc and loc[0] in _TAGS:
        loc = loc[1:]
    name = ".".join([prefix, *loc] if prefix else loc) or None
    message = first["msg"]
    if first["type"] == "union_tag_invalid":
        tag = first.get("input", {})
        found = tag.get("type", tag.get("kind")) if isinstance(tag, dict) else tag
        message = f"unknown type {found!r}"
    elif first["type"] == "union_tag_not_found":
        message = "the 'type' field is missing"
    elif first["type"] == "extra_forbidden":
        message = "unexpected field"
    return (f"{name}: {message}" if name else message), name


def parse_client_message(
    content: object,
) -> (
    OpRequest | SyncRequest | ActionRequest | TimelineRequest | ReplayRequest | InteractionsRequest
):
    """Validate a message from the browser, refusing oversized and malformed ones."""
    rid = content.get("rid") if isinstance(content, dict) else None
    rid = rid if isinstance(rid, str) and 0 < len(rid) <= 128 else None
    try:
        size = len(json.dumps(content))
    except (TypeError, ValueError):
        raise ProtocolError("The message is not JSON.", rid) from None
    if size > MAX_CLIENT_MESSAGE_BYTES:
        raise ProtocolError(
            f"The message is too large ({size:,} bytes; at most {MAX_CLIENT_MESSAGE_BYTES:,}).",
            rid,
        )
    try:
        return _client_adapter.validate_python(content)
    except ValidationError as error:
        reason, _ = describe_validation_error(error)
        raise ProtocolError(f"Malformed message: {reason}", rid) from None


def chunk_by_size(items: Iterable[Any], limit: int = CHUNK_BYTES) -> Iterator[list[Any]]:
    """Group JSON-able items into lists whose serialised size stays near ``limit``.

    An item bigger than the limit travels alone. Always yields at least one (possibly empty) list.
    """
    chunk: list[Any] = []
    size = 0
    for item in items:
        item_size = len(json.dumps(item, separators=(",", ":"))) + 1
        if chunk and size + item_size > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += item_size
    yield chunk
