"""Blogger / Blogspot Atom export: posts and comments are ``<entry>`` elements.

A comment is an entry of kind ``#comment`` or one with ``<thr:in-reply-to>``. Its parent is the
comment named by ``<link rel="related" href=".../comments/default/ID">`` (Blogger's threaded
replies) or by ``thr:in-reply-to ref`` when that names a comment; otherwise it replies to the post.
Comments "removed by the author" or "by a blog administrator" (``blogger.contentRemoved``, in
whatever language the blog writes that sentence) become status "deleted". A post's comment feed
saved alone (``/feeds/POSTID/comments/default``) reads too: the post is then a placeholder named
after the feed's title and linked to the post's address, noted in the report.
"""

from __future__ import annotations

import re
from collections import Counter
from xml.etree.ElementTree import Element, SubElement

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, parse_time
from ._markup import html_to_markdown, text_to_markdown
from ._source import XmlDoc
from ._xmlutil import attr, child, local, text

__all__ = ["LABEL", "read"]

LABEL = "Blogger Atom"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
THR = "http://purl.org/syndication/thread/1.0"
ATOM = "http://www.w3.org/2005/Atom"
_REMOVED = re.compile(
    r"^\s*this (comment|post) has been removed by (the author|a blog administrator)", re.IGNORECASE
)


def _short_id(value: str | None) -> str:
    """``456`` from ``tag:blogger.com,1999:blog-123.post-456``; other ids unchanged."""
    value = (value or "").strip()
    match = re.search(r"\.post-(\w+)$", value)
    return match.group(1) if match else value


def _kind(entry: Element) -> str:
    for category in entry:
        if local(category.tag) == "category" and attr(category, "scheme") == KIND_SCHEME:
            return (attr(category, "term") or "").rsplit("#", 1)[-1]
    reply = child(entry, "in-reply-to", THR)
    return "comment" if reply is not None else "post"


def _reply_ref(entry: Element) -> str | None:
    reply = child(entry, "in-reply-to", THR)
    return _short_id(attr(reply, "ref")) if reply is not None else None


def _content(entry: Element) -> str:
    content = child(entry, "content")
    if content is None:
        return ""
    raw = "".join(content.itertext())
    kind = (attr(content, "type") or "text").lower()
    return html_to_markdown(raw) if kind in ("html", "xhtml") else text_to_markdown(raw)


def read(doc: XmlDoc, rd: Reader, select: str | None = None) -> Thread:
    """The chosen post of a Blogger export as a Thread."""
    root = doc.root
    if local(root.tag) != "feed":
        rd.fail(doc.line(root), f"the root element is <{local(root.tag)}>, not an Atom <feed>")
    entries = [e for e in root if local(e.tag) == "entry"]
    posts = {_short_id(text(e, "id")): e for e in entries if _kind(e) in ("post", "page")}
    comments = [e for e in entries if _kind(e) == "comment"]
    comment_ids = {_short_id(text(e, "id")) for e in comments}

    def post_of(entry: Element) -> str | None:
        ref = _reply_ref(entry)
        if ref in posts:
            return ref
        source = child(entry, "in-reply-to", THR)
        match = re.search(r"/(\w+)/comments/default/", _related(entry) or "")
        if match:
            return match.group(1)
        found = (
            re.search(r"/posts/default/(\w+)", attr(source, "source") or "")
            if source is not None
            else None
        )
        return found.group(1) if found else None

    if not posts and comments:
        posts = {_post_key(root, comments): _placeholder(root, comments)}
        rd.report.notes.append("a comment feed without its post: the post is a placeholder")
    if not posts:
        rd.fail(doc.line(root), "no post <entry> in the feed (is this a Blogger export?)")
    counts = Counter(post_of(e) for e in comments)
    if select is not None:
        found = [
            key
            for key, e in posts.items()
            if select in {key, (text(e, "title") or "").strip(), _alternate(e) or ""}
        ]
        if not found:
            rd.fail("", f"no post matches {select!r} (give its id, title or link)")
        post_key = found[0]
    else:
        post_key = max(posts, key=lambda k: counts[k])
        if len(posts) > 1:
            rd.report.notes.append(
                f"{len(posts)} posts in the file; chose {text(posts[post_key], 'title')!r}, "
                "the one with most comments; pass select= to choose another"
            )
    entry = posts[post_key]
    place = doc.line(entry)
    try:
        created = parse_time(text(entry, "published") or text(entry, "updated"))
    except Bad as error:
        rd.fail(place, f"post <published>: {error.message}")
    author_el = child(entry, "author")
    post = rd.make_post(
        place,
        id=f"blogger-{post_key}",
        title=text(entry, "title") or "",
        author=text(author_el, "name") if author_el is not None else None,
        body=_content(entry),
        created_at=created,
        url=_alternate(entry),
    )
    for element in comments:
        if post_of(element) != post_key and len(posts) > 1:
            continue
        place = doc.line(element)
        source_id = _short_id(text(element, "id")) or place.replace(" ", "-")
        related = re.search(r"/comments/default/(\w+)$", _related(element) or "")
        ref = _reply_ref(element)
        if related and related.group(1) in comment_ids:
            parent: str | None = related.group(1)
        elif ref in comment_ids and ref != source_id:
            parent = ref
        else:
            parent = None
        with rd.comment(place, source_id, parent):
            rd.add(_comment(element, source_id, parent, place, rd))
    return rd.finish(post)


def _post_key(feed: Element, comments: list[Element]) -> str:
    """The post a comment feed answers: its ``thr:in-reply-to ref``, else the feed's id."""
    for entry in comments:
        ref = _reply_ref(entry)
        if ref and not ref.startswith("tag:"):
            return ref
    found = re.search(r"post-?(\d+)\.\.comments$", text(feed, "id") or "")
    return found.group(1) if found else "post"


def _placeholder(feed: Element, comments: list[Element]) -> Element:
    """A post entry for a comment feed saved alone: its title, address and first time."""
    entry = Element(f"{{{ATOM}}}entry")
    title = re.sub(r"^Comments on ", "", (text(feed, "title") or "").strip())
    times = sorted((text(c, "published") or "" for c in comments), key=_sortable_time)
    reply = next((child(c, "in-reply-to", THR) for c in comments), None)
    for tag, value in (("title", title or "Blogger post"), ("published", times[0])):
        SubElement(entry, f"{{{ATOM}}}{tag}").text = value
    content = SubElement(entry, f"{{{ATOM}}}content", type="text")
    content.text = "(Only the comment feed was read: the post's own text is not in it.)"
    if reply is not None and attr(reply, "href"):
        SubElement(
            entry,
            f"{{{ATOM}}}link",
            rel="alternate",
            href=attr(reply, "href") or "",
        )
    return entry


def _sortable_time(value: str) -> float:
    """A ``published`` value as a number to sort by (times carry different offsets)."""
    try:
        return parse_time(value).timestamp()
    except Bad:
        return float("inf")


def _related(entry: Element) -> str | None:
    for link in entry:
        if local(link.tag) == "link" and attr(link, "rel") == "related":
            return attr(link, "href")
    return None


def _alternate(entry: Element) -> str | None:
    for link in entry:
        if local(link.tag) == "link" and attr(link, "rel") == "alternate":
            return attr(link, "href")
    return None


def _comment(
    element: Element, source_id: str, parent: str | None, place: str, rd: Reader
) -> RawComment:
    """One comment entry as a RawComment (no <published>: <updated>, else its parent's time)."""
    if not (text(element, "id") or "").strip():
        raise Bad("<entry> has no <id>")
    alternatives = (("its <updated> time", text(element, "updated")),)
    where = f"{place}, <entry> <published>"
    created, estimated = rd.when(text(element, "published"), where, source_id, alternatives)
    body = _content(element)
    removed = bool(_REMOVED.match(body))
    for prop in element:
        if local(prop.tag) == "extendedProperty" and attr(prop, "name") == "blogger.contentRemoved":
            removed = removed or (attr(prop, "value") or "").lower() == "true"
    edited = None
    updated = text(element, "updated")
    if updated:
        try:
            stamp = parse_time(updated)
        except Bad:
            stamp = None
        if stamp is not None and created is not None and (stamp - created).total_seconds() > 60:
            edited = stamp
    author_el = child(element, "author")
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=(text(author_el, "name") if author_el is not None else None) or "anonymous",
        body="" if removed else body,
        created_at=created,
        edited_at=edited,
        status="deleted" if removed else "visible",
        place=place,
        estimated=estimated,
    )
