"""The rules: :func:`check` decides an operation, :func:`commit` applies an event; the only way a
thread changes. (The operations and events themselves are defined in
:mod:`threadwidget.core.operations` and re-exported here.)

An *operation* is what someone asks for ("add this reply"); it carries no identity and no time.
:func:`check` decides, against the current state and the :class:`Context` (who asks, when, with
which rights), whether it is allowed, and returns the *event*: the operation with every decided
field filled in. :func:`commit` applies an event to a :class:`ThreadState`. The browser mirrors
``commit`` exactly (``js/src/state.ts``); a journal or a replay re-runs ``commit`` over
stored events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Literal

from .likers import Likers
from .models import Comment, CommentStatus, Extra, Flag, Lock, Moderation, Post, Thread, utcnow
from .operations import (
    AddComment,
    AddEvent,
    DeleteComment,
    DeleteEvent,
    EditComment,
    EditEvent,
    Event,
    FlagComment,
    FlagEvent,
    LabelComment,
    LabelEvent,
    Like,
    LikeEvent,
    LockEvent,
    LockThread,
    Moderate,
    ModerateEvent,
    Operation,
    Pin,
    PinEvent,
    Recorded,
    ReplaceEvent,
    SetExtra,
    SetExtraEvent,
    Unflag,
    UnflagEvent,
    Unlike,
    UnlikeEvent,
    Vote,
    VoteEvent,
)

__all__ = [
    "ROLES",
    "Context",
    "OperationRejected",
    "Role",
    "ThreadState",
    "apply",
    "check",
    "commit",
]

# --- state and rules ---------------------------------------------------------------------------


class OperationRejected(ValueError):
    """An operation was refused; ``reason`` is written for the person who asked, ``field`` names
    the part of the operation at fault (or None)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


#: Who may do what: readers only read; participants write, like, vote, flag and label;
#: moderators also hide, mark spam, remove, pin and lock.
Role = Literal["reader", "participant", "moderator"]
ROLES: tuple[Role, ...] = ("reader", "participant", "moderator")


@dataclass(frozen=True)
class Context:
    """Who asks and with which rights: ``trusted`` is Python code in the kernel (may edit anyone's
    comments and ignores roles, locks and ``read_only``); browsers are never trusted.

    ``votes`` is the voting model's set of choices (empty: the likes model); ``labels`` the
    label set of a labelling exercise (empty: labelling is off).
    """

    actor: str
    trusted: bool = False
    read_only: bool = False
    now: datetime = field(default_factory=utcnow)
    role: Role = "participant"
    votes: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()

    @property
    def moderator(self) -> bool:
        """True for trusted code and for moderators."""
        return self.trusted or self.role == "moderator"


@dataclass
class ThreadState:
    """The current thread, indexed by comment id so that each operation costs O(1).

    Change it only through :func:`apply` / :func:`commit`; ``seq`` counts the events committed.
    """

    post: Post
    comments: dict[str, Comment]
    seq: int = 0
    #: comment id -> the set of its likers, built on first use and kept by commit(): "already
    #: liked?" is O(1) however many people like a comment
    likers: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)

    def likers_of(self, comment_id: str) -> set[str]:
        """The users who like a comment (an index kept in step with ``liked_by``)."""
        found = self.likers.get(comment_id)
        if found is None:
            found = self.likers[comment_id] = set(self.comments[comment_id].liked_by)
        return found

    @classmethod
    def from_thread(cls, thread: Thread) -> ThreadState:
        """Index a validated thread."""
        comments = thread.comments  # C-level: the ids and comments zipped, no Python loop
        ids = map(attrgetter("id"), comments)
        return cls(post=thread.post, comments=dict(zip(ids, comments, strict=True)))

    def to_thread(self) -> Thread:
        """A validated, immutable snapshot."""
        return Thread(post=self.post, comments=tuple(self.comments.values()))

    def __iter__(self) -> Iterator[Comment]:
        return iter(self.comments.values())


def _target(state: ThreadState, comment_id: str) -> Comment:
    comment = state.comments.get(comment_id)
    if comment is None:
        raise OperationRejected(f"There is no comment with id {comment_id!r}.", "id")
    return comment


_GONE = {
    "deleted": "was deleted",
    "hidden": "was hidden by a moderator",
    "spam": "was marked as spam",
    "removed": "was removed by a moderator",
}


def _alive(comment: Comment, ctx: Context, verb: str, field: str = "id") -> None:
    """Refuse acting on a deleted comment, and (for non-moderators) on a moderated one."""
    if comment.status == "deleted" or (comment.status != "visible" and not ctx.moderator):
        raise OperationRejected(
            f"This comment {_GONE[comment.status]}; it cannot be {verb}.", field
        )


def _own_and_alive(comment: Comment, ctx: Context, verb: str) -> None:
    _alive(comment, ctx, verb)
    if not ctx.trusted and comment.author != ctx.actor:
        raise OperationRejected(
            f"Only the author can change this comment ({comment.author}); you are {ctx.actor}.",
            "id",
        )


def _lock_of(state: ThreadState, comment_id: str | None) -> Lock | None:
    """The lock covering a comment (its own or an ancestor's) or, for None, the thread's."""
    seen: set[str] = set()
    current = comment_id
    while current is not None and current not in seen:
        seen.add(current)
        comment = state.comments.get(current)
        if comment is None:
            break
        if comment.locked is not None:
            return comment.locked
        current = comment.parent_id
    return state.post.locked


def _not_locked(state: ThreadState, comment_id: str | None, ctx: Context, field: str) -> None:
    if ctx.moderator:
        return
    lock = _lock_of(state, comment_id)
    if lock is not None:
        where = "This discussion" if lock is state.post.locked else "This part of the discussion"
        why = f": {lock.reason}" if lock.reason else "."
        raise OperationRejected(f"{where} is locked by {lock.by}{why}", field)


def _may(ctx: Context, op: Operation) -> None:
    """Role checks: what the asker's role allows, before looking at the thread."""
    if ctx.trusted:
        return
    if ctx.read_only:
        raise OperationRejected("This discussion is read-only.")
    if ctx.role == "reader":
        raise OperationRejected(
            "Readers cannot change this discussion (your role is reader).", "type"
        )
    if isinstance(op, Moderate | Pin | LockThread) and ctx.role != "moderator":
        raise OperationRejected("Only moderators can do this.", "type")
    if isinstance(op, SetExtra) or (isinstance(op, AddComment) and op.extra):
        raise OperationRejected("Only Python code can set extra data.", "extra")


#: status a comment must have for each moderation action, and the status it gets
_TRANSITIONS: dict[str, tuple[frozenset[str], CommentStatus]] = {
    "hide": (frozenset({"visible"}), "hidden"),
    "unhide": (frozenset({"hidden"}), "visible"),
    "spam": (frozenset({"visible", "hidden"}), "spam"),
    "not_spam": (frozenset({"spam"}), "visible"),
    "remove": (frozenset({"visible", "hidden", "spam"}), "removed"),
    "restore": (frozenset({"removed"}), "visible"),
}


def _fits_the_model(ctx: Context, op: Operation) -> None:
    """The voting model and the label set bind Python code too: data no view could show is a
    mistake, not a choice."""
    if isinstance(op, Like | Unlike) and ctx.votes:
        raise OperationRejected("This discussion uses votes, not likes.", "type")
    if isinstance(op, Vote) and not ctx.votes:
        raise OperationRejected("This discussion uses likes, not votes (see voting).", "type")
    if isinstance(op, LabelComment) and not ctx.labels:
        raise OperationRejected(
            "There is no labelling exercise in this discussion (see label_set).", "type"
        )


def check(state: ThreadState, op: Operation, ctx: Context) -> Event:
    """Decide an operation against the state without changing it: the event, or
    :class:`OperationRejected` with a reason for the user."""
    _may(ctx, op)
    _fits_the_model(ctx, op)
    if isinstance(op, AddComment):
        if op.id in state.comments:
            raise OperationRejected(f"A comment with id {op.id!r} already exists.", "id")
        if op.parent_id is not None:
            parent = state.comments.get(op.parent_id)
            if parent is None:
                raise OperationRejected(
                    f"The comment you reply to ({op.parent_id!r}) does not exist.", "parent_id"
                )
            if parent.status == "deleted":
                raise OperationRejected(
                    "The comment you reply to was deleted; your reply was not posted.", "parent_id"
                )
            _alive(parent, ctx, "answered", "parent_id")
        _not_locked(state, op.parent_id, ctx, "parent_id")
        if not op.body.strip():
            raise OperationRejected("A comment cannot be empty.", "body")
        comment = Comment(
            id=op.id,
            parent_id=op.parent_id,
            author=ctx.actor,
            body=op.body,
            created_at=ctx.now,
            extra=op.extra,
        )
        return AddEvent(comment=comment, actor=ctx.actor, at=ctx.now)
    if isinstance(op, EditComment):
        comment = _target(state, op.id)
        _own_and_alive(comment, ctx, "edited")
        _not_locked(state, op.id, ctx, "id")
        if not op.body.strip():
            raise OperationRejected("A comment cannot be empty; delete it instead.", "body")
        return EditEvent(id=op.id, body=op.body, edited_at=ctx.now, actor=ctx.actor, at=ctx.now)
    if isinstance(op, DeleteComment):
        comment = _target(state, op.id)
        _own_and_alive(comment, ctx, "deleted again")
        return DeleteEvent(id=op.id, actor=ctx.actor, at=ctx.now)
    if isinstance(op, Like):
        comment = _target(state, op.id)
        if comment.status == "deleted":
            raise OperationRejected("A deleted comment cannot be liked.", "id")
        _alive(comment, ctx, "liked")
        if ctx.actor in state.likers_of(op.id):
            raise OperationRejected("You already like this comment.", "id")
        return LikeEvent(
            id=op.id, user=ctx.actor, likes=comment.likes + 1, actor=ctx.actor, at=ctx.now
        )
    if isinstance(op, Unlike):
        comment = _target(state, op.id)
        if ctx.actor not in state.likers_of(op.id):
            raise OperationRejected("You have not liked this comment.", "id")
        return UnlikeEvent(
            id=op.id, user=ctx.actor, likes=comment.likes - 1, actor=ctx.actor, at=ctx.now
        )
    if isinstance(op, FlagComment):
        comment = _target(state, op.id)
        _alive(comment, ctx, "reported")
        if comment.author == ctx.actor and not ctx.trusted:
            raise OperationRejected("You cannot report your own comment.", "id")
        if any(f.user == ctx.actor for f in comment.flags):
            raise OperationRejected("You already reported this comment.", "id")
        return FlagEvent(
            id=op.id, user=ctx.actor, reason=op.reason.strip(), actor=ctx.actor, at=ctx.now
        )
    if isinstance(op, Unflag):
        comment = _target(state, op.id)
        if not any(f.user == ctx.actor for f in comment.flags):
            raise OperationRejected("You have not reported this comment.", "id")
        return UnflagEvent(id=op.id, user=ctx.actor, actor=ctx.actor, at=ctx.now)
    if isinstance(op, Moderate):
        comment = _target(state, op.id)
        if comment.status == "deleted":
            raise OperationRejected(
                "Its author deleted this comment; there is nothing to moderate.", "id"
            )
        allowed, status = _TRANSITIONS[op.action]
        if comment.status not in allowed:
            raise OperationRejected(
                f"Cannot {op.action.replace('_', ' ')} a comment that is {comment.status}.",
                "action",
            )
        return ModerateEvent(
            id=op.id,
            action=op.action,
            reason=op.reason.strip(),
            status=status,
            actor=ctx.actor,
            at=ctx.now,
        )
    if isinstance(op, Pin):
        comment = _target(state, op.id)
        if comment.pinned == op.pinned:
            raise OperationRejected(
                "This comment is already pinned." if op.pinned else "This comment is not pinned.",
                "pinned",
            )
        if op.pinned and comment.status == "deleted":
            raise OperationRejected("Its author deleted this comment; it cannot be pinned.", "id")
        return PinEvent(
            id=op.id, pinned=op.pinned, reason=op.reason.strip(), actor=ctx.actor, at=ctx.now
        )
    if isinstance(op, LockThread):
        current = state.post.locked if op.id is None else _target(state, op.id).locked
        if (current is not None) == op.locked:
            what = "discussion" if op.id is None else "comment"
            state_word = "locked" if op.locked else "not locked"
            raise OperationRejected(f"This {what} is already {state_word}.", "locked")
        return LockEvent(
            id=op.id, locked=op.locked, reason=op.reason.strip(), actor=ctx.actor, at=ctx.now
        )
    if isinstance(op, Vote):
        comment = _target(state, op.id)
        _alive(comment, ctx, "voted on")
        if op.choice is not None and ctx.votes and op.choice not in ctx.votes:
            choices = ", ".join(sorted(ctx.votes))
            raise OperationRejected(
                f"Unknown vote {op.choice!r}; choose one of {choices}.", "choice"
            )
        if comment.votes.get(ctx.actor) == op.choice:
            raise OperationRejected(
                "You have not voted on this comment."
                if op.choice is None
                else "You already voted that.",
                "choice",
            )
        return VoteEvent(id=op.id, user=ctx.actor, choice=op.choice, actor=ctx.actor, at=ctx.now)
    if isinstance(op, LabelComment):
        comment = _target(state, op.id)
        _alive(comment, ctx, "labelled")
        if op.label is not None and ctx.labels and op.label not in ctx.labels:
            labels = ", ".join(sorted(ctx.labels))
            raise OperationRejected(f"Unknown label {op.label!r}; choose one of {labels}.", "label")
        if comment.labels.get(ctx.actor) == op.label:
            raise OperationRejected(
                "You have not labelled this comment."
                if op.label is None
                else "You already chose this label.",
                "label",
            )
        return LabelEvent(id=op.id, user=ctx.actor, label=op.label, actor=ctx.actor, at=ctx.now)
    if isinstance(op, SetExtra):
        if op.id is not None:
            _target(state, op.id)
        if not op.extra:
            raise OperationRejected("Nothing to set: extra is empty.", "extra")
        return SetExtraEvent(id=op.id, extra=op.extra, actor=ctx.actor, at=ctx.now)
    raise OperationRejected(f"Unknown operation {type(op).__name__}.", "type")  # pragma: no cover


def _merged(old: Extra, patch: Extra) -> Extra:
    merged = {**old, **patch}
    return {k: v for k, v in merged.items() if v is not None}


def commit(state: ThreadState, event: Recorded) -> None:
    """Apply a decided event to the state in O(1); the browser's mirror does exactly this."""
    comments = state.comments
    if isinstance(event, ReplaceEvent):
        state.post = event.thread.post
        state.comments = {c.id: c for c in event.thread.comments}
        state.likers.clear()
    elif isinstance(event, AddEvent):
        comments[event.comment.id] = event.comment
    elif isinstance(event, EditEvent):
        old = comments[event.id]
        comments[event.id] = old.model_copy(
            update={"body": event.body, "edited_at": event.edited_at}
        )
    elif isinstance(event, DeleteEvent):
        old = comments[event.id]
        comments[event.id] = old.model_copy(update={"status": "deleted", "body": ""})
    elif isinstance(event, LikeEvent):
        old = comments[event.id]
        liked_by = Likers.of(old.liked_by).plus(event.user)  # constant time: see core/likers.py
        comments[event.id] = old.model_copy(update={"likes": event.likes, "liked_by": liked_by})
        if event.id in state.likers:
            state.likers[event.id].add(event.user)
    elif isinstance(event, UnlikeEvent):
        old = comments[event.id]
        liked_by = Likers.of(old.liked_by).minus(event.user)
        comments[event.id] = old.model_copy(update={"likes": event.likes, "liked_by": liked_by})
        if event.id in state.likers:
            state.likers[event.id].discard(event.user)
    elif isinstance(event, FlagEvent):
        old = comments[event.id]
        flag = Flag(user=event.user, at=event.at, reason=event.reason)
        comments[event.id] = old.model_copy(update={"flags": (*old.flags, flag)})
    elif isinstance(event, UnflagEvent):
        old = comments[event.id]
        flags = tuple(f for f in old.flags if f.user != event.user)
        comments[event.id] = old.model_copy(update={"flags": flags})
    elif isinstance(event, ModerateEvent):
        old = comments[event.id]
        record = Moderation(action=event.action, by=event.actor, at=event.at, reason=event.reason)
        comments[event.id] = old.model_copy(update={"status": event.status, "moderation": record})
    elif isinstance(event, PinEvent):
        comments[event.id] = comments[event.id].model_copy(update={"pinned": event.pinned})
    elif isinstance(event, LockEvent):
        lock = Lock(by=event.actor, at=event.at, reason=event.reason) if event.locked else None
        if event.id is None:
            state.post = state.post.model_copy(update={"locked": lock})
        else:
            comments[event.id] = comments[event.id].model_copy(update={"locked": lock})
    elif isinstance(event, VoteEvent):
        old = comments[event.id]
        votes = {u: v for u, v in old.votes.items() if u != event.user}
        if event.choice is not None:
            votes[event.user] = event.choice
        comments[event.id] = old.model_copy(update={"votes": votes})
    elif isinstance(event, LabelEvent):
        old = comments[event.id]
        labels = {u: v for u, v in old.labels.items() if u != event.user}
        if event.label is not None:
            labels[event.user] = event.label
        comments[event.id] = old.model_copy(update={"labels": labels})
    elif isinstance(event, SetExtraEvent):
        if event.id is None:
            extra = _merged(state.post.extra, event.extra)
            state.post = state.post.model_copy(update={"extra": extra})
        else:
            old = comments[event.id]
            comments[event.id] = old.model_copy(update={"extra": _merged(old.extra, event.extra)})
    state.seq += 1


def apply(state: ThreadState, op: Operation, ctx: Context) -> Event:
    """Check and commit one operation: the event on success; on :class:`OperationRejected` the
    state is untouched."""
    event = check(state, op, ctx)
    commit(state, event)
    return event
