"""threadwidget: a post and its threaded comments as a live Jupyter widget.

Python holds the one authoritative thread; every change is an operation applied by
:func:`threadwidget.ops.apply` and broadcast to every view.
"""

from importlib.metadata import PackageNotFoundError, version

from .formats import ThreadFileError, read_thread, write_thread
from .models import FORMAT_VERSION, MAX_BODY_CHARS, Comment, Image, Post, Thread
from .ops import Context, Event, Operation, OperationRejected, ThreadState, apply
from .widget import CallbackError, ThreadWidget

try:
    __version__ = version("threadwidget")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "FORMAT_VERSION",
    "MAX_BODY_CHARS",
    "CallbackError",
    "Comment",
    "Context",
    "Event",
    "Image",
    "Operation",
    "OperationRejected",
    "Post",
    "Thread",
    "ThreadFileError",
    "ThreadState",
    "ThreadWidget",
    "__version__",
    "apply",
    "read_thread",
    "write_thread",
]
