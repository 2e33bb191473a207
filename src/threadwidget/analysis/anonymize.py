"""Anonymise a thread for teaching: stable pseudonyms, and no emails, URLs or real names in text.

``anonymize(thread, seed=1)`` returns the anonymised thread and a separate :class:`AnonymizationKey`
(pseudonym -> real name) that a teacher keeps to re-identify if that is allowed. The same thread
and seed always give the same pseudonyms, so a class can discuss "Participant C" across sessions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.models import Comment, Lock, Thread

__all__ = ["AnonymizationKey", "anonymize", "anonymize_interactions"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]|[A-Za-z0-9_])")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")

_ADJECTIVES = [
    "Amber",
    "Azure",
    "Brave",
    "Calm",
    "Coral",
    "Crisp",
    "Dusky",
    "Eager",
    "Fern",
    "Gentle",
    "Golden",
    "Hazel",
    "Ivory",
    "Jade",
    "Keen",
    "Lively",
    "Lunar",
    "Maple",
    "Misty",
    "Noble",
    "Olive",
    "Pearl",
    "Quiet",
    "Rapid",
    "Rosy",
    "Sage",
    "Silver",
    "Sunny",
    "Tidal",
    "Umber",
    "Velvet",
    "Windy",
]
_ANIMALS = [
    "Badger",
    "Crane",
    "Dolphin",
    "Eagle",
    "Falcon",
    "Gecko",
    "Heron",
    "Ibis",
    "Jaguar",
    "Koala",
    "Lynx",
    "Marten",
    "Newt",
    "Otter",
    "Panda",
    "Quail",
    "Raven",
    "Seal",
    "Tiger",
    "Urchin",
    "Vole",
    "Walrus",
    "Yak",
    "Zebra",
]


@dataclass(frozen=True)
class AnonymizationKey:
    """Which pseudonym stands for whom; keep it apart from the anonymised thread."""

    seed: int
    pseudonyms: dict[str, str] = field(default_factory=dict)  # real name -> pseudonym

    def real_name(self, pseudonym: str) -> str:
        """The person behind a pseudonym (``KeyError`` if it is not one of this key's)."""
        for real, alias in self.pseudonyms.items():
            if alias == pseudonym:
                return real
        raise KeyError(f"{pseudonym!r} is not a pseudonym of this key")

    def reidentify(self, thread: Thread) -> Thread:
        """The thread with pseudonymous authors replaced by the real names (bodies unchanged)."""
        back = {alias: real for real, alias in self.pseudonyms.items()}
        return _rename(thread, back, lambda text: text, drop_url=False)


def _pseudonym_pool(count: int, rng: random.Random) -> list[str]:
    names = [f"{a} {b}" for a in _ADJECTIVES for b in _ANIMALS]
    rng.shuffle(names)
    if count <= len(names):
        return names[:count]
    return names + [f"Participant {i}" for i in range(len(names) + 1, count + 1)]


def _name_variants(name: str) -> set[str]:
    """How a person may be named in text: the full name, and first and last names of 3+ letters."""
    parts = [p.strip(".,") for p in name.split()]
    variants = {name}
    if len(parts) > 1:
        variants.update(p for p in (parts[0], parts[-1]) if len(p) >= 3)
    return variants


def _name_replacements(mapping: dict[str, str]) -> dict[str, str]:
    """Each way of naming a participant -> pseudonym, or "[someone]" when it fits several people."""
    who: dict[str, set[str]] = {}
    for real in mapping:
        for variant in _name_variants(real):
            who.setdefault(variant, set()).add(real)
    return {
        variant: mapping[next(iter(people))] if len(people) == 1 else "[someone]"
        for variant, people in who.items()
    }


def anonymize(
    thread: Thread, seed: int = 0, keep: Iterable[str] = ()
) -> tuple[Thread, AnonymizationKey]:
    """The thread with pseudonyms for every author except ``keep``, and the key to reverse it.

    In bodies and the post: emails become ``[email]``, URLs ``[link]`` (a Markdown link keeps its
    text), ``@mentions`` ``@[someone]`` unless they name a participant (then the pseudonym), and
    names of participants (full, first or last name) their pseudonyms, or ``[someone]`` where a
    name fits several participants ("Steve" in a thread with two Steves).
    """
    kept = set(keep)
    names = {thread.post.author}
    if thread.post.locked is not None:
        names.add(thread.post.locked.by)
    for comment in thread.comments:
        names.add(comment.author)
        names.update(comment.liked_by)
        names.update(f.user for f in comment.flags)
        names.update(comment.votes)
        names.update(comment.labels)
        if comment.moderation is not None:
            names.add(comment.moderation.by)
        if comment.locked is not None:
            names.add(comment.locked.by)
    people = sorted(names - kept)  # sorted: the same pseudonyms whatever the order
    rng = random.Random(seed)
    pool = _pseudonym_pool(len(people), rng)
    mapping = dict(zip(people, pool, strict=True))
    replacements = _name_replacements(mapping)
    pattern = (
        re.compile(
            r"(?<!\w)("
            + "|".join(re.escape(v) for v in sorted(replacements, key=len, reverse=True))
            + r")(?!\w)"
        )
        if replacements
        else None
    )
    mention_targets = {k.lower().replace(" ", ""): v for k, v in mapping.items()}

    def scrub(text: str) -> str:
        text = _MARKDOWN_LINK.sub(lambda m: m.group(1) or "[link]", text)
        text = _EMAIL.sub("[email]", text)
        text = _URL.sub("[link]", text)

        def mention(m: re.Match[str]) -> str:
            alias = mention_targets.get(m.group(1).lower())
            return f"@{alias}" if alias else "@[someone]"

        text = _MENTION.sub(mention, text)
        if pattern is not None:
            text = pattern.sub(lambda m: replacements[m.group(1)], text)
        return text

    anonymous = _rename(thread, mapping, scrub, drop_url=True)
    return anonymous, AnonymizationKey(seed=seed, pseudonyms=mapping)


def _rename(
    thread: Thread, names: dict[str, str], clean: Callable[[str], str], *, drop_url: bool
) -> Thread:
    """Every user name replaced (authors, likers, reporters, voters, labellers, moderators) and
    every free text cleaned (bodies, titles, report and moderation reasons)."""

    def who(name: str) -> str:
        return names.get(name, name)

    def lock(value: Lock | None) -> Lock | None:
        if value is None:
            return None
        return value.model_copy(update={"by": who(value.by), "reason": clean(value.reason)})

    def json(value: Any) -> Any:
        """Text inside ``extra`` data (a stored summary or translation) is cleaned like bodies."""
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, list):
            return [json(v) for v in value]
        if isinstance(value, dict):
            return {k: json(v) for k, v in value.items()}
        return value

    post = thread.post.model_copy(
        update={
            "author": who(thread.post.author),
            "title": clean(thread.post.title),
            "body": clean(thread.post.body),
            "url": None if drop_url else thread.post.url,
            "locked": lock(thread.post.locked),
            "extra": json(thread.post.extra),
        }
    )
    comments: list[Comment] = [
        c.model_copy(
            update={
                "author": who(c.author),
                "body": clean(c.body),
                "liked_by": tuple(who(u) for u in c.liked_by),
                "flags": tuple(
                    f.model_copy(update={"user": who(f.user), "reason": clean(f.reason)})
                    for f in c.flags
                ),
                "votes": {who(u): v for u, v in c.votes.items()},
                "labels": {who(u): v for u, v in c.labels.items()},
                "moderation": None
                if c.moderation is None
                else c.moderation.model_copy(
                    update={"by": who(c.moderation.by), "reason": clean(c.moderation.reason)}
                ),
                "locked": lock(c.locked),
                "extra": json(c.extra),
            }
        )
        for c in thread.comments
    ]
    return Thread(post=post, comments=tuple(comments))


def anonymize_interactions(
    rows: Iterable[Mapping[str, Any]], key: AnonymizationKey
) -> list[dict[str, Any]]:
    """Interaction-log rows with the thread's pseudonyms (``key`` from :func:`anonymize`) for
    their users; readers who never appear in the thread become "Reader 1", "Reader 2", ... (by
    ``key.seed``), and search texts ``[text]``."""
    out = [dict(row) for row in rows]
    others = sorted({str(r["user"]) for r in out} - set(key.pseudonyms))
    random.Random(key.seed).shuffle(others)
    names = {**key.pseudonyms, **{u: f"Reader {n}" for n, u in enumerate(others, 1)}}
    for row in out:
        row["user"] = names[str(row["user"])]
        if row.get("kind") == "filter" and row.get("value"):
            row["value"] = "[text]"
    return out
