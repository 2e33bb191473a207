"""Disqus XML export: thread choice, nesting, deleted, spam, orphans, unicode, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadwidget.formats import ThreadFileError, ThreadLoadWarning, load, load_with_report

from .conftest import DATA, sample


def test_reads_the_busiest_thread_with_structure_and_status() -> None:
    thread, report = sample("disqus.xml")
    assert report.format == "Disqus XML"
    assert thread.post.title == "On a social media power trip?"
    assert thread.post.author == "Steve"
    assert thread.post.url == "https://blog.example.com/2012/05/power-trip.html"
    assert [c.id for c in thread.comments] == ["9001", "9002", "9003", "9004", "9005", "9006"]
    assert thread.get("9002").parent_id == "9001"
    assert thread.depth("9004") == 3
    assert thread.get("9003").status == "deleted" and thread.get("9003").body == ""
    assert "2 threads in the file" in report.notes[0]


def test_html_becomes_markdown_and_scripts_vanish() -> None:
    thread, _ = sample("disqus.xml")
    assert (
        thread.get("9001").body == "Guilty as charged. I check my *klout* score daily & it shows."
    )
    assert (
        "日本語" in thread.get("9002").body
        and "[a link](https://example.org/a)" in thread.get("9002").body
    )
    assert "alert" not in thread.get("9004").body
    assert thread.get("9002").author == "Chris Ølsen"


def test_spam_keeps_its_status_and_text_for_moderators_and_is_reported() -> None:
    thread, report = sample("disqus.xml")
    spam = thread.get("9005")
    assert spam.status == "spam" and spam.body
    assert spam.moderation is not None
    assert (spam.moderation.action, spam.moderation.by) == ("spam", "Disqus")
    assert spam.moderation.reason == "marked spam by Disqus"
    assert [p.id for p in report.flagged] == ["9005"]
    assert "spam" in report.flagged[0].reason


def test_reply_to_a_purged_comment_becomes_top_level_and_is_reported() -> None:
    thread, report = sample("disqus.xml")
    orphan = thread.get("9006")
    assert orphan.parent_id is None and orphan.author == "anonymous"
    assert orphan.created_at.isoformat() == "2012-05-15T06:00:00+00:00"  # +02:00 made UTC
    assert [p.id for p in report.reattached] == ["9006"]


def test_load_warns_about_reattached_comments() -> None:
    from threadwidget.formats import ThreadLoadWarning

    with pytest.warns(ThreadLoadWarning, match="re-attached") as caught:
        load(DATA / "disqus.xml")
    assert caught[0].message.report.reattached  # type: ignore[union-attr]


def test_select_picks_another_thread() -> None:
    thread, report = sample("disqus.xml", select="A quiet post")
    assert thread.post.title == "A quiet post"
    assert [c.body for c in thread.comments] == ["Lonely comment on the quiet post."]
    assert not report.notes
    with pytest.raises(ThreadFileError, match=r"no <thread> matches 'nope'"):
        sample("disqus.xml", select="nope")


def test_post_without_message_names_file_format_and_line(tmp_path: Path) -> None:
    text = (DATA / "disqus.xml").read_text(encoding="utf-8")
    broken = text.replace(
        "<message><![CDATA[<p>BUY CHEAP FOLLOWERS www.spam.example</p>]]></message>", ""
    )
    path = tmp_path / "comments.xml"
    path.write_text(broken, encoding="utf-8")
    line = next(i for i, s in enumerate(broken.splitlines(), 1) if 'dsq:id="9005"' in s)
    with pytest.raises(ThreadFileError) as info:
        load(path)
    assert str(info.value) == f"{path} (Disqus XML), line {line}: <post> has no <message>"
    thread, report = load_with_report(path, errors="skip")
    assert "9005" not in thread and [p.id for p in report.dropped] == ["9005"]


def test_bad_time_reads_as_the_parents_time_warning_with_the_line(tmp_path: Path) -> None:
    text = (DATA / "disqus.xml").read_text(encoding="utf-8")
    path = tmp_path / "d.xml"
    path.write_text(text.replace("2012-05-14T16:10:00Z", "yesterday"), encoding="utf-8")
    with pytest.warns(
        ThreadLoadWarning,
        match=r"line \d+, <post> <createdAt> \(id \d+\): not a time: 'yesterday'; read as",
    ):
        thread = load(path)
    placed = [c for c in thread.comments if "time_estimated" in c.extra]
    assert len(placed) == 1
    parent = thread.get(placed[0].parent_id) if placed[0].parent_id else None
    assert placed[0].created_at == (parent.created_at if parent else thread.post.created_at)


def test_not_well_formed_xml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text('<?xml version="1.0"?>\n<disqus>\n<thread>\n</disqus>\n', encoding="utf-8")
    with pytest.raises(
        ThreadFileError, match=r"x\.xml \(Disqus XML\), line 4, column \d+: not well-formed"
    ):
        load(path)
