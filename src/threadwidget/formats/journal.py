"""Autosave as earlier versions wrote it: a base file plus an append-only journal of events.

Autosave now keeps the discussion in one SQLite file (:mod:`threadwidget.storage.file`); this
module reads what earlier versions left, so that every such file keeps loading
(:func:`with_legacy_journal`, used by ``threadwidget.load``) and can be imported by ``autosave=``.

``discussion.json`` holds a thread in the normal file format; ``discussion.json.journal`` starts
with a header naming the SHA-256 of that base file, then holds one JSON event per line, each
flushed and fsynced before the event is acknowledged, so a kernel killed at any moment loses
nothing it acknowledged. A journal whose header names another base is stale (a crash between
writing a new base and starting its journal) and is ignored: its events are already in the base.
Loading replays the journal over the base. A torn last line (a crash mid-write, never
acknowledged) is dropped with a warning; damage anywhere else is an error naming the file and
line. Compaction writes the current thread as the new base (atomically, keeping the previous base
as ``.bak``) and starts an empty journal.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from ..core import operations, rules
from ..core.models import Thread
from .native import ThreadFileError, read_thread, write_thread

__all__ = ["JournalStore", "RecoveryWarning", "with_legacy_journal"]


class RecoveryWarning(UserWarning):
    """Loading an autosave dropped a torn, never-acknowledged last journal line."""


class JournalStore:
    """Durable autosave of one thread at ``path`` (see the module docstring for the layout)."""

    #: Compact once the journal holds this many events.
    COMPACT_EVERY = 5000

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.backup_path = self.path.with_name(self.path.name + ".bak")
        self._handle: IO[str] | None = None
        self._count = 0

    def exists(self) -> bool:
        """Whether a saved discussion is there to resume."""
        return self.path.exists()

    def load(self) -> rules.ThreadState:
        """The saved state: the base thread with every journaled event replayed (a torn last
        line is dropped with a warning and the journal compacted)."""
        state, torn = self.replay(read_thread(self.path))
        if torn:
            self.compact(state.to_thread())
        return state

    def replay(self, base: Thread) -> tuple[rules.ThreadState, bool]:
        """``base`` (the thread read from :attr:`path`) with the journal's events replayed,
        without writing anything; and whether a torn last line was dropped."""
        state = rules.ThreadState.from_thread(base)
        if not self.journal_path.exists():
            return state, False
        lines = self.journal_path.read_bytes().split(b"\n")
        torn = lines.pop() if lines and lines[-1] else b""
        if lines and lines[-1] == b"":
            lines.pop()
        if not lines or not self._header_matches(lines[0]):
            return state, False  # no journal yet, or a stale one already folded into the base
        for number, raw in enumerate(lines[1:], start=2):
            try:
                event = operations.parse_event(json.loads(raw))
                rules.commit(state, event)
            except (ValueError, ValidationError, KeyError) as error:
                if number == len(lines) and not torn:
                    # a complete-looking last line that does not parse is a torn write too
                    torn = raw
                    break
                raise ThreadFileError(
                    f"{self.journal_path}: line {number} is not a valid event ({error}); the "
                    f"last good state is {self.path} plus lines 2-{number - 1}"
                ) from error
            self._count += 1
        if torn:
            warnings.warn(
                f"{self.journal_path}: dropped an incomplete last line ({len(torn)} bytes) left by "
                "a crash while writing; it was never acknowledged",
                RecoveryWarning,
                stacklevel=3,
            )
        return state, bool(torn)

    def _base_digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def _header_matches(self, line: bytes) -> bool:
        try:
            header = json.loads(line)
        except ValueError:
            return False
        return isinstance(header, dict) and header.get("base") == self._base_digest()

    def start(self, thread: Thread) -> None:
        """Begin a new autosave with this thread as its base."""
        self.compact(thread)

    def append(self, event: operations.Event) -> None:
        """Write one event durably (returns only once it is on disk)."""
        if self._handle is None:
            self._handle = open(self.journal_path, "a", encoding="utf-8")  # noqa: SIM115
        self._handle.write(event.model_dump_json() + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._count += 1

    def needs_compaction(self) -> bool:
        """Whether the journal is long enough to fold into the base."""
        return self._count >= self.COMPACT_EVERY

    def compact(self, thread: Thread) -> None:
        """Make ``thread`` the new base and empty the journal (the old base becomes ``.bak``)."""
        self.close()
        if self.path.exists():
            shutil.copy2(self.path, self.backup_path)
        write_thread(thread, self.path)
        header = json.dumps({"threadwidget_journal": 1, "base": self._base_digest()})
        tmp = self.journal_path.with_name(self.journal_path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(header + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.journal_path)
        self._count = 0

    def close(self) -> None:
        """Close the journal file (appending reopens it)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def with_legacy_journal(path: Path, base: Thread) -> Thread:
    """``base``, read from ``path``, with the events of an earlier version's autosave journal
    (``<path>.journal``) replayed when there is a current one; read-only."""
    store = JournalStore(path)
    if not store.journal_path.exists():
        return base
    state, _ = store.replay(base)
    return state.to_thread()
