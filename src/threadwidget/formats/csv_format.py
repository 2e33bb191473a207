"""CSV export and import: one row per comment with the same columns as ``to_pandas``.

UTF-8, a header row, every field quoted when needed (stdlib ``csv``); times are ISO 8601 UTC,
``liked_by`` is a JSON list, ``votes``, ``extra`` and ``labels`` are JSON objects. CSV holds
comments only: on import the post is a placeholder whose title is the file name and whose time is
the earliest comment's.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..analysis.tabular import COLUMNS, comment_rows, thread_from_rows
from ..core.models import Post, Thread
from ._common import Reader

__all__ = ["LABEL", "looks_like", "read", "render"]

LABEL = "CSV"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        iso: str = value.isoformat()  # a datetime or pandas Timestamp
        return iso.replace("+00:00", "Z")
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render(thread: Thread) -> str:
    """The comments as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in comment_rows(thread):
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return buffer.getvalue()


def looks_like(text: str) -> bool:
    """True when the first line is a header naming at least ``id`` and ``parent_id``."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    names = {n.strip().strip('"') for n in first.split(",")}
    return {"id", "parent_id", "created_at"} <= names


def read(text: str, rd: Reader, title: str = "") -> Thread:
    """A thread from CSV text written by :func:`render` (or any table with those columns)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        rd.fail(f"line {reader.line_num}", f"not valid CSV: {error}")
    if not rows:
        rd.fail("line 1", "no comment rows")
    try:
        thread = thread_from_rows(rows, Post(title=title))
    except ValueError as error:
        rd.fail("", str(error))
    earliest = min((c.created_at for c in thread.comments), default=thread.post.created_at)
    return thread.model_copy(update={"post": Post(title=title, created_at=earliest)})
