"""Keeping the state a saved notebook carries current, without resending the thread per change.

A notebook saved by nbclient (``store_widget_state``) or by JupyterLab ("Save widget state")
stores the widget's model state: the ``_snapshot`` trait as sent when the widget was created,
merged with every later state update. So after each change the kernel sends one small update:
slot ``_t<n>`` holds the changed comment (or post) and ``_tn`` the number of slots, and a page
opened without a kernel folds the slots over the snapshot. When the slots outgrow the snapshot,
a fresh snapshot replaces them (so the cost per change stays proportional to the change).

What is saved is what a reader may see (:func:`~threadwidget.models.published_comment`) unless
the author asks for everything (``notebook_state="full"``). Its epoch is never a live one, so a
live view always asks the kernel for the whole thread it may see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import ops
from .models import Comment, published_comment
from .wire import snapshot_value, wire_comment, wire_post

__all__ = ["SNAPSHOT_LIMIT", "SavedState"]

#: Above this estimated size the ``_snapshot`` trait leaves comments out; views fetch them in parts.
SNAPSHOT_LIMIT = 4 * 1024 * 1024
#: Slots always allowed before a fresh snapshot replaces them (bytes).
MIN_TAIL = 64 * 1024

SendState = Callable[[dict[str, Any]], None]


class SavedState:
    """The saved-state slots of one widget (see the module docstring)."""

    def __init__(self, send: SendState, *, full: bool = False) -> None:
        self._send = send
        self.full = full
        self._slots = 0
        self._tail_bytes = 0
        self._snapshot_bytes = 0

    def _comment(self, comment: Comment) -> dict[str, Any]:
        return wire_comment(comment if self.full else published_comment(comment))

    def snapshot(self, state: ops.ThreadState, epoch: str) -> dict[str, Any]:
        """The ``_snapshot`` value for the current state (engine lock held)."""
        estimate = sum(len(c.body) + 250 for c in state)
        complete = estimate <= SNAPSHOT_LIMIT
        comments = list(state) if complete else []
        if not self.full:
            comments = [published_comment(c) for c in comments]
        value = snapshot_value(
            state.post, comments, epoch=f"{epoch}:saved", seq=state.seq, complete=complete
        )
        self._snapshot_bytes = estimate
        return value

    def restart(self) -> None:
        """Forget the slots (a new snapshot is going out with ``_tn`` reset)."""
        self._slots = 0
        self._tail_bytes = 0

    def record(self, event: ops.Event, state: ops.ThreadState, epoch: str) -> None:
        """Send the slot for one applied event (engine lock held)."""
        comment_id = event.comment.id if isinstance(event, ops.AddEvent) else event.id
        if comment_id is None:
            entry: dict[str, Any] = {"post": wire_post(state.post)}
        elif comment_id in state.comments:
            entry = {"comment": self._comment(state.comments[comment_id])}
        else:  # pragma: no cover - every event names a comment it keeps
            return
        size = len(json.dumps(entry, separators=(",", ":")))
        if self._tail_bytes + size > max(MIN_TAIL, self._snapshot_bytes):
            cleared = {f"_t{n}": None for n in range(self._slots)}
            self.restart()
            self._send({**cleared, "_tn": 0, "_snapshot": self.snapshot(state, epoch)})
            return
        self._send({f"_t{self._slots}": entry, "_tn": self._slots + 1})
        self._slots += 1
        self._tail_bytes += size
