"""Hacker News JSON: the Algolia items API (one story with nested ``children``) or Firebase items.

Firebase files may be one item, a list of items, or an object of items keyed by id; the story
(or the item without a parent in the file) is the post, and ``kids`` not present in the file are
recorded as gaps (``thread.completeness``). ``deleted`` items become status "deleted" (an Algolia
node with no author and no text; Algolia may give only its ``id`` and ``children``); ``dead``
(flagged or killed) items become status "hidden" (by "Hacker News", seen by moderators only) and are
listed in ``LoadReport.flagged``. Text is HN's
HTML, turned into Markdown. Comment ``points`` (Algolia) become ``likes`` when present.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, to_likes
from ._jsonutil import obj
from ._markup import html_to_markdown

__all__ = ["LABEL", "looks_like", "read"]

LABEL = "Hacker News JSON"
_ITEM_KEYS = {"by", "kids", "time", "type", "parent", "descendants"}


def _is_algolia(data: Any) -> bool:
    keys = {"created_at", "created_at_i", "story_id"}
    return isinstance(data, dict) and "children" in data and bool(keys & set(data))


def _is_firebase_item(data: Any) -> bool:
    return (
        isinstance(data, dict) and "id" in data and "type" in data and bool(_ITEM_KEYS & set(data))
    )


def looks_like(data: Any) -> bool:
    """True for an Algolia item tree or Firebase item(s)."""
    if _is_algolia(data) or _is_firebase_item(data):
        return True
    if isinstance(data, list) and data:
        return all(_is_firebase_item(x) for x in data[:20])
    if isinstance(data, dict) and data:
        values = list(data.values())[:20]
        return all(_is_firebase_item(x) for x in values)
    return False


def read(data: Any, rd: Reader) -> Thread:
    """A Hacker News story and its comments as a Thread."""
    if _is_algolia(data):
        return _read_algolia(data, rd)
    return _read_firebase(data, rd)


def _post(item: dict[str, Any], place: str, rd: Reader, when_key: str) -> Any:
    created, estimated = rd.when(item.get(when_key), f"{place}.{when_key}", None)
    body = html_to_markdown(item.get("text") or "")
    url = item.get("url")
    if isinstance(url, str) and url and url not in body:
        body = f"<{url}>\n\n{body}".strip()
    return rd.make_post(
        place,
        id=f"hn-{item.get('id', 'post')}",
        title=item.get("title") or "",
        author=item.get("author") or item.get("by"),
        body=body,
        created_at=created,
        estimated=estimated,
        url=f"https://news.ycombinator.com/item?id={item['id']}" if "id" in item else None,
    )


def _read_algolia(root: dict[str, Any], rd: Reader) -> Thread:
    post = _post(root, "$", rd, "created_at_i" if "created_at_i" in root else "created_at")
    stack: list[tuple[Any, str, str | None, datetime]] = [
        (root.get("children"), "$.children", None, post.created_at),
    ]
    while stack:
        children, path, parent, parent_time = stack.pop()
        if not isinstance(children, list):
            continue
        for index in range(len(children) - 1, -1, -1):
            item, place = children[index], f"{path}[{index}]"
            source_id = str(item.get("id")) if isinstance(item, dict) and "id" in item else place
            when = parent_time
            with rd.comment(place, source_id, parent):
                raw = _algolia_comment(item, source_id, parent, place, parent_time, rd)
                rd.add(raw)
                when = raw.created_at or parent_time
            if isinstance(item, dict):
                stack.append((item.get("children"), f"{place}.children", source_id, when))
    rd.raw.sort(key=lambda r: r.created_at or post.created_at)
    return rd.finish(post)


def _algolia_comment(
    item: Any, source_id: str, parent: str | None, place: str, parent_time: datetime, rd: Reader
) -> RawComment:
    """One Algolia node; a deleted one may be only ``{"id", "children"}`` (then its time is its
    parent's: where it stood is what matters)."""
    item = obj(item, place)
    if "id" not in item:
        raise Bad("missing", f"{place}.id")
    deleted = item.get("author") is None and item.get("text") is None
    key = "created_at_i" if "created_at_i" in item else "created_at"
    created: datetime | None
    estimated: str | None
    if deleted and item.get("created_at_i") is None and item.get("created_at") is None:
        created, estimated = parent_time, "its parent's time"  # where it stood is what matters
    else:
        alternatives = (("its parent's time", parent_time),)
        created, estimated = rd.when(item.get(key), f"{place}.{key}", source_id, alternatives)
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=item.get("author") or "[deleted]",
        body="" if deleted else html_to_markdown(item.get("text") or ""),
        created_at=created,
        status="deleted" if deleted else "visible",
        likes=to_likes(item.get("points")),
        place=place,
        estimated=estimated,
    )


def _read_firebase(data: Any, rd: Reader) -> Thread:
    if isinstance(data, dict) and _is_firebase_item(data):
        entries = [("$", data)]
    elif isinstance(data, list):
        entries = [(f"$[{i}]", x) for i, x in enumerate(data)]
    elif isinstance(data, dict):
        entries = [(f"$[{k!r}]", x) for k, x in data.items()]
    else:
        rd.fail("$", "expected Hacker News item(s)")
    # Flatten items whose kids are inlined objects rather than ids.
    items: list[tuple[str, Any]] = []
    todo = list(reversed(entries))
    while todo:
        place, item = todo.pop()
        items.append((place, item))
        if isinstance(item, dict) and isinstance(item.get("kids"), list):
            inline = [
                (f"{place}.kids[{i}]", k) for i, k in enumerate(item["kids"]) if isinstance(k, dict)
            ]
            todo.extend(reversed(inline))
    ids = {str(x["id"]) for _, x in items if isinstance(x, dict) and "id" in x}
    roots = [
        (p, x)
        for p, x in items
        if isinstance(x, dict) and (x.get("parent") is None or str(x.get("parent")) not in ids)
    ]
    if not roots:
        rd.fail("$", "no story: every item replies to another item in the file")
    stories = [r for r in roots if r[1].get("type") != "comment"] or roots
    post_place, root = stories[0]
    post = _post(root, post_place, rd, "time")
    root_id = str(root.get("id"))
    rd.allow_orphans()  # HN exports are often partial; replies to missing items go top-level
    for place, item in items:
        if item is root:
            continue
        source_id = str(item.get("id")) if isinstance(item, dict) and "id" in item else place
        parent = str(item.get("parent")) if isinstance(item, dict) and "parent" in item else None
        parent = None if parent == root_id else parent
        with rd.comment(place, source_id, parent):
            rd.add(_firebase_comment(item, source_id, parent, place, rd))
    for _, item in items:
        kids = item.get("kids") if isinstance(item, dict) else None
        if isinstance(kids, list):
            absent = tuple(str(k) for k in kids if not isinstance(k, dict) and str(k) not in ids)
            if absent:
                parent_id = None if item is root else str(item.get("id"))
                why = "replies named in the file (kids) but not in it"
                rd.gap("more", parent_id, absent, len(absent), why)
    return rd.finish(post)


def _firebase_comment(
    item: Any, source_id: str, parent: str | None, place: str, rd: Reader
) -> RawComment:
    item = obj(item, place)
    if "id" not in item:
        raise Bad("missing", f"{place}.id")
    created, estimated = rd.when(item.get("time"), f"{place}.time", source_id)
    deleted = bool(item.get("deleted"))
    moderated = None
    if item.get("dead") and not deleted:
        reason = "dead (flagged or killed) on Hacker News"
        moderated = rd.flag(place, source_id, reason, "hidden", "Hacker News")
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=item.get("by") or "[deleted]",
        body="" if deleted else html_to_markdown(item.get("text") or ""),
        created_at=created,
        status="deleted" if deleted else "visible",
        likes=to_likes(item.get("score")),
        place=place,
        moderated=moderated,
        estimated=estimated,
    )
