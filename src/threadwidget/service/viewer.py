"""What each caller of the service may see: moderators everything, everyone else the thread as
a reader sees it (:func:`~threadwidget.core.models.published_comment`), plus their own reports.

A class is adversarial: whatever reaches a student's kernel or page can be read there. So the
service never sends a non-moderator the text, author, reports or notes of a hidden, spam or
removed comment, in snapshots *or* events. Every ``seq`` is still sent to every client (their
engines number events by it and catch up by it); an event a student may not see becomes one
that carries only what they may:

* every moderator decision (hide, spam, remove, unhide, not spam, restore) and the deletion of
  a moderated comment becomes a ``replace`` event: the whole thread as that student may see it
  right after it, without the moderator's reason (the kernel's engine commits it like any
  replacement; the web page shows it as a fresh snapshot), so text that was shown is taken back
  and text that comes back arrives; so does a like, unlike or edit of a moderated comment (by a
  moderator: its count and edit time, which the published form keeps, stay exact);
* another user's report (flag, unflag) or label, and a vote or extra data on a comment moderated
  then or now (or a like or edit of a comment moderated since), becomes a no-op (``set_extra``
  of nothing on the post, by :data:`NOBODY`; a later ``replace`` sets what it changed);
* a comment added and moderated since arrives without text or author.

Once moderated, a comment reaches non-moderators only as it may be read *now*, whatever
happened to it since (deleted, edited, replaced away, unhidden): in every snapshot, event,
history, replay moment and catch-up, a text of it other than the one published now is withheld
(all of it, author included, when nothing of it is published now).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import operations, rules
from ..core.models import Comment, Thread, published_comment
from ..page.messages import wire_comment, wire_event, wire_post

if TYPE_CHECKING:
    from .threads import Entry

__all__ = ["MODERATED", "NOBODY", "Viewer", "annotate", "keeps_thread", "target_of"]

#: Statuses whose comment only moderators may read.
MODERATED = frozenset({"hidden", "spam", "removed"})
#: The actor of events that stand in for ones a non-moderator may not see.
NOBODY = "[moderated]"


def target_of(event: operations.Recorded) -> str | None:
    """The comment an event is about (None: the post, or the whole thread)."""
    if isinstance(event, operations.AddEvent):
        return event.comment.id
    if isinstance(event, operations.ReplaceEvent):
        return None
    return event.id


def keeps_thread(event: operations.Recorded, before: bool, after: bool, once: bool = False) -> bool:
    """Whether non-moderators get the whole thread for ``event`` (see the module docstring):
    ``before``/``after``, its comment was moderated before/after it; ``once``, at any time
    before it (its deletion then takes its author back too)."""
    if isinstance(event, operations.ModerateEvent):
        return True
    if once and isinstance(event, operations.DeleteEvent):
        return True
    exact = (operations.LikeEvent, operations.UnlikeEvent, operations.EditEvent)
    return before != after or (after and isinstance(event, exact))


def annotate(origin: Thread, events: Iterable[tuple[int, operations.Recorded]]) -> list[Entry]:
    """Stored events as :class:`~.threads.Entry` objects that know what each did to visibility
    (replayed from ``origin``): the slow path, for events older than the service's memory."""
    from .threads import Entry

    state = rules.ThreadState.from_thread(origin)
    once = {cid for cid in state.comments if _moderated(state, cid)}
    out: list[Entry] = []
    for seq, event in events:
        target = target_of(event)
        before = target is not None and _moderated(state, target)
        rules.commit(state, event)
        after = target is not None and _moderated(state, target)
        keep = keeps_thread(event, before, after, target in once)
        if target is None:
            once |= {cid for cid in state.comments if _moderated(state, cid)}
        elif after:
            once.add(target)
        out.append(Entry(seq, event, hidden=after, after=state.to_thread() if keep else None))
    return out


def _moderated(state: rules.ThreadState, comment_id: str) -> bool:
    comment = state.comments.get(comment_id)
    return comment is not None and comment.status in MODERATED


@dataclass(frozen=True)
class Viewer:
    """One caller of one thread: their hub name, whether they moderate it, and which comments
    are moderated now (those are withheld from non-moderators in old events too)."""

    name: str
    moderator: bool
    hidden_now: Set[str] = frozenset()
    #: comments moderated once and visible now: id -> their text now; no other text of theirs
    #: reaches this viewer
    shown_as: Mapping[str, str] = field(default_factory=dict)

    # ---- comments and threads -----------------------------------------------------------------

    def comment(self, comment: Comment, *, scrub: bool = False) -> Comment:
        """``comment`` as this viewer may see it; ``scrub``: as if it were moderated."""
        if self.moderator:
            return comment
        if scrub and comment.status not in MODERATED:
            shown = published_comment(comment.model_copy(update={"status": "hidden"}))
            shown = shown.model_copy(update={"status": comment.status})
        else:
            shown = published_comment(comment)
        own_flags = tuple(f for f in comment.flags if f.user == self.name)
        own_label = {u: v for u, v in comment.labels.items() if u == self.name}
        if own_flags or own_label:
            shown = shown.model_copy(update={"flags": own_flags, "labels": own_label})
        return shown

    def _version(self, comment: Comment) -> Comment:
        """One (possibly earlier) version of ``comment`` as this viewer may see it."""
        shown = self.comment(comment, scrub=comment.id in self.hidden_now)
        text = self.shown_as.get(comment.id)
        if text is not None and shown.body not in ("", text):
            shown = shown.model_copy(update={"body": ""})  # an earlier text, moderated once
        return shown

    def thread(self, thread: Thread) -> Thread:
        """``thread`` as this viewer may see it."""
        if self.moderator:
            return thread
        comments = tuple(self._version(c) for c in thread.comments)
        return Thread(post=thread.post, comments=comments)

    # ---- events -------------------------------------------------------------------------------

    def event(self, entry: Entry) -> operations.Recorded:
        """The event of ``entry`` (an :class:`~.threads.Entry`) as this viewer may see it."""
        event: operations.Recorded = entry.event
        if self.moderator:
            return event
        if isinstance(event, operations.ReplaceEvent):
            return event.model_copy(update={"thread": self.thread(event.thread)})
        if entry.after is not None:  # what non-moderators see of the comment changed
            return operations.ReplaceEvent(
                thread=self.thread(entry.after), actor=event.actor, at=event.at
            )
        target = target_of(event)
        if target is None:  # the post: thread locks, the post's extra data
            return event
        if isinstance(event, operations.FlagEvent | operations.UnflagEvent | operations.LabelEvent):
            return event if event.user == self.name else self._nothing(event)
        text = self.shown_as.get(target)
        if text is not None and not entry.hidden:  # moderated once, visible now
            if isinstance(event, operations.AddEvent) and event.comment.body != text:
                return event.model_copy(update={"comment": self._version(event.comment)})
            if isinstance(event, operations.EditEvent) and event.body != text:
                return self._nothing(event)  # an earlier text
        if not (entry.hidden or target in self.hidden_now):
            return event
        if isinstance(event, operations.AddEvent):
            return operations.AddEvent(
                comment=self.comment(event.comment, scrub=True), actor=NOBODY, at=event.at
            )
        if isinstance(event, operations.PinEvent | operations.LockEvent):
            return event  # published forms keep pins and locks
        return self._nothing(event)  # edit, like, unlike, vote, set_extra of a moderated comment

    @staticmethod
    def _nothing(event: operations.Recorded) -> operations.SetExtraEvent:
        return operations.SetExtraEvent(id=None, extra={}, actor=NOBODY, at=event.at)

    def entry_json(self, entry: Entry, *, wire: bool) -> dict[str, Any]:
        """``{"seq", "event"}`` for this viewer: plain JSON (kernels) or as the browser bundle
        reads it (``wire``; a ``replace`` event carries ``post`` and ``comments``)."""
        event = self.event(entry)
        if event is entry.event:
            return {"seq": entry.seq, "event": entry.wire() if wire else entry.plain()}
        return {"seq": entry.seq, "event": event_json(event, wire=wire)}

    def entry_text(self, entry: Entry, *, wire: bool) -> str:
        """:meth:`entry_json` as compact JSON text: the entry's own, encoded once for every
        client, when this viewer sees the event as it is (the usual case)."""
        event = self.event(entry)
        if event is entry.event:
            return entry.text(wire=wire)
        data = {"seq": entry.seq, "event": event_json(event, wire=wire)}
        return json.dumps(data, separators=(",", ":"))


def event_json(event: operations.Recorded, *, wire: bool) -> dict[str, Any]:
    """One event as plain JSON, or as the browser reads it (``wire``)."""
    if not wire:
        return event.model_dump(mode="json")
    if isinstance(event, operations.ReplaceEvent):
        data = event.model_dump(mode="json", exclude={"thread"})
        data["post"] = wire_post(event.thread.post)
        data["comments"] = [wire_comment(c) for c in event.thread.comments]
        return data
    return wire_event(event)
