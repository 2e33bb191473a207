"""Property test: random interleavings of Python calls and several views, with delayed and lost
deliveries, rejections and reloads. After every step the thread is valid and every view shows
exactly Python's state as of the last event it applied; once messages are delivered (and views
that lost one ask again, as they do on a gap), every view equals Python and nothing is pending."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from threadwidget import Comment, OperationRejected, Post, Thread, ThreadWidget

from .simview import SimView

USERS = ["Ann", "Bob", "Chris"]
KINDS = ["add", "edit", "delete", "like", "unlike"]


class Convergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.widget = ThreadWidget(
            thread=Thread(
                post=Post(title="t", author="Ann"),
                comments=(
                    Comment(id="root", author="Ann", body="start"),
                    Comment(id="mine", author="Chris", body="mine"),
                ),
            ),
            user="Chris",
        )
        self.history = [dict(self.widget._state.comments)]  # state after each seq
        self.views: list[SimView] = []
        self.widget.send = self._broadcast  # type: ignore[method-assign]
        # The rate limit reads the clock: a slow run would refuse what a fast one accepts, and
        # hypothesis needs every run of an example to behave the same (tested in test_widget.py).
        self.widget._within_rate = lambda client: True  # type: ignore[method-assign]
        self.widget.on_change(lambda _: self.history.append(dict(self.widget._state.comments)))
        self.views = [SimView(self.widget) for _ in range(3)]

    def _broadcast(self, content: dict[str, Any], buffers: Any = None) -> None:
        for view in self.views:
            view.inbox.append(content)

    # -- actions ---------------------------------------------------------------------------

    @rule(data=st.data(), user=st.sampled_from(USERS), kind=st.sampled_from(KINDS))
    def python_call(self, data: st.DataObject, user: str, kind: str) -> None:
        target = data.draw(st.sampled_from(list(self.widget._state.comments)))
        try:
            if kind == "add":
                self.widget.add_comment(f"py {user}", author=user, parent_id=target)
            elif kind == "edit":
                self.widget.edit_comment(target, f"edited by python as {user}")
            elif kind == "delete":
                self.widget.delete_comment(target)
            elif kind == "like":
                self.widget.like(target, user=user)
            else:
                self.widget.unlike(target, user=user)
        except OperationRejected:
            pass

    @rule(data=st.data(), kind=st.sampled_from([*KINDS, "bad"]))
    def view_request(self, data: st.DataObject, kind: str) -> None:
        view = data.draw(st.sampled_from(self.views))
        # insertion order, not sorted ids: new ids are random, and draws must not depend on them
        target = data.draw(st.sampled_from(list(view.comments)))
        op: dict[str, Any]
        if kind == "add":
            parent = data.draw(st.sampled_from([None, target]))
            op = {
                "type": "add",
                "id": f"{view.client}-n{view.counter}",
                "parent_id": parent,
                "body": "from a view",
            }
        elif kind == "edit":
            op = {"type": "edit", "id": target, "body": "edited in a view"}
        elif kind == "bad":
            op = data.draw(
                st.sampled_from(
                    [
                        {"type": "zap"},
                        {"type": "edit", "id": target},
                        {"type": "add", "parent_id": "ghost", "body": "x"},
                    ]
                )
            )
        else:
            op = {"type": kind, "id": target}
        view.request(op)

    @rule(data=st.data(), count=st.integers(1, 6))
    def deliver_some(self, data: st.DataObject, count: int) -> None:
        view = data.draw(st.sampled_from(self.views))
        for _ in range(min(count, len(view.inbox))):
            view.deliver(view.inbox.pop(0))

    @rule(data=st.data())
    def lose_a_message(self, data: st.DataObject) -> None:
        view = data.draw(st.sampled_from(self.views))
        if view.inbox:
            view.inbox.pop(data.draw(st.integers(0, len(view.inbox) - 1)))

    @rule(data=st.data())
    def reload(self, data: st.DataObject) -> None:
        data.draw(st.sampled_from(self.views)).load()

    @rule()
    def settle(self) -> None:
        """Deliver everything; views that lost messages ask again; all must equal Python."""
        for _ in range(3):
            self._flush()
            for view in self.views:
                view.sync()
        self._flush()
        truth = self.widget._state.comments
        for view in self.views:
            assert view.seq == self.widget.seq
            assert view.comments == truth
            assert not view.pending, view.pending

    def _flush(self) -> None:
        while any(view.inbox for view in self.views):
            for view in self.views:
                while view.inbox:
                    view.deliver(view.inbox.pop(0))

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def thread_is_valid(self) -> None:
        thread = self.widget.thread  # validates ids, parents and cycles
        for comment in thread.comments:
            assert comment.likes >= len(comment.liked_by)

    @invariant()
    def every_view_shows_a_true_past_state(self) -> None:
        for view in self.views:
            assert view.seq <= self.widget.seq
            assert view.comments == self.history[view.seq]

    def teardown(self) -> None:
        self.settle()


Convergence.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestConvergence = Convergence.TestCase


def test_a_lost_reject_is_settled_by_the_next_sync() -> None:
    widget = ThreadWidget(comments=[Comment(id="a", author="Ann", body="x")], user="Chris")
    inbox: list[dict[str, Any]] = []
    widget.send = lambda content, buffers=None: inbox.append(content)  # type: ignore[method-assign]
    view = SimView(widget)
    for message in inbox:
        view.deliver(message)
    inbox.clear()
    view.request({"type": "edit", "id": "a", "body": "not mine"})  # refused: Ann's comment
    accepted = view.request({"type": "add", "id": "v-new", "body": "fine"})
    assert [m["kind"] for m in inbox] == ["reject", "event"]
    inbox.clear()  # both answers are lost on the way
    view.sync()
    for message in inbox:
        view.deliver(message)
    assert not view.pending
    assert [reason for _, reason in view.rejected] == [
        "No answer from the kernel; please try again."
    ]
    assert "v-new" in view.comments
    assert accepted not in {rid for rid in view.pending}


def test_a_lost_reject_is_settled_by_a_snapshot_too() -> None:
    widget = ThreadWidget(comments=[Comment(id="a", author="Ann", body="x")], user="Chris")
    inbox: list[dict[str, Any]] = []
    widget.send = lambda content, buffers=None: inbox.append(content)  # type: ignore[method-assign]
    view = SimView(widget)
    inbox.clear()
    view.request({"type": "delete", "id": "a"})  # refused
    view.request({"type": "add", "id": "v-new", "body": "fine"})  # accepted
    inbox.clear()
    view.epoch = "stale"  # force a snapshot answer
    view.sync()
    [answer] = inbox
    assert answer["kind"] == "snapshot"
    assert answer["confirmed"] == [f"{view.client}-3"]
    view.deliver(answer)
    assert not view.pending
    assert len(view.rejected) == 1
    assert view.rejected[0][0]["type"] == "delete"
