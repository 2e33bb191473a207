"""Seeded, realistic fake threads for prototyping, demos and benchmarks.

``thread(1000, seed=1)`` always gives the same discussion: a post, a few busy and many occasional
authors, top-level comments with bursts of replies, some deep back-and-forth chains, Markdown
bodies of varied length, heavy-tailed like counts, and a share of spam.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ..core.models import Comment, Post, Thread

__all__ = ["study", "thread"]

_FIRST = [
    "Ada",
    "Alan",
    "Ann",
    "Ben",
    "Bob",
    "Chris",
    "Dana",
    "Eli",
    "Emma",
    "Finn",
    "Grace",
    "Hana",
    "Ivan",
    "Jen",
    "Jonas",
    "Kai",
    "Lea",
    "Leo",
    "Maya",
    "Mia",
    "Nina",
    "Noah",
    "Omar",
    "Priya",
    "Quinn",
    "Ravi",
    "Rosa",
    "Sam",
    "Sara",
    "Tariq",
    "Uma",
    "Vera",
    "Wes",
    "Xin",
    "Yara",
    "Zoe",
]
_LAST = [
    "Abe",
    "Brown",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "Garcia",
    "Hill",
    "Ito",
    "Jones",
    "Khan",
    "Lee",
    "Meyer",
    "Novak",
    "Ortiz",
    "Park",
]
_WORDS = [
    "social",
    "media",
    "network",
    "follower",
    "reach",
    "influence",
    "connect",
    "relationship",
    "platform",
    "audience",
    "community",
    "trust",
    "share",
    "post",
    "thread",
    "reply",
    "idea",
    "project",
    "career",
    "recruit",
    "team",
    "culture",
    "value",
    "change",
    "world",
    "impact",
    "honest",
    "story",
    "data",
    "signal",
    "noise",
    "attention",
    "value",
    "learn",
    "teach",
    "class",
    "question",
    "answer",
    "agree",
    "disagree",
    "point",
    "argument",
    "evidence",
    "example",
    "context",
    "nuance",
    "time",
]
_OPENERS = (
    "I think",
    "Honestly,",
    "Good point, but",
    "In my experience",
    "Not sure I agree:",
    "This reminds me of",
    "Exactly.",
    "Counterpoint:",
    "Thanks for writing this.",
    "Hmm,",
)
_SPAM = (
    "Buy real instagram followers today!!! Cheap and fast: [click here](http://spam.example/buy)",
    "Make $5000 a week from home, no experience needed. DM me.",
    "Best crypto signals, join my channel now >>> http://spam.example/join",
)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _body(rng: random.Random) -> str:
    size = rng.choice((1, 1, 1, 1, 2, 2, 4))  # paragraphs: mostly short, some long
    paragraphs = []
    for _ in range(size):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 45))]
        if rng.random() < 0.2:
            words[rng.randrange(len(words))] = f"**{rng.choice(_WORDS)}**"
        paragraphs.append(f"{rng.choice(_OPENERS)} {' '.join(words)}.")
    if rng.random() < 0.05:
        paragraphs.append("> " + " ".join(rng.choice(_WORDS) for _ in range(12)))
    return "\n\n".join(paragraphs)


def thread(
    n: int,
    *,
    seed: int = 0,
    max_depth: int = 12,
    spam_rate: float = 0.02,
    authors: int | None = None,
    start: datetime | None = None,
    bodies: bool = True,
) -> Thread:
    """A validated thread of ``n`` comments, identical for identical arguments.

    ``max_depth`` bounds reply depth (0 = flat), ``spam_rate`` is the share of spam comments,
    ``authors`` the size of the author pool (default: about sqrt(n) * 3). ``bodies=False`` writes
    one-line bodies (three times faster: charts of 100,000 comments; another thread than True).
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if max_depth < 0:
        raise ValueError(f"max_depth must be >= 0, got {max_depth}")
    if not 0.0 <= spam_rate <= 1.0:
        raise ValueError(f"spam_rate must be between 0 and 1, got {spam_rate}")
    rng = random.Random(seed)
    start = start or datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
    pool_size = authors or max(5, int(n**0.5 * 3))
    pool = [_name(rng) for _ in range(pool_size)]
    post_author = pool[0]
    # A few people write most comments (Zipf-like weights), as in real discussions.
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(pool_size)]
    # summed once: choices(weights=...) would sum them again for every comment (O(n * authors))
    cumulative = list(itertools.accumulate(weights))
    post = Post(
        id="post",
        title="Synthetic discussion: " + " ".join(rng.choice(_WORDS) for _ in range(5)),
        author=post_author,
        body=_body(rng),
        created_at=start,
    )
    comments: list[Comment] = []
    depths: list[int] = []
    now = start
    for index in range(n):
        now += timedelta(seconds=rng.expovariate(1 / 90))
        roll = rng.random()
        parent: int | None
        if not comments or roll < 0.22:
            parent = None
        elif roll < 0.5 and depths[-1] < max_depth:
            parent = len(comments) - 1  # back-and-forth: answer the latest comment
        else:
            # answer a recent comment, occasionally an old one
            window = len(comments) if rng.random() < 0.1 else min(len(comments), 40)
            parent = len(comments) - 1 - int(rng.random() ** 2 * window)
            if depths[parent] >= max_depth:
                parent = None
        depth = 0 if parent is None else depths[parent] + 1
        if max_depth == 0:
            parent, depth = None, 0
        spam = rng.random() < spam_rate
        author = (
            f"promo{rng.randint(100, 999)}"
            if spam
            else rng.choices(pool, cum_weights=cumulative)[0]
        )
        likes = 0 if spam else int(rng.paretovariate(1.6)) - 1
        comments.append(
            Comment(
                id=f"s{index}",
                parent_id=None if parent is None else comments[parent].id,
                author=author,
                body=rng.choice(_SPAM) if spam else _body(rng) if bodies else f"Comment {index}.",
                created_at=now,
                likes=min(likes, 5000),
            )
        )
        depths.append(depth)
    return Thread(post=post, comments=tuple(comments))


def study(
    thread: Thread,
    participants: Sequence[str],
    variant_of: Callable[[str], str | None],
    *,
    reading: Mapping[str, float] | None = None,
    seed: int = 0,
) -> tuple[Thread, list[dict[str, Any]]]:
    """A simulated interface study on ``thread``: each participant opens it at some moment,
    reads comments (on screen 1 to 20 s each; ``reading[variant]`` scales how many), sometimes
    opens "why this order" or collapses a reply chain, drafts (a few abandon) and replies.
    Returns the thread with their replies and the interaction-log rows (``user``, ``at``,
    ``kind``, ``id``, ``value``, ``ms``), identical for identical arguments."""
    rng = random.Random(seed)
    start = max([thread.post.created_at, *(c.created_at for c in thread.comments)])
    comments = list(thread.comments)
    rows: list[dict[str, Any]] = []

    def log(user: str, at: datetime, kind: str, ident: str | None = None, **more: Any) -> None:
        rows.append(
            {"user": user, "at": at.isoformat(), "kind": kind, "id": ident, "value": None}
            | {"ms": None}
            | more
        )

    for user in participants:
        scale = (reading or {}).get(variant_of(user) or "", 1.0)
        now = start + timedelta(minutes=rng.uniform(0, 120))
        visible = sorted(comments, key=lambda c: c.created_at)
        count = max(1, min(len(visible), int(rng.uniform(0.2, 0.6) * scale * len(visible))))
        read = visible[:count]
        for comment in read:
            ms = int(rng.lognormvariate(8.3, 0.7))  # a few seconds, a heavy tail
            log(user, now, "seen", comment.id, ms=ms)
            now += timedelta(milliseconds=ms)
            if rng.random() < 0.05:
                log(user, now, "collapse", comment.id)
        if rng.random() < 0.3:
            log(user, now, "why")
        if rng.random() < 0.15:
            log(user, now, "draft_start", read[-1].id)
            now += timedelta(seconds=rng.uniform(5, 30))
            log(user, now, "draft_abandon", read[-1].id)
        if rng.random() < 0.85:
            parent = rng.choice(read)
            log(user, now, "draft_start", parent.id)
            now += timedelta(seconds=rng.uniform(20, 120))
            log(user, now, "draft_send", parent.id)
            comments.append(
                Comment(
                    id=f"r-{len(comments)}",
                    parent_id=parent.id,
                    author=user,
                    body=_body(rng),
                    created_at=now,
                )
            )
    rows.sort(key=lambda r: r["at"])
    return Thread(post=thread.post, comments=tuple(comments)), rows
