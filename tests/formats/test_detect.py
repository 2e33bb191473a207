"""Format detection from content, and the registry of formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadwidget.formats import FORMATS, ThreadFileError, detect_format, load

from .conftest import DATA

SEED = Path(__file__).resolve().parents[2] / "examples" / "data" / "power-trip.json"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("disqus.xml", "disqus"),
        ("wordpress.xml", "wordpress"),
        ("blogger.atom", "blogger"),
        ("reddit.json", "reddit"),
        ("hn_algolia.json", "hackernews"),
        ("hn_firebase.json", "hackernews"),
        ("mastodon.json", "mastodon"),
        ("native_v1_noversion.json", "json"),
    ],
)
def test_detects_each_sample(name: str, expected: str) -> None:
    assert detect_format((DATA / name).read_bytes(), name) == expected


def test_detects_seed_and_csv() -> None:
    assert detect_format(SEED.read_bytes()) == "json"
    assert detect_format("id,parent_id,author,created_at,body\n") == "csv"


def test_unknown_content_is_a_clear_error() -> None:
    with pytest.raises(ThreadFileError, match="cannot tell the format"):
        detect_format("hello world", "notes.txt")
    with pytest.raises(ThreadFileError, match="JSON, but not a shape"):
        detect_format('{"hello": 1}', "x.json")
    with pytest.raises(ThreadFileError, match="cannot tell the format"):
        detect_format("<html><body/></html>", "page.html")


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(ThreadFileError, match=r"<text> \(JSON\), line 2, column 1: not valid JSON"):
        load(text='{"post":\n}')


def test_registry() -> None:
    readable = {n for n, f in FORMATS.items() if f.read}
    writable = {n for n, f in FORMATS.items() if f.write}
    assert readable == {
        "json",
        "blogger",
        "disqus",
        "wordpress",
        "reddit",
        "hackernews",
        "mastodon",
        "bluesky",
        "discourse",
        "github",
        "lemmy",
        "csv",
    }
    assert writable == {"json", "markdown", "csv", "html"}


def test_explicit_format_and_aliases(tmp_path: Path) -> None:
    assert load(DATA / "native_v1_noversion.json", format="native").post.title == "Old file"
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        load(DATA / "native_v1_noversion.json", format="yaml")
    with pytest.raises(ValueError, match="cannot read Markdown"):
        load(DATA / "native_v1_noversion.json", format="md")


def test_select_only_for_multi_post_exports() -> None:
    with pytest.raises(ValueError, match="select="):
        load(DATA / "reddit.json", select="x")
