"""Choosing the storage of a shared thread from what the user gave (or the environment)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..core.models import Thread
from ..core.storage import Storage
from ..stores.store import SharedStore, open_store
from .shared import SharedStorage

__all__ = ["open_shared", "open_storage"]


def open_shared(
    store: SharedStore | str | os.PathLike[str] | None,
    thread_id: str | None,
    thread: Thread | None = None,
    readers: Sequence[str] | None = None,
    writers: Sequence[str] | None = None,
) -> Storage:
    """``ThreadWidget.connect``'s arguments: ``connect("week1")`` names just the thread, giving
    ``readers`` or ``writers`` sets both (see :func:`open_storage`)."""
    if thread_id is None and isinstance(store, str):  # connect("week1")
        store, thread_id = None, store
    if not isinstance(thread_id, str):
        raise TypeError(f"thread_id must be a str, not {type(thread_id).__name__}")
    access = None if readers is None and writers is None else (readers, writers)
    return open_storage(store, thread_id, create=thread, access=access)


def open_storage(
    target: SharedStore | str | os.PathLike[str] | None,
    thread_id: str,
    create: Thread | None = None,
    access: tuple[Sequence[str] | None, Sequence[str] | None] | None = None,
) -> Storage:
    """The storage of shared thread ``thread_id``: the hub's threadwidget service when
    ``target`` is None and JupyterHub runs one, or when it is the service's ``http://`` or
    ``https://`` URL; else the store ``target`` names (None: ``THREADWIDGET_STORE``).
    ``create`` makes the thread if it does not exist yet. ``access``: ``(readers, writers)``
    to set on the service (hub users and ``group:`` names; None: every hub user); a direct
    store cannot keep anyone out, so it refuses them (``ValueError``)."""
    if target is None:
        remote = _service_storage(thread_id, create, access)
        if remote is not None:
            return remote
    if isinstance(target, str) and target.startswith(("http://", "https://")):
        from .service_client import ServiceStorage

        return ServiceStorage(thread_id, target, create=create, access=access)
    if access is not None:
        raise ValueError(
            "readers/writers: only the hub's threadwidget service can keep people out of a "
            "thread (docs/hub.md); a shared store gives every kernel that opens it everything"
        )
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


def _service_storage(
    thread_id: str,
    create: Thread | None,
    access: tuple[Sequence[str] | None, Sequence[str] | None] | None,
) -> Storage | None:
    """The hub service's storage of the thread, when this kernel runs under a hub that has one."""
    from .service_client import from_environment  # httpx loads only for shared threads

    return from_environment(thread_id, create=create, access=access)
