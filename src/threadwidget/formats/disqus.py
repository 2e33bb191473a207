"""Disqus XML export: ``<thread>`` elements for pages, ``<post>`` elements for comments.

A comment's parent is ``<parent dsq:id>``; ``<isDeleted>`` becomes status "deleted" and
``<isSpam>`` gives status "spam" (moderated by "Disqus": moderators see it greyed, others do not)
and lists it in ``LoadReport.flagged``. An export holds
many threads: the one chosen is ``select`` (its dsq:id, ``<id>``, link or title) or else the one
with the most comments.
"""

from __future__ import annotations

from collections import Counter
from xml.etree.ElementTree import Element

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, parse_time
from ._markup import html_to_markdown
from ._source import XmlDoc
from ._xmlutil import attr, child, local, text

__all__ = ["LABEL", "read"]

LABEL = "Disqus XML"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _thread_keys(element: Element) -> set[str]:
    keys = {attr(element, "id") or ""}
    for name in ("id", "link", "title"):
        value = text(element, name)
        if value:
            keys.add(value.strip())
    return keys - {""}


def read(doc: XmlDoc, rd: Reader, select: str | None = None) -> Thread:
    """The chosen thread of a Disqus export as a Thread."""
    root = doc.root
    if local(root.tag) != "disqus":
        rd.fail(doc.line(root), f"the root element is <{local(root.tag)}>, not <disqus>")
    threads = {attr(t, "id"): t for t in root if local(t.tag) == "thread"}
    posts = [p for p in root if local(p.tag) == "post"]
    counts: Counter[str | None] = Counter()
    for post_el in posts:
        ref = child(post_el, "thread")
        counts[attr(ref, "id") if ref is not None else None] += 1
    if not threads:
        rd.fail(doc.line(root), "no <thread> element (is this a Disqus export?)")
    if select is not None:
        chosen = [t for t in threads.values() if select in _thread_keys(t)]
        if not chosen:
            rd.fail("", f"no <thread> matches {select!r} (give a dsq:id, <id>, <link> or <title>)")
        thread_el = chosen[0]
    else:
        thread_el = max(threads.values(), key=lambda t: counts[attr(t, "id")])
        if len(threads) > 1:
            rd.report.notes.append(
                f"{len(threads)} threads in the file; chose {attr(thread_el, 'id')!r} "
                f"({text(thread_el, 'title') or 'untitled'}), the one with most comments; "
                "pass select= to choose another"
            )
    thread_id = attr(thread_el, "id")
    place = doc.line(thread_el)
    try:
        created = parse_time(text(thread_el, "createdAt"))
    except Bad as error:
        rd.fail(place, f"<thread> <createdAt>: {error.message}")
    author_el = child(thread_el, "author")
    post = rd.make_post(
        place,
        id=f"disqus-{thread_id}" if thread_id else "post",
        title=text(thread_el, "title") or "",
        author=(text(author_el, "name") or text(author_el, "username"))
        if author_el is not None
        else None,
        body=html_to_markdown(text(thread_el, "message") or ""),
        created_at=created,
        url=(text(thread_el, "link") or "").strip() or None,
    )
    rd.allow_orphans()  # Disqus leaves out parents deleted before the export
    for index, element in enumerate(posts):
        ref = child(element, "thread")
        if (attr(ref, "id") if ref is not None else None) != thread_id:
            continue
        place = doc.line(element)
        source_id = attr(element, "id") or f"post-{index}"
        parent_el = child(element, "parent")
        parent = attr(parent_el, "id") if parent_el is not None else None
        with rd.comment(place, source_id, parent):
            rd.add(_comment(element, source_id, parent, place, rd))
    return rd.finish(post)


def _comment(
    element: Element, source_id: str, parent: str | None, place: str, rd: Reader
) -> RawComment:
    """One <post> as a RawComment."""
    if attr(element, "id") is None:
        raise Bad("<post> has no dsq:id attribute")
    deleted = _flag(text(element, "isDeleted"))
    message = text(element, "message")
    if message is None and not deleted:
        raise Bad("<post> has no <message>")
    where = f"{place}, <post> <createdAt>"
    created, estimated = rd.when(text(element, "createdAt"), where, source_id)
    author_el = child(element, "author")
    author = None
    if author_el is not None:
        author = text(author_el, "name") or text(author_el, "username")
    moderated = None
    if _flag(text(element, "isSpam")):
        moderated = rd.flag(place, source_id, "marked spam by Disqus", "spam", "Disqus")
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=author or "anonymous",
        body="" if deleted else html_to_markdown(message),
        created_at=created,
        status="deleted" if deleted else "visible",
        place=place,
        moderated=moderated,
        estimated=estimated,
    )
