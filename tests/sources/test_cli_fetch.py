"""``threadwidget fetch URL -o thread.json`` against the local replay server."""

from __future__ import annotations

import json
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


def test_fetch_prints_what_the_import_filled_in(
    replay: Replay,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # PyGithub's captured discussion answer asked for no bodies: the command says so and writes.
    captured = json.loads(data("github_discussions_captured.json"))["data"]["repository"]
    discussion = next(n for n in captured["discussions"]["nodes"] if n["number"] == 2619)
    replay.json(
        "/graphql", json.dumps({"data": {"repository": {"discussion": discussion}}}).encode()
    )
    monkeypatch.setenv("THREADWIDGET_BASE_GITHUB", replay.url)
    monkeypatch.setenv("GITHUB_TOKEN", "x")
    out = tmp_path / "thread.json"
    url = "https://github.com/PyGithub/PyGithub/discussions/2619"
    assert main(["fetch", url, "-o", str(out), "--cache-dir", str(tmp_path / "c")]) == 0
    err = capsys.readouterr().err
    assert "threadwidget: warning:" in err and "body (id DC_kwDOADYVqs4AYdCH): missing" in err
    assert read_thread(out).post.author == "ghost"


def test_fetch_errors(replay: Replay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREADWIDGET_BASE_HACKERNEWS", replay.url)
    cache = ["--cache-dir", str(tmp_path / "c")]
    assert main(["fetch", "https://news.ycombinator.com/item?id=1", *cache]) == 1
    assert main(["fetch", "https://example.com/nothing", *cache]) == 2
