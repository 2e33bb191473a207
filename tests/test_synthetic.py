"""The seeded thread generator used for prototyping and benchmarks."""

from __future__ import annotations

import pytest

from threadwidget.analysis import synthetic


def test_same_seed_same_thread() -> None:
    assert synthetic.thread(200, seed=3) == synthetic.thread(200, seed=3)
    assert synthetic.thread(200, seed=3) != synthetic.thread(200, seed=4)


def test_shape_is_realistic() -> None:
    thread = synthetic.thread(2000, seed=1, max_depth=8, spam_rate=0.05)
    assert len(thread.comments) == 2000
    depths = [thread.depth(c.id) for c in thread.comments]
    assert max(depths) == 8
    assert 0.1 < depths.count(0) / len(depths) < 0.5
    spam = [c for c in thread.comments if c.author.startswith("promo")]
    assert 40 < len(spam) < 170
    assert len({c.author for c in thread.comments}) > 50
    assert max(len(c.body) for c in thread.comments) > 500
    times = [c.created_at for c in thread.comments]
    assert times == sorted(times)


def test_flat_and_empty() -> None:
    assert all(c.parent_id is None for c in synthetic.thread(50, max_depth=0).comments)
    assert synthetic.thread(0).comments == ()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": -1}, "n"),
        ({"n": 5, "max_depth": -1}, "max_depth"),
        ({"n": 5, "spam_rate": 2.0}, "spam_rate"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        synthetic.thread(**kwargs)  # type: ignore[arg-type]
