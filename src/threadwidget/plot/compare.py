"""The same chart for several threads side by side, each panel named."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt

from ..analysis.measures import as_thread
from ._data import highlight_param
from .activity import activity, timeline
from .distributions import depths, reply_times
from .network import network
from .participation import lorenz, top_authors
from .tree import tree

__all__ = ["CHARTS", "compare"]

#: Panel sizes ``compare`` uses unless given (for charts that take them).
PANEL_SIZE = {"width": 320, "size": 280}
#: Charts ``compare`` knows by name.
CHARTS: dict[str, Callable[..., Any]] = {
    "activity": activity,
    "timeline": timeline,
    "tree": tree,
    "depths": depths,
    "reply_times": reply_times,
    "lorenz": lorenz,
    "top_authors": top_authors,
    "network": network,
}


def _drop_params(spec: Any) -> Any:
    """The chart without its params: panels' selections and highlights would clash by name."""
    chart = spec.copy(deep=True)
    for part in (chart, *getattr(chart, "layer", [])):
        if getattr(part, "params", alt.Undefined) is not alt.Undefined:
            part.params = alt.Undefined
    return chart


def compare(
    threads: Sequence[object],
    chart: str | Callable[..., Any] = "activity",
    names: Sequence[str] | None = None,
    columns: int = 3,
    **options: Any,
) -> alt.ConcatChart:
    """``chart`` (a name in ``CHARTS`` or a function of a thread) for each thread, in a grid."""
    if isinstance(chart, str) and chart not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}; one of {sorted(CHARTS)} or a function")
    make = CHARTS[chart] if isinstance(chart, str) else chart
    sources = [as_thread(t) for t in threads]
    if names is not None and len(names) != len(sources):
        raise ValueError(f"{len(names)} names for {len(sources)} threads")
    labels = list(names) if names is not None else [t.post.title or t.post.id for t in sources]
    params = inspect.signature(make).parameters
    for key, value in PANEL_SIZE.items():
        if key in params:
            options.setdefault(key, value)
    panels = []
    for thread, label in zip(sources, labels, strict=True):
        panel = _drop_params(make(thread, **options))
        title = panel.title if panel.title is not alt.Undefined else alt.TitleParams("")
        note = thread.completeness.text()  # each panel says if its thread is incomplete
        lines = [title.text, note] if note else [title.text]
        panels.append(panel.properties(title=alt.TitleParams(label, subtitle=lines)))
    combined = alt.concat(*panels, columns=columns).resolve_scale(
        x="independent", y="independent", color="independent", size="independent"
    )
    with_highlight: alt.ConcatChart = combined.add_params(highlight_param())
    return with_highlight  # one highlight for every panel
