"""Guessing a file's format from its content: the XML root element and namespaces, or JSON shape."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import bluesky, csv_format, discourse, github, hackernews, lemmy, mastodon, reddit

__all__ = ["detect_json", "detect_text", "xml_root"]

_XML_PROLOG = re.compile(
    r"\A(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*<([A-Za-z_][\w.:-]*)", re.DOTALL
)


_WP_TAG = re.compile(r"<wp:(?:wxr_version|base_site_url|post_id|comment)\b")

#: The JSON formats told apart by shape, in the order they are tried: the first match wins.
_JSON_SHAPES: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("reddit", reddit.looks_like),
    ("mastodon", mastodon.looks_like),
    ("bluesky", bluesky.looks_like),
    ("discourse", discourse.looks_like),
    ("github", github.looks_like),
    ("lemmy", lemmy.looks_like),
    ("hackernews", hackernews.looks_like),
)


def xml_root(head: str) -> str | None:
    """The name of the first element in XML text (prolog, comments and DOCTYPE skipped)."""
    match = _XML_PROLOG.match(head)
    return match.group(1) if match else None


def detect_text(head: str) -> str | None:
    """``"xml:<format>"``, ``"json"``, ``"csv"`` or None from the start of a file's text."""
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        root = xml_root(stripped)
        if root is None:
            return None
        name = root.rsplit(":", 1)[-1]
        if name == "disqus":
            return "disqus"
        if name == "feed":
            return "blogger"
        if name == "rss" and ("wordpress.org/export/" in head or _WP_TAG.search(head)):
            return "wordpress"
        return None
    if stripped[:1] in ("{", "["):
        return "json"
    if csv_format.looks_like(stripped):
        return "csv"
    return None


def detect_json(data: Any) -> str | None:
    """The format name for parsed JSON, from its shape; None when nothing matches."""
    if isinstance(data, dict) and (
        ("comments" in data and "post" in data) or isinstance(data.get("version"), int)
    ):
        return "json"  # our own files: a bad value or a newer version gets a precise error
    for name, looks_like in _JSON_SHAPES:
        if looks_like(data):
            return name
    return None
