"""ThreadWidget: a post and its comment tree, live in a notebook, editable from Python and the page.

The widget owns one authoritative :class:`~threadwidget.ops.ThreadState`. Every change, from
Python or from a browser view, is an operation passed to :func:`threadwidget.ops.apply`; the
resulting event is numbered and broadcast to every view. The widget holds no rules of its own.
"""

from __future__ import annotations

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
from .actions import Action, ActionResult, ActionTarget, outcome
from .commands import Commands
from .fields import valid_fields, wire_fields
from .formats.native import read_thread, write_thread
from .labelling import agreement, label_rows, labels_frame, valid_label_set
from .models import MAX_BODY_CHARS, Comment, Post, Thread, utcnow
from .protocol import (
    ActionRequest,
    OpRequest,
    ProtocolError,
    ReplayRequest,
    SyncRequest,
    TimelineRequest,
    chunk_by_size,
    describe_validation_error,
    event_message,
    parse_client_message,
    reject_message,
    snapshot_value,
    wire_comment,
    wire_event,
    wire_post,
)
from .ranking import SORTS, rank, rank_frame
from .replay import moments, thread_at
from .stores import JournalStore, SharedStore, StoreError, open_store
from .strings import DEFAULT_STRINGS
from .voting import VotingModel, tally, voting_model

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
#: The only traits a browser may set; everything else (user, read_only, the snapshot) is Python's.
BROWSER_WRITABLE = {"sort": SORTS}
#: Layout options (``w.options``) and their defaults.
DEFAULT_OPTIONS: dict[str, Any] = {
    "max_indent": 6,
    "density": "comfortable",
    "avatars": "initials",
    "timestamps": "relative",
    "collapsed_depth": None,
    "counts": ["votes", "replies", "comments"],
}
#: Counts a view may show: like/vote/reaction counts, "N replies" on collapsed comments, the total.
COUNT_KINDS = ("votes", "replies", "comments")
_OPTION_CHOICES = {
    "density": ("comfortable", "compact"),
    "avatars": ("initials", "none"),  # or an https URL template with {author}
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


def _avatar_template(value: str) -> bool:
    """An image URL template for avatars: https, with ``{author}`` where the name goes."""
    return (
        value.startswith("https://")
        and "{author}" in value
        and len(value) <= 500
        and not any(ch.isspace() or ch in "\"'<>" for ch in value)
    )


def _check_counts(value: object) -> None:
    if (
        not isinstance(value, list | tuple)
        or any(v not in COUNT_KINDS for v in value)
        or len(set(value)) != len(value)
    ):
        raise ValueError(
            f"option 'counts' must be a list of distinct items from {', '.join(COUNT_KINDS)}, "
            f"not {value!r}"
        )


def _esm_source() -> str | Path:
    bundle = _STATIC / "widget.js"
    return bundle if bundle.exists() else _MISSING_BUNDLE_ESM


def _css_source() -> str | Path:
    css = _STATIC / "widget.css"
    return css if css.exists() else ""


class ThreadWidget(Commands, anywidget.AnyWidget):
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
    #: Order of comments among siblings: "oldest", "newest", "top", "best", "controversial" or
    #: "hot" (formulas in :mod:`threadwidget.ranking`; :meth:`ranking` shows the scores).
    sort = traitlets.Enum(SORTS, default_value="oldest").tag(sync=True)
    #: Replacements for UI strings, by key (see ``strings.json`` and docs/extending.md).
    strings = traitlets.Dict().tag(sync=True)
    #: BCP 47 locale for times and numbers ("de", "pt-BR"); "" is the page's locale.
    locale = traitlets.Unicode("").tag(sync=True)
    #: Layout: max_indent, density, avatars, timestamps, collapsed_depth (see DEFAULT_OPTIONS).
    options = traitlets.Dict().tag(sync=True)
    #: Extra CSS for every view, in a <style> inside the view (rules should start with .tw-root).
    css = traitlets.Unicode("").tag(sync=True)

    # Not synced: the kernel folds these into ``_config`` (what the views read) and into the
    # rules every operation is checked against.
    #: The browser user's role: "reader", "participant" (default) or "moderator".
    role = traitlets.Enum(ops.ROLES, default_value="participant")
    #: Per-user roles, overriding ``role`` for the named users ({"teacher": "moderator"}).
    roles = traitlets.Dict()
    #: "likes" (default), "updown", or reactions {"👍": "Agree", ...}; one vote per user.
    voting = traitlets.Any("likes")
    #: The labels of a labelling exercise (["spam", "off-topic", ...]); empty: no labelling.
    label_set = traitlets.List()
    #: ``extra`` keys the cards show: [("sentiment", "badge"), ("toxicity", "bar", "Toxicity")].
    fields = traitlets.List()
    #: Badges after author names: {"helper": "bot", "Ms. Rivera": "teacher"}.
    badges = traitlets.Dict()

    @traitlets.validate("roles")
    def _valid_roles(self, proposal: Any) -> dict[str, str]:
        value = dict(proposal["value"])
        for user, role in value.items():
            if not isinstance(user, str) or not user:
                raise ValueError(f"roles: user names must be non-empty str, not {user!r}")
            if role not in ops.ROLES:
                choices = ", ".join(ops.ROLES)
                raise ValueError(f"roles[{user!r}] must be one of {choices}, not {role!r}")
        return value

    @traitlets.validate("voting")
    def _valid_voting(self, proposal: Any) -> object:
        value = proposal["value"]
        voting_model(value)  # raises ValueError naming voting
        return dict(value) if isinstance(value, Mapping) else value

    @traitlets.validate("label_set")
    def _valid_label_set(self, proposal: Any) -> list[str]:
        return valid_label_set(proposal["value"])

    @traitlets.validate("fields")
    def _valid_fields(self, proposal: Any) -> list[tuple[str, str, str]]:
        return valid_fields(proposal["value"])

    @traitlets.validate("badges")
    def _valid_badges(self, proposal: Any) -> dict[str, str]:
        value = dict(proposal["value"])
        for author, text in value.items():
            if not isinstance(text, str) or not 1 <= len(text) <= 40:
                raise ValueError(f"badges[{author!r}] must be a str of 1 to 40 characters")
        return value

    @traitlets.observe("role", "roles", "voting", "label_set", "fields", "badges", "user")
    def _rules_changed(self, _change: Any) -> None:
        if hasattr(self, "_actions"):  # not during __init__
            self._refresh_config()

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
            if key == "avatars" and isinstance(option, str) and _avatar_template(option):
                continue
            if key == "counts":
                _check_counts(option)
                continue
            if key in _OPTION_CHOICES:
                if option not in _OPTION_CHOICES[key]:
                    extra = " or an https URL template with {author}" if key == "avatars" else ""
                    raise ValueError(
                        f"option {key!r} must be one of {', '.join(_OPTION_CHOICES[key])}"
                        f"{extra}, not {option!r}"
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
        role: str = "participant",
        roles: Mapping[str, str] | None = None,
        voting: object = "likes",
        label_set: Iterable[str] = (),
        fields: Iterable[Any] = (),
        badges: Mapping[str, str] | None = None,
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
        self._actions: dict[str, Action] = {}
        #: comment action name -> ids its ``when`` accepts (None: every comment)
        self._action_ids: dict[str, set[str] | None] = {}
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
            role=role,
            roles=dict(roles or {}),
            voting=voting,
            label_set=valid_label_set(label_set),  # a str is refused, not split into letters
            fields=[fields] if isinstance(fields, str) else list(fields),
            badges=dict(badges or {}),
            _snapshot=self._snapshot_now(),
            **kwargs,
        )
        self._refresh_config()
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
            for name, action in self._actions.items():  # `when` ids belong to the old thread
                if action.when is not None:
                    self._action_ids[name] = self._matching(action)
            self._refresh_config()
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

    # ---- roles, votes, labels, actions --------------------------------------------------------

    def role_of(self, user: str) -> ops.Role:
        """The role ``user`` acts with: ``roles[user]`` if set, else ``role``."""
        role = self.roles.get(user, self.role)
        return role  # type: ignore[no-any-return]

    @property
    def voting_model(self) -> VotingModel:
        """The validated voting model (see :mod:`threadwidget.voting`)."""
        return voting_model(self.voting)

    def votes_of(self, comment_id: str) -> dict[str, list[str]]:
        """Who chose what on a comment: choice -> users (``"like"`` -> likers for likes)."""
        return tally(self.get(comment_id), self.voting_model)

    @property
    def labels(self) -> Any:
        """The labelling exercise as a DataFrame: comment_id, user, label, author, body."""
        return labels_frame(self.thread)

    def ranking(self, sort: str | None = None, now: datetime | None = None) -> Any:
        """Every comment this widget's user sees, in page order, with its rank among siblings,
        score inputs, score and formula under ``sort`` (default: :attr:`sort`), as a DataFrame.
        ``now`` is the clock of ``hot`` (default: the current time)."""
        rows = rank(
            self.thread,
            sort or self.sort,
            self.voting_model,
            now,
            role=self.role_of(self.user),
            strings=self.strings,
        )
        return rank_frame(rows)

    def label_rows(self) -> list[dict[str, Any]]:
        """The rows of :attr:`labels` as dicts (no pandas needed)."""
        return label_rows(self.thread)

    def agreement(self, key: Mapping[str, str]) -> Any:
        """Per student: labelled, matches, agreement and accuracy against an answer key
        (comment id -> label), as a DataFrame indexed by user."""
        return agreement(self.thread, key)

    def audit(self) -> list[dict[str, Any]]:
        """Every report and moderator decision since the thread was loaded: who, when, what,
        on which comment, and why."""
        kinds = (
            ops.FlagEvent,
            ops.UnflagEvent,
            ops.ModerateEvent,
            ops.PinEvent,
            ops.LockEvent,
        )
        rows = []
        for event in self.events:
            if not isinstance(event, kinds):
                continue
            action: str = event.type
            if isinstance(event, ops.ModerateEvent):
                action = event.action
            elif isinstance(event, ops.PinEvent):
                action = "pin" if event.pinned else "unpin"
            elif isinstance(event, ops.LockEvent):
                action = "lock" if event.locked else "unlock"
            rows.append(
                {
                    "at": event.at,
                    "by": event.actor,
                    "action": action,
                    "comment_id": event.id,
                    "reason": getattr(event, "reason", ""),
                }
            )
        return rows

    def add_action(
        self,
        name: str,
        label: str | None = None,
        handler: Callable[..., ActionResult] | None = None,
        *,
        icon: str | None = None,
        when: Callable[[Comment], bool] | None = None,
        target: ActionTarget = "comment",
        actor: str | None = None,
    ) -> Callable[[], None]:
        """Put a button named ``label`` on every comment ``when(comment)`` accepts (all when
        None), on the post (``target="post"``) or in the toolbar (``target="thread"``).

        A click calls ``handler(comment_or_post_or_thread, user)`` in the kernel. It may return
        operations (or dicts) to apply — as ``actor``, default the clicking user — a message
        str to show, or None; raising refuses the click, its message shown in the page. Returns
        a function that removes the action.
        """
        if handler is None:
            raise TypeError("add_action needs a handler: handler(comment, user)")
        action = Action(
            name=name,
            label=label or name.replace("_", " ").capitalize(),
            handler=handler,
            icon=icon,
            when=when,
            target=target,
            actor=actor,
        )
        with self._lock:
            self._actions[name] = action
            self._action_ids[name] = None if when is None else self._matching(action)
            self._refresh_config()

        def remove() -> None:
            with self._lock:
                if self._actions.get(name) is action:
                    del self._actions[name]
                    self._action_ids.pop(name, None)
                    self._refresh_config()

        return remove

    @property
    def actions(self) -> list[str]:
        """Names of the registered custom actions, in the order they show."""
        return list(self._actions)

    def _matching(self, action: Action) -> set[str]:
        """Ids of the comments an action's ``when`` accepts (a failing predicate: none)."""
        ids = set()
        for comment in self._state:
            if self._accepts(action, comment):
                ids.add(comment.id)
        return ids

    def _accepts(self, action: Action, comment: Comment) -> bool:
        if action.when is None:
            return True
        try:
            return bool(action.when(comment))
        except Exception as error:  # a failing predicate hides the button and is reported
            self._report(action.when, error)
            return False

    def _rematch(self, event: ops.Event) -> bool:
        """Re-run ``when`` predicates for the comment an event touched; True if any changed."""
        comment_id = event.comment.id if isinstance(event, ops.AddEvent) else event.id
        if comment_id is None or comment_id not in self._state.comments:
            return False
        comment = self._state.comments[comment_id]
        changed = False
        for name, action in self._actions.items():
            ids = self._action_ids.get(name)
            if ids is None:
                continue
            if self._accepts(action, comment) != (comment_id in ids):
                ids.symmetric_difference_update({comment_id})
                changed = True
        return changed

    def _context(self, actor: str, trusted: bool) -> ops.Context:
        """The rules an operation by ``actor`` is checked against."""
        return ops.Context(
            actor=actor,
            trusted=trusted,
            read_only=self.read_only,
            role=self.role_of(actor),
            votes=self.voting_model.keys,
            labels=frozenset(self.label_set),
        )

    def _refresh_config(self) -> None:
        """Recompute ``_config``, all the views need to know about the rules (a fresh dict)."""
        actions = [
            action.wire(
                None if self._action_ids.get(name) is None else sorted(self._action_ids[name] or ())
            )
            for name, action in self._actions.items()
        ]
        self._config = {
            "max_body": MAX_BODY_CHARS,
            "role": self.role_of(self.user),
            "voting": self.voting_model.wire(),
            "label_set": list(self.label_set),
            "fields": wire_fields(self.fields),
            "actions": actions,
            "badges": dict(self.badges),
        }

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
        when the snapshot was taken. It carries what a reader sees (``Thread.published``): no
        moderated text, reports, labels or moderation notes.
        """
        from ipywidgets.embed import dependency_state

        state: dict[str, Any] = dependency_state(self, drop_defaults=False)
        mine = state[self.model_id]["state"]
        mine["read_only"] = True
        with self._lock:
            public, seq = self._state.to_thread().published(), self._state.seq
        snapshot = snapshot_value(public.post, public.comments, epoch=self._epoch, seq=seq)
        mine["_snapshot"] = {**snapshot, "saved_at": utcnow().isoformat()}
        mine["_config"] = {**mine["_config"], "role": "reader", "actions": []}
        return state

    # ---- the operation path ----------------------------------------------------------------

    def _apply_trusted(self, op: ops.Operation, actor: str | None = None) -> ops.Event:
        ctx = self._context(actor or self.user, trusted=True)
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
        self.send(event_message(self._epoch, self._state.seq, rid, wire_event(wire)))

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
        if self._action_ids and self._rematch(event):
            self._refresh_config()
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
            elif isinstance(message, OpRequest):
                self._handle_op_request(message)
            elif isinstance(message, ActionRequest):
                self._handle_action(message)
            elif isinstance(message, TimelineRequest):
                self._answer_timeline(message)
            else:
                self._answer_replay(message)

    def _handle_action(self, request: ActionRequest) -> None:
        """Run a custom action's handler for a click, apply what it returns, answer the view."""

        def answer(ok: bool, reason: str | None = None, message: str | None = None) -> None:
            self.send(
                {
                    "kind": "action_result",
                    "rid": request.rid,
                    "ok": ok,
                    "reason": reason,
                    "message": message,
                }
            )

        action = self._actions.get(request.name)
        if action is None:
            answer(False, f"There is no action {request.name!r} (any more).")
            return
        if not self._within_rate(request.rid.rsplit("-", 1)[0]):
            answer(False, "Too many actions at once. Wait a moment and try again.")
            return
        if self.read_only:
            answer(False, "This discussion is read-only.")
            return
        if self.role_of(self.user) == "reader":
            answer(False, "Readers cannot change this discussion (your role is reader).")
            return
        subject: Any
        if action.target == "comment":
            ids = self._action_ids.get(action.name)
            if request.id is None or request.id not in self._state.comments:
                answer(False, f"There is no comment with id {request.id!r}.")
                return
            if ids is not None and request.id not in ids:
                answer(False, f"{action.label} does not apply to this comment.")
                return
            subject = self._state.comments[request.id]
            moderator = self.role_of(self.user) == "moderator"
            if subject.status == "deleted" or (subject.status != "visible" and not moderator):
                answer(False, f"{action.label} does not apply to a {subject.status} comment.")
                return
        elif action.target == "post":
            subject = self._state.post
        else:
            subject = self._state.to_thread()
        try:
            operations, message = outcome(action.handler(subject, self.user))
        except Exception as error:
            # ValueError is a refusal, with the reason for the user; anything else (a malformed
            # operation too, pydantic's ValidationError) is a bug: report it, change nothing
            if isinstance(error, ValueError) and not isinstance(error, ValidationError):
                answer(False, getattr(error, "reason", None) or str(error) or "Refused.")
                return
            self._report(action.handler, error)
            answer(False, f"{action.label} failed ({type(error).__name__}); nothing changed.")
            return
        ctx = self._context(action.actor or self.user, trusted=True)
        if len(operations) > 1:
            # All or nothing: try the whole list on a copy first (a reply and then an edit of it,
            # say), so that a refusal half-way leaves the thread as it was.
            trial = ops.ThreadState(self._state.post, dict(self._state.comments), self._state.seq)
            try:
                for operation in operations:
                    ops.apply(trial, self._validated(operation, ctx), ctx)
            except ops.OperationRejected as error:
                answer(False, f"{error.reason} Nothing changed.")
                return
        for operation in operations:
            try:
                self._decide(operation, ctx, rid=None)
            except ops.OperationRejected as error:  # a shared thread changed meanwhile
                answer(False, error.reason)
                return
        answer(True, message=message)

    def _answer_timeline(self, request: TimelineRequest) -> None:
        """Every moment the thread changed, for a view's replay slider."""
        stops = [when.isoformat() for when in self.moments()]
        self.send({"kind": "timeline", "rid": request.rid, "moments": stops})

    def _answer_replay(self, request: ReplayRequest) -> None:
        """The thread at one moment of the timeline, in bounded parts (``replay_state``)."""
        stops = self.moments()
        if not stops:
            self.send(reject_message(request.rid, "There is nothing to replay yet.", "index"))
            return
        index = min(request.index, len(stops) - 1)
        thread = self.replay_at(stops[index])
        chunks = list(chunk_by_size(wire_comment(c) for c in thread.comments))
        for part, chunk in enumerate(chunks):
            message: dict[str, Any] = {
                "kind": "replay_state",
                "rid": request.rid,
                "index": index,
                "at": stops[index].isoformat(),
                "count": len(stops),
                "part": part,
                "parts": len(chunks),
                "comments": chunk,
            }
            if part == 0:
                message["post"] = wire_post(thread.post)
            self.send(message)

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
        ctx = self._context(self.user, trusted=False)
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
            {"seq": seq, "rid": rid, "event": wire_event(event)}
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
        post = wire_post(self._state.post)
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
