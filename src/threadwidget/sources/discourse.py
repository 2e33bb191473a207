"""A Discourse topic on any forum: ``/t/ID.json``, then every remaining post in pages of 20."""

from __future__ import annotations

import re
from typing import Any

from ..core.models import Thread
from .base import Context, Source, origin, to_thread

__all__ = ["PAGE", "SOURCE"]

#: Posts asked for per ``/t/ID/posts.json`` request (Discourse's own page size).
PAGE = 20


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    base = ctx.base("discourse", origin(url))
    topic_id = match.group("id")
    topic: dict[str, Any] = ctx.client.get_json(f"{base}/t/{topic_id}.json")
    stream = topic.get("post_stream") or {}
    posts: list[Any] = list(stream.get("posts") or [])
    have = {p.get("id") for p in posts if isinstance(p, dict)}
    missing = [i for i in stream.get("stream") or [] if i not in have]
    every = [missing[i : i + PAGE] for i in range(0, len(missing), PAGE)]
    pages = every[: max(ctx.max_pages - 1, 0)]  # the topic itself was the first page
    ctx.page(len(posts) - 1, len(pages) + 1)
    for chunk in pages:
        answer = ctx.client.get_json(
            f"{base}/t/{topic_id}/posts.json", params=[("post_ids[]", i) for i in chunk]
        )
        posts += (answer.get("post_stream") or {}).get("posts") or []
        ctx.page(len(posts) - 1)
    if len(pages) < len(every):
        left = sum(len(chunk) for chunk in every[len(pages) :])
        ctx.cut(f"{len(every) + 1} pages of posts, max_pages={ctx.max_pages}", left)
    topic["post_stream"] = {**stream, "posts": posts}
    topic.setdefault("base_url", origin(url))
    return to_thread(topic, "discourse", url)[0]


SOURCE = Source(
    name="discourse",
    label="Discourse topic (any forum)",
    example="https://meta.discourse.org/t/what-is-discourse/1234",
    pattern=re.compile(r"https?://[^/\s]+/t/(?:[^/\s]+/)?(?P<id>\d+)(?:/\d+)?/?(?:[?#].*)?$"),
    fetch=_fetch,
)
