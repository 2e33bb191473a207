"""The same chart for several threads side by side: one title, each panel named, and the axes
that can be compared shared (time bins, depths, counts)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import altair as alt

from ..analysis.measures_table import thread_names
from ._data import highlight_param
from ._frame import frame_of
from .activity import activity, cumulative, interval_for, span_minutes, timeline
from .distributions import depths, reply_times
from .network import network
from .participation import exchanges, lorenz, replies_per_author, top_authors
from .tree import radial_tree, tree

__all__ = ["CHARTS", "SHARED", "compare"]

#: Panel sizes ``compare`` uses unless given (for charts that take them).
PANEL_SIZE = {"width": 320, "size": 280}
#: Charts ``compare`` knows by name.
CHARTS: dict[str, Callable[..., Any]] = {
    "activity": activity,
    "cumulative": cumulative,
    "timeline": timeline,
    "tree": tree,
    "radial_tree": radial_tree,
    "depths": depths,
    "reply_times": reply_times,
    "lorenz": lorenz,
    "top_authors": top_authors,
    "replies_per_author": replies_per_author,
    "exchanges": exchanges,
    "network": network,
}
#: Scales the panels of each chart share (the others, names and colours, stay each panel's).
SHARED: dict[str, dict[str, str]] = {
    "activity": {"x": "shared", "y": "shared"},
    "cumulative": {"x": "shared", "y": "shared"},
    "timeline": {"x": "shared", "y": "shared"},
    "tree": {"y": "shared"},
    "radial_tree": {},
    "depths": {"x": "shared", "y": "shared"},
    "reply_times": {"x": "shared", "y": "shared"},
    "lorenz": {"x": "shared", "y": "shared"},
    "top_authors": {"x": "shared"},
    "replies_per_author": {"x": "shared"},
    "exchanges": {"x": "shared"},
    "network": {"size": "shared"},
}
_CHANNELS = ("x", "y", "color", "size", "shape", "opacity")


def _drop_params(spec: Any) -> Any:
    """The chart without its params: panels' selections and highlights would clash by name."""
    chart = spec.copy(deep=True)
    for part in (chart, *getattr(chart, "layer", [])):
        if getattr(part, "params", alt.Undefined) is not alt.Undefined:
            part.params = alt.Undefined
    return chart


def _common(name: str, threads: Sequence[Any], options: dict[str, Any]) -> dict[str, Any]:
    """Options that put every panel on the same bins and axes."""
    frames = [frame_of(t) for t in threads]
    deepest = max((int(f.rows["depth"].max()) for f in frames if f.comments), default=1)
    if name == "activity":
        span = max(span_minutes(t) for t in threads)
        interval = options.get("interval") or interval_for(timedelta(minutes=max(span, 1.0)))[0]
        return {"span": span, "interval": interval}
    if name == "cumulative":
        return {"span": max(span_minutes(t) for t in threads)}
    if name == "timeline":
        last = max((float(f.rows["minutes"].max()) for f in frames if f.comments), default=60.0)
        return {"until": last, "deepest": deepest}
    if name in ("tree", "radial_tree", "depths"):
        return {"deepest": deepest}
    return {}


def _notes(panel: Any) -> list[str]:
    """A panel's notes: its subtitle lines after the post's title."""
    title = panel.title if panel.title is not alt.Undefined else alt.TitleParams("")
    subtitle = getattr(title, "subtitle", alt.Undefined)
    return [str(line) for line in subtitle][1:] if isinstance(subtitle, list) else []


def _chart_title(panel: Any) -> str:
    title = panel.title
    text = getattr(title, "text", title)
    return str(text) if isinstance(text, str) else ""


def _same_bins(panels: list[Any]) -> None:
    """Every activity panel on the union of the panels' bins (one has "later", another not)."""
    bins: list[str] = []
    ticks: list[str] = []
    xs = []
    for panel in panels:
        x = getattr(getattr(panel, "encoding", alt.Undefined), "x", alt.Undefined)
        if not isinstance(x, alt.X):
            return  # a panel that says what is missing: nothing to line up
        xs.append(x)
        bins += [b for b in x["scale"]["domain"] if b not in bins]
        ticks += [t for t in x["axis"]["values"] if t not in ticks]
    order = sorted((b for b in bins if b != "later"), key=float)
    union = order + (["later"] if "later" in bins else [])
    for x in xs:
        x["scale"]["domain"] = union
        x["sort"] = union
        x["axis"]["values"] = [t for t in union if t in ticks]


def compare(
    threads: Sequence[object],
    chart: str | Callable[..., Any] = "activity",
    names: Sequence[str] | None = None,
    columns: int = 3,
    shared: bool = True,
    **options: Any,
) -> alt.ConcatChart:
    """``chart`` (a name in ``CHARTS`` or a function of a thread) for each thread, in a grid.

    Named charts share bins and the scales in :data:`SHARED` (``shared=False``: each panel its
    own); the chart's title is said once, each panel is titled with its thread's name.
    """
    if isinstance(chart, str) and chart not in CHARTS:
        raise ValueError(f"chart: unknown chart {chart!r}; one of {sorted(CHARTS)} or a function")
    make = CHARTS[chart] if isinstance(chart, str) else chart
    sources = list(threads)
    labels = thread_names(sources, names)
    params = inspect.signature(make).parameters
    for key, value in PANEL_SIZE.items():
        if key in params:
            options.setdefault(key, value)
    if isinstance(chart, str) and shared:
        for key, value in _common(chart, sources, options).items():
            if key in params:
                options.setdefault(key, value)
    drawn = [_drop_params(make(thread, **options)) for thread in sources]
    heading = next((_chart_title(p) for p in drawn if _chart_title(p)), "")
    notes = [_notes(p) for p in drawn]
    common = [line for line in notes[0] if all(line in n for n in notes)] if notes else []
    # the chart's title and the notes every panel shares are said once, above the grid
    panels = [
        panel.properties(
            title=alt.TitleParams(
                label, subtitle=[n for n in lines if n not in common], fontSize=12
            )
        )
        for panel, label, lines in zip(drawn, labels, notes, strict=True)
    ]
    if chart == "activity" and shared:
        _same_bins(panels)
    resolve: dict[str, Any] = {channel: "independent" for channel in _CHANNELS}
    if isinstance(chart, str) and shared:
        resolve.update(SHARED[chart])
    if shared and isinstance(chart, str) and SHARED[chart]:
        common.append("axes shared")
    combined = alt.concat(
        *panels,
        columns=columns,
        title=alt.TitleParams(heading, subtitle=common, anchor="start"),
    ).resolve_scale(**resolve)
    with_highlight: alt.ConcatChart = combined.add_params(highlight_param())
    return with_highlight  # one highlight for every panel
