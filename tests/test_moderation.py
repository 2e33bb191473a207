"""Moderation and roles: reports, hide/spam/remove, pins and locks, with the audit fields they
leave; roles enforced in Python for browser operations (the browser is simulated by messages);
the new events through the journal, a shared store, replay and save/load."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from threadwidget import Comment, OperationRejected, Post, Thread, ThreadWidget
from threadwidget.core import operations, rules
from threadwidget.core.models import MAX_REASON_CHARS
from threadwidget.stores import SQLiteStore

from .conftest import SEED, T0, Recorder

# The small thread of conftest.py: a (Ann) > b (Chris); c (Bob). The widget's user is Chris.


def moderator(widget: ThreadWidget) -> ThreadWidget:
    widget.role = "moderator"
    return widget


def rejected(reply: dict[str, Any], *words: str, field: str | None = "id") -> str:
    """Assert a browser reply is a refusal naming ``words`` (and the field at fault)."""
    assert reply["kind"] == "reject", reply
    for word in words:
        assert word in reply["reason"], reply
    assert reply["field"] == field, reply
    return str(reply["reason"])


def accepted(reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["kind"] == "event", reply
    return dict(reply["event"])


# ---- reports ----------------------------------------------------------------------------------


def test_report_with_a_reason_and_take_it_back(widget: ThreadWidget, rec: Recorder) -> None:
    event = accepted(rec.op({"type": "flag", "id": "a", "reason": "  off-topic  "}))
    assert event["user"] == "Chris" and event["reason"] == "off-topic"
    flags = widget.get("a").flags
    assert [(f.user, f.reason) for f in flags] == [("Chris", "off-topic")]
    assert flags[0].at == widget.events[-1].at
    widget.flag("a", "spam link", user="Bob")
    assert [f.user for f in widget.get("a").flags] == ["Chris", "Bob"]
    rejected(rec.op({"type": "flag", "id": "a", "reason": "again"}), "already reported")
    accepted(rec.op({"type": "unflag", "id": "a"}))
    assert [f.user for f in widget.get("a").flags] == ["Bob"]
    rejected(rec.op({"type": "unflag", "id": "a"}), "not reported")


def test_reports_are_refused_on_own_deleted_and_missing_comments(
    widget: ThreadWidget, rec: Recorder
) -> None:
    rejected(rec.op({"type": "flag", "id": "b", "reason": "x"}), "your own comment")
    widget.delete_comment("c")
    rejected(rec.op({"type": "flag", "id": "c", "reason": "x"}), "was deleted")
    rejected(rec.op({"type": "flag", "id": "ghost", "reason": "x"}), "no comment")
    reason = rec.op({"type": "flag", "id": "a", "reason": "x" * (MAX_REASON_CHARS + 1)})
    rejected(reason, "Invalid operation", field="reason")
    assert widget.get("a").flags == () and widget.seq == 1
    # Python code may report anything (it is trusted), the same rules otherwise
    assert widget.flag("b", "test").flags[0].user == "Chris"


# ---- moderation actions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verb", "action", "status"),
    [
        ("hide", "hide", "hidden"),
        ("mark_spam", "spam", "spam"),
        ("remove", "remove", "removed"),
    ],
)
def test_python_verbs_record_who_when_and_why(
    widget: ThreadWidget, verb: str, action: str, status: str
) -> None:
    comment = getattr(widget, verb)("a", "  selling followers ", user="Ms. Rivera")
    assert comment.status == status
    record = comment.moderation
    assert record is not None
    assert (record.action, record.by, record.reason) == (action, "Ms. Rivera", "selling followers")
    assert record.at == widget.events[-1].at
    undo = {"hide": "unhide", "mark_spam": "mark_not_spam", "remove": "restore"}[verb]
    back = getattr(widget, undo)("a", "ok after all")
    assert back.status == "visible"
    assert back.moderation is not None and back.moderation.by == "Chris"  # default: w.user
    assert back.moderation.reason == "ok after all" and back.body == "first"


#: status -> the actions allowed from it (mirrors rules._TRANSITIONS and moderation.ts)
ALLOWED = {
    "visible": {"hide", "spam", "remove"},
    "hidden": {"unhide", "spam", "remove"},
    "spam": {"not_spam", "remove"},
    "removed": {"restore"},
}
TARGET = {
    "hide": "hidden",
    "unhide": "visible",
    "spam": "spam",
    "not_spam": "visible",
    "remove": "removed",
    "restore": "visible",
}


@pytest.mark.parametrize("start", sorted(ALLOWED))
@pytest.mark.parametrize("action", sorted(TARGET))
def test_every_transition(thread: Thread, start: str, action: str) -> None:
    comments = list(thread.comments)
    comments[0] = comments[0].model_copy(update={"status": start})
    w = ThreadWidget(thread=Thread(post=thread.post, comments=tuple(comments)), role="moderator")
    rec = Recorder(w)
    reply = rec.op({"type": "moderate", "id": "a", "action": action, "reason": "r"})
    if action in ALLOWED[start]:
        assert accepted(reply)["status"] == TARGET[action]
        assert w.get("a").status == TARGET[action]
    else:
        rejected(reply, f"is {start}", field="action")
        assert w.get("a").status == start and w.seq == 0


def test_a_deleted_comment_cannot_be_moderated_or_pinned(widget: ThreadWidget) -> None:
    widget.delete_comment("b")
    for action in TARGET:
        with pytest.raises(OperationRejected, match="nothing to moderate"):
            widget.moderate("b", action)  # type: ignore[arg-type]
    with pytest.raises(OperationRejected, match="cannot be pinned"):
        widget.pin("b")
    assert widget.get("b").status == "deleted" and not widget.get("b").pinned


def test_moderated_comments_take_no_part_for_non_moderators(
    widget: ThreadWidget, rec: Recorder
) -> None:
    widget.hide("a", "checking")
    widget.mark_spam("c")
    rejected(rec.op({"type": "like", "id": "c"}), "marked as spam")
    rejected(rec.op({"type": "flag", "id": "a", "reason": ""}), "hidden by a moderator")
    reply = rec.op({"type": "add", "id": "v-1", "parent_id": "a", "body": "hi"})
    rejected(reply, "hidden by a moderator", field="parent_id")
    widget.role = "moderator"
    assert accepted(rec.op({"type": "add", "id": "v-2", "parent_id": "a", "body": "mod note"}))
    assert accepted(rec.op({"type": "like", "id": "c"}))["likes"] == 3


def test_own_comment_moderated_cannot_be_edited_or_deleted_by_its_author(
    widget: ThreadWidget, rec: Recorder
) -> None:
    widget.remove("b", "personal data", user="Ms. Rivera")
    rejected(rec.op({"type": "edit", "id": "b", "body": "sneaky"}), "removed by a moderator")
    rejected(rec.op({"type": "delete", "id": "b"}), "removed by a moderator")
    assert widget.get("b").status == "removed" and widget.get("b").body == "reply"


# ---- pins -------------------------------------------------------------------------------------


def test_pin_and_unpin_with_reasons(widget: ThreadWidget, rec: Recorder) -> None:
    moderator(widget)
    event = accepted(rec.op({"type": "pin", "id": "c", "pinned": True, "reason": "best answer"}))
    assert event["pinned"] is True and event["reason"] == "best answer"
    assert widget.get("c").pinned
    rejected(rec.op({"type": "pin", "id": "c", "pinned": True}), "already pinned", field="pinned")
    assert not widget.unpin("c", "new week").pinned
    rejected(rec.op({"type": "pin", "id": "c", "pinned": False}), "not pinned", field="pinned")
    assert widget.pin("a").pinned


# ---- locks ------------------------------------------------------------------------------------


def test_a_locked_subtree_refuses_replies_and_edits_of_non_moderators(
    widget: ThreadWidget, rec: Recorder
) -> None:
    widget.lock("a", "cool down", user="Ms. Rivera")
    lock = widget.get("a").locked
    assert lock is not None and (lock.by, lock.reason) == ("Ms. Rivera", "cool down")
    for parent in ("a", "b"):  # the locked comment and anything below it
        reply = rec.op({"type": "add", "parent_id": parent, "body": "but..."})
        reason = rejected(reply, field="parent_id")
        assert reason == "This part of the discussion is locked by Ms. Rivera: cool down"
    rejected(rec.op({"type": "edit", "id": "b", "body": "edited"}), "locked by Ms. Rivera")
    # elsewhere the thread is open; reports and likes go on in the locked part
    accepted(rec.op({"type": "add", "parent_id": "c", "body": "open here"}))
    accepted(rec.op({"type": "flag", "id": "a", "reason": "rude"}))
    accepted(rec.op({"type": "like", "id": "a"}))
    # the author may still delete their own comment; moderators and Python may reply
    accepted(rec.op({"type": "delete", "id": "b"}))
    widget.add_comment("from Python", parent_id="a")
    widget.roles = {"Chris": "moderator"}
    accepted(rec.op({"type": "add", "parent_id": "a", "body": "moderator reply"}))
    accepted(rec.op({"type": "lock", "id": "a", "locked": False, "reason": ""}))
    assert widget.get("a").locked is None
    rejected(rec.op({"type": "lock", "id": "a", "locked": False}), "not locked", field="locked")


def test_a_locked_thread_refuses_every_new_comment(widget: ThreadWidget, rec: Recorder) -> None:
    widget.lock(None, "exam time", user="Ms. Rivera")
    assert widget.post.locked is not None and widget.post.locked.reason == "exam time"
    reply = rec.op({"type": "add", "parent_id": None, "body": "hello?"})
    assert (
        rejected(reply, field="parent_id") == "This discussion is locked by Ms. Rivera: exam time"
    )
    rejected(
        rec.op({"type": "add", "parent_id": "c", "body": "reply"}),
        "This discussion is",
        field="parent_id",
    )
    with pytest.raises(OperationRejected, match="already locked"):
        widget.lock(None)
    widget.unlock(None)
    assert widget.post.locked is None
    accepted(rec.op({"type": "add", "parent_id": None, "body": "open again"}))
    # a thread lock without a reason reads as a sentence too
    widget.lock(None, user="Ms. Rivera")
    reply = rec.op({"type": "add", "parent_id": None, "body": "x"})
    assert rejected(reply, field="parent_id") == "This discussion is locked by Ms. Rivera."


# ---- roles, enforced in Python ----------------------------------------------------------------

WRITES: list[dict[str, Any]] = [
    {"type": "add", "parent_id": None, "body": "hi"},
    {"type": "edit", "id": "b", "body": "mine"},
    {"type": "delete", "id": "b"},
    {"type": "like", "id": "a"},
    {"type": "flag", "id": "a", "reason": "x"},
]
MODERATION: list[dict[str, Any]] = [
    {"type": "moderate", "id": "a", "action": "hide", "reason": "x"},
    {"type": "pin", "id": "a", "pinned": True},
    {"type": "lock", "id": "a", "locked": True},
    {"type": "lock", "id": None, "locked": True},
]


def test_readers_change_nothing(widget: ThreadWidget, rec: Recorder) -> None:
    widget.role = "reader"
    before = widget.thread
    for op in WRITES + MODERATION:
        rejected(rec.op(op), "Readers cannot change", field="type")
    assert widget.thread == before and widget.seq == 0


def test_participants_write_and_report_but_do_not_moderate(
    widget: ThreadWidget, rec: Recorder
) -> None:
    for op in MODERATION:
        rejected(rec.op(op), "Only moderators", field="type")
    assert widget.seq == 0
    for op in WRITES:
        accepted(rec.op(op))


def test_moderators_do_everything(widget: ThreadWidget, rec: Recorder) -> None:
    moderator(widget)
    for op in MODERATION:
        accepted(rec.op(op))
    assert widget.get("a").status == "hidden" and widget.post.locked is not None


def test_per_user_roles_override_the_default(widget: ThreadWidget, rec: Recorder) -> None:
    widget.role = "reader"
    widget.roles = {"Chris": "moderator", "Ann": "participant"}
    assert widget.role_of("Chris") == "moderator" and widget.role_of("Bob") == "reader"
    assert widget._config["role"] == "moderator"
    accepted(rec.op({"type": "moderate", "id": "c", "action": "spam", "reason": "ads"}))
    widget.user = "Ann"
    assert widget._config["role"] == "participant"
    rejected(
        rec.op({"type": "moderate", "id": "c", "action": "not_spam"}),
        "Only moderators",
        field="type",
    )
    widget.user = "Bob"
    assert widget._config["role"] == "reader"
    rejected(rec.op({"type": "like", "id": "a"}), "Readers", field="type")


def test_read_only_binds_moderators_too(widget: ThreadWidget, rec: Recorder) -> None:
    moderator(widget)
    widget.read_only = True
    rejected(rec.op(MODERATION[0]), "read-only", field=None)
    assert widget.hide("a").status == "hidden"  # Python is trusted


def test_a_page_cannot_make_itself_moderator(widget: ThreadWidget, rec: Recorder) -> None:
    sent: list[dict[str, Any]] = []
    widget._send = lambda msg, buffers=None: sent.append(msg)  # type: ignore[method-assign]
    forged = {"_config": {**widget._config, "role": "moderator"}, "role": "moderator"}
    widget._handle_msg({"content": {"data": {"method": "update", "state": forged}}, "buffers": []})
    assert widget.role == "participant" and widget._config["role"] == "participant"
    assert sent[-1]["state"]["_config"]["role"] == "participant"  # the views hear the truth
    rejected(rec.op(MODERATION[0]), "Only moderators", field="type")


def test_role_changes_reach_the_views_config_at_once(widget: ThreadWidget) -> None:
    seen: list[str] = []
    widget.observe(lambda change: seen.append(change["new"]["role"]), names="_config")
    widget.role = "moderator"
    widget.roles = {"Chris": "reader"}
    widget.roles = {}
    assert seen == ["moderator", "reader", "moderator"]
    with pytest.raises(Exception, match="role"):
        widget.role = "admin"  # type: ignore[assignment]
    with pytest.raises(ValueError, match="roles\\['Ann'\\]"):
        widget.roles = {"Ann": "boss"}
    assert widget.role == "moderator" and widget.roles == {}


def test_validators_see_the_role(widget: ThreadWidget, rec: Recorder) -> None:
    asked: list[tuple[str, str, bool]] = []

    def watch(op: operations.Operation, ctx: rules.Context) -> None:
        asked.append((op.type, ctx.role, ctx.moderator))

    widget.add_validator(watch)
    widget.roles = {"Chris": "moderator"}
    rec.op({"type": "pin", "id": "a", "pinned": True})
    widget.flag("a", "x", user="Bob")
    assert asked == [("pin", "moderator", True), ("flag", "participant", True)]


# ---- the audit trail --------------------------------------------------------------------------


def test_audit_lists_reports_and_decisions_in_order(widget: ThreadWidget, rec: Recorder) -> None:
    moderator(widget)
    widget.flag("c", "ads", user="Ann")
    widget.like("a")  # not a moderation event
    rec.op({"type": "moderate", "id": "c", "action": "spam", "reason": "followers for sale"})
    widget.pin("a", "good start", user="Ms. Rivera")
    widget.lock("a", "heated")
    widget.lock(None, "closed")
    widget.unpin("a")
    widget.unlock("a")
    widget.unflag("c", user="Ann")
    rows = widget.audit()
    assert [(r["action"], r["by"], r["comment_id"], r["reason"]) for r in rows] == [
        ("flag", "Ann", "c", "ads"),
        ("spam", "Chris", "c", "followers for sale"),
        ("pin", "Ms. Rivera", "a", "good start"),
        ("lock", "Chris", "a", "heated"),
        ("lock", "Chris", None, "closed"),
        ("unpin", "Chris", "a", ""),
        ("unlock", "Chris", "a", ""),
        ("unflag", "Ann", "c", ""),
    ]
    times = [r["at"] for r in rows]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)


# ---- the wire, replay, storage ----------------------------------------------------------------


def test_events_on_the_wire_carry_the_audit_fields(widget: ThreadWidget, rec: Recorder) -> None:
    widget.mark_spam("c", "ads", user="Ms. Rivera")
    widget.lock(None, "closed")
    spam, lock = (m["event"] for m in rec.sent[-2:])
    assert spam == {
        "type": "moderate",
        "id": "c",
        "action": "spam",
        "reason": "ads",
        "status": "spam",
        "actor": "Ms. Rivera",
        "at": spam["at"],
    }
    assert lock["type"] == "lock" and lock["id"] is None and lock["locked"] is True
    # a fresh view gets the moderated state in the snapshot parts of a sync
    sent = rec.browser({"kind": "sync", "client": "v9", "epoch": "", "seq": 0, "rid": "v9-1"})
    snapshot = sent[0]
    assert snapshot["post"]["locked"]["reason"] == "closed"
    wire = {c["id"]: c for c in snapshot["comments"]}
    assert wire["c"]["status"] == "spam" and wire["c"]["moderation"]["by"] == "Ms. Rivera"
    assert "flags" not in wire["a"] and "moderation" not in wire["a"]  # empty fields omitted


def a_class_session(w: ThreadWidget) -> None:
    """Every moderation event once, as a class would produce them."""
    w.flag("c", "spam?", user="Ann")
    w.flag("c", "ads", user="Dee")
    w.hide("a", "off-topic", user="Ms. Rivera")
    w.unhide("a")
    w.mark_spam("c", "followers for sale")
    w.pin("b", "answers the question")
    w.lock("b", "enough")
    w.lock(None, "closed for the exam")
    w.remove("b", "personal data")
    w.unflag("c", user="Ann")


def fresh_fold(w: ThreadWidget, base: Thread) -> Thread:
    """The widget's event log committed again onto the thread it started from."""
    state = rules.ThreadState.from_thread(base)
    for event in w.events:
        rules.commit(state, event)
    return state.to_thread()


def test_commit_is_deterministic_over_the_new_events(thread: Thread) -> None:
    w = ThreadWidget(thread=thread, user="Chris")
    a_class_session(w)
    assert fresh_fold(w, thread) == w.thread
    # through JSON (a journal or a store) too
    state = rules.ThreadState.from_thread(thread)
    for event in w.events:
        rules.commit(state, operations.parse_event(event.model_dump(mode="json")))
    assert state.to_thread() == w.thread


def test_journal_round_trip(thread: Thread, tmp_path: Path) -> None:
    path = tmp_path / "class.json"
    w = ThreadWidget(thread=thread, user="Chris", autosave=path)
    a_class_session(w)
    again = ThreadWidget(autosave=path)
    assert again.thread == w.thread
    assert again.get("b").status == "removed" and again.get("b").pinned
    assert again.post.locked is not None and again.post.locked.reason == "closed for the exam"


def test_save_and_load_keep_the_moderation_state(thread: Thread, tmp_path: Path) -> None:
    w = ThreadWidget(thread=thread)
    a_class_session(w)
    again = ThreadWidget.load(w.save(tmp_path / "t.json"))
    assert again.thread == w.thread
    c = again.get("c")
    assert c.status == "spam" and c.moderation is not None and c.moderation.reason
    assert [f.user for f in c.flags] == ["Dee"]


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out waiting"
        time.sleep(0.005)


def test_shared_store_round_trip(thread: Thread, tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "class.db")
    store.create_thread("t", thread)
    teacher = ThreadWidget.connect(store, "t", user="Ms. Rivera", role="moderator")
    student = ThreadWidget.connect(store, "t", user="Ann")
    rec = Recorder(student)
    try:
        a_class_session(teacher)
        wait_for(lambda: student.seq == teacher.seq)
        assert student.thread == teacher.thread
        # the student's page is refused by the shared state she has (thread locked)
        reply = rec.op({"type": "add", "parent_id": None, "body": "hello?"})
        rejected(reply, "locked by Ms. Rivera", field="parent_id")
        # and her role is hers, not the teacher's
        rejected(
            rec.op({"type": "pin", "id": "a", "pinned": True}), "Only moderators", field="type"
        )
        state, _ = store.load("t")
        assert state.to_thread() == teacher.thread
    finally:
        teacher.close()
        student.close()
        store.close()


def test_replay_shows_moderation_as_it_stood(thread: Thread) -> None:
    w = ThreadWidget(thread=thread, user="Ms. Rivera")
    w.flag("c", "ads", user="Ann")
    w.mark_spam("c", "followers")
    w.lock(None, "closed")
    events = w.events
    before_spam = events[1].at - timedelta(microseconds=1)
    at_spam = w.replay_at(events[1].at)
    assert w.replay_at(before_spam).get("c").status == "visible"
    assert w.replay_at(before_spam).get("c").flags[0].reason == "ads"
    assert at_spam.get("c").status == "spam" and at_spam.post.locked is None
    assert w.replay_at(events[2].at).post.locked is not None  # a thread event is replayed too
    assert w.replay_at(T0).get("c").flags == ()


def test_seed_thread_ends_with_spam_a_moderator_can_mark(tmp_path: Path) -> None:
    w = ThreadWidget.load(SEED, user="Ms. Rivera", role="moderator")
    rec = Recorder(w)
    last = w.comments[-1]
    assert "instagram" in last.body.lower()
    event = accepted(
        rec.op({"type": "moderate", "id": last.id, "action": "spam", "reason": "selling followers"})
    )
    assert event["actor"] == "Ms. Rivera"
    assert w.thread.visible_count() == len(w.comments) - 1


def test_comment_model_refuses_duplicate_reporters() -> None:
    flag = {"user": "Ann", "at": T0, "reason": ""}
    with pytest.raises(ValidationError, match="flags lists a user twice"):
        Comment(id="x", flags=[flag, flag])  # type: ignore[list-item]


def test_published_pages_carry_no_moderated_text_reports_or_labels() -> None:
    """The standalone HTML export and embed_state() hold what a reader sees, nothing more."""
    from threadwidget.formats.html import render

    w = ThreadWidget(
        Post(title="t", author="Ann"),
        [
            Comment(id="a", author="Bob", body="my address is 12 Elm St"),
            Comment(id="b", author="Cy", body="fine"),
        ],
        user="Mod",
        roles={"Mod": "moderator"},
        label_set=["spam"],
    )
    w.flag("b", "Carol thinks so", user="Carol")
    w.label("b", "spam", user="Dana")
    w.remove("a", "doxxing")
    page = render(w.thread)
    embedded = json.dumps(w.embed_state())
    for text in (page, embedded):
        for secret in ("12 Elm St", "Carol", "doxxing", "Dana", '"Bob"'):
            assert secret not in text, secret
        assert "fine" in text
    state = w.embed_state()[w.model_id]["state"]
    assert state["_config"]["role"] == "reader" and state["read_only"] is True
    removed = next(c for c in state["_snapshot"]["comments"] if c["id"] == "a")
    assert removed["status"] == "removed" and removed["body"] == ""
