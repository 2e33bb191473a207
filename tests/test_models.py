"""The data model: fields, invariants and the errors that name what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from threadwidget import MAX_BODY_CHARS, Comment, Post, Thread

from .conftest import SEED, T0


def test_ids_and_times_are_generated() -> None:
    one, two = Comment(body="x"), Comment(body="y")
    assert one.id != two.id
    assert one.created_at.tzinfo is not None


def test_naive_timestamp_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        Comment(id="x", body="hi", created_at=datetime(2024, 1, 1))
    assert info.value.errors()[0]["loc"] == ("created_at",)
    assert "timezone" in str(info.value)


def test_body_size_limit() -> None:
    Comment(body="x" * MAX_BODY_CHARS)
    with pytest.raises(ValidationError) as info:
        Comment(body="x" * (MAX_BODY_CHARS + 1))
    assert info.value.errors()[0]["loc"] == ("body",)


def test_bad_id_is_refused() -> None:
    with pytest.raises(ValidationError, match="id"):
        Comment(id="has space", body="x")


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="colour"):
        Comment(body="x", colour="red")  # type: ignore[call-arg]


def test_likes_cover_liked_by() -> None:
    with pytest.raises(ValidationError, match="likes"):
        Comment(id="k", body="x", likes=0, liked_by=("Ann",))
    with pytest.raises(ValidationError, match="twice"):
        Comment(id="k", body="x", likes=2, liked_by=("Ann", "Ann"))


def test_comments_are_immutable() -> None:
    comment = Comment(body="x")
    with pytest.raises(ValidationError):
        comment.body = "y"  # type: ignore[misc]


def test_duplicate_id_names_the_comment() -> None:
    with pytest.raises(ValidationError) as info:
        Thread(comments=(Comment(id="a", body="1"), Comment(id="a", body="2")))
    assert "duplicate comment id 'a'" in str(info.value)


def test_missing_parent_names_the_comment() -> None:
    with pytest.raises(ValidationError) as info:
        Thread(comments=(Comment(id="a", parent_id="ghost", body="1"),))
    assert "(id 'a')" in str(info.value) and "'ghost'" in str(info.value)


def test_cycle_is_refused() -> None:
    with pytest.raises(ValidationError, match="ancestor"):
        Thread(
            comments=(
                Comment(id="a", parent_id="b", body="1"),
                Comment(id="b", parent_id="a", body="2"),
            )
        )


def test_deep_chain_is_fine() -> None:
    chain = [Comment(id="n0", body="0")]
    chain += [Comment(id=f"n{i}", parent_id=f"n{i - 1}", body=str(i)) for i in range(1, 3000)]
    thread = Thread(comments=tuple(chain))
    assert thread.depth("n2999") == 2999


def test_json_round_trip_is_lossless(thread: Thread) -> None:
    text = thread.model_dump_json()
    assert '"version":2' in text
    again = Thread.model_validate_json(text)
    assert again == thread
    assert again.get("b").parent_id == "a"


def test_missing_version_means_version_one_read_as_the_current(thread: Thread) -> None:
    data = thread.model_dump(mode="json")
    del data["version"], data["post"]["gaps"]  # a version 1 file: no version key, no gaps
    again = Thread.model_validate(data)
    assert again.version == 2 and again == thread and again.completeness.complete


def test_thread_queries(thread: Thread) -> None:
    assert [c.id for c in thread.children(None)] == ["a", "c"]
    assert thread.depth("b") == 1
    assert "a" in thread and "zz" not in thread
    with pytest.raises(KeyError, match="zz"):
        thread.get("zz")
    assert thread.visible_count() == 3


def test_seed_example_loads() -> None:
    thread = Thread.model_validate_json(SEED.read_text(encoding="utf-8"))
    assert thread.post.title == "On a social media power trip?"
    assert thread.post.image is not None and thread.post.image.credit == "Staff A La Carte"
    assert "instagram followers" in thread.comments[-1].body
    assert {c.author for c in thread.comments if c.parent_id} == {thread.post.author}
    assert isinstance(Post().created_at, datetime)
    assert thread.post.created_at < thread.comments[0].created_at
    assert T0.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=9), min_size=0, max_size=10))
def test_tree_check_matches_the_naive_walk(parent_of: list[int]) -> None:
    """Comment i replies to comment parent_of[i] (-1: the post; an index past the end: a missing
    parent): the thread is accepted exactly when every parent exists and no comment is its own
    ancestor, each error names the first bad comment, and children() are the replies in order."""
    n = len(parent_of)
    comments = tuple(
        Comment(
            id=f"c{i}",
            parent_id=None if p < 0 else f"c{p}",
            body=str(i),
            created_at=datetime(2020, 1, 1, 0, 0, i, tzinfo=UTC),
        )
        for i, p in enumerate(parent_of)
    )
    missing = [i for i, p in enumerate(parent_of) if p >= n]

    def cyclic(i: int) -> bool:
        seen, at = set(), i
        while 0 <= at < n and at not in seen:
            seen.add(at)
            at = parent_of[at]
        return 0 <= at < n

    if missing:
        first = missing[0]
        with pytest.raises(ValidationError, match=rf"comments\[{first}\] \(id 'c{first}'\)"):
            Thread(comments=comments)
    elif any(cyclic(i) for i in range(n)):
        with pytest.raises(ValidationError, match=r"own ancestor|cycle"):
            Thread(comments=comments)
    else:
        thread = Thread(comments=comments)
        for parent in [None, *range(n)]:
            key = None if parent is None else f"c{parent}"
            want = [f"c{i}" for i, p in enumerate(parent_of) if (p if p >= 0 else None) == parent]
            assert [c.id for c in thread.children(key)] == want
