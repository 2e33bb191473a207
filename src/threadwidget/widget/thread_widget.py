"""ThreadWidget: the anywidget façade over an :class:`~threadwidget.core.engine.Engine`.

The widget holds traits (what views show and how) and is composed of plain parts: the engine
(the thread, the one operation path), a :class:`~.page_server.PageServer` answering the views, the
:class:`~.commands.Commands` and :class:`~.classroom.Classroom` its verbs delegate to. Storage
(memory, an autosave file, a shared store, the hub service) is the engine's business.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..core import operations, rules
from ..core.delivery import host_thread_class
from ..core.engine import Engine
from ..core.models import Comment, Post, Thread, utcnow
from ..core.ranking import SORTS
from ..core.storage import Storage
from ..core.voting import VotingModel, voting_model
from ..formats.native import write_thread
from ..page.channel import PageChannel, RateLimiter
from ..page.fields import wire_fields
from ..page.messages import config_value, focus_message, snapshot_value
from ..page.outbox import Outbox
from ..page.presets import resolve_preset
from ..storage.file import FileStorage
from ..storage.open import open_shared
from ..stores.store import SharedStore
from . import traits
from .access import Access, page_updates
from .action_registry import ActionRegistry
from .bundle import css_source, esm_source
from .classroom import Classroom, Reader
from .commands import Commands
from .delegated import Delegated
from .interaction_log import InteractionLog
from .keywords import given_thread, unknown_settings
from .page_server import PageServer
from .saved_state import SavedState, is_slot_key, without_slots
from .study import Study

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .keywords import WidgetSettings

__all__ = ["ThreadWidget"]


class ThreadWidget(anywidget.AnyWidget):
    """A post and its threaded comments: read, reply, edit, like, from Python and the browser.

    >>> w = ThreadWidget(post=Post(title="Hello", author="Steve"), user="Chris")
    >>> c = w.add_comment("First!")
    >>> w.get(c.id).author
    'Chris'
    """

    _esm = esm_source()
    _css = css_source()

    # Private wire traits (see docs/protocol.md); the public façade is the methods below.
    _snapshot = traitlets.Dict().tag(sync=True, echo_update=False)
    _config = traitlets.Dict().tag(sync=True)
    _model_key = traitlets.Unicode("").tag(sync=True)  # the page finds the model's store by it

    # Synced settings (the table in docs/extending.md; each validated in .traits).
    user = traitlets.Unicode("anonymous").tag(sync=True)  # who acts in the views
    read_only = traitlets.Bool(False).tag(sync=True)  # no editing controls; page ops refused
    sort = traitlets.Enum(SORTS, default_value="oldest").tag(sync=True)  # see core.ranking
    selected = traitlets.Unicode(None, allow_none=True).tag(sync=True)  # focused in every view
    strings = traits.Strings().tag(sync=True)  # UI strings by key (strings.json)
    locale = traits.Locale("").tag(sync=True)  # BCP 47 ("de", "pt-BR"); "": the page's
    options = traits.Options().tag(sync=True)  # layout: max_indent, density, avatars, ...
    css = traits.Css("").tag(sync=True)  # extra CSS for every view (rules under .tw-root)
    log_interactions = traitlets.Bool(False).tag(sync=True)  # the page says so (studies.md)

    # Rules, not synced: folded into ``_config`` and into every operation's check (Access).
    role = traitlets.Enum(rules.ROLES, default_value="participant")  # reader/participant/moderator
    roles = traits.Roles()  # per-user roles: {"teacher": "moderator"}
    voting = traits.Voting("likes")  # "likes", "updown", or reactions {"👍": "Agree", ...}
    label_set = traits.LabelSet()  # the labels of a labelling exercise
    fields = traits.Fields()  # extra keys the cards show: [("toxicity", "bar", "Toxicity")]
    badges = traits.Badges()  # badges after author names: {"helper": "bot"}
    #: What a saved notebook carries: "published" (what a reader sees) or "full".
    notebook_state = traitlets.Enum(("published", "full"), default_value="published")
    #: "tree" (nested), "two-level" (replies under their top-level comment, "in reply to") or
    #: "flat" (one stream, the quoted parent above each reply); replaces ipywidgets' ``layout``.
    layout = traits.Layout("tree")
    #: A platform's look: "reddit", "hackernews", "youtube", "discourse", "blogger", a name given
    #: to :func:`threadwidget.register_preset` or a :class:`threadwidget.Preset`. Setting it sets
    #: layout, sort, voting, the counts and density options and the preset's CSS; settings
    #: assigned later (or given beside it to the constructor) win.
    preset = traits.PresetChoice(None, allow_none=True)

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
        thread = given_thread(post, comments, thread)
        if autosave is not None and storage is not None:
            raise TypeError("pass either autosave= or storage=, not both")
        given: dict[str, Any] = {k: v for k, v in settings.items() if v is not None}
        self._preset_css = ""
        if given.get("preset") is not None:  # the keywords given beside it win
            chosen = resolve_preset(given["preset"])
            self._preset_css = chosen.css
            for name in ("layout", "sort", "voting"):
                given.setdefault(name, getattr(chosen, name))
            given["options"] = {**chosen.options({}), **dict(given.get("options") or {})}
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
        self._classroom = Classroom(
            engine,
            self._actions,
            lambda: Reader(self.voting_model, self.sort, self.role_of(self.user), self.strings),
        )
        self._study = Study(engine, self, self.role_of)
        self._log = InteractionLog(engine, lambda: self._access.user, lambda: self.log_interactions)
        self._server = PageServer(
            engine,
            self._page,
            self._rates,
            self._replay_rates,
            self._actions,
            lambda: self._access,
            self._outbox.send,
            self._log.receive,
        )
        engine.add_sink(self._on_applied)
        with engine.lock:
            snapshot = self._saved.start(
                engine.state,
                self._page.epoch,
                given.get("sort", "oldest"),
                given.get("voting", "likes"),
            )
        # the page finds this model's one store by this key (anywidget hands views proxies)
        super().__init__(_snapshot=snapshot, _model_key=secrets.token_hex(8), **given)
        self._refresh_config()
        self.observe(
            self._refresh_config,
            [
                "role",
                "roles",
                "voting",
                "label_set",
                "fields",
                "badges",
                "user",
                "read_only",
                "layout",
            ],
        )
        self.observe(self._on_preset, "preset")
        self.observe(self._on_notebook_state, "notebook_state")
        #: The variant applied to this widget's user (None: none), see :meth:`set_variants`.
        self.variant: str | None = self._study.apply(self.user)
        self.observe(self._on_user, "user")
        self.observe(self._on_selected, "selected")
        #: The handler of the views' messages (tests deliver messages to it directly).
        self._on_custom_message = self._server.handle
        self.on_msg(self._on_custom_message)

    def _on_preset(self, change: Any) -> None:
        """A preset chosen: its settings are assigned now (later assignments win)."""
        chosen = None if change["new"] is None else resolve_preset(change["new"])
        self._preset_css = "" if chosen is None else chosen.css
        with self.hold_trait_notifications():
            if chosen is not None:
                self.layout = chosen.layout
                self.sort = chosen.sort
                self.voting = chosen.voting
                self.options = chosen.options(dict(self.options))
        self._refresh_config()

    def _on_user(self, _change: Any) -> None:
        self.variant = self._study.apply(self.user)

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

    get = Delegated("_engine", Engine.get)

    # ---- changing, from Python: the verbs of .commands.Commands ---------------------------------
    # Python code is trusted (roles, locks and read_only do not bind it); ``user=`` is who acts
    # (default: ``user``); each returns the comment as it is afterwards (the post for None).

    apply = Delegated("_commands", Commands.apply)
    add_comment = Delegated("_commands", Commands.add_comment)
    edit_comment = Delegated("_commands", Commands.edit_comment)
    delete_comment = Delegated("_commands", Commands.delete_comment)
    set_extra = Delegated("_commands", Commands.set_extra)
    like = Delegated("_commands", Commands.like)
    unlike = Delegated("_commands", Commands.unlike)
    vote = Delegated("_commands", Commands.vote)
    label = Delegated("_commands", Commands.label)
    # moderation
    flag = Delegated("_commands", Commands.flag)
    unflag = Delegated("_commands", Commands.unflag)
    moderate = Delegated("_commands", Commands.moderate)
    hide = Delegated("_commands", Commands.hide)
    unhide = Delegated("_commands", Commands.unhide)
    mark_spam = Delegated("_commands", Commands.mark_spam)
    mark_not_spam = Delegated("_commands", Commands.mark_not_spam)
    remove = Delegated("_commands", Commands.remove)
    restore = Delegated("_commands", Commands.restore)
    pin = Delegated("_commands", Commands.pin)
    unpin = Delegated("_commands", Commands.unpin)
    lock = Delegated("_commands", Commands.lock)
    unlock = Delegated("_commands", Commands.unlock)

    # ---- callbacks and history: the engine's -------------------------------------------------

    on_change = Delegated("_engine", Engine.on_change)
    on_comment = Delegated("_engine", Engine.on_comment)
    add_validator = Delegated("_engine", Engine.add_validator)
    replay_at = Delegated("_engine", Engine.replay_at)
    moments = Delegated("_engine", Engine.moments)
    audit = Delegated("_engine", Engine.audit)

    focus = Delegated("_server", PageServer.focus)

    # ---- the classroom: roles, votes, labels, rankings, custom actions (.classroom) -----------

    def role_of(self, user: str) -> rules.Role:
        """The role ``user`` acts with: ``roles[user]`` if set, else ``role``."""
        return self._access.role_of(user)

    @property
    def voting_model(self) -> VotingModel:
        """The validated voting model (see :mod:`threadwidget.core.voting`)."""
        return voting_model(self.voting)

    votes_of = Delegated("_classroom", Classroom.votes_of)
    ranking = Delegated("_classroom", Classroom.ranking)
    label_rows = Delegated("_classroom", Classroom.label_rows)
    agreement = Delegated("_classroom", Classroom.agreement)
    add_action = Delegated("_classroom", Classroom.add_action)

    @property
    def labels(self) -> Any:
        """The labelling exercise as a DataFrame: comment_id, user, label, author, body."""
        return self._classroom.labels()

    @property
    def actions(self) -> list[str]:
        """Names of the registered custom actions, in the order they show."""
        return self._classroom.actions

    def _refresh_config(self, _change: Any = None) -> None:
        """A rule or setting changed: a new :class:`Access`, and ``_config`` (a fresh dict) with
        all the views need to know about the rules."""
        model = self.voting_model  # parsed once per change of the rules, not per operation
        self._access = Access(
            user=self.user,
            read_only=self.read_only,
            role=self.role,
            roles=dict(self.roles),
            votes=model.keys,
            labels=frozenset(self.label_set),
        )
        self._config = config_value(
            role=self.role_of(self.user),
            voting=model.wire(),
            label_set=self.label_set,
            fields=wire_fields(self.fields),
            actions=self._actions.wire(),
            badges=self.badges,
            layout=self.layout,
            style=self._preset_css,
        )

    # ---- an interface study: variants per participant, the interaction log ------------------

    set_variants = Delegated("_study", Study.set_variants)
    variants = Delegated("_study", Study.variants)
    variant_of = Delegated("_study", Study.variant_of)
    interactions = Delegated("_study", Study.interactions)
    interaction_rows = Delegated("_study", Study.interaction_rows)
    export_interactions = Delegated("_study", Study.export_interactions)

    # ---- files and shared threads ------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the thread as versioned JSON (atomically); see ``docs/file-format.md``. The
        widget's own autosave file is refused (it is saved already, and JSON would replace it)."""
        storage = self._engine.storage
        if isinstance(storage, FileStorage) and storage.holds(path):
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
        """A widget on a shared thread in ``store`` (a store, a URL, an SQLite path; None: the hub
        service or ``THREADWIDGET_STORE``), live in every widget on it; see docs/shared.md."""
        if "autosave" in settings or "storage" in settings:
            raise TypeError("a shared thread is stored already: use autosave= or connect()")
        unknown_settings(settings)  # before a connection is opened
        storage = open_shared(store, thread_id, thread, readers, writers)
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
        # the engine, then a whole-thread answer still being sent, then the outbox (each None
        # when __init__ failed early)
        for name in ("_engine", "_page", "_outbox"):
            part = getattr(self, name, None)
            if part is not None:
                part.close()
        super().close()

    def embed_state(self) -> dict[str, Any]:
        """Widget state for ``ipywidgets.embed``: a read-only snapshot of what a reader sees now
        (``Thread.published``), drawn without a kernel with a "snapshot saved" note."""
        from ipywidgets.embed import dependency_state

        state: dict[str, Any] = dependency_state(self, drop_defaults=False)
        # the whole published thread in `_snapshot`, so no saved-state slot goes with it
        state[self.model_id]["state"] = mine = without_slots(state[self.model_id]["state"])
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
        if "_snapshot" in state:  # with it, every saved-state slot (saved_state.py)
            with self._engine.lock:
                state.update(self._saved.current(self._engine.state))
        return state

    def __getattr__(self, name: str) -> Any:
        """The saved-state slots in :meth:`get_state` read as attributes too (``ipywidgets.embed``
        reads every state key so)."""
        saved = self.__dict__.get("_saved")
        if saved is None or not is_slot_key(name):
            raise AttributeError(name)
        with self._engine.lock:
            return saved.current(self._engine.state).get(name)

    # ---- the page protocol ---------------------------------------------------------------------

    def _on_applied(self, seq: int, event: operations.Recorded, rid: str | None) -> None:
        """Every applied event, with the engine's lock held: tell the views, keep saves current."""
        if isinstance(event, operations.ReplaceEvent):
            self._outbox.flush()  # the old thread's events before the new snapshot
            self._page.reset(secrets.token_hex(8))
            self._snapshot = self._saved.start(
                self._engine.state, self._page.epoch, self.sort, self.voting
            )
            return
        self._page.publish(seq, event, rid)
        self._saved.record(event, self._engine.state, self._page.epoch)

    def _send_raw(self, state: dict[str, Any]) -> None:
        """A state update the kernel sends without a trait (the saved-state slots)."""
        if self.comm is not None:
            self.comm.send(data={"method": "update", "state": state, "buffer_paths": []})

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Browser trait updates: only view preferences (``access.page_updates``); refused keys
        are sent back with their true values, so no page makes itself another ``user``."""
        allowed, refused = page_updates(sync_data, self._engine.state.comments, self.keys)
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
