"""Bluesky richtext facets (UTF-8 byte ranges) become Markdown links; unsafe links do not."""

from __future__ import annotations

from threadwidget.formats.bluesky import _text


def _facet(start: int, end: int, feature: dict[str, str]) -> dict[str, object]:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def test_link_mention_and_tag_facets_use_byte_offsets() -> None:
    text = "héllo #tag @a.b see ex.com/lo..."
    record = {
        "text": text,
        "facets": [
            _facet(7, 11, {"$type": "app.bsky.richtext.facet#tag", "tag": "tag"}),
            _facet(12, 16, {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:x"}),
            _facet(21, 33, {"$type": "app.bsky.richtext.facet#link", "uri": "https://ex.com/long"}),
        ],
    }
    body = _text(record)
    assert "[#tag](https://bsky.app/hashtag/tag)" in body
    assert "[@a.b](https://bsky.app/profile/did:plc:x)" in body
    assert "](https://ex.com/long)" in body and body.startswith("héllo")


def test_bad_or_unsafe_facets_leave_plain_text() -> None:
    js = {"$type": "app.bsky.richtext.facet#link", "uri": "javascript:alert(1)"}
    assert "javascript" not in _text({"text": "click *me*", "facets": [_facet(0, 5, js)]})
    out_of_range = _facet(3, 99, {"$type": "app.bsky.richtext.facet#link", "uri": "https://x.y"})
    assert _text({"text": "a *b*", "facets": [out_of_range]}) == "a \\*b\\*"
    assert _text({"text": "no facets"}) == "no facets"
