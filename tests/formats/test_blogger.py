"""Blogger Atom export: kinds, thr:in-reply-to, related-link replies, removed comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadwidget.formats import ThreadLoadWarning, load

from .conftest import DATA, sample


def test_reads_post_and_threaded_replies() -> None:
    thread, report = sample("blogger.atom")
    assert report.format == "Blogger Atom"
    assert thread.post.id == "blogger-111"
    assert thread.post.url == "https://staffalacarte.blogspot.com/2012/05/power-trip.html"
    assert thread.post.created_at.isoformat() == "2012-05-14T13:05:00+00:00"
    assert [c.id for c in thread.comments] == ["5001", "5002", "5003", "5004"]
    assert thread.get("5002").parent_id == "5001"
    assert thread.get("5003").parent_id == "5002"
    assert thread.get("5004").parent_id is None


def test_removed_comment_is_deleted_and_edits_are_kept() -> None:
    thread, _ = sample("blogger.atom")
    assert thread.get("5003").status == "deleted" and thread.get("5003").body == ""
    assert thread.get("5002").edited_at is not None
    assert thread.get("5001").edited_at is None


def test_escaped_html_text_stays_text() -> None:
    thread, _ = sample("blogger.atom")
    body = thread.get("5002").body
    assert "🙈" in body and "ÄÖÜ" in body and "\\<b>not bold\\</b>" in body
    assert thread.get("5001").body == "Guilty as charged.\nI check my klout score daily & it shows."


def test_select_other_post() -> None:
    thread, _ = sample("blogger.atom", select="222")
    assert thread.post.title == "Quiet post"
    assert [c.id for c in thread.comments] == ["6001"]


def test_comment_without_published(tmp_path: Path) -> None:
    text = (DATA / "blogger.atom").read_text(encoding="utf-8")
    path = tmp_path / "blog.atom"
    path.write_text(
        text.replace("<published>2012-05-16T10:00:00.000Z</published>", ""), encoding="utf-8"
    )
    with pytest.warns(
        ThreadLoadWarning,
        match=r"blog\.atom \(Blogger Atom\): 1 loaded with a missing field filled in: line \d+, "
        r"<entry> <published> \(id \d+\): missing; read as",
    ):
        thread = load(path)
    assert sum("time_estimated" in c.extra for c in thread.comments) == 1
