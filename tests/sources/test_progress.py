"""What a fetch shows while it runs: requests, pages, comments so far, each wait with its reason;
nothing for a cached fetch or with progress=False."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from threadwidget.cli import main
from threadwidget.sources import discourse, fetch

from .conftest import Replay, data

HN = "https://news.ycombinator.com/item?id=1"
PATH = "/api/v1/items/1"
CAPTURE = "hackernews_item_captured.json"


def test_progress_shows_requests_waits_with_their_reason_and_the_end(
    replay: Replay, opts: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    replay.json(PATH, data(CAPTURE))
    replay.fail_first(PATH, (429, {"Retry-After": "7"}, b""), (503, {}, b""))
    fetch(HN, base_urls={"hackernews": replay.url}, **{**opts, "progress": True})
    err = capsys.readouterr().err
    host = replay.url.removeprefix("http://")
    assert f"rate limited by {host}, retrying in 7 s" in err
    assert f"{host} answered HTTP 503, retrying in 2 s" in err
    assert "3 requests" in err and "1 page, 3 comments, done" in err
    # answered from the cache: nothing to show
    fetch(HN, base_urls={"hackernews": replay.url}, **{**opts, "progress": True})
    assert capsys.readouterr().err == ""


def test_progress_counts_pages_and_comments_of_a_paged_fetch(
    replay: Replay, opts: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    posts = json.loads(data("discourse_posts.json"))["post_stream"]["posts"]
    by_id = {p["id"]: p for p in posts}
    topic = {
        "id": 2144,
        "title": "KPop Demon Hunters",
        "post_stream": {"posts": posts[:4], "stream": [p["id"] for p in posts]},
    }
    replay.json("/t/2144.json", json.dumps(topic).encode())

    def page(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        chosen = [by_id[int(i)] for i in query["post_ids[]"]]
        return 200, {}, json.dumps({"post_stream": {"posts": chosen}}).encode()

    replay.routes["/t/2144/posts.json"] = page
    monkeypatch.setattr(discourse, "PAGE", 5)
    url = "https://discuss.example.org/t/kpop-demon-hunters/2144"
    fetch(url, base_urls={"discourse": replay.url}, **{**opts, "progress": True})
    err = capsys.readouterr().err
    pages = 1 + -(-(len(posts) - 4) // 5)
    assert f"{pages} pages, {len(posts) - 1} comments, done" in err
    assert f"{pages}/{pages}" in err  # the total was known: a bar, full at the end
    fetch(url, base_urls={"discourse": replay.url}, **opts, refresh=True)  # progress=False
    assert capsys.readouterr().err == ""


def test_cli_shows_a_status_line_unless_no_progress(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay.json(PATH, data(CAPTURE))
    out = tmp_path / "t.json"
    base = ["--base-url", f"hackernews={replay.url}", "--cache-dir", str(tmp_path / "c")]
    assert main(["fetch", HN, "-o", str(out), *base]) == 0
    assert "hackernews news.ycombinator.com" in capsys.readouterr().err
    assert main(["fetch", HN, "-o", str(out), *base, "--refresh", "--no-progress"]) == 0
    assert "requests" not in capsys.readouterr().err
