"""The one table of comments every chart reads: the same depths as the measures, subtrees as
contiguous runs, sizes and leaves summed, icicle spans nested, for any reply tree."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from threadwidget import Comment, Post, Thread
from threadwidget.analysis.measures import levels, reply_pairs
from threadwidget.plot._frame import _build, reply_ends

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
STATUSES = ("visible", "visible", "visible", "deleted", "spam")
AUTHORS = ("Ann", "Bob", "Cat", "[deleted]")


@st.composite
def threads(draw: st.DrawFn) -> Thread:
    """A reply tree in any file order, with times (ties too), statuses and authors."""
    n = draw(st.integers(0, 40))
    comments = []
    for k in range(n):
        parent = draw(st.integers(-1, k - 1))
        comments.append(
            Comment(
                id=f"c{k}",
                parent_id=None if parent < 0 else f"c{parent}",
                author=draw(st.sampled_from(AUTHORS)),
                status=draw(st.sampled_from(STATUSES)),
                created_at=T0 + timedelta(minutes=draw(st.integers(0, 30))),
            )
        )
    order = draw(st.permutations(comments))
    return Thread(post=Post(created_at=T0), comments=tuple(order))


@settings(max_examples=120, deadline=None)
@given(threads())
def test_the_frame_agrees_with_the_tree(thread: Thread) -> None:
    frame = _build(thread)
    rows = frame.rows
    # the measures' depths, in the measures' tree order (siblings oldest first)
    assert list(zip(rows["id"], rows["depth"], strict=True)) == list(levels(thread).items())
    ids = list(rows["id"])
    for i, cid in enumerate(ids):
        comment = thread.get(cid)
        parent = rows["parent"][i]
        assert (parent < 0) == (comment.parent_id is None)
        if parent >= 0:
            assert ids[parent] == comment.parent_id and parent < i
            assert rows["start"][parent] <= rows["start"][i]
            assert (
                rows["start"][i] + rows["leaves"][i]
                <= rows["start"][parent] + rows["leaves"][parent]
            )
        size = int(rows["size"][i])
        # a subtree is the contiguous run of rows after its root
        run = ids[i : i + size]
        assert all(thread.get(r).parent_id in {cid, *run} for r in run[1:])
        kids = [c for c in thread.comments if c.parent_id == cid]
        assert rows["replies"][i] == len(kids)
        assert rows["leaves"][i] == (
            1 if not kids else sum(rows["leaves"][ids.index(k.id)] for k in kids)
        )
    authors, answered, mask = reply_ends(frame)
    pairs: dict[tuple[str, str], int] = {}
    for a, b in zip(authors[mask], answered[mask], strict=True):
        pairs[(a, b)] = pairs.get((a, b), 0) + 1
    assert pairs == dict(reply_pairs(thread))  # the network the measures use
