"""The page protocol of one widget: what views ask for and what they are sent.

Views send requests (``op``, ``sync``, ``action``, ``timeline``, ``replay``); the kernel answers
each and broadcasts every applied event with its ``seq``. A view that missed events catches up
from a bounded ring of recent events, or gets the whole thread in bounded parts. Every table here
is capped: what a page chooses (its client id, its request ids) cannot grow the kernel's memory.
See ``docs/protocol.md``.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ..core import operations
from ..core.models import Thread
from .messages import (
    catchup_entry,
    catchup_message,
    event_message,
    reject_message,
    replay_state_message,
    snapshot_message,
    wire_comment,
    wire_event,
)
from .requests import ReplayRequest, chunk_by_size

__all__ = ["RATE_LIMIT", "RATE_WINDOW", "PageChannel", "RateLimiter", "replay_messages"]

#: Browser operations allowed per client within RATE_WINDOW seconds.
RATE_LIMIT = 30
RATE_WINDOW = 10.0
#: Recent events kept for views catching up; a view further behind gets a snapshot.
RING_SIZE = 2000
#: Clients (views) whose request ids and rates are remembered, least recently seen dropped.
MAX_CLIENTS = 256
#: Accepted request ids remembered per client (a reloading view learns which were applied).
MAX_CONFIRMED = 200

Send = Callable[[dict[str, Any]], None]
#: How an applied event goes out: (epoch, seq, rid, wire event); outbox.py batches bursts.
Publish = Callable[[str, int, "str | None", dict[str, Any]], None]


class RateLimiter:
    """At most ``limit`` actions per ``window`` seconds per client, for at most ``clients``
    clients, and ``limit * 4`` for all of them together (new client ids gain nothing)."""

    def __init__(
        self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW, clients: int = MAX_CLIENTS
    ) -> None:
        self.limit, self.window, self.clients = limit, window, clients
        self._stamps: OrderedDict[str, deque[float]] = OrderedDict()
        self._all: deque[float] = deque()

    def allow(self, client: str) -> bool:
        """Count one action by ``client``; False when it is over the limit."""
        now = time.monotonic()
        stamps = self._stamps.pop(client, None) or deque()
        self._stamps[client] = stamps  # most recently seen last
        while len(self._stamps) > self.clients:
            self._stamps.popitem(last=False)
        for queue in (stamps, self._all):
            while queue and now - queue[0] > self.window:
                queue.popleft()
        if len(stamps) >= self.limit or len(self._all) >= self.limit * 4:
            return False
        stamps.append(now)
        self._all.append(now)
        return True

    def clear(self) -> None:
        """Forget every count (a test, or an administrator lifting a burst)."""
        self._stamps.clear()
        self._all.clear()

    def __len__(self) -> int:
        return len(self._stamps)


class PageChannel:
    """Catch-up state for the views of one widget: a ring of recent events and, per client,
    its recently accepted request ids. The widget feeds it every applied event."""

    def __init__(self, send: Send, epoch: str, publish: Publish | None = None) -> None:
        self._send = send
        self._publish = publish
        self.epoch = epoch
        self._ring: deque[tuple[int, str | None, dict[str, Any]]] = deque(maxlen=RING_SIZE)
        self._confirmed: OrderedDict[str, deque[str]] = OrderedDict()

    def reset(self, epoch: str) -> None:
        """A replaced thread: views must start over from a snapshot."""
        self.epoch = epoch
        self._ring.clear()

    def publish(self, seq: int, event: operations.Event, rid: str | None) -> None:
        """Broadcast one applied event (and ack ``rid`` to its sender)."""
        wire = wire_event(event)
        self._ring.append((seq, rid, wire))
        if rid is not None:
            client = rid.rsplit("-", 1)[0]
            rids = self._confirmed.pop(client, None) or deque(maxlen=MAX_CONFIRMED)
            rids.append(rid)
            self._confirmed[client] = rids
            while len(self._confirmed) > MAX_CLIENTS:
                self._confirmed.popitem(last=False)
        if self._publish is not None:
            self._publish(self.epoch, seq, rid, wire)
        else:
            self._send(event_message(self.epoch, seq, rid, wire))

    def catch_up(
        self,
        client: str,
        rid: str | None,
        at: tuple[str, int],
        head: tuple[int, int],
        thread: Callable[[], Thread],
    ) -> None:
        """Answer a view at ``at = (epoch, seq)`` when the kernel is at ``head = (seq, number of
        comments)``: the events it missed, or the whole thread when that is cheaper or needed."""
        (epoch, seq), (last, size) = at, head
        oldest = self._ring[0][0] if self._ring else last + 1
        missed = last - seq
        stale = epoch != self.epoch or missed < 0 or (missed > 0 and seq + 1 < oldest)
        if stale or missed > size // 2 + 50:
            self.snapshot(client, rid, thread(), last)
            return
        entries = [catchup_entry(s, r, wire) for s, r, wire in self._ring if s > seq]
        chunks = list(chunk_by_size(entries))
        for index, chunk in enumerate(chunks):
            done = index == len(chunks) - 1
            self._send(catchup_message(client, rid, self.epoch, chunk, done=done))

    def snapshot(self, client: str, rid: str | None, thread: Thread, seq: int) -> None:
        """Send the whole thread to one view, in bounded parts."""
        chunks = list(chunk_by_size(wire_comment(c) for c in thread.comments))
        confirmed = list(self._confirmed.get(client, ()))
        for index, chunk in enumerate(chunks):
            first = index == 0
            self._send(
                snapshot_message(
                    client,
                    rid,
                    self.epoch,
                    seq,
                    index,
                    len(chunks),
                    chunk,
                    post=thread.post if first else None,
                    confirmed=confirmed if first else None,
                )
            )


def replay_messages(
    request: ReplayRequest, stops: list[datetime], thread_at: Callable[[datetime], Thread]
) -> Iterator[dict[str, Any]]:
    """The answer to a ``replay`` request: the thread at one of the timeline's ``stops``, in
    bounded parts (or a refusal when there is nothing to replay)."""
    if not stops:
        yield reject_message(request.rid, "There is nothing to replay yet.", "index")
        return
    index = min(request.index, len(stops) - 1)
    thread = thread_at(stops[index])
    chunks = list(chunk_by_size(wire_comment(c) for c in thread.comments))
    for part, chunk in enumerate(chunks):
        post = thread.post if part == 0 else None
        yield replay_state_message(
            request.rid, index, stops[index], len(stops), part, len(chunks), chunk, post=post
        )
