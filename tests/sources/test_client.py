"""The HTTP client: Retry-After on 429/503, 5xx retries, the cache offline, User-Agent, pacing."""

from __future__ import annotations

from typing import Any

import pytest

from threadwidget.sources import USER_AGENT, OfflineError, RateLimitedError, fetch
from threadwidget.sources.http import Client

from .conftest import Replay, data

HN = "https://news.ycombinator.com/item?id=1"
PATH = "/api/v1/items/1"
CAPTURE = "hackernews_item_captured.json"  # a real Algolia answer (tests/data/SOURCES.md)


def test_429_waits_what_retry_after_says(replay: Replay, opts: Any) -> None:
    waits: list[float] = []
    replay.json(PATH, data(CAPTURE))
    replay.fail_first(PATH, (429, {"Retry-After": "7"}, b""), (503, {"Retry-After": "2"}, b""))
    thread = fetch(HN, base_urls={"hackernews": replay.url}, **{**opts, "sleep": waits.append})
    assert thread.post.title == "Y Combinator"
    assert waits == [7.0, 2.0]
    assert [h["User-Agent"] for _, _, h in replay.log] == [USER_AGENT] * 3
    assert "github.com/threadwidget" in USER_AGENT


def test_5xx_retried_with_exponential_backoff_then_a_clear_error(replay: Replay, opts: Any) -> None:
    waits: list[float] = []
    replay.json(PATH, data(CAPTURE))
    replay.fail_first(PATH, (500, {}, b"oops"), (502, {}, b""), (504, {}, b""))
    fetch(HN, base_urls={"hackernews": replay.url}, **{**opts, "sleep": waits.append})
    assert waits == [1.0, 2.0, 4.0]
    replay.fail_first(PATH, *[(500, {}, b"")] * 3)
    with pytest.raises(Exception, match=r"server failed \(HTTP 500\) after 3 attempts"):
        fetch(HN, base_urls={"hackernews": replay.url}, retries=2, refresh=True, **opts)


def test_429_every_time_is_rate_limited(replay: Replay, opts: Any) -> None:
    replay.fail_first(PATH, *[(429, {"Retry-After": "1"}, b"")] * 5)
    with pytest.raises(RateLimitedError, match="rate-limited") as caught:
        fetch(HN, base_urls={"hackernews": replay.url}, retries=4, **opts)
    assert isinstance(caught.value, ValueError)


def test_cache_hit_with_the_network_refused(replay: Replay, opts: Any) -> None:
    replay.json(PATH, data(CAPTURE))
    first = fetch(HN, base_urls={"hackernews": replay.url}, **opts)
    asked = len(replay.log)
    refused = "http://127.0.0.1:9"  # nothing listens on the discard port
    replay.routes.clear()
    # the same base URL, now answering nothing: the cache answers without a request
    again = fetch(HN, base_urls={"hackernews": replay.url}, **opts)
    assert len(replay.log) == asked and again.comments == first.comments
    assert again.post.extra["source"]["requests"] == 0
    with pytest.raises(OfflineError, match="nothing is cached"):
        fetch(HN, base_urls={"hackernews": refused}, retries=1, **opts)


def test_refresh_bypasses_the_cache(replay: Replay, opts: Any) -> None:
    replay.json(PATH, data(CAPTURE))
    fetch(HN, base_urls={"hackernews": replay.url}, **opts)
    fetch(HN, base_urls={"hackernews": replay.url}, refresh=True, **opts)
    assert len(replay.log) == 2


def test_base_url_from_the_environment(
    replay: Replay, opts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay.json(PATH, data(CAPTURE))
    monkeypatch.setenv("THREADWIDGET_BASE_HACKERNEWS", replay.url)
    assert fetch(HN, **opts).post.title == "Y Combinator"


def test_requests_to_one_host_are_spaced(replay: Replay) -> None:
    replay.json("/a", b"{}")
    clock = iter([0.0, 0.5, 1.0])  # first request, second (too soon), after the wait
    waits: list[float] = []
    with Client(min_interval=1.0, sleep=waits.append, clock=lambda: next(clock)) as client:
        client.get_json(f"{replay.url}/a")
        client.get_json(f"{replay.url}/a")
    assert waits == [pytest.approx(0.5)]


def test_the_cache_is_bounded_least_recently_used_first(tmp_path: Any) -> None:
    import os

    from threadwidget.sources import Cache, clear_cache

    cache = Cache(tmp_path, max_bytes=2500)
    for n in range(5):
        cache.put(f"GET /{n}", bytes(1000))
        path = cache._path(f"GET /{n}")
        os.utime(path, (n, n))  # written one after another

    def kept() -> list[int]:
        return [n for n in range(6) if cache._path(f"GET /{n}").exists()]

    assert kept() == [3, 4] and cache.size()[1] <= 2500
    os.utime(cache._path("GET /4"), (5, 5))
    assert cache.get("GET /3") is not None  # /3 used again: /4 is now the least recent
    cache.put("GET /5", bytes(1000))
    assert kept() == [3, 5]
    assert clear_cache(tmp_path) == 2 and cache.size() == (0, 0)
