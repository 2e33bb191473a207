"""thread.stats(): participants, depth, reply times, chains, most replied and liked."""

from __future__ import annotations

from datetime import timedelta

from threadwidget import Comment, Post, Thread, read_thread
from threadwidget.analysis import synthetic

from .conftest import SEED, T0


def test_seed_stats() -> None:
    stats = read_thread(SEED).stats()
    assert stats.comments == 9
    assert stats.top_level == 6
    assert stats.participants == 6
    assert stats.post_author_comments == 3
    assert stats.depth_distribution == {1: 6, 2: 3}  # depth 1: a reply to the post
    assert stats.max_depth == 2
    assert stats.most_replied[0][1] == 1
    assert stats.most_liked[0] == ("c2", 5)
    assert len(stats.longest_chain) == 2
    assert "participants    6" in str(stats)
    assert "<table>" in stats._repr_html_()
    assert stats.to_dict()["first_comment"].startswith("2012-05-14")


def test_reply_times_chain_and_deleted() -> None:
    thread = Thread(
        post=Post(author="P", created_at=T0),
        comments=(
            Comment(id="a", author="A", body="1", created_at=T0),
            Comment(id="b", parent_id="a", author="B", body="2", created_at=T0 + timedelta(60)),
            Comment(
                id="c", parent_id="b", author="A", body="3", created_at=T0 + timedelta(minutes=10)
            ),
            Comment(id="d", author="C", body="", status="deleted", created_at=T0),
        ),
    )
    stats = thread.stats()
    assert stats.comments == 4  # the tree: every comment
    assert stats.deleted == 1 and stats.moderated == 0
    assert stats.longest_chain == ["a", "b", "c"]
    assert stats.comments_per_author == {"A": 2, "B": 1}
    assert stats.median_reply_seconds is not None
    assert stats.reply_seconds_quartiles is not None


def test_stats_scale_linearly() -> None:
    stats = synthetic.thread(5000, seed=1).stats()
    assert stats.comments == 5000
    assert sum(stats.depth_distribution.values()) == stats.comments
