"""Reddit comments-page JSON (``.../comments/ID.json``): ``[post listing, comment listing]``.

Comments nest through ``replies`` listings. A ``[deleted]`` body becomes status "deleted" (its
author deleted it); ``[removed]`` becomes status "removed" by "Reddit moderators"; a comment
whose author deleted the account but whose body remains stays visible with author ``[deleted]``.
``more`` stubs are recorded as gaps (``thread.completeness``, ``LoadReport.gaps``). ``score``
becomes ``likes`` (negative scores count as 0). Reddit escapes ``&``, ``<`` and ``>`` in bodies
as HTML entities; they are unescaped. A missing ``created_utc`` reads as the parent's time.
"""

from __future__ import annotations

from typing import Any

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, parse_time, to_likes
from ._jsonutil import field, obj

__all__ = ["LABEL", "looks_like", "read"]

LABEL = "Reddit JSON"
_GONE = {"[deleted]", "[removed]"}


def looks_like(data: Any) -> bool:
    """True for a two-element list of Reddit listings."""
    return (
        isinstance(data, list)
        and len(data) == 2
        and all(isinstance(x, dict) and x.get("kind") == "Listing" for x in data)
    )


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _children(listing: Any, place: str) -> list[Any]:
    listing = obj(listing, place, "a Listing object")
    data = obj(listing.get("data"), f"{place}.data")
    children = data.get("children")
    if not isinstance(children, list):
        raise Bad("missing or not a list", f"{place}.data.children")
    return children


def read(data: Any, rd: Reader) -> Thread:
    """A Reddit comments page as a Thread."""
    if not isinstance(data, list) or len(data) != 2:
        rd.fail("$", "expected a list of two listings (the post, then the comments)")
    try:
        posts = _children(data[0], "$[0]")
        if not posts:
            raise Bad("the post listing is empty", "$[0].data.children")
        item = obj(posts[0], "$[0].data.children[0]")
        place = "$[0].data.children[0].data"
        post_data = obj(item.get("data"), place)
        created, estimated = rd.when(post_data.get("created_utc"), f"{place}.created_utc", None)
        top = _children(data[1], "$[1]")
    except Bad as error:
        rd.fail(error.place or "$", error.message)
    body = _unescape(str(post_data.get("selftext") or ""))
    link = post_data.get("url")
    if not post_data.get("is_self", True) and isinstance(link, str) and link not in body:
        body = f"<{link}>\n\n{body}".strip()
    permalink = post_data.get("permalink")
    post = rd.make_post(
        place,
        id=str(post_data.get("name") or post_data.get("id") or "post"),
        title=_unescape(str(post_data.get("title") or "")),
        author=post_data.get("author"),
        body=body,
        created_at=created,
        estimated=estimated,
        url=f"https://www.reddit.com{permalink}" if isinstance(permalink, str) else None,
    )
    stack: list[tuple[list[Any], str, str | None]] = [(top, "$[1].data.children", None)]
    while stack:
        children, path, parent = stack.pop()
        pending: list[tuple[list[Any], str, str | None]] = []
        for index, child in enumerate(children):
            place = f"{path}[{index}]"
            if isinstance(child, dict) and child.get("kind") == "more":
                more_data = child.get("data")
                more = more_data if isinstance(more_data, dict) else {}
                more_ids = more.get("children")
                ids = more_ids if isinstance(more_ids, list) else []
                count = more.get("count")
                known = tuple(str(i) for i in ids)
                if known:
                    number = max(count if isinstance(count, int) else 0, len(known))
                    why = "behind Reddit 'more' stubs (load more comments)"
                    rd.gap("more", parent, known, number, why)
                else:  # "continue this thread": replies deeper than the page shows
                    why = "behind Reddit 'continue this thread' links"
                    rd.gap("more", parent, (), None, why)
                continue
            data_ = child.get("data") if isinstance(child, dict) else None
            source_id = (
                str(data_.get("id")) if isinstance(data_, dict) and data_.get("id") else place
            )
            with rd.comment(place, source_id, parent):
                rd.add(_comment(child, source_id, parent, place, rd))
            replies = data_.get("replies") if isinstance(data_, dict) else None
            if isinstance(replies, dict):
                with rd.comment(f"{place}.data.replies", f"{source_id}/replies", source_id):
                    pending.append(
                        (
                            _children(replies, f"{place}.data.replies"),
                            f"{place}.data.replies.data.children",
                            source_id,
                        )
                    )
        stack.extend(reversed(pending))
    return rd.finish(post)


def _comment(child: Any, source_id: str, parent: str | None, place: str, rd: Reader) -> RawComment:
    """One ``t1`` thing as a RawComment."""
    child = obj(child, place)
    if child.get("kind") != "t1":
        raise Bad(f"expected kind 't1' (a comment), found {child.get('kind')!r}", f"{place}.kind")
    data = obj(child.get("data"), f"{place}.data")
    where = f"{place}.data"
    field(data, "id", where, str)
    body = field(data, "body", where, str)
    created, estimated = rd.when(data.get("created_utc"), f"{where}.created_utc", source_id)
    author = str(data.get("author") or "[deleted]")
    gone = body.strip() in _GONE
    moderated = None
    if body.strip() == "[removed]":
        reason = "removed by the subreddit's moderators"
        moderated = rd.flag(place, source_id, reason, "removed", "Reddit moderators")
    edited = data.get("edited")
    edited_at = None
    if edited not in (None, False):
        try:
            edited_at = parse_time(edited)
        except Bad:
            edited_at = None
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=author,
        body="" if gone else _unescape(body),
        created_at=created,
        edited_at=edited_at if not gone else None,
        status="deleted" if gone and moderated is None else "visible",
        likes=to_likes(data.get("score", data.get("ups"))),
        place=place,
        moderated=moderated,
        estimated=estimated,
    )
