"""A Bluesky post thread from the public AppView (no login): ``app.bsky.feed.getPostThread``."""

from __future__ import annotations

import re

from ..core.models import Thread
from .base import Context, Source, to_thread
from .errors import NotFoundError

__all__ = ["SOURCE"]

DEFAULT_BASE = "https://public.api.bsky.app"


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    base = ctx.base("bluesky", DEFAULT_BASE)
    actor = match.group("actor")
    if not actor.startswith("did:"):
        answer = ctx.client.get_json(
            f"{base}/xrpc/com.atproto.identity.resolveHandle", params={"handle": actor}
        )
        actor = str(answer.get("did") or "") if isinstance(answer, dict) else ""
        if not actor:
            raise NotFoundError(url, f"the handle {match.group('actor')!r} does not resolve")
    uri = f"at://{actor}/app.bsky.feed.post/{match.group('rkey')}"
    data = ctx.client.get_json(
        f"{base}/xrpc/app.bsky.feed.getPostThread",
        params={"uri": uri, "depth": 1000, "parentHeight": 1000},
    )
    ctx.page()
    thread = data.get("thread") if isinstance(data, dict) else None
    if isinstance(thread, dict) and thread.get("notFound"):
        raise NotFoundError(url, "Bluesky says the post is not found (deleted?)")
    return to_thread(data, "bluesky", url)[0]


SOURCE = Source(
    name="bluesky",
    label="Bluesky post",
    example="https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
    pattern=re.compile(
        r"https?://(?:www\.)?bsky\.app/profile/(?P<actor>[\w.:-]+)/post/(?P<rkey>[\w-]+)"
    ),
    fetch=_fetch,
)
