"""threadwidget's own SQLite files, read even right after a crash: an autosave file or a store.

Written by :mod:`threadwidget.storage.file` and :mod:`threadwidget.stores` (schema of
:mod:`threadwidget.stores.store`); read here so that ``threadwidget.load`` opens them like any
other thread file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from ..core import operations, rules
from ..core.models import Thread, thread_from_json
from .native import ThreadFileError

__all__ = ["AUTOSAVE_THREAD", "is_database", "read_database", "sqlite_uri"]

#: The id of the one thread in an autosave database.
AUTOSAVE_THREAD = "main"
_MAGIC = b"SQLite format 3\x00"


def is_database(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is an SQLite database (an autosave file or a shared store)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_MAGIC)) == _MAGIC
    except OSError:
        return False


def sqlite_uri(path: str | os.PathLike[str], **query: str) -> str:
    """A ``file:`` URI for SQLite naming exactly ``path`` (``#``, ``?``, ``%`` escaped)."""
    quoted = urllib.parse.quote(os.path.abspath(os.fspath(path)))
    return f"file:{quoted}" + (f"?{urllib.parse.urlencode(query)}" if query else "")


def _hot_journal(path: Path) -> bool:
    """Whether a rollback journal is left next to ``path`` (a writer died mid-transaction)."""
    try:
        return os.path.getsize(f"{path}-journal") > 0
    except OSError:
        return False


@contextlib.contextmanager
def _reader(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to read ``path``: read-only, unless a hot journal must be rolled back first
    (read-write then; where the file is not writable, in a private copy with its journal)."""
    if not path.exists():
        raise ThreadFileError(f"{path}: no such file")
    with tempfile.TemporaryDirectory(prefix="threadwidget-read-") as scratch:
        mode = "ro"
        target = path
        if _hot_journal(path):
            if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
                mode = "rw"
            else:  # roll the journal back in a copy: the original stays as it is
                target = Path(scratch) / "copy.db"
                shutil.copyfile(path, target)
                with contextlib.suppress(FileNotFoundError):
                    shutil.copyfile(f"{path}-journal", f"{target}-journal")
                mode = "rw"
        try:
            conn = sqlite3.connect(sqlite_uri(target, mode=mode), uri=True, timeout=30)
        except sqlite3.Error as error:
            raise ThreadFileError(f"{path}: cannot open the database ({error})") from error
        try:
            yield conn
        finally:
            conn.close()


def read_database(path: str | os.PathLike[str], select: str | None = None) -> Thread:
    """The latest thread in an SQLite file: the autosave thread, the only thread, or the shared
    thread named by ``select``. Errors name the file."""
    path = Path(path)
    with _reader(path) as conn:
        try:
            conn.execute("BEGIN")
            ids = [row[0] for row in conn.execute("SELECT id FROM tw_threads ORDER BY id")]
            if select is None:
                select = AUTOSAVE_THREAD if AUTOSAVE_THREAD in ids or len(ids) != 1 else ids[0]
            if select not in ids:
                have = ", ".join(repr(i) for i in ids) or "none"
                raise ThreadFileError(
                    f"{path}: no thread {select!r} in this database (threads: {have}); "
                    "choose one with select="
                )
            seq, raw = conn.execute(
                "SELECT seq, thread_json FROM tw_snapshots WHERE thread_id = ?", (select,)
            ).fetchone()
            state = rules.ThreadState.from_thread(thread_from_json(raw))
            rows = conn.execute(
                "SELECT event_json FROM tw_events WHERE thread_id = ? AND seq > ? ORDER BY seq",
                (select, seq),
            )
            for (event_json,) in rows:
                rules.commit(state, operations.parse_recorded_json(event_json))
            return state.to_thread()
        except sqlite3.Error as error:
            raise ThreadFileError(
                f"{path}: not a readable threadwidget database ({error})"
            ) from error
