"""``follow(widget, url)``: poll a source and bring a ThreadWidget in step with it.

New comments are added (parents first), changed bodies edited, comments deleted or removed at the
source deleted or removed here; each source comment is matched by id, so none is added twice and
none is lost. Everything goes through the widget's public ``apply`` as trusted Python code.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..core.models import Comment, ModerationAction, Thread
from ..core.operations import AddComment, DeleteComment, EditComment, Moderate, Operation

__all__ = ["MAX_ERRORS", "Follower", "Stopped", "SyncResult", "Target", "follow", "sync"]

#: How many errors a follower keeps (the newest).
MAX_ERRORS = 100


class Stopped(Exception):
    """The follower was stopped while it waited (between retries, or before a change)."""


_ACTIONS: dict[str, ModerationAction] = {"removed": "remove", "hidden": "hide", "spam": "spam"}


class Target(Protocol):
    """What ``follow`` needs of a widget: its thread and ``apply`` (ThreadWidget has both)."""

    @property
    def thread(self) -> Thread: ...

    def apply(self, op: Operation, actor: str | None = None) -> Any: ...


@dataclass
class SyncResult:
    """What one poll changed: ids added, edited, deleted/removed, and refusals (id, reason)."""

    added: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _apply(target: Target, op: Operation, actor: str, result: SyncResult, cid: str) -> bool:
    try:
        target.apply(op, actor=actor)
    except ValueError as error:  # OperationRejected, or a validator's refusal
        result.refused.append((cid, str(error)))
        return False
    return True


def _add(target: Target, comment: Comment, parent: str | None, result: SyncResult) -> None:
    extra = {
        **comment.extra,
        "source_created_at": comment.created_at.isoformat(),
        "source_author": comment.author,
    }
    body = comment.body if comment.body.strip() else "[deleted]"
    op = AddComment(id=comment.id, parent_id=parent, body=body, extra=extra)
    if not _apply(target, op, comment.author, result, comment.id):
        return
    result.added.append(comment.id)
    if comment.status == "deleted":
        _apply(target, DeleteComment(id=comment.id), comment.author, result, comment.id)
    elif comment.status in ("removed", "hidden", "spam"):
        reason = comment.moderation.reason if comment.moderation else ""
        by = comment.moderation.by if comment.moderation else "source"
        moderate = Moderate(id=comment.id, action=_ACTIONS[comment.status], reason=reason)
        _apply(target, moderate, by, result, comment.id)


def sync(target: Target, fresh: Thread) -> SyncResult:
    """Bring ``target`` in step with ``fresh`` (a newer fetch of the same thread), once."""
    result = SyncResult()
    current = target.thread
    pending = [c for c in fresh.comments if c.id not in current]
    present = {c.id for c in current.comments}
    while pending:  # parents before children, whatever order the source gave
        ready = [c for c in pending if c.parent_id is None or c.parent_id in present]
        if not ready:  # a parent never arrived: keep the replies, at the top level
            ready = pending[:1]
            ready[0] = ready[0].model_copy(update={"parent_id": None})
        for comment in ready:
            parent = comment.parent_id
            if parent is not None and current_status(target, parent) == "deleted":
                parent = None  # one cannot reply to a deleted comment here
            _add(target, comment, parent, result)
            present.add(comment.id)
        done = {c.id for c in ready}
        pending = [c for c in pending if c.id not in done]
    for comment in fresh.comments:
        if comment.id not in current:
            continue
        old = current.get(comment.id)
        if old.status == "visible" and comment.status == "deleted":
            if _apply(target, DeleteComment(id=old.id), old.author, result, old.id):
                result.deleted.append(old.id)
        elif old.status == "visible" and comment.status == "removed":
            reason = comment.moderation.reason if comment.moderation else ""
            by = comment.moderation.by if comment.moderation else "source"
            op = Moderate(id=old.id, action="remove", reason=reason)
            if _apply(target, op, by, result, old.id):
                result.deleted.append(old.id)
        elif (
            old.status == "visible"
            and comment.status == "visible"
            and comment.body.strip()
            and comment.body != old.body
        ):
            op_edit = EditComment(id=old.id, body=comment.body)
            if _apply(target, op_edit, old.author, result, old.id):
                result.edited.append(old.id)
    return result


def current_status(target: Target, comment_id: str) -> str | None:
    """The status of a comment in the target now (None when it is not there)."""
    thread = target.thread
    return thread.get(comment_id).status if comment_id in thread else None


def _closed(target: object) -> bool:
    """True once an ipywidget is closed (``comm`` becomes None), or ``closed`` is true."""
    if getattr(target, "closed", False) is True:
        return True
    return hasattr(target, "comm") and getattr(target, "comm", None) is None


class _Guarded:
    """The target as a poll sees it: no change once the follower is stopped."""

    def __init__(self, target: Target, stop: threading.Event) -> None:
        self._target = target
        self._stop = stop

    @property
    def thread(self) -> Thread:
        return self._target.thread

    def apply(self, op: Operation, actor: str | None = None) -> Any:
        if self._stop.is_set() or _closed(self._target):
            raise Stopped("stopped")
        return self._target.apply(op, actor=actor)


class Follower:
    """A running ``follow``: ``stop()`` ends it; ``poll()`` runs one step now."""

    def __init__(
        self,
        target: Target,
        url: str,
        every: float,
        fetcher: Callable[[], Thread],
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        self.target = target
        self.url = url
        self.every = every
        self.polls = 0
        self.last: SyncResult | None = None
        self.errors: deque[BaseException] = deque(maxlen=MAX_ERRORS)
        self._fetch = fetcher
        self._on_error = on_error
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"follow {url}", daemon=True)

    @property
    def running(self) -> bool:
        """True until stopped (by ``stop()`` or the widget closing)."""
        return self._thread.is_alive() and not self._stop.is_set()

    def poll(self) -> SyncResult | None:
        """Fetch once and apply the differences; errors are kept in ``errors`` (the last
        :data:`MAX_ERRORS`, and reported)."""
        with self._lock:
            if _closed(self.target):
                self._stop.set()
            if self._stop.is_set():
                return None
            try:
                fresh = self._fetch()
                self.last = sync(_Guarded(self.target, self._stop), fresh)
            except Stopped:
                return None
            except Exception as error:  # a network failure must not end a lesson
                self.errors.append(error)
                if self._on_error is not None:
                    self._on_error(error)
                return None
            finally:
                self.polls += 1
            return self.last

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop polling and wait (up to ``timeout`` seconds) for a poll in progress to end. Its
        waits end at once and it changes nothing more; a request already on the wire is left to
        its own timeout, its answer unused."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            if self._stop.wait(self.every):
                break

    def sleep(self, seconds: float) -> None:
        """Wait between requests (retries, politeness): :class:`Stopped` as soon as stopped."""
        if self._stop.wait(seconds) or self._stop.is_set():
            raise Stopped(self.url)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Follower {self.url} every {self.every:g}s, {state}, {self.polls} polls>"


def follow(
    target: Target,
    url: str,
    every: float = 60,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    start: bool = True,
    **fetch_options: Any,
) -> Follower:
    """Poll ``url`` every ``every`` seconds (the first time at once) and keep ``target`` in step.

    ``fetch_options`` go to :func:`threadwidget.fetch` (``base_urls``, ``token``, ...); every
    poll bypasses the cache (and refreshes it). Comments are added with the source's id, author
    (as the acting user) and parent; the source's time is kept in ``extra["source_created_at"]``.
    Returns a :class:`Follower`; ``stop()`` ends it, and so does closing the widget. A failed poll
    (a :class:`~threadwidget.FetchError`) is kept in ``errors`` and polling goes on.
    """
    from . import fetch, find_source

    if every <= 0:
        raise ValueError(f"every must be a positive number of seconds, not {every!r}")
    find_source(url)  # an unknown URL is said now, not on every poll
    options = {"progress": False, **fetch_options, "refresh": True}
    follower: Follower
    options.setdefault("sleep", lambda seconds: follower.sleep(seconds))
    follower = Follower(target, url, every, lambda: fetch(url, **options), on_error)
    if start:
        follower._thread.start()
    return follower
