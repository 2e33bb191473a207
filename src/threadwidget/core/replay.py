"""The thread as it stood at any moment: comments by their times, then the event log replayed.

A loaded thread carries no history before it was loaded, only each comment's ``created_at``; what
happened since is in the stored event log. :func:`thread_at` combines both, so a class can step
from the first comment of an imported discussion to the edits and deletions made in class.
Replacing the thread (``w.thread = t``) keeps ``t``'s history too: at a moment when ``t`` already
had comments (or after the replacement) the thread is ``t`` as of then, its comments at their own
times; before that, the thread it replaced.

The log is in ``seq`` order, which is the order things happened; the times in it may disagree
(kernels on machines whose clocks differ). A moment is therefore the latest time seen so far
along the log, and the thread at ``when`` is the log up to the last event whose moment is not
after ``when``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from . import operations, rules
from .models import Comment, Thread

__all__ = ["moments", "thread_at"]


def thread_at(base: Thread, events: Iterable[operations.Recorded], when: datetime) -> Thread:
    """``base`` without the comments written after ``when``, then every event up to ``when``.

    Comments of ``base`` appear at their ``created_at``; their later edits and deletions are only
    known from events. ``when`` must be timezone-aware.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("when must be timezone-aware (for example datetime.now(timezone.utc))")
    state = _as_of(base, when)
    latest: datetime | None = None
    stopped = False
    for event in events:
        if isinstance(event, operations.ReplaceEvent):
            if event.at <= when or any(c.created_at <= when for c in event.thread.comments):
                # the new thread existed by then: it stands, its comments at their own times
                state, latest, stopped = _as_of(event.thread, when), None, False
            else:
                stopped = True  # it and its events come later: the earlier thread stands
            continue
        if stopped:
            continue  # only a later replacement matters now
        latest = event.at if latest is None or event.at > latest else latest
        if latest > when:
            stopped = True  # everything later in seq order happened after this moment
        # post events (a thread lock, the post's extra data) have id None
        elif (
            isinstance(event, operations.AddEvent) or event.id is None or event.id in state.comments
        ):
            rules.commit(state, event)
    return Thread(post=state.post, comments=tuple(_with_ancestors(state.comments)))


def moments(base: Thread, events: Iterable[operations.Recorded]) -> list[datetime]:
    """Every time at which the thread changed, oldest first (the stops of a timeline); a
    replacement adds the new thread's comment times. Streams ``events``."""
    times = {c.created_at for c in base.comments}
    latest: datetime | None = None
    for event in events:
        if isinstance(event, operations.ReplaceEvent):
            times.update(c.created_at for c in event.thread.comments)
        latest = event.at if latest is None or event.at > latest else latest
        times.add(latest)
    return sorted(times)


def _as_of(thread: Thread, when: datetime) -> rules.ThreadState:
    """``thread`` without the comments written after ``when``."""
    return rules.ThreadState(
        post=thread.post,
        comments={c.id: c for c in thread.comments if c.created_at <= when},
    )


def _with_ancestors(comments: dict[str, Comment]) -> list[Comment]:
    """The comments whose every ancestor is present too (imported times may disagree)."""
    kept: dict[str, bool] = {}

    def present(comment_id: str | None) -> bool:
        path: list[str] = []
        while comment_id is not None and comment_id not in kept:
            if comment_id not in comments:
                break
            path.append(comment_id)
            comment_id = comments[comment_id].parent_id
        ok = comment_id is None or kept.get(comment_id, False)
        for item in path:
            kept[item] = ok
        return ok

    return [c for c in comments.values() if present(c.id)]
