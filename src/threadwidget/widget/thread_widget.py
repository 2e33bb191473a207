"""ThreadWidget: the anywidget façade over an :class:`~threadwidget.core.engine.Engine`.

The widget holds traits (what views show and how) and is composed of plain parts: the engine
(the thread, the one operation path), a :class:`~.page_server.PageServer` answering the views, the
:class:`~.commands.Commands` and :class:`~.classroom.Classroom` its verbs delegate to. Storage
(memory, an autosave file, a shared store, the hub service) is the engine's business.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..core import operations, rules
from ..core.delivery import host_thread_class
from ..core.engine import Callback, Engine, Validator
from ..core.models import Comment, JsonValue, ModerationAction, Post, Thread, utcnow
from ..core.ranking import SORTS
from ..core.storage import Storage
from ..core.voting import VotingModel, voting_model
from ..formats.native import write_thread
from ..page.channel import PageChannel, RateLimiter
from ..page.fields import wire_fields
from ..page.messages import config_value, focus_message, snapshot_value
from ..page.outbox import Outbox
from ..storage.file import FileStorage
from ..storage.open import open_storage
from ..stores.store import SharedStore
from . import traits
from .access import Access
from .action_registry import ActionRegistry
from .actions import ActionResult, ActionTarget
from .classroom import Classroom
from .commands import Commands
from .keywords import unknown_settings
from .page_server import PageServer
from .saved_state import SavedState

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .keywords import WidgetSettings

__all__ = ["ThreadWidget"]

_STATIC = Path(__file__).parents[1] / "static"
_MISSING_BUNDLE_ESM = """
export default { render({ el }) {
  el.textContent = "threadwidget: the frontend bundle is missing "
    + "(src/threadwidget/static/widget.js). Reinstall the package, or run "
    + "`npm install && npm run build` in a source checkout.";
} };
"""


def _same_file(path: Path, other: Path) -> bool:
    """Whether two paths name one file (the same inode, or the same absolute path)."""
    try:
        return path.samefile(other)
    except OSError:
        return path.resolve() == other.resolve()


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
    strings = traits.Strings().tag(sync=True)
    #: BCP 47 locale for times and numbers ("de", "pt-BR"); "" is the page's locale.
    locale = traits.Locale("").tag(sync=True)
    #: Layout: max_indent, density, avatars, timestamps, collapsed_depth, counts, max_height.
    options = traits.Options().tag(sync=True)
    #: Extra CSS for every view, in a <style> inside the view (rules should start with .tw-root).
    css = traits.Css("").tag(sync=True)

    # Not synced: the kernel folds these into ``_config`` (what the views read) and into the
    # rules every operation is checked against.
    #: The browser user's role: "reader", "participant" (default) or "moderator".
    role = traitlets.Enum(rules.ROLES, default_value="participant")
    #: Per-user roles, overriding ``role`` for the named users ({"teacher": "moderator"}).
    roles = traits.Roles()
    #: "likes" (default), "updown", or reactions {"👍": "Agree", ...}; one vote per user.
    voting = traits.Voting("likes")
    #: The labels of a labelling exercise (["spam", "off-topic", ...]); empty: no labelling.
    label_set = traits.LabelSet()
    #: ``extra`` keys the cards show: [("sentiment", "badge"), ("toxicity", "bar", "Toxicity")].
    fields = traits.Fields()
    #: Badges after author names: {"helper": "bot", "Ms. Rivera": "teacher"}.
    badges = traits.Badges()
    #: What a saved notebook carries: "published" (what a reader sees) or "full" (everything).
    notebook_state = traitlets.Enum(("published", "full"), default_value="published")

    @traitlets.validate("selected")
    def _valid_selected(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value is not None and value not in self._engine.state.comments:
            raise ValueError(f"selected: no comment with id {value!r}")
        return value  # type: ignore[no-any-return]

    def __init__(
        self,
        post: Post | Mapping[str, Any] | None = None,
        comments: Iterable[Comment | Mapping[str, Any]] = (),
        *,
        thread: Thread | None = None,
        autosave: str | os.PathLike[str] | None = None,
        storage: Storage | None = None,
        **settings: Unpack[WidgetSettings],
    ) -> None:
        unknown_settings(settings)
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
        given: dict[str, Any] = {k: v for k, v in settings.items() if v is not None}
        given.setdefault("user", os.environ.get("JUPYTERHUB_USER") or "anonymous")
        owned = storage is None  # this call opens it (an autosave file, or memory)
        if autosave is not None:
            storage = FileStorage(autosave, thread)  # an existing autosave wins over `thread`
        try:
            self._compose(thread, storage, given)
        except BaseException:  # nothing this call opened stays open (watchers, files)
            opened: Engine | None = getattr(self, "_engine", None)
            if opened is not None:
                opened.close(storage=owned)
            elif owned and storage is not None:
                storage.close()
            raise

    def _compose(
        self, thread: Thread | None, storage: Storage | None, given: dict[str, Any]
    ) -> None:
        """The parts, composed before any trait is set (traits given to super().__init__ travel
        in the comm-open message: the thread is sent once, not twice)."""
        self._engine = engine = Engine(thread, storage)
        engine.delivery.thread_class = host_thread_class()  # created in the host's own context
        self._access = Access()
        self._from_page = False
        self._followers: list[Any] = []
        self._rates = RateLimiter()
        self._replay_rates = RateLimiter()
        # events and saved-state updates of a burst go out in batches (page/outbox.py)
        self._outbox = Outbox(lambda message: self.send(message), lambda s: self._send_raw(s))
        self._page = PageChannel(
            self._outbox.send,
            secrets.token_hex(8),
            publish=self._outbox.event,
            lock=engine.lock,
            thread_class=engine.delivery.thread_class,
            send_part=lambda message: self.send(message),
        )
        self._saved = SavedState(self._outbox.state, full=given.get("notebook_state") == "full")
        self._actions = ActionRegistry(engine, self._refresh_config)
        self._commands = Commands(engine, lambda: self._access)
        self._classroom = Classroom(engine, self._actions)
        self._server = PageServer(
            engine,
            self._page,
            self._rates,
            self._replay_rates,
            self._actions,
            lambda: self._access,
            self._outbox.send,
        )
        engine.add_sink(self._on_applied)
        with engine.lock:
            snapshot = self._saved.snapshot(
                engine.state,
                self._page.epoch,
                given.get("sort", "oldest"),
                given.get("voting", "likes"),
            )
        # the page finds this model's one store by this key (anywidget hands views proxies)
        super().__init__(_snapshot=snapshot, _model_key=secrets.token_hex(8), **given)
        self._refresh_config()
        self.observe(
            self._on_settings,
            ["role", "roles", "voting", "label_set", "fields", "badges", "user", "read_only"],
        )
        self.observe(self._on_notebook_state, "notebook_state")
        self.observe(self._on_selected, "selected")
        #: The handler of the views' messages (tests deliver messages to it directly).
        self._on_custom_message = self._server.handle
        self.on_msg(self._on_custom_message)

    def _on_settings(self, _change: Any) -> None:
        self._refresh_config()

    def _on_notebook_state(self, _change: Any) -> None:
        self._saved.full = self.notebook_state == "full"
        with self._engine.lock:
            self._saved.refresh(self._engine.state, self._page.epoch)

    def _on_selected(self, change: Any) -> None:
        if change["new"] is not None and not self._from_page:
            self._outbox.send(focus_message(change["new"]))

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

    # ---- changing, from Python: the verbs of .commands.Commands ---------------------------------
    # Python code is trusted (roles, locks and read_only do not bind it); ``user=`` is who acts
    # (default: ``user``); each returns the comment as it is afterwards (the post for None).

    def apply(
        self, op: operations.Operation | Mapping[str, Any], actor: str | None = None
    ) -> operations.Event:
        """Apply any operation as trusted Python code acting as ``actor`` (default ``user``)."""
        operation = operations.parse_operation(op) if isinstance(op, Mapping) else op
        return self._commands.apply(operation, actor)

    def add_comment(
        self,
        body: str,
        *,
        parent_id: str | None = None,
        user: str | None = None,
        author: str | None = None,
        extra: Mapping[str, JsonValue] | None = None,
    ) -> Comment:
        """Post a comment (``parent_id`` None answers the post); ``author`` is another name for
        ``user``; ``extra`` attaches JSON data (shown through ``fields``)."""
        return self._commands.add_comment(
            body, parent_id=parent_id, user=user, author=author, extra=extra
        )

    def edit_comment(self, comment_id: str, body: str, *, user: str | None = None) -> Comment:
        """Replace a comment's body; it gets an "edited" mark."""
        return self._commands.edit_comment(comment_id, body, user=user)

    def delete_comment(self, comment_id: str, *, user: str | None = None) -> Comment:
        """Delete a comment ("[deleted]" while it has replies); returns the tombstone."""
        return self._commands.delete_comment(comment_id, user=user)

    def set_extra(
        self, comment_id: str | None, *, user: str | None = None, **values: JsonValue
    ) -> Comment | Post:
        """Merge ``values`` into a comment's ``extra`` (the post's for None); None removes a key."""
        return self._commands.set_extra(comment_id, user=user, **values)

    def like(self, comment_id: str, *, user: str | None = None) -> Comment:
        """Like a comment as ``user``; once per user."""
        return self._commands.like(comment_id, user=user)

    def unlike(self, comment_id: str, *, user: str | None = None) -> Comment:
        """Take back ``user``'s like."""
        return self._commands.unlike(comment_id, user=user)

    def vote(self, comment_id: str, choice: str | None, *, user: str | None = None) -> Comment:
        """Set ``user``'s one vote on a comment ("up", "down" or a reaction); None retracts it."""
        return self._commands.vote(comment_id, choice, user=user)

    def flag(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Report a comment to the moderators, with a reason (once per user)."""
        return self._commands.flag(comment_id, reason, user=user)

    def unflag(self, comment_id: str, *, user: str | None = None) -> Comment:
        """Take back ``user``'s report."""
        return self._commands.unflag(comment_id, user=user)

    def moderate(
        self,
        comment_id: str,
        action: ModerationAction,
        reason: str = "",
        *,
        user: str | None = None,
    ) -> Comment:
        """Apply a moderation action (hide, unhide, spam, not_spam, remove, restore)."""
        return self._commands.moderate(comment_id, action, reason, user=user)

    def hide(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Hide a comment from everyone but moderators (who see it greyed, with the reason)."""
        return self._commands.hide(comment_id, reason, user=user)

    def unhide(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Show a hidden comment again."""
        return self._commands.unhide(comment_id, reason, user=user)

    def mark_spam(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Mark a comment as spam: hidden from everyone but moderators."""
        return self._commands.mark_spam(comment_id, reason, user=user)

    def mark_not_spam(
        self, comment_id: str, reason: str = "", *, user: str | None = None
    ) -> Comment:
        """Undo :meth:`mark_spam`."""
        return self._commands.mark_not_spam(comment_id, reason, user=user)

    def remove(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Remove a comment: readers see "Removed by a moderator" in its place."""
        return self._commands.remove(comment_id, reason, user=user)

    def restore(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Undo :meth:`remove`."""
        return self._commands.restore(comment_id, reason, user=user)

    def pin(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Pin a comment first among its siblings, whatever the sort."""
        return self._commands.pin(comment_id, reason, user=user)

    def unpin(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Undo :meth:`pin`."""
        return self._commands.unpin(comment_id, reason, user=user)

    def lock(
        self, comment_id: str | None = None, reason: str = "", *, user: str | None = None
    ) -> Comment | Post:
        """Lock a comment's subtree (the whole thread for None): only moderators may reply or
        edit there until :meth:`unlock`."""
        return self._commands.lock(comment_id, reason, user=user)

    def unlock(
        self, comment_id: str | None = None, reason: str = "", *, user: str | None = None
    ) -> Comment | Post:
        """Undo :meth:`lock`."""
        return self._commands.unlock(comment_id, reason, user=user)

    def label(self, comment_id: str, label: str | None, *, user: str | None = None) -> Comment:
        """Set ``user``'s label on a comment (one per user); None clears it."""
        return self._commands.label(comment_id, label, user=user)

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
        self._outbox.send(focus_message(comment_id))

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

    # ---- the classroom: roles, votes, labels, rankings, custom actions (.classroom) -----------

    def role_of(self, user: str) -> rules.Role:
        """The role ``user`` acts with: ``roles[user]`` if set, else ``role``."""
        return self._access.role_of(user)

    @property
    def voting_model(self) -> VotingModel:
        """The validated voting model (see :mod:`threadwidget.core.voting`)."""
        return voting_model(self.voting)

    def votes_of(self, comment_id: str) -> dict[str, list[str]]:
        """Who chose what on a comment: choice -> users (``"like"`` -> likers for likes)."""
        return self._classroom.votes_of(comment_id, self.voting_model)

    @property
    def labels(self) -> Any:
        """The labelling exercise as a DataFrame: comment_id, user, label, author, body."""
        return self._classroom.labels()

    def label_rows(self) -> list[dict[str, Any]]:
        """The rows of :attr:`labels` as dicts (no pandas needed)."""
        return self._classroom.label_rows()

    def ranking(self, sort: str | None = None, now: datetime | None = None) -> Any:
        """Every comment this widget's user sees, in page order, with its rank among siblings,
        score inputs, score and formula under ``sort`` (default: :attr:`sort`), as a DataFrame.
        ``now`` is the clock of ``hot`` (default: the current time)."""
        return self._classroom.ranking(
            sort or self.sort, self.voting_model, now, self.role_of(self.user), self.strings
        )

    def agreement(self, key: Mapping[str, str]) -> Any:
        """Per student: labelled, matches, agreement and accuracy against an answer key
        (comment id -> label), as a DataFrame indexed by user."""
        return self._classroom.agreement(key)

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
        return self._classroom.add_action(
            name, label, handler, icon=icon, when=when, target=target, actor=actor
        )

    @property
    def actions(self) -> list[str]:
        """Names of the registered custom actions, in the order they show."""
        return self._classroom.actions

    def _refresh_config(self) -> None:
        """Recompute ``_config``, all the views need to know about the rules (a fresh dict)."""
        model = self.voting_model
        self._access = Access(
            user=self.user,
            read_only=self.read_only,
            role=self.role,
            roles=dict(self.roles),
            votes=model.keys,  # parsed once per change of the rules, not per operation
            labels=frozenset(self.label_set),
        )
        self._config = config_value(
            role=self.role_of(self.user),
            voting=model.wire(),
            label_set=self.label_set,
            fields=wire_fields(self.fields),
            actions=self._actions.wire(),
            badges=self.badges,
        )

    # ---- files and shared threads ------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the thread as versioned JSON (atomically); see ``docs/file-format.md``. The
        widget's own autosave file is refused (it is saved already, and JSON would replace it)."""
        storage = self._engine.storage
        own = getattr(storage, "path", None) if isinstance(storage, FileStorage) else None
        if own is not None and _same_file(Path(path), own):
            raise ValueError(
                f"path: {os.fspath(path)!r} is this widget's autosave file, which holds every "
                "change already; save a copy under another name"
            )
        return write_thread(self.thread, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], **settings: Unpack[WidgetSettings]) -> ThreadWidget:
        """A widget showing the thread in ``path`` (a saved or autosaved discussion, or any
        format :func:`threadwidget.load` reads); ``settings`` as for the constructor."""
        from ..formats import load

        return cls(thread=load(path), **settings)

    @classmethod
    def connect(
        cls,
        store: SharedStore | str | os.PathLike[str] | None = None,
        thread_id: str | None = None,
        *,
        thread: Thread | None = None,
        readers: Sequence[str] | None = None,
        writers: Sequence[str] | None = None,
        **settings: Unpack[WidgetSettings],
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
        if "autosave" in settings or "storage" in settings:
            raise TypeError("a shared thread is stored already: use autosave= or connect()")
        unknown_settings(settings)  # before a connection is opened
        if thread_id is None and isinstance(store, str):  # connect("week1")
            store, thread_id = None, store
        if not isinstance(thread_id, str):
            raise TypeError(f"thread_id must be a str, not {type(thread_id).__name__}")
        access = None if readers is None and writers is None else (readers, writers)
        storage = open_storage(store, thread_id, create=thread, access=access)
        try:
            return cls(storage=storage, **settings)
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
            follower.stop(timeout=1.0)  # its waits end at once; it changes nothing more
        engine = getattr(self, "_engine", None)  # None when __init__ failed early
        if engine is not None:
            engine.close()
        page = getattr(self, "_page", None)
        if page is not None:
            page.close()  # a whole-thread answer still being sent stops
        outbox = getattr(self, "_outbox", None)
        if outbox is not None:
            outbox.close()
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
        if "_snapshot" in state:
            with self._engine.lock:
                state["_snapshot"] = self._saved_snapshot()
        return state

    # ---- the page protocol ---------------------------------------------------------------------

    def _on_applied(self, seq: int, event: operations.Recorded, rid: str | None) -> None:
        """Every applied event, with the engine's lock held: tell the views, keep saves current."""
        if isinstance(event, operations.ReplaceEvent):
            self._outbox.flush()  # the old thread's events before the new snapshot
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
