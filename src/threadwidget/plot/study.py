"""An interface study's variants compared (docs/studies.md, "Analysis of a study"): one panel per
measure, a bar per variant (the mean, or the median for time to first reply) over each
participant's dot."""

from __future__ import annotations

from typing import Any

import altair as alt

__all__ = ["MEASURES", "variants"]

#: The panels: column of ``participant_measures``, title, how the bar sums the participants.
MEASURES = (
    ("seconds_to_first_reply", "Seconds to first reply", "median"),
    ("replies", "Replies per participant", "mean"),
    ("depth_reached", "Depth reached", "mean"),
    ("read_before_reply", "Share read before replying", "mean"),
)


def variants(participants: Any, *, width: int = 160, height: int = 160) -> alt.HConcatChart:
    """Compare variants from ``threadwidget.analysis.study.participant_measures`` (a DataFrame:
    one row per participant, with ``variant`` and the measures)."""
    data = participants[["user", "variant", *(m for m, _, _ in MEASURES)]].copy()
    data["variant"] = data["variant"].fillna("(none)").astype(str)
    panels = []
    for column, title, how in MEASURES:
        base = alt.Chart(data, title=title).encode(
            x=alt.X("variant:N", title=None, sort="ascending"),
            color=alt.Color("variant:N", legend=None),
        )
        bars = base.mark_bar(opacity=0.55).encode(
            y=alt.Y(f"{how}({column}):Q", title=f"{how} per variant"),
            tooltip=["variant:N", alt.Tooltip(f"{how}({column}):Q", format=".2f")],
        )
        dots = base.mark_circle(size=30, opacity=0.5).encode(
            y=alt.Y(f"{column}:Q"),
            color=alt.value("black"),
            tooltip=["user:N", "variant:N", alt.Tooltip(f"{column}:Q", format=".2f")],
        )
        panels.append((bars + dots).properties(width=width, height=height))
    chart: alt.HConcatChart = alt.hconcat(*panels).properties(
        title=alt.TitleParams("Variants compared", subtitle="bars: per variant; dots: participants")
    )
    return chart
