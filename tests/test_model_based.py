"""A model-based test of the public API (issue #22): a Hypothesis state machine interleaves
add/edit/delete/like/moderate, ``save``, ``w.thread =``, ``close``, reopening with ``autosave=``, a
second widget on the same path, a second process on the same path, SIGKILL of a writer and
``follow`` against a local server, and checks after every step against a plain reference model:

- every acknowledged change is present exactly once in every reader (each open widget, a widget
  opened now, ``threadwidget.load``), and nothing else is;
- callbacks ran in ``seq`` order, each event once, never with the engine's lock held;
- after closing everything, no thread or file descriptor is left.

The default run is bounded (``THREADWIDGET_STATEFUL_EXAMPLES``, default 6 examples of up to 16
steps, about a minute); ``THREADWIDGET_STATEFUL_EXAMPLES=300`` is the long run.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import threadwidget
from threadwidget import Comment, Thread, ThreadWidget

# Other processes come from a fork server: forking this process, whose SQLite connections are
# open, would hand the child SQLite's in-process lock table (SQLite forbids carrying a connection
# across fork()); a real second kernel starts clean, and so do these.
FORK = multiprocessing.get_context("forkserver")
FORK.set_forkserver_preload(["threadwidget"])
EXAMPLES = int(os.environ.get("THREADWIDGET_STATEFUL_EXAMPLES", "6"))
STEPS = int(os.environ.get("THREADWIDGET_STATEFUL_STEPS", "16"))
USERS = ("Ann", "Bob", "Cy")
ROLES = {"teacher": "moderator"}
CAPTURE = Path(__file__).parent / "data" / "sources" / "hackernews_item_captured.json"
HN_URL = "https://news.ycombinator.com/item?id=1"


@dataclass
class Expected:
    """What the model says a comment is: who wrote it, its body and status, who likes it."""

    author: str
    body: str
    status: str = "visible"
    likers: set[str] = field(default_factory=set)


def _view(thread: Thread) -> dict[str, tuple[str, str, int]]:
    """What a reader shows of each comment: status, the body of a visible one, likes."""
    return {
        c.id: (c.status, c.body if c.status == "visible" else "", c.likes) for c in thread.comments
    }


class _Recorder:
    """A widget's callbacks: the events heard, in order, and whether a lock was held."""

    def __init__(self, widget: ThreadWidget) -> None:
        self.widget = widget
        self.start = widget.seq
        self.heard: list[str] = []
        self.locked: list[bool] = []
        widget.on_change(self._heard)

    def _heard(self, event: Any) -> None:
        self.locked.append(self.widget.engine.lock._is_owned())
        self.heard.append(event.model_dump_json())

    def check(self) -> None:
        # Another process's event can be applied (in the background) at any moment: take the
        # seq under the lock, so every event up to it has its callback queued, then run them.
        with self.widget.engine.lock:
            seq = self.widget.seq
        self.widget.engine.flush()
        heard = list(self.heard)
        stored = [e.model_dump_json() for _, e in self.widget.engine.storage.events_since(0)]
        assert heard[: seq - self.start] == stored[self.start : seq], "callbacks missing"
        assert heard == stored[self.start : self.start + len(heard)], "callbacks out of seq order"
        assert not any(self.locked), "a callback ran with the engine's lock held"


def _hn_server() -> tuple[ThreadingHTTPServer, str]:
    body = CAPTURE.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _source_ids() -> set[str]:
    """The comment ids of the captured live thread."""
    found: set[str] = set()
    stack = list(json.loads(CAPTURE.read_text()).get("children", []))
    while stack:
        node = stack.pop()
        found.add(str(node["id"]))
        stack += node.get("children", [])
    return found


def _other_kernel(path: str, body: str, conn: Any) -> None:
    """A second process on the same path: one comment, acknowledged on ``conn``."""
    try:
        w = ThreadWidget(autosave=path, user="Bob")
        conn.send(w.add_comment(body).id)
        w.close()
    except BaseException as error:  # reported to the test, which fails on it
        conn.send(f"ERROR {type(error).__name__}: {error}")


def _writer(path: str, conn: Any) -> None:
    """A writer that is killed: comments as fast as it can, each acknowledged on ``conn``."""
    try:
        w = ThreadWidget(autosave=path, user="Cy")
        n = 0
        while True:
            n += 1
            conn.send(w.add_comment(f"killed writer {n}").id)
    except BaseException as error:  # reported to the test, which fails on it
        conn.send(f"ERROR {type(error).__name__}: {error}")


def _read_acks(conn: Any, wait_first: float = 0.0) -> list[str]:
    """The acknowledgements received so far (each message is written whole: small)."""
    acks: list[str] = []
    if wait_first:
        conn.poll(wait_first)
    while True:
        try:
            if not conn.poll(0):
                break
            acks.append(conn.recv())
        except (EOFError, OSError):
            break
    return acks


class PublicAPI(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        import tempfile
        from multiprocessing import forkserver

        forkserver.ensure_running()  # started once, before what is counted
        self.baseline = (threading.active_count(), len(os.listdir("/proc/self/fd")))
        self.dir = Path(tempfile.mkdtemp(prefix="tw-model-"))
        self.path = self.dir / "class.db"
        self.model: dict[str, Expected] = {}
        self.counter = 0
        self.server, self.base = _hn_server()
        self.w = self._open("Ann")
        self.w2: ThreadWidget | None = None
        self.recorders = {id(self.w): _Recorder(self.w)}

    # ---- helpers ------------------------------------------------------------------------------

    def _open(self, user: str) -> ThreadWidget:
        return ThreadWidget(autosave=self.path, user=user, roles=ROLES)

    def _writers(self) -> list[ThreadWidget]:
        return [self.w] + ([self.w2] if self.w2 is not None else [])

    def _body(self) -> str:
        self.counter += 1
        return f"comment {self.counter}"

    def _visible(self) -> list[str]:
        return sorted(i for i, c in self.model.items() if c.status == "visible")

    # Draws never depend on what other processes did (a kill lands at a different moment each
    # run): a number is drawn, then taken modulo what there is to choose from.
    def _pick(self, data: st.DataObject, ids: list[str]) -> str | None:
        n = data.draw(st.integers(0, 1 << 16))
        return ids[n % len(ids)] if ids else None

    def _widget(self, data: st.DataObject) -> ThreadWidget:
        writers = self._writers()
        return writers[data.draw(st.integers(0, 1)) % len(writers)]

    # ---- changes ------------------------------------------------------------------------------

    @rule(data=st.data(), reply=st.booleans())
    def add(self, data: st.DataObject, reply: bool) -> None:
        w = self._widget(data)
        picked = self._pick(data, self._visible())
        parent = picked if reply else None
        c = w.add_comment(self._body(), parent_id=parent)
        self.model[c.id] = Expected(w.user, c.body)

    @rule(data=st.data())
    def edit(self, data: st.DataObject) -> None:
        target, w = self._pick(data, self._visible()), self._widget(data)
        if target is None:
            return
        body = self._body() + " (edited)"
        w.edit_comment(target, body, user=self.model[target].author)
        self.model[target].body = body

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        target, w = self._pick(data, self._visible()), self._widget(data)
        if target is None:
            return
        w.delete_comment(target, user=self.model[target].author)
        self.model[target].status = "deleted"

    @rule(data=st.data(), user=st.sampled_from(USERS))
    def like_or_unlike(self, data: st.DataObject, user: str) -> None:
        target, w = self._pick(data, self._visible()), self._widget(data)
        if target is None:
            return
        likers = self.model[target].likers
        if user in likers:
            w.unlike(target, user=user)
            likers.discard(user)
        else:
            w.like(target, user=user)
            likers.add(user)

    @rule(data=st.data())
    def moderate(self, data: st.DataObject) -> None:
        candidates = sorted(i for i, c in self.model.items() if c.status in ("visible", "hidden"))
        target, w = self._pick(data, candidates), self._widget(data)
        if target is None:
            return
        if self.model[target].status == "visible":
            w.hide(target, "off-topic", user="teacher")
            self.model[target].status = "hidden"
        else:
            w.unhide(target, "fine after all", user="teacher")
            self.model[target].status = "visible"

    @rule(n=st.integers(0, 3))
    def replace_thread(self, n: int) -> None:
        fresh = tuple(
            Comment(id=f"r{self.counter}-{i}", author="Ann", body=f"r{i}") for i in range(n)
        )
        self.counter += 1
        self.w.thread = Thread(comments=fresh)
        self.model = {c.id: Expected(c.author, c.body) for c in fresh}

    # ---- files, lifecycles, other writers -----------------------------------------------------

    @rule()
    def save_a_copy(self) -> None:
        copy = self.dir / f"copy-{self.counter}.json"
        self.counter += 1
        self.w.save(copy)
        assert _view(threadwidget.load(copy)) == self._expected()

    @rule()
    def close_and_reopen(self) -> None:
        self.recorders.pop(id(self.w)).check()
        self.w.close()
        self.w = self._open("Ann")
        self.recorders[id(self.w)] = _Recorder(self.w)

    @precondition(lambda self: self.w2 is None)
    @rule()
    def open_a_second_widget(self) -> None:
        self.w2 = self._open("Bob")
        self.recorders[id(self.w2)] = _Recorder(self.w2)

    @precondition(lambda self: self.w2 is not None)
    @rule()
    def close_the_second_widget(self) -> None:
        assert self.w2 is not None
        self.recorders.pop(id(self.w2)).check()
        self.w2.close()
        self.w2 = None

    @rule()
    def a_second_process_adds(self) -> None:
        reader, writer = FORK.Pipe(duplex=False)
        body = self._body()
        child = FORK.Process(target=_other_kernel, args=(str(self.path), body, writer))
        child.start()
        writer.close()
        child.join(60)
        try:
            acked = _read_acks(reader)
        finally:
            reader.close()
        assert len(acked) == 1 and not acked[0].startswith("ERROR"), acked
        self.model[acked[0]] = Expected("Bob", body)

    @rule(delay=st.floats(0, 0.05))
    def sigkill_a_writer(self, delay: float) -> None:
        reader, writer = FORK.Pipe(duplex=False)
        child = FORK.Process(target=_writer, args=(str(self.path), writer))
        child.start()
        writer.close()
        try:
            first = _read_acks(reader, wait_first=30)
            time.sleep(delay)
            os.kill(child.pid or 0, signal.SIGKILL)
            child.join(30)
            acked = first + _read_acks(reader)
        finally:
            reader.close()
        assert acked, "the writer acknowledged nothing before it was killed"
        assert not any(a.startswith("ERROR") for a in acked), acked
        for cid in acked:
            self.model[cid] = Expected("Cy", "")
        # one more comment may be stored but not acknowledged (killed after its commit)
        stored = {c.id: c for c in threadwidget.load(self.path).comments if c.author == "Cy"}
        unacked = [i for i in stored if i not in self.model]
        assert len(unacked) <= 1, unacked
        for cid in acked + unacked:
            self.model[cid] = Expected("Cy", stored[cid].body)

    @rule()
    def follow_a_live_thread(self) -> None:
        follower = self.w.follow(
            HN_URL,
            every=3600,
            base_urls={"hackernews": self.base},
            cache_dir=self.dir / "cache",
            min_interval=0,
        )
        deadline = time.monotonic() + 30
        while follower.polls < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        follower.stop()
        assert follower.polls == 1 and not follower.errors, follower.errors
        assert follower.last is not None
        added = follower.last.added
        assert len(added) == len(set(added)) and not set(added) & set(self.model)
        # the source's comments: added once, or brought in step (an edit here is edited back)
        now = {c.id: c for c in self.w.thread.comments}
        assert set(now) - set(self.model) == set(added)  # nothing but the new, each once
        for cid in set(added) | _source_ids():
            if cid in now:
                c = now[cid]
                old = self.model.get(cid)
                self.model[cid] = Expected(
                    c.author, c.body, c.status, old.likers if old is not None else set()
                )

    # ---- what must hold after every step -------------------------------------------------------

    def _expected(self) -> dict[str, tuple[str, str, int]]:
        return {
            i: (c.status, c.body if c.status == "visible" else "", len(c.likers))
            for i, c in self.model.items()
        }

    @invariant()
    def every_reader_shows_every_acknowledged_change_once(self) -> None:
        expected = self._expected()
        for w in self._writers():
            w.refresh()  # what other writers stored (news arrive by themselves too)
            assert _view(w.thread) == expected, w.user
            ids = [c.id for c in w.comments]
            assert len(ids) == len(set(ids))
        assert _view(threadwidget.load(self.path)) == expected

    @invariant()
    def callbacks_in_seq_order_outside_the_lock(self) -> None:
        for recorder in self.recorders.values():
            recorder.check()

    def teardown(self) -> None:
        for w in self._writers():
            w.close()
        self.server.shutdown()
        self.server.server_close()
        threads, fds = self.baseline
        deadline = time.monotonic() + 5
        while threading.active_count() > threads and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [t.name for t in threading.enumerate()][threads:]
        assert threading.active_count() <= threads, f"threads left after close: {left}"
        assert len(os.listdir("/proc/self/fd")) <= fds, "file descriptors left after close"
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


PublicAPI.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=os.environ.get("THREADWIDGET_STATEFUL_RANDOM") is None,
)
test_public_api_model_based = PublicAPI.TestCase
