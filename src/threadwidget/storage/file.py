"""Durable autosave: the thread in one SQLite file, the same engine as shared threads.

``ThreadWidget(..., autosave="discussion.db")`` keeps the discussion in the SQLite database at
that path (schema of :mod:`threadwidget.stores.store`, thread id ``main``), every change committed
with ``synchronous=FULL`` before anyone hears of it. The database uses a rollback journal, not
WAL, so the one file the user named holds every acknowledged change even when copied alone; every
reader (``threadwidget.load``, ``ThreadWidget.load``, ``threadwidget info``) reads it.

Opening an existing file of another kind (a saved ``.json``, an export, or an earlier version's
autosave with its ``.journal``) imports it: the original is copied to ``<path>.bak``, then the
database replaces it atomically, so a crash at any moment leaves either the original or the
complete database at ``path``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..core.models import Thread
from ..formats.database import AUTOSAVE_THREAD, is_database
from ..formats.native import ThreadFileError
from ..stores.sqlite import SQLiteStore
from ..stores.store import StoreError
from .shared import SharedStorage

__all__ = ["FileStorage"]


def _create(path: Path, thread: Thread) -> None:
    """Write a new autosave database holding ``thread`` and move it to ``path`` atomically."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.unlink(tmp)  # SQLite creates it; mkstemp only reserved a unique name
    try:
        store = SQLiteStore(tmp, journal_mode="DELETE")
        try:
            store.create_thread(AUTOSAVE_THREAD, thread)
        finally:
            store.close()
        if path.exists():
            shutil.copy2(path, path.with_name(path.name + ".bak"))
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        for leftover in (tmp, tmp + "-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileStorage(SharedStorage):
    """The autosave database at ``path``, created from ``thread`` when missing (see the module
    docstring); a file of another kind there is imported first."""

    def __init__(self, path: str | os.PathLike[str], thread: Thread | None = None) -> None:
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise ThreadFileError(f"{self.path}: the folder {self.path.parent} does not exist")
        if not self.path.exists():
            self._guarded(lambda: _create(self.path, thread or Thread()))
        elif not is_database(self.path):
            from ..formats import load

            imported = load(self.path)  # any format we read; an old autosave's journal folded
            self._guarded(lambda: _create(self.path, imported))
            journal = self.path.with_name(self.path.name + ".journal")
            if journal.exists():
                os.replace(journal, self.path.with_name(self.path.name + ".bak.journal"))
        try:
            store = SQLiteStore(self.path, journal_mode="DELETE")
        except (sqlite3.Error, StoreError) as error:
            raise ThreadFileError(f"{self.path}: cannot open the autosave ({error})") from error
        super().__init__(store, AUTOSAVE_THREAD, owned=True)
        try:
            if AUTOSAVE_THREAD not in store.list_threads():
                raise ThreadFileError(
                    f"{self.path}: an SQLite database without an autosaved thread (a shared "
                    "store? open it with ThreadWidget.connect)"
                )
        except BaseException:
            store.close()
            raise

    @property
    def shared(self) -> bool:
        return False

    def _unreachable(self, error: Exception) -> str:
        return f"Could not save this change to {self.path} ({error}); nothing changed."

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except OSError as error:
            raise ThreadFileError(
                f"{self.path}: cannot write the autosave ({error.strerror or error})"
            ) from error
        except sqlite3.Error as error:
            raise ThreadFileError(f"{self.path}: cannot write the autosave ({error})") from error

    def __repr__(self) -> str:
        return f"FileStorage({str(self.path)!r})"
