"""What the kernel sends to its views, coalesced: a burst of changes is a few messages.

Every applied event is one ``event`` message and one saved-state update (``saved_state.py``). A
loop of 20,000 Python calls would send 40,000 messages: more than Jupyter's IOPub rate limit lets
through (the tail is dropped, the page stays behind) and more than nbclient can read before its
``iopub_timeout`` (the saved notebook misses changes and the cell's output). So events and
saved-state updates wait here for at most :data:`BATCH_SECONDS`: the first after a quiet moment
goes out at once, the ones after it in one ``events`` message and one merged state update per
batch; an event answering a page's request goes out at once (with what waits before it). Any
other message to the views (an answer, a reject, a focus) sends what waits first, so the order
views see is the order things happened; a batch left when a cell ends goes out before the cell's
reply (IPython's ``post_execute``), so nbclient keeps it.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from .messages import catchup_entry, event_message, events_message

__all__ = ["BATCH_SECONDS", "Outbox"]

#: The longest an event or a state update waits to be sent with others (seconds).
BATCH_SECONDS = 0.01

Send = Callable[[dict[str, Any]], None]

_OUTBOXES: weakref.WeakSet[Outbox] = weakref.WeakSet()
_HOOKED = False


def _flush_all(*_args: object) -> None:
    """IPython's ``post_execute``: what a cell's changes left waiting goes out before its reply."""
    for box in list(_OUTBOXES):
        box.flush()


def _hook_cells() -> None:
    """Register :func:`_flush_all` with IPython once per process (nothing outside IPython)."""
    global _HOOKED
    if _HOOKED:
        return
    try:
        from IPython.core.getipython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()  # type: ignore[no-untyped-call]
    if shell is None:
        return
    shell.events.register("post_execute", _flush_all)
    _HOOKED = True


class Outbox:
    """Coalesces one widget's events and saved-state updates (see the module docstring).

    ``send`` delivers a message to the views, ``send_state`` a state update; ``window`` is the
    batching time (0: every event and update goes out at once, as its own message).
    """

    def __init__(self, send: Send, send_state: Send, window: float | None = None) -> None:
        self._send = send
        self._send_state = send_state
        self.window = BATCH_SECONDS if window is None else window
        self._lock = threading.RLock()
        self._epoch = ""
        self._events: list[dict[str, Any]] = []
        self._state: dict[str, Any] = {}
        self._opened = 0.0  # when the waiting batch started
        self._last = -1.0  # when something last went out
        self._timer: threading.Timer | None = None
        _OUTBOXES.add(self)
        _hook_cells()

    def event(self, epoch: str, seq: int, rid: str | None, wire: Mapping[str, Any]) -> None:
        """An applied event for every view (``wire``: a
        :func:`~threadwidget.page.messages.wire_event`)."""
        with self._lock:
            if self._events and epoch != self._epoch:
                self._flush()
            self._epoch = epoch
            self._events.append(catchup_entry(seq, rid, wire))
            if rid is not None:
                self._flush()  # a page's request is acknowledged at once (pages are rate-limited)
            else:
                self._settle()

    def state(self, update: Mapping[str, Any]) -> None:
        """A saved-state update; updates in one batch are merged (later keys win)."""
        with self._lock:
            self._state.update(update)
            self._settle()

    def send(self, message: dict[str, Any]) -> None:
        """Any other message to the views: what waits goes first."""
        with self._lock:
            self._flush()
            self._send(message)

    def flush(self) -> None:
        """Send what waits now."""
        with self._lock:
            self._flush()

    def close(self) -> None:
        """Send what waits; no timer stays."""
        self.flush()
        _OUTBOXES.discard(self)

    # ---- inside the lock ------------------------------------------------------------------------

    def _settle(self) -> None:
        if self.window <= 0:
            self._flush()
            return
        now = time.monotonic()
        if self._timer is None:
            if now - self._last >= self.window:
                self._flush()  # the first change after a quiet moment goes at once
                return
            self._opened = now
            self._timer = threading.Timer(self.window, self.flush)
            self._timer.daemon = True
            self._timer.start()
        elif now - self._opened >= self.window:
            self._flush()

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        events, state = self._events, self._state
        self._events, self._state = [], {}
        if events:
            if len(events) == 1:
                e = events[0]
                self._send(event_message(self._epoch, e["seq"], e["rid"], e["event"]))
            else:
                self._send(events_message(self._epoch, events))
        if state:
            self._send_state(state)
        if events or state:
            self._last = time.monotonic()
