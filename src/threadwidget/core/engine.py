"""The engine: one thread, its history, validators and callbacks, and the one decide-and-commit
path, with no transport. The widget, the hub service, the CLI and the tests all drive it.

Every change goes ``validators -> storage.submit(catch up, rules.check) -> commit -> sinks``, all
under the engine's lock, in ``seq`` order; the time of an event is taken there too. Sinks are
the transports' hooks (the widget sends the event to its views) and must be quick. User callbacks
run after the lock is released, through :class:`~threadwidget.core.delivery.Delivery`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from . import operations, rules
from .delivery import Delivery
from .models import Comment, Post, Thread, utcnow
from .replay import moments, thread_at
from .storage import MemoryStorage, NotReady, Storage

__all__ = ["Callback", "Engine", "Sink", "Validator"]

log = logging.getLogger("threadwidget")

Callback = Callable[[Any], object]
#: A check run before every operation: returns None (accept), a rewritten operation of the same
#: type and target, or raises ValueError (e.g. OperationRejected) with a reason for the user.
Validator = Callable[[operations.Operation, rules.Context], "operations.Operation | None"]
#: A transport's hook, called with the lock held for each applied event: (seq, event, rid).
Sink = Callable[[int, operations.Recorded, "str | None"], None]
_F = TypeVar("_F", bound=Callable[..., object])

#: How many times an operation is tried when its storage's connection is down (each time after
#: the storage reconnected, with the lock released).
_ATTEMPTS = 3
#: How many errors raised by user code are kept in :attr:`Engine.errors`.
MAX_ERRORS = 100

_AUDITED = (
    operations.FlagEvent,
    operations.UnflagEvent,
    operations.ModerateEvent,
    operations.PinEvent,
    operations.LockEvent,
)


class Engine:
    """The authoritative thread in ``storage`` (a :class:`MemoryStorage` of ``thread`` when not
    given). Thread-safe; see the module docstring for the order of things."""

    def __init__(self, thread: Thread | None = None, storage: Storage | None = None) -> None:
        if storage is None:
            storage = MemoryStorage(thread if thread is not None else Thread())
        self.storage = storage
        state, seq = storage.load()
        state.seq = seq
        self.state = state
        #: The lock every change holds; readers of :attr:`state` take it too.
        self.lock = threading.RLock()
        self._last_at: datetime | None = None
        self._validators: list[Validator] = []
        self._change_callbacks: list[Callback] = []
        self._comment_callbacks: list[Callback] = []
        self._sinks: list[Sink] = []
        #: Runs user callbacks after the commit (its background thread: see ``thread_class``).
        self.delivery = Delivery()
        #: Errors raised by user code (callbacks, validators), newest last, at most MAX_ERRORS.
        self.errors: deque[BaseException] = deque(maxlen=MAX_ERRORS)
        #: True once :meth:`close` ran: operations are refused, news no longer applied.
        self.closed = False
        self._unsubscribe = storage.subscribe(self._news)

    # ---- reading ----------------------------------------------------------------------------

    @property
    def seq(self) -> int:
        """The ``seq`` of the latest event applied (the storage's numbering)."""
        return self.state.seq

    @property
    def thread(self) -> Thread:
        """A validated, immutable snapshot of the current thread."""
        with self.lock:
            return self.state.to_thread()

    @property
    def post(self) -> Post:
        """The post under discussion."""
        return self.state.post

    def get(self, comment_id: str) -> Comment:
        """The comment with this id (``KeyError`` naming the id if there is none)."""
        try:
            return self.state.comments[comment_id]
        except KeyError:
            raise KeyError(f"no comment with id {comment_id!r}") from None

    def history(self) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        """The thread as first stored and every event since, in ``seq`` order (from storage)."""
        return self.storage.history()

    @property
    def events(self) -> list[operations.Recorded]:
        """Every stored event, in ``seq`` order."""
        return [event for _, event in self.history()[1]]

    def replay_at(self, when: datetime) -> Thread:
        """The thread as it stood at ``when`` (timezone-aware): comments by their times, then
        every stored event in ``seq`` order up to that moment."""
        origin, events = self.history()
        return thread_at(origin, (event for _, event in events), when)

    def moments(self) -> list[datetime]:
        """Every time the thread changed, oldest first: the stops of a replay timeline."""
        origin, events = self.history()
        return moments(origin, (event for _, event in events))

    def audit(self) -> list[dict[str, Any]]:
        """Every report, moderator decision and replacement of the thread in the stored history:
        seq, who, when, what, on which comment, and why."""
        rows = []
        for seq, event in self.history()[1]:
            if isinstance(event, operations.ReplaceEvent):
                action, target, reason = "replace", None, ""
            elif isinstance(event, _AUDITED):
                action, target = event.type, event.id
                reason = getattr(event, "reason", "")
                if isinstance(event, operations.ModerateEvent):
                    action = event.action
                elif isinstance(event, operations.PinEvent):
                    action = "pin" if event.pinned else "unpin"
                elif isinstance(event, operations.LockEvent):
                    action = "lock" if event.locked else "unlock"
            else:
                continue
            rows.append(
                {
                    "seq": seq,
                    "at": event.at,
                    "by": event.actor,
                    "action": action,
                    "comment_id": target,
                    "reason": reason,
                }
            )
        return rows

    # ---- hooks ------------------------------------------------------------------------------

    def add_sink(self, sink: Sink) -> Callable[[], None]:
        """Call ``sink(seq, event, rid)`` with the lock held after each applied event."""
        return _register(self._sinks, sink)

    def on_change(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(event)`` after every applied event, from Python, any view or another
        kernel: after the commit, in ``seq`` order, never re-entrantly. Returns an undo."""
        return _register(self._change_callbacks, callback)

    def on_comment(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(comment)`` for every new comment; returns a function that removes it."""
        return _register(self._comment_callbacks, callback)

    def add_validator(self, validator: Validator) -> Callable[[], None]:
        """Run ``validator(op, ctx)`` before every operation, from Python or any view.

        Return None to accept, a rewritten operation (same type and comment) to change it — e.g.
        ``op.model_copy(update={"body": mask(op.body)})`` — or raise ``ValueError("reason")`` to
        refuse it with that reason shown to the user. ``ctx.actor`` is who asks, ``ctx.trusted``
        is True for Python calls. Validators run before the commit, holding the thread's lock:
        keep them quick. Returns a function that removes the validator.
        """
        return _register(self._validators, validator, "validator")

    # ---- changing ---------------------------------------------------------------------------

    def submit(
        self,
        op: operations.Operation,
        ctx: rules.Context,
        rid: str | None = None,
        *,
        wait: bool = True,
    ) -> operations.Event:
        """Validate, decide, store and apply ``op``; the event, or :class:`OperationRejected`.

        ``wait``: run the callbacks in this thread before returning (Python calls); otherwise a
        background thread runs them (a page's or another kernel's operations).
        """
        try:
            for attempt in range(_ATTEMPTS):
                try:
                    _seq, event = self._submit_locked(op, ctx, rid)
                    break
                except NotReady as error:  # reconnect without the lock, then decide again
                    if attempt == _ATTEMPTS - 1:
                        raise rules.OperationRejected(
                            f"Could not reach the discussion's storage ({error}); nothing changed."
                        ) from error
                    self.storage.ready()
        finally:
            self._deliver(wait)
        assert not isinstance(event, operations.ReplaceEvent)
        return event

    def _submit_locked(
        self, op: operations.Operation, ctx: rules.Context, rid: str | None
    ) -> tuple[int, operations.Event]:
        with self.lock:
            self._check_open()
            op = self.validated(op, ctx)

            def decide() -> operations.Event:
                return rules.check(self.state, op, self._stamped(ctx))

            seq, event = self.storage.submit(self.seq, op, self._catch_up, decide)
            self._apply(seq, event, rid)
        assert not isinstance(event, operations.ReplaceEvent)
        return seq, event

    def replace(self, thread: Thread, actor: str) -> operations.ReplaceEvent:
        """Replace the whole thread (Python only): an event that callbacks, audit and replay see."""
        if self.storage.shared:
            raise RuntimeError(
                "this is a shared thread: replacing it here would fork it from the other "
                "kernels; create a new shared thread (store.create_thread) instead"
            )
        try:
            with self.lock:
                self._check_open()

                def decide() -> operations.ReplaceEvent:
                    return operations.ReplaceEvent(thread=thread, actor=actor, at=self._now())

                seq, event = self.storage.submit(self.seq, None, self._catch_up, decide)
                self._apply(seq, event, None)
        finally:
            self._deliver(True)
        assert isinstance(event, operations.ReplaceEvent)
        return event

    def pull(self, wait: bool = False) -> int:
        """Apply what other writers stored since our last ``seq``; how many events. ``wait``:
        run their callbacks before returning (else a background thread runs them)."""
        if self.closed:
            return 0
        try:  # read outside the lock: a store that is slow to answer never holds it
            missed = self.storage.events_since(self.seq)
        except Exception as error:  # an unreachable store: the next news retries
            self._unreadable(error)
            return 0
        with self.lock:
            applied = sum(self._apply(seq, event, None) for seq, event in missed)
        self._deliver(wait)
        return applied

    def _unreadable(self, error: Exception) -> None:
        """News could not be read: log it; a lasting reason (a thread deleted or created again)
        is kept in :attr:`errors` once."""
        log.warning("threadwidget: could not read %r: %s", self.storage, error)
        if isinstance(error, KeyError | LookupError) and not any(
            type(e) is type(error) and str(e) == str(error) for e in self.errors
        ):
            self.errors.append(error)

    def flush(self) -> None:
        """Wait until every callback queued so far has run (from any thread but a callback's)."""
        self.delivery.drain()

    def _news(self) -> None:
        """The storage says others may have written: apply it (callbacks in the background)."""
        self.pull()

    def validated(self, op: operations.Operation, ctx: rules.Context) -> operations.Operation:
        """Run the validators in order; each may refuse the operation or rewrite it."""
        for validator in list(self._validators):
            try:
                result = validator(op, ctx)
            except ValueError as error:  # OperationRejected included: a refusal with a reason
                reason = getattr(error, "reason", None) or str(error) or "Refused by a check."
                raise rules.OperationRejected(reason, getattr(error, "field", None)) from error
            except Exception as error:  # a bug in the validator: report it, change nothing
                self.report(validator, error)
                raise rules.OperationRejected(
                    "A check on this discussion failed; nothing changed."
                ) from error
            if result is None:
                continue
            same_target = getattr(result, "id", None) == getattr(op, "id", None)
            if getattr(result, "type", None) != op.type or not same_target:
                self.report(
                    validator,
                    TypeError(
                        f"a validator must return None or a {op.type!r} operation on the "
                        f"same comment, not {result!r}"
                    ),
                )
                raise rules.OperationRejected("A check on this discussion failed; nothing changed.")
            op = result
        return op

    def report(self, source: object, error: BaseException) -> None:
        """Keep and log an error raised by user code (never raised again, never a warning)."""
        self.errors.append(error)
        name = getattr(source, "__qualname__", repr(source))
        log.error("threadwidget: %s raised %s: %s", name, type(error).__name__, error)

    def close(self, *, storage: bool = True) -> None:
        """Stop listening to the storage, deliver what is queued, release the storage (unless
        ``storage=False``: its owner closes it). Later operations are refused."""
        self.closed = True
        self._unsubscribe()
        self.delivery.close()
        if storage:
            self.storage.close()

    # ---- inside the lock --------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise rules.OperationRejected("This discussion was closed; nothing changed.")

    def _now(self) -> datetime:
        """The time of the next event: now, never before the previous event (clocks differ)."""
        now = utcnow()
        if self._last_at is not None and now < self._last_at:
            now = self._last_at
        return now

    def _stamped(self, ctx: rules.Context) -> rules.Context:
        return dataclasses.replace(ctx, now=self._now())

    def _catch_up(self, missed: list[tuple[int, operations.Recorded]]) -> None:
        for seq, event in missed:
            self._apply(seq, event, None)

    def _apply(self, seq: int, event: operations.Recorded, rid: str | None) -> bool:
        """Commit one stored event (lock held); False if it was applied already."""
        if seq <= self.seq:
            return False
        if seq > self.seq + 1:  # a remote authority stored others first: read them in order
            self._catch_up([m for m in self.storage.events_since(self.seq) if m[0] < seq])
        rules.commit(self.state, event)
        self.state.seq = seq
        if self._last_at is None or event.at > self._last_at:
            self._last_at = event.at
        for sink in list(self._sinks):
            sink(seq, event, rid)
        self._queue(event)
        return True

    def _queue(self, event: operations.Recorded) -> None:
        jobs: list[Callable[[], None]] = [
            _job(self, callback, event) for callback in list(self._change_callbacks)
        ]
        if isinstance(event, operations.AddEvent):
            jobs += [_job(self, cb, event.comment) for cb in list(self._comment_callbacks)]
        self.delivery.post(jobs)

    def _deliver(self, wait: bool) -> None:
        if _owned(self.lock):  # a verb inside a validator or a sink: never run callbacks here
            self.delivery.kick()
        elif wait:
            self.delivery.drain()
        else:
            self.delivery.kick()


def _owned(lock: Any) -> bool:
    """Whether this thread holds ``lock`` (an RLock)."""
    is_owned: Callable[[], bool] = lock._is_owned
    return is_owned()


def _job(engine: Engine, callback: Callback, argument: object) -> Callable[[], None]:
    def run() -> None:
        try:
            callback(argument)
        except Exception as error:  # a user's callback must not break the engine
            engine.report(callback, error)

    return run


def _register(items: list[_F], item: _F, what: str = "callback") -> Callable[[], None]:
    if not callable(item):
        raise TypeError(f"{what} must be callable, not {type(item).__name__}")
    items.append(item)

    def remove() -> None:
        if item in items:
            items.remove(item)

    return remove
