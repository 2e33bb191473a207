"""follow(): a real ThreadWidget kept in step with a server that changes between polls."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from threadwidget import ThreadWidget
from threadwidget.sources import fetch
from threadwidget.sources.follow import follow

from .conftest import Replay, data

URL = "https://news.ycombinator.com/item?id=1"
PATH = "/api/v1/items/1"
CAPTURE = "hackernews_item_captured.json"  # a real Algolia answer (tests/data/SOURCES.md)


def _wait(condition: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def _widget(
    replay: Replay, opts: Any, source: str = "hackernews", url: str = URL
) -> tuple[ThreadWidget, dict[str, str]]:
    """A widget on the thread at ``url`` fetched from the replay server as ``source``, and the
    base URLs that point ``source`` there."""
    base = {source: replay.url}
    return ThreadWidget(thread=fetch(url, base_urls=base, **opts), user="teacher"), base


def _polls_twice_more(handle: Any) -> None:
    polls = handle.polls
    _wait(lambda: handle.polls >= polls + 2)


def test_follow_adds_new_comments_edits_and_stops(replay: Replay, opts: Any) -> None:
    # The capture without its deepest reply (1079), then the whole capture: 1079 is new.
    # The edit of comment 15 between polls is made here, by the test.
    item = json.loads(data(CAPTURE))
    reply = item["children"][0]["children"][0]["children"].pop()
    replay.json(PATH, json.dumps(item).encode())
    widget, base = _widget(replay, opts)
    before = len(widget.thread.comments)
    handle = follow(widget, URL, every=0.05, base_urls=base, **opts)
    try:
        _wait(lambda: handle.polls >= 1)
        assert len(widget.thread.comments) == before  # nothing new: nothing added twice
        item["children"][0]["children"][0]["children"].append(reply)
        item["children"][0]["text"] = "<p>Edited at the source</p>"
        replay.json(PATH, json.dumps(item).encode())
        _wait(lambda: "1079" in widget.thread)
        _wait(lambda: widget.get("15").body == "Edited at the source")
        added = widget.get("1079")
        assert added.parent_id == "17" and added.author == "dmon" and added.body == "sure"
        assert added.extra["source_created_at"] == "2007-02-25T22:18:23+00:00"
        _polls_twice_more(handle)
        assert [c.id for c in widget.thread.comments].count("1079") == 1
        assert len(widget.thread.comments) == before + 1
        assert not handle.errors
    finally:
        handle.stop()
    assert not handle.running
    stopped_at = handle.polls
    time.sleep(0.2)
    assert handle.polls == stopped_at


def test_follow_stops_when_the_widget_closes(replay: Replay, opts: Any) -> None:
    replay.json(PATH, data(CAPTURE))
    widget, base = _widget(replay, opts)
    handle = follow(widget, URL, every=0.05, base_urls=base, **opts)
    _wait(lambda: handle.polls >= 1)
    widget.close()
    _wait(lambda: not handle.running)


def test_the_widgets_follow_method_stops_with_the_widget(replay: Replay, opts: Any) -> None:
    replay.json(PATH, data(CAPTURE))
    widget, base = _widget(replay, opts)
    handle = widget.follow(URL, every=0.05, base_urls=base, **opts)
    _wait(lambda: handle.polls >= 1)
    widget.close()
    assert not handle.running  # stopped by close(), not at its next poll


def test_follow_keeps_going_after_a_network_error(replay: Replay, opts: Any) -> None:
    replay.json(PATH, data(CAPTURE))
    widget, base = _widget(replay, opts)
    replay.fail_first(PATH, (404, {}, b""))
    seen: list[BaseException] = []
    handle = follow(widget, URL, every=0.05, base_urls=base, on_error=seen.append, **opts)
    try:
        _wait(lambda: handle.polls >= 3)
    finally:
        handle.stop()
    assert len(seen) == 1 and "not found" in str(seen[0])


def test_every_must_be_positive() -> None:
    with pytest.raises(ValueError, match="every"):
        follow(object(), URL, every=0)  # type: ignore[arg-type]


def test_follow_adds_a_reply_the_server_gained_between_polls(replay: Replay, opts: Any) -> None:
    # A captured mastodon.social context, then the same capture plus one more captured reply.
    status = "109294719267373593"
    url = f"https://mastodon.social/@austinkocher/{status}"
    path = f"/api/v1/statuses/{status}"
    context = json.loads(data("mastodon_context.json"))
    replay.json(path, data("mastodon_status.json"))
    replay.json(f"{path}/context", json.dumps(context).encode())
    widget, base = _widget(replay, opts, "mastodon", url)
    before = len(widget.thread.comments)
    handle = follow(widget, url, every=0.05, base_urls=base, **opts)
    try:
        _wait(lambda: handle.polls >= 1)
        assert len(widget.thread.comments) == before
        later = json.loads(data("mastodon_later_reply.json"))
        context["descendants"].append(later)
        replay.json(f"{path}/context", json.dumps(context).encode())
        _wait(lambda: later["id"] in widget.thread)
        added = widget.get(later["id"])
        assert added.parent_id == "109296144901329380"
        assert added.author == "mittfh (@mittfh@mastodon.lol)"  # empty display name: the username
        assert added.extra["source_created_at"] == "2022-11-06T19:11:42+00:00"
        _polls_twice_more(handle)
        assert [c.id for c in widget.thread.comments].count(later["id"]) == 1
        assert len(widget.thread.comments) == before + 1 and not handle.errors
    finally:
        handle.stop()
