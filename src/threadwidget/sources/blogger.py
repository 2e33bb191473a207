"""Comments on a Blogger / Blogspot post, from the blog's public feeds (no API key).

The post id is found by its address in ``/feeds/posts/summary?alt=json`` (paged); the post and
every page of ``/feeds/POSTID/comments/default`` are then read as Atom by the Blogger importer.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, tostring

from ..formats._source import parse_xml
from ..formats._xmlutil import local
from ..models import Thread
from .base import Context, Source, origin, to_thread
from .errors import NotFoundError

__all__ = ["PAGE", "SOURCE"]

#: Entries per feed page (Blogger serves at most 500; smaller pages keep each answer quick).
PAGE = 150


def _find_post(url: str, base: str, ctx: Context) -> str:
    wanted = urlsplit(url).path.rstrip("/")
    for page in range(ctx.max_pages):
        feed = ctx.client.get_json(
            f"{base}/feeds/posts/summary",
            params={"alt": "json", "max-results": PAGE, "start-index": page * PAGE + 1},
        )
        entries: list[Any] = (feed.get("feed") or {}).get("entry") or []
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


def _entries(data: bytes, name: str) -> list[Element]:
    root = parse_xml(data, name, "Blogger Atom").root
    return [root] if local(root.tag) == "entry" else [e for e in root if local(e.tag) == "entry"]


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    base = ctx.base("blogger", origin(url))
    post_id = _find_post(url, base, ctx)
    post_url = f"{base}/feeds/posts/default/{post_id}"
    feed = Element("{http://www.w3.org/2005/Atom}feed")
    feed.extend(_entries(ctx.client.get_text(post_url), post_url))
    bar = ctx.bar(f"blogger post {post_id}")
    for page in range(ctx.max_pages):
        comments_url = f"{base}/feeds/{post_id}/comments/default"
        body = ctx.client.get_text(
            comments_url, params={"max-results": PAGE, "start-index": page * PAGE + 1}
        )
        entries = _entries(body, comments_url)
        feed.extend(entries)
        bar.update(page + 1)
        if len(entries) < PAGE:
            break
    bar.close()
    return to_thread(tostring(feed, encoding="utf-8"), "blogger", url)[0]


SOURCE = Source(
    name="blogger",
    label="Blogger / Blogspot post comments",
    example="https://googleblog.blogspot.com/2012/05/example-post.html",
    pattern=re.compile(r"https?://[\w.-]+\.blogspot\.[a-z.]+/\d{4}/\d{2}/[^/\s?#]+\.html"),
    fetch=_fetch,
)
