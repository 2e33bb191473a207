"""Likers: the immutable likers of a comment whose versions share one list (core/likers.py)."""

from __future__ import annotations

import json
import pickle

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from threadwidget import Comment, ThreadWidget
from threadwidget.core.likers import Likers


class Versions(RuleBasedStateMachine):
    """Any version, old or new, liked or unliked, keeps exactly the names it had."""

    def __init__(self) -> None:
        super().__init__()
        self.versions: list[tuple[Likers, tuple[str, ...]]] = [(Likers.of(()), ())]
        self.counter = 0

    @rule(pick=st.integers(min_value=0))
    def like(self, pick: int) -> None:
        likers, names = self.versions[pick % len(self.versions)]
        self.counter += 1
        name = f"u{self.counter}"
        self.versions.append((likers.plus(name), (*names, name)))

    @rule(pick=st.integers(min_value=0), which=st.integers(min_value=0))
    def unlike(self, pick: int, which: int) -> None:
        likers, names = self.versions[pick % len(self.versions)]
        if not names:
            return
        name = names[which % len(names)]
        self.versions.append((likers.minus(name), tuple(n for n in names if n != name)))

    @invariant()
    def every_version_is_what_it_was(self) -> None:
        for likers, names in self.versions:
            assert likers == names and tuple(likers) == names and len(likers) == len(names)
            assert list(likers[:]) == list(names)
            assert all(n in likers for n in names) and "nobody" not in likers
            if names:
                assert likers[-1] == names[-1] and likers[0] == names[0]


TestVersions = Versions.TestCase


def test_a_like_on_the_newest_version_appends_instead_of_copying() -> None:
    w = ThreadWidget(comments=[Comment(id="a", body="liked a lot")])
    before = w.get("a").liked_by
    w.like("a", user="u1")
    first = w.get("a").liked_by
    for i in range(2, 200):
        w.like("a", user=f"u{i}")
    last = w.get("a").liked_by
    assert isinstance(last, Likers) and last._items is first._items  # one list, never copied
    assert tuple(last) == tuple(f"u{i}" for i in range(1, 200)) and before == ()
    assert tuple(first) == ("u1",)  # the older version still sees what it had
    w.unlike("a", user="u5")
    assert "u5" not in w.get("a").liked_by and "u5" in last


def test_a_comment_with_likers_dumps_compares_and_pickles_as_before() -> None:
    c = Comment(id="a", likes=2, liked_by=("Ann", "Bob"))
    same = Comment(id="a", created_at=c.created_at, likes=2, liked_by=["Ann", "Bob"])
    assert c.liked_by == ("Ann", "Bob") and c == same
    assert c.model_dump()["liked_by"] == ("Ann", "Bob")
    assert json.loads(c.model_dump_json())["liked_by"] == ["Ann", "Bob"]
    assert pickle.loads(pickle.dumps(c)) == c and hash(c.liked_by) == hash(("Ann", "Bob"))
    assert Comment.model_json_schema()["properties"]["liked_by"]["type"] == "array"
