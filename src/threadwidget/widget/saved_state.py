"""Keeping the state a saved notebook carries current, without resending the thread per change.

A notebook saved by nbclient (``store_widget_state``) or by JupyterLab ("Save widget state")
stores the widget's model state: the ``_snapshot`` trait as sent when the widget was created,
merged with every later state update. So after each change the kernel sends one small update:
slot ``_t<n>`` holds the changed comment (or post) and ``_tn`` the number of slots, and a page
opened without a kernel folds the slots over the snapshot. A comment (or the post) keeps one slot:
a later change rewrites that slot in place, so no earlier version of it stays in the saved state.
When the slots outgrow the snapshot, a fresh snapshot replaces them (so the cost per change stays
proportional to the change). A comment whose text the saved snapshot carries and which loses it
(deleted, or moderated in a published save) also gets a fresh snapshot at once: the text must
not stay in the notebook. (The snapshot may keep an edited comment's earlier text until then.)

What is saved is what a reader may see (:func:`~threadwidget.core.models.published_comment`) unless
the author asks for everything (``notebook_state="full"``). Its epoch is never a live one, so a
live view always asks the kernel for the whole thread it may see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from ..core import operations, rules
from ..core.models import Comment, Thread, gc_paused, published_comment
from ..page.first_screen import first_screen_snapshot
from ..page.messages import snapshot_value, wire_comment, wire_post

__all__ = ["SNAPSHOT_LIMIT", "SavedState"]

#: Above this estimated size the ``_snapshot`` trait leaves comments out; views fetch them in parts.
SNAPSHOT_LIMIT = 4 * 1024 * 1024
#: Slots always allowed before a fresh snapshot replaces them (bytes).
MIN_TAIL = 64 * 1024

SendState = Callable[[dict[str, Any]], None]


def _public(comment: Comment) -> Comment:
    """What a saved notebook keeps of a comment: what a reader sees, and its like count without
    the list of likers (a page with no kernel needs the count; the list grows with every like)."""
    public = published_comment(comment)
    return public.model_copy(update={"liked_by": ()}) if public.liked_by else public


def _indexed(state: rules.ThreadState) -> Thread:
    """The state as a Thread without validating it again (it was validated event by event);
    :func:`first_screen_snapshot` reads only its post and comments."""
    return Thread.model_construct(post=state.post, comments=tuple(state))


class SavedState:
    """The saved-state slots of one widget (see the module docstring)."""

    def __init__(self, send: SendState, *, full: bool = False) -> None:
        self._send = send
        self.full = full
        #: comment id (None: the post) -> (its slot number, the slot's size in bytes)
        self._slots: dict[str | None, tuple[int, int]] = {}
        self._tail_bytes = 0
        self._snapshot_bytes = 0
        #: ids of the comments whose text the last snapshot carries
        self._exposed: set[str] = set()
        #: the last snapshot and what it was made of (the comm-open and get_state ask again)
        self._cached: tuple[tuple[object, ...], dict[str, Any]] | None = None
        #: the sort and voting of the last snapshot asked for (a refresh keeps its first screen)
        self._view: tuple[str, object] = ("oldest", "likes")

    def _comment(self, comment: Comment) -> dict[str, Any]:
        return wire_comment(comment if self.full else _public(comment))

    def snapshot(
        self, state: rules.ThreadState, epoch: str, sort: str = "oldest", voting: object = "likes"
    ) -> dict[str, Any]:
        """The ``_snapshot`` value for the current state (engine lock held): the whole thread,
        or, above :data:`SNAPSHOT_LIMIT`, the first screen in ``sort`` order (the page paints
        it at once and fetches the rest)."""
        key = (epoch, state.seq, sort, repr(voting), self.full)
        self._view = (sort, voting)
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1]
        with gc_paused():
            value = self._make(state, epoch, sort, voting)
        self._cached = (key, value)
        return value

    def _make(
        self, state: rules.ThreadState, epoch: str, sort: str, voting: object
    ) -> dict[str, Any]:
        estimate = sum(map(len, map(attrgetter("body"), state))) + 250 * len(state.comments)
        self._snapshot_bytes = min(estimate, SNAPSHOT_LIMIT)
        if estimate <= SNAPSHOT_LIMIT:
            comments = list(state)
            if not self.full:
                comments = [_public(c) for c in comments]
            value = snapshot_value(state.post, comments, epoch=f"{epoch}:saved", seq=state.seq)
        else:  # the first screen, chosen in the thread as a participant sees it
            value = first_screen_snapshot(
                _indexed(state), sort, epoch=f"{epoch}:saved", seq=state.seq, voting=voting
            )
            if not self.full:
                value["comments"] = [
                    self._comment(state.comments[c["id"]]) for c in value["comments"]
                ]
        self._exposed = {c["id"] for c in value["comments"] if c.get("body")}
        return value

    def _forget(self) -> dict[str, Any]:
        """Forget the slots; the update that clears them in the views (and the saved state)."""
        cleared: dict[str, Any] = {f"_t{n}": None for n, _size in self._slots.values()}
        self._slots = {}
        self._tail_bytes = 0
        return {**cleared, "_tn": 0}

    def restart(self) -> None:
        """Clear the slots (a new snapshot is going out as the ``_snapshot`` trait)."""
        self._send(self._forget())

    def refresh(self, state: rules.ThreadState, epoch: str) -> None:
        """Replace the slots with a fresh snapshot, in one update (engine lock held)."""
        self._send({**self._forget(), "_snapshot": self.snapshot(state, epoch, *self._view)})

    def record(self, event: operations.Event, state: rules.ThreadState, epoch: str) -> None:
        """Send the slot for one applied event (engine lock held)."""
        comment_id = event.comment.id if isinstance(event, operations.AddEvent) else event.id
        if comment_id is None:
            entry: dict[str, Any] = {"post": wire_post(state.post)}
        elif comment_id in state.comments:
            entry = {"comment": self._comment(state.comments[comment_id])}
            if comment_id in self._exposed and not entry["comment"]["body"]:
                self.refresh(state, epoch)  # its text must leave the saved snapshot
                return
        else:  # pragma: no cover - every event names a comment it keeps
            return
        size = len(json.dumps(entry, separators=(",", ":")))
        slot, old = self._slots.get(comment_id, (len(self._slots), 0))
        if self._tail_bytes - old + size > max(MIN_TAIL, self._snapshot_bytes):
            self.refresh(state, epoch)
            return
        self._slots[comment_id] = (slot, size)
        self._tail_bytes += size - old
        # `_tn` goes with every slot: a view that joined later (a reload) has none yet.
        self._send({f"_t{slot}": entry, "_tn": len(self._slots)})
