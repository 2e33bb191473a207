"""first_screen: the comments a page paints first, in the page's order, with the counts it needs."""

from __future__ import annotations

from threadwidget import synthetic
from threadwidget.first_screen import MORE_BATCH, first_screen, first_screen_snapshot
from threadwidget.ranking import rank


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
