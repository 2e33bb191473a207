"""Storage: where an engine's thread lives, behind one small interface.

An :class:`~threadwidget.core.engine.Engine` never asks which storage it has. It hands each
operation
to :meth:`Storage.submit`, which stores the decided event and gives it a ``seq``; it reads history
(for replay and audit) with :meth:`Storage.history`; it hears of changes made elsewhere (another
kernel, the hub service) through :meth:`Storage.subscribe` and reads them with
:meth:`Storage.events_since`. Implementations: :class:`MemoryStorage` (this module),
:class:`~threadwidget.storage.shared.SharedStorage` (a thread in a shared SQLite/PostgreSQL store),
:class:`~threadwidget.storage.file.FileStorage` (durable autosave in one SQLite file) and the
hub service's client.
"""

from __future__ import annotations

import os
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from . import operations, rules
from .models import Thread
from .study import VariantPlan

__all__ = ["CatchUp", "Decide", "Listener", "MemoryStorage", "NotReady", "Storage"]

#: Applies events stored elsewhere since the engine's last ``seq`` (called in ``seq`` order).
CatchUp = Callable[[list[tuple[int, operations.Recorded]]], None]
#: Decides the operation against the caught-up state: the event to store (or raises
#: :class:`~threadwidget.core.rules.OperationRejected`).
Decide = Callable[[], operations.Recorded]
#: Called (from any thread) when the storage may hold events the engine has not seen.
Listener = Callable[[], None]


class NotReady(Exception):
    """:meth:`Storage.submit` stored nothing because a connection is down: call
    :meth:`Storage.ready` (without the engine's lock) and submit again."""


class Storage(ABC):
    """Where one thread and its history are kept; every method is thread-safe."""

    @abstractmethod
    def load(self) -> tuple[rules.ThreadState, int]:
        """The latest state and its ``seq``."""

    @abstractmethod
    def submit(
        self, after: int, op: operations.Operation | None, catch_up: CatchUp, decide: Decide
    ) -> tuple[int, operations.Recorded]:
        """Store ``op``'s event; return its ``(seq, event)`` once it is durable.

        Local storages, inside one write transaction: ``catch_up(events after `after`)``, then
        ``decide()``, then store what it returned. A remote authority decides ``op`` itself and
        calls ``catch_up`` with the events stored before it. Raises
        :class:`~threadwidget.core.rules.OperationRejected` when nothing was stored.
        """

    @abstractmethod
    def events_since(self, seq: int) -> list[tuple[int, operations.Recorded]]:
        """Every stored event after ``seq``, in ``seq`` order."""

    @abstractmethod
    def history(self) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        """The thread as it was first stored, and every event since, in ``seq`` order."""

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener()`` when events may have been stored elsewhere; returns an undo."""
        return lambda: None

    def ready(self) -> None:  # noqa: B027 - local storages are always ready
        """After :class:`NotReady`: reconnect, waiting as long as the storage retries
        (:class:`~threadwidget.core.rules.OperationRejected` when it gives up)."""

    def close(self) -> None:  # noqa: B027 - storages without resources need nothing
        """Release files, connections and watcher threads (idempotent)."""

    @property
    def shared(self) -> bool:
        """Whether other engines may write this thread too (then it cannot be replaced here)."""
        return False

    # ---- an interface study's side data, kept beside the thread (docs/studies.md) ---------
    # Not events: a reader's log never reaches another reader. This process only by default;
    # the durable and shared storages override these.

    def _side(self) -> _SideData:
        side = self.__dict__.get("_side_data")
        if side is None:
            side = self.__dict__.setdefault("_side_data", _SideData())
        return side  # type: ignore[no-any-return]

    def variant_plan(self) -> VariantPlan | None:
        """The thread's variant plan (None: no variants)."""
        return self._side().plan

    def set_variant_plan(self, plan: VariantPlan | None) -> None:
        """Keep ``plan`` with the thread (None: no variants any more)."""
        self._side().plan = plan

    def add_interactions(self, user: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append validated interaction-log rows of ``user`` (a verified identity)."""
        with self._side().lock:
            self._side().rows.extend({**row, "user": user} for row in rows)

    def interactions(self) -> list[dict[str, Any]]:
        """Every interaction-log row, oldest first (each with its ``user``)."""
        with self._side().lock:
            return [dict(row) for row in self._side().rows]


@dataclass
class _SideData:
    """A storage's study data in this process (see :meth:`Storage.variant_plan`)."""

    plan: VariantPlan | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class MemoryStorage(Storage):
    """The thread in this process only. Its history is compact JSON lines: the newest (up to
    :attr:`KEEP_BYTES`) in memory, older ones in an anonymous temporary file of this process
    (deleted when closed or at exit), so memory follows the thread, not the history."""

    #: Bytes of history kept in memory before they move to the temporary file.
    KEEP_BYTES = 1 << 20
    #: One file offset is remembered per this many events (to start a read near ``seq``).
    INDEX_EVERY = 256

    def __init__(self, thread: Thread) -> None:
        self._origin = thread
        self._lock = threading.Lock()
        self._count = 0  # events stored
        self._recent: list[bytes] = []  # events _spilled + 1 ... _count, as JSON lines
        self._recent_bytes = 0
        self._file: IO[bytes] | None = None
        self._spilled = 0  # events in the file
        self._end = 0  # bytes in the file
        self._offsets: list[int] = []  # file offset of event k * INDEX_EVERY + 1

    def load(self) -> tuple[rules.ThreadState, int]:
        state = rules.ThreadState.from_thread(self._origin)
        count = 0
        for count, event in self._stream(0):  # noqa: B007 - the last seq is what we keep
            rules.commit(state, event)
        return state, count

    def submit(
        self, after: int, op: operations.Operation | None, catch_up: CatchUp, decide: Decide
    ) -> tuple[int, operations.Recorded]:
        with self._lock:
            if after < self._count:
                catch_up(list(self._stream_locked(after)))
            event = decide()
            line = event.model_dump_json().encode() + b"\n"
            self._recent.append(line)
            self._recent_bytes += len(line)
            self._count += 1
            if self._recent_bytes > self.KEEP_BYTES:
                self._spill()
            return self._count, event

    def _spill(self) -> None:
        """Move the in-memory lines to the end of the temporary file (lock held)."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="threadwidget-history-")  # noqa: SIM115
        for line in self._recent:
            if self._spilled % self.INDEX_EVERY == 0:
                self._offsets.append(self._end)
            self._spilled += 1
            self._end += len(line)
        os.pwrite(self._file.fileno(), b"".join(self._recent), self._end - self._recent_bytes)
        self._recent = []
        self._recent_bytes = 0

    def events_since(self, seq: int) -> list[tuple[int, operations.Recorded]]:
        with self._lock:
            return list(self._stream_locked(seq))

    def _stream_locked(self, seq: int) -> Iterator[tuple[int, operations.Recorded]]:
        return self._events(seq, *self._view())

    def _view(self) -> tuple[int, int, list[bytes]]:
        return self._spilled, self._end, list(self._recent)

    def _stream(self, seq: int) -> Iterator[tuple[int, operations.Recorded]]:
        """Events after ``seq`` as stored when called, read lazily (no lock held while read)."""
        with self._lock:
            view = self._view()
        return self._events(seq, *view)

    def _events(
        self, seq: int, spilled: int, end: int, recent: list[bytes]
    ) -> Iterator[tuple[int, operations.Recorded]]:
        number = seq
        if seq < spilled:
            if self._file is None:
                raise ValueError("the history of a closed widget is gone (it was in memory)")
            block = seq // self.INDEX_EVERY
            start = self._offsets[block]
            skip = seq - block * self.INDEX_EVERY
            for line in _lines(self._file.fileno(), start, end):
                if skip:
                    skip -= 1
                    continue
                number += 1
                yield number, operations.parse_recorded_json(line)
        for line in recent[max(0, seq - spilled) :]:
            number += 1
            yield number, operations.parse_recorded_json(line)

    def history(self) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        return self._origin, self._stream(0)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __repr__(self) -> str:
        return f"MemoryStorage({self._count} events)"


def _lines(fd: int, start: int, end: int, chunk: int = 1 << 16) -> Iterator[bytes]:
    """The lines of a file between two offsets, read in chunks (``os.pread``: no shared seek)."""
    rest = b""
    while start < end:
        data = os.pread(fd, min(chunk, end - start), start)
        if not data:
            break
        start += len(data)
        *lines, rest = (rest + data).split(b"\n")
        yield from lines
    if rest:
        yield rest
