"""``threadwidget fetch URL -o thread.json`` against the local replay server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def test_fetch_options_on_the_command_line(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --base-url points a source elsewhere; --max-pages cuts a paged thread (said, and kept in
    # the file); --timeout/--deadline/--max-bytes reach the client.
    replay.json("/api/v1/items/1", data("hackernews_item_captured.json"))
    cache = ["--cache-dir", str(tmp_path / "c"), "--no-progress"]
    out = tmp_path / "hn.json"
    url = "https://news.ycombinator.com/item?id=1"
    base = ["--base-url", f"hackernews={replay.url}"]
    assert main(["fetch", url, "-o", str(out), *base, *cache, "--timeout", "5"]) == 0
    assert read_thread(out).post.title == "Y Combinator"
    assert main(["fetch", url, *base, *cache, "--refresh", "--max-bytes", "100"]) == 1
    assert "max_bytes=100 bytes" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad:
        main(["fetch", url, "--base-url", "nonsense=ftp://x", *cache])
    assert bad.value.code == 2 and "KIND=URL" in capsys.readouterr().err
    # Lemmy, one comment per page, --max-pages 1: the thread says what it lacks
    comments = json.loads(data("lemmy_comments_captured.json"))
    view = comments["comments"][0]
    post = {"post_view": {k: view[k] for k in ("post", "creator", "community")}}
    post["post_view"]["counts"] = {"comments": 2}
    replay.json("/api/v3/post", json.dumps(post).encode())

    def page(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        n = int(query["page"][0])
        return 200, {}, json.dumps({"comments": comments["comments"][n - 1 : n]}).encode()

    replay.routes["/api/v3/comment/list"] = page
    monkey = pytest.MonkeyPatch()
    from threadwidget.sources import lemmy

    monkey.setattr(lemmy, "PAGE", 1)
    try:
        lemmy_out = tmp_path / "lemmy.json"
        args = ["fetch", "https://localhost/post/1", "-o", str(lemmy_out)]
        code = main([*args, "--base-url", f"lemmy={replay.url}", *cache, "--max-pages", "1"])
    finally:
        monkey.undo()
    assert code == 0
    err = capsys.readouterr().err
    assert "threadwidget: warning:" in err and "incomplete: 1 reply not loaded" in err
    saved = read_thread(lemmy_out)
    assert len(saved.comments) == 1 and saved.completeness.not_loaded == 1
    assert saved.completeness.gaps[0].kind == "pages"


def test_cache_command_shows_and_clears(replay: Replay, tmp_path: Path, capsys: Any) -> None:
    replay.json("/api/v1/items/1", data("hackernews_item_captured.json"))
    cache = ["--cache-dir", str(tmp_path / "c")]
    url = "https://news.ycombinator.com/item?id=1"
    base = ["--base-url", f"hackernews={replay.url}", "--no-progress"]
    assert main(["fetch", url, "-o", str(tmp_path / "t.json"), *base, *cache]) == 0
    capsys.readouterr()
    assert main(["cache", *cache]) == 0
    assert ": 1 cached answers" in capsys.readouterr().out
    assert main(["cache", "--clear", *cache]) == 0
    assert "removed 1 cached answers" in capsys.readouterr().out
    assert main(["cache", *cache]) == 0 and ": 0 cached answers" in capsys.readouterr().out
