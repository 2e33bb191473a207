"""threadwidget: a post and its threaded comments as a live Jupyter widget.

Every change is an operation: :meth:`threadwidget.core.engine.Engine.submit` decides it with
:func:`threadwidget.core.rules.check`, stores the event and tells every view (docs/architecture.md).
The widget (and so anywidget and ipywidgets) is imported on first use, so the command line and the
file formats start fast.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .analysis.anonymize import AnonymizationKey
from .analysis.stats import ThreadStats
from .core.models import (
    FORMAT_VERSION,
    MAX_BODY_CHARS,
    Comment,
    Completeness,
    Gap,
    Image,
    Post,
    Thread,
)
from .core.operations import Event, Operation
from .core.rules import Context, OperationRejected, ThreadState, apply
from .formats import (
    LoadReport,
    ThreadFileError,
    ThreadLoadWarning,
    load,
    read_thread,
    save,
    write_thread,
)

if TYPE_CHECKING:
    from .analysis.measures_table import measures_table
    from .page.presets import Preset, register_preset
    from .sources import (
        DeadlineError,
        FetchError,
        FetchWarning,
        NoAnswerError,
        NotFoundError,
        OfflineError,
        PrivateError,
        RateLimitedError,
        ResponseTooLargeError,
        RetryAfterTooLongError,
        ServerError,
        TokenRequiredError,
        UnexpectedAnswerError,
        UnsupportedURLError,
        clear_cache,
        fetch,
    )
    from .sources.follow import follow
    from .widget.thread_widget import ThreadWidget

try:
    __version__ = version("threadwidget")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "FORMAT_VERSION",
    "MAX_BODY_CHARS",
    "AnonymizationKey",
    "Comment",
    "Completeness",
    "Context",
    "DeadlineError",
    "Event",
    "FetchError",
    "FetchWarning",
    "Gap",
    "Image",
    "LoadReport",
    "NoAnswerError",
    "NotFoundError",
    "OfflineError",
    "Operation",
    "OperationRejected",
    "Post",
    "Preset",
    "PrivateError",
    "RateLimitedError",
    "ResponseTooLargeError",
    "RetryAfterTooLongError",
    "ServerError",
    "Thread",
    "ThreadFileError",
    "ThreadLoadWarning",
    "ThreadState",
    "ThreadStats",
    "ThreadWidget",
    "TokenRequiredError",
    "UnexpectedAnswerError",
    "UnsupportedURLError",
    "__version__",
    "apply",
    "clear_cache",
    "fetch",
    "follow",
    "load",
    "measures_table",
    "read_thread",
    "register_preset",
    "save",
    "write_thread",
]

_LAZY = {"ThreadWidget"}
#: fetching names, imported on first use (httpx is imported only when fetching)
_FETCH_LAZY = {
    "fetch",
    "follow",
    "clear_cache",
    *[
        "DeadlineError",
        "FetchError",
        "FetchWarning",
        "NoAnswerError",
        "NotFoundError",
        "OfflineError",
        "PrivateError",
        "RateLimitedError",
        "ResponseTooLargeError",
        "RetryAfterTooLongError",
        "ServerError",
        "TokenRequiredError",
        "UnexpectedAnswerError",
        "UnsupportedURLError",
    ],
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from .widget import thread_widget

        return getattr(thread_widget, name)
    if name in ("Preset", "register_preset"):
        from .page import presets

        return getattr(presets, name)
    if name == "measures_table":  # pandas and numpy load on first use
        from .analysis.measures_table import measures_table

        return measures_table
    if name in _FETCH_LAZY:  # httpx is imported only when fetching
        from . import sources
        from .sources import follow as following

        return following.follow if name == "follow" else getattr(sources, name)
    raise AttributeError(f"module 'threadwidget' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
