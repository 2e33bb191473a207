"""A Reddit thread from its public JSON; the ``more`` stubs' ids asked for together, up to 100 per
request, in at most ``more_limit`` requests (a 500-comment thread takes a handful)."""

from __future__ import annotations

import re
from typing import Any

from ..core.models import Gap, Thread
from ..formats._jsonutil import as_dict
from .base import Context, Source, to_thread

__all__ = ["MORE_BATCH", "SOURCE"]

DEFAULT_BASE = "https://www.reddit.com"
#: Comment ids asked for in one ``/api/morechildren`` request (Reddit's maximum is 100).
MORE_BATCH = 100


def _listing(children: list[Any]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"children": children}}


def _graft(data: list[Any], link: str, ctx: Context, base: str) -> None:
    """Replace ``more`` stubs by the comments they stand for, in place: the ids of all stubs are
    asked for together, up to ``MORE_BATCH`` per request, in at most ``ctx.more_limit``
    requests. Stubs left (and "continue this thread" links) stay, for the importer's gaps."""
    homes: dict[str, list[Any]] = {link: data[1]["data"]["children"]}
    stubs: list[tuple[list[Any], dict[str, Any]]] = []
    seen = [0]  # comments read so far

    def index(children: list[Any]) -> None:
        for child in children:
            if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
                continue
            if child.get("kind") == "more":
                if child["data"].get("children"):
                    stubs.append((children, child))
                continue
            seen[0] += 1
            replies = child["data"].get("replies")
            if not isinstance(replies, dict):
                replies = child["data"]["replies"] = _listing([])
            homes[f"t1_{child['data'].get('id')}"] = replies["data"]["children"]
            index(replies["data"]["children"])

    index(homes[link])
    ctx.page(seen[0])
    requests = 0
    while stubs and requests < ctx.more_limit:
        batch: list[str] = []
        taken: list[tuple[list[Any], dict[str, Any], int]] = []
        asked: dict[str, str] = {}  # id -> the parent its stub names
        for children, stub in stubs:
            room = MORE_BATCH - len(batch)
            if room <= 0:
                break
            ids = [str(i) for i in stub["data"]["children"]][:room]
            batch += ids
            taken.append((children, stub, len(ids)))
            asked.update(dict.fromkeys(ids, str(stub["data"].get("parent_id") or "")))
        answer = ctx.client.get_json(
            f"{base}/api/morechildren.json",
            params={
                "api_type": "json",
                "link_id": link,
                "children": ",".join(batch),
                "limit_children": "false",
            },
        )
        requests += 1
        for children, stub, n in taken:
            rest = stub["data"]["children"][n:]
            if rest:
                stub["data"]["children"] = rest
                stub["data"]["count"] = max(0, int(stub["data"].get("count") or 0) - n)
            else:  # every id asked for: the stub goes (by identity: stubs may look alike)
                stubs[:] = [pair for pair in stubs if pair[1] is not stub]
                children[:] = [child for child in children if child is not stub]
        found = as_dict(as_dict(as_dict(answer).get("json")).get("data")).get("things")
        things = [t for t in found if isinstance(t, dict)] if isinstance(found, list) else []
        fresh = [t for t in things if t.get("kind") == "t1" and isinstance(t.get("data"), dict)]
        for thing in fresh:  # every new comment can take replies, whatever the answer's order
            replies = thing["data"].get("replies")
            if not isinstance(replies, dict):
                replies = thing["data"]["replies"] = _listing([])
            homes[f"t1_{thing['data'].get('id')}"] = replies["data"]["children"]
        for thing in things:
            parent = str(as_dict(thing.get("data")).get("parent_id", ""))
            home = homes.get(parent, homes[link])
            home.append(thing)
            if thing.get("kind") == "more" and as_dict(thing.get("data")).get("children"):
                stubs.append((home, thing))
        seen[0] += len(fresh)
        ctx.page(seen[0])
        _unanswered(ctx, asked, things)


def _unanswered(ctx: Context, asked: dict[str, str], things: list[dict[str, Any]]) -> None:
    """Ids asked for that the answer neither gave nor left in a new stub: recorded as gaps."""
    given: set[str] = set()
    for thing in things:
        data = as_dict(thing.get("data"))
        given.add(str(data.get("id")))
        given.update(str(i) for i in data.get("children") or [] if thing.get("kind") == "more")
    missing: dict[str, list[str]] = {}
    for cid, parent in asked.items():
        if cid not in given:
            missing.setdefault(parent, []).append(cid)
    for parent, ids in missing.items():
        ctx.gaps.append(
            Gap(
                kind="more",
                parent_id=parent[3:] if parent.startswith("t1_") else None,
                ids=tuple(i for i in ids if 0 < len(i) <= 64),
                count=len(ids),
                reason="asked for from Reddit but not in its answer (deleted, or cut short)",
            )
        )


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
