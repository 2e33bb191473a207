"""Shared threads in one SQLite file (stdlib ``sqlite3``, WAL mode): every kernel on one machine
or on a shared filesystem that supports SQLite's locking; no server to run.

Writers serialise with ``BEGIN IMMEDIATE``; a watcher thread polls ``PRAGMA data_version`` (a cheap
counter that changes when another connection commits) every :attr:`SQLiteStore.POLL_INTERVAL`
seconds and tells the widgets to catch up.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .store import SharedStore, StoreUnavailable

__all__ = ["SQLiteStore"]

log = logging.getLogger("threadwidget.shared")


class SQLiteStore(SharedStore):
    """Shared threads in the SQLite database at ``path`` (created if missing)."""

    #: Seconds between two looks at ``PRAGMA data_version``.
    POLL_INTERVAL = 0.2
    #: Seconds a writer waits for another kernel's write transaction before giving up.
    BUSY_TIMEOUT = 30.0

    def __init__(self, path: str | os.PathLike[str], *, journal_mode: str = "WAL") -> None:
        super().__init__()
        self.path = Path(path)
        self._journal_mode = journal_mode
        #: Errors the watcher met and retried after (the newest 20).
        self.watch_errors: deque[sqlite3.Error] = deque(maxlen=20)
        self._conn = self._connect()
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self.BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        # WAL lets readers go on while a writer commits; DELETE (autosave files) keeps every
        # committed change in the one file the user named, so a copy of it is complete.
        conn.execute(f"PRAGMA journal_mode={self._journal_mode}")
        conn.execute("PRAGMA synchronous=FULL")  # an acknowledged event survives a power cut
        return conn

    @contextmanager
    def _tx(self, write: bool) -> Iterator[Any]:
        with self._lock:
            if self._closed.is_set():
                raise StoreUnavailable(f"{self!r} is closed")
            cur = self._conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.Error as error:
                raise StoreUnavailable(f"{self.path}: {error}") from error
            try:
                yield cur
            except sqlite3.Error as error:  # a full disk, a read-only folder, a broken file
                self._conn.rollback()
                raise StoreUnavailable(f"{self.path}: {error}") from error
            except BaseException:
                self._conn.rollback()
                raise
            try:
                cur.execute("COMMIT")
            except sqlite3.Error as error:
                self._conn.rollback()
                raise StoreUnavailable(f"{self.path}: {error}") from error
            finally:
                cur.close()

    def _watch(self) -> None:
        """Poll until closed; an error (a file briefly unreadable, a lock) is logged, kept in
        :attr:`watch_errors` and retried with a growing pause, never the end of the watch."""
        failures = 0
        while not self._closed.is_set():
            try:
                self._poll()
                return
            except sqlite3.Error as error:
                failures += 1
                self.watch_errors.append(error)
                log.warning("threadwidget: watching %s failed (%s); retrying", self.path, error)
                if self._closed.wait(min(self.POLL_INTERVAL * 2**failures, 5.0)):
                    return

    def _poll(self) -> None:
        conn = sqlite3.connect(self.path, timeout=self.BUSY_TIMEOUT, check_same_thread=False)
        try:
            last = self._data_version(conn)
            self._fire()  # anything committed before we (re)started looking
            while not self._closed.wait(self.POLL_INTERVAL):
                version = self._data_version(conn)
                if version != last:
                    last = version
                    self._fire()
        finally:
            conn.close()

    def _data_version(self, conn: sqlite3.Connection) -> int:
        """The counter that changes when another connection commits."""
        return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        super().close()
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"
