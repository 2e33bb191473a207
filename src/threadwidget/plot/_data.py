"""Rows the charts draw: one per comment, with its tree position, timing and status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import altair as alt

from ..core.models import Comment, Thread

__all__ = [
    "HIGHLIGHT",
    "MODERATED",
    "PICK",
    "Row",
    "comment_rows",
    "highlight_condition",
    "inline",
    "iso",
    "pick_param",
    "post_title",
    "subtitle",
    "when_text",
]

#: One data row of a chart (JSON-friendly values only).
Row = dict[str, Any]

#: Name of the click selection every linkable chart carries (``chart.selections.pick``).
PICK = "pick"
#: Name of the variable holding the id of the comment to highlight (``chart.params.highlight``).
HIGHLIGHT = "highlight"
#: Statuses a moderator set: these comments are marked in every chart.
MODERATED = frozenset({"hidden", "spam", "removed"})
#: Longest excerpt of a comment body shown in a tooltip.
EXCERPT = 90


def iso(when: datetime) -> str:
    """UTC ISO 8601 with a Z, which Vega-Lite parses as UTC."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def when_text(when: datetime) -> str:
    """A time as a reader sees it in a tooltip: ``2012-05-14 15:42 UTC``."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _score(comment: Comment) -> int:
    """Likes plus up votes minus down votes: the one number a chart colours by."""
    votes = list(comment.votes.values())
    return comment.likes + votes.count("up") - votes.count("down")


def _excerpt(comment: Comment) -> str:
    if comment.status != "visible":
        return f"[{comment.status}]"
    text = " ".join(comment.body.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _kind(comment: Comment) -> str:
    if comment.status in MODERATED:
        return "moderated"
    if comment.status == "deleted":
        return "deleted"
    return "top level" if comment.parent_id is None else "reply"


def comment_rows(thread: Thread) -> list[Row]:
    """One row per comment: id, parent, author, depth (0 = reply to the post), time, status."""
    depth: dict[str, int] = {}
    replies: dict[str, int] = {}
    rows: list[Row] = []
    stack: list[tuple[str | None, int]] = [(None, 0)]
    order: list[Comment] = []
    while stack:
        parent, level = stack.pop()
        for child in reversed(thread.children(parent)):
            depth[child.id] = level
            replies[child.id] = len(thread.children(child.id))
            order.append(child)
            stack.append((child.id, level + 1))
    for comment in sorted(order, key=lambda c: (c.created_at, c.id)):
        answered = thread.get(comment.parent_id) if comment.parent_id else None
        gap = (
            None if answered is None else (comment.created_at - answered.created_at).total_seconds()
        )
        rows.append(
            {
                "id": comment.id,
                "parent": comment.parent_id or thread.post.id,
                "author": comment.author,
                "depth": depth[comment.id],
                "time": iso(comment.created_at),
                "when": when_text(comment.created_at),
                "status": comment.status,
                "kind": _kind(comment),
                "moderated": comment.status in MODERATED,
                "likes": comment.likes,
                "score": _score(comment),
                "replies": replies[comment.id],
                "reply_minutes": None if gap is None else round(gap / 60, 2),
                "excerpt": _excerpt(comment),
            }
        )
    return rows


def inline(rows: Sequence[Row]) -> alt.Data:
    """Rows embedded in the view's spec, so a saved chart carries its data where it is used."""
    data: alt.Data = alt.Data(values=list(rows))  # type: ignore[no-untyped-call]
    return data


def pick_param() -> alt.Parameter:
    """The click selection a linked chart reports: the ``id`` of the clicked comment."""
    return alt.selection_point(name=PICK, fields=["id"], on="click", clear=False, empty=False)


def highlight_param() -> alt.Parameter:
    """The variable Python sets to highlight a comment by id ("" for none)."""
    return alt.param(name=HIGHLIGHT, value="")


def highlight_condition(on: Any, off: Any) -> Mapping[str, Any]:
    """``on`` for the highlighted comment, ``off`` for the others (a Vega-Lite condition)."""
    return {"condition": {"test": f"datum.id === {HIGHLIGHT}", "value": on}, "value": off}


def post_title(thread: Thread) -> str:
    """The post's title (or id), cut to 80 characters: every chart's subtitle."""
    sub = thread.post.title or thread.post.id
    return sub if len(sub) <= 80 else sub[:79] + "…"


def subtitle(thread: Thread) -> list[str]:
    """Every chart's subtitle: the post's title, and ``incomplete: N replies not loaded`` when
    the thread lacks replies (``thread.completeness``), so no chart passes for the whole."""
    note = thread.completeness.text()
    return [post_title(thread), note] if note else [post_title(thread)]


def author_order(rows: Sequence[Row]) -> list[str]:
    """Authors, most active first (ties by name)."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["author"]] = counts.get(row["author"], 0) + 1
    return sorted(counts, key=lambda a: (-counts[a], a))
