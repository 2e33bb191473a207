"""A Python model of a browser view that follows docs/protocol.md's view rules.

Used to test the kernel side of the protocol under random delivery, rejection and reconnects;
js/src/state.ts implements the same rules in the page.
"""

from __future__ import annotations

import itertools
from typing import Any

from threadwidget import ops
from threadwidget.models import Comment, Post
from threadwidget.widget import ThreadWidget


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """A wire comment or post without the kernel-rendered ``html`` (not a model field)."""
    return {k: v for k, v in data.items() if k != "html"}


def _plain_event(event: dict[str, Any]) -> dict[str, Any]:
    plain = _plain(event)
    if "comment" in plain:
        plain["comment"] = _plain(plain["comment"])
    return plain


class SimView:
    """One page model: a confirmed mirror, its epoch and seq, and its pending requests."""

    _ids = itertools.count()

    def __init__(self, widget: ThreadWidget) -> None:
        self.widget = widget
        self.client = f"sim{next(self._ids)}"
        self.counter = 0
        self.inbox: list[dict[str, Any]] = []
        self.pending: dict[str, dict[str, Any]] = {}
        self.rejected: list[tuple[dict[str, Any], str]] = []
        self.load()

    def load(self) -> None:
        """Start (or reload) from the snapshot trait, then ask for what was missed."""
        snap = self.widget._snapshot
        self.epoch: str = snap["epoch"]
        self.seq: int = snap["seq"]
        self.post = Post.model_validate(_plain(snap["post"]))
        self.comments: dict[str, Comment] = {
            c["id"]: Comment.model_validate(_plain(c)) for c in snap["comments"]
        }
        self.inbox.clear()
        self.pending.clear()
        self._parts: list[dict[str, Any]] = []
        self.syncs: dict[str, set[str]] = {}
        self.sync()

    def sync(self) -> None:
        """Ask for what this view missed; the answer settles the requests pending now."""
        self.counter += 1
        rid = f"{self.client}-{self.counter}"
        self.syncs[rid] = set(self.pending)
        self.send(
            {
                "kind": "sync",
                "client": self.client,
                "epoch": self.epoch,
                "seq": self.seq,
                "rid": rid,
            }
        )

    def _settle(self, sync_rid: str | None, confirmed: set[str]) -> None:
        for rid in self.syncs.pop(sync_rid or "", set()):
            op = self.pending.pop(rid, None)
            if op is not None and rid not in confirmed:
                self.rejected.append((op, "No answer from the kernel; please try again."))

    def send(self, message: dict[str, Any]) -> None:
        self.widget._on_custom_message(self.widget, message, [])

    def request(self, op: dict[str, Any]) -> str:
        self.counter += 1
        rid = f"{self.client}-{self.counter}"
        self.pending[rid] = op
        self.send({"kind": "op", "rid": rid, "op": op})
        return rid

    def deliver(self, message: dict[str, Any]) -> None:
        kind = message["kind"]
        if kind == "event":
            if message["epoch"] != self.epoch:
                return
            if message["seq"] <= self.seq:
                self.pending.pop(message.get("rid") or "", None)
                return
            if message["seq"] > self.seq + 1:
                self.sync()
                return
            self._apply(message["event"])
            self.pending.pop(message.get("rid") or "", None)
        elif kind == "reject":
            op = self.pending.pop(message.get("rid") or "", None)
            if op is not None:
                self.rejected.append((op, message["reason"]))
        elif message.get("to") != self.client:
            return
        elif kind == "catchup":
            for entry in message["events"]:
                if entry["seq"] == self.seq + 1:
                    self._apply(entry["event"])
                self.pending.pop(entry.get("rid") or "", None)
            if message["done"]:
                self._settle(message.get("rid"), set())
        elif kind == "snapshot":
            self._parts.append(message)
            if len(self._parts) == message["parts"]:
                first = self._parts[0]
                self.epoch, self.seq = first["epoch"], first["seq"]
                self.post = Post.model_validate(_plain(first["post"]))
                self.comments = {
                    c["id"]: Comment.model_validate(_plain(c))
                    for p in self._parts
                    for c in p["comments"]
                }
                self._parts = []
                self._settle(first.get("rid"), set(first.get("confirmed", [])))

    def _apply(self, event: dict[str, Any]) -> None:
        state = ops.ThreadState(post=self.post, comments=self.comments, seq=self.seq)
        ops.commit(state, ops.parse_event(_plain_event(event)))
        self.seq = state.seq
