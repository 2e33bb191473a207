"""Transparent ranking: formulas against hand-computed values, sibling order, widget.ranking()."""

from __future__ import annotations

import importlib.util
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from threadwidget import Comment, Post, Thread, ThreadWidget
from threadwidget.core.models import Flag
from threadwidget.core.ranking import (
    controversy,
    format_number,
    formula,
    hot,
    rank,
    score,
    time_ms,
    wilson_lower_bound,
)

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(hours=10)
MINUS = "\u2212"  # the formulas write a real minus sign


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def flags(n: int) -> tuple[Flag, ...]:
    return tuple(Flag(user=f"f{i}", at=T0, reason="") for i in range(n))


# ---- formulas ------------------------------------------------------------------------------


def test_wilson_lower_bound_hand_computed() -> None:
    # n = 6, p = 5/6, z² = 3.8416: (0.83333 + 0.32013 - 1.96 * 0.22322) / 1.64027
    assert wilson_lower_bound(5, 1) == pytest.approx(0.436491, abs=1e-6)
    # n = 1, p = 1: (1 + 1.9208 - 1.96 * 0.98) / 4.8416 = 1 / 4.8416
    assert wilson_lower_bound(1, 0) == pytest.approx(1 / 4.8416)
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(0, 5) == 0.0
    assert wilson_lower_bound(5, 1) > wilson_lower_bound(1, 0)  # more votes, more certainty
    assert wilson_lower_bound(100, 0, z=0) == 1.0


def test_controversy_hand_computed() -> None:
    assert controversy(10, 10) == 20.0
    assert controversy(10, 1) == pytest.approx(11**0.1)
    assert controversy(1, 10) == controversy(10, 1)
    assert controversy(0, 0) == controversy(7, 0) == controversy(0, 7) == 0.0


def test_hot_hand_computed() -> None:
    assert hot(3, 1, T0, T0 + timedelta(hours=1)) == pytest.approx(2 / 3**1.8)
    assert hot(3, 1, T0, T0) == pytest.approx(2 / 2**1.8)
    assert hot(3, 1, T0 + timedelta(hours=5), T0) == hot(3, 1, T0, T0)  # from the future: age 0
    assert hot(0, 0, T0, NOW) == 0.0
    assert hot(1, 4, T0, T0 + timedelta(hours=1)) < hot(1, 4, T0, T0 + timedelta(hours=9)) < 0
    assert hot(5, 0, T0, NOW, gravity=0) == 5.0


def test_times_are_whole_milliseconds_like_the_browser() -> None:
    when = datetime(2024, 5, 1, 12, 0, 0, 123_999, tzinfo=timezone.utc)
    assert time_ms(when) == 1714564800123  # Date.parse("2024-05-01T12:00:00.123999Z")


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (0.436490563, "0.436"),
        (1.2709816, "1.27"),
        (20.0, "20"),
        (0.0085015, "0.0085"),
        (1.125, "1.13"),  # halves away from zero, like toFixed
        (-2.5, "-2.5"),
        (1e-12, "1e-12"),
        (2.4734e-9, "2.47e-9"),  # a 12-year-old comment's hot score
        (-9.996e-5, "-1e-4"),
        (0.001, "0.001"),
        (1234.5, "1234.5"),
    ],
)
def test_format_number(x: float, text: str) -> None:
    assert format_number(x) == text


def test_score_per_voting_model() -> None:
    c = Comment(
        id="c",
        created_at=T0,
        likes=4,
        votes={"a": "up", "b": "up", "c": "down", "d": "🤔"},
        flags=flags(1),
    )
    assert score(c, "top", "likes") == 4  # likes
    assert score(c, "top", "updown") == 1  # 2 up - 1 down
    assert score(c, "top", {"🤔": "Unsure", "👍": "Agree"}) == 4  # every reaction
    assert score(c, "best", "likes") == wilson_lower_bound(4, 1)  # likes vs. reports
    assert score(c, "controversial", "updown") == controversy(2, 1)
    assert score(c, "hot", "likes", NOW) == hot(4, 1, T0, NOW)
    assert score(c, "oldest", "likes") == score(c, "newest", "likes") == time_ms(T0)
    with pytest.raises(ValueError, match="sort must be one of"):
        score(c, "random", "likes")


def test_formula_text() -> None:
    c = Comment(id="c", created_at=T0, votes={"a": "up", "b": "up", "c": "down"})
    assert formula(c, "best", "updown") == "best: Wilson lower bound of 2 up / 1 down = 0.208"
    assert formula(c, "top", "updown") == f"top: 2 up {MINUS} 1 down = 1"
    assert formula(c, "controversial", "updown") == "controversial: (2 up + 1 down) ^ (1/2) = 1.73"
    assert (
        formula(c, "hot", "updown", NOW)
        == f"hot: (2 up {MINUS} 1 down) / (10 h + 2) ^ 1.8 = 0.0114"  # 1 / 12^1.8 = 0.01141
    )
    assert formula(c, "oldest", "updown") == "oldest: posted 2024-05-01T12:00:00Z"
    liked = Comment(id="l", created_at=T0, likes=1, flags=flags(1))
    assert formula(liked, "top", "likes") == "top: 1 like = 1"
    assert (
        formula(liked, "best", "likes") == "best: Wilson lower bound of 1 like / 1 report = 0.0945"
    )
    assert (
        formula(
            liked, "controversial", "likes", strings={"rank_formula_controversial": "K {score}"}
        )
        == "K 2"  # (1 + 1) ^ (1/1)
    )
    plain = Comment(id="p", created_at=T0, likes=3)
    assert (
        formula(plain, "controversial", "likes")
        == "controversial: 3 likes, 0 reports: 0 (needs both)"
    )


# ---- order -----------------------------------------------------------------------------------


def sibling_thread() -> Thread:
    """Top level: a (1 like, oldest), b (5 likes, 1 report), c and d (tied: same time, 0 votes),
    p (pinned, nothing), h (hidden, 9 likes), x (deleted) with reply x1; a has replies a1, a2."""
    comments = [
        Comment(id="a", created_at=at(0), likes=1),
        Comment(id="b", created_at=at(5), likes=5, flags=flags(1)),
        Comment(id="d", created_at=at(7)),
        Comment(id="c", created_at=at(7)),
        Comment(id="p", created_at=at(8), pinned=True),
        Comment(id="h", created_at=at(9), likes=9, status="hidden"),
        Comment(id="x", created_at=at(10), status="deleted", body=""),
        Comment(id="x1", parent_id="x", created_at=at(11)),
        Comment(id="a1", parent_id="a", created_at=at(1), likes=2),
        Comment(id="a2", parent_id="a", created_at=at(2)),
    ]
    return Thread(post=Post(title="t"), comments=tuple(comments))


def order(thread: Thread, sort: str, **kw: object) -> list[tuple[str, int, int]]:
    return [(r.id, r.rank, r.depth) for r in rank(thread, sort, "likes", NOW, **kw)]  # type: ignore[arg-type]


def test_rank_orders_siblings_pinned_first_ties_by_time_then_id() -> None:
    t = sibling_thread()
    assert order(t, "oldest") == [
        ("p", 1, 0),
        ("a", 2, 0),
        ("a1", 1, 1),
        ("a2", 2, 1),
        ("b", 3, 0),
        ("c", 4, 0),  # c and d share a time: the smaller id first
        ("d", 5, 0),
        ("x", 6, 0),  # deleted, kept as the placeholder of its reply
        ("x1", 1, 1),
    ]
    assert [i for i, _, d in order(t, "newest") if d == 0] == ["p", "x", "c", "d", "b", "a"]
    assert [i for i, _, d in order(t, "best") if d == 0] == ["p", "b", "a", "c", "d", "x"]
    assert [i for i, _, d in order(t, "top") if d == 0] == ["p", "b", "a", "c", "d", "x"]
    # controversial: only b has both likes and reports; the rest tie at 0 and go oldest first
    assert [i for i, _, d in order(t, "controversial") if d == 0] == ["p", "b", "a", "c", "d", "x"]


def test_rank_shows_what_the_role_sees() -> None:
    t = sibling_thread()
    assert "h" not in [i for i, _, _ in order(t, "best")]
    moderator = [i for i, _, d in order(t, "best", role="moderator") if d == 0]
    assert moderator == ["p", "h", "b", "a", "c", "d", "x"]
    # a removed comment leaves its placeholder for everyone, so it keeps its rank (as in the page)
    removed = Thread(
        post=t.post,
        comments=tuple(
            c.model_copy(update={"status": "removed"}) if c.id == "b" else c for c in t.comments
        ),
    )
    assert "b" in [i for i, _, _ in order(removed, "best")]
    assert "b" in [i for i, _, _ in order(removed, "best", role="reader")]


def test_rank_rows_carry_inputs_score_and_formula() -> None:
    rows = {r.id: r for r in rank(sibling_thread(), "best", "likes", NOW)}
    b = rows["b"]
    assert (b.rank, b.parent_id, b.author, b.pinned, b.up, b.down) == (
        2,
        None,
        "anonymous",
        False,
        5,
        1,
    )
    assert b.score == wilson_lower_bound(5, 1)
    assert b.formula == "best: Wilson lower bound of 5 likes / 1 report = 0.436"
    assert rows["a1"].parent_id == "a"
    assert rows["p"].pinned


def test_hot_prefers_recent_votes() -> None:
    old = Comment(id="old", created_at=NOW - timedelta(hours=50), likes=30)
    new = Comment(id="new", created_at=NOW - timedelta(hours=1), likes=2)
    t = Thread(comments=(old, new))
    assert [r.id for r in rank(t, "hot", "likes", NOW)] == ["new", "old"]
    assert [r.id for r in rank(t, "top", "likes", NOW)] == ["old", "new"]
    # a day later the order is the same, both decayed
    rows = rank(t, "hot", "likes", NOW + timedelta(days=1))
    assert rows[0].score < rank(t, "hot", "likes", NOW)[0].score


# ---- the widget --------------------------------------------------------------------------------


def test_widget_accepts_the_new_sorts_from_python_and_the_browser() -> None:
    w = ThreadWidget(sort="best")
    assert w.sort == "best"
    for sort in ("controversial", "hot"):
        w.sort = sort
        assert w.sort == sort
    w._send = lambda msg, buffers=None: None  # type: ignore[method-assign]
    w._handle_msg(
        {"content": {"data": {"method": "update", "state": {"sort": "best"}}}, "buffers": []}
    )
    assert w.sort == "best"


def test_widget_ranking_frame() -> None:
    pytest.importorskip("pandas")
    w = ThreadWidget(thread=sibling_thread(), user="Chris", sort="best", voting="likes")
    df = w.ranking(now=NOW)
    assert list(df.columns) == [
        "rank",
        "id",
        "parent_id",
        "depth",
        "author",
        "pinned",
        "up",
        "down",
        "score",
        "formula",
    ]
    assert list(df[df.depth == 0].id) == ["p", "b", "a", "c", "d", "x"]
    assert "h" not in set(df.id)
    b = df.set_index("id").loc["b"]
    assert b["rank"] == 2 and b["up"] == 5 and b["down"] == 1
    assert math.isclose(b["score"], wilson_lower_bound(5, 1))
    # another sort, the widget's strings, and the moderator's view
    assert list(w.ranking("newest")[lambda d: d.depth == 0].id) == ["p", "x", "c", "d", "b", "a"]
    w.strings = {"rank_formula_top_count": "Top = {score}"}
    assert w.ranking("top").set_index("id").loc["b", "formula"] == "Top = 5"
    w.roles = {"Chris": "moderator"}
    assert "h" in set(w.ranking().id)
    with pytest.raises(ValueError, match="sort must be one of"):
        w.ranking("random")


def test_widget_ranking_follows_votes_and_the_voting_model() -> None:
    pytest.importorskip("pandas")
    w = ThreadWidget(thread=sibling_thread(), user="Chris", voting="updown")
    for user in ("u1", "u2", "u3"):
        w.vote("c", "up", user=user)
    w.vote("c", "down", user="u4")
    df = w.ranking("best").set_index("id")
    assert df.loc["c", "rank"] == 2  # after the pinned one
    assert (df.loc["c", "up"], df.loc["c", "down"]) == (3, 1)
    assert df.loc["c", "formula"] == "best: Wilson lower bound of 3 up / 1 down = 0.301"


# ---- vectors shared with the frontend ---------------------------------------------------------


def test_ranking_vectors_are_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "ranking_vectors", ROOT / "scripts" / "ranking_vectors.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "tests" / "data" / "ranking_vectors.json").read_text(encoding="utf-8")
    assert current == module.render(), "stale: run python scripts/ranking_vectors.py"
