"""w.follow, then w.close() while the server is failing (issue #22, item 3): close returns at
once, and no request is sent and no comment applied after it."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from threadwidget import ThreadWidget
from threadwidget.sources import fetch

from .conftest import Replay, data

URL = "https://news.ycombinator.com/item?id=1"
PATH = "/api/v1/items/1"
CAPTURE = "hackernews_item_captured.json"


def test_close_during_a_failing_follow_ends_it_at_once(replay: Replay, tmp_path: Path) -> None:
    item = json.loads(data(CAPTURE))
    reply = item["children"][0]["children"][0]["children"].pop()
    replay.json(PATH, json.dumps(item).encode())
    base = {"hackernews": replay.url}
    cache = tmp_path / "cache"
    w = ThreadWidget(thread=fetch(URL, base_urls=base, cache_dir=cache, progress=False))
    heard: list[str] = []
    w.on_comment(lambda comment: heard.append(comment.id))
    before = {c.id for c in w.thread.comments}
    # the server fails (asking to retry in a second) three times, then has a new reply
    busy = (503, {"Retry-After": "1", "Content-Type": "application/json"}, b"{}")
    replay.fail_first(PATH, busy, busy, busy)
    item["children"][0]["children"][0]["children"].append(reply)
    replay.json(PATH, json.dumps(item).encode())
    threads = threading.active_count()
    requests = len(replay.log)
    follower = w.follow(URL, every=60, base_urls=base, cache_dir=cache, min_interval=0)
    deadline = time.monotonic() + 10
    while len(replay.log) == requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(replay.log) == requests + 1  # the first request failed; a retry is waiting
    started = time.monotonic()
    w.close()
    assert time.monotonic() - started < 0.5
    sent = len(replay.log)
    time.sleep(3.5)  # the retries would have come and gone by now
    assert len(replay.log) == sent
    assert not follower.running
    assert threading.active_count() <= threads
    assert {c.id for c in w.thread.comments} == before and heard == []
