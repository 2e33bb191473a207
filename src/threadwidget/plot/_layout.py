"""What every chart shares: titles with notes, count axes, the note when it aggregates, and a
chart that says what is missing instead of drawing zeros."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..core.models import Thread
from ._data import post_title
from ._frame import LIMIT, ThreadFrame

__all__ = ["count_axis", "missing", "note_aggregated", "titled"]


def titled(title: str, frame: ThreadFrame, *notes: str) -> alt.TitleParams:
    """A chart title, the post's title and any notes (aggregation, missing data) below it."""
    return alt.TitleParams(title, subtitle=[post_title(frame.thread), *[n for n in notes if n]])


def count_axis(most: int | None = None) -> alt.Axis:
    """An axis of whole counts up to ``most``: every whole number up to 10, above that ticks
    at least 1 apart; never "0.5" shown as "1"."""
    if most is not None and most <= 10:
        return alt.Axis(values=list(range(0, max(most, 1) + 1)), format=",d")
    return alt.Axis(tickMinStep=1, format=",d")


def note_aggregated(frame: ThreadFrame, *what: str) -> list[str]:
    """Subtitle lines saying the chart aggregates and how, or none when it draws every comment."""
    if not frame.aggregated:
        return []
    head = f"aggregated: {frame.comments:,} comments (above {LIMIT:,}): " + what[0]
    return [head, *what[1:]]


def missing(title: str, thread: Thread, message: str, width: int, height: int) -> alt.Chart:
    """A chart that says ``message`` (no comments, no times) where the marks would be."""
    chart: alt.Chart = (
        alt.Chart(pd.DataFrame({"message": [message]}), width=width, height=height)
        .mark_text(fontSize=14, color="#666666")
        .encode(text="message:N")
        .properties(title=alt.TitleParams(title, subtitle=[post_title(thread), message]))
    )
    return chart
