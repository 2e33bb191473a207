"""Choosing the storage of a shared thread from what the user gave (or the environment)."""

from __future__ import annotations

import os

from ..core.models import Thread
from ..core.storage import Storage
from ..stores.store import SharedStore, open_store
from .shared import SharedStorage

__all__ = ["open_storage"]


def open_storage(
    target: SharedStore | str | os.PathLike[str] | None,
    thread_id: str,
    create: Thread | None = None,
) -> Storage:
    """The storage of shared thread ``thread_id``: the hub's threadwidget service when
    ``target`` is None and JupyterHub runs one, or when it is the service's ``http://`` or
    ``https://`` URL; else the store ``target`` names (None: ``THREADWIDGET_STORE``).
    ``create`` makes the thread if it does not exist yet."""
    if target is None:
        remote = _service_storage(thread_id, create)
        if remote is not None:
            return remote
    if isinstance(target, str) and target.startswith(("http://", "https://")):
        from .service_client import ServiceStorage

        return ServiceStorage(thread_id, target, create=create)
    owned = not isinstance(target, SharedStore)
    store = open_store(target)
    try:
        if create is not None:
            store.create_thread(thread_id, create, exist_ok=True)
        if thread_id not in store.list_threads():
            raise KeyError(f"no shared thread {thread_id!r} in {store!r} (create it with thread=)")
        return SharedStorage(store, thread_id, owned=owned)
    except BaseException:
        if owned:
            store.close()
        raise


def _service_storage(thread_id: str, create: Thread | None) -> Storage | None:
    """The hub service's storage of the thread, when this kernel runs under a hub that has one."""
    from .service_client import from_environment  # httpx loads only for shared threads

    return from_environment(thread_id, create=create)
