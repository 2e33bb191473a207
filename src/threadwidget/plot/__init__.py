"""Charts of a discussion (Altair / Vega-Lite), each a function of a Thread or a ThreadWidget."""

from __future__ import annotations

try:
    import altair  # noqa: F401
except ImportError:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "threadwidget.plot needs altair and vl-convert-python: pip install 'threadwidget[plot]'"
    ) from None

from typing import TYPE_CHECKING, Any

from .activity import activity, cumulative, timeline
from .compare import compare
from .distributions import depths, distributions, reply_times
from .export import save, to_png, to_svg
from .network import network
from .participation import exchanges, lorenz, participation, replies_per_author, top_authors
from .study import variants
from .tree import radial_tree, tree

if TYPE_CHECKING:
    from .linking import ThreadChart, link

__all__ = [
    "ThreadChart",
    "activity",
    "compare",
    "cumulative",
    "depths",
    "distributions",
    "exchanges",
    "link",
    "lorenz",
    "network",
    "participation",
    "radial_tree",
    "replies_per_author",
    "reply_times",
    "save",
    "timeline",
    "to_png",
    "to_svg",
    "top_authors",
    "tree",
    "variants",
]


def __getattr__(name: str) -> Any:
    # The widget side (anywidget, altair.jupyter) loads on first use, like threadwidget's own.
    if name in ("ThreadChart", "link"):
        from . import linking

        return getattr(linking, name)
    raise AttributeError(f"module 'threadwidget.plot' has no attribute {name!r}")
