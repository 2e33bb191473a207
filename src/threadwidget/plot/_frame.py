"""One table of a thread's comments, computed once per thread and shared by every chart.

Columns follow the conventions of ``threadwidget.analysis.measures``: ``depth`` 1 is a reply to
the post; ``speaks`` marks comments that count for people and reply times (visible, author
known). Comments are in tree order (each after the one it answers, siblings oldest first), so a
subtree is a contiguous run of rows. Charts aggregate from here with pandas and numpy, and pass
small tables to Altair: Altair's per-row handling of inline rows, not drawing, is what was slow.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.measures import MODERATED, UNKNOWN_AUTHORS, as_thread
from ..core.models import Comment, Thread

__all__ = ["LIMIT", "ThreadFrame", "excerpt", "frame_of", "kind_of", "reply_ends", "score_of"]

#: Above this many comments a chart aggregates (and says so in its subtitle).
LIMIT = 2000
_CACHE: OrderedDict[int, tuple[Thread, ThreadFrame]] = OrderedDict()
_CACHED = 6


def kind_of(comment: Comment) -> str:
    """top level, reply, deleted or moderated (hidden, spam or removed)."""
    if comment.status in MODERATED:
        return "moderated"
    if comment.status == "deleted":
        return "deleted"
    return "top level" if comment.parent_id is None else "reply"


def score_of(comment: Comment) -> int:
    """Likes plus up votes minus down votes: the one number a chart colours by."""
    votes = list(comment.votes.values())
    return comment.likes + votes.count("up") - votes.count("down")


@dataclass(frozen=True)
class ThreadFrame:
    """The comments of one thread as columns (a DataFrame) and what they say about the thread."""

    thread: Thread
    #: id, parent (row index, -1 for the post), depth, root (row of its top-level comment),
    #: author, status, kind, speaks, minutes (after the post), score, replies (direct),
    #: size (comments in its subtree, itself included), leaves (comments without replies under
    #: it, itself if it has none), start (leaves before it in tree order).
    rows: pd.DataFrame
    #: Whether the comments carry times: False when all share one instant (none recorded).
    has_times: bool
    #: Whether any comment carries a like or a vote (False: the source records no scores).
    has_scores: bool

    @property
    def comments(self) -> int:
        """Every comment in the tree."""
        return len(self.rows)

    @property
    def aggregated(self) -> bool:
        """Whether charts draw aggregates rather than single comments (above :data:`LIMIT`)."""
        return len(self.rows) > LIMIT

    @property
    def post_score(self) -> int | None:
        """The post's own points when its source recorded them (``post.extra`` score/points)."""
        for key in ("score", "points", "likes"):
            value = self.thread.post.extra.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return None


def frame_of(source: object) -> ThreadFrame:
    """The :class:`ThreadFrame` of a Thread or a ThreadWidget, cached for the last few threads."""
    thread = as_thread(source)
    key = id(thread)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is thread:
        _CACHE.move_to_end(key)
        return hit[1]
    made = _build(thread)
    _CACHE[key] = (thread, made)
    while len(_CACHE) > _CACHED:
        _CACHE.popitem(last=False)
    return made


def _build(thread: Thread) -> ThreadFrame:
    comments = thread.comments
    n = len(comments)
    ids = [c.id for c in comments]
    where = {cid: i for i, cid in enumerate(ids)}
    parent = np.fromiter(
        (-1 if c.parent_id is None else where[c.parent_id] for c in comments), np.int64, n
    )
    seconds = np.fromiter((c.created_at.timestamp() for c in comments), np.float64, n)
    score = np.fromiter((c.likes for c in comments), np.int64, n)
    voted = [i for i, c in enumerate(comments) if c.votes]
    for i in voted:
        score[i] = score_of(comments[i])
    has_scores = bool(voted) or bool(score.any())
    statuses = np.asarray([c.status for c in comments], dtype=object)
    authors = np.asarray([c.author for c in comments], dtype=object)
    # depth and top-level ancestor by following parents, one step for all comments at a time
    depth = np.ones(n, dtype=np.int64)
    root = np.arange(n, dtype=np.int64)
    up = parent.copy()
    while n and (up >= 0).any():
        going = up >= 0
        depth[going] += 1
        root[going] = up[going]
        up = np.where(going, parent[np.maximum(up, 0)], -1)
    # sizes and leaves, deepest level first; icicle starts, top level first
    inner = parent >= 0
    replies = np.bincount(parent[inner], minlength=n).astype(np.int64) if n else depth * 0
    size = np.ones(n, dtype=np.int64)
    leaves = (replies == 0).astype(np.int64)
    deepest = int(depth.max()) if n else 0
    by_level = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[by_level], np.arange(1, deepest + 2))
    for level in range(deepest, 1, -1):
        members = by_level[bounds[level - 1] : bounds[level]]
        size += np.bincount(parent[members], weights=size[members], minlength=n).astype(np.int64)
        leaves += np.bincount(parent[members], weights=leaves[members], minlength=n).astype(
            np.int64
        )
    start = np.zeros(n, dtype=np.int64)
    position = np.arange(n, dtype=np.int64)
    for level in range(1, deepest + 1):
        members = by_level[bounds[level - 1] : bounds[level]]
        owner = parent[members]
        # siblings oldest first (file order on ties), as Thread.children orders them
        order = members[np.lexsort((position[members], seconds[members], owner))]
        group = parent[order]
        lv = leaves[order]
        running = np.cumsum(lv) - lv
        first = np.r_[True, group[1:] != group[:-1]] if len(order) else np.zeros(0, dtype=bool)
        base = np.maximum.accumulate(np.where(first, running, 0)) if len(order) else running
        offset = running - base
        start[order] = np.where(group >= 0, start[np.maximum(group, 0)], 0) + offset
    tree_order = np.lexsort((depth, start)) if n else position
    kind = np.where(
        np.isin(statuses, list(MODERATED)),
        "moderated",
        np.where(statuses == "deleted", "deleted", np.where(inner, "reply", "top level")),
    )
    speaks = (statuses == "visible") & ~np.isin(authors, list(UNKNOWN_AUTHORS))
    posted = thread.post.created_at.timestamp()
    new_index = np.empty(n, dtype=np.int64)
    new_index[tree_order] = np.arange(n)
    parent_new = np.where(inner, new_index[np.maximum(parent, 0)], -1)
    rows = pd.DataFrame(
        {
            "id": np.asarray(ids, dtype=object)[tree_order] if n else [],
            "parent": parent_new[tree_order],
            "depth": depth[tree_order],
            "root": new_index[root][tree_order],
            "author": authors[tree_order],
            "status": statuses[tree_order],
            "kind": kind[tree_order] if n else [],
            "speaks": speaks[tree_order],
            "minutes": (seconds[tree_order] - posted) / 60,
            "score": score[tree_order],
            "replies": replies[tree_order],
            "size": size[tree_order],
            "leaves": leaves[tree_order],
            "start": start[tree_order],
        }
    )
    has_times = bool(n) and not (n >= 2 and float(np.ptp(seconds)) < 1.0)
    return ThreadFrame(thread, rows, has_times, has_scores)


def reply_ends(frame: ThreadFrame) -> tuple[Any, Any, Any]:
    """(replier, answered author, mask) per row: the mask keeps replies between comments by two
    different people (the reply network of ``measures.reply_pairs``)."""
    rows = frame.rows
    parent = rows["parent"].to_numpy()
    speaks = rows["speaks"].to_numpy()
    authors = rows["author"].to_numpy()
    up = np.maximum(parent, 0)
    answered = authors[up] if len(authors) else authors
    mask = (parent >= 0) & speaks & speaks[up] & (authors != answered) if len(authors) else speaks
    return authors, answered, mask


def excerpt(comment: Comment, limit: int = 90) -> str:
    """A comment's text as a tooltip shows it: one line, cut to ``limit`` characters."""
    if comment.status != "visible":
        return f"[{comment.status}]"
    text = " ".join(comment.body.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def records(frame: pd.DataFrame) -> Any:
    """A DataFrame as Altair takes it without per-row work (numbers as plain floats and ints)."""
    return frame.reset_index(drop=True)
