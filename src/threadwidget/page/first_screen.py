"""The first screen first: which comments a page paints before the rest of a long thread arrives.

A pure function of the thread and the page's sort. The page draws the top-level comments in its
sort order, each with at most ``MORE_BATCH`` direct replies (then "Show N more replies") down to
``CONTINUE_DEPTH`` levels (then "Continue this thread"); :func:`first_screen` picks the first
top-level comments of that order with exactly the replies the page would draw of them, and the
counts the page needs to draw the rest as counts (the total, and per comment how many shown
replies it has and how many visible comments are below it). The orders come from
:mod:`threadwidget.core.ranking`, the same as ``js/src/ranking.ts``.

:func:`first_screen_snapshot` wraps the choice as a ``_snapshot`` trait value with
``complete: false``: the page paints it at once, asks for the rest with a sync, and folds it in.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from ..core.models import Comment, Thread, gc_paused
from ..core.ranking import (
    SortKey,
    _now_ms,
    _preorder,
    _score,
    _shows_itself,
    sort_key,
    time_ms,
)
from ..core.voting import VotingModel, up_down, voting_model
from .messages import snapshot_value, wire_comment

__all__ = [
    "CONTINUE_DEPTH",
    "FIRST_SCREEN_COMMENTS",
    "MORE_BATCH",
    "FirstScreen",
    "first_screen",
    "first_screen_snapshot",
]

#: The page's lazy limits (js/src/render/tree.ts): direct replies drawn per comment, and the
#: depth below a top-level comment where a reply chain waits behind "Continue this thread".
MORE_BATCH = 20
CONTINUE_DEPTH = 12
#: About a screenful and more: the first screen holds whole top-level threads (with the replies
#: the page draws of them) until this many comments, and never more than twice as many.
FIRST_SCREEN_COMMENTS = 120


@dataclass
class FirstScreen:
    """The comments of the first screen, in page order (depth first), and the counts."""

    comments: list[Comment]
    #: visible comments in the whole thread (the page's "N comments")
    total: int
    #: shown top-level comments in the whole thread
    top_level: int
    #: for each chosen comment with shown replies: [shown direct replies, visible comments below]
    replies: dict[str, list[int]] = field(default_factory=dict)
    #: True when every shown comment is in ``comments`` (the thread is small)
    complete: bool = False


def first_screen(
    thread: Thread,
    sort: str,
    *,
    voting: object = "likes",
    role: str = "participant",
    now: datetime | None = None,
    limit: int = FIRST_SCREEN_COMMENTS,
    collapsed_depth: int | None = None,
) -> FirstScreen:
    """The first comments a page with this ``sort`` shows (see the module docstring).

    ``role`` decides what is shown (a moderator also sees hidden and spam comments);
    ``collapsed_depth`` is the page's option of that name (comments at that depth, 1 = top
    level, show no replies until expanded); ``now`` is the clock of ``hot``.
    """
    model = voting_model(voting)
    with gc_paused():
        return _first_screen(thread, sort, model, _now_ms(now), role, limit, collapsed_depth)


def _first_screen(
    thread: Thread,
    sort: str,
    model: VotingModel,
    now_ms: int,
    role: str,
    limit: int,
    collapsed_depth: int | None,
) -> FirstScreen:
    comments = thread.comments
    children: dict[str | None, list[Comment]] = defaultdict(list)
    for c in comments:
        children[c.parent_id].append(c)
    # the statuses in one C-level pass (counted and looked at below)
    statuses = list(map(attrgetter("status"), comments))
    shown: set[str] | None = None  # None: every comment shows itself (most threads)
    below: dict[str, int] = {}
    if not all(_shows_itself(status, role) for status in set(statuses)):
        shown, below = _shown_and_below(children, role)
    by_score = sort not in ("oldest", "newest")  # the time orders need no votes counted

    def key(c: Comment) -> SortKey:
        created = time_ms(c.created_at)
        if not by_score:
            return sort_key(sort, c.pinned, 0.0, created, c.id)
        up, down = up_down(c, model)
        return sort_key(
            sort, c.pinned, _score(sort, model, up, down, created, now_ms), created, c.id
        )

    def kids_of(parent: str | None) -> list[Comment]:
        kids = children.get(parent, [])
        return kids if shown is None else [c for c in kids if c.id in shown]

    def ordered(parent: str | None) -> list[Comment]:
        return sorted(kids_of(parent), key=key)

    tops = kids_of(None)
    # Each top-level thread adds at least one comment and the loop stops at ``limit``, so only
    # the first ``limit`` of the order are read: a partial selection, the same as sorted()[:limit]
    # (the keys end with the unique id, so there are no ties to break differently).
    top = heapq.nsmallest(limit, _candidates(tops, sort, limit), key=key)
    chosen: list[Comment] = []
    replies: dict[str, list[int]] = {}
    hard = 2 * limit
    for root in top:
        if len(chosen) >= limit:
            break
        if shown is None:  # the counts below, for this thread only
            below.update(_below(root, children))
        # depth first, as the page builds: (comment, depth, depth where "continue" counts from)
        stack: list[tuple[Comment, int, int]] = [(root, 1, 1)]
        while stack and len(chosen) < hard:
            c, depth, base = stack.pop()
            chosen.append(c)
            kids = ordered(c.id)
            if kids:
                replies[c.id] = [len(kids), below[c.id]]
            cut = depth - base >= CONTINUE_DEPTH or depth == collapsed_depth
            if cut:
                continue
            next_base = base
            stack.extend((k, depth + 1, next_base) for k in reversed(kids[:MORE_BATCH]))
    total = statuses.count("visible")
    return FirstScreen(
        comments=chosen,
        total=total,
        top_level=len(tops),
        replies=replies,
        complete=len(chosen) == (len(thread.comments) if shown is None else len(shown)),
    )


def _candidates(tops: list[Comment], sort: str, k: int) -> list[Comment]:
    """The comments of ``tops`` that can be among the first ``k`` of a time order (all of them
    for the other orders), found with C-level keys rather than a Python key per comment: the
    pinned ones, then the others up to the millisecond of the ``k``-th oldest (newest), ties in
    that millisecond included (the order truncates times to milliseconds, then breaks by id)."""
    if sort not in ("oldest", "newest") or len(tops) <= k or k <= 0:
        return tops
    pinned = list(filter(_pinned, tops))
    if len(pinned) >= k:
        return pinned
    by_time = sorted(tops, key=_created, reverse=sort == "newest")
    rest: list[Comment] = []
    edge = -1
    for c in by_time:
        if c.pinned:
            continue
        if len(pinned) + len(rest) >= k and time_ms(c.created_at) != edge:
            break
        rest.append(c)
        edge = time_ms(c.created_at)
    return pinned + rest


_created = attrgetter("created_at")
_pinned = attrgetter("pinned")


def _below(root: Comment, children: dict[str | None, list[Comment]]) -> dict[str, int]:
    """The visible comments below each comment of one thread, bottom up."""
    below: dict[str, int] = defaultdict(int)
    for c in reversed(_preorder(children, [root])):
        if c is not root and c.parent_id is not None:
            below[c.parent_id] += below[c.id] + (c.status == "visible")
    return below


def _shown_and_below(
    children: dict[str | None, list[Comment]], role: str
) -> tuple[set[str], dict[str, int]]:
    """In one bottom-up pass: the ids the page shows to ``role`` (as
    :func:`~threadwidget.core.ranking._shown`) and the visible comments below each comment."""
    shown: set[str] = set()
    below: dict[str, int] = defaultdict(int)
    for c in reversed(_preorder(children, children.get(None, ()))):  # replies before parents
        if _shows_itself(c.status, role) or c.id in shown:
            shown.add(c.id)
            if c.parent_id is not None:
                shown.add(c.parent_id)
        if c.parent_id is not None:
            below[c.parent_id] += below[c.id] + (c.status == "visible")
    return shown, below


def first_screen_snapshot(
    state: Thread,
    sort: str,
    *,
    epoch: str,
    seq: int,
    limit: int = FIRST_SCREEN_COMMENTS,
    voting: object = "likes",
    role: str = "participant",
    now: datetime | None = None,
    collapsed_depth: int | None = None,
) -> dict[str, Any]:
    """The ``_snapshot`` trait value for a page that paints the first screen first.

    A small thread (everything fits in the first screen) gives the ordinary complete snapshot.
    Otherwise ``complete`` is false, ``comments`` holds the first screen (wire form, page
    order), and ``first_screen`` the counts: ``{"sort", "total", "top_level", "replies": {id:
    [shown direct replies, visible comments below]}}``. The page paints that at once, then asks
    for the whole thread with a sync (epoch ``""``) and folds the snapshot parts in.
    """
    screen = first_screen(
        state,
        sort,
        voting=voting,
        role=role,
        now=now,
        limit=limit,
        collapsed_depth=collapsed_depth,
    )
    if screen.complete:
        return snapshot_value(state.post, state.comments, epoch=epoch, seq=seq, complete=True)
    value = snapshot_value(state.post, (), epoch=epoch, seq=seq, complete=False)
    value["comments"] = [wire_comment(c) for c in screen.comments]
    value["first_screen"] = {
        "sort": sort,
        "total": screen.total,
        "top_level": screen.top_level,
        "replies": screen.replies,
    }
    return value
