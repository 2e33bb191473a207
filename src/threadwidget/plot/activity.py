"""Activity over time: comments per interval, and every comment as a point on a timeline."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta

import altair as alt

from ..analysis.measures import as_thread
from ._data import (
    Row,
    comment_rows,
    highlight_condition,
    highlight_param,
    inline,
    pick_param,
    titled,
)

__all__ = ["KINDS", "activity", "activity_rows", "interval_for", "offset_text", "timeline"]

#: Comment kinds in legend order, with their colours (moderated ones stand out in red).
KINDS = {
    "top level": "#4c78a8",
    "reply": "#72b7b2",
    "deleted": "#bab0ac",
    "moderated": "#e45756",
}
_STEPS = (
    (timedelta(hours=6), timedelta(minutes=10), "10 minutes"),
    (timedelta(days=2), timedelta(hours=1), "hour"),
    (timedelta(days=45), timedelta(days=1), "day"),
)
#: Share of comments the regular bins cover at least; later ones may share one "later" bar...
BULK = 0.9
#: ... when the last comment comes more than this many times later than that share's last.
TAIL = 3.0
#: Timeline ticks: minutes after the post and their labels.
_TICKS = (
    (0, "0"),
    (10, "10 min"),
    (60, "1 h"),
    (360, "6 h"),
    (1440, "1 d"),
    (10080, "1 w"),
    (43200, "30 d"),
    (525600, "1 y"),
    (5256000, "10 y"),
)


def interval_for(span: timedelta) -> tuple[timedelta, str]:
    """A readable bin width for comments spread over ``span``: 10 minutes, hour, day or week."""
    for limit, step, name in _STEPS:
        if span <= limit:
            return step, name
    return timedelta(weeks=1), "week"


def _kind_color() -> alt.Color:
    return alt.Color(
        "kind:N",
        title="comment",
        scale=alt.Scale(domain=list(KINDS), range=list(KINDS.values())),
    )


def offset_text(minutes: float) -> str:
    """Minutes after the post as a short label: ``+40 min``, ``+3 h``, ``+2 d``, ``+5 w``."""
    if minutes < 60:
        return f"+{minutes:g} min"
    if minutes < 2 * 1440:
        return f"+{minutes / 60:g} h"
    if minutes < 8 * 10080:
        return f"+{minutes / 1440:g} d"
    return f"+{minutes / 10080:g} w"


def activity_rows(thread: object, interval: timedelta | None = None) -> tuple[list[Row], str]:
    """Counts per (bin after the post, kind) and the bin's name; ``interval`` None picks one.

    Regular bins cover every comment, unless the last ones come far later than the first 90%
    (three times as long after the post): those share a last "later" bin, so one comment years
    on (spam, often) does not squeeze the rest into a single bar. Empty bins are rows too.
    """
    tree = as_thread(thread)
    rows = comment_rows(tree)
    if not rows:
        return [], "hour"
    posted = tree.post.created_at
    offsets = sorted(_minutes(row["time"], posted) for row in rows)
    bulk = offsets[math.floor(BULK * (len(offsets) - 1))]
    if offsets[-1] <= TAIL * max(bulk, 1.0):
        bulk = offsets[-1]  # no far-off stragglers: regular bins cover every comment
    if interval is None:
        step, name = interval_for(timedelta(minutes=max(bulk, 1.0)))
    else:
        step, name = interval, _name(interval)
    width = step.total_seconds() / 60
    bins = max(1, math.ceil(bulk / width)) if bulk > 0 else 1
    if bulk == bins * width:
        bins += 1  # the last comment of the bulk sits on a boundary: it starts a new bin
    counts: Counter[tuple[int, str]] = Counter()
    for row in rows:
        index = math.floor(max(0.0, _minutes(row["time"], posted)) / width)
        counts[(min(index, bins), row["kind"])] += 1
    for index in range(bins):
        if not any((index, kind) in counts for kind in KINDS):
            counts[(index, "top level")] = 0
    out = []
    for (index, kind), n in sorted(counts.items()):
        later = index == bins
        out.append(
            {
                "bin": "later" if later else offset_text(index * width),
                "order": index,
                "start_minutes": index * width,
                "end_minutes": None if later else (index + 1) * width,
                "kind": kind,
                "comments": n,
            }
        )
    return out, name


def _minutes(time: str, posted: datetime) -> float:
    when = datetime.fromisoformat(time.replace("Z", "+00:00"))
    return (when - posted).total_seconds() / 60


def _name(step: timedelta) -> str:
    minutes = step.total_seconds() / 60
    if minutes < 60:
        return f"{minutes:g} minutes"
    if minutes < 24 * 60:
        return f"{minutes / 60:g} hours"
    return f"{minutes / 1440:g} days"


def activity(
    thread: object, interval: timedelta | None = None, width: int = 560, height: int = 220
) -> alt.Chart:
    """Bars of comments per interval, stacked by kind: top level, reply, deleted, moderated."""
    tree = as_thread(thread)
    rows, name = activity_rows(tree, interval)
    labels = sorted({(r["order"], r["bin"]) for r in rows})
    chart: alt.Chart = (
        alt.Chart(inline(rows), width=width, height=height)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "bin:O",
                title=f"after the post, per {name}",
                sort=[str(label) for _, label in labels],
                scale=alt.Scale(domain=[label for _, label in labels]),
                axis=alt.Axis(labelAngle=-40, labelOverlap="greedy"),
            ),
            y=alt.Y(
                "sum(comments):Q",
                title="comments",
                stack=True,
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=_kind_color(),
            order=alt.Order("kind_order:Q"),
            tooltip=[
                alt.Tooltip("bin:O", title="from"),
                alt.Tooltip("kind:N"),
                alt.Tooltip("sum(comments):Q", title="comments"),
            ],
        )
        .transform_calculate(kind_order=_kind_order_expr())
        .properties(title=titled(f"Comments per {name} after the post", tree))
    )
    return chart


def _kind_order_expr() -> str:
    return "indexof(" + str(list(KINDS)).replace("'", '"') + ", datum.kind)"


def _size_steps(rows: list[Row]) -> list[int]:
    most = max((row["replies"] for row in rows), default=0)
    return sorted({0, most // 2, most}) if most > 1 else [0, 1]


def timeline(thread: object, width: int = 560, height: int = 220) -> alt.LayerChart:
    """Every comment at its time and depth, joined to what it answers; click one to pick it."""
    tree = as_thread(thread)
    rows = comment_rows(tree)
    for row in rows:
        row["minutes"] = round(max(0.0, _minutes(row["time"], tree.post.created_at)), 2)
    by_id = {row["id"]: row for row in rows}
    links = [
        {
            "id": row["id"],
            "minutes": by_id[row["parent"]]["minutes"],
            "depth": by_id[row["parent"]]["depth"],
            "minutes2": row["minutes"],
            "depth2": row["depth"],
        }
        for row in rows
        if row["parent"] in by_id
    ]
    last = max((row["minutes"] for row in rows), default=60.0)
    ticks = [(m, label) for m, label in _TICKS if m <= max(last, 60.0)]
    label_expr = " : ".join(f"datum.value === {m} ? '{label}'" for m, label in ticks) + " : ''"
    x = alt.X(
        "minutes:Q",
        title="time after the post (log scale)",
        scale=alt.Scale(type="symlog", constant=10, domain=[0, max(last, 60.0) * 1.05], nice=False),
        axis=alt.Axis(values=[m for m, _ in ticks], labelExpr=label_expr, grid=True),
    )
    y = alt.Y(
        "depth:Q",
        title="depth (0 = answers the post)",
        scale=alt.Scale(reverse=True, nice=False, padding=10),
        axis=alt.Axis(
            values=list(range(max((r["depth"] for r in rows), default=0) + 1)), format="d"
        ),
    )
    edges = (
        alt.Chart(inline(links))
        .mark_rule(color="#c8c8c8", strokeWidth=1)
        .encode(x=x, y=y, x2="minutes2:Q", y2="depth2:Q")
    )
    pick = pick_param()
    points = (
        alt.Chart(inline(rows))
        .mark_point(filled=True, opacity=0.9, cursor="pointer")
        .encode(
            x=x,
            y=y,
            color=_kind_color(),
            shape=alt.Shape(
                "moderated:N",
                title="moderated",
                scale=alt.Scale(domain=[False, True], range=["circle", "cross"]),
                legend=None,
            ),
            size=alt.Size(
                "replies:Q",
                title="replies",
                scale=alt.Scale(range=[40, 260], zero=False),
                legend=alt.Legend(values=_size_steps(rows), format="d"),
            ),
            stroke=highlight_condition("#111111", None),
            strokeWidth=highlight_condition(3, 0),
            tooltip=[
                alt.Tooltip("author:N"),
                alt.Tooltip("when:N", title="time"),
                alt.Tooltip("depth:Q"),
                alt.Tooltip("replies:Q"),
                alt.Tooltip("excerpt:N", title="text"),
            ],
        )
        .add_params(pick)
    )
    title = titled("Every comment in time", tree)
    chart = alt.LayerChart(layer=[edges, points], width=width, height=height, title=title)
    linked: alt.LayerChart = chart.add_params(highlight_param())
    return linked
