"""A thread as a table: one row per comment, with tree columns, to and from pandas DataFrames.

pandas is optional (``pip install 'threadwidget[pandas]'``); :func:`comment_rows` needs nothing
and also feeds the CSV format. ``to_pandas`` keeps the post in ``df.attrs["threadwidget_post"]``
so that ``from_pandas(to_pandas(t)) == t``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..core.models import Comment, Post, Thread
from ..extras import require

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "COLUMNS",
    "POST_ATTR",
    "comment_rows",
    "from_pandas",
    "thread_from_rows",
    "to_pandas",
]

#: Columns of :func:`to_pandas` and of CSV files, in order.
COLUMNS = (
    "id",
    "parent_id",
    "root_id",
    "depth",
    "path",
    "author",
    "created_at",
    "edited_at",
    "body",
    "likes",
    "liked_by",
    "n_replies",
    "n_descendants",
    "status",
    "votes",
    "extra",
    "labels",
)
#: Columns computed from the tree; ignored when reading (they are recomputed).
DERIVED = ("root_id", "depth", "path", "n_replies", "n_descendants")
#: Key of ``DataFrame.attrs`` holding the post as a JSON-ready dict.
POST_ATTR = "threadwidget_post"
_REQUIRED = ("id", "author", "created_at", "body")


def _require_pandas() -> Any:
    try:
        pd = require("pandas", "pandas", "Thread.to_pandas / from_pandas")
    except ImportError as error:  # pragma: no cover - exercised with pandas hidden
        raise ImportError(
            "DataFrame support needs pandas: pip install 'threadwidget[pandas]'"
        ) from error
    return pd


def comment_rows(thread: Thread) -> list[dict[str, Any]]:
    """One dict per comment (thread order) with the :data:`COLUMNS`; tree columns computed."""
    kids: dict[str | None, list[str]] = {}
    for comment in thread.comments:
        kids.setdefault(comment.parent_id, []).append(comment.id)
    info: dict[str, tuple[str, int, str]] = {}  # id -> (root_id, depth, path)
    order: list[str] = []
    stack = [(cid, cid, 0, cid) for cid in reversed(kids.get(None, []))]
    while stack:
        cid, root, depth, path = stack.pop()
        info[cid] = (root, depth, path)
        order.append(cid)
        stack.extend((k, root, depth + 1, f"{path}/{k}") for k in reversed(kids.get(cid, [])))
    descendants: dict[str, int] = {}
    for cid in reversed(order):  # children come after parents in ``order``
        descendants[cid] = sum(1 + descendants[k] for k in kids.get(cid, []))
    rows = []
    for c in thread.comments:
        root, depth, path = info[c.id]
        rows.append(
            {
                "id": c.id,
                "parent_id": c.parent_id,
                "root_id": root,
                "depth": depth,
                "path": path,
                "author": c.author,
                "created_at": c.created_at,
                "edited_at": c.edited_at,
                "body": c.body,
                "likes": c.likes,
                "liked_by": list(c.liked_by),
                "n_replies": len(kids.get(c.id, [])),
                "n_descendants": descendants[c.id],
                "status": c.status,
                "votes": dict(c.votes),
                "extra": dict(c.extra),
                "labels": dict(c.labels),
            }
        )
    return rows


def _missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas NA (anything a table uses for an empty cell)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return type(value).__name__ in ("NAType", "NaTType")


def _time(value: Any, label: str) -> datetime | None:
    if _missing(value) or value == "":
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(f"{label}: not a time: {value!r}") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{label}: not a time: {value!r}")
    moment: datetime = value
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _liked_by(value: Any) -> tuple[str, ...]:
    """Likers from a list, a tuple, an array or JSON text such as ``["Ann", "Bo"]``."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ()
        return tuple(str(v) for v in json.loads(text)) if text.startswith("[") else (text,)
    if isinstance(value, list | tuple) or hasattr(value, "tolist"):
        return tuple(str(v) for v in list(value))
    return ()


def _mapping(value: Any, label: str) -> dict[str, Any]:
    """A dict from a mapping or JSON object text such as ``{"sentiment": "positive"}``."""
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text else {}
    elif _missing(value):
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{label}: not a JSON object: {value!r}")
    return dict(value)


def thread_from_rows(rows: Iterable[Mapping[Any, Any]], post: Post) -> Thread:
    """A validated Thread from table rows; errors name the row number and the comment id."""
    comments = []
    for number, row in enumerate(rows, start=1):
        cid = row.get("id")
        where = f"row {number} (id {cid!r})"
        missing = [k for k in _REQUIRED if k not in row]
        if missing:
            raise ValueError(f"{where}: missing column(s) {', '.join(missing)}")
        try:
            parent = row.get("parent_id")
            likes: Any = row.get("likes")
            # Validated from a dict: a table's cells are untyped (an empty created_at or an
            # unknown status is pydantic's error, named with the row below).
            fields: dict[str, Any] = {
                "id": str(cid),
                "parent_id": None if _missing(parent) or parent == "" else str(parent),
                "author": str(row["author"]),
                "body": "" if _missing(row["body"]) else str(row["body"]),
                "created_at": _time(row["created_at"], "created_at"),
                "edited_at": _time(row.get("edited_at"), "edited_at"),
                "status": row.get("status") if not _missing(row.get("status")) else "visible",
                "likes": 0 if _missing(likes) or likes == "" else int(likes),
                "liked_by": _liked_by(row.get("liked_by")),
                "votes": _mapping(row.get("votes"), "votes"),
                "extra": _mapping(row.get("extra"), "extra"),
                "labels": _mapping(row.get("labels"), "labels"),
            }
            comments.append(Comment.model_validate(fields))
        except (ValidationError, ValueError, TypeError) as error:
            raise ValueError(f"{where}: {error}") from error
    try:
        return Thread.build(post, comments)
    except ValidationError as error:
        raise ValueError(f"the table is not a valid thread: {error.errors()[0]['msg']}") from error


def to_pandas(thread: Thread) -> pd.DataFrame:
    """A DataFrame with one row per comment and the :data:`COLUMNS`; the post in ``df.attrs``."""
    pandas = _require_pandas()
    frame: pd.DataFrame = pandas.DataFrame(comment_rows(thread), columns=list(COLUMNS))
    frame["created_at"] = pandas.to_datetime(frame["created_at"], utc=True)
    frame["edited_at"] = pandas.to_datetime(frame["edited_at"], utc=True)
    for column in ("depth", "likes", "n_replies", "n_descendants"):
        frame[column] = frame[column].astype("int64")
    frame.attrs[POST_ATTR] = thread.post.model_dump(mode="json")
    return frame


def from_pandas(frame: pd.DataFrame, post: Post | None = None) -> Thread:
    """A Thread from a DataFrame shaped like :func:`to_pandas` output (derived columns ignored).

    The post is ``post``, else the one stored in ``frame.attrs`` by ``to_pandas``, else a
    default post. Naive times are read as UTC.
    """
    _require_pandas()
    if post is None:
        stored = frame.attrs.get(POST_ATTR)
        post = Post.model_validate(stored) if stored else Post(created_at=_earliest(frame))
    rows = frame.to_dict(orient="records")
    return thread_from_rows(rows, post)


def _earliest(frame: Any) -> datetime:
    if "created_at" in frame and len(frame):
        times = [_time(v, "created_at") for v in frame["created_at"]]
        known = [t for t in times if t is not None]
        if known:
            return min(known)
    return datetime.now(timezone.utc)
