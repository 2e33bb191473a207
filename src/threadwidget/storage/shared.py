"""One thread of a shared store (SQLite or PostgreSQL) as an engine's :class:`Storage`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..core import operations, rules
from ..core.models import Thread
from ..core.storage import CatchUp, Decide, Listener, Storage
from ..stores.store import SharedStore, StoreError

__all__ = ["SharedStorage"]


class SharedStorage(Storage):
    """Thread ``thread_id`` of ``store``; other kernels write it too. ``owned``: close the
    store with this storage (it was opened from a URL or a path for it)."""

    def __init__(self, store: SharedStore, thread_id: str, *, owned: bool = False) -> None:
        self.store = store
        self.thread_id = thread_id
        self.owned = owned

    @property
    def shared(self) -> bool:
        return True

    def load(self) -> tuple[rules.ThreadState, int]:
        return self.store.load(self.thread_id)

    def submit(
        self, after: int, op: operations.Operation | None, catch_up: CatchUp, decide: Decide
    ) -> tuple[int, operations.Recorded]:
        def decide_after(missed: list[tuple[int, operations.Recorded]]) -> operations.Recorded:
            if missed:
                catch_up(missed)
            return decide()

        try:
            return self.store.append_after(self.thread_id, after, decide_after)
        except StoreError as error:
            raise rules.OperationRejected(self._unreachable(error)) from error
        except KeyError as error:
            raise rules.OperationRejected(
                "This shared discussion was deleted; nothing changed."
            ) from error

    def _unreachable(self, error: Exception) -> str:
        return f"Could not reach the shared discussion ({error}); nothing changed."

    def events_since(self, seq: int) -> list[tuple[int, operations.Recorded]]:
        return self.store.events_since(self.thread_id, seq)

    def history(self) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        origin, events = self.store.history(self.thread_id)
        return origin, iter(events)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self.store.subscribe(self.thread_id, listener)

    def close(self) -> None:
        if self.owned:
            self.store.close()

    def __repr__(self) -> str:
        return f"SharedStorage({self.store!r}, {self.thread_id!r})"
