"""Reading and writing threads in files; one module per format, chosen here.

``load(path)`` detects the format from the content (XML root and namespaces, JSON shape, CSV
header) unless ``format=`` names it; ``save(thread, path)`` picks the format from the extension.
Errors are :class:`ThreadFileError` naming the file, the format and the place (line or JSON path).
See ``docs/formats.md``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from ..core.models import Thread, thread_from_json
from . import (
    blogger,
    bluesky,
    csv_format,
    detect,
    discourse,
    disqus,
    github,
    hackernews,
    html,
    lemmy,
    markdown,
    mastodon,
    reddit,
    wordpress,
)
from ._common import (
    MAX_FILE_BYTES,
    Errors,
    LoadReport,
    Problem,
    Reader,
    ThreadLoadWarning,
)
from ._source import decode_text, parse_json, parse_xml, read_bytes
from .database import is_database, read_database
from .html import BundleMissingError
from .journal import with_legacy_journal
from .native import (
    ThreadFileError,
    atomic_write_text,
    read_thread,
    thread_from_data,
    thread_json,
    write_thread,
)

__all__ = [
    "ALIASES",
    "FORMATS",
    "MAX_FILE_BYTES",
    "BundleMissingError",
    "FormatInfo",
    "LoadReport",
    "Problem",
    "ThreadFileError",
    "ThreadLoadWarning",
    "detect_format",
    "load",
    "load_with_report",
    "read_thread",
    "render",
    "save",
    "write_thread",
]


@dataclass(frozen=True)
class FormatInfo:
    """A format threadwidget knows: its name, label, file extensions and direction."""

    name: str
    label: str
    extensions: tuple[str, ...]
    read: bool
    write: bool
    kind: Literal["json", "xml", "text"]


FORMATS: dict[str, FormatInfo] = {
    f.name: f
    for f in (
        FormatInfo("json", "threadwidget JSON", (".json",), True, True, "json"),
        FormatInfo("blogger", blogger.LABEL, (".atom",), True, False, "xml"),
        FormatInfo("disqus", disqus.LABEL, (), True, False, "xml"),
        FormatInfo("wordpress", wordpress.LABEL, (".wxr",), True, False, "xml"),
        FormatInfo("reddit", reddit.LABEL, (), True, False, "json"),
        FormatInfo("hackernews", hackernews.LABEL, (), True, False, "json"),
        FormatInfo("mastodon", mastodon.LABEL, (), True, False, "json"),
        FormatInfo("bluesky", bluesky.LABEL, (), True, False, "json"),
        FormatInfo("discourse", discourse.LABEL, (), True, False, "json"),
        FormatInfo("github", github.LABEL, (), True, False, "json"),
        FormatInfo("lemmy", lemmy.LABEL, (), True, False, "json"),
        FormatInfo("csv", csv_format.LABEL, (".csv",), True, True, "text"),
        FormatInfo("markdown", markdown.LABEL, (".md", ".markdown"), False, True, "text"),
        FormatInfo("html", html.LABEL, (".html", ".htm"), False, True, "text"),
    )
}
#: Other names accepted wherever a format name is.
ALIASES = {
    "native": "json",
    "threadwidget": "json",
    "atom": "blogger",
    "blogspot": "blogger",
    "wxr": "wordpress",
    "hn": "hackernews",
    "bsky": "bluesky",
    "md": "markdown",
    "htm": "html",
}

_XML_READERS = {"blogger": blogger.read, "disqus": disqus.read, "wordpress": wordpress.read}
_JSON_READERS = {
    "reddit": reddit.read,
    "hackernews": hackernews.read,
    "mastodon": mastodon.read,
    "bluesky": bluesky.read,
    "discourse": discourse.read,
    "github": github.read,
    "lemmy": lemmy.read,
}


def _format(name: str, direction: Literal["read", "write"]) -> FormatInfo:
    key = ALIASES.get(name.lower(), name.lower())
    info = FORMATS.get(key)
    if info is None:
        raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
    if not getattr(info, direction):
        can = [n for n, f in FORMATS.items() if getattr(f, direction)]
        raise ValueError(f"threadwidget cannot {direction} {info.label}; it can: {', '.join(can)}")
    return info


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    """The writable format for a file name's extension (``.md`` is markdown), or None."""
    suffix = Path(path).suffix.lower()
    for info in FORMATS.values():
        if info.write and suffix in info.extensions:
            return info.name
    return None


def _detect(data: bytes | str, name: str) -> tuple[str, Any]:
    """The format name, and the parsed JSON when the content had to be parsed to tell."""
    text = data if isinstance(data, str) else data[:65536].decode("utf-8", "replace")
    kind = detect.detect_text(text[:65536])
    if kind == "json":
        full = data if isinstance(data, str) else decode_text(data, name, "JSON")
        parsed = parse_json(full, name, "JSON")
        found = detect.detect_json(parsed)
        if found is None:
            raise ThreadFileError(
                f"{name}: JSON, but not a shape threadwidget reads (threadwidget, Reddit, "
                "Hacker News, Mastodon, Bluesky, Discourse, GitHub or Lemmy JSON); pass format= "
                "if you know what it is"
            )
        return found, parsed
    if kind is None and name.lower().endswith(".csv"):
        kind = "csv"
    if kind is None:
        raise ThreadFileError(
            f"{name}: cannot tell the format from the content; pass format= (one of "
            f"{', '.join(n for n, f in FORMATS.items() if f.read)})"
        )
    return kind, None


def detect_format(data: bytes | str, name: str = "<text>") -> str:
    """The name of the format of this content; ThreadFileError when it is not one we read."""
    return _detect(data, name)[0]


def load_with_report(
    path: str | os.PathLike[str] | None = None,
    format: str | None = None,
    *,
    text: str | bytes | None = None,
    errors: Errors = "raise",
    select: str | None = None,
    progress: Callable[[int], None] | None = None,
    name: str | None = None,
) -> tuple[Thread, LoadReport]:
    """Like :func:`load`, but never warns: returns the thread and what the import changed.

    ``name`` is what error messages call the input (default: the path, or ``<text>``).
    """
    if (path is None) == (text is None):
        raise TypeError("give either a path or text=")
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors must be 'raise' or 'skip', not {errors!r}")
    name = name or (str(path) if path is not None else "<text>")
    if path is not None and format in (None, "json") and is_database(path):
        # an autosave file (or a shared store: select= names the thread)
        thread = read_database(path, select)
        return thread, LoadReport(name, "threadwidget database", gaps=list(thread.post.gaps))
    if text is not None:
        data = text.encode("utf-8") if isinstance(text, str) else text
    else:
        assert path is not None  # exactly one of path and text, checked above
        data = read_bytes(Path(path))
    if format in (None, "json") and select is None and b'"version"' in data[:256]:
        try:  # our own file: parsed and validated in one pydantic pass, not json.loads + a second
            thread = thread_from_json(data)
        except ValidationError:
            pass  # not ours after all, or damaged: the careful path below says precisely why
        else:
            if path is not None:  # an earlier version's autosave: its journal folded in
                thread = with_legacy_journal(Path(path), thread)
            report = LoadReport(name, FORMATS["json"].label, gaps=list(thread.post.gaps))
            return thread, report
    parsed: Any = None
    if format is None:
        fmt, parsed = _detect(data, name)
        info = FORMATS[fmt]
    else:
        info = _format(format, "read")
    if select is not None and info.name not in _XML_READERS:
        raise ValueError("select= chooses a post in Blogger, Disqus and WordPress exports only")
    rd = Reader(name, info.label, errors, progress)
    try:
        if info.kind == "xml":
            doc = parse_xml(data, name, info.label)
            rd.report.notes.extend(doc.notes)
            thread = _XML_READERS[info.name](doc, rd, select)
        elif info.name == "csv":
            title = Path(name).stem if path is not None else ""
            thread = csv_format.read(decode_text(data, name, info.label), rd, title)
        else:
            if parsed is None:
                parsed = parse_json(decode_text(data, name, info.label), name, info.label)
            if info.name == "json":
                thread = _native(parsed, name, info.label)
                if path is not None:  # an earlier version's autosave: its journal folded in
                    thread = with_legacy_journal(Path(path), thread)
            else:
                thread = _JSON_READERS[info.name](parsed, rd)
    except ThreadFileError:
        raise
    except (KeyError, TypeError, AttributeError, IndexError, ValueError, RecursionError) as error:
        raise ThreadFileError(
            rd.message("", f"unexpected content ({type(error).__name__}: {error})")
        ) from error
    rd.report.gaps = list(thread.post.gaps)
    return thread, rd.report


def _native(data: Any, name: str, label: str) -> Thread:
    try:
        return thread_from_data(data, name)
    except ThreadFileError as error:
        message = str(error)
        prefix = f"{name}: "
        if message.startswith(prefix):
            message = f"{name} ({label}): {message[len(prefix) :]}"
        raise ThreadFileError(message) from error.__cause__


def load(
    path: str | os.PathLike[str] | None = None,
    format: str | None = None,
    *,
    text: str | bytes | None = None,
    errors: Errors = "raise",
    select: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Thread:
    """Read a thread from a file in any supported format (detected from content when not given).

    ``errors="skip"`` drops malformed comments instead of failing (their replies move up to the
    nearest surviving ancestor). When comments were dropped, re-attached or truncated, or the
    thread is incomplete (``thread.completeness``: Reddit ``more`` stubs, pages not fetched), a
    :class:`ThreadLoadWarning` is issued whose ``.report`` lists them. ``select`` chooses the
    post in multi-post exports (Blogger, Disqus, WordPress); ``progress`` is called with the
    number of comments read so far every 5,000 comments.
    """
    thread, report = load_with_report(
        path, format, text=text, errors=errors, select=select, progress=progress
    )
    if report.changed:
        warnings.warn(ThreadLoadWarning(report.summary(), report), stacklevel=2)
    return thread


def render(thread: Thread, format: str) -> str:
    """The text of a thread in a writable format (json, markdown, csv, html)."""
    info = _format(format, "write")
    if info.name == "json":
        return thread_json(thread)
    if info.name == "markdown":
        return markdown.render(thread)
    if info.name == "csv":
        return csv_format.render(thread)
    return html.render(thread)


def save(thread: Thread, path: str | os.PathLike[str], format: str | None = None) -> Path:
    """Write a thread atomically; the format comes from the extension unless ``format`` is given."""
    path = Path(path)
    name = format or format_for_path(path)
    if name is None:
        writable = ", ".join(e for f in FORMATS.values() if f.write for e in f.extensions)
        raise ValueError(
            f"{path}: cannot tell the format from the extension ({writable}); pass format="
        )
    info = _format(name, "write")
    return atomic_write_text(path, render(thread, info.name))
