"""A Reddit thread from its public JSON, following ``more`` stubs up to ``more_limit`` requests."""

from __future__ import annotations

import re
from typing import Any

from ..core.models import Thread
from .base import Context, Source, to_thread

__all__ = ["MORE_BATCH", "SOURCE"]

DEFAULT_BASE = "https://www.reddit.com"
#: Comment ids asked for in one ``/api/morechildren`` request (Reddit's maximum is 100).
MORE_BATCH = 100


def _listing(children: list[Any]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"children": children}}


def _graft(data: list[Any], link: str, ctx: Context, base: str) -> None:
    """Replace ``more`` stubs by the comments they stand for, in place, within the limit."""
    homes: dict[str, list[Any]] = {link: data[1]["data"]["children"]}
    stubs: list[tuple[list[Any], dict[str, Any]]] = []

    def index(children: list[Any]) -> None:
        for child in children:
            if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
                continue
            if child.get("kind") == "more":
                if child["data"].get("children"):
                    stubs.append((children, child))
                continue
            replies = child["data"].get("replies")
            if not isinstance(replies, dict):
                replies = child["data"]["replies"] = _listing([])
            homes[f"t1_{child['data'].get('id')}"] = replies["data"]["children"]
            index(replies["data"]["children"])

    index(homes[link])
    bar, done = ctx.bar("reddit: more comments"), 0
    while stubs and done < ctx.more_limit:
        children, stub = stubs.pop(0)
        ids = [str(i) for i in stub["data"]["children"]]
        batch, rest = ids[:MORE_BATCH], ids[MORE_BATCH:]
        answer = ctx.client.get_json(
            f"{base}/api/morechildren.json",
            params={"api_type": "json", "link_id": link, "children": ",".join(batch)},
        )
        done += 1
        bar.update(done)
        things = answer.get("json", {}).get("data", {}).get("things", []) if answer else []
        if rest:
            stub["data"]["children"] = rest
            stub["data"]["count"] = max(0, int(stub["data"].get("count") or 0) - len(batch))
            stubs.append((children, stub))
        elif stub in children:
            children.remove(stub)
        for thing in things:
            parent = str(thing.get("data", {}).get("parent_id", ""))
            home = homes.get(parent, homes[link])
            home.append(thing)
            if thing.get("kind") == "t1":
                index([thing])
            elif thing.get("kind") == "more" and thing["data"].get("children"):
                stubs.append((home, thing))
    bar.close()


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    base = ctx.base("reddit", DEFAULT_BASE)
    post_id = match.group("id")
    data = ctx.client.get_json(f"{base}/comments/{post_id}.json", params={"limit": 500})
    if isinstance(data, list) and len(data) == 2 and ctx.more_limit > 0:
        _graft(data, f"t3_{post_id}", ctx, base)
    return to_thread(data, "reddit", url)[0]


SOURCE = Source(
    name="reddit",
    label="Reddit thread",
    example="https://www.reddit.com/r/AskHistorians/comments/1cebxh/",
    pattern=re.compile(
        r"https?://(?:(?:www|old|new|np)\.)?(?:reddit\.com/(?:r/[\w-]+/)?comments|redd\.it)"
        r"/(?P<id>[a-z0-9]+)",
        re.IGNORECASE,
    ),
    fetch=_fetch,
)
