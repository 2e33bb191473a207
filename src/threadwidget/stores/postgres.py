"""Shared threads on a PostgreSQL server (psycopg 3): kernels on many machines.

Writers serialise per thread with ``SELECT ... FOR UPDATE`` on the thread's row. A widget's
write is one attempt under its engine's lock; a connection that is down makes the engine release
the lock, reconnect (with retries) and try again, so an unreachable server never holds the lock.
Each commit sends ``NOTIFY threadwidget, '<thread id>'``; a watcher connection listening on that
channel pushes the news to the widgets, so nothing polls. After a server restart the watcher
reconnects, listens again and tells every widget to catch up by ``seq``. A write whose connection
broke is retried; a per-write id lets a retry after a lost ``COMMIT`` acknowledgement find the
event already stored instead of storing it twice.

Install with ``pip install "threadwidget[postgres]"``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .store import SharedStore, StoreNotReady, StoreUnavailable

__all__ = ["CHANNEL", "PostgresStore"]

#: The LISTEN/NOTIFY channel; the payload is the thread id.
CHANNEL = "threadwidget"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            'PostgresStore needs psycopg 3: pip install "threadwidget[postgres]"'
        ) from error
    return psycopg


class PostgresStore(SharedStore):
    """Shared threads in the PostgreSQL database at ``url`` (``postgresql://user@host/db``).

    Without a URL: ``THREADWIDGET_DATABASE_URL``, else ``DATABASE_URL``, else libpq's own
    ``PGHOST``/``PGUSER``/... variables. ``retry_for`` is how long (seconds) an operation keeps
    trying to reach a server that went away before it is refused.
    """

    _param = "%s"

    def __init__(
        self, url: str | None = None, *, retry_for: float = 30.0, connect_timeout: int = 5
    ) -> None:
        super().__init__()
        self._psycopg = _psycopg()
        self.url = (
            url
            or os.environ.get("THREADWIDGET_DATABASE_URL")
            or os.environ.get("DATABASE_URL")
            or ""
        )
        self.retry_for = retry_for
        self.connect_timeout = connect_timeout
        self._conn: Any = None
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _connect(self) -> Any:
        return self._psycopg.connect(
            self.url, autocommit=True, connect_timeout=self.connect_timeout
        )

    @contextmanager
    def _tx(self, write: bool) -> Iterator[Any]:
        with self._lock:
            if self._closed.is_set():
                raise StoreUnavailable(f"{self!r} is closed")
            if self._conn is None or self._conn.closed:
                if self._single():
                    raise StoreNotReady("not connected to PostgreSQL")
                self._conn = self._connect()
            with self._conn.transaction(), self._conn.cursor() as cur:
                yield cur

    def _run(self, work: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + self.retry_for
        delay = 0.05
        while True:
            try:
                with self._lock:
                    return work()
            except self._psycopg.OperationalError as error:
                with self._lock:
                    conn = self._conn
                    broken = conn is None or conn.closed or conn.broken
                    if not broken:
                        raise
                    if conn is not None:
                        conn.close()
                    self._conn = None
                if self._single():
                    raise StoreNotReady(f"the connection to PostgreSQL broke: {error}") from error
                if time.monotonic() + delay > deadline:
                    raise StoreUnavailable(
                        f"could not reach PostgreSQL for {self.retry_for:g} s: {error}"
                    ) from error
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _lock_thread(self, cur: Any, thread_id: str) -> bool:
        row = cur.execute("SELECT 1 FROM tw_threads WHERE id = %s FOR UPDATE", (thread_id,))
        return row.fetchone() is not None

    def _lock_schema(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (0x7477_5343,))  # "twSC"

    def _announce(self, cur: Any, thread_id: str) -> None:
        cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, thread_id))

    def _watch(self) -> None:
        delay = 0.05
        while not self._closed.is_set():
            conn = None
            try:
                conn = self._connect()
                conn.execute(f"LISTEN {CHANNEL}")
                delay = 0.05
                self._fire()  # catch up on anything missed while (re)connecting
                while not self._closed.is_set():
                    for note in conn.notifies(timeout=0.5, stop_after=1):
                        self._fire(note.payload)
            except self._psycopg.Error:
                if self._closed.wait(delay):
                    break
                delay = min(delay * 2, 1.0)
            finally:
                if conn is not None:
                    conn.close()

    def close(self) -> None:
        super().close()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __repr__(self) -> str:
        return "PostgresStore(<url hidden>)" if "@" in self.url else f"PostgresStore({self.url!r})"
