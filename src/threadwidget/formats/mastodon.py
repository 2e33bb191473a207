"""Mastodon status context JSON (``GET /api/v1/statuses/:id/context``), optionally with the status.

Accepted shapes: ``{"ancestors": [...], "descendants": [...]}``, the same object with the status
itself under ``"status"``, or ``[status, context]``. The root of the conversation (the first
ancestor, else the status) is the post; every other status is a comment linked by
``in_reply_to_id``. A reply whose parent is missing (deleted, private or blocked) becomes
top-level and is listed in ``LoadReport.reattached``. HTML ``content`` becomes Markdown; a
content warning (``spoiler_text``) is kept as a first line. ``favourites_count`` becomes ``likes``.
A status missing ``content`` loads with an empty body, one missing ``created_at`` with the time
its Mastodon id encodes (else its parent's); both are listed in ``LoadReport.filled`` (a warning).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, parse_time, to_likes
from ._jsonutil import obj
from ._markup import html_to_markdown, text_to_markdown

__all__ = ["LABEL", "looks_like", "read"]

LABEL = "Mastodon JSON"


def looks_like(data: Any) -> bool:
    """True for a context object, or ``[status, context]``."""
    if isinstance(data, list) and len(data) == 2:
        return isinstance(data[0], dict) and "account" in data[0] and looks_like(data[1])
    return isinstance(data, dict) and "descendants" in data and "ancestors" in data


def _author(status: dict[str, Any]) -> str:
    account_data = status.get("account")
    account = account_data if isinstance(account_data, dict) else {}
    name = account.get("display_name") or account.get("username")
    acct = account.get("acct")
    if name and acct and name != acct:
        return f"{name} (@{acct})"
    return str(name or (f"@{acct}" if acct else "anonymous"))


def _body(status: dict[str, Any]) -> str:
    body = html_to_markdown(status.get("content") or "")
    spoiler = status.get("spoiler_text")
    if spoiler:
        body = f"**CW: {text_to_markdown(spoiler)}**\n\n{body}".strip()
    media = status.get("media_attachments")
    if isinstance(media, list):
        for item in media:
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                label = text_to_markdown(item.get("description") or "attachment")
                body += f"\n\n[{label}]({item['url']})"
    return body.strip()


def _edited(status: dict[str, Any]) -> datetime | None:
    try:
        return parse_time(status.get("edited_at")) if status.get("edited_at") else None
    except Bad:
        return None


def _id_time(status_id: object) -> datetime | None:
    """The creation time a Mastodon (snowflake) id encodes: milliseconds since 1970 << 16."""
    text = str(status_id or "")
    if not text.isdigit() or len(text) < 15:
        return None
    try:
        return datetime.fromtimestamp((int(text) >> 16) / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _created(item: dict[str, Any], place: str, rd: Reader) -> tuple[datetime | None, str | None]:
    """``created_at``; when missing, the time the id encodes (estimated), else None (the Reader
    then uses the parent's time); noted in the report."""
    alternatives = (("the time its id encodes", _id_time(item.get("id"))),)
    return rd.when(item.get("created_at"), f"{place}.created_at", str(item.get("id")), alternatives)


def read(data: Any, rd: Reader) -> Thread:
    """A Mastodon conversation as a Thread."""
    base = "$"
    status: Any = None
    if isinstance(data, list) and len(data) == 2:
        status, data, base = data[0], data[1], "$[1]"
    try:
        context = obj(data, base, "a context object with ancestors and descendants")
        status = status if status is not None else context.get("status")
        ancestors = context.get("ancestors") or []
        descendants = context.get("descendants") or []
        if not isinstance(ancestors, list) or not isinstance(descendants, list):
            raise Bad("ancestors and descendants must be lists", base)
    except Bad as error:
        rd.fail(error.place or base, error.message)
    status_place = "$[0]" if base == "$[1]" else "$.status"
    entries: list[tuple[str, Any]] = [
        (f"{base}.ancestors[{i}]", s) for i, s in enumerate(ancestors)
    ]
    if isinstance(status, dict):
        entries.append((status_place, status))
    entries += [(f"{base}.descendants[{i}]", s) for i, s in enumerate(descendants)]
    if not entries:
        rd.fail(base, "no statuses: ancestors and descendants are empty and there is no status")
    rd.allow_orphans()
    if ancestors or isinstance(status, dict):
        root_place, root = entries[0]
        try:
            root = obj(root, root_place)
        except Bad as error:
            rd.fail(error.place or root_place, error.message)
        created, estimated = _created(root, root_place, rd)
        post = rd.make_post(
            root_place,
            id=f"mastodon-{root.get('id', 'post')}",
            title=f"{_author(root)} on Mastodon",
            author=_author(root),
            body=_body(root),
            created_at=created,
            estimated=estimated,
            url=root.get("url") if isinstance(root.get("url"), str) else None,
        )
        root_id: str | None = str(root.get("id"))
        entries = entries[1:]
    else:
        # Only descendants: the status they answer was not saved. Make a placeholder post.
        first = descendants[0] if isinstance(descendants[0], dict) else {}
        root_id = str(first.get("in_reply_to_id")) if first.get("in_reply_to_id") else None
        post = rd.make_post(  # its time: the earliest reply's (Reader.finish)
            base,
            id=f"mastodon-{root_id or 'post'}",
            title="Mastodon thread",
            body="*(the status these replies answer was not in the file)*",
            created_at=None,
        )
        rd.report.notes.append("the status itself was not in the file; the post is a placeholder")
    for place, item in entries:
        source_id = str(item.get("id")) if isinstance(item, dict) and item.get("id") else place
        parent_raw = item.get("in_reply_to_id") if isinstance(item, dict) else None
        parent = str(parent_raw) if parent_raw is not None else None
        parent = None if parent == root_id else parent
        with rd.comment(place, source_id, parent):
            rd.add(_comment(item, source_id, parent, place, rd))
    return rd.finish(post)


def _comment(
    item: Any,
    source_id: str,
    parent: str | None,
    place: str,
    rd: Reader,
) -> RawComment:
    """One status as a RawComment (missing ``content`` or ``created_at`` noted, not fatal)."""
    item = obj(item, place)
    if not item.get("id"):
        raise Bad("missing", f"{place}.id")
    created, estimated = _created(item, place, rd)
    if item.get("content") is None and not item.get("media_attachments"):
        rd.filled(f"{place}.content", source_id, "missing; read as an empty body")
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=_author(item),
        body=_body(item),
        created_at=created,
        edited_at=_edited(item),
        likes=to_likes(item.get("favourites_count")),
        place=place,
        estimated=estimated,
    )
