"""ThreadWidget: the anywidget façade over an :class:`~threadwidget.core.engine.Engine`.

The widget holds traits (what views show and how) and speaks the page protocol; the engine holds
the thread and decides every change. Storage (memory, an autosave file, a shared store, the hub
service) is the engine's business: nothing here asks which one it is.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..analysis.labelling import valid_label_set
from ..core import operations, rules
from ..core.delivery import host_thread_class
from ..core.engine import Callback, Engine, Validator
from ..core.models import Comment, Post, Thread, utcnow
from ..core.ranking import SORTS
from ..core.voting import voting_model
from ..formats.native import write_thread
from ..page.channel import RATE_LIMIT, PageChannel, RateLimiter
from ..page.messages import config_value, focus_message, snapshot_value
from ..storage.base import Storage
from ..storage.file import FileStorage
from ..storage.open import open_storage
from ..stores.store import SharedStore
from ..strings import DEFAULT_STRINGS
from .action_registry import ActionRegistry
from .classroom import Classroom
from .commands import Commands
from .fields import valid_fields, wire_fields
from .page_server import PageRequests
from .saved_state import SavedState
from .settings import (
    DEFAULT_OPTIONS,
    valid_badges,
    valid_css,
    valid_locale,
    valid_options,
    valid_roles,
    valid_strings,
)

__all__ = ["DEFAULT_OPTIONS", "DEFAULT_STRINGS", "RATE_LIMIT", "CallbackError", "ThreadWidget"]

_STATIC = Path(__file__).parents[1] / "static"
_MISSING_BUNDLE_ESM = """
export default { render({ el }) {
  el.textContent = "threadwidget: the frontend bundle is missing "
    + "(src/threadwidget/static/widget.js). Reinstall the package, or run "
    + "`npm install && npm run build` in a source checkout.";
} };
"""


class CallbackError(RuntimeWarning):
    """Kept for imports from earlier versions: errors of user code are now logged (logger
    ``threadwidget``) and kept in ``w.errors``, never issued as warnings."""


def _esm_source() -> str | Path:
    bundle = _STATIC / "widget.js"
    return bundle if bundle.exists() else _MISSING_BUNDLE_ESM


def _css_source() -> str | Path:
    css = _STATIC / "widget.css"
    return css if css.exists() else ""


class ThreadWidget(PageRequests, Commands, Classroom, anywidget.AnyWidget):
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
    #: Names this widget's model in the page: every view finds the model's one store by it.
    _model_key = traitlets.Unicode("").tag(sync=True)

    #: The person acting in the browser views (authors their comments and likes).
    user = traitlets.Unicode("anonymous").tag(sync=True)
    #: Hide every editing control and refuse browser operations.
    read_only = traitlets.Bool(False).tag(sync=True)
    #: Order of comments among siblings: "oldest", "newest", "top", "best", "controversial" or
    #: "hot" (formulas in :mod:`threadwidget.core.ranking`; :meth:`ranking` shows the scores).
    sort = traitlets.Enum(SORTS, default_value="oldest").tag(sync=True)
    #: The comment selected in a view (None: none). Set it to focus a comment in every view;
    #: observe it (or ``ipywidgets.link`` it) to follow what readers select.
    selected = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    #: Replacements for UI strings, by key (see ``strings.json`` and docs/extending.md).
    strings = traitlets.Dict().tag(sync=True)
    #: BCP 47 locale for times and numbers ("de", "pt-BR"); "" is the page's locale.
    locale = traitlets.Unicode("").tag(sync=True)
    #: Layout: max_indent, density, avatars, timestamps, collapsed_depth, counts, max_height.
    options = traitlets.Dict().tag(sync=True)
    #: Extra CSS for every view, in a <style> inside the view (rules should start with .tw-root).
    css = traitlets.Unicode("").tag(sync=True)

    # Not synced: the kernel folds these into ``_config`` (what the views read) and into the
    # rules every operation is checked against.
    #: The browser user's role: "reader", "participant" (default) or "moderator".
    role = traitlets.Enum(rules.ROLES, default_value="participant")
    #: Per-user roles, overriding ``role`` for the named users ({"teacher": "moderator"}).
    roles = traitlets.Dict()
    #: "likes" (default), "updown", or reactions {"👍": "Agree", ...}; one vote per user.
    voting = traitlets.Any("likes")
    #: The labels of a labelling exercise (["spam", "off-topic", ...]); empty: no labelling.
    label_set: traitlets.List[str] = traitlets.List()
    #: ``extra`` keys the cards show: [("sentiment", "badge"), ("toxicity", "bar", "Toxicity")].
    fields: traitlets.List[Any] = traitlets.List()
    #: Badges after author names: {"helper": "bot", "Ms. Rivera": "teacher"}.
    badges = traitlets.Dict()
    #: What a saved notebook carries: "published" (what a reader sees) or "full" (everything).
    notebook_state = traitlets.Enum(("published", "full"), default_value="published")

    @traitlets.validate("roles")
    def _valid_roles(self, proposal: Any) -> dict[str, str]:
        return valid_roles(proposal["value"])

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
        return valid_badges(proposal["value"])

    @traitlets.validate("strings")
    def _valid_strings(self, proposal: Any) -> dict[str, str]:
        return valid_strings(proposal["value"])

    @traitlets.validate("locale")
    def _valid_locale(self, proposal: Any) -> str:
        return valid_locale(proposal["value"])

    @traitlets.validate("options")
    def _valid_options(self, proposal: Any) -> dict[str, Any]:
        return valid_options(proposal["value"])

    @traitlets.validate("css")
    def _valid_css(self, proposal: Any) -> str:
        return valid_css(proposal["value"])

    @traitlets.validate("selected")
    def _valid_selected(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value is not None and value not in self._engine.state.comments:
            raise ValueError(f"selected: no comment with id {value!r}")
        return value  # type: ignore[no-any-return]

    @traitlets.observe("selected")
    def _selected_changed(self, change: Any) -> None:
        if change["new"] is not None and not self._from_page:
            self.send(focus_message(change["new"]))

    @traitlets.observe("role", "roles", "voting", "label_set", "fields", "badges", "user")
    def _rules_changed(self, _change: Any) -> None:
        if hasattr(self, "_actions"):  # not during __init__
            self._refresh_config()

    @traitlets.observe("notebook_state")
    def _notebook_state_changed(self, _change: Any) -> None:
        if hasattr(self, "_actions"):  # not during __init__
            self._saved.full = self.notebook_state == "full"
            with self._engine.lock:
                self._saved.refresh(self._engine.state, self._page.epoch)

    def __init__(
        self,
        post: Post | Mapping[str, Any] | None = None,
        comments: Iterable[Comment | Mapping[str, Any]] = (),
        *,
        thread: Thread | None = None,
        user: str | None = None,
        read_only: bool = False,
        sort: str = "oldest",
        autosave: str | os.PathLike[str] | None = None,
        storage: Storage | None = None,
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
        notebook_state: str = "published",
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - {"layout", "tabbable", "tooltip"}
        if unknown:
            raise TypeError(
                f"ThreadWidget got unexpected keyword argument(s): {', '.join(sorted(unknown))}"
            )
        if thread is not None and (post is not None or comments):
            raise TypeError("pass either thread=... or post=/comments=, not both")
        if autosave is not None and storage is not None:
            raise TypeError("pass either autosave= or storage=, not both")
        if thread is None and (post is not None or comments):
            if isinstance(post, Mapping):
                post = Post.model_validate(post)
            thread = Thread(
                post=post if post is not None else Post(),
                comments=tuple(comments),  # type: ignore[arg-type]
            )
        if user is None:
            user = os.environ.get("JUPYTERHUB_USER") or "anonymous"
        if autosave is not None:
            storage = FileStorage(autosave, thread)  # an existing autosave wins over `thread`
        self._engine = engine = Engine(thread, storage)
        engine.delivery.thread_class = host_thread_class()  # created in the host's own context
        self._from_page = False
        self._followers: list[Any] = []
        self._rates = RateLimiter()
        self._page = PageChannel(
            lambda message: self.send(message),
            secrets.token_hex(8),
            engine.lock,
            engine.delivery.thread_class,
        )
        self._saved = SavedState(self._send_raw, full=notebook_state == "full")
        self._actions = ActionRegistry(engine, self._refresh_config)
        engine.add_sink(self._on_applied)
        with engine.lock:
            snapshot = self._saved.snapshot(engine.state, self._page.epoch, sort, voting)
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
            notebook_state=notebook_state,
            _snapshot=snapshot,
            _model_key=secrets.token_hex(8),
            **kwargs,
        )
        self._refresh_config()
        self.on_msg(self._on_custom_message)

    # ---- reading ------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The engine behind this widget (the thread, its history, the one operation path)."""
        return self._engine

    @property
    def thread(self) -> Thread:
        """A validated, immutable snapshot of the post and all comments (flat, with parent ids)."""
        return self._engine.thread

    @thread.setter
    def thread(self, thread: Thread) -> None:
        if not isinstance(thread, Thread):
            raise TypeError(f"thread must be a Thread, not {type(thread).__name__}")
        self._engine.replace(thread, self.user)

    @property
    def post(self) -> Post:
        """The post under discussion."""
        return self._engine.post

    @property
    def comments(self) -> list[Comment]:
        """All comments (deleted ones included, as tombstones) in the order they were added."""
        with self._engine.lock:
            return list(self._engine.state.comments.values())

    @property
    def seq(self) -> int:
        """The ``seq`` of the latest event applied (numbered by the storage)."""
        return self._engine.seq

    @property
    def events(self) -> list[operations.Recorded]:
        """Every stored event, oldest first (read from the storage, not kept in memory)."""
        return self._engine.events

    @property
    def errors(self) -> list[BaseException]:
        """Errors raised by callbacks, validators and actions, newest last (the last 100)."""
        return list(self._engine.errors)

    def get(self, comment_id: str) -> Comment:
        """The comment with this id (``KeyError`` naming the id if there is none)."""
        return self._engine.get(comment_id)

    # ---- changing, from Python ---------------------------------------------------------------

    def apply(
        self, op: operations.Operation | Mapping[str, Any], actor: str | None = None
    ) -> operations.Event:
        """Apply any operation as trusted Python code acting as ``actor`` (default ``user``)."""
        operation = operations.parse_operation(op) if isinstance(op, Mapping) else op
        return self._apply_trusted(operation, actor)

    def _apply_trusted(
        self, op: operations.Operation, actor: str | None = None
    ) -> operations.Event:
        return self._engine.submit(op, self._context(actor or self.user, trusted=True))

    # ---- callbacks ----------------------------------------------------------------------------

    def on_change(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(event)`` after every applied event, from Python, any view or another
        kernel: after the commit, in ``seq`` order, never re-entrantly. Returns an undo."""
        return self._engine.on_change(callback)

    def on_comment(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(comment)`` for every new comment; returns a function that removes it."""
        return self._engine.on_comment(callback)

    def add_validator(self, validator: Validator) -> Callable[[], None]:
        """Run ``validator(op, ctx)`` before every operation, from Python or any view.

        Return None to accept, a rewritten operation (same type and comment) to change it — e.g.
        ``op.model_copy(update={"body": mask(op.body)})`` — or raise ``ValueError("reason")`` to
        refuse it with that reason shown to the user. ``ctx.actor`` is who asks, ``ctx.trusted``
        is True for Python calls. Validators run before the commit, holding the thread's lock:
        keep them quick. Returns a function that removes the validator.
        """
        if not callable(validator):
            raise TypeError(f"validator must be callable, not {type(validator).__name__}")
        return self._engine.add_validator(validator)

    def focus(self, comment_id: str) -> None:
        """Scroll every open view to this comment and highlight it (a permalink from Python).

        Collapsed ancestors and replies behind "more" / "continue" buttons are opened as needed.
        """
        if comment_id not in self._engine.state.comments:
            raise KeyError(f"no comment with id {comment_id!r}")
        self.send(focus_message(comment_id))

    # ---- history ------------------------------------------------------------------------------

    def replay_at(self, when: datetime) -> Thread:
        """The thread as it stood at ``when`` (timezone-aware): comments by their times, then
        every stored event in ``seq`` order up to that moment."""
        return self._engine.replay_at(when)

    def moments(self) -> list[datetime]:
        """Every time the thread changed, oldest first: the stops of a replay timeline."""
        return self._engine.moments()

    def audit(self) -> list[dict[str, Any]]:
        """Every report, moderator decision and replacement of the thread in the stored history:
        seq, who, when, what, on which comment, and why."""
        return self._engine.audit()

    def _context(self, actor: str, trusted: bool) -> rules.Context:
        """The rules an operation by ``actor`` is checked against."""
        votes, labels = self._rule_keys  # parsed once per change of the rules, not per operation
        return rules.Context(
            actor=actor,
            trusted=trusted,
            read_only=self.read_only,
            role=self.role_of(actor),
            votes=votes,
            labels=labels,
        )

    def _refresh_config(self) -> None:
        """Recompute ``_config``, all the views need to know about the rules (a fresh dict)."""
        self._rule_keys = (self.voting_model.keys, frozenset(self.label_set))
        self._config = config_value(
            role=self.role_of(self.user),
            voting=self.voting_model.wire(),
            label_set=self.label_set,
            fields=wire_fields(self.fields),
            actions=self._actions.wire(),
            badges=self.badges,
        )

    # ---- files and shared threads ------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the thread as versioned JSON (atomically); see ``docs/file-format.md``."""
        return write_thread(self.thread, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], **kwargs: Any) -> ThreadWidget:
        """A widget showing the thread in ``path`` (a saved or autosaved discussion, or any
        format :func:`threadwidget.load` reads); ``kwargs`` as for the constructor."""
        from ..formats import load

        return cls(thread=load(path), **kwargs)

    @classmethod
    def connect(
        cls,
        store: SharedStore | str | os.PathLike[str] | None = None,
        thread_id: str | None = None,
        *,
        thread: Thread | None = None,
        readers: Sequence[str] | None = None,
        writers: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> ThreadWidget:
        """A widget on a shared thread: every operation goes through the store (or the hub's
        threadwidget service) and every widget connected to the thread shows it live.

        ``store`` is a :class:`~threadwidget.stores.SharedStore`, a ``postgresql://`` or
        ``sqlite:///`` URL, a path to an SQLite file, the hub service's ``https://`` URL, or
        None: the hub service when JupyterHub runs one, else ``THREADWIDGET_STORE``.
        ``ThreadWidget.connect("week1")`` names just the thread. ``thread`` creates the shared
        thread if there is none with this id yet. ``readers``/``writers`` (a teacher, on the hub
        service only): the hub users and ``"group:NAME"`` groups who may see / take part in
        the thread; giving either sets both (the other None: every hub user, the default).

        >>> w = ThreadWidget.connect("/srv/class/discussion.db", "week1")  # doctest: +SKIP
        """
        if "autosave" in kwargs or "storage" in kwargs:
            raise TypeError("a shared thread is stored already: use autosave= or connect()")
        if thread_id is None and isinstance(store, str):  # connect("week1")
            store, thread_id = None, store
        if not isinstance(thread_id, str):
            raise TypeError(f"thread_id must be a str, not {type(thread_id).__name__}")
        access = None if readers is None and writers is None else (readers, writers)
        storage = open_storage(store, thread_id, create=thread, access=access)
        try:
            return cls(storage=storage, **kwargs)
        except BaseException:
            storage.close()
            raise

    @property
    def shared(self) -> tuple[Any, str] | None:
        """``(store, thread_id)`` of the shared thread this widget shows, or None."""
        storage = self._engine.storage
        if not storage.shared:
            return None
        return getattr(storage, "store", storage), getattr(storage, "thread_id", "")

    @property
    def shared_seq(self) -> int | None:
        """The store's ``seq`` of the latest shared event this widget has applied (or None)."""
        return self._engine.seq if self._engine.storage.shared else None

    def refresh(self) -> int:
        """Apply the shared thread's news now (they also arrive by themselves); how many."""
        return self._engine.pull(wait=True)

    def follow(self, url: str, every: float = 60, **options: Any) -> Any:
        """Keep this widget in step with a live thread on the web (new and edited comments
        arrive every ``every`` seconds, none twice); see :func:`threadwidget.follow`. Returns
        the follower (``.stop()``); closing the widget stops it too."""
        from ..sources.follow import follow

        follower = follow(self, url, every, **options)
        self._followers.append(follower)
        return follower

    def close(self) -> None:
        """Close the widget: stop following, stop listening to a shared thread, release the
        storage."""
        for follower in getattr(self, "_followers", ()):
            follower.stop()
        engine = getattr(self, "_engine", None)  # None when __init__ failed early
        if engine is not None:
            engine.close()
        if hasattr(self, "_page"):
            self._page.close()
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
        with self._engine.lock:
            public = self._engine.state.to_thread().published()
            seq = self._engine.seq
        mine["_snapshot"] = snapshot_value(
            public.post, public.comments, epoch=self._page.epoch, seq=seq, saved_at=utcnow()
        )
        mine["_config"] = {**mine["_config"], "role": "reader", "actions": []}
        return state

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict[str, Any]:
        """Widget state for the wire and for exports; ``_snapshot`` is always the current thread
        (as a saved notebook may carry it: see ``notebook_state``)."""
        state: dict[str, Any] = super().get_state(key, drop_defaults)
        if "_snapshot" in state and hasattr(self, "_saved"):
            with self._engine.lock:
                state["_snapshot"] = self._saved_snapshot()
        return state

    # ---- the page protocol ---------------------------------------------------------------------

    def _on_applied(self, seq: int, event: operations.Recorded, rid: str | None) -> None:
        """Every applied event, with the engine's lock held: tell the views, keep saves current."""
        if isinstance(event, operations.ReplaceEvent):
            self._page.reset(secrets.token_hex(8))
            self._saved.restart()
            self._snapshot = self._saved_snapshot()
            return
        self._page.publish(seq, event, rid)
        self._saved.record(event, self._engine.state, self._page.epoch)

    def _saved_snapshot(self) -> dict[str, Any]:
        """What a saved notebook (and a view's first paint) gets: see :mod:`.saved_state`."""
        with self._engine.lock:
            return self._saved.snapshot(
                self._engine.state, self._page.epoch, self.sort, self.voting
            )

    def _send_raw(self, state: dict[str, Any]) -> None:
        """A state update the kernel sends without a trait (the saved-state slots)."""
        if self.comm is not None:
            self.comm.send(data={"method": "update", "state": state, "buffer_paths": []})

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Accept trait updates from the browser only for view preferences with valid values.

        A page could otherwise make itself another ``user`` or lift ``read_only``; refused keys
        are sent back with their true values so every view shows Python's state again.
        """
        allowed: dict[str, Any] = {}
        if sync_data.get("sort") in SORTS:
            allowed["sort"] = sync_data["sort"]
        chosen = sync_data.get("selected", False)
        if chosen is None or (isinstance(chosen, str) and chosen in self._engine.state.comments):
            allowed["selected"] = chosen
        refused = sorted(key for key in sync_data if key not in allowed and key in self.keys)
        if allowed:
            self._from_page = True
            try:
                super().set_state(allowed)
            finally:
                self._from_page = False
        if refused:
            self.log.warning("threadwidget: refused browser update of %s", ", ".join(refused))
            self.send_state(refused)

    def __repr__(self) -> str:
        shared = self.shared
        where = "" if shared is None else f", shared={shared[1]!r}"
        return (
            f"<ThreadWidget {self.post.title!r}: {len(self._engine.state.comments)} comments, "
            f"user={self.user!r}, seq={self.seq}{where}>"
        )
