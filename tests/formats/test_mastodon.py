"""Mastodon context JSON: root as post, in_reply_to_id links, HTML, CW, missing parents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadwidget.formats import ThreadFileError, load, load_with_report

from .conftest import DATA, sample

ROOT = "109000000000000001"


def test_conversation_root_is_the_post() -> None:
    thread, report = sample("mastodon.json")
    assert report.format == "Mastodon JSON"
    assert thread.post.id == f"mastodon-{ROOT}"
    assert thread.post.author == "Steve B. (@steve)"
    assert "[#powertrip](https://mastodon.example/tags/powertrip)" in thread.post.body
    status = thread.get("109000000000000002")
    assert status.parent_id is None and status.likes == 3 and status.edited_at is not None
    assert status.author == "Jennifer ✨ (@jen@other.example)"
    assert thread.get("109000000000000003").parent_id == "109000000000000002"


def test_html_mentions_links_and_content_warning() -> None:
    thread, _ = sample("mastodon.json")
    status = thread.get("109000000000000002").body
    assert status.startswith("[@steve](https://mastodon.example/@steve) guilty as charged.")
    assert "Second paragraph\nwith a line break." in status
    assert thread.get("109000000000000003").body == "Same 😅 <https://example.org/very/long/path>"
    cw = thread.get("109000000000000004").body
    assert (
        cw.startswith("**CW: politics**")
        and "[a chart](https://files.mastodon.example/a.png)" in cw
    )


def test_reply_to_missing_status_is_reattached() -> None:
    thread, report = sample("mastodon.json")
    assert thread.get("109000000000000005").parent_id is None
    assert [p.id for p in report.reattached] == ["109000000000000005"]


def test_pair_shape_and_descendants_only(tmp_path: Path) -> None:
    data = json.loads((DATA / "mastodon.json").read_text(encoding="utf-8"))
    status = data.pop("status")
    pair = tmp_path / "pair.json"
    pair.write_text(json.dumps([status, data]), encoding="utf-8")
    thread, _ = load_with_report(pair)
    assert thread.post.id == f"mastodon-{ROOT}" and "109000000000000002" in thread
    only = tmp_path / "only.json"
    only.write_text(
        json.dumps({"ancestors": [], "descendants": data["descendants"][:2]}), encoding="utf-8"
    )
    thread, report = load_with_report(only)
    assert "placeholder" in report.notes[0]
    assert thread.get("109000000000000004").parent_id is None


def test_missing_content(tmp_path: Path) -> None:
    data = json.loads((DATA / "mastodon.json").read_text(encoding="utf-8"))
    del data["descendants"][0]["content"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        ThreadFileError, match=r"m\.json \(Mastodon JSON\), \$\.descendants\[0\]\.content: missing"
    ):
        load(path)
