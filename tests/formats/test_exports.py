"""Exports: Markdown, CSV (with round trip), standalone HTML; save() by extension."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from threadwidget.analysis.tabular import COLUMNS
from threadwidget.core.models import Comment, Post, Thread
from threadwidget.formats import ThreadFileError, load, load_with_report, render, save
from threadwidget.formats import html as html_format

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
SEED = Path(__file__).resolve().parents[2] / "examples" / "data" / "power-trip.json"


@pytest.fixture
def thread() -> Thread:
    """A small tree with a deleted comment, likes, an edit, unicode and a hostile body."""
    return Thread(
        post=Post(
            title="Fish & </script> chips", author="Steve", body="Hello *all*", created_at=T0
        ),
        comments=(
            Comment(
                id="a",
                author="Ann",
                body="first\nsecond line",
                created_at=T0,
                likes=2,
                liked_by=("Bo",),
            ),
            Comment(
                id="b",
                parent_id="a",
                author="Bo_b",
                body="</script><script>alert(1)</script>",
                created_at=T0,
            ),
            Comment(id="c", parent_id="b", author="Cé", body="", status="deleted", created_at=T0),
            Comment(id="d", author="Dee", body='quote " and, comma', created_at=T0, edited_at=T0),
        ),
    )


def test_markdown_nests_replies_as_blockquotes(thread: Thread) -> None:
    text = render(thread, "markdown")
    assert text.startswith("# Fish & </script> chips\n")
    assert "**Ann** · 2024-05-01 12:00 UTC · 2 likes\n\nfirst\nsecond line" in text
    assert "> **Bo\\_b** · 2024-05-01 12:00 UTC\n>\n> </script>" in text
    assert "> > **Cé** · 2024-05-01 12:00 UTC\n> >\n> > *[deleted]*" in text
    assert "## Comments (3)" in text
    assert text.index("**Ann**") < text.index("**Bo\\_b**") < text.index("**Dee**")


def test_csv_has_the_dataframe_columns_and_quotes(thread: Thread) -> None:
    text = render(thread, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    by_id = {r["id"]: r for r in rows}
    assert (
        by_id["c"]["depth"] == "2"
        and by_id["c"]["path"] == "a/b/c"
        and by_id["c"]["root_id"] == "a"
    )
    assert by_id["a"]["n_descendants"] == "2" and by_id["a"]["n_replies"] == "1"
    assert by_id["a"]["liked_by"] == '["Bo"]' and by_id["a"]["created_at"] == "2024-05-01T12:00:00Z"
    assert by_id["d"]["body"] == 'quote " and, comma'
    assert '"quote "" and, comma"' in text


def test_csv_round_trip_keeps_every_comment(tmp_path: Path, thread: Thread) -> None:
    path = save(thread, tmp_path / "fish.csv")
    back, _ = load_with_report(path)
    assert back.comments == thread.comments
    assert back.post.title == "fish"
    seed = load(SEED)
    again = load(save(seed, tmp_path / "seed.csv"))
    assert again.comments == seed.comments


def test_csv_bad_row_names_row_and_id(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,parent_id,author,created_at,body\nx,,Ann,not a time,hi\n", encoding="utf-8")
    with pytest.raises(ThreadFileError, match=r"t\.csv \(CSV\): row 1 \(id 'x'\): .*created_at"):
        load(path)


def test_html_is_self_contained_and_escaped(thread: Thread) -> None:
    page = render(thread, "html")
    assert page.count("</script>") == 4  # only our own four script elements close
    assert "<title>Fish &amp; &lt;/script&gt; chips</title>" in page
    assert (
        "Snapshot of Fish &amp; &lt;/script&gt; chips, saved " in page
        and "; read-only</div>" in page
    )
    assert "http://" not in page.split('<script type="module">')[1]
    assert 'src="' not in page and "<link" not in page  # nothing fetched
    snapshot = re.search(
        r'<script type="application/json" id="tw-snapshot">(.*?)</script>', page, re.S
    )
    assert snapshot is not None
    assert "<" not in snapshot.group(1)
    data = json.loads(snapshot.group(1))
    assert data["complete"] is True and data["seq"] == 0 and len(data["comments"]) == 4
    assert data["comments"][1]["body"] == "</script><script>alert(1)</script>"
    bundle = re.search(r'id="tw-bundle">(.*?)</script>', page, re.S)
    assert bundle is not None
    code = json.loads(bundle.group(1))
    assert code == (html_format.STATIC / "widget.js").read_text(encoding="utf-8")
    assert "URL.createObjectURL(new Blob(" in page and "read_only: true" in page
    assert "_config" in page and '{"max_body":20000,"role":"reader"' in page


def test_html_saved_date_is_given(thread: Thread) -> None:
    page = html_format.render(thread, saved_at=datetime(2030, 1, 2, 3, 4, tzinfo=timezone.utc))
    assert "saved 2030-01-02 03:04 UTC; read-only" in page


def test_html_without_bundle_is_a_clear_error(tmp_path: Path, thread: Thread) -> None:
    with pytest.raises(html_format.BundleMissingError, match="npm run build"):
        html_format.render(thread, static=tmp_path)


def test_script_json_escapes_everything_dangerous() -> None:
    text = html_format.script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_save_picks_format_from_extension(tmp_path: Path, thread: Thread) -> None:
    for name in ("t.json", "t.md", "t.csv", "t.html"):
        path = save(thread, tmp_path / name)
        assert path.stat().st_size > 0
        assert path.stat().st_mode & 0o044  # readable by others (not mkstemp's 0600)
    assert load(tmp_path / "t.json") == thread
    with pytest.raises(ValueError, match="cannot tell the format from the extension"):
        save(thread, tmp_path / "t.txt")
    with pytest.raises(ValueError, match="cannot write Reddit JSON"):
        save(thread, tmp_path / "t.json", format="reddit")


def test_markdown_shows_moderated_comments_as_placeholders_only(thread: Thread) -> None:
    from threadwidget.core.models import Comment

    extra = (
        Comment(id="r", author="Rex", body="secret removed text", status="removed"),
        Comment(id="s", author="Spammer", body="buy followers", status="spam"),
        Comment(id="h", author="Hal", body="hidden parent", status="hidden"),
        Comment(id="h1", parent_id="h", author="Ivy", body="visible reply"),
    )
    text = render(Thread(post=thread.post, comments=(*thread.comments, *extra)), "markdown")
    assert "*[removed by a moderator]*" in text and "*[hidden by a moderator]*" in text
    secrets = ("secret removed text", "Rex", "buy followers", "Spammer", "hidden parent", "Hal")
    for secret in secrets:
        assert secret not in text, secret
    assert "visible reply" in text
