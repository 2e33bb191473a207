"""Discourse topic JSON (``/t/slug/ID.json``, its ``post_stream.posts`` completed with every page).

Post number 1 is the post; every other post is a comment whose parent is the post it answers
(``reply_to_post_number``; a reply to post 1 or to nothing is top-level). ``cooked`` HTML becomes
Markdown. Deleted by the author (``user_deleted``) → deleted; deleted by staff (``deleted_at``)
→ removed by "Discourse moderators"; ``hidden`` (flagged by the community) → hidden.
Small-action posts (post type 3: "closed the topic" and the like) are skipped and noted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, parse_time, to_likes
from ._jsonutil import field, obj
from ._markup import html_to_markdown

__all__ = ["LABEL", "looks_like", "read"]

LABEL = "Discourse JSON"
_SMALL_ACTION = 3


def looks_like(data: Any) -> bool:
    """True for an object with ``post_stream.posts`` (a topic or a posts page)."""
    stream = data.get("post_stream") if isinstance(data, dict) else None
    return isinstance(stream, dict) and isinstance(stream.get("posts"), list)


def _author(post: dict[str, Any]) -> str:
    name, user = post.get("name"), post.get("username")
    if name and user and name != user:
        return f"{name} (@{user})"
    return str(user or name or "anonymous")


def _likes(post: dict[str, Any]) -> int:
    if "like_count" in post:
        return to_likes(post.get("like_count"))
    for action in post.get("actions_summary") or []:
        if isinstance(action, dict) and action.get("id") == 2:  # 2 is "like"
            return to_likes(action.get("count"))
    return 0


def _edited(post: dict[str, Any], created: datetime) -> datetime | None:
    if not isinstance(post.get("version"), int) or post["version"] < 2:
        return None
    try:
        stamp = parse_time(post.get("updated_at"))
    except Bad:
        return None
    return stamp if (stamp - created).total_seconds() > 60 else None


def read(data: Any, rd: Reader) -> Thread:
    """A Discourse topic as a Thread."""
    try:
        topic = obj(data, "$")
        stream = obj(topic.get("post_stream"), "$.post_stream")
        posts = field(stream, "posts", "$.post_stream", list)
    except Bad as error:
        rd.fail(error.place or "$", error.message)
    entries = [(f"$.post_stream.posts[{i}]", p) for i, p in enumerate(posts)]
    entries.sort(key=lambda e: e[1].get("post_number", 0) if isinstance(e[1], dict) else 0)
    first = [e for e in entries if isinstance(e[1], dict) and e[1].get("post_number") == 1]
    if not first:
        rd.fail("$.post_stream.posts", "no post number 1 (the topic's first post) in the file")
    root_place, root = first[0]
    created, estimated = rd.when(root.get("created_at"), f"{root_place}.created_at", None)
    slug = topic.get("slug") or root.get("topic_slug") or "topic"
    topic_id = topic.get("id") or root.get("topic_id")
    base = str(topic.get("base_url") or "").rstrip("/")
    post = rd.make_post(
        root_place,
        id=f"discourse-{topic_id or root.get('id', 'post')}",
        title=topic.get("title") or topic.get("fancy_title") or slug,
        author=_author(root),
        body=html_to_markdown(str(root.get("cooked") or "")),
        created_at=created,
        estimated=estimated,
        url=f"{base}/t/{slug}/{topic_id}" if base and topic_id else None,
    )
    by_number = {
        e[1].get("post_number"): str(e[1].get("id"))
        for e in entries
        if isinstance(e[1], dict) and e[1].get("post_type") != _SMALL_ACTION
    }
    rd.allow_orphans()  # a reply to a post deleted from the stream becomes top-level
    skipped = 0
    for place, item in entries:
        if item is root:
            continue
        if isinstance(item, dict) and item.get("post_type") == _SMALL_ACTION:
            skipped += 1
            continue
        source_id = str(item.get("id")) if isinstance(item, dict) and item.get("id") else place
        answered = item.get("reply_to_post_number") if isinstance(item, dict) else None
        parent = None if answered in (None, 1) else by_number.get(answered, f"#{answered}")
        with rd.comment(place, source_id, parent):
            rd.add(_comment(item, source_id, parent, place, rd))
    if skipped:
        rd.report.notes.append(f"{skipped} small-action post(s) (topic closed, moved...) skipped")
    return rd.finish(post)


def _comment(item: Any, source_id: str, parent: str | None, place: str, rd: Reader) -> RawComment:
    """One Discourse post as a RawComment."""
    item = obj(item, place)
    field(item, "id", place)
    created, estimated = rd.when(item.get("created_at"), f"{place}.created_at", source_id)
    deleted = bool(item.get("user_deleted"))
    moderated = None
    if item.get("deleted_at") and not deleted:
        moderated = rd.flag(place, source_id, "deleted by staff", "removed", "Discourse moderators")
    elif item.get("hidden"):
        why = "hidden after flags from the community"
        moderated = rd.flag(place, source_id, why, "hidden", "Discourse")
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=_author(item),
        body="" if deleted else html_to_markdown(str(item.get("cooked") or "")),
        created_at=created,
        edited_at=_edited(item, created) if created is not None else None,
        status="deleted" if deleted else "visible",
        likes=_likes(item),
        place=place,
        estimated=estimated,
        moderated=moderated,
    )
