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

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator

from . import operations, rules
from .models import Thread

__all__ = ["CatchUp", "Decide", "Listener", "MemoryStorage", "Storage"]

#: Applies events stored elsewhere since the engine's last ``seq`` (called in ``seq`` order).
CatchUp = Callable[[list[tuple[int, operations.Recorded]]], None]
#: Decides the operation against the caught-up state: the event to store (or raises
#: :class:`~threadwidget.core.rules.OperationRejected`).
Decide = Callable[[], operations.Recorded]
#: Called (from any thread) when the storage may hold events the engine has not seen.
Listener = Callable[[], None]


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

    def close(self) -> None:  # noqa: B027 - storages without resources need nothing
        """Release files, connections and watcher threads (idempotent)."""

    @property
    def shared(self) -> bool:
        """Whether other engines may write this thread too (then it cannot be replaced here)."""
        return False


class MemoryStorage(Storage):
    """The thread in this process only: its history as compact JSON, one line per event."""

    def __init__(self, thread: Thread) -> None:
        self._origin = thread
        self._events: list[str] = []
        self._lock = threading.Lock()

    def load(self) -> tuple[rules.ThreadState, int]:
        with self._lock:
            events = list(self._events)
        state = rules.ThreadState.from_thread(self._origin)
        for raw in events:
            rules.commit(state, operations.parse_recorded_json(raw))
        return state, len(events)

    def submit(
        self, after: int, op: operations.Operation | None, catch_up: CatchUp, decide: Decide
    ) -> tuple[int, operations.Recorded]:
        with self._lock:
            missed = self._parsed(after)
            if missed:
                catch_up(missed)
            event = decide()
            self._events.append(event.model_dump_json())
            return len(self._events), event

    def events_since(self, seq: int) -> list[tuple[int, operations.Recorded]]:
        with self._lock:
            return self._parsed(seq)

    def _parsed(self, seq: int) -> list[tuple[int, operations.Recorded]]:
        return [
            (number, operations.parse_recorded_json(raw))
            for number, raw in enumerate(self._events[seq:], start=seq + 1)
        ]

    def history(self) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        with self._lock:
            events = list(self._events)
        return self._origin, (
            (number, operations.parse_recorded_json(raw))
            for number, raw in enumerate(events, start=1)
        )

    def __repr__(self) -> str:
        return f"MemoryStorage({len(self._events)} events)"
