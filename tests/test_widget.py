"""ThreadWidget: the Python API and the browser protocol, with the browser simulated by messages."""

from __future__ import annotations

import contextlib
import itertools
import json
import warnings
from pathlib import Path

import pytest

from threadwidget import (
    FORMAT_VERSION,
    Comment,
    OperationRejected,
    Post,
    Thread,
    ThreadFileError,
    ThreadWidget,
)
from threadwidget.core import operations, rules
from threadwidget.page.first_screen import FIRST_SCREEN_COMMENTS
from threadwidget.page.requests import CHUNK_BYTES, MAX_CLIENT_MESSAGE_BYTES
from threadwidget.widget.saved_state import folded, is_slot_key

from .conftest import SEED, Recorder


def test_constructor_accepts_post_and_comments_as_models_or_dicts() -> None:
    w = ThreadWidget(
        post=Post(title="T", author="Steve"),
        comments=[Comment(id="a", body="x"), {"id": "b", "parent_id": "a", "body": "y"}],
        user="Chris",
    )
    assert [c.id for c in w.thread.comments] == ["a", "b"]
    assert w.user == "Chris"


def test_unknown_keyword_is_refused() -> None:
    with pytest.raises(TypeError, match="colour"):
        ThreadWidget(colour="red")


def test_invalid_comments_raise_naming_the_comment() -> None:
    with pytest.raises(ValueError, match="'b'"):
        ThreadWidget(comments=[{"id": "b", "parent_id": "nope", "body": "y"}])


def test_user_defaults_to_jupyterhub_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "student7")
    assert ThreadWidget().user == "student7"
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert ThreadWidget().user == "anonymous"


def test_python_api_round(widget: ThreadWidget, rec: Recorder) -> None:
    new = widget.add_comment("Hello **all**")
    assert new.author == "Chris" and new.parent_id is None
    reply = widget.add_comment("Hi!", author="Steve", parent_id=new.id)
    assert widget.get(reply.id).author == "Steve"
    assert widget.edit_comment(new.id, "Hello everyone").edited_at is not None
    assert widget.like(reply.id).likes == 1
    assert widget.like(reply.id, user="Ann").liked_by == ("Chris", "Ann")
    assert widget.unlike(reply.id, user="Ann").likes == 1
    widget.delete_comment(reply.id)
    assert widget.get(reply.id).status == "deleted"
    assert widget.seq == 7
    assert [m["seq"] for m in rec.sent] == [1, 2, 3, 4, 5, 6, 7]
    assert all(m["kind"] == "event" and m["rid"] is None for m in rec.sent)
    assert isinstance(widget.thread, Thread)
    assert len(widget.events) == 7


def test_python_errors_are_value_errors(widget: ThreadWidget) -> None:
    with pytest.raises(OperationRejected, match="no comment"):
        widget.edit_comment("ghost", "x")
    with pytest.raises(ValueError, match="body"):
        widget.add_comment("x" * 20_001)
    with pytest.raises(KeyError, match="ghost"):
        widget.get("ghost")


def test_callbacks_hear_both_sides_and_can_be_removed(widget: ThreadWidget, rec: Recorder) -> None:
    changes: list[operations.Event] = []
    comments: list[Comment] = []
    remove_change = widget.on_change(changes.append)
    remove_comment = widget.on_comment(comments.append)
    widget.add_comment("from python")
    reply = rec.op({"type": "add", "id": "v1-a", "parent_id": "a", "body": "from the page"})
    assert reply["kind"] == "event"
    assert [c.body for c in comments] == ["from python", "from the page"]
    assert comments[1].author == "Chris" and comments[1].parent_id == "a"
    rec.op({"type": "like", "id": "a"})
    assert [e.type for e in changes] == ["add", "add", "like"]
    remove_change()
    remove_comment()
    remove_comment()  # removing twice is harmless
    widget.add_comment("unheard")
    assert len(changes) == 3 and len(comments) == 2


def test_callback_errors_are_reported_not_lost(
    widget: ThreadWidget, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_: object) -> None:
        raise RuntimeError("boom")

    widget.on_change(broken)
    # logged, not warned: under `python -W error` a warning would turn into an exception
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        comment = widget.add_comment("still posted")
    assert widget.get(comment.id).body == "still posted"
    assert isinstance(widget.errors[-1], RuntimeError)
    assert "broken raised RuntimeError: boom" in caplog.text


def test_browser_add_is_acked_with_its_request_id(widget: ThreadWidget, rec: Recorder) -> None:
    reply = rec.op({"type": "add", "id": "v1-x", "parent_id": None, "body": "hello"})
    assert reply["kind"] == "event" and reply["rid"] == "view1-1" and reply["seq"] == 1
    assert reply["event"]["comment"]["author"] == "Chris"
    assert reply["event"]["comment"]["id"] == "v1-x"
    assert widget.get("v1-x").body == "hello"


def test_browser_cannot_choose_author_or_time(widget: ThreadWidget, rec: Recorder) -> None:
    reply = rec.op({"type": "add", "body": "hi", "author": "Steve"})
    assert reply["kind"] == "reject" and "author" in reply["reason"]
    assert widget.seq == 0


@pytest.mark.parametrize(
    ("op", "reason"),
    [
        ({"type": "explode", "id": "a"}, "unknown type 'explode'"),
        ({"id": "a"}, "'type' field is missing"),
        ({"type": "edit", "id": "a"}, "body"),
        ({"type": "edit", "id": 5, "body": "x"}, "id"),
        ({"type": "edit", "id": "ghost", "body": "x"}, "no comment"),
        ({"type": "add", "body": "x", "parent_id": "ghost"}, "does not exist"),
        ({"type": "edit", "id": "a", "body": "not mine"}, "Only the author"),
        ({"type": "delete", "id": "a"}, "Only the author"),
        ({"type": "add", "id": "a", "body": "dup"}, "already exists"),
        ({"type": "add", "body": "x" * 20_001}, "20000"),
        ("just a string", "Invalid operation"),
    ],
)
def test_bad_browser_operations_are_refused(
    widget: ThreadWidget, rec: Recorder, op: object, reason: str
) -> None:
    before = widget.thread
    reply = rec.op(op)
    assert reply["kind"] == "reject" and reply["rid"] == "view1-1"
    assert reason in reply["reason"]
    assert widget.thread == before and widget.seq == 0


@pytest.mark.parametrize(
    "message",
    [
        None,
        "text",
        [1, 2],
        {"kind": "dance"},
        {"kind": "op"},
        {"kind": "op", "rid": "", "op": {}},
        {"kind": "sync", "client": "x", "seq": -1},
    ],
)
def test_malformed_messages_are_refused(
    widget: ThreadWidget, rec: Recorder, message: object
) -> None:
    replies = rec.browser(message)
    assert len(replies) == 1 and replies[0]["kind"] == "reject"
    assert widget.seq == 0


def test_oversized_message_is_refused(widget: ThreadWidget, rec: Recorder) -> None:
    big = {
        "kind": "op",
        "rid": "v-1",
        "op": {"type": "add", "body": "x" * MAX_CLIENT_MESSAGE_BYTES},
    }
    [reply] = rec.browser(big)
    assert reply["kind"] == "reject" and reply["rid"] == "v-1" and "too large" in reply["reason"]


def test_read_only_refuses_browser_but_not_python(widget: ThreadWidget, rec: Recorder) -> None:
    widget.read_only = True
    reply = rec.op({"type": "like", "id": "a"})
    assert reply["kind"] == "reject" and "read-only" in reply["reason"]
    widget.like("a")
    assert widget.get("a").likes == 1


def test_rate_limit(widget: ThreadWidget, rec: Recorder) -> None:
    replies = [rec.op({"type": "add", "body": f"spam {i}"}) for i in range(40)]
    kinds = [r["kind"] for r in replies]
    assert kinds.count("event") == 30
    assert "Too many" in replies[-1]["reason"]
    # another view (client) is not affected
    assert rec.op({"type": "add", "body": "other view"}, client="view2")["kind"] == "event"


def test_snapshot_trait(widget: ThreadWidget) -> None:
    snap = widget._snapshot
    assert snap["seq"] == 0 and snap["complete"] is True
    # the comments travel beside it, one saved-state slot each (saved_state.py)
    assert snap["comments"] == []
    whole = folded(widget.get_state())
    assert whole is not None and [c["id"] for c in whole["comments"]] == ["a", "b", "c"]
    assert widget.trait_metadata("_snapshot", "echo_update") is False
    # operations do not rewrite the snapshot trait (they travel as small events)
    widget.add_comment("x")
    assert widget._snapshot is snap


def test_sync_catchup_sends_only_missed_events(widget: ThreadWidget, rec: Recorder) -> None:
    for i in range(3):
        widget.add_comment(f"n{i}")
    rec.sent.clear()
    [reply] = rec.browser({"kind": "sync", "client": "k1", "epoch": widget._page.epoch, "seq": 1})
    assert reply["kind"] == "catchup" and reply["to"] == "k1" and reply["done"] is True
    assert [e["seq"] for e in reply["events"]] == [2, 3]
    [up_to_date] = rec.browser(
        {"kind": "sync", "client": "k1", "epoch": widget._page.epoch, "seq": 3}
    )
    assert up_to_date["events"] == [] and up_to_date["done"] is True


def test_sync_with_foreign_epoch_gets_snapshot(widget: ThreadWidget, rec: Recorder) -> None:
    widget.add_comment("n")
    [reply] = rec.browser({"kind": "sync", "client": "k1", "epoch": "old", "seq": 0})
    assert reply["kind"] == "snapshot" and reply["seq"] == 1
    assert reply["part"] == 0 and reply["parts"] == 1
    assert reply["post"]["title"] == widget.post.title
    assert len(reply["comments"]) == 4


def test_big_snapshot_is_sent_in_bounded_parts() -> None:
    body = "word " * 2000
    comments = [Comment(id=f"n{i}", body=body) for i in range(600)]
    w = ThreadWidget(comments=comments)
    rec = Recorder(w)
    replies = rec.browser({"kind": "sync", "client": "k", "epoch": "?", "seq": 0})
    assert len(replies) > 1
    assert all(len(json.dumps(r)) < 2 * CHUNK_BYTES for r in replies)
    assert sum(len(r["comments"]) for r in replies) == 600
    assert {r["parts"] for r in replies} == {len(replies)}


def test_huge_thread_trait_leaves_comments_to_sync() -> None:
    body = "x" * 19_000
    w = ThreadWidget(comments=[Comment(id=f"n{i}", body=body) for i in range(300)])
    # the trait carries the first screen only (the page paints it, then syncs for the rest)
    snap = folded(w.get_state())
    assert snap is not None
    assert snap["complete"] is False and 0 < len(snap["comments"]) <= 2 * FIRST_SCREEN_COMMENTS
    assert snap["first_screen"]["total"] == 300


def test_replacing_the_thread_starts_a_new_epoch(widget: ThreadWidget, thread: Thread) -> None:
    widget.add_comment("n")
    old_epoch = widget._page.epoch
    widget.thread = thread
    # the replacement is an event of its own (seq 2), and views start over from a snapshot
    assert widget._page.epoch != old_epoch and widget.seq == 2
    assert widget._snapshot["epoch"] == widget._page.epoch + ":saved"
    assert len(widget.thread.comments) == 3


def test_save_and_load(widget: ThreadWidget, tmp_path: Path) -> None:
    widget.add_comment("saved")
    path = widget.save(tmp_path / "t.json")
    data = json.loads(path.read_text())
    assert data["version"] == FORMAT_VERSION == 2
    again = ThreadWidget.load(path, user="Ann")
    assert again.thread == widget.thread and again.user == "Ann"


def test_load_errors_name_file_and_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "comments": [{"id": "a", "body": "x", "likes": -1}]}')
    with pytest.raises(ThreadFileError, match=r"bad\.json.*\$\.comments\[0\]\.likes"):
        ThreadWidget.load(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1,\n "comments": [')
    with pytest.raises(ThreadFileError, match=r"broken\.json.*line 2, column 15: not valid JSON"):
        ThreadWidget.load(broken)
    future = tmp_path / "future.json"
    future.write_text('{"version": 99}')
    with pytest.raises(ThreadFileError, match="version"):
        ThreadWidget.load(future)
    with pytest.raises(ThreadFileError, match="cannot read"):
        ThreadWidget.load(tmp_path / "missing.json")


def test_seed_widget() -> None:
    w = ThreadWidget.load(SEED, user="Chris")
    assert w.post.author == "Steve"
    assert len(w.comments) == 9
    assert "ThreadWidget" in repr(w) and "9 comments" in repr(w)


def test_sort_trait_validates() -> None:
    w = ThreadWidget(sort="top")
    assert w.sort == "top"
    with pytest.raises(Exception, match="sort"):
        w.sort = "random"


def _browser_update(widget: ThreadWidget, state: dict[str, object]) -> list[dict[str, object]]:
    sent: list[dict[str, object]] = []
    widget._send = lambda msg, buffers=None: sent.append(msg)  # type: ignore[method-assign]
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})
    return sent


def test_browser_may_change_sort() -> None:
    w = ThreadWidget(user="Chris")
    _browser_update(w, {"sort": "top"})
    assert w.sort == "top"


@pytest.mark.parametrize(
    "state",
    [
        {"user": "Steve"},
        {"read_only": False},
        {"_snapshot": {}},
        {"sort": "random"},
        {"_config": {"max_body": 10**9}},
    ],
)
def test_browser_cannot_change_identity_rights_or_data(state: dict[str, object]) -> None:
    w = ThreadWidget(comments=[Comment(id="a", body="x")], user="Chris", read_only=True)
    before = (w.user, w.read_only, w._snapshot, w.sort, w._config)
    sent = _browser_update(w, state)
    assert (w.user, w.read_only, w._snapshot, w.sort, w._config) == before
    # the views are told the true value again
    assert sent
    assert sent[-1]["method"] == "update"
    # (with `_snapshot`, the saved-state slots that go with it)
    assert {k for k in sent[-1]["state"] if not is_slot_key(k)} == set(state)


def test_python_and_browser_threads_do_not_interleave(
    widget: ThreadWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Comm messages may arrive on a subshell thread while a cell runs on the main thread."""
    import threading
    import time

    real_check = rules.check

    def slow_check(*args: object) -> operations.Event:
        event = real_check(*args)  # type: ignore[arg-type]
        time.sleep(0.0005)  # widen the window between deciding and committing
        return event

    monkeypatch.setattr(rules, "check", slow_check)
    sent: list[dict[str, object]] = []
    widget.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]

    def python_side() -> None:
        for _ in range(100):
            for call in (widget.like, widget.unlike):
                with contextlib.suppress(OperationRejected):
                    call("a", user="Chris")

    def browser_side() -> None:
        for i in range(100):
            widget._rates.clear()
            for kind in ("like", "unlike"):
                message = {"kind": "op", "rid": f"b-{kind}{i}", "op": {"type": kind, "id": "a"}}
                widget._on_custom_message(widget, message, [])

    threads = [threading.Thread(target=python_side), threading.Thread(target=browser_side)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    widget._outbox.flush()
    # a burst from Python goes out in batches (`events`), every event once, in seq order
    events: list[dict[str, object]] = []
    for m in sent:
        if m["kind"] == "event":
            events.append(m)
        elif m["kind"] == "events":
            events.extend(m["events"])  # type: ignore[arg-type]
    assert [m["seq"] for m in events] == list(range(1, widget.seq + 1))
    liked = widget.thread.get("a")  # validation refuses a user listed twice
    assert liked.likes == len(liked.liked_by)
    # likes and unlikes alternate strictly: a check never saw a stale state
    kinds = [m["event"]["type"] for m in events]  # type: ignore[index]
    assert all(x != y for x, y in itertools.pairwise(kinds))


def test_exported_state_is_current_not_the_stale_trait(widget: ThreadWidget) -> None:
    from ipywidgets.embed import dependency_state, embed_data

    widget.add_comment("added after construction")
    state = dependency_state(widget, drop_defaults=False)[widget.model_id]["state"]
    whole = folded(state)
    assert whole is not None
    bodies = [c["body"] for c in whole["comments"]]
    assert "added after construction" in bodies
    assert state["_snapshot"]["seq"] == widget.seq
    assert state["_esm"]  # the bundle travels with the state (drop_defaults=False)
    data = embed_data(views=[widget], state=dependency_state(widget, drop_defaults=False))
    assert "added after construction" in json.dumps(data["manager_state"])


def test_embed_state_is_a_read_only_dated_snapshot(widget: ThreadWidget) -> None:
    widget.add_comment("latest")
    state = widget.embed_state()[widget.model_id]["state"]
    assert state["read_only"] is True
    assert "saved_at" in state["_snapshot"]
    assert state["_snapshot"]["comments"][-1]["body"] == "latest"
    assert widget.read_only is False  # the live widget is unchanged


def test_construction_sends_the_thread_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshot travels in the comm-open message only, never again as an update."""
    keys: list[object] = []
    real = ThreadWidget.send_state

    def spy(self: ThreadWidget, key: object = None) -> None:
        keys.append(key)
        real(self, key)  # type: ignore[arg-type]

    monkeypatch.setattr(ThreadWidget, "send_state", spy)
    w = ThreadWidget(comments=[Comment(id="a", body="x")], user="Chris")
    whole = folded(w.get_state())
    assert whole is not None and [c["id"] for c in whole["comments"]] == ["a"]
    assert not any(key is not None and "_snapshot" in key for key in keys), keys


def test_focus_is_broadcast_to_every_view(widget: ThreadWidget, rec: Recorder) -> None:
    widget.focus("b")
    assert rec.sent[-1] == {"kind": "focus", "id": "b"}
    with pytest.raises(KeyError, match="ghost"):
        widget.focus("ghost")


def test_verbs_cannot_be_misused_positionally(widget: ThreadWidget) -> None:
    """``add_comment("Me too", "c1")`` once posted as a user called "c1"."""
    with pytest.raises(TypeError):
        widget.add_comment("Me too", "a")  # type: ignore[misc]
    reply = widget.add_comment("Me too", parent_id="a")
    assert reply.author == "Chris" and reply.parent_id == "a"
    # one name for the acting person, and every verb returns the comment as it is afterwards
    assert widget.like("a", user="Bob").liked_by == ("Bob",)
    assert widget.hide("a", "off topic", user="Ms. R").moderation.by == "Ms. R"  # type: ignore[union-attr]
    assert widget.delete_comment(reply.id, user="Chris").status == "deleted"
    assert widget.lock(None, user="Ms. R") == widget.post and widget.post.locked is not None


def test_the_widget_loads_the_built_bundle() -> None:
    """The bundle is found next to the package (src/threadwidget/static), wherever the widget's
    module lives: a widget never shows "the frontend bundle is missing" in a built checkout."""
    import threadwidget

    static = Path(threadwidget.__file__).parent / "static"
    assert (static / "widget.js").exists(), "run npm run build first"
    assert "bundle is missing" not in str(ThreadWidget._esm)
    assert "tw-root" in str(ThreadWidget._css)


def test_a_whole_thread_answer_leaves_the_kernel_free_and_the_view_current() -> None:
    """A view's sync of a long thread is answered from a background thread: the kernel handles
    the next message (a cell, an operation) at once; what it applies meanwhile follows the last
    part, so the view ends at the kernel's seq. A newer sync from the view replaces the answer."""
    import threading
    import time

    from threadwidget.analysis import synthetic

    widget = ThreadWidget(thread=synthetic.thread(3000, seed=3), user="Chris")
    sent: list[dict[str, object]] = []
    slow = threading.Event()

    def send(message: dict[str, object], buffers: object = None) -> None:
        if message.get("kind") == "snapshot" and message.get("part") == 1:
            slow.wait(10)  # a page slow to take the parts: the answer is still on its way
        sent.append(message)

    widget.send = send  # type: ignore[method-assign]
    sync = {"kind": "sync", "client": "v1", "epoch": "", "seq": 0, "rid": "v1-1"}
    t0 = time.perf_counter()
    widget._on_custom_message(widget, sync, [])
    assert time.perf_counter() - t0 < 1.0  # answered later, not now
    deadline = time.monotonic() + 20
    while not any(m.get("part") == 0 for m in sent) and time.monotonic() < deadline:
        time.sleep(0.01)
    t0 = time.perf_counter()
    widget.add_comment("while the parts are on their way", user="Ann")  # the next cell
    assert time.perf_counter() - t0 < 1.0  # no lock held while parts go out
    assert [m["kind"] for m in sent if m["kind"] == "event"] == ["event"]
    slow.set()
    assert widget._page.flush(30)
    mine = [m for m in sent if m.get("to") == "v1"]
    parts = [m for m in mine if m["kind"] == "snapshot"]
    assert len(parts) > 2 and {m["seq"] for m in parts} == {0}
    assert sorted(m["part"] for m in parts) == list(range(parts[0]["parts"]))  # type: ignore[call-overload]
    tail = mine[-1]
    assert tail["kind"] == "catchup" and tail["done"] is False
    assert [e["seq"] for e in tail["events"]] == [1]  # type: ignore[union-attr,index]
    assert mine.index(tail) > max(mine.index(m) for m in parts)

    # a newer sync from the same view while an answer is on its way: only the newer is completed
    sent.clear()
    slow.clear()
    widget._on_custom_message(widget, {**sync, "rid": "v1-2"}, [])
    deadline = time.monotonic() + 10
    while not any(m.get("rid") == "v1-2" for m in sent) and time.monotonic() < deadline:
        time.sleep(0.01)
    widget._on_custom_message(widget, {**sync, "rid": "v1-3"}, [])
    slow.set()
    assert widget._page.flush(30)
    by_rid = {rid: [m for m in sent if m.get("rid") == rid] for rid in ("v1-2", "v1-3")}
    assert len(by_rid["v1-2"]) < by_rid["v1-2"][0]["parts"]  # type: ignore[operator]
    assert len(by_rid["v1-3"]) == by_rid["v1-3"][0]["parts"]
    widget.close()
