"""Named measures of a discussion, each with the paper it comes from, and the conventions
every measure, ``thread.stats()`` and every chart of ``threadwidget.plot`` share.

Depth: level 1 is a reply to the post, level 2 a reply to that (the post is level 0), as the
h-index paper counts. Which comments count: every comment counts in the shape of the tree
(levels, h-index, structural virality, tree charts), whatever its status, because a deleted or
moderated comment still holds its replies in place; only comments *by someone* (visible, with a
known author: not "[deleted]") count for people and reply times (participants, Gini,
reciprocity, replies given and received, response times). ``measures(thread)`` gathers them.
"""

from __future__ import annotations

import html
import importlib
import statistics
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..core.models import Comment, Thread

__all__ = [
    "MODERATED",
    "REFERENCES",
    "UNKNOWN_AUTHORS",
    "Measure",
    "MeasureTable",
    "ResponseTimes",
    "as_thread",
    "depth_profile",
    "gini",
    "h_index",
    "levels",
    "measures",
    "participation_gini",
    "reciprocated_share",
    "reciprocity_rho",
    "reply_pairs",
    "response_times",
    "speaks",
    "structural_virality",
]

#: Statuses a moderator set (hidden, spam, removed): such comments are marked in every chart.
MODERATED = frozenset({"hidden", "spam", "removed"})
#: Author names importers give a comment whose author is gone: nobody to count as a person.
UNKNOWN_AUTHORS = frozenset({"", "[deleted]", "[removed]", "[moderated]", "[unknown]"})

#: Where each measure comes from, cited in its docstring and in ``measures()`` rows.
REFERENCES = {
    "h_index": (
        "Gómez, V., Kaltenbrunner, A. and López, V. (2008). Statistical analysis of the social "
        "network and discussion threads in Slashdot. Proc. WWW 2008, 645-654."
    ),
    "structural_virality": (
        "Goel, S., Anderson, A., Hofman, J. and Watts, D. J. (2016). The structural virality of "
        "online diffusion. Management Science 62(1), 180-196."
    ),
    "reciprocity": (
        "Garlaschelli, D. and Loffredo, M. I. (2004). Patterns of link reciprocity in directed "
        "networks. Physical Review Letters 93, 268701; applied to reply networks by Gómez, "
        "Kaltenbrunner and López (2008)."
    ),
    "response_times": (
        "Kaltenbrunner, A., Gómez, V. and López, V. (2007). Description and prediction of "
        "Slashdot activity. Proc. LA-WEB 2007, 57-66."
    ),
    "depth_profile": (
        "Gómez, V., Kaltenbrunner, A. and López, V. (2008), as above: comments per nesting level "
        "of the radial tree."
    ),
    "gini": (
        "Gini, C. (1912). Variabilità e mutabilità; Lorenz, M. O. (1905). Methods of measuring "
        "the concentration of wealth. JASA 9(70), 209-219."
    ),
}


def as_thread(source: object) -> Thread:
    """The Thread itself, or the ``.thread`` of a ThreadWidget (anything with one)."""
    if isinstance(source, Thread):
        return source
    thread = getattr(source, "thread", None)
    if isinstance(thread, Thread):
        return thread
    raise TypeError(f"expected a Thread or a ThreadWidget, got {type(source).__name__}")


def speaks(comment: Comment) -> bool:
    """Whether a comment counts for people and reply times: visible, with a known author."""
    return comment.status == "visible" and comment.author not in UNKNOWN_AUTHORS


def levels(thread: object) -> dict[str, int]:
    """Level of every comment, in tree order: 1 for a reply to the post, 2 for a reply to that."""
    tree = as_thread(thread)
    kids: dict[str | None, list[Comment]] = {}
    for comment in tree.comments:
        kids.setdefault(comment.parent_id, []).append(comment)
    level: dict[str, int] = {}
    stack: list[tuple[Comment, int]] = [(c, 1) for c in reversed(tree.children(None))]
    while stack:
        comment, depth = stack.pop()
        level[comment.id] = depth
        replies = kids.get(comment.id)
        if replies:
            replies.sort(key=lambda c: c.created_at)
            stack.extend((c, depth + 1) for c in reversed(replies))
    return level


def depth_profile(thread: object) -> dict[int, int]:
    """Comments per nesting level (1 = replies to the post), every comment counted.

    Reference: Gómez, Kaltenbrunner and López (2008), the level profile of the radial tree.
    """
    counts = Counter(levels(thread).values())
    return dict(sorted(counts.items()))


def h_index(thread: object) -> int:
    """The largest level h holding at least h comments (level 1 = replies to the post); 0 if none.

    Reference: Gómez, Kaltenbrunner and López (2008), the h-index of a discussion thread.
    """
    profile = depth_profile(thread)
    return max((level for level, n in profile.items() if n >= level), default=0)


def structural_virality(thread: object) -> float | None:
    """Mean distance between all pairs of nodes of the reply tree, the post included as root.

    Reference: Goel, Anderson, Hofman and Watts (2016); None for a thread without comments.
    Computed in O(n): each edge lies on size * (n - size) of the paths between pairs.
    """
    tree = as_thread(thread)
    n = len(tree.comments) + 1
    if n < 2:
        return None
    size: dict[str, int] = {}
    for comment in _post_order(tree):
        size[comment.id] = 1 + sum(size[c.id] for c in tree.children(comment.id))
    total = sum(s * (n - s) for s in size.values())
    return total / (n * (n - 1) / 2)


def _post_order(thread: Thread) -> Iterator[Comment]:
    """Every comment after all of its replies."""
    order: list[Comment] = []
    stack = list(thread.children(None))
    while stack:
        comment = stack.pop()
        order.append(comment)
        stack.extend(thread.children(comment.id))
    return reversed(order)


def reply_pairs(thread: object) -> Counter[tuple[str, str]]:
    """(replier, replied-to) author pairs between comments by someone, self-replies left out."""
    tree = as_thread(thread)
    pairs: Counter[tuple[str, str]] = Counter()
    for comment in tree.comments:
        if comment.parent_id is None or not speaks(comment):
            continue
        parent = tree.get(comment.parent_id)
        if speaks(parent) and parent.author != comment.author:
            pairs[(comment.author, parent.author)] += 1
    return pairs


def reciprocated_share(thread: object) -> float | None:
    """Plain share r of reply links A→B (A answered B at least once) where B also answered A.

    Not corrected for density: see :func:`reciprocity_rho`. None without links.
    """
    links = set(reply_pairs(thread))
    if not links:
        return None
    return sum(1 for a, b in links if (b, a) in links) / len(links)


def reciprocity_rho(thread: object) -> float | None:
    """Garlaschelli and Loffredo's (2004) rho = (r - a) / (1 - a), a = L / (N (N - 1)).

    r is :func:`reciprocated_share`, L the reply links and N the authors with a link: rho > 0
    when people answer back more than a random network as dense would, < 0 when less. None
    without links or when every possible link exists (a = 1). Reply networks as Gómez,
    Kaltenbrunner and López (2008) build them: replies to the post and self-replies left out.
    """
    links = set(reply_pairs(thread))
    nodes = {a for link in links for a in link}
    if not links or len(links) == len(nodes) * (len(nodes) - 1):
        return None
    share = sum(1 for a, b in links if (b, a) in links) / len(links)
    density = len(links) / (len(nodes) * (len(nodes) - 1))
    return (share - density) / (1 - density)


@dataclass(frozen=True)
class ResponseTimes:
    """Seconds from a comment to each visible reply: count, median, quartiles and the first."""

    replies: int
    median_seconds: float | None
    quartiles_seconds: tuple[float, float, float] | None
    first_comment_seconds: float | None


def response_times(thread: object) -> ResponseTimes:
    """How fast replies come (to a comment) and how soon the first comment follows the post.

    Reference: Kaltenbrunner, Gómez and López (2007), response times in Slashdot discussions.
    """
    tree = as_thread(thread)
    gaps = sorted(
        (c.created_at - tree.get(c.parent_id).created_at).total_seconds()
        for c in tree.comments
        if c.parent_id is not None and speaks(c)
    )
    firsts = [c.created_at for c in tree.comments if speaks(c)]
    first = (min(firsts) - tree.post.created_at).total_seconds() if firsts else None
    quartiles = statistics.quantiles(gaps, n=4) if len(gaps) >= 2 else None
    return ResponseTimes(
        replies=len(gaps),
        median_seconds=statistics.median(gaps) if gaps else None,
        quartiles_seconds=None if quartiles is None else (quartiles[0], quartiles[1], quartiles[2]),
        first_comment_seconds=first,
    )


def gini(values: Sequence[float]) -> float | None:
    """Gini coefficient of non-negative amounts: 0 when all are equal, near 1 when one has all.

    Reference: Gini (1912); half the relative mean absolute difference. None for no amounts.
    """
    data = sorted(values)
    total = sum(data)
    if not data or total == 0:
        return None
    n = len(data)
    weighted = sum((2 * rank - n - 1) * x for rank, x in enumerate(data, start=1))
    return weighted / (n * total)


def participation_gini(thread: object) -> float | None:
    """Gini coefficient of comments per author (participation inequality), comments by someone."""
    authors = Counter(c.author for c in as_thread(thread).comments if speaks(c))
    return gini(list(authors.values()))


@dataclass(frozen=True)
class Measure:
    """One row of :func:`measures`: a named value, what it means and where it comes from."""

    key: str
    name: str
    value: float | int | None
    meaning: str
    reference: str


class MeasureTable(tuple[Measure, ...]):
    """The rows of :func:`measures`; a table in a notebook, a DataFrame with ``to_pandas()``.
    ``incomplete`` says when the thread lacks replies (the measures describe what was loaded)."""

    incomplete: str = ""

    def get(self, key: str) -> Measure:
        """The row with this key; ``KeyError`` naming the key if there is none."""
        for row in self:
            if row.key == key:
                return row
        raise KeyError(f"no measure {key!r}")

    def to_dict(self) -> dict[str, float | int | None]:
        """Key → value."""
        return {row.key: row.value for row in self}

    def to_pandas(self) -> Any:
        """One row per measure; needs pandas (``pip install 'threadwidget[pandas]'``)."""
        try:
            pd = importlib.import_module("pandas")
        except ImportError:
            raise ImportError(
                "measures(...).to_pandas() needs pandas: pip install 'threadwidget[pandas]'"
            ) from None
        return pd.DataFrame([asdict(row) for row in self]).set_index("key")

    def __str__(self) -> str:
        width = max((len(row.name) for row in self), default=0)
        lines = [f"{row.name:<{width}}  {_show(row.value)}" for row in self]
        return "\n".join([*self._caption(), *lines])

    def _caption(self) -> list[str]:
        return [f"{self.incomplete} (measures describe what was loaded)"] if self.incomplete else []

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(row.name)}</th>"
            f"<td style='text-align:right'>{html.escape(_show(row.value))}</td>"
            f"<td style='text-align:left'>{html.escape(row.meaning)}</td>"
            f"<td style='text-align:left;font-size:85%'>{html.escape(row.reference)}</td></tr>"
            for row in self
        )
        head = "<tr><th>measure</th><th>value</th><th>meaning</th><th>reference</th></tr>"
        caption = "".join(f"<caption>{html.escape(line)}</caption>" for line in self._caption())
        return f"<table>{caption}{head}{body}</table>"


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def _show(value: float | int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3g}"


def measures(thread: object) -> MeasureTable:
    """Every named measure of ``thread`` (a Thread or a ThreadWidget) as a table."""
    tree = as_thread(thread)
    profile = depth_profile(tree)
    times = response_times(tree)
    levels = sum(profile.values())
    mean_level = sum(k * n for k, n in profile.items()) / levels if levels else None
    quart = times.quartiles_seconds
    rows = [
        Measure("comments", "comments", len(tree.comments), "every comment in the tree", ""),
        Measure(
            "h_index",
            "h-index",
            h_index(tree),
            "largest level h with at least h comments",
            REFERENCES["h_index"],
        ),
        Measure(
            "structural_virality",
            "structural virality",
            structural_virality(tree),
            "mean distance between two nodes of the reply tree (post included)",
            REFERENCES["structural_virality"],
        ),
        Measure(
            "reciprocity_rho",
            "reciprocity (rho)",
            reciprocity_rho(tree),
            "Garlaschelli-Loffredo rho: answered links beyond what density predicts (0 = chance)",
            REFERENCES["reciprocity"],
        ),
        Measure(
            "reciprocated_share",
            "reciprocated share",
            reciprocated_share(tree),
            "plain share of reply links A→B answered by B→A (not density-corrected)",
            REFERENCES["reciprocity"],
        ),
        Measure(
            "participation_gini",
            "participation Gini",
            participation_gini(tree),
            "inequality of comments per author (0 equal, 1 one voice)",
            REFERENCES["gini"],
        ),
        Measure(
            "median_response_minutes",
            "median response (min)",
            _minutes(times.median_seconds),
            "median minutes from a comment to a reply",
            REFERENCES["response_times"],
        ),
        Measure(
            "response_iqr_minutes",
            "response IQR (min)",
            None if quart is None else _minutes(quart[2] - quart[0]),
            "spread of reply times: third minus first quartile",
            REFERENCES["response_times"],
        ),
        Measure(
            "first_comment_minutes",
            "first comment (min)",
            _minutes(times.first_comment_seconds),
            "minutes from the post to its first comment",
            REFERENCES["response_times"],
        ),
        Measure(
            "max_level",
            "deepest level",
            max(profile, default=0),
            "deepest nesting level (1 = reply to the post)",
            REFERENCES["depth_profile"],
        ),
        Measure(
            "mean_level",
            "mean level",
            mean_level,
            "average nesting level of a comment",
            REFERENCES["depth_profile"],
        ),
        Measure(
            "top_level_share",
            "top-level share",
            profile.get(1, 0) / levels if levels else None,
            "share of comments answering the post itself",
            REFERENCES["depth_profile"],
        ),
    ]
    table = MeasureTable(rows)
    table.incomplete = tree.completeness.text()
    return table
