"""Shared threads: one discussion, many kernels, on a real database (SQLite or PostgreSQL).

A :class:`SharedStore` keeps, for each thread, an append-only log of events numbered by a
sequence ``seq`` (1, 2, 3, ... per thread, gap-free, decided inside the write transaction), plus a
materialised snapshot of the thread refreshed every :attr:`SharedStore.SNAPSHOT_EVERY` events.
:meth:`SharedStore.append` decides an operation against the *latest* shared state inside one write
transaction that serialises every writer of that thread (SQLite ``BEGIN IMMEDIATE``; PostgreSQL
``SELECT ... FOR UPDATE`` on the thread's row), so validation never sees a stale state. See
``docs/shared.md`` for the schema, the conflict rules and the guarantees.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core import operations, rules
from ..core.models import ID_PATTERN, Thread, thread_from_json

__all__ = [
    "SCHEMA_VERSION",
    "SharedStore",
    "StoreError",
    "StoreNotReady",
    "StoreUnavailable",
    "ThreadRecreated",
    "open_store",
    "store_target",
]

log = logging.getLogger("threadwidget.shared")

#: The schema version this threadwidget writes; older databases are migrated on open.
SCHEMA_VERSION = 4

#: Migrations by number: ``MIGRATIONS[n]`` turns a version ``n - 1`` database into version ``n``.
#: The SQL is the common subset of SQLite and PostgreSQL (``?`` placeholders are rewritten).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE tw_threads (id TEXT PRIMARY KEY, created_at TEXT NOT NULL)",
        "CREATE TABLE tw_events (thread_id TEXT NOT NULL, seq BIGINT NOT NULL, op_id TEXT UNIQUE,"
        " event_json TEXT NOT NULL, PRIMARY KEY (thread_id, seq))",
        "CREATE TABLE tw_snapshots (thread_id TEXT PRIMARY KEY, seq BIGINT NOT NULL,"
        " thread_json TEXT NOT NULL)",
    ),
    # The thread as first stored, so that replay and audit cover the whole history. Threads
    # created before version 2 start their history at the snapshot kept then.
    2: (
        "CREATE TABLE tw_origins (thread_id TEXT PRIMARY KEY, seq BIGINT NOT NULL,"
        " thread_json TEXT NOT NULL)",
        "INSERT INTO tw_origins (thread_id, seq, thread_json)"
        " SELECT thread_id, seq, thread_json FROM tw_snapshots",
    ),
    # A generation per thread, new each time a thread is created: a widget that opened a thread
    # since deleted and created again under the same id is told so instead of mixing the two.
    3: ("ALTER TABLE tw_threads ADD COLUMN generation TEXT NOT NULL DEFAULT ''",),
    # An interface study's interaction log (docs/studies.md): rows per reader, never events.
    4: (
        "CREATE TABLE tw_interactions (thread_id TEXT NOT NULL, user_name TEXT NOT NULL,"
        " at TEXT NOT NULL, row_json TEXT NOT NULL)",
        "CREATE INDEX tw_interactions_thread ON tw_interactions (thread_id, at)",
    ),
}

Decide = Callable[[rules.ThreadState], operations.Recorded]
DecideAfter = Callable[[list[tuple[int, operations.Recorded]]], operations.Recorded]
Listener = Callable[[], None]


class StoreError(RuntimeError):
    """The shared store cannot do what was asked (a newer schema, a broken database...)."""


class StoreUnavailable(StoreError):
    """The database could not be reached (or stayed locked) for longer than the store waits."""


class StoreNotReady(StoreUnavailable):
    """In a :meth:`SharedStore.single_attempt`: the connection is down; reconnect
    (:meth:`SharedStore.reconnect`) without holding the caller's lock, then try again."""


class ThreadRecreated(LookupError):
    """The thread was deleted and created again under the same id since it was opened."""

    def __init__(self, thread_id: str) -> None:
        super().__init__(
            f"the shared thread {thread_id!r} was deleted and created again since this widget "
            "opened it; connect to it again to see the new thread"
        )
        self.thread_id = thread_id


def _check_id(thread_id: str) -> str:
    if not isinstance(thread_id, str) or not ID_PATTERN.match(thread_id):
        raise ValueError(f"thread id must match {ID_PATTERN.pattern}, not {thread_id!r}")
    return thread_id


def _event_json(event: operations.Recorded) -> str:
    return event.model_dump_json()


def _parse(raw: str) -> operations.Recorded:
    return operations.parse_recorded_json(raw)


class SharedStore:
    """The storage engine behind shared threads; see :class:`SQLiteStore` and
    :class:`PostgresStore`. Thread-safe: one store may serve several widgets in a kernel."""

    #: Refresh the materialised snapshot of a thread every this many events.
    SNAPSHOT_EVERY = 200
    #: Placeholder style of the driver (``?`` for sqlite3, ``%s`` for psycopg).
    _param = "?"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._listeners: dict[str, list[Listener]] = {}
        self._listeners_lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._closed = threading.Event()
        self._attempts = threading.local()

    # ---- backend hooks -----------------------------------------------------------------------

    @contextmanager
    def _tx(self, write: bool) -> Iterator[Any]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def _lock_thread(self, cur: Any, thread_id: str) -> bool:
        """In a write transaction: lock the thread against other writers; False if it is gone."""
        row = self._exec(cur, "SELECT 1 FROM tw_threads WHERE id = ?", (thread_id,)).fetchone()
        return row is not None

    def _lock_schema(self, cur: Any) -> None:
        """In a write transaction: serialise schema migrations (SQLite's write lock is enough)."""

    def _announce(self, cur: Any, thread_id: str) -> None:
        """In the write transaction: tell watchers (PostgreSQL NOTIFY; SQLite watchers poll)."""

    def _watch(self) -> None:  # pragma: no cover - abstract
        """The watcher thread's loop: call :meth:`_fire` on news until :attr:`_closed` is set."""
        raise NotImplementedError

    def _run(self, work: Callable[[], Any]) -> Any:
        """Run one unit of work (a transaction); PostgreSQL retries it across reconnections."""
        with self._lock:
            return work()

    @contextmanager
    def single_attempt(self) -> Iterator[None]:
        """In this block (this thread): no reconnecting and no retries; a connection that is
        down raises :class:`StoreNotReady` at once (for callers holding a lock of their own)."""
        before = getattr(self._attempts, "single", False)
        self._attempts.single = True
        try:
            yield
        finally:
            self._attempts.single = before

    def _single(self) -> bool:
        return bool(getattr(self._attempts, "single", False))

    def reconnect(self) -> None:
        """Make sure the database answers, reconnecting and retrying as :meth:`_run` does."""

        def work() -> None:
            with self._tx(write=False) as cur:
                self._exec(cur, "SELECT 1")

        self._run(work)

    def _exec(self, cur: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self._param != "?":
            sql = sql.replace("?", self._param)
        cur.execute(sql, params)
        return cur

    # ---- schema ------------------------------------------------------------------------------

    def _migrate(self) -> None:
        def work() -> None:
            with self._tx(write=True) as cur:
                self._lock_schema(cur)
                self._exec(
                    cur,
                    "CREATE TABLE IF NOT EXISTS tw_meta"
                    " (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                )
                version = self._schema_version_in(cur)
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self!r} has schema version {version}, newer than this threadwidget "
                        f"understands ({SCHEMA_VERSION}); upgrade threadwidget"
                    )
                for number in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[number]:
                        self._exec(cur, statement)
                if version < SCHEMA_VERSION:
                    self._exec(cur, "DELETE FROM tw_meta WHERE key = 'schema_version'")
                    self._exec(
                        cur,
                        "INSERT INTO tw_meta (key, value) VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),),
                    )
                    log.info("%r: schema migrated from %d to %d", self, version, SCHEMA_VERSION)

        self._run(work)

    def _schema_version_in(self, cur: Any) -> int:
        row = self._exec(cur, "SELECT value FROM tw_meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def schema_version(self) -> int:
        """The schema version of the database (``SCHEMA_VERSION`` once opened)."""

        def work() -> int:
            with self._tx(write=False) as cur:
                return self._schema_version_in(cur)

        return int(self._run(work))

    # ---- settings (small JSON texts of the store's users, e.g. the hub service's roles) ------

    def get_setting(self, key: str) -> str | None:
        """The text kept under ``key`` (None if there is none); keys start with their owner's
        name (``service:``), schema keys are not settings."""

        def work() -> str | None:
            with self._tx(write=False) as cur:
                row = self._exec(
                    cur, "SELECT value FROM tw_meta WHERE key = ?", (f"setting:{key}",)
                ).fetchone()
                return None if row is None else str(row[0])

        return self._run(work)  # type: ignore[no-any-return]

    def set_setting(self, key: str, value: str | None) -> None:
        """Keep ``value`` under ``key`` (None: forget it), for every process on this store."""

        def work() -> None:
            with self._tx(write=True) as cur:
                self._exec(cur, "DELETE FROM tw_meta WHERE key = ?", (f"setting:{key}",))
                if value is not None:
                    self._exec(
                        cur,
                        "INSERT INTO tw_meta (key, value) VALUES (?, ?)",
                        (f"setting:{key}", value),
                    )

        self._run(work)

    # ---- an interface study's side data (docs/studies.md) ----------------------------------

    def add_interactions(
        self, thread_id: str, user: str, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Append interaction-log rows of ``user`` (each with an ISO ``at``) to a thread's log."""
        if not rows:
            return

        def work() -> None:
            with self._tx(write=True) as cur:
                for row in rows:
                    self._exec(
                        cur,
                        "INSERT INTO tw_interactions (thread_id, user_name, at, row_json)"
                        " VALUES (?, ?, ?, ?)",
                        (thread_id, user, str(row["at"]), json.dumps(dict(row))),
                    )

        self._run(work)

    def interactions(self, thread_id: str) -> list[dict[str, Any]]:
        """A thread's interaction-log rows by time (each with its ``user``)."""

        def work() -> list[tuple[str, str]]:
            with self._tx(write=False) as cur:
                return list(
                    self._exec(
                        cur,
                        "SELECT user_name, row_json FROM tw_interactions WHERE thread_id = ?"
                        " ORDER BY at",
                        (thread_id,),
                    ).fetchall()
                )

        return [{**json.loads(raw), "user": user} for user, raw in self._run(work)]

    # ---- threads -----------------------------------------------------------------------------

    def create_thread(
        self, thread_id: str, thread: Thread | None = None, *, exist_ok: bool = False
    ) -> bool:
        """Create a shared thread (an empty one if ``thread`` is None).

        Returns True if it was created, False if it existed and ``exist_ok`` (the stored one is
        kept); ``ValueError`` if it existed otherwise.
        """
        _check_id(thread_id)
        thread = thread if thread is not None else Thread()
        now = datetime.now(timezone.utc).isoformat()

        def work() -> bool:
            with self._tx(write=True) as cur:
                cur = self._exec(
                    cur,
                    "INSERT INTO tw_threads (id, created_at, generation) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (thread_id, now, secrets.token_hex(8)),
                )
                if cur.rowcount != 1:
                    return False
                self._exec(cur, "DELETE FROM tw_events WHERE thread_id = ?", (thread_id,))
                self._exec(cur, "DELETE FROM tw_interactions WHERE thread_id = ?", (thread_id,))
                self._exec(cur, "DELETE FROM tw_snapshots WHERE thread_id = ?", (thread_id,))
                self._exec(cur, "DELETE FROM tw_origins WHERE thread_id = ?", (thread_id,))
                for table in ("tw_snapshots", "tw_origins"):
                    self._exec(
                        cur,
                        f"INSERT INTO {table} (thread_id, seq, thread_json) VALUES (?, 0, ?)",
                        (thread_id, thread.model_dump_json()),
                    )
                return True

        created = bool(self._run(work))
        if not created and not exist_ok:
            raise ValueError(f"a shared thread {thread_id!r} already exists in {self!r}")
        return created

    def list_threads(self) -> list[str]:
        """The ids of every shared thread, sorted."""

        def work() -> list[str]:
            with self._tx(write=False) as cur:
                rows = self._exec(cur, "SELECT id FROM tw_threads ORDER BY id").fetchall()
                return [row[0] for row in rows]

        return list(self._run(work))

    def delete_thread(self, thread_id: str) -> bool:
        """Delete a thread and its history; False if there was none. Connected widgets keep
        what they show, and their further operations are refused."""

        def work() -> bool:
            with self._tx(write=True) as cur:
                gone = not self._lock_thread(cur, thread_id)
                for table, key in (
                    ("tw_events", "thread_id"),
                    ("tw_interactions", "thread_id"),
                    ("tw_snapshots", "thread_id"),
                    ("tw_origins", "thread_id"),
                    ("tw_threads", "id"),
                ):
                    self._exec(cur, f"DELETE FROM {table} WHERE {key} = ?", (thread_id,))
                self._exec(  # its variant plan goes with it
                    cur, "DELETE FROM tw_meta WHERE key = ?", (f"setting:variants:{thread_id}",)
                )
                if not gone:
                    self._announce(cur, thread_id)
                return not gone

        return bool(self._run(work))

    # ---- reading -----------------------------------------------------------------------------

    def load(self, thread_id: str) -> tuple[rules.ThreadState, int]:
        """The latest state of a thread and its ``seq`` (``KeyError`` if there is none)."""

        def work() -> tuple[rules.ThreadState, int]:
            with self._tx(write=False) as cur:
                return self._load_in(cur, thread_id)

        state, seq = self._run(work)
        return state, seq

    def load_generation(self, thread_id: str) -> tuple[rules.ThreadState, int, str]:
        """:meth:`load`, and the thread's generation (new each time a thread is created)."""

        def work() -> tuple[rules.ThreadState, int, str]:
            with self._tx(write=False) as cur:
                state, seq = self._load_in(cur, thread_id)
                return state, seq, self._generation_in(cur, thread_id)

        state, seq, generation = self._run(work)
        return state, seq, generation

    def events_since(
        self, thread_id: str, seq: int, generation: str | None = None
    ) -> list[tuple[int, operations.Recorded]]:
        """Every event of the thread after ``seq``, in order, as ``(seq, event)``;
        :class:`ThreadRecreated` if ``generation`` is given and no longer the thread's."""

        def work() -> list[tuple[int, operations.Recorded]]:
            with self._tx(write=False) as cur:
                self._same_generation(cur, thread_id, generation)
                return self._events_in(cur, thread_id, seq)

        return list(self._run(work))

    #: Events read per transaction when history is streamed.
    HISTORY_PAGE = 500

    def history(self, thread_id: str) -> tuple[Thread, list[tuple[int, operations.Recorded]]]:
        """The thread as first stored and every event since, in ``seq`` order."""
        origin, events = self.stream_history(thread_id)
        return origin, list(events)

    def stream_history(
        self, thread_id: str
    ) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        """:meth:`history` read lazily, :attr:`HISTORY_PAGE` events per read: memory follows
        the page, not the history (events are only ever appended)."""

        def work() -> tuple[Thread, int, str]:
            with self._tx(write=False) as cur:
                row = self._exec(
                    cur,
                    "SELECT seq, thread_json FROM tw_origins WHERE thread_id = ?",
                    (thread_id,),
                ).fetchone()
                if row is None:
                    raise KeyError(f"no shared thread {thread_id!r} in {self!r}")
                return thread_from_json(row[1]), int(row[0]), self._generation_in(cur, thread_id)

        origin, start, generation = self._run(work)
        return origin, self._pages(thread_id, start, generation)

    def _pages(
        self, thread_id: str, seq: int, generation: str
    ) -> Iterator[tuple[int, operations.Recorded]]:
        while True:

            def work(after: int = seq) -> list[tuple[int, str]]:
                with self._tx(write=False) as cur:
                    self._same_generation(cur, thread_id, generation)
                    rows = self._exec(
                        cur,
                        "SELECT seq, event_json FROM tw_events WHERE thread_id = ? AND seq > ?"
                        f" ORDER BY seq LIMIT {int(self.HISTORY_PAGE)}",
                        (thread_id, after),
                    ).fetchall()
                    return [(int(s), raw) for s, raw in rows]

            page = self._run(work)
            for number, raw in page:
                yield number, _parse(raw)
            if len(page) < self.HISTORY_PAGE:
                return
            seq = page[-1][0]

    def head(self, thread_id: str) -> int:
        """The ``seq`` of the thread's latest event (0 if none)."""

        def work() -> int:
            with self._tx(write=False) as cur:
                return self._head_in(cur, thread_id)

        return int(self._run(work))

    def _generation_in(self, cur: Any, thread_id: str) -> str:
        row = self._exec(
            cur, "SELECT generation FROM tw_threads WHERE id = ?", (thread_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no shared thread {thread_id!r} in {self!r}")
        return str(row[0])

    def _same_generation(self, cur: Any, thread_id: str, generation: str | None) -> None:
        if generation is None:
            return
        try:
            current = self._generation_in(cur, thread_id)
        except KeyError:
            current = None
        if current != generation:
            if current is None:
                raise KeyError(f"the shared thread {thread_id!r} was deleted")
            raise ThreadRecreated(thread_id)

    def _load_in(self, cur: Any, thread_id: str) -> tuple[rules.ThreadState, int]:
        row = self._exec(
            cur, "SELECT seq, thread_json FROM tw_snapshots WHERE thread_id = ?", (thread_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no shared thread {thread_id!r} in {self!r}")
        state = rules.ThreadState.from_thread(thread_from_json(row[1]))
        seq = int(row[0])
        for event_seq, event in self._events_in(cur, thread_id, seq):
            rules.commit(state, event)
            seq = event_seq
        state.seq = seq
        return state, seq

    def _events_in(
        self, cur: Any, thread_id: str, seq: int
    ) -> list[tuple[int, operations.Recorded]]:
        rows = self._exec(
            cur,
            "SELECT seq, event_json FROM tw_events WHERE thread_id = ? AND seq > ? ORDER BY seq",
            (thread_id, seq),
        ).fetchall()
        return [(int(s), _parse(raw)) for s, raw in rows]

    def _head_in(self, cur: Any, thread_id: str) -> int:
        row = self._exec(
            cur, "SELECT MAX(seq) FROM tw_events WHERE thread_id = ?", (thread_id,)
        ).fetchone()
        if row is not None and row[0] is not None:
            return int(row[0])
        row = self._exec(
            cur, "SELECT seq FROM tw_snapshots WHERE thread_id = ?", (thread_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    # ---- writing -----------------------------------------------------------------------------

    def append(self, thread_id: str, decide: Decide) -> tuple[int, operations.Recorded]:
        """Decide and store one event against the latest shared state, atomically.

        Inside one write transaction (every writer of the thread waits its turn) the store loads
        the latest state, calls ``decide(state)`` (typically
        ``lambda state: rules.check(state, op, ctx)``, which may raise
        :class:`~threadwidget.core.rules.OperationRejected`: nothing is stored then), and appends
        the
        event with the next ``seq``. Returns ``(seq, event)`` once committed.
        """

        def decide_in(cur: Any) -> tuple[int, operations.Recorded]:
            state, head = self._load_in(cur, thread_id)
            return head, decide(state)

        return self._append(thread_id, decide_in)

    def append_after(
        self,
        thread_id: str,
        since: int,
        decide: DecideAfter,
        generation: str | None = None,
        op_id: str | None = None,
    ) -> tuple[int, operations.Recorded]:
        """Like :meth:`append`, for a caller that keeps its own copy of the state at ``since``.

        Inside the write transaction ``decide(missed)`` gets the events after ``since`` (it must
        apply them to its copy, then decide against it); O(missed), not O(thread).
        ``generation``: the thread's when the caller loaded it (:class:`ThreadRecreated` if
        the thread was created again since). ``op_id``: the write's unique id (give the same
        one when trying again after :class:`StoreNotReady`: a write already stored is not
        stored twice).
        """

        def decide_in(cur: Any) -> tuple[int, operations.Recorded]:
            self._same_generation(cur, thread_id, generation)
            missed = self._events_in(cur, thread_id, since)
            head = missed[-1][0] if missed else self._head_in(cur, thread_id)
            return head, decide(missed)

        return self._append(thread_id, decide_in, op_id)

    def _append(
        self,
        thread_id: str,
        decide_in: Callable[[Any], tuple[int, operations.Recorded]],
        op_id: str | None = None,
    ) -> tuple[int, operations.Recorded]:
        # A unique id per write: if the connection drops after COMMIT but before we hear of it,
        # the retry finds the event already stored instead of storing it twice.
        op_id = op_id or secrets.token_hex(16)

        def work() -> tuple[int, operations.Recorded]:
            with self._tx(write=True) as cur:
                if not self._lock_thread(cur, thread_id):
                    raise KeyError(f"no shared thread {thread_id!r} in {self!r}")
                done = self._exec(
                    cur, "SELECT seq, event_json FROM tw_events WHERE op_id = ?", (op_id,)
                ).fetchone()
                if done is not None:
                    return int(done[0]), _parse(done[1])
                head, event = decide_in(cur)
                seq = head + 1
                self._exec(
                    cur,
                    "INSERT INTO tw_events (thread_id, seq, op_id, event_json) VALUES (?, ?, ?, ?)",
                    (thread_id, seq, op_id, _event_json(event)),
                )
                if seq % self.SNAPSHOT_EVERY == 0:
                    state, _ = self._load_in(cur, thread_id)
                    self._exec(
                        cur,
                        "UPDATE tw_snapshots SET seq = ?, thread_json = ? WHERE thread_id = ?",
                        (seq, state.to_thread().model_dump_json(), thread_id),
                    )
                self._announce(cur, thread_id)
                return seq, event

        seq, event = self._run(work)
        return seq, event

    # ---- news --------------------------------------------------------------------------------

    def subscribe(self, thread_id: str, listener: Listener) -> Callable[[], None]:
        """Call ``listener()`` (from a background thread) whenever the thread may have new
        events, and after every reconnection; it should then read :meth:`events_since`.
        Returns a function that unsubscribes."""
        with self._listeners_lock:
            self._listeners.setdefault(thread_id, []).append(listener)
            if self._watcher is None and not self._closed.is_set():
                self._watcher = threading.Thread(
                    target=self._watch_safely, name=f"threadwidget-watch-{id(self):x}", daemon=True
                )
                self._watcher.start()

        def unsubscribe() -> None:
            with self._listeners_lock:
                listeners = self._listeners.get(thread_id, [])
                if listener in listeners:
                    listeners.remove(listener)
                if not listeners:
                    self._listeners.pop(thread_id, None)

        return unsubscribe

    def _watch_safely(self) -> None:
        try:
            self._watch()
        except Exception:  # pragma: no cover - a bug in a watcher must be visible
            log.exception("threadwidget: the shared-store watcher stopped")

    def _fire(self, thread_id: str | None = None) -> None:
        """Call the listeners of one thread (or of all, after a reconnection)."""
        with self._listeners_lock:
            if thread_id is None:
                targets = [cb for cbs in self._listeners.values() for cb in cbs]
            else:
                targets = list(self._listeners.get(thread_id, ()))
        for listener in targets:
            try:
                listener()
            except Exception:
                log.exception("threadwidget: a shared-store listener raised")

    def close(self) -> None:
        """Stop the watcher and close the connections (idempotent)."""
        self._closed.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=5)

    def __enter__(self) -> SharedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def store_target(target: str | os.PathLike[str]) -> str:
    """A store URL or path as :func:`open_store` takes it; ``sqlite:///path`` (SQLAlchemy's
    spelling) becomes the path, other ``scheme://`` URLs are refused with what to write."""
    text = os.fspath(target)
    if text.startswith(("postgresql://", "postgres://")):
        return text
    if text.startswith("sqlite:///"):
        path = text[len("sqlite:///") :]
        if not path or path == ":memory:":
            raise ValueError(
                f"store {text!r}: an in-memory SQLite database cannot be shared; give a file, "
                "like 'sqlite:///class.db' or just 'class.db'"
            )
        return path
    if "://" in text:
        raise ValueError(
            f"store {text!r}: write a path to an SQLite file ('class.db' or 'sqlite:///class.db')"
            " or a PostgreSQL URL ('postgresql://user@host/db')"
        )
    return str(Path(text))


def open_store(target: str | os.PathLike[str] | SharedStore | None = None) -> SharedStore:
    """A store from a URL or a path: ``postgresql://...`` / ``postgres://...`` opens
    :class:`PostgresStore`, ``sqlite:///path`` or a path an SQLite file (see
    :func:`store_target`). None reads ``THREADWIDGET_STORE``."""
    if isinstance(target, SharedStore):
        return target
    if target is None:
        target = os.environ.get("THREADWIDGET_STORE")
        if not target:
            raise ValueError("no store given and THREADWIDGET_STORE is not set")
    text = store_target(target)
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(text)
    from .sqlite import SQLiteStore

    return SQLiteStore(text)
