"""Reddit comments-page JSON: listings, replies, [deleted]/[removed], more stubs, JSON paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadwidget.formats import ThreadFileError, ThreadLoadWarning, load, load_with_report

from .conftest import DATA, sample


def _data() -> list:
    return json.loads((DATA / "reddit.json").read_text(encoding="utf-8"))


def test_reads_post_and_nested_comments() -> None:
    thread, report = sample("reddit.json")
    assert report.format == "Reddit JSON"
    assert thread.post.id == "t3_1abcde" and thread.post.author == "steve_b"
    assert thread.post.body == "Are you on a social media power trip? Be honest & kind."
    assert thread.post.url == "https://www.reddit.com/r/AskReddit/comments/1abcde/power_trip/"
    assert thread.get("k2").parent_id == "k1" and thread.get("k3").parent_id == "k2"
    assert thread.get("k7").parent_id == "k6"
    assert thread.get("k1").likes == 57
    assert thread.get("k4").likes == 0  # negative score
    assert thread.get("k2").edited_at is not None


def test_deleted_removed_and_orphaned_accounts() -> None:
    thread, _ = sample("reddit.json")
    assert thread.get("k3").status == "deleted" and thread.get("k3").body == ""
    removed = thread.get("k5")
    assert removed.status == "removed" and removed.body == ""
    assert removed.moderation is not None and removed.moderation.by == "Reddit moderators"
    kept = thread.get("k4")
    assert kept.status == "visible" and kept.author == "[deleted]" and "stays" in kept.body


def test_entities_unescaped_and_markdown_kept() -> None:
    thread, _ = sample("reddit.json")
    assert thread.get("k1").body.endswith("& it shows >_<")
    assert "> quoted" in thread.get("k6").body
    assert thread.get("k2").body == "Same 😅 — 日本語も"


def test_more_stubs_are_recorded_in_the_thread_and_load_warns() -> None:
    thread, report = sample("reddit.json")
    assert report.not_loaded == 4
    more, deeper = thread.completeness.gaps
    assert (more.kind, more.parent_id, more.count) == ("more", "k1", 4)
    assert more.ids == ("k9", "k10", "k11", "k12")
    assert (deeper.parent_id, deeper.ids, deeper.count) == ("k2", (), None)  # continue this thread
    assert thread.completeness.text() == "incomplete: 4+ replies not loaded"
    with pytest.warns(ThreadLoadWarning, match=r"incomplete: 4\+ replies not loaded") as seen:
        again = load(DATA / "reddit.json")
    assert again.completeness == thread.completeness
    assert "'more' stubs" in str(seen[0].message)


def test_missing_time_names_the_json_path(tmp_path: Path) -> None:
    data = _data()
    extra = json.loads(json.dumps(data[1]["data"]["children"][2]))
    extra["data"]["id"] = "k8"
    del extra["data"]["created_utc"]
    extra["data"]["replies"] = ""
    data[1]["data"]["children"].append(extra)
    reply = json.loads(json.dumps(extra))  # and a reply to it, without a time either
    reply["data"].update(id="k9b", parent_id="t1_k8")
    extra["data"]["replies"] = {"kind": "Listing", "data": {"children": [reply]}}
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(ThreadLoadWarning) as seen:
        thread = load(path)
    said = str(seen[0].message)
    assert (
        "$[1].data.children[3].data.created_utc (id k8): missing; read as the post's time "
        "(estimated)" in said
    )
    assert ".data.replies.data.children[0].data.created_utc (id k9b): missing; read as its " in said
    k8 = thread.get("k8")
    assert (
        k8.created_at == thread.post.created_at and k8.extra["time_estimated"] == "the post's time"
    )
    assert thread.get("k9b").created_at == k8.created_at
    assert thread.get("k9b").extra["time_estimated"] == "its parent's time"
    assert "time_estimated" not in thread.get("k1").extra


def test_no_time_anywhere_is_refused(tmp_path: Path) -> None:
    data = _data()
    del data[0]["data"]["children"][0]["data"]["created_utc"]

    def strip(children: list) -> None:
        for child in children:
            child["data"].pop("created_utc", None)
            if isinstance(child["data"].get("replies"), dict):
                strip(child["data"]["replies"]["data"]["children"])

    strip(data[1]["data"]["children"])
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ThreadFileError, match=r"\$\[0\].data.children\[0\].data: no time anywhere"):
        load(path)
    data[1]["data"]["children"][0]["data"]["created_utc"] = 1700000000  # one time: all placed
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(ThreadLoadWarning, match="earliest comment's time"):
        thread = load(path)
    assert thread.post.created_at.timestamp() == 1700000000
    assert thread.post.extra["time_estimated"] == "the earliest comment's time"


def test_skip_drops_bad_comment_and_reattaches_its_replies(tmp_path: Path) -> None:
    data = _data()
    data[1]["data"]["children"][0]["data"]["replies"]["data"]["children"][0]["data"]["body"] = 5
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        ThreadFileError,
        match=r"children\[0\]\.data\.replies\.data\.children\[0\]\.data\.body: expected str",
    ):
        load(path)
    thread, report = load_with_report(path, errors="skip")
    assert "k2" not in thread
    assert thread.get("k3").parent_id == "k1" and thread.get("k4").parent_id == "k1"
    assert [p.id for p in report.dropped] == ["k2"]
    assert {p.id for p in report.reattached} == {"k3", "k4"}


def test_wrong_top_level_shape(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps([{"kind": "Listing", "data": {"children": []}}] * 2), encoding="utf-8"
    )
    with pytest.raises(
        ThreadFileError,
        match=r"r\.json \(Reddit JSON\), \$\[0\]\.data\.children: the post listing is empty",
    ):
        load(path)
