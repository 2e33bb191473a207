"""How deep replies go and how long they take: two histograms, side by side in ``distributions``."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ._frame import frame_of
from ._layout import count_axis, missing, missing_layer, side_by_side, titled

__all__ = ["REPLY_BINS", "depth_rows", "depths", "distributions", "reply_time_rows", "reply_times"]

#: Reply-time bins, tenfold in minutes (upper bound, label): 1, 10, 100, 1,000, 10,000, 100,000.
REPLY_BINS = (
    (1.0, "< 1 min"),
    (10.0, "1-10 min"),
    (100.0, "10-100 min"),
    (1000.0, "1.7-17 h"),
    (10000.0, "17 h-7 d"),
    (100000.0, "7-69 d"),
    (float("inf"), "> 69 d"),
)


def depth_rows(thread: object, deepest: int | None = None) -> pd.DataFrame:
    """Comments at each depth (1 = reply to the post), every comment counted; ``deepest`` pads
    the table with empty depths (``compare`` gives every panel the same)."""
    depth = frame_of(thread).rows["depth"].to_numpy()
    top = max(int(depth.max()) if len(depth) else 0, deepest or 0)
    counts = np.bincount(depth, minlength=top + 1)[1:] if top else np.zeros(0, dtype=np.int64)
    table: pd.DataFrame = pd.DataFrame(
        {"depth": np.arange(1, top + 1), "comments": counts.astype(np.int64)}
    )
    return table


def depths(
    thread: object, width: int = 260, height: int = 200, deepest: int | None = None
) -> alt.LayerChart:
    """Comments at each depth, with the line "comments = depth": the h-index is the last depth
    whose bar reaches it."""
    frame = frame_of(thread)
    title = "How deep replies go"
    if not frame.comments:
        return missing_layer(title, frame.thread, "no comments yet", width, height)
    rows = depth_rows(frame.thread, deepest)
    # the h-index of measures.h_index, read off the same counts
    h = max((d for d, n in zip(rows["depth"], rows["comments"], strict=True) if n >= d), default=0)
    top = int(rows["depth"].max())
    scale = alt.Scale(domain=[0.5, top + 0.5], nice=False)
    axis = alt.Axis(values=list(range(1, top + 1)), format="d", labelOverlap="greedy")
    x = alt.X("depth:Q", title="depth (1 = reply to the post)", scale=scale, axis=axis)
    bars = (
        alt.Chart(rows.assign(left=rows["depth"] - 0.4, right=rows["depth"] + 0.4))
        .mark_rect(color="#4c78a8")
        .encode(
            x=alt.X("left:Q", title="depth (1 = reply to the post)", scale=scale, axis=axis),
            x2="right:Q",
            y=alt.Y("comments:Q", title="comments", axis=count_axis(int(rows["comments"].max()))),
            tooltip=[alt.Tooltip("depth:Q"), alt.Tooltip("comments:Q", format=",")],
        )
    )
    most = int(rows["comments"].max())
    line_top = min(top, most) + 0.5
    diagonal = pd.DataFrame({"depth": [0.5, line_top], "comments": [0.5, line_top]})
    line = (
        alt.Chart(diagonal)
        .mark_line(color="#e45756", strokeDash=[4, 3])
        .encode(x=x, y=alt.Y("comments:Q"))
    )
    return alt.LayerChart(
        layer=[bars, line],
        width=width,
        height=height,
        title=titled(title, frame, f"h-index {h}: the last depth whose bar reaches the red line"),
    )


def reply_time_rows(thread: object) -> pd.DataFrame:
    """Replies per tenfold time bin (from the comment answered to the reply), replies by someone
    only, every bin a row."""
    frame = frame_of(thread)
    rows = frame.rows
    parent = rows["parent"].to_numpy()
    minutes = rows["minutes"].to_numpy()
    keep = (parent >= 0) & rows["speaks"].to_numpy()
    gaps = np.maximum(minutes[keep] - minutes[np.maximum(parent, 0)][keep], 0.0)
    uppers = np.asarray([upper for upper, _ in REPLY_BINS])
    which = np.searchsorted(uppers, gaps, side="right")
    counts = np.bincount(which, minlength=len(REPLY_BINS))[: len(REPLY_BINS)]
    table: pd.DataFrame = pd.DataFrame(
        {
            "bin": [label for _, label in REPLY_BINS],
            "order": np.arange(len(REPLY_BINS)),
            "replies": counts.astype(np.int64),
        }
    )
    return table


def reply_times(thread: object, width: int = 260, height: int = 200) -> alt.Chart:
    """Replies by how long after the comment they answer they came (tenfold time bins)."""
    frame = frame_of(thread)
    title = "How fast replies come"
    if not frame.has_times:
        note = "no comments yet" if not frame.comments else "no comment times recorded"
        return missing(title, frame.thread, note, width, height)
    rows = reply_time_rows(frame.thread)
    if not int(rows["replies"].sum()):
        return missing(title, frame.thread, "no replies between comments yet", width, height)
    labels = [label for _, label in REPLY_BINS]
    chart: alt.Chart = (
        alt.Chart(rows, width=width, height=height)
        .mark_bar(color="#72b7b2")
        .encode(
            x=alt.X(
                "bin:O",
                title="time to reply (tenfold bins)",
                sort=labels,
                scale=alt.Scale(domain=labels),
                axis=alt.Axis(labelAngle=-30),
            ),
            y=alt.Y("replies:Q", title="replies", axis=count_axis(int(rows["replies"].max()))),
            tooltip=[
                alt.Tooltip("bin:O", title="time to reply"),
                alt.Tooltip("replies:Q", format=","),
            ],
        )
        .properties(title=titled(title, frame, "bins 1, 10, 100, 1,000, 10,000 minutes apart"))
    )
    return chart


def distributions(thread: object) -> alt.HConcatChart:
    """Depth and reply-time histograms side by side."""
    source = frame_of(thread).thread
    chart = side_by_side(source, depths(source), reply_times(source))
    resolved: alt.HConcatChart = chart.resolve_scale(y="independent")
    return resolved
