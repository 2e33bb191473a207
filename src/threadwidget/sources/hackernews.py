"""Hacker News items through the Algolia items API (one request gives the whole tree)."""

from __future__ import annotations

import re

from ..core.models import Thread
from .base import Context, Source, to_thread

__all__ = ["SOURCE"]

DEFAULT_BASE = "https://hn.algolia.com"


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    item = match.group("id")
    api = f"{ctx.base('hackernews', DEFAULT_BASE)}/api/v1/items/{item}"
    data = ctx.client.get_json(api)
    ctx.page()
    return to_thread(data, "hackernews", url)[0]


SOURCE = Source(
    name="hackernews",
    label="Hacker News item",
    example="https://news.ycombinator.com/item?id=8863",
    pattern=re.compile(r"https?://news\.ycombinator\.com/item\?(?:.*&)?id=(?P<id>\d+)"),
    fetch=_fetch,
)
