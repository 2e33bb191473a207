"""Keeping the state a saved notebook carries current, at a cost per change independent of size.

A notebook saved by nbclient (``store_widget_state``) or by JupyterLab ("Save widget state")
stores the widget's model state: the comm-open state merged with every later state update. That
state is ``_snapshot`` (the post and the thread's metadata, no comments) and one slot per comment:
``_t<n>`` holds the post or one comment and ``_tn`` the number of slots; a page opened without a
kernel folds the slots over the snapshot (js/src/saved.ts, :func:`folded`). Every comment the
snapshot carries has its own slot from the start, so any change (an edit, a like, a deletion, a
moderation) rewrites that one slot in place: no earlier version and no moderated text stays in
the saved state, and nothing is resent whole. A new comment (or the post) takes a new slot.

Above :data:`SNAPSHOT_LIMIT` the snapshot carries the first screen only (a live view fetches the
rest); slots for comments beyond it accumulate until they outgrow the snapshot, and then a fresh
one replaces them (so the cost per change stays proportional to the change). Notebooks saved
before the slots covered every comment (comments inside ``_snapshot``) fold the same way.

What is saved is what a reader may see (:func:`~threadwidget.core.models.published_comment`) unless
the author asks for everything (``notebook_state="full"``). Its epoch is never a live one, so a
live view always asks the kernel for the whole thread it may see.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any

from ..core import operations, rules
from ..core.models import Comment, Thread, gc_paused, published_comment
from ..page.first_screen import first_screen_snapshot
from ..page.messages import snapshot_value, wire_comment, wire_post

__all__ = ["SNAPSHOT_LIMIT", "SavedState", "folded", "is_slot_key", "without_slots"]

#: Above this estimated size the ``_snapshot`` trait leaves comments out; views fetch them in parts.
SNAPSHOT_LIMIT = 4 * 1024 * 1024
#: Slots past the snapshot's comments always allowed before a fresh snapshot replaces them (bytes).
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


def is_slot_key(key: str) -> bool:
    """Whether ``key`` is a saved-state slot ``_t<n>`` or their count ``_tn``."""
    return key == "_tn" or (key.startswith("_t") and key[2:].isdigit())


def without_slots(state: Mapping[str, Any]) -> dict[str, Any]:
    """A model state without its saved-state slots (for a ``_snapshot`` that carries all)."""
    return {k: v for k, v in state.items() if not is_slot_key(k)}


def folded(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """The snapshot a page without a kernel shows for a saved model ``state`` (js/src/saved.ts
    ``savedSnapshot``): the slots ``_t0 .. _t{_tn-1}`` folded over ``_snapshot``, in any format."""
    snap = state.get("_snapshot")
    if not isinstance(snap, dict) or not isinstance(snap.get("epoch"), str):
        return None
    count = state.get("_tn")
    if not isinstance(count, int) or count <= 0 or not snap["epoch"].endswith(":saved"):
        return snap
    post = snap["post"]
    comments = list(snap.get("comments") or [])
    index = {c["id"]: i for i, c in enumerate(comments)}
    for n in range(count):
        slot = state.get(f"_t{n}")
        if not isinstance(slot, dict):
            continue
        if slot.get("post"):
            post = slot["post"]
        c = slot.get("comment")
        if not isinstance(c, dict) or not isinstance(c.get("id"), str):
            continue
        if c["id"] in index:
            comments[index[c["id"]]] = c
        else:
            index[c["id"]] = len(comments)
            comments.append(c)
    return {**snap, "post": post, "comments": comments}


class SavedState:
    """The saved-state snapshot and slots of one widget (see the module docstring)."""

    def __init__(self, send: SendState, *, full: bool = False) -> None:
        self._send = send
        self.full = full
        #: comment id (None: the post) -> (its slot number, the slot's size in bytes)
        self._slots: dict[str | None, tuple[int, int]] = {}
        #: slots below this number hold the comments the snapshot carries
        self._carried = 0
        #: bytes of the slots beyond the carried ones, and the snapshot's estimated size
        self._tail_bytes = 0
        self._snapshot_bytes = 0
        #: the snapshot without comments (its seq is the state's when sent)
        self._head: dict[str, Any] = {}
        #: the slots' state as last built for get_state: (key, value)
        self._cached: tuple[tuple[object, ...], dict[str, Any]] | None = None
        #: the sort and voting of the last snapshot (a refresh keeps its first screen)
        self._view: tuple[str, object] = ("oldest", "likes")
        self._epoch = ""

    def _comment(self, comment: Comment) -> dict[str, Any]:
        return wire_comment(comment if self.full else _public(comment))

    def start(
        self, state: rules.ThreadState, epoch: str, sort: str = "oldest", voting: object = "likes"
    ) -> dict[str, Any]:
        """Make a fresh snapshot (engine lock held): the ``_snapshot`` value (no comments); the
        comments, one slot each, are in :meth:`current`. Slot keys no longer used are cleared."""
        old = {n for n, _size in self._slots.values()}
        self._view = (sort, voting)
        self._epoch = epoch
        with gc_paused():
            comments = self._make(state, epoch, sort, voting)
        self._slots = {c["id"]: (n, 0) for n, c in enumerate(comments)}
        self._carried = len(comments)
        self._tail_bytes = 0
        self._cached = ((epoch, state.seq, self.full), self._slot_state(comments))
        cleared = {f"_t{n}": None for n in sorted(old) if n >= len(self._slots)}
        if cleared:
            self._send(cleared)
        return self._head

    def _make(
        self, state: rules.ThreadState, epoch: str, sort: str, voting: object
    ) -> list[dict[str, Any]]:
        """Set the head; the wire comments the snapshot carries, in its order."""
        estimate = 250 * len(state.comments)  # the texts are counted only if it may fit
        if estimate <= SNAPSHOT_LIMIT:
            estimate += sum(map(len, map(attrgetter("body"), state)))
        self._snapshot_bytes = min(estimate, SNAPSHOT_LIMIT)
        if estimate <= SNAPSHOT_LIMIT:
            value = snapshot_value(state.post, (), epoch=f"{epoch}:saved", seq=state.seq)
            comments = [self._comment(c) for c in state]
        else:  # the first screen, chosen in the thread as a participant sees it
            value = first_screen_snapshot(
                _indexed(state), sort, epoch=f"{epoch}:saved", seq=state.seq, voting=voting
            )
            comments = [self._comment(state.comments[c["id"]]) for c in value["comments"]]
            value["comments"] = []
        self._head = value
        return comments

    def _slot_state(self, comments: list[dict[str, Any]]) -> dict[str, Any]:
        state: dict[str, Any] = {f"_t{n}": {"comment": c} for n, c in enumerate(comments)}
        state["_tn"] = len(comments)
        return state

    def current(self, state: rules.ThreadState) -> dict[str, Any]:
        """The whole saved state now (engine lock held): ``_snapshot`` and every slot, numbered
        as the views hold them (for the comm-open state, a view's request and exports)."""
        key = (self._epoch, state.seq, self.full)
        if self._cached is None or self._cached[0] != key:
            by_slot: dict[str, Any] = {}
            for comment_id, (n, _size) in self._slots.items():
                if comment_id is None:
                    by_slot[f"_t{n}"] = {"post": wire_post(state.post)}
                elif comment_id in state.comments:
                    by_slot[f"_t{n}"] = {"comment": self._comment(state.comments[comment_id])}
            by_slot["_tn"] = len(self._slots)
            self._cached = (key, by_slot)
        return {"_snapshot": {**self._head, "seq": state.seq}, **self._cached[1]}

    def refresh(self, state: rules.ThreadState, epoch: str) -> None:
        """Replace the snapshot and every slot, in one update (engine lock held)."""
        head = self.start(state, epoch, *self._view)
        assert self._cached is not None
        self._send({**self._cached[1], "_snapshot": head})

    def record(self, event: operations.Event, state: rules.ThreadState, epoch: str) -> None:
        """Send the slot for one applied event (engine lock held)."""
        comment_id = event.comment.id if isinstance(event, operations.AddEvent) else event.id
        if comment_id is None:
            entry: dict[str, Any] = {"post": wire_post(state.post)}
        elif comment_id in state.comments:
            entry = {"comment": self._comment(state.comments[comment_id])}
        else:  # pragma: no cover - every event names a comment it keeps
            return
        self._cached = None
        slot, old = self._slots.get(comment_id, (len(self._slots), 0))
        if slot >= self._carried:  # beyond the snapshot: the tail is bounded by it
            size = len(json.dumps(entry, separators=(",", ":")))
            if self._tail_bytes - old + size > max(MIN_TAIL, self._snapshot_bytes):
                self.refresh(state, epoch)
                return
            self._tail_bytes += size - old
        else:
            size = 0
        self._slots[comment_id] = (slot, size)
        # `_tn` goes with every slot: a view that joined later (a reload) has none yet.
        self._send({f"_t{slot}": entry, "_tn": len(self._slots)})
