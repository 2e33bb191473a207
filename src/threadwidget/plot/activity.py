"""Activity over time: comments per interval, comments so far, every comment on a timeline."""

from __future__ import annotations

import math
from datetime import timedelta

import altair as alt
import numpy as np
import pandas as pd

from ._data import highlight_condition, highlight_param, pick_param, when_text
from ._frame import excerpt, frame_of
from ._layout import count_axis, missing, missing_layer, note_aggregated, titled

__all__ = [
    "KINDS",
    "MAX_BARS",
    "activity",
    "activity_rows",
    "cumulative",
    "cumulative_rows",
    "interval_for",
    "span_minutes",
    "timeline",
    "timeline_bins",
]

#: Comment kinds in legend order, with their colours (moderated ones stand out in red).
KINDS = {
    "top level": "#4c78a8",
    "reply": "#72b7b2",
    "deleted": "#bab0ac",
    "moderated": "#e45756",
}
#: Bin widths by how long the discussion lasted, each with the one unit its axis counts in.
_STEPS = (
    (timedelta(hours=6), timedelta(minutes=10), "10 minutes", "minutes", 1.0),
    (timedelta(days=2), timedelta(hours=1), "hour", "hours", 60.0),
    (timedelta(days=45), timedelta(days=1), "day", "days", 1440.0),
)
#: Most bars an activity chart draws (a finer ``interval`` over a long thread is refused).
MAX_BARS = 400
#: Share of comments the regular bins cover at least; later ones may share one "later" bar...
BULK = 0.9
#: ... when the last comment comes more than this many times later than that share's last.
TAIL = 3.0
#: Most points of the cumulative curve (evenly spaced ranks); the curve is exact at each.
CURVE_POINTS = 400
#: Timeline ticks: minutes after the post and their labels (a log axis: each label its unit).
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
#: Edges of the binned timeline (minutes after the post): 1-2-5 steps, even on a log axis.
_EDGES = tuple(m * 10**e for e in range(-1, 8) for m in (1, 2, 5))


def interval_for(span: timedelta) -> tuple[timedelta, str]:
    """A readable bin width for comments spread over ``span``: 10 minutes, hour, day or week."""
    for limit, step, name, _unit, _size in _STEPS:
        if span <= limit:
            return step, name
    return timedelta(weeks=1), "week"


def _unit(step: timedelta) -> tuple[str, float]:
    """The unit an axis of bins ``step`` wide counts in, and its size in minutes."""
    minutes = step.total_seconds() / 60
    if minutes < 60:
        return "minutes", 1.0
    if minutes < 1440:
        return "hours", 60.0
    if minutes < 10080:
        return "days", 1440.0
    return "weeks", 10080.0


def _name(step: timedelta) -> str:
    for _limit, known, name, _unit_name, _size in _STEPS:
        if step == known:
            return name
    if step == timedelta(weeks=1):
        return "week"
    unit, size = _unit(step)
    return f"{step.total_seconds() / 60 / size:g} {unit}"


def _kind_color() -> alt.Color:
    return alt.Color(
        "kind:N",
        title="comment",
        scale=alt.Scale(domain=list(KINDS), range=list(KINDS.values())),
    )


def span_minutes(thread: object) -> float:
    """Minutes from the post to the last comment of the bulk (the later stragglers left out)."""
    minutes = np.sort(np.maximum(frame_of(thread).rows["minutes"].to_numpy(), 0.0))
    if not len(minutes):
        return 0.0
    bulk = float(minutes[math.floor(BULK * (len(minutes) - 1))])
    last = float(minutes[-1])
    return last if last <= TAIL * max(bulk, 1.0) else bulk


def activity_rows(
    thread: object, interval: timedelta | None = None, span: float | None = None
) -> tuple[pd.DataFrame, str, str]:
    """Comments per (bin after the post, kind), the bin's name and the axis unit.

    Regular bins cover every comment, unless the last ones come far later than the first 90%
    (three times as long after the post): those share a last "later" bin. ``span`` (minutes)
    sets how far regular bins reach (``compare`` gives every panel the same). Empty bins are rows.
    """
    frame = frame_of(thread)
    minutes = np.maximum(frame.rows["minutes"].to_numpy(), 0.0)
    bulk = span_minutes(thread) if span is None else span
    if interval is None:
        step, name = interval_for(timedelta(minutes=max(bulk, 1.0)))
    else:
        if interval.total_seconds() <= 0:
            raise ValueError(f"interval: must be positive, got {interval}")
        step, name = interval, _name(interval)
    unit, size = _unit(step)
    width = step.total_seconds() / 60
    bins = max(1, math.ceil(bulk / width)) if bulk > 0 else 1
    if bulk == bins * width:
        bins += 1  # the last comment of the bulk sits on a boundary: it starts a new bin
    if bins > MAX_BARS:
        raise ValueError(
            f"interval: {name} bins would make {bins} bars over this discussion; "
            f"at most {MAX_BARS} (pick a wider interval)"
        )
    index = np.minimum(np.floor(minutes / width).astype(np.int64), bins)
    table = pd.crosstab(index, frame.rows["kind"].to_numpy()) if len(index) else pd.DataFrame()
    records = []
    later = bool(len(index)) and bool((index == bins).any())
    for i in range(bins + (1 if later else 0)):
        counted = table.loc[i] if i in table.index else None
        label = "later" if i == bins else f"{i * width / size:g}"
        for kind in KINDS:
            n = int(counted[kind]) if counted is not None and kind in counted else 0
            if n or kind == "top level":
                records.append(
                    {
                        "bin": label,
                        "order": i,
                        "start": i * width / size,
                        "kind": kind,
                        "kind_order": list(KINDS).index(kind),
                        "comments": n,
                    }
                )
    return pd.DataFrame.from_records(records), name, unit


def activity(
    thread: object,
    interval: timedelta | None = None,
    width: int = 560,
    height: int = 220,
    span: float | None = None,
) -> alt.Chart:
    """Bars of comments per interval, stacked by kind: top level, reply, deleted, moderated."""
    frame = frame_of(thread)
    title = "Comments over time"
    if not frame.comments:
        return missing(title, frame.thread, "no comments yet", width, height)
    if not frame.has_times:
        return missing(title, frame.thread, "no comment times recorded", width, height)
    rows, name, unit = activity_rows(frame.thread, interval, span)
    labels = list(dict.fromkeys(rows["bin"]))
    most = int(rows.groupby("order")["comments"].sum().max())
    every = max(1, math.ceil(len(labels) / 24))  # about 24 labels at most, "later" always
    shown = [b for i, b in enumerate(labels) if i % every == 0 or b == "later"]
    chart: alt.Chart = (
        alt.Chart(rows, width=width, height=height)
        .mark_bar(stroke="white", strokeWidth=0.5 if len(labels) < 120 else 0)
        .encode(
            x=alt.X(
                "bin:O",
                title=f"{unit} after the post ({name} bins)",
                sort=labels,
                scale=alt.Scale(domain=labels),
                axis=alt.Axis(labelAngle=0, values=shown),
            ),
            y=alt.Y("comments:Q", title="comments", stack=True, axis=count_axis(most)),
            color=_kind_color(),
            order=alt.Order("kind_order:Q"),
            tooltip=[
                alt.Tooltip("bin:O", title=f"from ({unit})"),
                alt.Tooltip("kind:N"),
                alt.Tooltip("comments:Q", title="comments"),
            ],
        )
        .properties(title=titled(f"Comments per {name} after the post", frame))
    )
    return chart


def cumulative_rows(thread: object) -> pd.DataFrame:
    """Comments so far at each comment's time, at most :data:`CURVE_POINTS` evenly spaced ranks
    (every comment counted, the curve exact at each point kept), from 0 at the post."""
    frame = frame_of(thread)
    minutes = np.sort(np.maximum(frame.rows["minutes"].to_numpy(), 0.0))
    n = len(minutes)
    if not n:
        empty: pd.DataFrame = pd.DataFrame({"minutes": [], "comments": []}, dtype=float)
        return empty
    keep = np.unique(np.linspace(0, n - 1, min(n, CURVE_POINTS)).round().astype(np.int64))
    curve: pd.DataFrame = pd.DataFrame(
        {
            "minutes": np.concatenate(([0.0], minutes[keep])),
            "comments": np.concatenate(([0], keep + 1)).astype(np.int64),
        }
    )
    return curve


def cumulative(
    thread: object, width: int = 560, height: int = 220, span: float | None = None
) -> alt.Chart:
    """Comments so far against the time after the post: where the discussion gathered pace.

    ``span`` (minutes) sets how far the axis reaches (``compare`` gives every panel the same).
    """
    frame = frame_of(thread)
    title = "Comments so far"
    if not frame.comments:
        return missing(title, frame.thread, "no comments yet", width, height)
    if not frame.has_times:
        return missing(title, frame.thread, "no comment times recorded", width, height)
    rows = cumulative_rows(frame.thread)
    last = float(rows["minutes"].max())
    bulk = span_minutes(frame.thread) if span is None else span
    reach = last if last <= TAIL * max(bulk, 1.0) and span is None else bulk
    step = interval_for(timedelta(minutes=max(reach, 1.0)))[0]
    unit, size = _unit(step if step < timedelta(days=1) else step * 2)
    rows["time"] = rows["minutes"] / size
    notes = []
    if reach < last:
        later = int((frame.rows["minutes"] > reach).sum())
        rows = rows[rows["minutes"] <= reach]
        notes.append(
            f"{later:,} later comment{'s' if later > 1 else ''} (up to {last / size:,.0f} {unit} "
            f"after the post) beyond the axis: {frame.comments:,} in all"
        )
    if frame.comments > CURVE_POINTS:
        notes.append(f"{len(rows) - 1} of {frame.comments:,} comments drawn as points of the curve")
    chart: alt.Chart = (
        alt.Chart(rows, width=width, height=height)
        .mark_line(interpolate="step-after", color="#4c78a8", strokeWidth=2)
        .encode(
            x=alt.X(
                "time:Q",
                title=f"{unit} after the post",
                scale=alt.Scale(nice=False, domain=[0, max(reach, 1e-9) / size]),
            ),
            y=alt.Y(
                "comments:Q", title="comments so far", axis=count_axis(int(rows["comments"].max()))
            ),
            tooltip=[
                alt.Tooltip("time:Q", title=f"{unit} after the post", format=".1f"),
                alt.Tooltip("comments:Q", title="comments so far", format=","),
            ],
        )
        .properties(title=titled(title, frame, *notes))
    )
    return chart


def _log_axis(last: float) -> alt.X:
    top = max(last, 60.0)  # at least an hour
    ticks = [(m, label) for m, label in _TICKS if m <= top]
    label_expr = " : ".join(f"datum.value === {m} ? '{label}'" for m, label in ticks) + " : ''"
    return alt.X(
        "minutes:Q",
        title="time after the post (log scale)",
        scale=alt.Scale(type="symlog", constant=10, domain=[0, top * 1.05], nice=False),
        axis=alt.Axis(values=[m for m, _ in ticks], labelExpr=label_expr, grid=True),
    )


def _depth_axis(deepest: int, title: str = "depth (1 = reply to the post)") -> alt.Y:
    return alt.Y(
        "depth:Q",
        title=title,
        scale=alt.Scale(reverse=True, nice=False, domain=[0.5, max(deepest, 1) + 0.5]),
        axis=alt.Axis(values=list(range(1, max(deepest, 1) + 1)), format="d"),
    )


def timeline_bins(thread: object) -> pd.DataFrame:
    """Comments per (time bin, depth) for a binned timeline: bins 1-2-5 apart in minutes."""
    frame = frame_of(thread)
    minutes = np.maximum(frame.rows["minutes"].to_numpy(), 0.0)
    depth = frame.rows["depth"].to_numpy()
    edges = np.asarray((0.0, *_EDGES), dtype=np.float64)
    top = float(minutes.max()) if len(minutes) else 0.0
    edges = edges[: int(np.searchsorted(edges, top, side="right")) + 1]
    which = np.clip(np.searchsorted(edges, minutes, side="right") - 1, 0, len(edges) - 2)
    counts = pd.DataFrame({"bin": which, "depth": depth}).value_counts().reset_index()
    counts.columns = pd.Index(["bin", "depth", "comments"])
    counts["minutes"] = edges[counts["bin"].to_numpy()]
    counts["minutes2"] = edges[counts["bin"].to_numpy() + 1]
    counts["depth_top"] = counts["depth"] - 0.45
    counts["depth_bottom"] = counts["depth"] + 0.45
    ordered: pd.DataFrame = counts.sort_values(["bin", "depth"]).reset_index(drop=True)
    return ordered


def _size_steps(most: int) -> list[int]:
    return sorted({0, most // 2, most}) if most > 1 else [0, 1]


def timeline(
    thread: object,
    width: int = 560,
    height: int = 220,
    until: float | None = None,
    deepest: int | None = None,
) -> alt.LayerChart:
    """Every comment at its time and depth, joined to what it answers; click one to pick it.

    Above :data:`LIMIT` comments: comments per time bin and depth, coloured by count. ``until``
    (minutes) and ``deepest`` fix the axes (``compare`` gives every panel the same).
    """
    frame = frame_of(thread)
    title = "Every comment in time"
    if not frame.comments or not frame.has_times:
        note = "no comments yet" if not frame.comments else "no comment times recorded"
        return missing_layer(title, frame.thread, note, width, height)
    rows = frame.rows
    deepest = max(int(rows["depth"].max()), deepest or 0)
    x = _log_axis(max(float(rows["minutes"].max()), until or 0.0))
    if frame.aggregated:
        bins = timeline_bins(frame.thread)
        heat = (
            alt.Chart(bins)
            .mark_rect()
            .encode(
                x=x,
                x2="minutes2:Q",
                y=alt.Y(
                    "depth_top:Q",
                    title="depth (1 = reply to the post)",
                    scale=alt.Scale(reverse=True, nice=False, domain=[0.5, deepest + 0.5]),
                    axis=alt.Axis(values=list(range(1, deepest + 1)), format="d"),
                ),
                y2="depth_bottom:Q",
                color=alt.Color(
                    "comments:Q",
                    title="comments",
                    scale=alt.Scale(type="log", scheme="blues"),
                    legend=alt.Legend(format=",d"),
                ),
                tooltip=[
                    alt.Tooltip("minutes:Q", title="from (min)", format=",.1f"),
                    alt.Tooltip("minutes2:Q", title="to (min)", format=",.1f"),
                    alt.Tooltip("depth:Q"),
                    alt.Tooltip("comments:Q", format=","),
                ],
            )
        )
        lines = note_aggregated(frame, "comments per time bin and depth")
        return alt.LayerChart(
            layer=[heat], width=width, height=height, title=titled(title, frame, *lines)
        )
    shown = rows.copy()
    thread_ = frame.thread
    shown["minutes"] = shown["minutes"].clip(lower=0).round(2)
    shown["when"] = [when_text(thread_.get(i).created_at) for i in shown["id"]]
    shown["excerpt"] = [excerpt(thread_.get(i)) for i in shown["id"]]
    shown["moderated"] = shown["kind"] == "moderated"
    parent = shown["parent"].to_numpy()
    has_parent = parent >= 0
    links = pd.DataFrame(
        {
            "id": shown["id"].to_numpy()[has_parent],
            "minutes": shown["minutes"].to_numpy()[parent[has_parent]],
            "depth": shown["depth"].to_numpy()[parent[has_parent]],
            "minutes2": shown["minutes"].to_numpy()[has_parent],
            "depth2": shown["depth"].to_numpy()[has_parent],
        }
    )
    shown = shown[
        ["id", "author", "depth", "minutes", "when", "kind", "moderated", "replies", "excerpt"]
    ]
    y = _depth_axis(deepest)
    edges = (
        alt.Chart(links)
        .mark_rule(color="#c8c8c8", strokeWidth=1)
        .encode(x=x, y=y, x2="minutes2:Q", y2="depth2:Q")
    )
    points = (
        alt.Chart(shown)
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
                legend=alt.Legend(values=_size_steps(int(shown["replies"].max())), format="d"),
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
        .add_params(pick_param())
    )
    chart = alt.LayerChart(
        layer=[edges, points], width=width, height=height, title=titled(title, frame)
    )
    linked: alt.LayerChart = chart.add_params(highlight_param())
    return linked
