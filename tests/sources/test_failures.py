"""Servers that misbehave as real ones do: every failure says what happened, is a FetchError, is
never cached, and never keeps a notebook waiting silently or past its deadline."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

import threadwidget
from threadwidget.sources import (
    Cache,
    DeadlineError,
    FetchError,
    NoAnswerError,
    OfflineError,
    ResponseTooLargeError,
    RetryAfterTooLongError,
    UnexpectedAnswerError,
    UnsupportedURLError,
    errors,
    fetch,
)

from .conftest import Misbehaving, Replay, data

HN = "https://news.ycombinator.com/item?id=1"
PATH = "/api/v1/items/1"
CAPTURE = "hackernews_item_captured.json"  # a real Algolia answer (tests/data/SOURCES.md)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"

#: what a hotel or campus Wi-Fi answers every request with until one signs in (written here)
PORTAL = (
    b"<!DOCTYPE html><html><head><title>Welcome! Sign in to Campus Wi-Fi</title></head>"
    b"<body><form action='/login'><input name='user'></form></body></html>"
)


def _asked(replay: Replay) -> int:
    return sum(1 for _, target, _ in replay.log if target.startswith(PATH))


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ((200, {"Content-Type": "application/json"}, data(CAPTURE)[:300]), "ends too early"),
        ((200, {"Content-Type": "text/html"}, PORTAL), "Sign in to Campus Wi-Fi"),
        ((200, {"Content-Type": "application/json"}, b'{"message": "ok", "hits": []}'), "shape"),
    ],
    ids=["truncated", "portal", "other-shape"],
)
def test_a_bad_answer_is_never_cached_and_the_next_fetch_asks_again(
    replay: Replay, opts: Any, answer: Any, said: str
) -> None:
    replay.json(PATH, data(CAPTURE))
    replay.fail_first(PATH, answer)
    base = {"hackernews": replay.url}
    with pytest.raises(UnexpectedAnswerError, match=said) as caught:
        fetch(HN, base_urls=base, **opts)
    assert isinstance(caught.value, threadwidget.FetchError)
    assert "refresh=True" in str(caught.value) or "nothing of it was cached" in str(caught.value)
    # the server is fixed: the next fetch asks it again (nothing of the bad answer was kept)
    thread = fetch(HN, base_urls=base, **opts)
    assert thread.post.title == "Y Combinator" and _asked(replay) == 2
    assert thread.post.extra["source"]["requests"] == 1
    # and now the good answer is cached
    assert fetch(HN, base_urls=base, **opts).post.extra["source"]["requests"] == 0


def test_a_portal_page_says_what_it_may_be_and_how_to_retry(replay: Replay, opts: Any) -> None:
    replay.routes[PATH] = (200, {"Content-Type": "text/html; charset=utf-8"}, PORTAL)
    with pytest.raises(UnexpectedAnswerError) as caught:
        fetch(HN, base_urls={"hackernews": replay.url}, **opts)
    message = str(caught.value)
    assert "web page titled 'Welcome! Sign in to Campus Wi-Fi'" in message
    assert "captive portal" in message and "login" in message and "refresh=True" in message


def test_a_bad_answer_an_earlier_version_cached_is_asked_again(
    replay: Replay, opts: Any, tmp_path: Path
) -> None:
    replay.json(PATH, data(CAPTURE))
    url = f"{replay.url}{PATH}"
    Cache(opts["cache_dir"]).put(f"GET {url}", PORTAL)  # stored unparsed, as before the fix
    thread = fetch(HN, base_urls={"hackernews": replay.url}, **opts)
    assert thread.post.title == "Y Combinator" and _asked(replay) == 1


def test_a_shape_error_forgets_every_answer_of_that_fetch(replay: Replay, opts: Any) -> None:
    # Mastodon: the status parses, the context is JSON of another shape; neither is kept.
    status = "109294719267373593"
    replay.json(f"/api/v1/statuses/{status}", data("mastodon_status.json"))
    replay.json(f"/api/v1/statuses/{status}/context", b'{"message": "ok", "hits": []}')
    url = f"https://mastodon.social/@austinkocher/{status}"
    base = {"mastodon": replay.url}
    with pytest.raises(UnexpectedAnswerError, match="not a Mastodon context"):
        fetch(url, base_urls=base, **opts)
    replay.json(f"/api/v1/statuses/{status}/context", data("mastodon_context.json"))
    thread = fetch(url, base_urls=base, **opts)
    assert len(thread.comments) == 8 and thread.post.extra["source"]["requests"] == 2


def test_every_failure_is_a_fetch_error_importable_from_threadwidget_and_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    table = docs.split("## When fetching fails", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `(\w+)`", table, flags=re.MULTILINE))
    classes = [n for n in errors.__all__ if n != "FetchWarning"]
    for name in classes:
        cls = getattr(threadwidget, name)
        assert cls is getattr(errors, name) and issubclass(cls, threadwidget.FetchError)
        assert name in threadwidget.__all__
        assert name in named, f"{name} is not in the 'When fetching fails' table"
    assert named <= {*classes, "FetchWarning", "ThreadLoadWarning", "ValueError"}
    with pytest.raises(FetchError):  # an unknown URL too
        fetch("https://example.com/some/page")
    assert issubclass(UnsupportedURLError, FetchError)


def test_cannot_connect_is_told_from_connected_but_no_answer(
    misbehaving: Misbehaving, opts: Any
) -> None:
    refused = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(OfflineError, match=r"cannot connect to 127\.0\.0\.1:9 .*2 attempts"):
        fetch(HN, base_urls={"hackernews": refused}, retries=1, **opts)
    started = time.monotonic()
    with pytest.raises(NoAnswerError) as caught:
        fetch(HN, base_urls={"hackernews": misbehaving.url}, retries=1, timeout=0.5, **opts)
    host = misbehaving.url.removeprefix("http://")
    assert f"connected to {host}, but it sent no answer within 0.5 s (2 attempts)" in str(
        caught.value
    )
    assert "cannot reach" not in str(caught.value) and misbehaving.accepted == 2
    assert time.monotonic() - started < 5
    misbehaving.mode = "close"
    with pytest.raises(NoAnswerError, match="closed the connection without an answer"):
        fetch(HN, base_urls={"hackernews": misbehaving.url}, retries=0, **opts)


def test_a_stalled_server_gets_one_more_try_not_four(misbehaving: Misbehaving, opts: Any) -> None:
    started = time.monotonic()
    with pytest.raises(NoAnswerError, match=r"within 0\.5 s \(2 attempts\)"):
        fetch(HN, base_urls={"hackernews": misbehaving.url}, timeout=0.5, **opts)  # retries=4
    assert misbehaving.accepted == 2 and time.monotonic() - started < 4


def test_a_trickling_server_is_stopped_by_the_timeout(misbehaving: Misbehaving, opts: Any) -> None:
    # One byte every 0.1 s: each read is quick, so only a bound on the whole answer stops it.
    misbehaving.mode = "trickle"
    started = time.monotonic()
    with pytest.raises(NoAnswerError, match=r"its answer came too slowly: \d+ bytes in 1 s"):
        fetch(HN, base_urls={"hackernews": misbehaving.url}, retries=0, timeout=1, **opts)
    assert time.monotonic() - started < 4


def test_the_whole_fetch_has_a_deadline(misbehaving: Misbehaving, opts: Any) -> None:
    # A stalling server, a timeout longer than the deadline: the deadline ends it, saying so.
    started = time.monotonic()
    with pytest.raises(DeadlineError, match=r"deadline is 2 s") as caught:
        fetch(
            HN,
            base_urls={"hackernews": misbehaving.url},
            retries=50,
            timeout=5,
            deadline=2,
            **opts,
        )
    assert time.monotonic() - started < 4
    assert "deadline=" in str(caught.value)


def test_a_wait_past_the_deadline_fails_at_once(replay: Replay, opts: Any) -> None:
    waits: list[float] = []
    replay.fail_first(PATH, (429, {"Retry-After": "50"}, b""))
    with pytest.raises(DeadlineError, match=r"rate limited by .*: it would wait 50 s more"):
        fetch(
            HN, base_urls={"hackernews": replay.url}, deadline=10, **{**opts, "sleep": waits.append}
        )
    assert waits == [] and _asked(replay) == 1


def test_a_retry_after_beyond_max_wait_stops_at_once_naming_the_wait(
    replay: Replay, opts: Any
) -> None:
    # Four 429s asking for an hour each waited 484 s in silence before; now the first one ends it.
    waits: list[float] = []
    replay.fail_first(PATH, *[(429, {"Retry-After": "3600"}, b"")] * 4)
    replay.json(PATH, data(CAPTURE))
    with pytest.raises(RetryAfterTooLongError) as caught:
        fetch(HN, base_urls={"hackernews": replay.url}, **{**opts, "sleep": waits.append})
    message = str(caught.value)
    assert "asks to wait 1 h 0 min" in message and "Retry-After: 3600" in message
    assert "max_wait=60 s" in message and "max_wait=3601" in message
    assert caught.value.wait == 3600 and caught.value.status == 429
    assert isinstance(caught.value, threadwidget.RateLimitedError)
    assert waits == [] and _asked(replay) == 1
    # a wait within max_wait is waited, then the fetch goes on
    replay.failures.clear()
    replay.fail_first(PATH, (429, {"Retry-After": "30"}, b""))
    fetch(HN, base_urls={"hackernews": replay.url}, **{**opts, "sleep": waits.append})
    assert waits == [30.0]


def test_an_answer_over_max_bytes_is_refused(replay: Replay, opts: Any) -> None:
    replay.json(PATH, data(CAPTURE))
    size = len(data(CAPTURE))
    with pytest.raises(ResponseTooLargeError, match=rf"max_bytes=1,000 bytes .*{size:,} bytes"):
        fetch(HN, base_urls={"hackernews": replay.url}, max_bytes=1000, **opts)
    assert fetch(HN, base_urls={"hackernews": replay.url}, **opts).post.title == "Y Combinator"


def test_a_misbehaving_follow_keeps_fetch_errors(replay: Replay, opts: Any) -> None:
    from threadwidget import ThreadWidget
    from threadwidget.sources.follow import follow

    replay.json(PATH, data(CAPTURE))
    base = {"hackernews": replay.url}
    widget = ThreadWidget(thread=fetch(HN, base_urls=base, **opts), user="teacher")
    replay.json(PATH, b'{"message": "ok", "hits": []}')
    handle = follow(widget, HN, every=60, base_urls=base, start=False, **opts)
    assert handle.poll() is None
    assert [type(e) for e in handle.errors] == [UnexpectedAnswerError]
    with pytest.raises(UnsupportedURLError):  # said at once, not on every poll
        follow(widget, "https://example.com/x", every=60)
    json.dumps([str(e) for e in handle.errors])


def test_a_portal_instead_of_a_blogger_feed_is_not_cached(replay: Replay, opts: Any) -> None:
    # The captured hradiska.sk post feed, then a portal page where its comment feed should be.
    replay.routes["/feeds/posts/default"] = (200, {}, data("blogger_post_captured.xml"))
    comments = "/feeds/7363549676454738514/comments/default"
    replay.routes[comments] = (200, {"Content-Type": "text/html"}, PORTAL)
    url = "http://www.hradiska.sk/2023/01/bronzovy-poklad-z-hradiska-na-strednom.html"
    base = {"blogger": replay.url}
    with pytest.raises(UnexpectedAnswerError, match="Sign in to Campus Wi-Fi"):
        fetch(url, base_urls=base, **opts)
    replay.routes[comments] = (200, {}, data("blogger_comments_captured.xml"))
    thread = fetch(url, base_urls=base, **opts)
    assert len(thread.comments) == 2 and thread.post.extra["source"]["requests"] == 2


def test_an_invalid_base_url_is_a_fetch_error(opts: Any) -> None:
    with pytest.raises(FetchError, match="not a valid address"):
        fetch(HN, base_urls={"hackernews": "http://[::1"}, **opts)


def test_every_fetch_error_is_importable_from_the_package() -> None:
    """Each error `sources.errors` declares is a lazy top-level name, in `__all__` and `dir()`."""
    import subprocess
    import sys

    from threadwidget.sources import errors

    for name in errors.__all__:
        assert name in threadwidget.__all__, name
        assert getattr(threadwidget, name) is getattr(errors, name)
        assert name in dir(threadwidget)
    # Importing the package alone must not import httpx (it is loaded on the first fetch).
    code = "import sys, threadwidget; assert 'httpx' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
