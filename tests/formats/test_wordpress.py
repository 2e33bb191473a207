"""WordPress WXR export: post choice, parents, approved/spam/trash/pending, GMT times, text."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadwidget.formats import ThreadFileError, load, load_with_report

from .conftest import DATA, sample


def test_reads_post_and_comment_tree() -> None:
    thread, report = sample("wordpress.xml")
    assert report.format == "WordPress WXR"
    assert thread.post.id == "wp-42" and thread.post.author == "steve"
    assert thread.post.body.endswith("**No Excuses.**")
    assert "excerpt" not in thread.post.body
    assert thread.get("8").parent_id == "7"
    assert thread.get("11").parent_id == "10"
    assert thread.depth("11") == 3
    assert thread.get("7").likes == 4


def test_paragraphs_and_line_breaks_survive_and_markdown_is_escaped() -> None:
    thread, _ = sample("wordpress.xml")
    assert thread.get("7").body == "Guilty as charged.\n\nI check my score \\*daily\\*.\nEvery day."
    assert thread.get("8").body == "Me too — ça marche 👍 *really*"
    assert thread.get("8").author == "Zoë Ångström"


def test_approval_states() -> None:
    thread, report = sample("wordpress.xml")
    assert thread.get("10").status == "deleted" and thread.get("10").body == ""  # trash
    assert thread.get("9").status == "spam" and thread.get("9").body  # spam kept, as spam
    assert thread.get("11").status == "hidden"  # awaiting moderation
    assert thread.get("11").moderation.by == "WordPress"  # type: ignore[union-attr]
    reasons = {p.id: p.reason for p in report.flagged}
    assert "spam" in reasons["9"] and "moderation" in reasons["11"]


def test_zero_gmt_date_falls_back_to_local_time() -> None:
    thread, _ = sample("wordpress.xml")
    assert thread.get("8").created_at.isoformat() == "2012-05-14T09:00:00+00:00"


def test_select_by_slug_and_missing_content(tmp_path: Path) -> None:
    thread, _ = sample("wordpress.xml", select="about")
    assert thread.post.title == "About" and thread.comments == ()
    text = (DATA / "wordpress.xml").read_text(encoding="utf-8")
    broken = text.replace(
        "<wp:comment_content><![CDATA[Something I regret.]]></wp:comment_content>", ""
    )
    path = tmp_path / "export.xml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(
        ThreadFileError, match=r"export\.xml \(WordPress WXR\), line \d+: .*comment_content"
    ):
        load(path)
    thread, report = load_with_report(path, errors="skip")
    assert "10" not in thread
    assert thread.get("11").parent_id == "8"  # re-attached to the dropped comment's parent
    assert [p.id for p in report.dropped] == ["10"]
    assert [p.id for p in report.reattached] == ["11"]
