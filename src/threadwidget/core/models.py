"""Post, Comment and Thread: the data of a discussion and the invariants it always satisfies."""

from __future__ import annotations

import gc
import math
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from itertools import repeat
from typing import Annotated, Any, Final, Literal

import pydantic
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from .likers import AsLikers, Likers

__all__ = [
    "FORMAT_VERSION",
    "MAX_BODY_CHARS",
    "Comment",
    "CommentStatus",
    "Completeness",
    "Flag",
    "Gap",
    "GapKind",
    "Image",
    "JsonValue",
    "Lock",
    "Moderation",
    "ModerationAction",
    "Post",
    "Thread",
    "new_id",
    "published_comment",
    "thread_from_json",
    "utcnow",
]

#: Version of the JSON file format (the ``"version"`` key of ``Thread.model_dump_json()``).
#: Version 2 added ``post.gaps`` (what a fetch or import could not bring in).
FORMAT_VERSION: Final = 2
#: Longest body (post or comment) accepted, in characters; longer text is refused, not truncated.
MAX_BODY_CHARS = 20_000
#: Longest author name or title accepted, in characters.
MAX_NAME_CHARS = 200

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

#: ``visible``; ``deleted`` by its author; ``hidden``/``spam``/``removed`` by a moderator.
CommentStatus = Literal["visible", "deleted", "hidden", "spam", "removed"]
#: What a moderator did to a comment (the ``moderate`` operation's ``action``).
ModerationAction = Literal["hide", "unhide", "spam", "not_spam", "remove", "restore"]
#: Any JSON value (the values of ``extra`` mappings).
JsonValue = pydantic.JsonValue
#: Longest moderation or flag reason accepted, in characters.
MAX_REASON_CHARS = 500


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC); the only clock the package reads."""
    return datetime.now(timezone.utc)


def new_id(prefix: str = "c") -> str:
    """A fresh random comment id such as ``c-3f9a1b2c4d5e``."""
    return f"{prefix}-{secrets.token_hex(6)}"


# Both checks run in pydantic-core (Rust): loading 10,000 comments must stay fast.
AwareDatetime = pydantic.AwareDatetime
OptionalAwareDatetime = pydantic.AwareDatetime | None
Id = Annotated[str, Field(pattern=ID_PATTERN.pattern)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
Body = Annotated[str, Field(max_length=MAX_BODY_CHARS)]
Reason = Annotated[str, Field(max_length=MAX_REASON_CHARS)]
Key = Annotated[str, Field(min_length=1, max_length=64)]


def _finite(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse NaN and infinity anywhere in ``extra``: JSON has no such numbers (a reload would
    read ``null``), so they are refused rather than changed."""
    if not value:
        return value  # most comments: nothing to look at
    stack: list[tuple[str, object]] = [(f"[{key!r}]", item) for key, item in value.items()]
    while stack:
        where, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(
                f"extra{where} is {item!r}: NaN and infinity cannot be stored (JSON has no "
                "such numbers); use None or a string"
            )
        if isinstance(item, dict):
            stack += [(f"{where}[{k!r}]", v) for k, v in item.items()]
        elif isinstance(item, list | tuple):
            stack += [(f"{where}[{i}]", v) for i, v in enumerate(item)]
    return value


#: Free JSON data; NaN and infinity are refused (:func:`_finite`).
Extra = Annotated[dict[Key, JsonValue], AfterValidator(_finite)]


class _Frozen(BaseModel):
    """Immutable, strict-about-unknown-fields base: a change is a new object, never a mutation."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class Image(_Frozen):
    """A picture shown with the post, with an optional caption and credit line."""

    url: Annotated[str, Field(min_length=1, max_length=4096)]
    caption: Annotated[str, Field(max_length=MAX_NAME_CHARS * 5)] = ""
    credit: Annotated[str, Field(max_length=MAX_NAME_CHARS)] = ""


class Lock(_Frozen):
    """Who locked a comment's subtree (or the whole thread), when and why: no new replies or
    edits there except by moderators."""

    by: Name
    at: AwareDatetime
    reason: Reason = ""


class Flag(_Frozen):
    """One user's report of a comment, with the reason they gave."""

    user: Name
    at: AwareDatetime
    reason: Reason = ""


class Moderation(_Frozen):
    """The latest moderator decision on a comment (the audit fields: who, when, why)."""

    action: ModerationAction
    by: Name
    at: AwareDatetime
    reason: Reason = ""


#: Why replies are missing: ``more`` (behind a stub the source gave instead of them: Reddit's
#: ``more``, Hacker News kids not in a file), ``pages`` (paging stopped by ``max_pages``),
#: ``unavailable`` (a deleted or blocked comment the source gave without its text or replies).
GapKind = Literal["more", "pages", "unavailable"]


class Gap(_Frozen):
    """Replies the source has that the thread lacks, and where they belong."""

    kind: GapKind
    #: the comment they reply to (for ``unavailable``: the placeholder itself); None: the post
    parent_id: Id | None = None
    #: the source's ids of the missing comments, when it named them
    ids: tuple[Key, ...] = ()
    #: how many replies are missing (at least ``len(ids)``); None: not known
    count: Annotated[int, Field(ge=0)] | None = None
    reason: Reason = ""


class Completeness(BaseModel):
    """What a thread lacks, summed up from its gaps (``Thread.completeness``)."""

    model_config = ConfigDict(frozen=True)

    gaps: tuple[Gap, ...] = ()

    @property
    def complete(self) -> bool:
        """True when the source gave everything (no gaps recorded)."""
        return not self.gaps

    @property
    def not_loaded(self) -> int:
        """Replies known to be missing (a lower bound when ``exact`` is False)."""
        return sum(max(g.count or 0, len(g.ids)) for g in self.gaps if g.kind != "unavailable")

    @property
    def exact(self) -> bool:
        """False when some missing replies were never counted (pages not read)."""
        return all(g.count is not None or g.ids for g in self.gaps if g.kind != "unavailable")

    @property
    def unavailable(self) -> int:
        """Comments given as placeholders only (deleted or blocked at the source)."""
        return sum(1 for g in self.gaps if g.kind == "unavailable")

    def text(self) -> str:
        """``incomplete: 25 replies not loaded`` (``25+`` when some were never counted, and the
        deleted or blocked placeholders); "" when complete."""
        parts = []
        if any(g.kind != "unavailable" for g in self.gaps):
            n, plus = self.not_loaded, "" if self.exact else "+"
            if n == 0:  # only gaps of unknown size ("continue this thread", pages not read)
                parts.append("more replies not loaded")
            else:
                parts.append(
                    f"{n:,}{plus} {'reply' if n == 1 and not plus else 'replies'} not loaded"
                )
        if self.unavailable:
            n = self.unavailable
            parts.append(
                f"{n:,} deleted or blocked comment{'s' if n != 1 else ''} given without replies"
            )
        return "incomplete: " + "; ".join(parts) if parts else ""


class Post(_Frozen):
    """The post under discussion (a blog post, a story, a status).

    ``locked`` set means the whole thread takes no new comments except from moderators;
    ``extra`` holds any JSON data a notebook attaches (shown through ``ThreadWidget.fields``);
    ``gaps`` what a fetch or import of the discussion could not bring in (empty: complete).
    """

    id: Id = "post"
    title: Annotated[str, Field(max_length=MAX_NAME_CHARS * 5)] = ""
    author: Name = "anonymous"
    body: Body = ""
    created_at: AwareDatetime = Field(default_factory=utcnow)
    url: Annotated[str, Field(max_length=4096)] | None = None
    image: Image | None = None
    locked: Lock | None = None
    extra: Extra = Field(default_factory=dict)
    gaps: tuple[Gap, ...] = ()


class Comment(_Frozen):
    """One comment; ``parent_id`` is None for a reply to the post itself.

    ``likes`` is the like count and ``liked_by`` the users known to have liked it (an imported
    thread may carry a count without names), so ``likes >= len(liked_by)`` always holds.
    ``votes`` (user -> "up", "down" or a reaction) and ``labels`` (user -> label) hold one entry
    per user; ``flags`` one per user too. ``moderation`` is the latest moderator decision,
    ``locked`` closes the subtree to new replies, ``pinned`` puts it first among its siblings,
    ``extra`` is free JSON data for notebooks (sentiment scores, a category, ...).
    """

    id: Id = Field(default_factory=new_id)
    parent_id: Id | None = None
    author: Name = "anonymous"
    body: Body = ""
    created_at: AwareDatetime = Field(default_factory=utcnow)
    edited_at: OptionalAwareDatetime = None
    status: CommentStatus = "visible"
    likes: Annotated[int, Field(ge=0)] = 0
    liked_by: Annotated[Likers, AsLikers(tuple[Name, ...])] = Field(
        default=(), validate_default=True
    )
    flags: tuple[Flag, ...] = ()
    moderation: Moderation | None = None
    pinned: bool = False
    locked: Lock | None = None
    votes: dict[Name, Key] = Field(default_factory=dict)
    labels: dict[Name, Key] = Field(default_factory=dict)
    extra: Extra = Field(default_factory=dict)

    @model_validator(mode="after")
    def _likes_cover_likers(self) -> Comment:
        if self.flags and len({f.user for f in self.flags}) != len(self.flags):
            raise ValueError(f"comment {self.id!r}: flags lists a user twice")
        if not self.liked_by:
            return self
        if len(set(self.liked_by)) != len(self.liked_by):
            raise ValueError(f"comment {self.id!r}: liked_by lists a user twice")
        if self.likes < len(self.liked_by):
            raise ValueError(
                f"comment {self.id!r}: likes ({self.likes}) is less than the number of "
                f"users in liked_by ({len(self.liked_by)})"
            )
        return self


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a pass over a whole thread builds many
    containers: it would otherwise rescan the growing heap again and again (100,000 comments:
    2.5x slower), and such a pass makes no cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def thread_from_json(data: str | bytes) -> Thread:
    """Parse and validate a thread's JSON in one pydantic pass (the collector paused)."""
    with gc_paused():
        return Thread.model_validate_json(data)


def published_comment(comment: Comment) -> Comment:
    """A comment as a public page may carry it (see :meth:`Thread.published`)."""
    moderated = comment.status in ("hidden", "spam", "removed")
    if not (moderated or comment.flags or comment.labels or comment.moderation):
        return comment  # nothing a reader may not see (most comments): no copy
    update: dict[str, Any] = {"flags": (), "labels": {}, "moderation": None}
    if moderated:
        update.update(body="", author="[moderated]", liked_by=(), votes={}, extra={})
    return comment.model_copy(update=update)


class Thread(BaseModel):
    """A post and its comments, stored flat (each comment names its parent).

    Validation checks the invariants every operation preserves: unique ids, every parent exists,
    no cycles. Errors name the comment id.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # files without the key are version 1; version 1 reads as 2 unchanged (it had no gaps)
    version: Literal[1, 2] = FORMAT_VERSION
    post: Post = Field(default_factory=Post)
    comments: tuple[Comment, ...] = ()

    _by_id: dict[str, Comment] = PrivateAttr(default_factory=dict)
    # parent id (None: the post) -> replies in file order, built with _by_id by the validator
    _kids: dict[str | None, list[Comment]] = PrivateAttr(default_factory=dict)

    @field_validator("version", mode="after")
    @classmethod
    def _upgrade(cls, version: int) -> int:
        return FORMAT_VERSION  # every version this release reads needs no change to its data

    @model_validator(mode="after")
    def _check_tree(self) -> Thread:
        comments = self.comments
        ids = [comment.id for comment in comments]
        parents = [comment.parent_id for comment in comments]
        by_id = dict(zip(ids, comments, strict=True))
        if len(by_id) != len(comments):
            seen: set[str] = set()
            for index, comment_id in enumerate(ids):
                if comment_id in seen:
                    raise ValueError(f"comments[{index}]: duplicate comment id {comment_id!r}")
                seen.add(comment_id)
        unknown = set(parents) - by_id.keys() - {None}
        if unknown:
            index = next(i for i, parent in enumerate(parents) if parent in unknown)
            raise ValueError(
                f"comments[{index}] (id {ids[index]!r}): parent_id "
                f"{parents[index]!r} is not a comment in this thread"
            )
        # every parent before its replies (files we write): no cycle. Compared position by
        # position in C (a reply to the post has position -1), one pass of Python per comment less
        position: dict[str | None, int] = dict(zip(ids, range(len(ids)), strict=True))
        at: Callable[[str | None, int], int] = position.get
        parents_first = all(map(int.__lt__, map(at, parents, repeat(-1)), range(len(ids))))
        kids: dict[str | None, list[Comment]] = {}
        for comment, parent in zip(comments, parents, strict=True):
            siblings = kids.get(parent)
            if siblings is None:
                kids[parent] = [comment]
            else:
                siblings.append(comment)
        if not parents_first:
            # every comment hangs off the post exactly when there is no reply cycle
            reached, frontier = 0, kids.get(None, [])
            while frontier:
                reached += len(frontier)
                frontier = [kid for c in frontier for kid in kids.get(c.id, ())]
            if reached != len(by_id):
                _check_acyclic(by_id)  # names the comment that is its own ancestor
        self._by_id = by_id
        self._kids = kids
        return self

    def get(self, comment_id: str) -> Comment:
        """The comment with this id; ``KeyError`` naming the id if there is none."""
        try:
            return self._by_id[comment_id]
        except KeyError:
            raise KeyError(f"no comment with id {comment_id!r}") from None

    def __contains__(self, comment_id: object) -> bool:
        return comment_id in self._by_id

    def children(self, parent_id: str | None) -> list[Comment]:
        """Direct replies to a comment (or to the post, for None), oldest first.

        Looked up in the index the validator builds, so walking a whole tree is not O(n^2).
        """
        return sorted(self._kids.get(parent_id, ()), key=lambda c: c.created_at)

    def depth(self, comment_id: str) -> int:
        """0 for a reply to the post, 1 for a reply to that, and so on."""
        depth, current = 0, self.get(comment_id)
        while current.parent_id is not None:
            depth += 1
            current = self._by_id[current.parent_id]
        return depth

    @property
    def completeness(self) -> Completeness:
        """What the thread lacks (Reddit ``more`` stubs, pages cut by ``max_pages``, blocked
        comments): ``.complete``, ``.not_loaded``, ``.text()``; kept in ``post.gaps``."""
        return Completeness(gaps=self.post.gaps)

    def visible_count(self) -> int:
        """Comments a reader sees as comments (deleted and moderated ones excluded)."""
        return sum(1 for c in self.comments if c.status == "visible")

    @classmethod
    def build(cls, post: Post, comments: Iterable[Comment]) -> Thread:
        """A validated thread from a post and comments given in any order."""
        return cls(post=post, comments=tuple(comments))

    def published(self) -> Thread:
        """The thread as a public page may carry it: what a reader sees, nothing more.

        Hidden, spam and removed comments keep their place (a placeholder may stand for them)
        but lose body and author; reports, labels and moderation notes are dropped everywhere.
        Used by the standalone HTML export and ``ThreadWidget.embed_state``.
        """
        return Thread(post=self.post, comments=tuple(published_comment(c) for c in self.comments))

    def anonymize(self, seed: int = 0, keep: Iterable[str] = ()) -> tuple[Thread, Any]:
        """Pseudonymised copy and the key to reverse it (``threadwidget.analysis.anonymize``)."""
        from ..analysis.anonymize import anonymize

        return anonymize(self, seed=seed, keep=keep)

    def stats(self) -> Any:
        """Participants, depth, reply times, chains (see ``threadwidget.analysis.stats``)."""
        from ..analysis.stats import thread_stats

        return thread_stats(self)

    def to_pandas(self) -> Any:
        """One row per comment with tree columns (``analysis.tabular``); needs pandas."""
        from ..analysis.tabular import to_pandas

        return to_pandas(self)

    @classmethod
    def from_pandas(cls, frame: Any, post: Post | None = None) -> Thread:
        """The thread a ``to_pandas`` DataFrame describes (derived columns are recomputed)."""
        from ..analysis.tabular import from_pandas

        return from_pandas(frame, post)


def reply_cycles(parents: Mapping[str, str | None]) -> Iterator[str]:
    """Ids where following parent links comes back around (one per cycle); O(n) overall.

    ``parents`` maps each comment id to its parent id; every parent must be a key or None.
    """
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in done:
            if current in on_path:
                yield current
                break
            on_path.add(current)
            path.append(current)
            current = parents[current]
        done.update(path)


def _check_acyclic(by_id: dict[str, Comment]) -> None:
    """Raise if any comment is its own ancestor."""
    for comment_id in reply_cycles({k: c.parent_id for k, c in by_id.items()}):
        raise ValueError(f"comment {comment_id!r} is its own ancestor (a reply cycle)")
