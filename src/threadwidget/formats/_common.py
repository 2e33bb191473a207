"""What every importer shares: size limit, error places, skip mode, id mapping, time parsing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Literal, NoReturn

from pydantic import TypeAdapter, ValidationError

from ..core.models import (
    ID_PATTERN,
    MAX_BODY_CHARS,
    MAX_NAME_CHARS,
    Comment,
    Completeness,
    Gap,
    GapKind,
    Moderation,
    ModerationAction,
    Post,
    Thread,
    reply_cycles,
)
from .native import ThreadFileError

__all__ = [
    "MAX_FILE_BYTES",
    "PROGRESS_EVERY",
    "Bad",
    "Errors",
    "IdMapper",
    "LoadReport",
    "Problem",
    "RawComment",
    "Reader",
    "ThreadLoadWarning",
    "parse_time",
]

#: Files larger than this many bytes are refused before they are read.
MAX_FILE_BYTES = 200 * 1024 * 1024
#: A progress callback is called after every this many comments read.
PROGRESS_EVERY = 5_000
#: A post's time until ``Reader.finish`` places it (a post whose source gave none).
_NO_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: Appended to a body cut to :data:`MAX_BODY_CHARS`; ``{n}`` is the number of characters cut.
TRUNCATION_MARKER = "\n\n[… truncated by threadwidget: {n:,} more characters]"

Errors = Literal["raise", "skip"]


class ThreadLoadWarning(UserWarning):
    """Issued by ``load()`` when comments were dropped, re-attached or truncated (``.report``)."""

    def __init__(self, message: str, report: LoadReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Problem:
    """One thing an import changed: where in the file, which source comment id, and why."""

    place: str
    id: str | None
    reason: str

    def __str__(self) -> str:
        who = f" (id {self.id})" if self.id is not None else ""
        return f"{self.place}{who}: {self.reason}"


@dataclass
class LoadReport:
    """What an import did besides copying: dropped, re-attached, truncated and flagged comments."""

    source: str
    format: str
    dropped: list[Problem] = field(default_factory=list)
    reattached: list[Problem] = field(default_factory=list)
    truncated: list[Problem] = field(default_factory=list)
    flagged: list[Problem] = field(default_factory=list)
    #: Comments the source mentions but does not contain (Reddit "more" stubs, HN kids not saved).
    not_loaded: int = 0
    #: Notes such as which post of a multi-post export was chosen.
    notes: list[str] = field(default_factory=list)
    #: Comments loaded although an optional field was missing (read with a stated default).
    filled: list[Problem] = field(default_factory=list)
    #: What the thread lacks (``more`` stubs, pages not read, deleted or blocked comments); the
    #: thread keeps them too (``thread.completeness``).
    gaps: list[Gap] = field(default_factory=list)

    @property
    def altered(self) -> bool:
        """True when comments were dropped, re-attached, truncated or filled in."""
        return bool(self.dropped or self.reattached or self.truncated or self.filled)

    @property
    def changed(self) -> bool:
        """True when the import altered comments or the thread is incomplete (load() warns)."""
        return self.altered or bool(self.gaps)

    def summary(self) -> str:
        """One line per kind of change, for people (the CLI prints it to stderr)."""
        lines = [*self.notes]
        for title, items in (
            ("dropped", self.dropped),
            ("re-attached", self.reattached),
            ("truncated", self.truncated),
            ("loaded with a missing field filled in", self.filled),
            ("moderated by the source (shown to moderators only)", self.flagged),
        ):
            if items:
                shown = "; ".join(str(p) for p in items[:5])
                more = f"; and {len(items) - 5} more" if len(items) > 5 else ""
                lines.append(f"{len(items)} {title}: {shown}{more}")
        if self.gaps:
            completeness = Completeness(gaps=tuple(self.gaps))
            reasons = list(dict.fromkeys(g.reason for g in self.gaps if g.reason))
            more = f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
            shown = "; ".join(reasons[:3]) + more
            lines.append(f"{completeness.text()} ({shown})" if shown else completeness.text())
        elif self.not_loaded:
            lines.append(f"{self.not_loaded} comment(s) named in the file were not in it")
        return "\n".join(f"{self.source} ({self.format}): {line}" for line in lines)


class Bad(Exception):
    """One comment (or the file) is malformed; ``place`` overrides the enclosing item's place."""

    def __init__(self, message: str, place: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.place = place


@dataclass
class RawComment:
    """A comment as an importer read it, with source ids not yet mapped to model ids."""

    source_id: str
    parent: str | None
    author: str
    body: str
    #: None: the source gave no time; the Reader uses its parent's (or the post's), estimated
    created_at: datetime | None
    place: str
    edited_at: datetime | None = None
    status: Literal["visible", "deleted"] = "visible"
    likes: int = 0
    liked_by: tuple[str, ...] = ()
    #: what the source's moderation decided: ("spam", "hidden" or "removed", by whom, why), else
    #: None; a removed comment's text is not kept (the source no longer shows it either)
    moderated: tuple[Literal["spam", "hidden", "removed"], str, str] | None = None
    #: how ``created_at`` was estimated when the source gave no time (``"its indexedAt"``,
    #: ``"the time its id encodes"``, ``"its parent's time"``); kept as ``extra["time_estimated"]``
    estimated: str | None = None


class IdMapper:
    """Maps source ids to model ids deterministically: valid ids stay, others are sanitized+hash."""

    def __init__(self) -> None:
        self._to_model: dict[str, str] = {}
        self._taken: dict[str, str] = {}

    def __call__(self, source_id: str) -> str:
        """The model id for a source id (always the same for the same source id in one file)."""
        if source_id in self._to_model:
            return self._to_model[source_id]
        candidate = source_id if ID_PATTERN.match(source_id) else self._sanitize(source_id, 8)
        if self._taken.get(candidate, source_id) != source_id:
            candidate = self._sanitize(source_id, 16)
        self._to_model[source_id] = candidate
        self._taken[candidate] = source_id
        return candidate

    @staticmethod
    def _sanitize(source_id: str, digits: int) -> str:
        digest = hashlib.sha256(source_id.encode("utf-8")).hexdigest()[:digits]
        stem = re.sub(r"[^A-Za-z0-9_.:-]+", "_", source_id).strip("_")[: 63 - digits]
        return f"{stem}-{digest}" if stem else f"id-{digest}"


#: pydantic's own date-time parser (speedate, in Rust): ISO 8601 / RFC 3339 with any offset
#: spelling and fraction length, a space for the "T", and epoch seconds (numbers or digits).
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)


def parse_time(value: Any) -> datetime:
    """A timezone-aware UTC datetime from epoch seconds, ISO 8601 / RFC 3339 or RFC 2822 text.

    Times without a zone are taken as UTC (WordPress ``*_gmt`` fields are written that way).
    Raises ``Bad`` (without a place) when the value is missing or not a time.
    """
    if value is None or value == "":
        raise Bad("missing")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Bad(f"not a time: {value!r}")
    text = value.strip() if isinstance(value, str) else value
    parsed: datetime | None
    try:
        parsed = _DATETIME.validate_python(text)
    except ValidationError:
        try:  # RFC 2822, as mail and RSS feeds write it
            parsed = parsedate_to_datetime(text) if isinstance(text, str) else None
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        raise Bad(f"not a time: {value!r}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def clip_name(value: Any, default: str = "anonymous") -> str:
    """An author name the model accepts: text, stripped, non-empty, at most 200 characters."""
    text = " ".join(str(value).split()) if value is not None else ""
    if not text:
        return default
    return text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 1] + "…"


def clip_title(value: Any) -> str:
    """A post title the model accepts (at most 1,000 characters)."""
    text = " ".join(str(value).split()) if value is not None else ""
    limit = MAX_NAME_CHARS * 5
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_likes(value: Any) -> int:
    """A like count from a score: integers below zero become 0, anything else not a number is 0."""
    if isinstance(value, bool) or value is None:
        return 0
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


class Reader:
    """One import in progress: builds messages, applies the error mode, assembles the Thread."""

    def __init__(
        self,
        name: str,
        label: str,
        errors: Errors = "raise",
        progress: Callable[[int], None] | None = None,
    ) -> None:
        if errors not in ("raise", "skip"):
            raise ValueError(f"errors must be 'raise' or 'skip', not {errors!r}")
        self.name = name
        self.label = label
        self.errors = errors
        self.progress = progress
        self.report = LoadReport(source=name, format=label)
        self.raw: list[RawComment] = []
        #: (kind, parent source id, source ids, count, reason) of what the source lacks
        self._gaps: list[tuple[GapKind, str | None, tuple[str, ...], int | None, str]] = []
        self._dropped: dict[str, str | None] = {}
        self._seen: dict[str, str] = {}
        #: (place, source id, problem) of times nothing in the item could replace
        self._timeless: list[tuple[str, str | None, str]] = []

    def message(self, place: str, text: str) -> str:
        """``file (Format), place: text``: the shape of every import error."""
        where = f", {place}" if place else ""
        return f"{self.name} ({self.label}){where}: {text}"

    def fail(self, place: str, text: str) -> NoReturn:
        """Raise a ThreadFileError for a problem with the whole file (never skipped)."""
        raise ThreadFileError(self.message(place, text))

    @contextmanager
    def comment(self, place: str, source_id: str, parent: str | None = None) -> Iterator[None]:
        """Run the reading of one comment; a ``Bad`` inside raises or (skip mode) drops it."""
        try:
            yield
        except Bad as error:
            where = error.place or place
            if self.errors == "raise":
                raise ThreadFileError(self.message(where, error.message)) from None
            self.report.dropped.append(Problem(where, source_id, error.message))
            self._dropped[source_id] = parent

    def add(self, raw: RawComment) -> None:
        """Record one comment read from the file (duplicates are refused or dropped)."""
        if raw.source_id in self._seen:
            raise Bad(
                f"duplicate comment id {raw.source_id!r} (first at {self._seen[raw.source_id]})"
            )
        self._seen[raw.source_id] = raw.place
        self.raw.append(raw)
        if self.progress is not None and len(self.raw) % PROGRESS_EVERY == 0:
            self.progress(len(self.raw))

    def flag(
        self,
        place: str,
        source_id: str,
        reason: str,
        status: Literal["spam", "hidden", "removed"],
        by: str,
    ) -> tuple[Literal["spam", "hidden", "removed"], str, str]:
        """Note a comment the source moderated (spam, pending, dead); returns what
        ``RawComment.moderated`` takes, so it becomes that status with the source as moderator."""
        self.report.flagged.append(Problem(place, source_id, reason))
        return (status, by, reason)

    def gap(
        self,
        kind: GapKind,
        parent: str | None,
        ids: tuple[str, ...] = (),
        count: int | None = None,
        reason: str = "",
    ) -> None:
        """Note replies the source has but the file lacks (under the comment ``parent``, a source
        id; for ``unavailable``, the placeholder's own id); kept in ``post.gaps``."""
        self._gaps.append((kind, parent, ids, count, reason))
        if kind != "unavailable":
            self.report.not_loaded += max(count or 0, len(ids))

    def when(
        self,
        value: Any,
        place: str,
        source_id: str | None,
        alternatives: tuple[tuple[str, Any], ...] = (),
    ) -> tuple[datetime | None, str | None]:
        """A time and how it was estimated (None: given). A missing or unreadable ``value`` is
        replaced by the first of ``alternatives`` (``(how, value)``: ``("indexedAt", ...)``)
        that reads, else None (``finish`` then uses the parent's time, or the post's); each
        replacement is noted (``load()`` warns, naming ``place``)."""
        try:
            return parse_time(value), None
        except Bad as error:
            problem = error.message
        for how, other in alternatives:
            try:
                found = parse_time(other) if not isinstance(other, datetime) else other
            except Bad:
                continue
            self.filled(place, source_id, f"{problem}; read as {how} (estimated)")
            return found, how
        self._timeless.append((place, source_id, problem))
        return None, None

    def filled(self, place: str, source_id: str | None, reason: str) -> None:
        """Note a comment read although an optional field was missing (``load()`` warns)."""
        self.report.filled.append(Problem(place, source_id, reason))

    def make_post(self, place: str, **fields: Any) -> Post:
        """A validated Post; title and body are clipped, other problems fail the whole file.
        ``created_at=None``: the earliest comment's time, estimated (``finish``)."""
        if fields.get("created_at", 0) is None:
            fields["created_at"] = _NO_TIME
            self._post_timeless = place
        estimated = fields.pop("estimated", None)
        if estimated is not None:
            fields["extra"] = {**fields.get("extra", {}), "time_estimated": estimated}
        body = fields.get("body", "")
        if isinstance(body, str) and len(body) > MAX_BODY_CHARS:
            fields["body"] = _truncate(body)
            self.report.truncated.append(Problem(place, fields.get("id"), "post body too long"))
        if "id" in fields:
            fields["id"] = IdMapper()(str(fields["id"]))
        if "title" in fields:
            fields["title"] = clip_title(fields["title"])
        if "author" in fields:
            fields["author"] = clip_name(fields["author"])
        url = fields.get("url")
        if url is not None and (not isinstance(url, str) or len(url) > 4096 or not url.strip()):
            fields["url"] = None
        try:
            return Post(**fields)
        except ValidationError as error:
            first = error.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            self.fail(place, f"post {loc}: {first['msg']}")

    _post_timeless: str | None = None

    def _place_in_time(self, post: Post) -> Post:
        """Give every comment without a time its parent's (or the post's), and a post without
        one the earliest comment's; refuse only when nothing at all has a time."""
        if self._post_timeless is not None:
            times = [r.created_at for r in self.raw if r.created_at is not None]
            if not times:
                why = "no time anywhere: the post and every comment lack one"
                self.fail(self._post_timeless, why)
            extra = {**post.extra, "time_estimated": "the earliest comment's time"}
            post = post.model_copy(update={"created_at": min(times), "extra": extra})
            why = "missing; read as the earliest comment's time (estimated)"
            self.report.filled.append(Problem(self._post_timeless, post.id, why))
        by_id = {r.source_id: r for r in self.raw}
        for raw in self.raw:
            if raw.created_at is not None:
                continue
            chain, current, how = [raw], by_id.get(raw.parent or ""), "its parent's time"
            while current is not None and current.created_at is None and current not in chain:
                chain.append(current)
                current = by_id.get(current.parent or "")
            when = current.created_at if current is not None else None
            if when is None:
                when = post.created_at
                how = "the post's time" if raw.parent is None else "its parent's time"
            for item in chain:
                item.created_at = when
                item.estimated = item.estimated or how
        for place, source_id, problem in self._timeless:
            found = by_id.get(source_id or "")
            how = found.estimated if found is not None and found.estimated else "the post's time"
            self.filled(place, source_id, f"{problem}; read as {how} (estimated)")
        self._timeless.clear()
        return post

    def finish(self, post: Post) -> Thread:
        """Validate every comment, resolve parents (skip mode re-attaches), build the Thread."""
        post = self._place_in_time(post)
        ids = IdMapper()
        built: dict[str, dict[str, Any]] = {}
        for raw in self.raw:
            with self.comment(raw.place, raw.source_id, raw.parent):
                built[raw.source_id] = self._fields(raw, ids)
        comments: list[Comment] = []
        for raw in self.raw:
            if raw.source_id not in built:
                continue
            fields = built[raw.source_id]
            parent = self._surviving_parent(raw, built)
            fields["parent_id"] = ids(parent) if parent is not None else None
            comments.append(Comment(**fields))
        comments = self._break_cycles(comments)
        if self._gaps:
            gaps = tuple(
                Gap(
                    kind=kind,
                    parent_id=ids(parent) if parent is not None and parent in built else None,
                    ids=tuple(i for i in source_ids if 0 < len(i) <= 64),
                    count=count,
                    reason=reason[:500],
                )
                for kind, parent, source_ids, count, reason in self._gaps
            )
            post = post.model_copy(update={"gaps": (*post.gaps, *gaps)})
            self.report.gaps = list(post.gaps)
        try:
            return Thread.build(post, comments)
        except ValidationError as error:  # pragma: no cover - _fields validated every comment
            self.fail("", f"invalid thread: {error.errors()[0]['msg']}")

    def _fields(self, raw: RawComment, ids: IdMapper) -> dict[str, Any]:
        created = raw.created_at
        assert created is not None  # _place_in_time gave every comment a time
        removed = raw.moderated is not None and raw.moderated[0] == "removed"
        body = raw.body if raw.status == "visible" and not removed else ""  # others keep theirs
        if len(body) > MAX_BODY_CHARS:
            body = _truncate(body)
            self.report.truncated.append(
                Problem(raw.place, raw.source_id, f"body of {len(raw.body):,} characters")
            )
        liked_by = tuple(dict.fromkeys(clip_name(n) for n in raw.liked_by if n))
        fields: dict[str, Any] = {
            "id": ids(raw.source_id),
            "author": clip_name(raw.author),
            "body": body,
            "created_at": raw.created_at,
            "edited_at": raw.edited_at,
            "status": raw.status,
            "likes": max(raw.likes, len(liked_by)),
            "liked_by": liked_by,
        }
        if raw.estimated is not None:
            fields["extra"] = {"time_estimated": raw.estimated}
        if raw.moderated is not None and raw.status == "visible":
            status, by, reason = raw.moderated
            fields["status"] = status
            actions: dict[str, ModerationAction] = {
                "spam": "spam",
                "hidden": "hide",
                "removed": "remove",
            }
            fields["moderation"] = Moderation(
                action=actions[status],
                by=by,
                at=created,
                reason=reason,
            )
        try:
            Comment(**fields)
        except ValidationError as error:
            first = error.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise Bad(f"{loc}: {first['msg']}") from None
        return fields

    def _surviving_parent(self, raw: RawComment, built: dict[str, dict[str, Any]]) -> str | None:
        parent, hops = raw.parent, 0
        while parent is not None and parent not in built:
            if parent in self._dropped and hops <= len(self._dropped):
                parent, hops = self._dropped[parent], hops + 1
                continue
            if parent in self._dropped:  # a loop among dropped comments
                parent = None
                break
            text = f"replies to {parent!r}, which is not in the file"
            if self.errors == "raise" and not self._orphans_ok:
                raise ThreadFileError(self.message(raw.place, text))
            self.report.reattached.append(
                Problem(raw.place, raw.source_id, text + "; now top-level")
            )
            return None
        if parent != raw.parent:
            where = "the post" if parent is None else repr(parent)
            self.report.reattached.append(
                Problem(
                    raw.place,
                    raw.source_id,
                    f"its parent {raw.parent!r} was dropped; now under {where}",
                )
            )
        return parent

    #: Importers whose sources legitimately lose parents (Mastodon, Disqus) set this to True.
    _orphans_ok = False

    def allow_orphans(self) -> None:
        """Replies whose parent is missing become top-level (reported) instead of an error."""
        self._orphans_ok = True

    def _break_cycles(self, comments: list[Comment]) -> list[Comment]:
        cut: set[str] = set()
        for current in reply_cycles({c.id: c.parent_id for c in comments}):
            if self.errors == "raise":
                self.fail("", f"comment {current!r} is its own ancestor (a reply cycle)")
            cut.add(current)
            self.report.reattached.append(
                Problem("", current, "part of a reply cycle; now top-level")
            )
        if not cut:
            return comments
        return [c.model_copy(update={"parent_id": None}) if c.id in cut else c for c in comments]


def _truncate(body: str) -> str:
    """Cut a body to MAX_BODY_CHARS including a marker saying how much was cut."""
    for keep in range(MAX_BODY_CHARS - 60, 0, -1):
        marker = TRUNCATION_MARKER.format(n=len(body) - keep)
        if keep + len(marker) <= MAX_BODY_CHARS:
            return body[:keep] + marker
    return body[:MAX_BODY_CHARS]  # pragma: no cover
