"""Transparent ranking: the sort orders and their formulas, the same in Python and the browser.

Every comment is ranked among its siblings (the other replies to the same parent). Pinned
comments come first; then the sort's key; ties go to the older comment, then to the smaller id.
Times are whole milliseconds since the epoch (what the browser's ``Date.parse`` gives), so the
tie-breaks and the ``hot`` ages agree with ``js/src/ranking.ts`` exactly.

The two counts every formula starts from come from :func:`threadwidget.core.voting.up_down`:

=========  ==========================  ========================
voting     ``up``                      ``down``
=========  ==========================  ========================
likes      likes                       reports (flags)
updown     up votes                    down votes
reactions  reactions (one per user)    reports (flags)
=========  ==========================  ========================

``tests/data/ranking_vectors.json`` holds scores and orders computed here; the frontend's test
checks that ``ranking.ts`` gives the same (regenerate it with
``python scripts/ranking_vectors.py``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from ..extras import require
from ..strings import DEFAULT_STRINGS
from .models import Comment, Thread, utcnow
from .voting import VotingModel, up_down, voting_model

__all__ = [
    "SORTS",
    "RankRow",
    "controversy",
    "format_number",
    "formula",
    "hot",
    "rank",
    "rank_frame",
    "score",
    "sort_key",
    "time_ms",
    "wilson_lower_bound",
]

Sort = Literal["oldest", "newest", "top", "best", "controversial", "hot"]
#: Every sort order, in the order of the page's menu.
SORTS: tuple[Sort, ...] = ("oldest", "newest", "top", "best", "controversial", "hot")
#: The confidence of ``best``: z for 95 %.
Z_95 = 1.96
#: The time decay exponent of ``hot`` (Hacker News).
GRAVITY = 1.8

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: What :func:`sort_key` returns: (not pinned, time, id) or (not pinned, -score, time, id).
SortKey = tuple[bool, int, str] | tuple[bool, float, int, str]
_MS = timedelta(milliseconds=1)
_HOUR_MS = 3_600_000
_COLUMNS = [
    "rank",
    "id",
    "parent_id",
    "depth",
    "author",
    "pinned",
    "up",
    "down",
    "score",
    "formula",
]


def wilson_lower_bound(up: int, down: int, z: float = Z_95) -> float:
    """``best``: the lower bound of the Wilson score interval for the share of positive votes.

    With n = up + down and p = up / n:
    (p + z²/2n - z·√((p(1-p) + z²/4n) / n)) / (1 + z²/n), and 0 when n = 0.
    More votes make the estimate surer, so 5 up / 1 down (0.436) beats 1 up / 0 down (0.207).
    """
    n = up + down
    if n <= 0:
        return 0.0
    p = up / n
    zz = z * z
    return (p + zz / (2 * n) - z * math.sqrt((p * (1 - p) + zz / (4 * n)) / n)) / (1 + zz / n)


def controversy(up: int, down: int) -> float:
    """``controversial`` (Reddit): (up + down) ^ (min(up, down) / max(up, down)).

    0 when either count is 0: only a split vote is a controversy, and a larger, more even split
    is a bigger one (10 up / 10 down scores 20, 10 up / 1 down scores 1.27).
    """
    if up <= 0 or down <= 0:
        return 0.0
    score: float = float(up + down) ** (min(up, down) / max(up, down))  # positive: never complex
    return score


def hot(up: int, down: int, created_at: datetime, now: datetime, gravity: float = GRAVITY) -> float:
    """``hot`` (Hacker News): (points - 1) / (age in hours + 2) ^ gravity.

    points - 1 = up - down: Hacker News counts the submitter's own vote as the first point and
    subtracts it again. The age is ``now - created_at`` in whole milliseconds, in hours, and 0
    for a comment from the future. Votes count for less as a comment gets older; a negative
    score rises towards 0 with age.
    """
    return _hot_ms(up, down, time_ms(created_at), time_ms(now), gravity)


def _hot_ms(up: int, down: int, created: int, now: int, gravity: float = GRAVITY) -> float:
    decay: float = (_age_hours(created, now) + 2) ** gravity  # a positive base: never complex
    return (up - down) / decay


def _age_hours(created: int, now: int) -> float:
    return max(0, now - created) / _HOUR_MS


def time_ms(when: datetime) -> int:
    """Milliseconds since the epoch, truncated like the browser's ``Date.parse``."""
    return (when - _EPOCH) // _MS


def score(comment: Comment, sort: str, voting: object, now: datetime | None = None) -> float:
    """The number ``sort`` orders siblings by (the higher first, except for ``oldest``).

    top: up - down for updown, the like or reaction count otherwise; best, controversial, hot:
    the functions above; oldest and newest: the posting time in milliseconds since the epoch.
    ``voting`` is a voting setting or :class:`~threadwidget.core.voting.VotingModel`; ``now``
    (default: the current time) only matters for ``hot``.
    """
    model = voting_model(voting)
    _check_sort(sort)
    up, down = up_down(comment, model)
    return _score(sort, model, up, down, time_ms(comment.created_at), _now_ms(now))


def _score(sort: str, model: VotingModel, up: int, down: int, created: int, now: int) -> float:
    if sort == "top":
        return float(up - down if model.kind == "updown" else up)
    if sort == "best":
        return wilson_lower_bound(up, down)
    if sort == "controversial":
        return controversy(up, down)
    if sort == "hot":
        return _hot_ms(up, down, created, now)
    return float(created)


def sort_key(sort: str, pinned: bool, score: float, created: int, comment_id: str) -> SortKey:
    """The key siblings are sorted by (ascending), as ``compareKeys`` in ``ranking.ts``:
    pinned first; then the score (highest first; for ``oldest``/``newest`` the time); then
    the older comment; then the smaller id."""
    if sort == "newest":
        return (not pinned, -created, comment_id)
    if sort == "oldest":
        return (not pinned, created, comment_id)
    return (not pinned, -score, created, comment_id)


def format_number(x: float) -> str:
    """A score as the why-this-order text shows it, the same as ``formatNumber`` in ranking.ts.

    Two decimals from 1 up, three significant digits below 1, and below 0.001 three significant
    digits as ``2.47e-9`` (old comments' ``hot`` scores are that small); halves rounded away from
    zero (like JavaScript's ``toFixed``/``toExponential``), trailing zeros dropped.
    """
    a = abs(x)
    if a == 0:
        return "0"
    exact = Decimal(x)
    if a < 0.001:
        exponent = exact.adjusted()
        rounded = exact.quantize(Decimal(1).scaleb(exponent - 2), rounding=ROUND_HALF_UP)
        if rounded.adjusted() > exponent:  # 9.996e-5 became 1.00e-4
            exponent += 1
            rounded = exact.quantize(Decimal(1).scaleb(exponent - 2), rounding=ROUND_HALF_UP)
        mantissa = f"{rounded.scaleb(-exponent):f}".rstrip("0").rstrip(".")
        return f"{mantissa}e{exponent}"
    decimals, threshold = 2, 1.0
    while a < threshold:
        threshold /= 10
        decimals += 1
    text = f"{exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def formula(
    comment: Comment,
    sort: str,
    voting: object,
    now: datetime | None = None,
    strings: Mapping[str, str] | None = None,
) -> str:
    """The inputs and result of ``sort``'s formula for one comment, as the page's why line shows
    it (e.g. ``best: Wilson lower bound of 5 up / 1 down = 0.436``); ``strings`` overrides the
    English templates (``w.strings``)."""
    model = voting_model(voting)
    _check_sort(sort)
    up, down = up_down(comment, model)
    created = time_ms(comment.created_at)
    now_ms = _now_ms(now)
    value = _score(sort, model, up, down, created, now_ms)
    return _formula(
        sort, model, up, down, created, now_ms, value, {**DEFAULT_STRINGS, **(strings or {})}
    )


def _formula(
    sort: str,
    model: VotingModel,
    up: int,
    down: int,
    created: int,
    now: int,
    value: float,
    table: Mapping[str, str],
) -> str:
    names = {
        "pos": _count_word(table, f"rank_up_{model.kind}", up),
        "neg": _count_word(table, f"rank_down_{model.kind}", down),
        "up": str(up),
        "down": str(down),
        "score": format_number(value),
    }
    if sort in ("oldest", "newest"):
        when = (_EPOCH + created * _MS).isoformat(timespec="seconds").replace("+00:00", "Z")
        return _fill(table[f"rank_formula_{sort}"], {"time": when})
    if sort == "top":
        key = "rank_formula_top" if model.kind == "updown" else "rank_formula_top_count"
        return _fill(table[key], names)
    if sort == "controversial":
        if up <= 0 or down <= 0:
            return _fill(table["rank_formula_controversial_zero"], names)
        names.update(min=str(min(up, down)), max=str(max(up, down)))
    if sort == "hot":
        names.update(hours=format_number(_age_hours(created, now)), gravity=format_number(GRAVITY))
    return _fill(table[f"rank_formula_{sort}"], names)


def _count_word(table: Mapping[str, str], key: str, n: int) -> str:
    """The word for a count: ``key_one`` for 1, else ``key`` (as ``Fmt.count`` picks)."""
    return table[f"{key}_one"] if n == 1 else table[key]


def _fill(template: str, names: Mapping[str, str]) -> str:
    """``{name}`` placeholders filled, unknown ones kept (as ``Fmt.t`` does in the browser)."""
    out = template
    for name, value in names.items():
        out = out.replace("{" + name + "}", value)
    return out


@dataclass(frozen=True)
class RankRow:
    """One comment's place: its rank among its shown siblings (1 = first), its depth (0 for a
    reply to the post) and why."""

    rank: int
    id: str
    parent_id: str | None
    depth: int
    author: str
    pinned: bool
    up: int
    down: int
    score: float
    formula: str


def rank(
    thread: Thread,
    sort: str,
    voting: object = "likes",
    now: datetime | None = None,
    *,
    role: str = "participant",
    strings: Mapping[str, str] | None = None,
) -> list[RankRow]:
    """Every comment a ``role`` sees, in page order (depth first), with its rank among siblings.

    Shown, as in the page: visible comments (a moderator also sees hidden, spam and removed
    ones), and any comment with a shown reply (drawn as a placeholder). ``now`` (default: the
    current time) is the clock of ``hot``.
    """
    model = voting_model(voting)
    _check_sort(sort)
    now_ms = _now_ms(now)
    table = {**DEFAULT_STRINGS, **(strings or {})}
    children: dict[str | None, list[Comment]] = defaultdict(list)
    for c in thread.comments:
        children[c.parent_id].append(c)
    shown = _shown(children, role)
    keyed: dict[str, tuple[SortKey, float, int, int, int]] = {}
    for c in thread.comments:
        if c.id not in shown:
            continue
        up, down = up_down(c, model)
        created = time_ms(c.created_at)
        value = _score(sort, model, up, down, created, now_ms)
        keyed[c.id] = (sort_key(sort, c.pinned, value, created, c.id), value, up, down, created)
    rows: list[RankRow] = []
    stack: list[tuple[Comment, int, int]] = []

    def push(parent: str | None, depth: int) -> None:
        kids = sorted(
            (c for c in children.get(parent, ()) if c.id in shown), key=lambda c: keyed[c.id][0]
        )
        stack.extend((c, i + 1, depth) for i, c in reversed(list(enumerate(kids))))

    push(None, 0)  # 0 for a reply to the post, as Thread.depth and to_pandas count
    while stack:
        c, position, depth = stack.pop()
        _, value, up, down, created = keyed[c.id]
        text = _formula(sort, model, up, down, created, now_ms, value, table)
        rows.append(
            RankRow(position, c.id, c.parent_id, depth, c.author, c.pinned, up, down, value, text)
        )
        push(c.id, depth + 1)
    return rows


def rank_frame(rows: list[RankRow]) -> Any:
    """:func:`rank` rows as a pandas DataFrame (needs pandas)."""
    pd = require("pandas", "pandas", "w.ranking()")

    return pd.DataFrame([asdict(r) for r in rows], columns=_COLUMNS)


def _preorder(
    children: Mapping[str | None, list[Comment]], roots: Iterable[Comment]
) -> list[Comment]:
    """``roots`` and every comment below them, each parent before its replies (no recursion:
    threads may be deep); reversed, every reply comes before its parent."""
    order: list[Comment] = []
    stack = list(roots)
    while stack:
        c = stack.pop()
        order.append(c)
        stack.extend(children.get(c.id, ()))
    return order


def _shows_itself(status: str, role: str) -> bool:
    """Whether the page shows a comment of this status to ``role`` for its own sake: everyone
    sees a removed comment's placeholder; moderators also see hidden and spam."""
    return status in ("visible", "removed") or (role == "moderator" and status != "deleted")


def _shown(children: Mapping[str | None, list[Comment]], role: str) -> set[str]:
    """The ids the page shows to ``role`` (``ThreadStore.isShown``): a comment it shows for its
    own sake, and any comment above one, found bottom up."""
    shown: set[str] = set()
    for c in reversed(_preorder(children, children.get(None, ()))):  # replies before parents
        if _shows_itself(c.status, role) or c.id in shown:
            shown.add(c.id)
            if c.parent_id is not None:
                shown.add(c.parent_id)
    return shown


def _check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")


def _now_ms(now: datetime | None) -> int:
    return time_ms(now if now is not None else utcnow())
