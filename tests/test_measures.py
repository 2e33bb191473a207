"""Each named measure against a small thread computed by hand."""

from __future__ import annotations

import itertools
import sys
from collections import deque
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from threadwidget import Comment, Post, Thread, load, read_thread
from threadwidget.analysis.measures import (
    REFERENCES,
    depth_profile,
    gini,
    h_index,
    levels,
    measures,
    participation_gini,
    reciprocated_share,
    reciprocity_rho,
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


def test_reciprocity_share_and_rho(small: Thread) -> None:
    assert reply_pairs(small) == {("Bob", "Ann"): 1, ("Ann", "Bob"): 1, ("Cat", "Ann"): 1}
    assert reciprocated_share(small) == pytest.approx(2 / 3)
    # L = 3 links among N = 3 people: a = 3 / 6; rho = (2/3 - 1/2) / (1 - 1/2)
    assert reciprocity_rho(small) == pytest.approx(1 / 3)
    alone = Thread(post=Post(created_at=T0), comments=(_c("x", "A", 1), _c("y", "A", 2, "x")))
    assert reply_pairs(alone) == {}  # a self-reply is not a link
    assert reciprocated_share(alone) is None and reciprocity_rho(alone) is None
    both = Thread(
        post=Post(created_at=T0),
        comments=(_c("x", "A", 1), _c("y", "B", 2, "x"), _c("z", "A", 3, "y")),
    )
    assert reciprocity_rho(both) is None  # every possible link exists: rho is undefined
    seed = read_thread(SEED)  # Steve answers three people, nobody answers Steve
    assert reciprocated_share(seed) == 0
    assert reciprocity_rho(seed) == pytest.approx(-1 / 3)  # a = 3 / 12: fewer than chance


def test_deleted_authors_are_nobody(small: Thread) -> None:
    gone = small.model_copy(
        update={
            "comments": (*small.comments, _c("g", "[deleted]", 80, "a"), _c("h", "[deleted]", 81))
        }
    )
    gone = Thread(post=gone.post, comments=gone.comments)
    assert reply_pairs(gone) == reply_pairs(small)  # "[deleted]" answers nobody
    assert participation_gini(gone) == participation_gini(small)
    assert depth_profile(gone) == {1: 4, 2: 3, 3: 1}  # but its comments hold their place


@pytest.mark.parametrize("name", ["power-trip", "hn-planet-nine", "reddit-crafts-cosplay"])
def test_reciprocity_agrees_with_networkx(name: str) -> None:
    import networkx as nx

    thread = load(SEED.parent / f"{name}.json")
    graph = nx.DiGraph(list(reply_pairs(thread)))
    share = nx.overall_reciprocity(graph)
    density = nx.density(graph)
    assert reciprocated_share(thread) == pytest.approx(share)
    assert reciprocity_rho(thread) == pytest.approx((share - density) / (1 - density))


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
    assert values["reciprocated_share"] == pytest.approx(2 / 3)
    assert values["reciprocity_rho"] == pytest.approx(1 / 3)
    assert table.get("reciprocity_rho").name == "reciprocity (rho)"
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
    assert "Garlaschelli and Loffredo's (2004)" in (reciprocity_rho.__doc__ or "")
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
    assert stats.reciprocated_share == pytest.approx(2 / 3)
    assert stats.reciprocity_rho == pytest.approx(1 / 3)
    assert stats.participation_gini == pytest.approx(2 / 15)
    assert "h-index 2" in str(stats) and "structural virality" in stats._repr_html_()
    assert stats.to_dict()["h_index"] == 2
    seed = read_thread(SEED).stats()
    assert seed.h_index == 2 and seed.reciprocated_share == 0  # nobody answers Steve
    assert seed.reciprocity_rho == pytest.approx(-1 / 3)


@pytest.mark.parametrize("name", ["power-trip", "hn-planet-nine", "reddit-crafts-cosplay"])
def test_one_depth_convention_and_one_counting_rule(name: str) -> None:
    """stats(), measures() and the depth chart read the same levels off every comment."""
    from threadwidget.plot.distributions import depth_rows

    thread = load(SEED.parent / f"{name}.json")
    profile = depth_profile(thread)
    stats = thread.stats()
    assert stats.depth_distribution == profile
    assert sum(profile.values()) == len(thread.comments) == stats.comments
    assert min(profile) == 1  # a reply to the post is depth 1
    assert stats.max_depth == measures(thread).to_dict()["max_level"] == max(profile)
    chart = depth_rows(thread)
    assert dict(zip(chart["depth"], chart["comments"], strict=True)) == profile
    assert list(levels(thread).values()).count(1) == stats.top_level
    statuses = [c.status for c in thread.comments]
    assert stats.deleted == statuses.count("deleted")
    assert stats.moderated == sum(statuses.count(s) for s in ("hidden", "spam", "removed"))
    assert "[deleted]" not in stats.comments_per_author
