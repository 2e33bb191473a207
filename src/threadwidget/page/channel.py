"""The page protocol of one widget: what views ask for and what they are sent.

Views send requests (``op``, ``sync``, ``action``, ``timeline``, ``replay``); the kernel answers
each and broadcasts every applied event with its ``seq``. A view that missed events catches up
from a bounded ring of recent events, or gets the whole thread in bounded parts. Every table here
is capped: what a page chooses (its client id, its request ids) cannot grow the kernel's memory.

The whole thread is rendered and sent from one background thread (:class:`_Sender`): seconds of
work at 100,000 comments that must not keep the kernel from running the next cell. The parts are
taken at one ``seq`` under the engine's lock; the last part goes out under the lock again, followed
by the events applied meanwhile (a ``catchup`` to that view), so the view ends current.
See ``docs/protocol.md``.
"""

from __future__ import annotations

import logging
import threading
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

log = logging.getLogger("threadwidget")

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
#: What a sync is answered from: the engine's (seq, number of comments) and its thread.
Head = Callable[[], tuple[int, int]]
ThreadOf = Callable[[], Thread]


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
    its recently accepted request ids. The widget feeds it every applied event (holding
    ``lock``, the engine's lock); whole-thread answers go out from a background thread
    (``thread_class``) when a lock is given, else at once."""

    def __init__(
        self,
        send: Send,
        epoch: str,
        publish: Publish | None = None,
        lock: threading.RLock | None = None,
        thread_class: type[threading.Thread] = threading.Thread,
        send_part: Send | None = None,
    ) -> None:
        self._send = send
        #: how the parts of a whole-thread answer leave the background thread: straight out,
        #: never behind a lock that the engine's next change needs (default: ``send``)
        self._send_part = send_part or send
        self._publish = publish
        self.epoch = epoch
        self._ring: deque[tuple[int, str | None, dict[str, Any]]] = deque(maxlen=RING_SIZE)
        self._confirmed: OrderedDict[str, deque[str]] = OrderedDict()
        self._lock = lock
        self._sender = _Sender(self, thread_class) if lock is not None else None

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

    def answer_sync(
        self, client: str, rid: str | None, at: tuple[str, int], head: Head, thread: ThreadOf
    ) -> None:
        """Answer a view's ``sync`` from ``at = (epoch, seq)``: the events it missed now, or the
        whole thread from the background thread. A view with an answer still on its way is
        answered after it, in order."""
        if self._sender is None or self._lock is None:
            self.catch_up(client, rid, at, head(), thread)
            return
        with self._lock:
            if self._sender.busy(client) or self._needs_snapshot(at, head()):
                self._sender.put(client, rid, at, head, thread)
            else:
                self.catch_up(client, rid, at, head(), thread)

    def _needs_snapshot(self, at: tuple[str, int], head: tuple[int, int]) -> bool:
        (epoch, seq), (last, size) = at, head
        oldest = self._ring[0][0] if self._ring else last + 1
        missed = last - seq
        stale = epoch != self.epoch or missed < 0 or (missed > 0 and seq + 1 < oldest)
        return stale or missed > size // 2 + 50

    def catch_up(
        self,
        client: str,
        rid: str | None,
        at: tuple[str, int],
        head: tuple[int, int],
        thread: Callable[[], Thread],
    ) -> None:
        """Answer a view at ``at = (epoch, seq)`` when the kernel is at ``head = (seq, number of
        comments)``, at once: the events it missed, or the whole thread when that is cheaper or
        needed."""
        if self._needs_snapshot(at, head):
            self.snapshot(client, rid, thread(), head[0])
            return
        self._send_missed(client, rid, at[1], done=True)

    def _send_missed(self, client: str, rid: str | None, seq: int, *, done: bool) -> None:
        entries = [catchup_entry(s, r, wire) for s, r, wire in self._ring if s > seq]
        chunks = list(chunk_by_size(entries))
        for index, chunk in enumerate(chunks):
            last = done and index == len(chunks) - 1
            self._send(catchup_message(client, rid, self.epoch, chunk, done=last))

    def snapshot(self, client: str, rid: str | None, thread: Thread, seq: int) -> None:
        """Send the whole thread to one view, in bounded parts."""
        for message in self._parts(client, rid, thread, seq, list(self._confirmed.get(client, ()))):
            self._send(message)

    def _parts(
        self, client: str, rid: str | None, thread: Thread, seq: int, confirmed: list[str]
    ) -> list[dict[str, Any]]:
        chunks = list(chunk_by_size(wire_comment(c) for c in thread.comments))
        return [
            snapshot_message(
                client,
                rid,
                self.epoch,
                seq,
                index,
                len(chunks),
                chunk,
                post=thread.post if index == 0 else None,
                confirmed=confirmed if index == 0 else None,
            )
            for index, chunk in enumerate(chunks)
        ]

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every whole-thread answer has been sent (tests); False on a timeout."""
        return self._sender.flush(timeout) if self._sender is not None else True

    def close(self) -> None:
        """Stop sending whole-thread answers (the widget closes)."""
        if self._sender is not None:
            self._sender.close()


class _Sender:
    """The background thread that answers syncs with the whole thread: one job per client (a
    newer sync replaces a waiting one and stops a running one), clients in the order they asked."""

    def __init__(self, channel: PageChannel, thread_class: type[threading.Thread]) -> None:
        self._channel = channel
        self._thread_class = thread_class
        self._cv = threading.Condition()
        self._jobs: OrderedDict[str, tuple[str | None, tuple[str, int], Head, ThreadOf]] = (
            OrderedDict()
        )
        self._running: str | None = None
        self._generation: dict[str, int] = {}
        self._worker: threading.Thread | None = None
        self._closed = False

    def busy(self, client: str) -> bool:
        with self._cv:
            return client in self._jobs or client == self._running

    def put(
        self, client: str, rid: str | None, at: tuple[str, int], head: Head, thread: ThreadOf
    ) -> None:
        with self._cv:
            if self._closed:
                return
            self._jobs.pop(client, None)
            while len(self._jobs) >= MAX_CLIENTS:
                self._jobs.popitem(last=False)
            self._jobs[client] = (rid, at, head, thread)
            self._generation[client] = self._generation.get(client, 0) + 1
            while len(self._generation) > MAX_CLIENTS:
                oldest = next(iter(self._generation))
                del self._generation[oldest]
            if self._worker is None:
                self._worker = self._thread_class(
                    target=self._loop, name="threadwidget-sync", daemon=True
                )
                self._worker.start()
            self._cv.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        with self._cv:
            return self._cv.wait_for(
                lambda: not self._jobs and self._running is None, timeout=timeout
            )

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._jobs.clear()
            self._cv.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._jobs and not self._closed:
                    self._cv.wait()
                if self._closed:
                    self._worker = None
                    self._cv.notify_all()
                    return
                client, job = self._jobs.popitem(last=False)
                self._running = client
                generation = self._generation.get(client, 0)
            try:
                self._answer(client, generation, *job)
            except Exception:
                log.exception("threadwidget: answering a sync failed")
            finally:
                with self._cv:
                    self._running = None
                    self._cv.notify_all()

    def _current(self, client: str, generation: int) -> bool:
        with self._cv:
            return not self._closed and self._generation.get(client) == generation

    def _answer(
        self,
        client: str,
        generation: int,
        rid: str | None,
        at: tuple[str, int],
        head: Head,
        thread: ThreadOf,
    ) -> None:
        channel, lock = self._channel, self._channel._lock
        assert lock is not None
        while True:
            with lock:
                if not channel._needs_snapshot(at, head()):
                    channel.catch_up(client, rid, at, head(), thread)
                    return
                seq, epoch, taken = head()[0], channel.epoch, thread()
                confirmed = list(channel._confirmed.get(client, ()))
            parts = channel._parts(client, rid, taken, seq, confirmed)
            for message in parts[:-1]:
                if not self._current(client, generation):
                    return  # a newer sync from this view: its answer replaces this one
                channel._send_part(message)
            with lock:
                if not self._current(client, generation):
                    return
                oldest = channel._ring[0][0] if channel._ring else head()[0] + 1
                if channel.epoch != epoch or (head()[0] > seq and oldest > seq + 1):
                    at = ("", 0)  # replaced, or too much happened meanwhile: the thread again
                    continue
                channel._send(parts[-1])
                if head()[0] > seq:  # what happened while the parts were sent
                    channel._send_missed(client, rid, seq, done=False)
                return


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
