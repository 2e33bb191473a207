"""A Lemmy post on any instance: ``/api/v3/post`` and every page of ``/api/v3/comment/list``."""

from __future__ import annotations

import re
from typing import Any

from ..core.models import Thread
from ..formats._jsonutil import as_dict
from .base import Context, Source, origin, to_thread

__all__ = ["PAGE", "SOURCE"]

#: Comments per page (Lemmy's maximum is 50).
PAGE = 50


def _id(view: Any) -> object:
    comment = view.get("comment") if isinstance(view, dict) else None
    return comment.get("id") if isinstance(comment, dict) else None


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    base = ctx.base("lemmy", origin(url))
    post_id = match.group("id")
    post = ctx.client.get_json(f"{base}/api/v3/post", params={"id": post_id})
    comments: list[Any] = []
    ctx.page(0)
    last = 0
    for page in range(1, ctx.max_pages + 1):
        answer = ctx.client.get_json(
            f"{base}/api/v3/comment/list",
            params={"post_id": post_id, "type_": "All", "sort": "Old", "limit": PAGE, "page": page},
        )
        batch = (answer.get("comments") or []) if isinstance(answer, dict) else []
        comments += [c for c in batch if _id(c) not in {_id(x) for x in comments}]
        ctx.page(len(comments))
        last = len(batch)
        if len(batch) < PAGE:
            break
    total = as_dict(as_dict(as_dict(post).get("post_view")).get("counts")).get("comments")
    if last >= PAGE:  # the last page read was full: there may be more
        count = total - len(comments) if isinstance(total, int) and total > len(comments) else None
        ctx.cut(f"read {ctx.max_pages} pages of comments (max_pages={ctx.max_pages})", count)
    data = {"post_view": as_dict(post).get("post_view"), "comments": comments}
    return to_thread(data, "lemmy", url)[0]


SOURCE = Source(
    name="lemmy",
    label="Lemmy post (any instance)",
    example="https://lemmy.world/post/123456",
    pattern=re.compile(r"https?://[^/\s]+/post/(?P<id>\d+)/?(?:[?#].*)?$"),
    fetch=_fetch,
)
