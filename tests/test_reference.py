"""The null model: ranges of tree measures over random reply trees of the same size."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from threadwidget import Comment, Post, Thread
from threadwidget.analysis import measures as m
from threadwidget.analysis.reference import (
    TREE_MEASURES,
    random_parents,
    reading,
    reference,
    tree_measures,
)

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _random_thread(n: int, rng: random.Random) -> Thread:
    """A random recursive tree built the slow, obvious way: comment k answers the post or one
    of the k - 1 comments before it, all equally likely."""
    comments = []
    for k in range(n):
        pick = rng.randrange(k + 1)  # 0: the post
        parent = None if pick == 0 else f"c{pick - 1}"
        comments.append(
            Comment(
                id=f"c{k}",
                parent_id=parent,
                author=f"a{k % 7}",
                created_at=T0 + timedelta(seconds=k),
            )
        )
    return Thread(post=Post(created_at=T0), comments=tuple(comments))


def _direct(thread: Thread) -> dict[str, float]:
    table = m.measures(thread).to_dict()
    return {key: float(table[key]) for key in TREE_MEASURES}  # type: ignore[arg-type]


def test_numpy_measures_equal_the_measures_of_the_same_tree() -> None:
    rng = np.random.default_rng(4)
    for n in (1, 2, 17, 300):
        parents = random_parents(n, rng)
        thread = Thread(
            post=Post(created_at=T0),
            comments=tuple(
                Comment(
                    id=f"c{i}",
                    parent_id=None if parents[i] == 0 else f"c{parents[i]}",
                    created_at=T0 + timedelta(seconds=i),
                )
                for i in range(1, n + 1)
            ),
        )
        assert tree_measures(parents) == pytest.approx(_direct(thread))


def test_ranges_match_a_direct_simulation() -> None:
    """The cached numpy ranges against 400 trees built comment by comment as Threads."""
    n = 60
    rng = random.Random(11)
    sims = [_direct(_random_thread(n, rng)) for _ in range(400)]
    ref = reference(n)
    for key in TREE_MEASURES:
        values = np.asarray([s[key] for s in sims])
        inside = np.mean((values >= ref.low[key]) & (values <= ref.high[key]))
        assert inside >= 0.85, (key, inside)  # the range holds about 90% (ends included)
        assert ref.median[key] == pytest.approx(np.median(values), rel=0.12, abs=1.0)


def test_mean_depth_matches_the_theory() -> None:
    """In a random recursive tree comment k sits at depth H_k on average (harmonic number)."""
    n = 200
    expected = np.mean(np.cumsum(1 / np.arange(1, n + 1)))
    ref = reference(n)
    assert ref.median["mean_level"] == pytest.approx(expected, rel=0.08)
    assert ref.low["mean_level"] < expected < ref.high["mean_level"]


def test_cached_per_size_and_readings() -> None:
    assert reference(120) is reference(120)
    assert reference(120) is not reference(121)
    ref = reference(116)
    assert (
        reading("max_level", ref.high["max_level"] + 1, ref) == "deeper than expected for its size"
    )
    assert (
        reading("max_level", ref.low["max_level"] - 1, ref)
        == "shallower than expected for its size"
    )
    assert reading("max_level", ref.low["max_level"], ref) == "as expected for its size"
    assert reading("reciprocity_rho", 0.5, ref) == ""  # no null for people measures
    assert ref.range_text("h_index").count("-") <= 1
    with pytest.raises(ValueError, match="comments"):
        reference(-1)
    with pytest.raises(ValueError, match="samples"):
        reference(10, samples=3)
