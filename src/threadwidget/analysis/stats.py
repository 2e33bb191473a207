"""Numbers to discuss about a discussion: who took part, how deep, how fast, what drew replies.

``thread.stats()`` computes everything in one pass over the comments (O(n)); the result prints as a
short report, shows as a table in a notebook, and turns into plain data with ``to_dict()``.
"""

from __future__ import annotations

import html
import statistics
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core.models import Thread
from . import measures

__all__ = ["ThreadStats", "thread_stats"]


@dataclass(frozen=True)
class ThreadStats:
    """A summary of a thread, under the conventions of ``threadwidget.analysis.measures``.

    Depth 1 is a reply to the post. The tree (``comments``, ``top_level``, depths, chains,
    replies) counts every comment; people and times count comments by someone (visible, author
    known). ``deleted`` counts comments their authors deleted, ``moderated`` hidden, spam and
    removed ones.
    """

    comments: int
    deleted: int
    top_level: int
    participants: int
    comments_per_author: dict[str, int]
    post_author_comments: int
    depth_distribution: dict[int, int]
    max_depth: int
    median_reply_seconds: float | None
    reply_seconds_quartiles: tuple[float, float, float] | None
    longest_chain: list[str]
    most_replied: list[tuple[str, int]]
    most_liked: list[tuple[str, int]]
    first_comment: datetime | None
    last_comment: datetime | None
    moderated: int = 0
    # Named measures (threadwidget.analysis.measures, each with its paper): tree shape and reply
    # network.
    h_index: int = 0
    structural_virality: float | None = None
    reciprocity_rho: float | None = None
    reciprocated_share: float | None = None
    participation_gini: float | None = None
    #: ``incomplete: N replies not loaded`` when the thread lacks replies (every figure above
    #: describes only what was loaded); "" for a complete thread
    incomplete: str = ""
    #: replies known to exist but not in the thread (``thread.completeness.not_loaded``)
    not_loaded: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly data."""
        data = asdict(self)
        for key in ("first_comment", "last_comment"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data

    def __str__(self) -> str:
        top = ", ".join(f"{a} ({n})" for a, n in list(self.comments_per_author.items())[:5])
        reply = "-" if self.median_reply_seconds is None else _duration(self.median_reply_seconds)
        warn = [f"{self.incomplete} (figures describe what was loaded)"] if self.incomplete else []
        return "\n".join(
            [
                *warn,
                f"comments        {self.comments} ({self.deleted} deleted, "
                f"{self.moderated} moderated, {self.top_level} top-level)",
                f"participants    {self.participants}: {top}",
                f"depth           up to {self.max_depth} (1 = reply to the post); "
                + ", ".join(f"{d}: {n}" for d, n in self.depth_distribution.items()),
                f"median reply    {reply} after the comment it answers",
                f"longest chain   {len(self.longest_chain)} comments",
                "most replied    " + ", ".join(f"{cid} ({n})" for cid, n in self.most_replied[:3]),
                f"measures        h-index {self.h_index}, structural virality "
                f"{_num(self.structural_virality)}, reciprocity rho "
                f"{_num(self.reciprocity_rho)} (answered share {_num(self.reciprocated_share)}), "
                f"participation Gini {_num(self.participation_gini)}",
            ]
        )

    def _repr_html_(self) -> str:
        rows = [
            *([("completeness", self.incomplete)] if self.incomplete else []),
            (
                "comments",
                f"{self.comments} ({self.deleted} deleted, {self.moderated} moderated, "
                f"{self.top_level} top-level)",
            ),
            ("participants", str(self.participants)),
            ("max depth (1 = reply to the post)", str(self.max_depth)),
            (
                "median reply time",
                "-" if self.median_reply_seconds is None else _duration(self.median_reply_seconds),
            ),
            ("longest chain", " → ".join(self.longest_chain)),
            ("most replied", ", ".join(f"{c} ({n})" for c, n in self.most_replied[:5])),
            ("most liked", ", ".join(f"{c} ({n})" for c, n in self.most_liked[:5])),
            ("h-index", str(self.h_index)),
            ("structural virality", _num(self.structural_virality)),
            ("reciprocity (rho)", _num(self.reciprocity_rho)),
            ("reciprocated share", _num(self.reciprocated_share)),
            ("participation Gini", _num(self.participation_gini)),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table>{body}</table>"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _duration(seconds: float) -> str:
    delta = timedelta(seconds=round(seconds))
    if delta.days:
        return f"{delta.days} d {delta.seconds // 3600} h"
    hours, rest = divmod(delta.seconds, 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"


def thread_stats(thread: Thread, top: int = 5) -> ThreadStats:
    """Everything in :class:`ThreadStats`: the tree from every comment, people from speakers."""
    by_id = {c.id: c for c in thread.comments}
    level = measures.levels(thread)
    speakers = [c for c in thread.comments if measures.speaks(c)]
    authors = Counter(c.author for c in speakers)
    replies = Counter(c.parent_id for c in thread.comments if c.parent_id is not None)
    gaps = [
        (c.created_at - by_id[c.parent_id].created_at).total_seconds()
        for c in speakers
        if c.parent_id is not None
    ]
    deepest = max(
        thread.comments, key=lambda c: (level[c.id], -c.created_at.timestamp()), default=None
    )
    chain: list[str] = []
    current = deepest
    while current is not None:
        chain.append(current.id)
        current = by_id[current.parent_id] if current.parent_id else None
    times = [c.created_at for c in speakers]
    quartiles: tuple[float, float, float] | None = None
    if len(gaps) >= 2:
        q1, q2, q3 = statistics.quantiles(gaps, n=4)
        quartiles = (q1, q2, q3)
    statuses: Counter[str] = Counter(c.status for c in thread.comments)
    return ThreadStats(
        comments=len(thread.comments),
        deleted=statuses["deleted"],
        moderated=sum(statuses[s] for s in measures.MODERATED),
        top_level=sum(1 for c in thread.comments if c.parent_id is None),
        participants=len(authors),
        comments_per_author=dict(authors.most_common()),
        post_author_comments=authors.get(thread.post.author, 0),
        depth_distribution=dict(sorted(Counter(level.values()).items())),
        max_depth=max(level.values(), default=0),
        median_reply_seconds=statistics.median(gaps) if gaps else None,
        reply_seconds_quartiles=quartiles,
        longest_chain=chain[::-1],
        most_replied=[(cid, n) for cid, n in replies.most_common(top) if cid is not None],
        most_liked=[
            (c.id, c.likes)
            for c in sorted(speakers, key=lambda c: (-c.likes, c.created_at))[:top]
            if c.likes
        ],
        first_comment=min(times, default=None),
        last_comment=max(times, default=None),
        h_index=measures.h_index(thread),
        structural_virality=measures.structural_virality(thread),
        reciprocity_rho=measures.reciprocity_rho(thread),
        reciprocated_share=measures.reciprocated_share(thread),
        participation_gini=measures.participation_gini(thread),
        incomplete=thread.completeness.text(),
        not_loaded=thread.completeness.not_loaded,
    )
