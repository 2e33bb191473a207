"""The threads the service serves: one :class:`~threadwidget.core.engine.Engine` per thread on the
shared store, decisions under the caller's verified identity and role, and news for the push
channels. No HTTP here (that is :mod:`.handlers`).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..core import operations, rules
from ..core.engine import Engine
from ..core.models import MAX_BODY_CHARS, Thread
from ..core.study import ByteBudget, VariantPlan, stamped_near
from ..core.voting import LIKES
from ..page import messages
from ..page.look import look_of
from ..page.messages import snapshot_value
from ..storage.shared import SharedStorage
from ..stores.store import SharedStore
from .auth import Identity
from .limits import TooMany
from .roles import Access, RoleBook
from .viewer import MODERATED, Viewer, annotate, event_json, keeps_thread, target_of

__all__ = ["RATE_LIMIT", "RATE_WINDOW", "RECENT", "Entry", "ThreadHub"]

#: At most this many operations per user and thread in RATE_WINDOW seconds.
RATE_LIMIT = 30
RATE_WINDOW = 10.0
#: Events kept in memory per thread for catch-ups (older ones are read from the store).
RECENT = 2000

#: A push channel's hook: called with "events" or "roles" from any thread; must be quick.
Listener = Callable[[str], None]


@dataclass
class Entry:
    """One stored event as the push channels send it: plain (kernels) and wire (pages) JSON,
    and what it did to what non-moderators may see (:mod:`.views`): ``hidden``, its comment is
    moderated right after it; ``after``, the whole thread right after it when non-moderators
    get that instead of the event (``views.keeps_thread``; else None)."""

    seq: int
    event: operations.Recorded
    hidden: bool = False
    after: Thread | None = None
    _plain: dict[str, Any] | None = None
    _wire: dict[str, Any] | None = None
    #: ``{"seq", "event"}`` as JSON text, plain and wire: encoded once for every client
    _texts: dict[bool, str] = field(default_factory=dict)

    def plain(self) -> dict[str, Any]:
        """The event as stores and kernels read it."""
        if self._plain is None:
            self._plain = self.event.model_dump(mode="json")
        return self._plain

    def wire(self) -> dict[str, Any]:
        """The event as the browser bundle reads it (bodies with their rendered ``html``)."""
        if self._wire is None:
            self._wire = event_json(self.event, wire=True)
        return self._wire

    def text(self, *, wire: bool) -> str:
        """``{"seq", "event"}`` as compact JSON text, encoded once however many clients get
        the event as it is (a push channel's fan-out, catch-ups)."""
        text = self._texts.get(wire)
        if text is None:
            event = self.wire() if wire else self.plain()
            text = self._texts[wire] = json.dumps(
                {"seq": self.seq, "event": event}, separators=(",", ":")
            )
        return text


@dataclass
class _Live:
    engine: Engine
    #: the thread's generation (new each time a thread of this id is created)
    generation: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    recent: deque[Entry] = field(default_factory=lambda: deque(maxlen=RECENT))
    listeners: list[Listener] = field(default_factory=list)
    #: ids of the comments moderated now (kept by the sink, under ``lock``)
    moderated: set[str] = field(default_factory=set)
    #: ids of the comments ever moderated (hidden, spam or removed at any time)
    ever: set[str] = field(default_factory=set)
    #: of those, the ones visible now: id -> the text readers may see now
    shown_as: dict[str, str] = field(default_factory=dict)

    def track(self, state: rules.ThreadState, ids: Iterable[str]) -> None:
        """Note what ``ids`` are now in ``state`` (under ``lock``): moderated ones join
        ``ever``; an ever-moderated one is shown only as it is now, if visible."""
        for cid in ids:
            comment = state.comments.get(cid)
            if comment is not None and comment.status in MODERATED:
                self.ever.add(cid)
            if cid not in self.ever:
                continue
            if comment is not None and comment.status == "visible":
                self.shown_as[cid] = comment.body
            else:
                self.shown_as.pop(cid, None)


class ThreadHub:
    """Every shared thread of ``store``, served under the roles of ``roles``. Thread-safe."""

    def __init__(self, store: SharedStore, roles: RoleBook) -> None:
        self.store = store
        self.roles = roles
        self._lock = threading.Lock()
        self._live: dict[str, _Live] = {}
        self._rates: dict[tuple[str, str], deque[float]] = {}
        self._budgets: dict[tuple[str, str], ByteBudget] = {}

    # ---- threads ------------------------------------------------------------------------------

    def list_threads(self) -> list[str]:
        """Every thread id, sorted."""
        return self.store.list_threads()

    def readable(self, who: Identity) -> list[str]:
        """The thread ids ``who`` may read, sorted."""
        return [t for t in self.store.list_threads() if self.roles.may_read(who, t)]

    def set_access(self, thread_id: str, access: Access) -> Access:
        """Set who may read and write a thread; open streams look again at once."""
        self.roles.set_access(thread_id, access)
        self._tell(thread_id, "roles")
        return access

    def _tell(self, thread_id: str, kind: str) -> None:
        with self._lock:
            live = self._live.get(thread_id)
        if live is None:
            return
        with live.lock:
            listeners = list(live.listeners)
        for listener in listeners:
            listener(kind)

    def create(self, thread_id: str, thread: Thread | None, *, exist_ok: bool) -> bool:
        """Create a thread (``ValueError`` if it exists and not ``exist_ok``); True if new."""
        return self.store.create_thread(thread_id, thread, exist_ok=exist_ok)

    def delete(self, thread_id: str) -> bool:
        """Delete a thread and its history; False if there was none. Open streams are told
        (``deleted``) and end."""
        gone = self.store.delete_thread(thread_id)
        self._tell(thread_id, "deleted")
        with self._lock:
            live = self._live.pop(thread_id, None)
        if live is not None:
            live.engine.close()
        self.roles.drop_thread(thread_id)
        return gone

    def generation(self, thread_id: str) -> str:
        """The generation of the thread served now (``KeyError`` if there is none)."""
        return self._get(thread_id).generation

    def engine(self, thread_id: str) -> Engine:
        """The engine of a thread (``KeyError`` if there is none)."""
        return self._get(thread_id).engine

    def _get(self, thread_id: str) -> _Live:
        """The live thread (``KeyError`` if the store has no such thread)."""
        with self._lock:
            live = self._live.get(thread_id)
            if live is None:
                while True:  # the engine and the generation of one same creation
                    generation = self.store.load_generation(thread_id)[2]
                    engine = Engine(storage=SharedStorage(self.store, thread_id))
                    if self.store.load_generation(thread_id)[2] == generation:
                        break
                    engine.close()
                live = _Live(engine, generation)
                with engine.lock:
                    live.moderated = _moderated_ids(engine.state)
                    origin, events = engine.history()
                    past = rules.ThreadState.from_thread(origin)
                    live.track(past, past.comments)
                    for _seq, event in events:  # every comment ever moderated
                        rules.commit(past, event)
                        target = target_of(event)
                        live.track(past, past.comments if target is None else (target,))
                    live.track(engine.state, set(live.ever))
                    engine.add_sink(self._sink(live))
                self._live[thread_id] = live
            return live

    def _sink(self, live: _Live) -> Callable[[int, operations.Recorded, str | None], None]:
        def sink(seq: int, event: operations.Recorded, _rid: str | None) -> None:
            state = live.engine.state  # right after the event (the engine's lock is held)
            target = target_of(event)
            comment = None if target is None else state.comments.get(target)
            hidden = comment is not None and comment.status in MODERATED
            with live.lock:
                once = target in live.ever
                live.track(state, [*state.comments, *live.ever] if target is None else (target,))
                if isinstance(event, operations.ReplaceEvent):
                    live.moderated = _moderated_ids(state)
                    keep = False
                else:
                    keep = target is not None and keeps_thread(
                        event, target in live.moderated, hidden, once
                    )
                    if hidden and target is not None:
                        live.moderated.add(target)
                    elif target is not None:
                        live.moderated.discard(target)
            entry = Entry(seq, event, hidden=hidden, after=state.to_thread() if keep else None)
            with live.lock:
                live.recent.append(entry)
                listeners = list(live.listeners)
            for listener in listeners:
                listener("events")

        return sink

    # ---- reading ------------------------------------------------------------------------------

    def viewer(self, thread_id: str, who: Identity) -> Viewer:
        """What ``who`` may see of the thread now (their role, the comments moderated now)."""
        live = self._get(thread_id)
        moderator = self.roles.role_of(who, thread_id) == "moderator"
        if moderator:
            return Viewer(who.name, True)
        with live.lock:
            hidden = frozenset(live.moderated | (live.ever - live.shown_as.keys()))
            shown_as = dict(live.shown_as)
        return Viewer(who.name, False, hidden, shown_as)

    def snapshot(self, thread_id: str, who: Identity | None = None) -> tuple[Thread, int]:
        """The thread now and its ``seq``, as ``who`` may see it (None: everything)."""
        engine = self._get(thread_id).engine
        with engine.lock:
            thread, seq = engine.state.to_thread(), engine.seq
        if who is not None:
            thread = self.viewer(thread_id, who).thread(thread)
        return thread, seq

    def page_state(self, thread_id: str, who: Identity) -> dict[str, Any]:
        """What a web page starts from: the ``_snapshot`` and ``_config`` of the bundle."""
        thread, seq = self.snapshot(thread_id, who)
        role = self.roles.role_of(who, thread_id)
        plan = self.variant_plan(thread_id, who)
        # a participant's variant (teachers keep the default look, as in a notebook)
        variant = plan.assign(who.name) if plan is not None and role != "moderator" else None
        look = look_of(plan.variants[variant] if plan is not None and variant is not None else {})
        return {
            "thread_id": thread_id,
            "generation": self.generation(thread_id),
            "user": who.name,
            "role": role,
            "teacher": self.roles.hub_moderator(who),
            "snapshot": snapshot_value(
                thread.post, thread.comments, epoch=f"service-{thread_id}", seq=seq
            ),
            "config": config_value(role, look.layout, look.style),
            "variant": variant,
            "sort": look.sort,
            "options": look.options,
            "css": look.css,
            "strings": look.strings,
            "locale": look.locale,
            # the study logs every participant's page (the page says so); teachers' are not
            "log_interactions": variant is not None and plan is not None and plan.log_interactions,
        }

    def recent_since(self, thread_id: str, seq: int) -> list[Entry] | None:
        """Every event after ``seq`` if the service has them all in memory (quick: for the
        event loop), else None (then :meth:`events_since` reads the store)."""
        live = self._live.get(thread_id)  # one dict read: no wait for a thread being loaded
        return None if live is None else self._in_memory(live, seq)

    @staticmethod
    def _in_memory(live: _Live, seq: int) -> list[Entry] | None:
        with live.lock:
            if live.recent and live.recent[0].seq <= seq + 1:
                newer = []
                for entry in reversed(live.recent):  # the few newest, not all kept
                    if entry.seq <= seq:
                        break
                    newer.append(entry)
                return newer[::-1]
        if seq >= live.engine.seq:
            return []
        return None

    def events_since(self, thread_id: str, seq: int) -> list[Entry]:
        """Every event after ``seq`` (from memory when recent, else from the store)."""
        live = self._get(thread_id)
        known = self._in_memory(live, seq)
        if known is not None:
            return known
        head = live.engine.seq
        # older than the memory: replayed from the start, so each knows what it did to
        # visibility (viewer.py); rare (a client away for more than RECENT events)
        return [e for e in self.history(thread_id)[1] if seq < e.seq <= head]

    def history(self, thread_id: str) -> tuple[Thread, list[Entry]]:
        """The thread as first stored and every event since (each knowing what it did to
        visibility)."""
        origin, events = self._get(thread_id).engine.history()
        return origin, annotate(origin, events)

    def replay(self, thread_id: str, index: int, who: Identity) -> tuple[int, Any, int, Thread]:
        """Moment ``index`` of the timeline (clamped) as ``who`` may see it: ``(index, when,
        how many moments, thread)``; ``IndexError`` when there is nothing to replay."""
        engine = self._get(thread_id).engine
        stops = engine.moments()
        if not stops:
            raise IndexError("There is nothing to replay yet.")
        index = min(index, len(stops) - 1)
        thread = engine.replay_at(stops[index])
        return index, stops[index], len(stops), self.viewer(thread_id, who).thread(thread)

    def subscribe(self, thread_id: str, listener: Listener) -> Callable[[], None]:
        """Call ``listener("events")`` after each new event, ``listener("roles")`` after a role
        change; returns the undo."""
        live = self._get(thread_id)
        with live.lock:
            live.listeners.append(listener)

        def unsubscribe() -> None:
            with live.lock:
                if listener in live.listeners:
                    live.listeners.remove(listener)

        return unsubscribe

    # ---- changing -----------------------------------------------------------------------------

    def submit(
        self, thread_id: str, op: operations.Operation, who: Identity, after: int | None = None
    ) -> tuple[Entry, list[Entry]]:
        """Decide and store ``op`` as ``who`` with their role in the thread: ``(its entry,
        the events stored after `after` and before it)``, or :class:`OperationRejected`."""
        live = self._get(thread_id)
        wait = self._within_rate(thread_id, who.name)
        if wait:
            raise TooMany(
                f"Too many actions at once (at most {RATE_LIMIT} in {RATE_WINDOW:g} s). "
                "Wait a moment and try again.",
                wait,
            )
        ctx = rules.Context(actor=who.name, role=self.roles.role_of(who, thread_id))
        engine = live.engine
        with engine.lock:
            engine.submit(op, ctx, wait=False)
            seq = engine.seq
        missed: list[Entry] = []
        if after is not None and after < seq - 1:
            missed = [e for e in self.events_since(thread_id, after) if e.seq < seq]
        return self._entry(thread_id, live, seq), missed

    def _entry(self, thread_id: str, live: _Live, seq: int) -> Entry:
        """The entry the sink made for ``seq`` (just stored)."""
        with live.lock:
            for entry in reversed(live.recent):
                if entry.seq == seq:
                    return entry
        return next(e for e in self.events_since(thread_id, seq - 1) if e.seq == seq)

    def set_role(
        self, thread_id: str, user: str, role: rules.Role | None, by: Identity
    ) -> dict[str, rules.Role]:
        """``by`` (a moderator of the thread) gives ``user`` a role there; the new table."""
        live = self._get(thread_id)  # KeyError for an unknown thread
        if self.roles.role_of(by, thread_id) != "moderator":
            raise PermissionError(f"Only moderators can change roles ({by.name} is not one).")
        table = self.roles.set_role(thread_id, user, role)
        with live.lock:
            listeners = list(live.listeners)
        for listener in listeners:
            listener("roles")
        return table

    # ---- an interface study (docs/studies.md) -------------------------------------------------

    def variant_plan(self, thread_id: str, who: Identity) -> VariantPlan | None:
        """The thread's variant plan as ``who`` may know it: all of it for its moderators, only
        their own variant for everyone else."""
        text = self.store.get_setting(f"variants:{thread_id}")
        if text is None:
            return None
        plan = VariantPlan.from_json(text)
        if self.roles.role_of(who, thread_id) == "moderator":
            return plan
        return plan.only_for(who.name)

    def set_variant_plan(self, thread_id: str, plan: VariantPlan | None, who: Identity) -> None:
        """A moderator of the thread sets (None: removes) its variant plan."""
        if self.roles.role_of(who, thread_id) != "moderator":
            raise PermissionError(
                f"Only moderators of this thread set its variants ({who.name} is not one)."
            )
        self.store.set_setting(f"variants:{thread_id}", None if plan is None else plan.to_json())

    def add_interactions(self, thread_id: str, who: Identity, rows: list[dict[str, Any]]) -> int:
        """Keep ``who``'s log rows, as many as their bytes per second allow; how many."""
        with self._lock:
            budget = self._budgets.setdefault((thread_id, who.name), ByteBudget())
        engine = self._get(thread_id).engine
        now = time.time() * 1000
        kept = []
        for row in rows:
            # as a kernel does: rows naming a comment the thread lacks, or stamped far from
            # this clock, are dropped (a page's own word, budgeted, about its own reading)
            at = datetime.fromisoformat(row["at"]).timestamp() * 1000
            if not stamped_near(at, now) or (
                row["id"] is not None and row["id"] not in engine.state.comments
            ):
                continue
            if not budget.take(len(json.dumps(row, separators=(",", ":")))):
                break
            kept.append(row)
        self.store.add_interactions(thread_id, who.name, kept)
        return len(kept)

    def interactions(self, thread_id: str, who: Identity) -> list[dict[str, Any]]:
        """Every log row of the thread, for its moderators only."""
        if self.roles.role_of(who, thread_id) != "moderator":
            raise PermissionError(
                f"Only moderators of this thread read its interaction log ({who.name} is not one)."
            )
        return self.store.interactions(thread_id)

    def _within_rate(self, thread_id: str, user: str) -> float:
        """0.0 if ``user`` may act now (counted), else the seconds until they may."""
        now = time.monotonic()
        with self._lock:
            stamps = self._rates.setdefault((thread_id, user), deque())
            while stamps and now - stamps[0] > RATE_WINDOW:
                stamps.popleft()
            if len(stamps) >= RATE_LIMIT:
                return RATE_WINDOW - (now - stamps[0])
            stamps.append(now)
            return 0.0

    def close(self) -> None:
        """Stop every engine and close the store."""
        with self._lock:
            lives = list(self._live.values())
            self._live.clear()
        for live in lives:
            live.engine.close()
        self.store.close()


def _moderated_ids(state: rules.ThreadState) -> set[str]:
    return {c.id for c in state.comments.values() if c.status in MODERATED}


def config_value(role: rules.Role, layout: str = "tree", style: str = "") -> dict[str, Any]:
    """The bundle's ``_config`` for a page of the service (likes, no labels, no actions), laid
    out as ``layout`` with a preset's CSS ``style`` (a participant's variant, checked)."""
    settings: dict[str, Any] = {
        "role": role,
        "voting": LIKES.wire(),
        "label_set": [],
        "fields": [],
        "actions": [],
        "badges": {},
        "max_body": MAX_BODY_CHARS,
    }
    return messages.config_value(**settings, layout=layout, style=style)
