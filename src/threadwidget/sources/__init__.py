"""``fetch(url)``: a live discussion from the web as a Thread, one module per source.

Every request goes through :class:`~threadwidget.sources.http.Client` (User-Agent, per-host rate
limit, retries honouring ``Retry-After``, on-disk cache). See ``docs/formats.md``.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..core.models import Post, Thread, utcnow
from ..formats.native import ThreadFileError
from . import blogger, bluesky, discourse, github, hackernews, lemmy, mastodon, reddit
from .base import Context, Source
from .cache import ENV_CACHE_DIR, MAX_CACHE_BYTES, Cache, default_cache_dir
from .errors import (
    DeadlineError,
    FetchError,
    FetchWarning,
    NoAnswerError,
    NotFoundError,
    OfflineError,
    PrivateError,
    RateLimitedError,
    ResponseTooLargeError,
    RetryAfterTooLongError,
    ServerError,
    TokenRequiredError,
    UnexpectedAnswerError,
    UnsupportedURLError,
)
from .http import DEADLINE, MAX_BYTES, MAX_WAIT, USER_AGENT, Client
from .progress import Progress

__all__ = [
    "DEADLINE",
    "ENV_CACHE_DIR",
    "MAX_BYTES",
    "MAX_CACHE_BYTES",
    "MAX_WAIT",
    "SOURCES",
    "USER_AGENT",
    "Cache",
    "Client",
    "DeadlineError",
    "FetchError",
    "FetchWarning",
    "NoAnswerError",
    "NotFoundError",
    "OfflineError",
    "PrivateError",
    "RateLimitedError",
    "ResponseTooLargeError",
    "RetryAfterTooLongError",
    "ServerError",
    "Source",
    "TokenRequiredError",
    "UnexpectedAnswerError",
    "UnsupportedURLError",
    "clear_cache",
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
    if not isinstance(url, str):
        raise UnsupportedURLError(repr(url), "a URL is text (a str)")
    for source in SOURCES:
        match = source.match(url.strip())
        if match is not None:
            return source, match
    listing = "\n".join(f"  {s.label}: {s.example}" for s in SOURCES)
    raise UnsupportedURLError(url, f"not a URL threadwidget can fetch; it reads:\n{listing}")


def provenance(thread: Thread) -> dict[str, Any] | None:
    """Where a fetched thread came from: ``{"url", "fetched_at", "kind", ...}``, or None."""
    found = thread.post.extra.get("source")
    return found if isinstance(found, dict) else None


def clear_cache(cache_dir: str | os.PathLike[str] | None = None) -> int:
    """Remove every cached answer (default: the default cache directory); how many there were."""
    return Cache(cache_dir).clear()


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
    deadline: float | None = DEADLINE,
    max_wait: float = MAX_WAIT,
    max_bytes: int = MAX_BYTES,
    sleep: Callable[[float], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Thread:
    """The discussion at ``url`` (as copied from the browser's address bar) as a Thread.

    Answers are parsed, then cached under ``cache_dir`` (default: ``$THREADWIDGET_CACHE_DIR`` or
    the user cache directory); a cached answer is used without any request unless
    ``refresh=True``. ``base_urls={"hackernews": "http://127.0.0.1:8000"}`` (or
    ``$THREADWIDGET_BASE_<SOURCE>``) sends a source's API requests elsewhere. ``timeout`` bounds
    one request, ``deadline`` the whole fetch (None: no bound), ``max_wait`` a ``Retry-After``
    wait, ``max_bytes`` one answer. ``more_limit`` caps Reddit ``more`` requests, ``max_pages``
    any other paging; what they leave out is in ``thread.completeness`` (and a
    :class:`FetchWarning`). Progress shows in a notebook bar or a terminal status line unless
    ``progress=False``. Every failure is a :class:`FetchError` subclass naming the URL.
    """
    if not isinstance(max_pages, int) or max_pages < 1:
        raise ValueError(f"max_pages must be a whole number of at least 1, not {max_pages!r}")
    if not isinstance(more_limit, int) or more_limit < 0:
        raise ValueError(f"more_limit must be a whole number of at least 0, not {more_limit!r}")
    source, match = find_source(url)
    url = url.strip()
    store = Cache(cache_dir) if cache else None
    shown = Progress(f"{source.name} {urlsplit(url).netloc or url}", enabled=progress)
    client = Client(
        cache=store,
        refresh=refresh,
        retries=retries,
        min_interval=min_interval,
        timeout=timeout,
        deadline=deadline,
        max_wait=max_wait,
        max_bytes=max_bytes,
        progress=shown,
        transport=transport,
        sleep=sleep or time.sleep,
    )
    ctx = Context(
        client=client,
        base_urls=dict(base_urls or {}),
        progress=shown,
        token=token,
        more_limit=more_limit,
        max_pages=max_pages,
    )
    try:
        with client:
            thread = _read(source, match, url, ctx)
    except FetchError as error:
        if isinstance(error, UnexpectedAnswerError):
            client.forget()  # the answers that made a wrong thread must not be served again
        shown.close(failed=type(error).__name__)
        raise
    except BaseException:
        shown.close(failed="interrupted")
        raise
    record: dict[str, Any] = {
        "url": url,
        "fetched_at": utcnow().isoformat().replace("+00:00", "Z"),
        "kind": source.name,
        "label": source.label,
        "requests": client.requests,
    }
    data = thread.post.model_dump()
    data["extra"] = {**data.get("extra", {}), "source": record}
    data["url"] = data.get("url") or url
    data["gaps"] = [*data.get("gaps", ()), *(g.model_dump() for g in ctx.gaps)]
    thread = Thread.build(Post.model_validate(data), thread.comments)
    shown.found(len(thread.comments))
    shown.close()
    completeness = thread.completeness
    if not completeness.complete:
        reasons = list(dict.fromkeys(g.reason for g in completeness.gaps if g.reason))
        warnings.warn(
            FetchWarning(f"{url}: {completeness.text()} ({'; '.join(reasons[:4])})"),
            stacklevel=2,
        )
    return thread


def _read(source: Source, match: Any, url: str, ctx: Context) -> Thread:
    """The source's thread; an answer of a shape it cannot read is an UnexpectedAnswerError."""
    try:
        return source.fetch(match, url, ctx)
    except FetchError:
        raise
    except ThreadFileError as error:
        raise UnexpectedAnswerError(
            url,
            f"the server's answer does not have the shape of a {source.label} ({error}); "
            "nothing of it was cached: if the address is right, the site may have changed its "
            "API, or answered an error in its own words",
        ) from error
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as error:
        raise UnexpectedAnswerError(
            url,
            f"the server's answer does not have the shape of a {source.label} "
            f"({type(error).__name__}: {error}); nothing of it was cached",
        ) from error
