"""How deep replies go and how long they take: two histograms, side by side in ``distributions``."""

from __future__ import annotations

from collections import Counter

import altair as alt

from ..analysis.measures import as_thread
from ._data import Row, comment_rows, inline, titled

__all__ = ["REPLY_BINS", "depths", "distributions", "reply_time_rows", "reply_times"]

#: Reply-time bins (upper bound in minutes, label): roughly tenfold steps a reader knows.
REPLY_BINS = (
    (1.0, "< 1 min"),
    (10.0, "1-10 min"),
    (60.0, "10-60 min"),
    (360.0, "1-6 h"),
    (1440.0, "6-24 h"),
    (10080.0, "1-7 d"),
    (float("inf"), "> 7 d"),
)


def depths(thread: object, width: int = 260, height: int = 200) -> alt.Chart:
    """Comments at each depth (0 = answers the post), every comment counted."""
    tree = as_thread(thread)
    counts = Counter(row["depth"] for row in comment_rows(tree))
    top = max(counts, default=0)
    rows = [{"depth": d, "comments": counts.get(d, 0)} for d in range(top + 1)] if counts else []
    chart: alt.Chart = (
        alt.Chart(inline(rows), width=width, height=height)
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("depth:O", title="depth (0 = answers the post)", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("comments:Q", title="comments", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[alt.Tooltip("depth:O"), alt.Tooltip("comments:Q")],
        )
        .properties(title=titled("How deep replies go", tree))
    )
    return chart


def reply_time_rows(thread: object) -> list[Row]:
    """Replies per time bin (time from the comment answered to the reply), every bin a row."""
    gaps = [
        r["reply_minutes"]
        for r in comment_rows(as_thread(thread))
        if r["reply_minutes"] is not None
    ]
    counts = Counter(_bin(max(0.0, gap)) for gap in gaps)
    return [
        {"bin": label, "order": i, "replies": counts.get(label, 0)}
        for i, (_, label) in enumerate(REPLY_BINS)
    ]


def _bin(minutes: float) -> str:
    for upper, label in REPLY_BINS:
        if minutes < upper:
            return label
    return REPLY_BINS[-1][1]  # pragma: no cover - the last bound is infinite


def reply_times(thread: object, width: int = 260, height: int = 200) -> alt.Chart:
    """Replies by how long after the comment they answer they came (tenfold time bins)."""
    tree = as_thread(thread)
    rows = reply_time_rows(tree)
    labels = [label for _, label in REPLY_BINS]
    chart: alt.Chart = (
        alt.Chart(inline(rows), width=width, height=height)
        .mark_bar(color="#72b7b2")
        .encode(
            x=alt.X(
                "bin:O",
                title="time to reply",
                sort=labels,
                scale=alt.Scale(domain=labels),
                axis=alt.Axis(labelAngle=-30),
            ),
            y=alt.Y("replies:Q", title="replies", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[alt.Tooltip("bin:O", title="time to reply"), alt.Tooltip("replies:Q")],
        )
        .properties(title=titled("How fast replies come", tree))
    )
    return chart


def distributions(thread: object) -> alt.HConcatChart:
    """Depth and reply-time histograms side by side."""
    chart: alt.HConcatChart = alt.hconcat(depths(thread), reply_times(thread))
    resolved: alt.HConcatChart = chart.resolve_scale(y="independent")
    return resolved
