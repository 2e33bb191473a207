"""first_screen: the comments a page paints first, in the page's order, with the counts it needs."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from threadwidget import Comment, Thread
from threadwidget.analysis import synthetic
from threadwidget.core.ranking import SORTS, rank
from threadwidget.page.first_screen import (
    CONTINUE_DEPTH,
    MORE_BATCH,
    first_screen,
    first_screen_snapshot,
)


def test_the_first_top_level_comments_in_the_sort_with_the_replies_the_page_draws() -> None:
    thread = synthetic.thread(600, seed=3)
    for sort in ("oldest", "top", "best"):
        screen = first_screen(thread, sort, limit=60)
        assert not screen.complete
        order = [r.id for r in rank(thread, sort) if r.depth == 0]
        tops = [c.id for c in screen.comments if c.parent_id is None]
        assert tops == order[: len(tops)]  # the page's order (ranking.py = ranking.ts)
        assert 60 <= len(screen.comments) <= 120
        chosen = {c.id for c in screen.comments}
        # every reply comes with its parent, at most MORE_BATCH per comment
        for c in screen.comments:
            assert c.parent_id is None or c.parent_id in chosen
        for cid, (kids, below) in screen.replies.items():
            assert kids > 0 and kids <= below + len(thread.children(cid))
            assert sum(1 for c in screen.comments if c.parent_id == cid) == min(kids, MORE_BATCH)
        assert screen.total == sum(1 for c in thread.comments if c.status == "visible")
        assert screen.top_level == len(order)


def test_the_snapshot_value_is_partial_for_a_long_thread_and_whole_for_a_short_one() -> None:
    long = synthetic.thread(800, seed=1)
    value = first_screen_snapshot(long, "newest", epoch="e1", seq=7)
    assert value["complete"] is False and value["epoch"] == "e1" and value["seq"] == 7
    assert 0 < len(value["comments"]) < 800 and "html" in value["comments"][0]
    assert value["first_screen"]["total"] == sum(1 for c in long.comments if c.status == "visible")
    short = synthetic.thread(20, seed=1)
    whole = first_screen_snapshot(short, "oldest", epoch="e2", seq=0)
    assert whole["complete"] is True and len(whole["comments"]) == 20
    assert "first_screen" not in whole


def _reference(
    thread: Thread, sort: str, role: str, limit: int, depth_cut: int | None, now: datetime
) -> Any:
    """The first screen the plain way (recursive, every comment's counts): what the fast
    version, with its shortcuts for threads where every comment shows, must equal."""
    shown = {c.id for c in thread.comments if _shows(thread, c, role)}
    rows = {
        r.id: r for r in rank(thread, sort, role=role, now=now)
    }  # ranking.py's order = the page's

    def kids(parent: str | None) -> list[Comment]:
        found = [c for c in thread.comments if c.parent_id == parent and c.id in shown]
        return sorted(found, key=lambda c: rows[c.id].rank)

    def below(c: Comment) -> int:
        return sum((k.status == "visible") + below(k) for k in thread.children(c.id))

    chosen: list[str] = []
    replies: dict[str, list[int]] = {}

    def visit(c: Comment, depth: int) -> None:
        if len(chosen) >= 2 * limit:
            return
        chosen.append(c.id)
        mine = kids(c.id)
        if mine:
            replies[c.id] = [len(mine), below(c)]
        if depth - 1 < CONTINUE_DEPTH and depth != depth_cut:
            for k in mine[:MORE_BATCH]:
                visit(k, depth + 1)

    for top in kids(None):
        if len(chosen) >= limit:
            break
        visit(top, 1)
    return chosen, replies, len(chosen) == len(shown), len(kids(None))


def _shows(thread: Thread, c: Comment, role: str) -> bool:
    own = c.status in ("visible", "removed") or (role == "moderator" and c.status != "deleted")
    return own or any(_shows(thread, k, role) for k in thread.children(c.id))


def _tied(thread: Thread, rng: random.Random) -> list[Comment]:
    """The comments with many ties: three posting times (two of them in the same millisecond,
    so they tie once truncated like the browser's), few likes, a fifth pinned."""
    start = thread.comments[0].created_at
    times = [start, start + timedelta(microseconds=300), start + timedelta(milliseconds=1)]
    return [
        c.model_copy(
            update={
                "created_at": rng.choice(times),
                "likes": rng.choice([0, 0, 1, 2]),
                "liked_by": (),
                "pinned": rng.random() < 0.2,
            }
        )
        for c in thread.comments
    ]


@pytest.mark.parametrize("statuses", ["all visible", "some removed", "some deleted", "ties"])
def test_the_fast_first_screen_equals_the_plain_one(statuses: str) -> None:
    """Every sort, pinned comments and ties (the partial choice of the top-level comments
    must give exactly the full sort's first ones), limits from one comment up."""
    rng = random.Random(statuses)
    mix = {"all visible": ["visible"], "some removed": ["visible"] * 5 + ["removed", "hidden"]}
    for trial in range(25):
        base = synthetic.thread(rng.choice([8, 60, 300]), seed=trial)
        now = base.comments[-1].created_at + timedelta(hours=rng.choice([1, 30]))
        if statuses == "ties":
            comments = _tied(base, rng)
        else:
            choices = mix.get(statuses, ["visible"] * 5 + ["deleted", "hidden", "spam", "removed"])
            comments = [
                c.model_copy(update={"status": rng.choice(choices), "pinned": rng.random() < 0.05})
                for c in base.comments
            ]
        thread = Thread.build(base.post, comments)
        for sort in SORTS:
            role = rng.choice(["participant", "moderator"])
            limit, cut = rng.choice([1, 3, 20, 120]), rng.choice([None, 1, 2])
            screen = first_screen(
                thread, sort, role=role, limit=limit, collapsed_depth=cut, now=now
            )
            got = (
                [c.id for c in screen.comments],
                screen.replies,
                screen.complete,
                screen.top_level,
            )
            assert got == _reference(thread, sort, role, limit, cut, now), (trial, sort, role)
