"""Comments on a Blogger / Blogspot post, from the blog's public feeds (no API key).

The post is asked for by its address (``/feeds/posts/default?path=/2016/08/x.html``, as Blogger's
own widgets do); a blog that does not answer that is searched in ``/feeds/posts/summary?alt=json``
(paged) and the post read by id. The comment feed ``/feeds/POSTID/comments/default`` is followed
page by page along its ``rel="next"`` links (up to ``max_pages``; the thread's gaps say when
the feed had more). All of it is read as Atom by the Blogger importer.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree.ElementTree import Element, tostring

from ..core.models import Thread
from ..formats._jsonutil import as_dict
from ..formats._source import parse_xml
from ..formats._xmlutil import local
from ..formats.blogger import ATOM, _alternate, _short_id
from ..formats.native import ThreadFileError
from .base import Context, Source, origin, to_thread
from .errors import FetchError, NotFoundError, UnexpectedAnswerError
from .http import web_page_hint

__all__ = ["PAGE", "SOURCE"]

#: Entries per feed page (Blogger serves at most 500; smaller pages keep each answer quick).
PAGE = 150


def _no_feed(url: str) -> NotFoundError:
    """Neither feed answered: the address only has the shape of a Blogger post's."""
    return NotFoundError(
        url,
        f"{urlsplit(url).netloc} has no Blogger feed (/feeds/posts/summary): the address has "
        "the shape of a Blogger post (/YYYY/MM/name.html), but the site is not a Blogger blog, "
        "or its feed is private",
    )


def _find_post(url: str, base: str, ctx: Context) -> str:
    wanted = urlsplit(url).path.rstrip("/")
    for page in range(ctx.max_pages):
        try:  # parsed before it is cached: a web page is no feed, and is not kept
            feed = ctx.client.get_json(
                f"{base}/feeds/posts/summary",
                params={"alt": "json", "max-results": PAGE, "start-index": page * PAGE + 1},
            )
        except (NotFoundError, UnexpectedAnswerError):
            raise _no_feed(url) from None
        entries: list[Any] = as_dict(as_dict(feed).get("feed")).get("entry") or []
        for entry in entries:
            for link in entry.get("link") or []:
                href = str(link.get("href") or "")
                if link.get("rel") == "alternate" and urlsplit(href).path.rstrip("/") == wanted:
                    found = re.search(r"post-(\d+)$", str((entry.get("id") or {}).get("$t")))
                    if found:
                        return found.group(1)
        if len(entries) < PAGE:
            break
    raise NotFoundError(url, "no post with this address in the blog's public feed")


def _atom(name: str, data: bytes, content_type: str) -> Element:
    """An Atom feed or entry (checked before the answer is cached); anything else (a web page,
    a cut-off feed) is an :class:`UnexpectedAnswerError`."""
    try:
        root = parse_xml(data, name, "Blogger Atom").root
    except ThreadFileError as error:
        hint = web_page_hint(data, content_type)
        raise UnexpectedAnswerError(name, hint or f"not a Blogger Atom feed ({error})") from None
    if local(root.tag) not in ("feed", "entry"):
        hint = web_page_hint(data, content_type)
        raise UnexpectedAnswerError(name, hint or f"not a Blogger Atom feed (<{local(root.tag)}>)")
    return root


def _entries(root: Element) -> list[Element]:
    return [root] if local(root.tag) == "entry" else [e for e in root if local(e.tag) == "entry"]


def _next(root: Element) -> dict[str, str] | None:
    """The query of the feed's ``rel="next"`` page (its host may be the blog's own domain)."""
    for link in root:
        if local(link.tag) == "link" and link.get("rel") == "next" and link.get("href"):
            return dict(parse_qsl(urlsplit(link.get("href") or "").query))
    return None


def _post(url: str, base: str, ctx: Context) -> tuple[str, Element]:
    """The post's id and Atom entry: asked for by its address, else found in the summary feed."""
    path = urlsplit(url).path
    asked = f"{base}/feeds/posts/default"
    try:  # a mirror, an older blog or another site may not answer ?path= (or not with a feed)
        found = _entries(ctx.client.get_text(asked, params={"path": path}, parse=_atom))
    except FetchError:
        found = []
    # a server that ignores ?path= answers its latest posts: only the post at this address counts
    found = [e for e in found if urlsplit(_alternate(e) or "").path.rstrip("/") == path.rstrip("/")]
    if found:
        return _short_id(found[0].findtext(f"{{{ATOM}}}id")), found[0]
    post_id = _find_post(url, base, ctx)
    post_url = f"{base}/feeds/posts/default/{post_id}"
    found = _entries(ctx.client.get_text(post_url, parse=_atom))
    if not found:
        raise NotFoundError(url, "the blog's feed has no such post")
    return post_id, found[0]


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    base = ctx.base("blogger", origin(url))
    post_id, post = _post(url, base, ctx)
    feed = Element(f"{{{ATOM}}}feed")
    feed.append(post)
    comments_url = f"{base}/feeds/{post_id}/comments/default"
    params: dict[str, str] | None = {"max-results": str(PAGE), "start-index": "1"}
    pages, total = 0, "more"
    while params is not None and pages < ctx.max_pages:
        root = ctx.client.get_text(comments_url, params=params, parse=_atom)
        feed.extend(_entries(root))
        pages += 1
        ctx.page(len(feed) - 1)
        total = root.findtext("{http://a9.com/-/spec/opensearchrss/1.0/}totalResults") or total
        following = _next(root)
        params = None if following == params else following  # a feed linking to itself: stop
    if params is not None:
        read = len(feed) - 1
        count = int(total) - read if total.isdigit() and int(total) > read else None
        ctx.cut(
            f"read {pages} pages of comments (max_pages={ctx.max_pages}); the feed lists "
            f"{total} comments",
            count,
        )
    return to_thread(tostring(feed, encoding="utf-8"), "blogger", url)[0]


SOURCE = Source(
    name="blogger",
    label="Blogger / Blogspot post comments",
    example="https://googleblog.blogspot.com/2012/05/example-post.html",
    # Blogspot addresses, and a blog on its own domain by Blogger's post address shape
    pattern=re.compile(r"https?://[\w.-]+(?::\d+)?/\d{4}/\d{2}/[^/\s?#]+\.html"),
    fetch=_fetch,
)
