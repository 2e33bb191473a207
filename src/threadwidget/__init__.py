"""threadwidget: a post and its threaded comments as a live Jupyter widget.

Python holds the one authoritative thread; every change is an operation applied by
:func:`threadwidget.ops.apply` and broadcast to every view. The widget (and so anywidget and
ipywidgets) is imported on first use, so the command line and the file formats start fast.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .analysis import ThreadStats
from .anonymize import AnonymizationKey
from .formats import (
    LoadReport,
    ThreadFileError,
    ThreadLoadWarning,
    load,
    read_thread,
    save,
    write_thread,
)
from .models import FORMAT_VERSION, MAX_BODY_CHARS, Comment, Image, Post, Thread
from .ops import Context, Event, Operation, OperationRejected, ThreadState, apply

if TYPE_CHECKING:
    from .sources import FetchError, fetch
    from .sources.follow import follow
    from .widget import CallbackError, ThreadWidget

try:
    __version__ = version("threadwidget")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "FORMAT_VERSION",
    "MAX_BODY_CHARS",
    "AnonymizationKey",
    "CallbackError",
    "Comment",
    "Context",
    "Event",
    "FetchError",
    "Image",
    "LoadReport",
    "Operation",
    "OperationRejected",
    "Post",
    "Thread",
    "ThreadFileError",
    "ThreadLoadWarning",
    "ThreadState",
    "ThreadStats",
    "ThreadWidget",
    "__version__",
    "apply",
    "fetch",
    "follow",
    "load",
    "read_thread",
    "save",
    "write_thread",
]

_LAZY = {"ThreadWidget", "CallbackError"}
_FETCH_LAZY = {"fetch", "follow", "FetchError"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import widget

        return getattr(widget, name)
    if name in _FETCH_LAZY:  # httpx is imported only when fetching
        from . import sources
        from .sources import follow as following

        return following.follow if name == "follow" else getattr(sources, name)
    raise AttributeError(f"module 'threadwidget' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
