"""The service's reader views without HTTP (``service.threads.ThreadHub`` on a real SQLite store):
moderated text never reaches a non-moderator, whatever happens to the comment afterwards
(deleted, edited, replaced away, unhidden, replayed), in any answer the handlers build; and a
reader who catches up from any ``seq`` ends with exactly the reader's snapshot (issue #25 item 1).
The same walk against a real JupyterHub: ``tests/hub/test_hub_attacks.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("jupyterhub")

from threadwidget.core import operations as ops
from threadwidget.core import rules
from threadwidget.core.models import Post, Thread
from threadwidget.service.auth import Identity
from threadwidget.service.roles import RoleBook
from threadwidget.service.threads import ThreadHub
from threadwidget.stores.store import open_store

TEACHER = Identity("teacher", groups=frozenset({"teachers"}))
STUDENT = Identity("student1")
OTHER = Identity("student2")


@pytest.fixture
def hub(tmp_path: Path) -> ThreadHub:
    made = ThreadHub(open_store(tmp_path / "threads.db"), RoleBook("teachers"))
    made.create("t", Thread(post=Post(title="Class", author="teacher")), exist_ok=False)
    yield made
    made.close()


def act(hub: ThreadHub, who: Identity, op: ops.Operation) -> int:
    entry, _ = hub.submit("t", op, who)
    return entry.seq


def served(hub: ThreadHub, who: Identity) -> str:
    """Everything the handlers would answer ``who``: snapshot, page, events (plain and wire,
    from every seq: SSE catch-ups), history and every replay moment."""
    texts = [hub.snapshot("t", who)[0].model_dump_json(), json.dumps(hub.page_state("t", who))]
    head = hub.snapshot("t")[1]
    for since in range(head + 1):
        viewer = hub.viewer("t", who)
        entries = hub.events_since("t", since)
        assert hub.recent_since("t", since) in (None, entries)
        for wire in (False, True):
            texts += [json.dumps(viewer.entry_json(e, wire=wire)) for e in entries]
            # what the handlers send: the text, encoded once per event for all who see it as is
            sent = [viewer.entry_text(e, wire=wire) for e in entries]
            as_json = [viewer.entry_json(e, wire=wire) for e in entries]
            assert [json.loads(t) for t in sent] == as_json
            texts += sent
    origin, entries = hub.history("t")
    viewer = hub.viewer("t", who)
    texts.append(viewer.thread(origin).model_dump_json())
    texts += [json.dumps(viewer.entry_json(e, wire=False)) for e in entries]
    moments = hub.engine("t").moments()
    for index in range(len(moments)):
        texts.append(hub.replay("t", index, who)[3].model_dump_json())
    return "\n".join(texts)


def caught_up(hub: ThreadHub, who: Identity, since: int = 0) -> Thread:
    """What a reader's engine holds after catching up from ``since`` (from the thread it
    read then): must be the reader's snapshot now."""
    origin, entries = hub.history("t")
    viewer = hub.viewer("t", who)
    state = rules.ThreadState.from_thread(viewer.thread(origin))
    for entry in entries:
        rules.commit(state, viewer.event(entry))
    return state.to_thread()


def assert_never_served(hub: ThreadHub, *secrets: str) -> None:
    for who in (STUDENT, OTHER):
        text = served(hub, who)
        for secret in secrets:
            assert secret not in text, (who.name, secret)
        assert caught_up(hub, who) == hub.snapshot("t", who)[0]


def test_deleted_after_hiding(hub: ThreadHub) -> None:
    act(hub, TEACHER, ops.AddComment(id="key", body="TEACHER-ANSWER-KEY"))
    act(hub, TEACHER, ops.Moderate(id="key", action="hide"))
    assert_never_served(hub, "TEACHER-ANSWER-KEY")
    act(hub, TEACHER, ops.DeleteComment(id="key"))
    assert_never_served(hub, "TEACHER-ANSWER-KEY")
    assert "TEACHER-ANSWER-KEY" in served(hub, TEACHER)  # moderators keep the history
    # the place stays, nameless
    shown = {c.id: c for c in hub.snapshot("t", STUDENT)[0].comments}["key"]
    assert (shown.status, shown.author, shown.body) == ("deleted", "[moderated]", "")


def test_edited_while_hidden_then_unhidden(hub: ThreadHub) -> None:
    act(hub, TEACHER, ops.AddComment(id="e", body="FIRST-VERSION-SECRET"))
    act(hub, STUDENT, ops.Like(id="e"))
    act(hub, TEACHER, ops.Moderate(id="e", action="hide"))
    act(hub, TEACHER, ops.EditComment(id="e", body="a harmless second version"))
    act(hub, TEACHER, ops.Moderate(id="e", action="unhide"))
    assert_never_served(hub, "FIRST-VERSION-SECRET")
    for who in (STUDENT, OTHER):
        assert "a harmless second version" in served(hub, who)
    act(hub, TEACHER, ops.EditComment(id="e", body="a third version"))
    assert_never_served(hub, "FIRST-VERSION-SECRET")


def test_unhidden_unchanged_comes_back_whole(hub: ThreadHub) -> None:
    act(hub, STUDENT, ops.AddComment(id="u", body="back again"))
    act(hub, TEACHER, ops.Moderate(id="u", action="spam"))
    act(hub, TEACHER, ops.Moderate(id="u", action="not_spam"))
    for since in range(hub.snapshot("t")[1] + 1):
        assert caught_up(hub, OTHER, since) == hub.snapshot("t", OTHER)[0]
    assert {c.id: c.body for c in caught_up(hub, OTHER).comments}["u"] == "back again"


def test_replace_events_of_earlier_decisions(hub: ThreadHub) -> None:
    """Readers get a moderator decision as a ``replace`` holding the whole thread then: those
    earlier snapshots must not carry a comment moderated (or deleted after moderation) later."""
    act(hub, STUDENT, ops.AddComment(id="r", body="REPLACED-AWAY-SECRET"))
    act(hub, OTHER, ops.AddComment(id="kid", parent_id="r", body="a reply"))
    act(hub, OTHER, ops.AddComment(id="y", body="something else"))
    act(hub, TEACHER, ops.Moderate(id="y", action="hide"))  # a replace holding "r" as it was
    act(hub, TEACHER, ops.Moderate(id="y", action="unhide"))
    act(hub, TEACHER, ops.Moderate(id="r", action="remove"))
    assert_never_served(hub, "REPLACED-AWAY-SECRET")
    act(hub, TEACHER, ops.Moderate(id="r", action="restore"))
    assert "REPLACED-AWAY-SECRET" in hub.snapshot("t", OTHER)[0].model_dump_json()
    act(hub, STUDENT, ops.EditComment(id="r", body="rewritten after the restore"))
    assert_never_served(hub, "REPLACED-AWAY-SECRET")
    act(hub, STUDENT, ops.DeleteComment(id="r"))
    assert_never_served(hub, "REPLACED-AWAY-SECRET", "rewritten after the restore")
    for since in range(hub.snapshot("t")[1] + 1):
        assert caught_up(hub, OTHER, since) == hub.snapshot("t", OTHER)[0]


def test_a_restarted_service_remembers_what_was_moderated(tmp_path: Path) -> None:
    first = ThreadHub(open_store(tmp_path / "threads.db"), RoleBook("teachers"))
    first.create("t", None, exist_ok=False)
    act(first, TEACHER, ops.AddComment(id="key", body="TEACHER-ANSWER-KEY"))
    act(first, TEACHER, ops.Moderate(id="key", action="hide"))
    act(first, TEACHER, ops.DeleteComment(id="key"))
    first.close()
    second = ThreadHub(open_store(tmp_path / "threads.db"), RoleBook("teachers"))
    try:
        assert_never_served(second, "TEACHER-ANSWER-KEY")
    finally:
        second.close()
