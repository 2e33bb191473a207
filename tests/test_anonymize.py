"""thread.anonymize(): stable pseudonyms, scrubbed text, a separate key that reverses it."""

from __future__ import annotations

from datetime import timedelta

from threadwidget import Comment, Post, Thread, read_thread

from .conftest import SEED, T0


def _thread() -> Thread:
    return Thread(
        post=Post(
            title="Hi Ann",
            author="Ann Lee",
            body="Mail ann@example.com",
            created_at=T0,
            url="https://blog.example.com/ann",
        ),
        comments=(
            Comment(
                id="a",
                author="Bob Stone",
                body="Thanks Ann! See https://x.example/p and "
                "[my post](https://bob.example) or @bobstone and @stranger.",
                created_at=T0 + timedelta(minutes=1),
                likes=1,
                liked_by=("Carl",),
            ),
            Comment(
                id="b",
                parent_id="a",
                author="Ann Lee",
                body="Stone is right, Bob.",
                created_at=T0 + timedelta(minutes=2),
            ),
        ),
    )


def test_authors_likers_and_names_in_text_become_pseudonyms() -> None:
    anon, key = _thread().anonymize(seed=1)
    ann, bob, carl = (key.pseudonyms[n] for n in ("Ann Lee", "Bob Stone", "Carl"))
    assert anon.post.author == ann
    assert anon.post.title == f"Hi {ann}"
    assert anon.post.body == "Mail [email]"
    assert anon.post.url is None
    first = anon.comments[0]
    assert first.author == bob
    assert first.liked_by == (carl,)
    assert first.body == (f"Thanks {ann}! See [link] and my post or @{bob} and @[someone].")
    assert anon.comments[1].body == f"{bob} is right, {bob}."
    text = anon.model_dump_json()
    for real in ("Ann", "Bob", "Stone", "Carl", "example.com", "ann@"):
        assert real not in text


def test_deterministic_per_seed_and_order_independent() -> None:
    one, key1 = _thread().anonymize(seed=5)
    two, key2 = _thread().anonymize(seed=5)
    assert one == two
    assert key1 == key2
    _, key3 = _thread().anonymize(seed=6)
    assert key3.pseudonyms != key1.pseudonyms
    reordered = Thread(post=_thread().post, comments=tuple(reversed(_thread().comments[:1])))
    assert reordered.anonymize(seed=5)[1].pseudonyms["Bob Stone"] == key1.pseudonyms["Bob Stone"]


def test_keep_and_reidentify() -> None:
    anon, key = _thread().anonymize(seed=2, keep=["Ann Lee"])
    assert anon.post.author == "Ann Lee"
    assert "Ann Lee" not in key.pseudonyms
    back = key.reidentify(anon)
    assert [c.author for c in back.comments] == ["Bob Stone", "Ann Lee"]
    assert key.real_name(key.pseudonyms["Bob Stone"]) == "Bob Stone"


def test_ambiguous_first_names_name_nobody() -> None:
    anon, key = read_thread(SEED).anonymize(seed=3)
    thanks = next(c for c in anon.comments if c.id == "c2-r1")
    assert thanks.body.startswith("Thanks [someone].")  # two commenters are called Steve
    king = next(c for c in anon.comments if c.id == "c5-r1")
    assert f"{key.pseudonyms['Steve Browne']} is the King!" in king.body
    assert "Browne" not in anon.model_dump_json()


def test_reporters_voters_labellers_and_moderators_are_renamed_too() -> None:
    from threadwidget.core.models import Flag, Lock, Moderation

    base = _thread()
    marked = base.comments[0].model_copy(
        update={
            "flags": (Flag(user="Dana Fox", at=T0, reason="Bob Stone spams"),),
            "votes": {"Eve": "up"},
            "labels": {"Finn": "spam"},
            "moderation": Moderation(action="hide", by="Gail", at=T0, reason="asked by Ann"),
            "locked": Lock(by="Gail", at=T0, reason="cool down, Bob"),
        }
    )
    thread = Thread(
        post=base.post.model_copy(update={"locked": Lock(by="Gail", at=T0)}),
        comments=(marked, base.comments[1]),
    )
    anon, key = thread.anonymize(seed=4)
    text = anon.model_dump_json()
    for real in ("Dana", "Eve", "Finn", "Gail", "Bob", "Ann"):
        assert real not in text
    first = anon.comments[0]
    assert first.flags[0].user == key.pseudonyms["Dana Fox"]
    assert first.flags[0].reason == f"{key.pseudonyms['Bob Stone']} spams"
    assert first.votes == {key.pseudonyms["Eve"]: "up"}
    assert first.labels == {key.pseudonyms["Finn"]: "spam"}
    assert first.moderation is not None and first.moderation.by == key.pseudonyms["Gail"]
    assert anon.post.locked is not None and anon.post.locked.by == key.pseudonyms["Gail"]
    back = key.reidentify(anon)
    assert back.comments[0].votes == {"Eve": "up"}
    assert back.comments[0].moderation is not None
    assert back.comments[0].moderation is not None and back.comments[0].moderation.by == "Gail"


def test_text_in_extra_data_is_cleaned_too() -> None:
    base = _thread()
    first = base.comments[0].model_copy(
        update={
            "extra": {"summary": "Bob Stone thanks Ann", "n": 3, "tags": ["mail ann@example.com"]}
        }
    )
    thread = Thread(
        post=base.post.model_copy(update={"extra": {"by": "Ann Lee"}}), comments=(first,)
    )
    anon, _ = thread.anonymize(seed=3)
    text = anon.model_dump_json()
    for real in ("Ann", "Bob", "Stone", "ann@"):
        assert real not in text, real
    assert anon.comments[0].extra["n"] == 3
    assert anon.comments[0].extra["tags"] == ["mail [email]"]
