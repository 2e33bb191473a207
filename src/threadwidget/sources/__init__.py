"""``fetch(url)``: a live discussion from the web as a Thread, one module per source.

Every request goes through :class:`~threadwidget.sources.http.Client` (User-Agent, per-host rate
limit, retries honouring ``Retry-After``, on-disk cache). See ``docs/formats.md``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ..core.models import Post, Thread, utcnow
from . import blogger, bluesky, discourse, github, hackernews, lemmy, mastodon, reddit
from .base import Context, Source
from .cache import ENV_CACHE_DIR, Cache, default_cache_dir
from .errors import (
    FetchError,
    FetchWarning,
    NotFoundError,
    OfflineError,
    PrivateError,
    RateLimitedError,
    TokenRequiredError,
    UnsupportedURLError,
)
from .http import USER_AGENT, Client

__all__ = [
    "ENV_CACHE_DIR",
    "SOURCES",
    "USER_AGENT",
    "Cache",
    "Client",
    "FetchError",
    "FetchWarning",
    "NotFoundError",
    "OfflineError",
    "PrivateError",
    "RateLimitedError",
    "Source",
    "TokenRequiredError",
    "UnsupportedURLError",
    "default_cache_dir",
    "fetch",
    "find_source",
    "provenance",
]

#: Every source, in the order URLs are tried (specific hosts before any-instance patterns).
SOURCES: tuple[Source, ...] = (
    hackernews.SOURCE,
    reddit.SOURCE,
    bluesky.SOURCE,
    github.SOURCE,
    blogger.SOURCE,
    discourse.SOURCE,
    lemmy.SOURCE,
    mastodon.SOURCE,
)


def find_source(url: str) -> tuple[Source, Any]:
    """The source that reads this URL and its match; ``UnsupportedURLError`` listing them all."""
    for source in SOURCES:
        match = source.match(url.strip())
        if match is not None:
            return source, match
    listing = "\n".join(f"  {s.label}: {s.example}" for s in SOURCES)
    raise UnsupportedURLError(f"{url!r} is not a URL threadwidget can fetch; it reads:\n{listing}")


def provenance(thread: Thread) -> dict[str, Any] | None:
    """Where a fetched thread came from: ``{"url", "fetched_at", "kind", ...}``, or None."""
    found = thread.post.extra.get("source")
    return found if isinstance(found, dict) else None


def fetch(
    url: str,
    *,
    base_urls: Mapping[str, str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    cache: bool = True,
    refresh: bool = False,
    progress: bool = True,
    token: str | None = None,
    more_limit: int = 20,
    max_pages: int = 100,
    retries: int = 4,
    min_interval: float = 1.0,
    timeout: float = 30.0,
    sleep: Callable[[float], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Thread:
    """The discussion at ``url`` (as copied from the browser's address bar) as a Thread.

    Responses are cached under ``cache_dir`` (default: ``$THREADWIDGET_CACHE_DIR`` or the user
    cache directory); a cached response is used without any request unless ``refresh=True``.
    ``base_urls={"hackernews": "http://127.0.0.1:8000"}`` (or ``$THREADWIDGET_BASE_<SOURCE>``)
    sends a source's API requests elsewhere (a mirror, a self-hosted instance, a test server).
    ``more_limit`` caps Reddit ``more`` requests; ``max_pages`` any other paging (a
    :class:`FetchWarning` says when it cut a thread short). The thread's
    ``post.extra["source"]`` records the URL, the fetch time and the source. Failures raise a
    :class:`FetchError` subclass naming the URL; an unknown URL an ``UnsupportedURLError``.
    """
    if not isinstance(max_pages, int) or max_pages < 1:
        raise ValueError(f"max_pages must be a whole number of at least 1, not {max_pages!r}")
    source, match = find_source(url)
    store = Cache(cache_dir) if cache else None
    client = Client(
        cache=store,
        refresh=refresh,
        retries=retries,
        min_interval=min_interval,
        timeout=timeout,
        transport=transport,
        sleep=sleep or time.sleep,
    )
    ctx = Context(
        client=client,
        base_urls=dict(base_urls or {}),
        progress=progress,
        token=token,
        more_limit=more_limit,
        max_pages=max_pages,
    )
    with client:
        thread = source.fetch(match, url.strip(), ctx)
    record: dict[str, Any] = {
        "url": url.strip(),
        "fetched_at": utcnow().isoformat().replace("+00:00", "Z"),
        "kind": source.name,
        "label": source.label,
        "requests": client.requests,
    }
    data = thread.post.model_dump()
    data["extra"] = {**data.get("extra", {}), "source": record}
    data["url"] = data.get("url") or url.strip()
    post = Post.model_validate(data)
    return Thread.build(post, thread.comments)
