"""``threadwidget fetch URL -o thread.json`` against the local replay server."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadwidget.cli import main
from threadwidget.formats import read_thread

from .conftest import Replay, data


def test_fetch_writes_the_thread(
    replay: Replay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay.json("/api/v1/items/1", data("hackernews_item_captured.json"))
    monkeypatch.setenv("THREADWIDGET_BASE_HACKERNEWS", replay.url)
    out = tmp_path / "thread.json"
    url = "https://news.ycombinator.com/item?id=1"
    code = main(["fetch", url, "-o", str(out), "--cache-dir", str(tmp_path / "c")])
    assert code == 0
    thread = read_thread(out)
    assert thread.post.extra["source"]["url"] == url and "1079" in thread


def test_fetch_errors(replay: Replay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREADWIDGET_BASE_HACKERNEWS", replay.url)
    cache = ["--cache-dir", str(tmp_path / "c")]
    assert main(["fetch", "https://news.ycombinator.com/item?id=1", *cache]) == 1
    assert main(["fetch", "https://example.com/nothing", *cache]) == 2
