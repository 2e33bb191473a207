"""The data model: fields, invariants and the errors that name what is wrong."""

from __future__ import annotations

from datetime import datetime

import pytest
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
