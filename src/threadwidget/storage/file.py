"""Durable autosave: the thread in one SQLite file, the same engine as shared threads.

``ThreadWidget(..., autosave="discussion.db")`` keeps the discussion in the SQLite database at
that path (schema of :mod:`threadwidget.stores.store`, thread id ``main``), every change committed
with ``synchronous=FULL`` before anyone hears of it. The database uses a rollback journal, not
WAL, so the one file the user named holds every acknowledged change even when copied alone; every
reader (``threadwidget.load``, ``ThreadWidget.load``, ``threadwidget info``) reads it.

A new file is written complete under a temporary name and put in place with ``os.link``, which
fails when ``path`` exists: of several kernels creating it at once, one wins and the others open
its file. Opening an existing file of another kind (a saved ``.json``, an export, or an earlier
version's autosave with its ``.journal``) imports it under an exclusive lock on that file: the
original is copied to ``<path>.bak``, then the database replaces it atomically, so a crash at any
moment leaves either the original or the complete database at ``path``, and a kernel that waited
for the lock opens the database.

Reading right after a writer was killed may find a hot journal (a transaction left half done):
:func:`read_database` then rolls it back through a read-write connection, or, where the file
cannot be written, in a private copy of the file and its journal.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..core.models import Thread
from ..formats.database import AUTOSAVE_THREAD, is_database
from ..formats.native import ThreadFileError
from ..stores.sqlite import SQLiteStore
from ..stores.store import StoreError
from .shared import SharedStorage

__all__ = ["FileStorage"]


def _create(path: Path, thread: Thread, *, replace: bool = False) -> bool:
    """Write a new autosave database holding ``thread`` and put it at ``path`` atomically.

    ``replace``: over the file there (an import, under its lock); otherwise only if ``path`` is
    still free (``os.link`` refuses an existing name): False when another kernel was first.
    """
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.unlink(tmp)  # SQLite creates it; mkstemp only reserved a unique name
    try:
        store = SQLiteStore(tmp, journal_mode="DELETE")
        try:
            store.create_thread(AUTOSAVE_THREAD, thread)
        finally:
            store.close()
        if replace:
            shutil.copy2(path, path.with_name(path.name + ".bak"))
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            except OSError:  # a filesystem without hard links: move it there if still free
                if path.exists():
                    return False
                os.replace(tmp, path)
        _fsync_dir(path.parent)
        return True
    finally:
        for leftover in (tmp, tmp + "-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)


@contextlib.contextmanager
def _locked_original(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on the file at ``path`` (waiting for other kernels); yields whether
    it still needs importing (another kernel may have imported it while we waited)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no advisory locks (Windows): import unguarded
        yield not is_database(path)
        return
    while True:
        with open(path, "rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            mine = os.fstat(handle.fileno())
            if current is not None and (current.st_ino, current.st_dev) == (
                mine.st_ino,
                mine.st_dev,
            ):
                yield not is_database(path)
                return
        # the file we locked was replaced meanwhile: lock the one there now


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
            self._guarded(self._import)
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

    def holds(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` names this autosave file (the same file, or the same absolute path)."""
        try:
            return Path(path).samefile(self.path)
        except OSError:
            return Path(path).resolve() == self.path.resolve()

    def _import(self) -> None:
        """Import the file of another kind at :attr:`path` (once, whoever else tries too)."""
        from ..formats import load

        with _locked_original(self.path) as needed:
            if not needed:
                return
            imported = load(self.path)  # any format we read; an old autosave's journal folded
            _create(self.path, imported, replace=True)
            journal = self.path.with_name(self.path.name + ".journal")
            if journal.exists():
                os.replace(journal, self.path.with_name(self.path.name + ".bak.journal"))

    @property
    def shared(self) -> bool:
        return False

    def _unreachable(self, error: Exception) -> str:
        return f"Could not save this change to {self.path} ({error}); nothing changed."

    def _guarded(self, work: Callable[[], object]) -> None:
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
