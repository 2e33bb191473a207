"""Mastodon context JSON: root as post, in_reply_to_id links, HTML, CW, missing parents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadwidget.formats import ThreadFileError, ThreadLoadWarning, load, load_with_report

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


def test_missing_optional_fields_load_with_a_warning_naming_the_place(tmp_path: Path) -> None:
    data = json.loads((DATA / "mastodon.json").read_text(encoding="utf-8"))
    del data["descendants"][0]["content"]
    first_id = data["descendants"][0]["id"]
    del data["descendants"][1]["created_at"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(ThreadLoadWarning, match=r"\$\.descendants\[0\]\.content") as caught:
        thread = load(path)
    report = caught[0].message.report  # type: ignore[union-attr]
    assert [p.place for p in report.filled] == [
        "$.descendants[0].content",
        "$.descendants[1].created_at",
    ]
    assert thread.get(first_id).body == ""
    second = thread.get(data["descendants"][1]["id"])
    assert second.created_at.year >= 2022  # the time a Mastodon snowflake id encodes


def test_missing_created_at_without_a_snowflake_id_uses_the_parent(tmp_path: Path) -> None:
    data = json.loads((DATA / "mastodon.json").read_text(encoding="utf-8"))
    reply = data["descendants"][1]
    reply["id"] = "short-id"
    del reply["created_at"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    thread, report = load_with_report(path)
    assert "the post's time (estimated)" in report.filled[0].reason
    assert reply["in_reply_to_id"] == ROOT  # a reply to the post: it gets the post's time
    assert thread.get("short-id").created_at == thread.post.created_at
    assert thread.get("short-id").extra["time_estimated"] == "the post's time"


def test_missing_id_still_fails_with_the_place(tmp_path: Path) -> None:
    data = json.loads((DATA / "mastodon.json").read_text(encoding="utf-8"))
    del data["descendants"][0]["id"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ThreadFileError, match=r"\$\.descendants\[0\]\.id: missing"):
        load(path)
