"""Where a thread is kept: the autosave journal (one kernel), and shared stores (many kernels).

``PostgresStore`` is imported on first use, so psycopg is needed only by those who use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..formats.journal import JournalStore, RecoveryWarning
from .sqlite import SQLiteStore
from .store import SCHEMA_VERSION, SharedStore, StoreError, StoreUnavailable, open_store

if TYPE_CHECKING:
    from .postgres import PostgresStore

__all__ = [
    "SCHEMA_VERSION",
    "JournalStore",
    "PostgresStore",
    "RecoveryWarning",
    "SQLiteStore",
    "SharedStore",
    "StoreError",
    "StoreUnavailable",
    "open_store",
]


def __getattr__(name: str) -> Any:
    if name == "PostgresStore":
        from .postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module 'threadwidget.stores' has no attribute {name!r}")
