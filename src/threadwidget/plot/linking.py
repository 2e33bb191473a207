"""A chart and a ThreadWidget sharing one selection: click a mark to focus its comment, and back.

:class:`ThreadChart` is an ``altair.JupyterChart`` with a ``selected`` trait (a comment id or
None). A click on a mark of a linkable chart (``timeline``, ``tree``) sets it, from the chart's
``pick`` selection; setting it highlights that comment's mark through the chart's ``highlight``
param. :func:`link` ties it to a widget's ``selected`` trait with ``traitlets.link``.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import traitlets
from altair.utils.selection import PointSelection

from ._data import HIGHLIGHT, PICK

__all__ = ["ThreadChart", "link"]


class ThreadChart(alt.JupyterChart):
    """A chart widget whose ``selected`` is the id of the comment picked or highlighted in it."""

    selected = traitlets.Unicode(None, allow_none=True)

    def __init__(self, chart: alt.TopLevelSpec, offline: bool = True, **kwargs: Any) -> None:
        if offline:
            # vl-convert bundles Vega into the widget: nothing is fetched from a CDN.
            alt.JupyterChart.enable_offline()
        super().__init__(chart, **kwargs)
        self.links: list[traitlets.link] = []
        self.observe(self._picked, names="_vl_selections")
        self.observe(self._highlight, names="selected")

    def _picked(self, change: dict[str, Any]) -> None:
        state = (change["new"] or {}).get(PICK)
        if not state or not state.get("value"):
            return
        picked = PointSelection.from_vega(PICK, signal=state["value"], store=state["store"])
        ids = [point.get("id") for point in picked.value if isinstance(point.get("id"), str)]
        if not ids:
            return
        # Forget the click on the page's model, so the next click on the same mark (after the
        # widget selected another comment) is a change that reaches Python again.
        self._vl_selections = {**change["new"], PICK: {"value": None, "store": []}}
        self.selected = ids[-1]

    def _highlight(self, change: dict[str, Any]) -> None:
        if HIGHLIGHT in self.params.traits():
            setattr(self.params, HIGHLIGHT, change["new"] or "")

    def unlink(self) -> None:
        """Stop following every widget this chart was linked to."""
        for each in self.links:
            each.unlink()
        self.links.clear()


def link(widget: traitlets.HasTraits, chart: alt.TopLevelSpec | ThreadChart) -> ThreadChart:
    """Show ``chart`` as a :class:`ThreadChart` whose selection follows ``widget.selected``.

    ``widget`` is a ThreadWidget (or any HasTraits with a ``selected`` Unicode trait holding a
    comment id or None). Returns the chart widget to display; link several charts to one widget.
    """
    if not widget.has_trait("selected"):
        raise TypeError(
            f"{type(widget).__name__} has no 'selected' trait to link a chart to "
            "(a ThreadWidget has one: the id of the comment selected in the page)"
        )
    view = chart if isinstance(chart, ThreadChart) else ThreadChart(chart)
    view.links.append(traitlets.link((widget, "selected"), (view, "selected")))
    return view
