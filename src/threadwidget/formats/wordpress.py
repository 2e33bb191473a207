"""WordPress WXR export (RSS with the ``wp:`` namespace, versions 1.0 to 1.2).

Each ``<item>`` is a post with ``<wp:comment>`` children; ``wp:comment_parent`` 0 means a reply
to the post. ``wp:comment_approved``: ``1`` visible, ``trash`` deleted, ``spam`` and ``0``
(pending) visible and listed in ``LoadReport.flagged``. Times come from ``*_gmt`` fields
(falling back to the local ones, read as UTC). Comment text is WordPress's plain text with
occasional HTML; blank lines stay paragraphs.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, parse_time, to_likes
from ._markup import html_to_markdown
from ._source import XmlDoc
from ._xmlutil import child, local, text

__all__ = ["LABEL", "read"]

LABEL = "WordPress WXR"
WP = "http://wordpress.org/export/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"


def _autop(value: str) -> str:
    """WordPress text (newlines are meaningful) as HTML, the way WordPress displays it."""
    value = value.replace("\r\n", "\n").strip()
    paragraphs = re.split(r"\n\s*\n", value)
    return "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)


def _time(element: Element, name: str) -> object:
    gmt = text(element, f"{name}_gmt", WP)
    if gmt and not gmt.startswith("0000"):
        return gmt
    return text(element, name, WP)


def _comments(item: Element) -> list[Element]:
    return [c for c in item if local(c.tag) == "comment" and (c.tag[1:].startswith(WP))]


def read(doc: XmlDoc, rd: Reader, select: str | None = None) -> Thread:
    """The chosen post of a WordPress export as a Thread."""
    root = doc.root
    channel = child(root, "channel")
    if local(root.tag) != "rss" or channel is None:
        rd.fail(doc.line(root), "expected <rss><channel> (a WordPress WXR export)")
    items = [i for i in channel if local(i.tag) == "item"]
    if not items:
        rd.fail(doc.line(channel), "no <item> (post) in the export")
    if select is not None:
        chosen = [
            i
            for i in items
            if select
            in {
                (text(i, "post_id", WP) or "").strip(),
                (text(i, "title") or "").strip(),
                (text(i, "link") or "").strip(),
                (text(i, "post_name", WP) or "").strip(),
            }
        ]
        if not chosen:
            rd.fail("", f"no <item> matches {select!r} (give a wp:post_id, title, link or slug)")
        item = chosen[0]
    else:
        item = max(items, key=lambda i: len(_comments(i)))
        if len(items) > 1:
            rd.report.notes.append(
                f"{len(items)} posts in the file; chose {text(item, 'title') or 'untitled'!r}, "
                "the one with most comments; pass select= to choose another"
            )
    place = doc.line(item)
    try:
        created = parse_time(_time(item, "post_date") or text(item, "pubDate"))
    except Bad as error:
        rd.fail(place, f"<item> <wp:post_date_gmt>: {error.message}")
    post = rd.make_post(
        place,
        id=f"wp-{(text(item, 'post_id', WP) or 'post').strip()}",
        title=text(item, "title") or "",
        author=text(item, "creator"),
        body=html_to_markdown(_autop(text(item, "encoded", CONTENT) or "")),
        created_at=created,
        url=(text(item, "link") or "").strip() or None,
    )
    for element in _comments(item):
        place = doc.line(element)
        source_id = (text(element, "comment_id", WP) or "").strip() or place.replace(" ", "-")
        parent = (text(element, "comment_parent", WP) or "0").strip()
        parent_id = None if parent in ("", "0") else parent
        with rd.comment(place, source_id, parent_id):
            rd.add(_comment(element, source_id, parent_id, place, rd))
    return rd.finish(post)


def _comment(
    element: Element, source_id: str, parent: str | None, place: str, rd: Reader
) -> RawComment:
    """One <wp:comment> as a RawComment."""
    if not (text(element, "comment_id", WP) or "").strip():
        raise Bad("<wp:comment> has no <wp:comment_id>")
    content = text(element, "comment_content", WP)
    if content is None:
        raise Bad("<wp:comment> has no <wp:comment_content>")
    where = f"{place}, <wp:comment> <wp:comment_date_gmt>"
    created, estimated = rd.when(_time(element, "comment_date"), where, source_id)
    approved = (text(element, "comment_approved", WP) or "1").strip().lower()
    deleted = approved in ("trash", "post-trashed")
    moderated = None
    if approved == "spam":
        moderated = rd.flag(place, source_id, "marked spam in WordPress", "spam", "WordPress")
    elif approved == "0":
        reason = "awaiting moderation in WordPress"
        moderated = rd.flag(place, source_id, reason, "hidden", "WordPress")
    likes = 0
    for meta in element:
        if local(meta.tag) == "commentmeta" and text(meta, "meta_key", WP) in ("likes", "_likes"):
            likes = to_likes(text(meta, "meta_value", WP))
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=text(element, "comment_author", WP) or "anonymous",
        body="" if deleted else html_to_markdown(_autop(content)),
        created_at=created,
        status="deleted" if deleted else "visible",
        likes=likes,
        place=place,
        moderated=moderated,
        estimated=estimated,
    )
