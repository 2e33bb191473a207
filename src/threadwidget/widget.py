"""ThreadWidget: a post and its comment tree, live in a notebook, editable from Python and the page.

The widget owns one authoritative :class:`~threadwidget.ops.ThreadState`. Every change, from
Python or from a browser view, is an operation passed to :func:`threadwidget.ops.apply`; the
resulting event is numbered and broadcast to every view. The widget holds no rules of its own.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import anywidget
import traitlets
from pydantic import ValidationError

from . import ops
from .formats.native import read_thread, write_thread
from .models import MAX_BODY_CHARS, Comment, Post, Thread, utcnow
from .protocol import (
    OpRequest,
    ProtocolError,
    SyncRequest,
    chunk_by_size,
    describe_validation_error,
    event_message,
    parse_client_message,
    reject_message,
    snapshot_value,
)
from .replay import moments, thread_at
from .stores import JournalStore, SharedStore, StoreError, open_store

__all__ = ["CallbackError", "ThreadWidget"]

_STATIC = Path(__file__).parent / "static"
_MISSING_BUNDLE_ESM = """
export default { render({ el }) {
  el.textContent = "threadwidget: the frontend bundle is missing "
    + "(src/threadwidget/static/widget.js). Reinstall the package, or run "
    + "`npm install && npm run build` in a source checkout.";
} };
"""
#: Above this estimated size the ``_snapshot`` trait leaves comments out; views fetch them in parts.
SNAPSHOT_TRAIT_LIMIT = 4 * 1024 * 1024
#: Browser operations allowed per client within RATE_WINDOW seconds.
RATE_LIMIT = 30
RATE_WINDOW = 10.0
SORTS = ("oldest", "newest", "top")
#: The only traits a browser may set; everything else (user, read_only, the snapshot) is Python's.
BROWSER_WRITABLE = {"sort": SORTS}
#: Every visible UI string with its English default: the one table, shared with the frontend.
DEFAULT_STRINGS: dict[str, str] = json.loads(
    (Path(__file__).parent / "strings.json").read_text(encoding="utf-8")
)
#: Layout options (``w.options``) and their defaults.
DEFAULT_OPTIONS: dict[str, Any] = {
    "max_indent": 6,
    "density": "comfortable",
    "avatars": "initials",
    "timestamps": "relative",
    "collapsed_depth": None,
}
_OPTION_CHOICES = {
    "density": ("comfortable", "compact"),
    "avatars": ("initials", "none"),
    "timestamps": ("relative", "absolute"),
}
#: A BCP 47 language tag, simplified: language, optional script, region and variants.
_LOCALE_RE = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)

Callback = Callable[[Any], object]
_F = TypeVar("_F", bound=Callable[..., object])
#: A check run before every operation: returns None (accept), a rewritten operation of the same
#: type and target, or raises ValueError (e.g. OperationRejected) with a reason for the user.
Validator = Callable[[ops.Operation, ops.Context], "ops.Operation | None"]


class CallbackError(RuntimeWarning):
    """A user callback (``on_change``/``on_comment``) raised; the event itself still stands."""


def _esm_source() -> str | Path:
    bundle = _STATIC / "widget.js"
    return bundle if bundle.exists() else _MISSING_BUNDLE_ESM


def _css_source() -> str | Path:
    css = _STATIC / "widget.css"
    return css if css.exists() else ""


class ThreadWidget(anywidget.AnyWidget):
    """A post and its threaded comments: read, reply, edit, like, from Python and the browser.

    >>> w = ThreadWidget(post=Post(title="Hello", author="Steve"), user="Chris")
    >>> c = w.add_comment("First!")
    >>> w.get(c.id).author
    'Chris'
    """

    _esm = _esm_source()
    _css = _css_source()

    # Private wire traits (see docs/protocol.md); the public façade is the methods below.
    _snapshot = traitlets.Dict().tag(sync=True, echo_update=False)
    _config = traitlets.Dict().tag(sync=True)

    #: The person acting in the browser views (authors their comments and likes).
    user = traitlets.Unicode("anonymous").tag(sync=True)
    #: Hide every editing control and refuse browser operations.
    read_only = traitlets.Bool(False).tag(sync=True)
    #: Order of comments among siblings: "oldest", "newest" or "top" (most liked).
    sort = traitlets.Enum(SORTS, default_value="oldest").tag(sync=True)
    #: Replacements for UI strings, by key (see ``strings.json`` and docs/extending.md).
    strings = traitlets.Dict().tag(sync=True)
    #: BCP 47 locale for times and numbers ("de", "pt-BR"); "" is the page's locale.
    locale = traitlets.Unicode("").tag(sync=True)
    #: Layout: max_indent, density, avatars, timestamps, collapsed_depth (see DEFAULT_OPTIONS).
    options = traitlets.Dict().tag(sync=True)
    #: Extra CSS for every view, in a <style> inside the view (rules should start with .tw-root).
    css = traitlets.Unicode("").tag(sync=True)

    @traitlets.validate("strings")
    def _valid_strings(self, proposal: Any) -> dict[str, str]:
        value = proposal["value"]
        for key, text in value.items():
            if key not in DEFAULT_STRINGS:
                raise ValueError(
                    f"unknown string key {key!r}; valid keys: {', '.join(sorted(DEFAULT_STRINGS))}"
                )
            if not isinstance(text, str):
                raise ValueError(f"strings[{key!r}] must be a str, not {type(text).__name__}")
        return dict(value)

    @traitlets.validate("locale")
    def _valid_locale(self, proposal: Any) -> str:
        value: str = proposal["value"]
        if value and not _LOCALE_RE.match(value):
            raise ValueError(f"locale {value!r} is not a BCP 47 language tag (like 'de', 'pt-BR')")
        return value

    @traitlets.validate("options")
    def _valid_options(self, proposal: Any) -> dict[str, Any]:
        value = proposal["value"]
        for key, option in value.items():
            if key not in DEFAULT_OPTIONS:
                raise ValueError(
                    f"unknown option {key!r}; valid options: {', '.join(sorted(DEFAULT_OPTIONS))}"
                )
            if key in _OPTION_CHOICES:
                if option not in _OPTION_CHOICES[key]:
                    raise ValueError(
                        f"option {key!r} must be one of {', '.join(_OPTION_CHOICES[key])}, "
                        f"not {option!r}"
                    )
            elif (key == "max_indent" or option is not None) and (  # collapsed_depth: None ok
                not isinstance(option, int) or isinstance(option, bool) or option < 1
            ):
                raise ValueError(f"option {key!r} must be an int >= 1, not {option!r}")
        return {**DEFAULT_OPTIONS, **value}

    @traitlets.validate("css")
    def _valid_css(self, proposal: Any) -> str:
        value: str = proposal["value"]
        if "</style" in value.lower():
            raise ValueError("css must not contain '</style'")
        return value

    def __init__(
        self,
        post: Post | Mapping[str, Any] | None = None,
        comments: Iterable[Comment | Mapping[str, Any]] = (),
        *,
        thread: Thread | None = None,
        user: str | None = None,
        read_only: bool = False,
        sort: str = "oldest",
        autosave: str | os.PathLike[str] | JournalStore | None = None,
        strings: Mapping[str, str] | None = None,
        locale: str = "",
        options: Mapping[str, Any] | None = None,
        css: str = "",
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - {"layout", "tabbable", "tooltip"}
        if unknown:
            raise TypeError(
                f"ThreadWidget got unexpected keyword argument(s): {', '.join(sorted(unknown))}"
            )
        if thread is not None and (post is not None or comments):
            raise TypeError("pass either thread=... or post=/comments=, not both")
        if thread is None:
            thread = Thread(
                post=post if post is not None else Post(),
                comments=tuple(comments),  # type: ignore[arg-type]
            )
        if user is None:
            user = os.environ.get("JUPYTERHUB_USER") or "anonymous"
        self._store: JournalStore | None = None
        if autosave is not None:
            self._store = autosave if isinstance(autosave, JournalStore) else JournalStore(autosave)
            if self._store.exists():
                thread = self._store.load().to_thread()  # resume: the saved discussion wins
            else:
                self._store.start(thread)
        self._state = ops.ThreadState.from_thread(thread)
        self._base = thread  # what the event log starts from (for replay)
        self._epoch = secrets.token_hex(8)
        self._log: list[tuple[str | None, dict[str, Any]]] = []
        self._validators: list[Validator] = []
        self._change_callbacks: list[Callback] = []
        self._comment_callbacks: list[Callback] = []
        #: The shared thread this widget is connected to (see :meth:`connect`), or None.
        self._shared: _SharedLink | None = None
        self._rates: dict[str, deque[float]] = {}
        # JupyterLab 4.6 + ipykernel 7 deliver comm messages on a subshell thread while cells
        # run on the main thread: one lock makes check -> commit -> send -> notify atomic.
        self._lock = threading.RLock()
        #: Errors raised by callbacks, newest last (also issued as :class:`CallbackError` warnings).
        self.errors: list[BaseException] = []
        # Traits given here travel in the comm-open message: the thread is sent once, not twice.
        super().__init__(
            user=user,
            read_only=read_only,
            sort=sort,
            strings=dict(strings or {}),
            locale=locale,
            options=dict(options or {}),
            css=css,
            _config={"max_body": MAX_BODY_CHARS},
            _snapshot=self._snapshot_now(),
            **kwargs,
        )
        self.on_msg(self._on_custom_message)

    # ---- reading ------------------------------------------------------------------------------

    @property
    def thread(self) -> Thread:
        """A validated, immutable snapshot of the post and all comments (flat, with parent ids)."""
        with self._lock:
            return self._state.to_thread()

    @thread.setter
    def thread(self, thread: Thread) -> None:
        if not isinstance(thread, Thread):
            raise TypeError(f"thread must be a Thread, not {type(thread).__name__}")
        if self._shared is not None:
            raise RuntimeError(
                "this widget shows a shared thread: replacing it here would fork it from the other "
                "kernels; create a new shared thread (store.create_thread) instead"
            )
        with self._lock:
            self._state = ops.ThreadState.from_thread(thread)
            self._base = thread
            self._epoch = secrets.token_hex(8)
            self._log = []
            if self._store is not None:
                self._store.start(thread)
            self._publish_snapshot()

    @property
    def post(self) -> Post:
        """The post under discussion."""
        return self._state.post

    @property
    def comments(self) -> list[Comment]:
        """All comments (deleted ones included, as tombstones) in the order they were added."""
        with self._lock:
            return list(self._state.comments.values())

    @property
    def seq(self) -> int:
        """How many events have been applied since the thread was loaded."""
        return self._state.seq

    @property
    def events(self) -> list[ops.Event]:
        """Every event applied since the thread was loaded, oldest first."""
        with self._lock:
            log = list(self._log)
        return [ops.parse_event(event) for _, event in log]

    def get(self, comment_id: str) -> Comment:
        """The comment with this id (``KeyError`` naming the id if there is none)."""
        try:
            return self._state.comments[comment_id]
        except KeyError:
            raise KeyError(f"no comment with id {comment_id!r}") from None

    # ---- changing, from Python ---------------------------------------------------------------

    def add_comment(
        self, body: str, author: str | None = None, parent_id: str | None = None
    ) -> Comment:
        """Post a comment as ``author`` (default ``user``); ``parent_id`` None answers the post."""
        event = self._apply_trusted(ops.AddComment(body=body, parent_id=parent_id), author)
        assert isinstance(event, ops.AddEvent)
        return event.comment

    def edit_comment(self, comment_id: str, body: str) -> Comment:
        """Replace a comment's body; it gets an "edited" mark."""
        self._apply_trusted(ops.EditComment(id=comment_id, body=body))
        return self.get(comment_id)

    def delete_comment(self, comment_id: str) -> None:
        """Delete a comment: "[deleted]" while it has replies, gone from view otherwise."""
        self._apply_trusted(ops.DeleteComment(id=comment_id))

    def like(self, comment_id: str, user: str | None = None) -> Comment:
        """Like a comment as ``user`` (default: ``self.user``); once per user."""
        self._apply_trusted(ops.Like(id=comment_id), user)
        return self.get(comment_id)

    def unlike(self, comment_id: str, user: str | None = None) -> Comment:
        """Take back ``user``'s like."""
        self._apply_trusted(ops.Unlike(id=comment_id), user)
        return self.get(comment_id)

    def apply(self, op: ops.Operation | Mapping[str, Any], actor: str | None = None) -> ops.Event:
        """Apply any operation as trusted Python code acting as ``actor`` (default ``user``)."""
        operation = ops.parse_operation(op) if isinstance(op, Mapping) else op
        return self._apply_trusted(operation, actor)

    # ---- callbacks ----------------------------------------------------------------------------

    def on_change(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(event)`` after every applied event, from Python or any view.

        Returns a function that removes the callback.
        """
        return self._register(self._change_callbacks, callback)

    def add_validator(self, validator: Validator) -> Callable[[], None]:
        """Run ``validator(op, ctx)`` before every operation, from Python or any view.

        Return None to accept, a rewritten operation (same type and comment) to change it — e.g.
        ``op.model_copy(update={"body": mask(op.body)})`` — or raise ``ValueError("reason")`` to
        refuse it with that reason shown to the user. ``ctx.actor`` is who asks, ``ctx.trusted``
        is True for Python calls. Any other exception refuses the operation and is reported like
        a failing callback. Returns a function that removes the validator.
        """
        if not callable(validator):
            raise TypeError(f"validator must be callable, not {type(validator).__name__}")
        return self._register(self._validators, validator)

    def focus(self, comment_id: str) -> None:
        """Scroll every open view to this comment and highlight it (a permalink from Python).

        Collapsed ancestors and replies behind "more" / "continue" buttons are opened as needed.
        """
        if comment_id not in self._state.comments:
            raise KeyError(f"no comment with id {comment_id!r}")
        self.send({"kind": "focus", "id": comment_id})

    def replay_at(self, when: datetime) -> Thread:
        """The thread as it stood at ``when`` (timezone-aware): comments by their times, then
        the edits, likes and deletions made since this widget loaded the thread."""
        with self._lock:
            base, log = self._base, list(self._log)
        return thread_at(base, (ops.parse_event(event) for _, event in log), when)

    def moments(self) -> list[datetime]:
        """Every time the thread changed, oldest first: the stops of a replay timeline."""
        with self._lock:
            base, log = self._base, list(self._log)
        return moments(base, [ops.parse_event(event) for _, event in log])

    def on_comment(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(comment)`` for every new comment; returns a function that removes it."""
        return self._register(self._comment_callbacks, callback)

    @staticmethod
    def _register(callbacks: list[_F], callback: _F) -> Callable[[], None]:
        if not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        callbacks.append(callback)

        def remove() -> None:
            if callback in callbacks:
                callbacks.remove(callback)

        return remove

    # ---- files -----------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the thread as versioned JSON (atomically); see ``docs/file-format.md``."""
        return write_thread(self.thread, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], **kwargs: Any) -> ThreadWidget:
        """A widget showing the thread saved in ``path``; ``kwargs`` as for the constructor."""
        return cls(thread=read_thread(path), **kwargs)

    # ---- shared threads ----------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        store: SharedStore | str | os.PathLike[str] | None,
        thread_id: str,
        *,
        thread: Thread | None = None,
        **kwargs: Any,
    ) -> ThreadWidget:
        """A widget on a shared thread: every operation goes through ``store`` and every widget
        connected to the same thread, in any kernel, shows it live (see ``docs/shared.md``).

        ``store`` is a :class:`~threadwidget.stores.SharedStore`, a ``postgresql://`` URL, a
        path to an SQLite file, or None (``THREADWIDGET_STORE``). ``thread`` creates the shared
        thread if there is none with this id yet (otherwise the stored one wins). ``kwargs`` as
        for the constructor (``user`` defaults to ``JUPYTERHUB_USER``).

        >>> w = ThreadWidget.connect("/srv/class/discussion.db", "week1")  # doctest: +SKIP
        """
        if "autosave" in kwargs:
            raise TypeError("a shared thread is stored already: use autosave= or connect()")
        owned = not isinstance(store, SharedStore)
        shared = open_store(store)
        try:
            if thread is not None:
                shared.create_thread(thread_id, thread, exist_ok=True)
            state, seq = shared.load(thread_id)
            widget = cls(thread=state.to_thread(), **kwargs)
        except BaseException:
            if owned:
                shared.close()
            raise
        widget._attach(_SharedLink(shared, thread_id, seq, owned))
        return widget

    @property
    def shared(self) -> tuple[SharedStore, str] | None:
        """``(store, thread_id)`` of the shared thread this widget shows, or None."""
        link = self._shared
        return None if link is None else (link.store, link.thread_id)

    @property
    def shared_seq(self) -> int | None:
        """The store's ``seq`` of the latest shared event this widget has applied (or None)."""
        link = self._shared
        return None if link is None else link.seq

    def refresh(self) -> int:
        """Apply the shared thread's news now (they also arrive by themselves); how many."""
        return self._pull()

    def _attach(self, link: _SharedLink) -> None:
        with self._lock:
            self._shared = link
        link.unsubscribe = link.store.subscribe(link.thread_id, self._pull)
        self._pull()  # whatever was committed between load() and subscribe()

    def _pull(self) -> int:
        with self._lock:
            link = self._shared
            if link is None:
                return 0
            try:
                missed = link.store.events_since(link.thread_id, link.seq)
            except (StoreError, KeyError) as error:
                self.log.warning("threadwidget: could not read the shared thread: %s", error)
                return 0
            applied = [event for seq, event in missed if self._apply_remote(seq, event)]
            for event in applied:
                self._notify(event)
            return len(applied)

    def _apply_remote(self, seq: int, event: ops.Event) -> bool:
        """Apply one event another kernel committed (lock held); False if already applied."""
        link = self._shared
        assert link is not None
        if seq <= link.seq:
            return False
        self._publish(event, rid=None)
        link.seq = seq
        return True

    def close(self) -> None:
        """Close the widget; a shared widget also stops listening (and closes a store it opened)."""
        link = getattr(self, "_shared", None)  # None too when __init__ failed early
        self._shared = None
        if link is not None:
            if link.unsubscribe is not None:
                link.unsubscribe()
            if link.owned:
                link.store.close()
        super().close()

    def embed_state(self) -> dict[str, Any]:
        """Widget state for ``ipywidgets.embed``: a read-only snapshot of the thread as it is now.

        >>> from ipywidgets.embed import embed_minimal_html
        >>> embed_minimal_html("page.html", views=[w], state=w.embed_state())  # doctest: +SKIP

        The page renders without a kernel, with every editing control hidden and a note saying
        when the snapshot was taken.
        """
        from ipywidgets.embed import dependency_state

        state: dict[str, Any] = dependency_state(self, drop_defaults=False)
        mine = state[self.model_id]["state"]
        mine["read_only"] = True
        mine["_snapshot"] = {**mine["_snapshot"], "saved_at": utcnow().isoformat()}
        return state

    # ---- the operation path ----------------------------------------------------------------

    def _apply_trusted(self, op: ops.Operation, actor: str | None = None) -> ops.Event:
        ctx = ops.Context(actor=actor or self.user, trusted=True)
        with self._lock:
            return self._decide(op, ctx, rid=None)

    def _validated(self, op: ops.Operation, ctx: ops.Context) -> ops.Operation:
        """Run the validators in order; each may refuse the operation or rewrite it."""
        for validator in list(self._validators):
            try:
                result = validator(op, ctx)
            except ValueError as error:  # OperationRejected included: a refusal with a reason
                reason = getattr(error, "reason", None) or str(error) or "Refused by a check."
                raise ops.OperationRejected(reason, getattr(error, "field", None)) from error
            except Exception as error:  # a bug in the validator: report it, change nothing
                self._report(validator, error)
                raise ops.OperationRejected(
                    "A check on this discussion failed; nothing changed."
                ) from error
            if result is None:
                continue
            same_target = getattr(result, "id", None) == getattr(op, "id", None)
            if getattr(result, "type", None) != op.type or not same_target:
                self._report(
                    validator,
                    TypeError(
                        f"a validator must return None or a {op.type!r} operation on the "
                        f"same comment, not {result!r}"
                    ),
                )
                raise ops.OperationRejected("A check on this discussion failed; nothing changed.")
            op = result
        return op

    def _decide(self, op: ops.Operation, ctx: ops.Context, rid: str | None) -> ops.Event:
        """Check ``op`` against the latest state and commit it (lock held)."""
        op = self._validated(op, ctx)
        link = self._shared
        if link is None:
            return self._commit(ops.check(self._state, op, ctx), rid)
        caught_up: list[ops.Event] = []

        def decide(missed: list[tuple[int, ops.Event]]) -> ops.Event:
            # inside the store's write transaction: catch up, then decide on the latest state
            caught_up.extend(event for seq, event in missed if self._apply_remote(seq, event))
            return ops.check(self._state, op, ctx)

        try:
            seq, event = link.store.append_after(link.thread_id, link.seq, decide)
        except StoreError as error:
            raise ops.OperationRejected(
                f"Could not reach the shared discussion ({error}); nothing changed."
            ) from error
        except KeyError as error:
            raise ops.OperationRejected(
                "This shared discussion was deleted; nothing changed."
            ) from error
        finally:
            for missed_event in caught_up:
                self._notify(missed_event)
        self._publish(event, rid)  # the ack: only after the store's commit
        link.seq = seq
        self._notify(event)
        return event

    def _publish(self, event: ops.Event, rid: str | None) -> None:
        """Apply a decided, stored event and broadcast it to the views (lock held)."""
        ops.commit(self._state, event)
        wire = event.model_dump(mode="json")
        self._log.append((rid, wire))
        self.send(event_message(self._epoch, self._state.seq, rid, wire))

    def _commit(self, event: ops.Event, rid: str | None) -> ops.Event:
        if self._store is not None:
            try:
                self._store.append(event)  # durable before anyone hears of it
            except OSError as error:
                raise ops.OperationRejected(
                    f"Could not save this change ({error.strerror or error}); nothing changed."
                ) from error
        self._publish(event, rid)
        if self._store is not None and self._store.needs_compaction():
            self._store.compact(self._state.to_thread())
        self._notify(event)
        return event

    def _notify(self, event: ops.Event) -> None:
        targets: list[tuple[Callback, Any]] = [(cb, event) for cb in list(self._change_callbacks)]
        if isinstance(event, ops.AddEvent):
            targets += [(cb, event.comment) for cb in list(self._comment_callbacks)]
        for callback, argument in targets:
            try:
                callback(argument)
            except Exception as error:  # a user's callback must not break the widget
                self._report(callback, error)

    def _report(self, callback: object, error: BaseException) -> None:
        """Keep and announce an error raised by user code (a callback or a validator)."""
        self.errors.append(error)
        name = getattr(callback, "__qualname__", repr(callback))
        warnings.warn(
            f"threadwidget callback {name} raised {type(error).__name__}: {error}",
            CallbackError,
            stacklevel=3,
        )

    # ---- browser messages --------------------------------------------------------------------

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Accept trait updates from the browser only for view preferences with valid values.

        A page could otherwise make itself another ``user`` or lift ``read_only``; refused keys
        are sent back with their true values so every view shows Python's state again.
        """
        allowed = {
            key: value
            for key, value in sync_data.items()
            if key in BROWSER_WRITABLE and value in BROWSER_WRITABLE[key]
        }
        refused = sorted(key for key in sync_data if key not in allowed and key in self.keys)
        if allowed:
            super().set_state(allowed)
        if refused:
            self.log.warning("threadwidget: refused browser update of %s", ", ".join(refused))
            self.send_state(refused)

    def _on_custom_message(self, _widget: object, content: object, _buffers: object) -> None:
        try:
            message = parse_client_message(content)
        except ProtocolError as error:
            self.send(reject_message(error.rid, error.reason, None))
            return
        with self._lock:
            if isinstance(message, SyncRequest):
                self._answer_sync(message)
            else:
                self._handle_op_request(message)

    def _handle_op_request(self, request: OpRequest) -> None:
        client = request.rid.rsplit("-", 1)[0]
        if not self._within_rate(client):
            self.send(
                reject_message(
                    request.rid,
                    f"Too many actions at once (at most {RATE_LIMIT} in {RATE_WINDOW:g} s). "
                    "Wait a moment and try again.",
                    None,
                )
            )
            return
        try:
            operation = ops.parse_operation(request.op)
        except ValidationError as error:
            reason, field = describe_validation_error(error)
            self.send(reject_message(request.rid, f"Invalid operation: {reason}", field))
            return
        ctx = ops.Context(actor=self.user, trusted=False, read_only=self.read_only)
        try:
            self._decide(operation, ctx, rid=request.rid)
        except ops.OperationRejected as error:
            self.send(reject_message(request.rid, error.reason, error.field))

    def _within_rate(self, client: str) -> bool:
        now = time.monotonic()
        stamps = self._rates.setdefault(client, deque())
        while stamps and now - stamps[0] > RATE_WINDOW:
            stamps.popleft()
        if len(stamps) >= RATE_LIMIT:
            return False
        stamps.append(now)
        return True

    def _answer_sync(self, request: SyncRequest) -> None:
        missed = len(self._log) - request.seq
        stale = request.epoch != self._epoch or missed < 0
        if stale or missed > len(self._state.comments) // 2 + 50:
            self._send_snapshot(request.client, request.rid)
            return
        entries = [
            {"seq": seq, "rid": rid, "event": event}
            for seq, (rid, event) in enumerate(self._log[request.seq :], start=request.seq + 1)
        ]
        chunks = list(chunk_by_size(entries))
        for index, chunk in enumerate(chunks):
            self.send(
                {
                    "kind": "catchup",
                    "to": request.client,
                    "rid": request.rid,
                    "epoch": self._epoch,
                    "events": chunk,
                    "done": index == len(chunks) - 1,
                }
            )

    def _send_snapshot(self, client: str, rid: str | None) -> None:
        chunks = list(chunk_by_size(wire_comment(c) for c in self._state))
        post = self._state.post.model_dump(mode="json")
        for index, chunk in enumerate(chunks):
            message: dict[str, Any] = {
                "kind": "snapshot",
                "to": client,
                "rid": rid,
                "epoch": self._epoch,
                "seq": self._state.seq,
                "part": index,
                "parts": len(chunks),
                "comments": chunk,
            }
            if index == 0:
                message["post"] = post
                message["confirmed"] = self._confirmed_requests(client)
            self.send(message)

    def _confirmed_requests(self, client: str, limit: int = 200) -> list[str]:
        """The most recent accepted request ids of one client, newest last."""
        prefix = f"{client}-"
        found: list[str] = []
        for rid, _ in reversed(self._log):
            if rid is not None and rid.startswith(prefix):
                found.append(rid)
                if len(found) == limit:
                    break
        return found[::-1]

    def _snapshot_now(self) -> dict[str, Any]:
        """The full current state in the ``_snapshot`` shape (comments left out if huge)."""
        with self._lock:
            estimate = sum(len(c.body) + 250 for c in self._state)
            return snapshot_value(
                self._state.post,
                self._state,
                epoch=self._epoch,
                seq=self._state.seq,
                complete=estimate <= SNAPSHOT_TRAIT_LIMIT,
            )

    def _publish_snapshot(self) -> None:
        """Write the full state into the ``_snapshot`` trait (construction and replacement only)."""
        self._snapshot = self._snapshot_now()

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict[str, Any]:
        """Widget state for the wire and for exports; ``_snapshot`` is always the current thread.

        Operations never rewrite the ``_snapshot`` trait (they travel as small events), so a
        notebook export (``ipywidgets.embed``) or a late comm open must not send the stale value.
        """
        state: dict[str, Any] = super().get_state(key, drop_defaults)
        if "_snapshot" in state:
            state["_snapshot"] = self._snapshot_now()
        return state

    def __repr__(self) -> str:
        shared = "" if self._shared is None else f", shared={self._shared.thread_id!r}"
        return (
            f"<ThreadWidget {self._state.post.title!r}: {len(self._state.comments)} comments, "
            f"user={self.user!r}, seq={self._state.seq}{shared}>"
        )


class _SharedLink:
    """A widget's attachment to a shared thread: the store, the thread and the store's ``seq``
    of the latest event the widget has applied."""

    def __init__(self, store: SharedStore, thread_id: str, seq: int, owned: bool) -> None:
        self.store = store
        self.thread_id = thread_id
        self.seq = seq
        self.owned = owned
        self.unsubscribe: Callable[[], None] | None = None
