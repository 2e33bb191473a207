"""What every chart shares: titles with notes, count axes, the note when it aggregates, and a
chart that says what is missing instead of drawing zeros."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ..core.models import Thread
from ._data import post_title, subtitle
from ._frame import LIMIT, ThreadFrame

__all__ = [
    "count_axis",
    "missing",
    "missing_layer",
    "note_aggregated",
    "side_by_side",
    "titled",
]


def titled(title: str, frame: ThreadFrame, *notes: str) -> alt.TitleParams:
    """A chart title; below it the post's title, ``incomplete: N replies not loaded`` when the
    thread lacks replies, and any notes (aggregation, missing data)."""
    return alt.TitleParams(title, subtitle=[*subtitle(frame.thread), *[n for n in notes if n]])


#: A tick, grid line or label at a fraction of a count is hidden (Vega may place them at 0.5).
_WHOLE = "datum.value % 1 !== 0"


def count_axis(most: int | None = None) -> alt.Axis:
    """An axis of whole counts: labels, ticks and grid lines only at whole numbers (never
    "0, 1, 1, 2, 2"), whatever scale a panel shares; ``most`` is accepted for symmetry."""
    hidden = {"condition": {"test": _WHOLE, "value": 0}, "value": 1}
    return alt.Axis(
        format=",d",
        tickMinStep=1,
        labelExpr=f"{_WHOLE} ? '' : datum.label",
        tickOpacity=hidden,
        gridOpacity=hidden,
    )


def note_aggregated(frame: ThreadFrame, *what: str) -> list[str]:
    """Subtitle lines saying the chart aggregates and how, or none when it draws every comment."""
    if not frame.aggregated:
        return []
    head = f"aggregated: {frame.comments:,} comments (above {LIMIT:,}): " + what[0]
    return [head, *what[1:]]


def _message(message: str, width: int, height: int) -> alt.Chart:
    chart: alt.Chart = (
        alt.Chart(pd.DataFrame({"message": [message]}))
        .mark_text(fontSize=13, color="#666666", limit=max(width - 10, 40))
        .encode(text="message:N", x=alt.value(width / 2), y=alt.value(height / 2))
    )
    return chart


def missing(title: str, thread: Thread, message: str, width: int, height: int) -> alt.Chart:
    """A chart that says ``message`` (no comments, no times) where the marks would be."""
    chart: alt.Chart = _message(message, width, height).properties(
        width=width,
        height=height,
        title=alt.TitleParams(title, subtitle=[*subtitle(thread), message]),
    )
    return chart


def missing_layer(
    title: str, thread: Thread, message: str, width: int, height: int
) -> alt.LayerChart:
    """:func:`missing` as a layer chart, for charts that are layers when drawn."""
    return alt.LayerChart(
        layer=[_message(message, width, height)],
        width=width,
        height=height,
        title=alt.TitleParams(title, subtitle=[*subtitle(thread), message]),
    )


def side_by_side(thread: Thread, *charts: Any) -> alt.HConcatChart:
    """Charts of one thread next to each other, the post's title said once above them."""
    panels = []
    for chart in charts:
        title = chart.title
        subtitle = getattr(title, "subtitle", alt.Undefined)
        lines = list(subtitle)[1:] if isinstance(subtitle, list) else []
        panels.append(chart.properties(title=alt.TitleParams(title.text, subtitle=lines)))
    joined: alt.HConcatChart = alt.hconcat(
        *panels, title=alt.TitleParams(post_title(thread), anchor="start", fontSize=13)
    )
    return joined
