"""Hacker News JSON: Algolia item trees and Firebase items (deleted, dead, missing kids)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadwidget.formats import ThreadLoadWarning, load, load_with_report

from .conftest import DATA, sample


def test_algolia_tree() -> None:
    thread, report = sample("hn_algolia.json")
    assert report.format == "Hacker News JSON"
    assert thread.post.id == "hn-4001" and thread.post.author == "steveb"
    assert thread.post.url == "https://news.ycombinator.com/item?id=4001"
    assert thread.post.body == "Genuine question.\n\nHow is it going for you?"
    assert thread.get("4003").parent_id == "4002" and thread.get("4004").parent_id == "4003"
    assert thread.get("4003").status == "deleted"
    assert thread.get("4005").likes == 3


def test_algolia_html_to_markdown() -> None:
    thread, _ = sample("hn_algolia.json")
    body = thread.get("4002").body
    assert "Here's my *daily* routine" in body
    assert "```\n  check_score()\n  post()\n```" in body
    assert "<https://example.org/klout?a=1&b=2>" in body
    assert thread.get("4005").body == "Plain words \\<b> stay text."


def test_firebase_items() -> None:
    thread, report = sample("hn_firebase.json")
    assert thread.post.title == "Show HN: Power trip detector"
    assert thread.post.body == "<https://example.com/detector>"
    assert thread.get("5002").parent_id is None
    assert thread.get("5004").parent_id == "5003"
    assert thread.get("5003").status == "deleted"
    dead = thread.get("5005")
    assert dead.status == "hidden" and dead.moderation is not None
    assert (dead.moderation.action, dead.moderation.by) == ("hide", "Hacker News")
    assert [p.id for p in report.flagged] == ["5005"]
    assert report.not_loaded == 1  # kid 5099 is not in the file


def test_firebase_object_keyed_by_id(tmp_path: Path) -> None:
    items = json.loads((DATA / "hn_firebase.json").read_text(encoding="utf-8"))
    path = tmp_path / "items.json"
    path.write_text(json.dumps({str(i["id"]): i for i in items}), encoding="utf-8")
    thread, _ = load_with_report(path)
    assert len(thread.comments) == 4


def test_algolia_missing_time(tmp_path: Path) -> None:
    data = json.loads((DATA / "hn_algolia.json").read_text(encoding="utf-8"))
    del data["children"][1]["created_at_i"]
    del data["children"][1]["created_at"]
    path = tmp_path / "hn.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(
        ThreadLoadWarning,
        match=r"\$\.children\[1\]\.created_at \(id \d+\): missing; read as its parent's time",
    ):
        thread = load(path, format="hackernews")
    placed = thread.get(str(data["children"][1]["id"]))
    assert placed.created_at == thread.post.created_at  # a reply to the story: the story's time
    assert placed.extra["time_estimated"] == "its parent's time"
