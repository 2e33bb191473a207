"""One thread of a shared store (SQLite or PostgreSQL) as an engine's :class:`Storage`."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ..core import operations, rules
from ..core.models import Thread
from ..core.storage import CatchUp, Decide, Listener, NotReady, Storage
from ..core.study import VariantPlan
from ..stores.store import SharedStore, StoreError, StoreNotReady, ThreadRecreated

__all__ = ["SharedStorage"]


class SharedStorage(Storage):
    """Thread ``thread_id`` of ``store``; other kernels write it too. ``owned``: close the
    store with this storage (it was opened from a URL or a path for it)."""

    def __init__(self, store: SharedStore, thread_id: str, *, owned: bool = False) -> None:
        self.store = store
        self.thread_id = thread_id
        self.owned = owned
        #: The thread's generation when loaded (a thread created again has another).
        self.generation: str | None = None
        #: The operation whose write met a broken connection, and that write's id (trying the
        #: same operation again reuses it: stored at most once).
        self._retrying: tuple[operations.Operation | None, str] | None = None

    @property
    def shared(self) -> bool:
        return True

    def load(self) -> tuple[rules.ThreadState, int]:
        state, seq, self.generation = self.store.load_generation(self.thread_id)
        return state, seq

    def submit(
        self, after: int, op: operations.Operation | None, catch_up: CatchUp, decide: Decide
    ) -> tuple[int, operations.Recorded]:
        def decide_after(missed: list[tuple[int, operations.Recorded]]) -> operations.Recorded:
            if missed:
                catch_up(missed)
            return decide()

        retrying = self._retrying
        op_id = retrying[1] if retrying and retrying[0] == op else secrets.token_hex(16)
        self._retrying = None
        try:
            with self.store.single_attempt():  # the engine's lock is held: never wait here
                return self.store.append_after(
                    self.thread_id, after, decide_after, self.generation, op_id
                )
        except StoreNotReady as error:
            self._retrying = (op, op_id)
            raise NotReady(str(error)) from error
        except ThreadRecreated as error:
            raise rules.OperationRejected(
                "This shared discussion was deleted and created again since this widget opened "
                "it; nothing changed. Connect to it again (ThreadWidget.connect) to see it."
            ) from error
        except StoreError as error:
            raise rules.OperationRejected(self._unreachable(error)) from error
        except KeyError as error:
            raise rules.OperationRejected(
                "This shared discussion was deleted; nothing changed."
            ) from error

    def _unreachable(self, error: Exception) -> str:
        return f"Could not reach the shared discussion ({error}); nothing changed."

    def ready(self) -> None:
        try:
            self.store.reconnect()
        except StoreError as error:
            raise rules.OperationRejected(self._unreachable(error)) from error

    def events_since(self, seq: int) -> list[tuple[int, operations.Recorded]]:
        return self.store.events_since(self.thread_id, seq, self.generation)

    def history(self) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        return self.store.stream_history(self.thread_id)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self.store.subscribe(self.thread_id, listener)

    def variant_plan(self) -> VariantPlan | None:
        text = self.store.get_setting(f"variants:{self.thread_id}")
        return None if text is None else VariantPlan.from_json(text)

    def set_variant_plan(self, plan: VariantPlan | None) -> None:
        value = None if plan is None else plan.to_json()
        self.store.set_setting(f"variants:{self.thread_id}", value)

    def add_interactions(self, user: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.store.add_interactions(self.thread_id, user, rows)

    def interactions(self) -> list[dict[str, Any]]:
        return self.store.interactions(self.thread_id)

    def close(self) -> None:
        if self.owned:
            self.store.close()

    def __repr__(self) -> str:
        return f"SharedStorage({self.store!r}, {self.thread_id!r})"
