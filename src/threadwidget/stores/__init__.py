"""Where a thread is kept between kernels: the autosave journal."""

from .journal import JournalStore, RecoveryWarning

__all__ = ["JournalStore", "RecoveryWarning"]
