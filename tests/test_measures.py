"""Each named measure against a small thread computed by hand."""

from __future__ import annotations

import itertools
import sys
from collections import deque
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from threadwidget import Comment, Post, Thread, read_thread
from threadwidget.analysis.measures import (
    REFERENCES,
    depth_profile,
    gini,
    h_index,
    measures,
    participation_gini,
    reciprocity,
    reply_pairs,
    response_times,
    structural_virality,
)

T0 = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
SEED = Path(__file__).resolve().parents[1] / "examples" / "data" / "power-trip.json"


def _c(cid: str, author: str, minutes: int, parent: str | None = None, **kw: object) -> Comment:
    return Comment(
        id=cid, author=author, parent_id=parent, created_at=T0 + timedelta(minutes=minutes), **kw
    )


@pytest.fixture
def small() -> Thread:
    """post ── a(Ann) ─┬─ b(Bob) ── c(Ann)
    │            └─ d(Cat)
    ├─ e(Bob)
    └─ f(Cat, spam)"""
    return Thread(
        post=Post(title="Small", author="Op", created_at=T0),
        comments=(
            _c("a", "Ann", 10),
            _c("b", "Bob", 20, "a"),
            _c("c", "Ann", 50, "b"),
            _c("d", "Cat", 30, "a"),
            _c("e", "Bob", 60),
            _c("f", "Cat", 70, status="spam"),
        ),
    )


def test_depth_profile_and_h_index(small: Thread) -> None:
    assert depth_profile(small) == {1: 3, 2: 2, 3: 1}
    # level 1 has 3 >= 1, level 2 has 2 >= 2, level 3 has 1 < 3
    assert h_index(small) == 2
    assert h_index(Thread(post=Post())) == 0


def test_structural_virality_is_the_mean_pairwise_distance(small: Thread) -> None:
    # subtree sizes a=4, b=2, c=d=e=f=1 over n=7 nodes: sum s(n-s) = 12+10+6*4 = 46 over 21 pairs
    assert structural_virality(small) == pytest.approx(46 / 21)
    assert structural_virality(small) == pytest.approx(_brute_force_virality(small))
    assert structural_virality(Thread(post=Post())) is None
    one = Thread(post=Post(created_at=T0), comments=(_c("x", "A", 1),))
    assert structural_virality(one) == 1.0


def _brute_force_virality(thread: Thread) -> float:
    edges: dict[str, set[str]] = {"post": set()}
    for c in thread.comments:
        parent = c.parent_id or "post"
        edges.setdefault(c.id, set()).add(parent)
        edges.setdefault(parent, set()).add(c.id)
    total = 0
    for a, b in itertools.combinations(edges, 2):
        seen, queue = {a: 0}, deque([a])
        while queue:
            node = queue.popleft()
            for nxt in edges[node]:
                if nxt not in seen:
                    seen[nxt] = seen[node] + 1
                    queue.append(nxt)
        total += seen[b]
    return total / (len(edges) * (len(edges) - 1) / 2)


def test_reciprocity_counts_answered_reply_links(small: Thread) -> None:
    assert reply_pairs(small) == {("Bob", "Ann"): 1, ("Ann", "Bob"): 1, ("Cat", "Ann"): 1}
    assert reciprocity(small) == pytest.approx(2 / 3)
    alone = Thread(post=Post(created_at=T0), comments=(_c("x", "A", 1), _c("y", "A", 2, "x")))
    assert reply_pairs(alone) == {}  # a self-reply is not a link
    assert reciprocity(alone) is None


def test_response_times(small: Thread) -> None:
    times = response_times(small)
    assert times.replies == 3  # b after 10 min, d after 20, c after 30
    assert times.median_seconds == 1200
    assert times.quartiles_seconds == (600, 1200, 1800)
    assert times.first_comment_seconds == 600


def test_gini_of_comments_per_author(small: Thread) -> None:
    # visible comments: Ann 2, Bob 2, Cat 1 (the spam is not counted): 2 / (3 * 5)
    assert participation_gini(small) == pytest.approx(2 / 15)
    assert gini([1, 1, 1]) == 0
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert gini([]) is None


def test_measures_table(small: Thread) -> None:
    table = measures(small)
    values = table.to_dict()
    assert values["h_index"] == 2
    assert values["structural_virality"] == pytest.approx(46 / 21)
    assert values["reciprocity"] == pytest.approx(2 / 3)
    assert values["median_response_minutes"] == 20
    assert values["response_iqr_minutes"] == 20
    assert values["first_comment_minutes"] == 10
    assert values["max_level"] == 3 and values["mean_level"] == pytest.approx(10 / 6)
    assert values["top_level_share"] == pytest.approx(0.5)
    assert table.get("h_index").reference == REFERENCES["h_index"]
    assert "Gómez" in table.get("h_index").reference
    assert "Goel" in table.get("structural_virality").reference
    assert "h-index" in str(table) and "<table>" in table._repr_html_()
    frame = table.to_pandas()
    assert frame.loc["h_index", "value"] == 2
    with pytest.raises(KeyError, match="nope"):
        table.get("nope")


def test_measures_accept_a_widget_like_object(small: Thread) -> None:
    class Holder:
        thread = small

    assert measures(Holder()).to_dict()["h_index"] == 2
    with pytest.raises(TypeError, match="Thread or a ThreadWidget"):
        measures(object())


def test_measures_cite_their_papers_in_docstrings() -> None:
    assert "Gómez, Kaltenbrunner and López (2008)" in (h_index.__doc__ or "")
    assert "Goel, Anderson, Hofman and Watts (2016)" in (structural_virality.__doc__ or "")
    assert "Garlaschelli and Loffredo (2004)" in (reciprocity.__doc__ or "")
    assert "Kaltenbrunner, Gómez and López (2007)" in (response_times.__doc__ or "")
    assert "Gómez, Kaltenbrunner and López (2008)" in (depth_profile.__doc__ or "")


def test_to_pandas_without_pandas_names_the_extra(
    small: Thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(ImportError, match=r"pip install 'threadwidget\[pandas\]'"):
        measures(small).to_pandas()


def test_stats_carry_the_measures(small: Thread) -> None:
    stats = small.stats()
    assert stats.h_index == 2
    assert stats.structural_virality == pytest.approx(46 / 21)
    assert stats.reciprocity == pytest.approx(2 / 3)
    assert stats.participation_gini == pytest.approx(2 / 15)
    assert "h-index 2" in str(stats) and "structural virality" in stats._repr_html_()
    assert stats.to_dict()["h_index"] == 2
    seed = read_thread(SEED).stats()
    assert seed.h_index == 2 and seed.reciprocity == 0  # Steve answers, nobody answers Steve
