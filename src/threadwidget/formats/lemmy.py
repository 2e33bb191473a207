"""Lemmy post JSON: ``{"post_view": …, "comments": [comment views]}`` (API v3).

The tree comes from each comment's ``path`` (``0.12.34``: comment 34 replies to 12). ``deleted``
→ deleted; ``removed`` → removed by "Lemmy moderators" (its text is not kept). ``counts.score``
becomes ``likes`` (negative scores count as 0). Text is Markdown, kept as written.
"""

from __future__ import annotations

from typing import Any

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, parse_time, to_likes
from ._jsonutil import as_dict, field, obj

__all__ = ["LABEL", "looks_like", "read"]

LABEL = "Lemmy JSON"


def looks_like(data: Any) -> bool:
    """True for an object with a ``post_view`` and a ``comments`` list."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("post_view"), dict)
        and isinstance(data.get("comments"), list)
    )


def _author(view: dict[str, Any]) -> str:
    creator = as_dict(view.get("creator"))
    name, display = creator.get("name"), creator.get("display_name")
    if display and name and display != name:
        return f"{display} (@{name})"
    return str(name or display or "anonymous")


def read(data: Any, rd: Reader) -> Thread:
    """A Lemmy post and its comments as a Thread."""
    try:
        view = obj(obj(data, "$").get("post_view"), "$.post_view")
        post_data = obj(view.get("post"), "$.post_view.post")
        created, estimated = rd.when(post_data.get("published"), "$.post_view.post.published", None)
    except Bad as error:
        rd.fail(error.place or "$", error.message)
    body = str(post_data.get("body") or "")
    link = post_data.get("url")
    if isinstance(link, str) and link and link not in body:
        body = f"<{link}>\n\n{body}".strip()
    post = rd.make_post(
        "$.post_view.post",
        id=f"lemmy-{post_data.get('id', 'post')}",
        title=str(post_data.get("name") or ""),
        author=_author(view),
        body=body,
        created_at=created,
        estimated=estimated,
        url=post_data.get("ap_id") if isinstance(post_data.get("ap_id"), str) else None,
    )
    rd.allow_orphans()  # comments deeper than the fetched depth may name absent parents
    for index, item in enumerate(data["comments"]):
        place = f"$.comments[{index}]"
        comment = item.get("comment") if isinstance(item, dict) else None
        path = str(comment.get("path") or "") if isinstance(comment, dict) else ""
        parts = [p for p in path.split(".") if p and p != "0"]
        source_id = parts[-1] if parts else place
        if isinstance(comment, dict) and comment.get("id") is not None:
            source_id = str(comment["id"])
        parent = parts[-2] if len(parts) >= 2 else None
        with rd.comment(place, source_id, parent):
            rd.add(_comment(item, source_id, parent, place, rd))
    return rd.finish(post)


def _comment(item: Any, source_id: str, parent: str | None, place: str, rd: Reader) -> RawComment:
    """One comment view as a RawComment."""
    view = obj(item, place)
    where = f"{place}.comment"
    comment = obj(view.get("comment"), where)
    field(comment, "id", where)
    created, estimated = rd.when(comment.get("published"), f"{where}.published", source_id)
    deleted = bool(comment.get("deleted"))
    moderated = None
    if comment.get("removed") and not deleted:
        why = "removed by the community's moderators"
        moderated = rd.flag(place, source_id, why, "removed", "Lemmy moderators")
    edited = None
    if comment.get("updated"):
        try:
            edited = parse_time(comment["updated"])
        except Bad:
            edited = None
    counts = as_dict(view.get("counts"))
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=_author(view),
        body="" if deleted else str(comment.get("content") or ""),
        created_at=created,
        edited_at=edited,
        status="deleted" if deleted else "visible",
        likes=to_likes(counts.get("score")),
        place=place,
        moderated=moderated,
        estimated=estimated,
    )
