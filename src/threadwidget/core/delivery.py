"""Delivering events to user callbacks: after the commit, in ``seq`` order, never re-entrantly.

An engine posts each committed event here after releasing its lock. :meth:`Delivery.drain` runs
the callbacks in the calling thread (Python verbs: their callbacks have run when they return);
:meth:`Delivery.kick` hands them to a background thread (operations from a page or another kernel:
a slow callback must not hold up the next message). One thread delivers at a time, so callbacks
see events in order; an operation made inside a callback is delivered after the current event.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

__all__ = ["Delivery", "host_thread_class"]

log = logging.getLogger("threadwidget")

Job = Callable[[], None]


class Delivery:
    """A queue of callback jobs with one deliverer at a time (see the module docstring)."""

    def __init__(self, name: str = "threadwidget-callbacks") -> None:
        self._queue: deque[Job] = deque()
        self._cv = threading.Condition()
        self._busy: int | None = None  # the thread delivering now
        self._worker: threading.Thread | None = None
        self._closed = False
        self._name = name
        #: Makes the background thread (marimo needs its own Thread class for callbacks that set
        #: reactive state; see :func:`host_thread_class`).
        self.thread_class: type[threading.Thread] = threading.Thread

    def post(self, jobs: list[Job]) -> None:
        """Queue jobs (the engine calls this with its lock held: it only appends)."""
        if not jobs:
            return
        with self._cv:
            self._queue.extend(jobs)
            self._cv.notify_all()

    def drain(self) -> None:
        """Run every queued job in this thread, unless this thread is delivering already (a
        callback's own operation: it runs after the current one) or another thread delivers
        (then wait until it has run ours)."""
        me = threading.get_ident()
        with self._cv:
            if self._busy == me:
                return
            while self._busy is not None:
                self._cv.wait()
            if not self._queue:
                return
            self._busy = me
        self._run_all()

    def _run_all(self) -> None:
        try:
            while True:
                with self._cv:
                    if not self._queue:
                        return
                    job = self._queue.popleft()
                job()  # jobs report their own errors; a BaseException stops delivery here
        finally:
            with self._cv:
                self._busy = None
                self._cv.notify_all()

    def kick(self) -> None:
        """Have the background thread run whatever is queued."""
        with self._cv:
            if self._closed:
                return
            if self._worker is None:
                self._worker = self.thread_class(target=self._loop, name=self._name, daemon=True)
                self._worker.start()
            self._cv.notify_all()

    def _loop(self) -> None:
        me = threading.get_ident()
        while True:
            with self._cv:
                while not self._closed and (not self._queue or self._busy is not None):
                    self._cv.wait()
                if self._closed and not self._queue:
                    return
                self._busy = me
            try:
                self._run_all()
            except BaseException:  # pragma: no cover - jobs catch Exception themselves
                log.exception("threadwidget: callback delivery stopped")

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is queued, then stop the background thread."""
        with self._cv:
            self._closed = True
            self._cv.notify_all()
            worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)


def host_thread_class() -> type[threading.Thread]:
    """The thread class callbacks must run on in this host: ``marimo.Thread`` inside a marimo
    notebook or app (a plain thread there cannot set ``mo.state`` or write output), else the
    standard one."""
    import sys

    marimo = sys.modules.get("marimo")
    if marimo is not None:
        try:
            if marimo.running_in_notebook():
                thread_class: type[threading.Thread] = marimo.Thread
                return thread_class
        except Exception:  # pragma: no cover - an older or broken marimo: plain threads
            log.debug("threadwidget: marimo.Thread not usable", exc_info=True)
    return threading.Thread
