"""Shared fixtures: a small thread and a widget whose outgoing messages are recorded."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from threadwidget import Comment, Post, Thread, ThreadWidget

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "data" / "power-trip.json"

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def thread() -> Thread:
    """A post by Steve; Ann comments, Chris replies to Ann, Bob comments."""
    return Thread(
        post=Post(
            title="On a social media power trip?", author="Steve", body="Hello", created_at=T0
        ),
        comments=(
            Comment(id="a", author="Ann", body="first", created_at=T0),
            Comment(id="b", parent_id="a", author="Chris", body="reply", created_at=T0),
            Comment(id="c", author="Bob", body="second", created_at=T0, likes=2, liked_by=("Ann",)),
        ),
    )


class Recorder:
    """Captures what a widget sends to its views and lets a test play a browser view."""

    def __init__(self, widget: ThreadWidget) -> None:
        self.widget = widget
        self.sent: list[dict[str, Any]] = []
        widget.send = self._send  # type: ignore[method-assign]
        # every event as its own message, at once (batching is tested in test_outbox.py)
        widget._outbox.window = 0
        self.counter = 0

    def _send(self, content: dict[str, Any], buffers: Any = None) -> None:
        self.sent.append(content)

    def browser(self, message: Any) -> list[dict[str, Any]]:
        """Deliver one message as if from the browser; return what the widget sent back."""
        start = len(self.sent)
        self.widget._on_custom_message(self.widget, message, [])
        self.widget.engine.flush()  # page operations' callbacks run on a background thread
        self.widget._page.flush()  # and so do whole-thread answers to a sync
        return self.sent[start:]

    def op(self, op: Any, client: str = "view1") -> dict[str, Any]:
        """Send one operation as a browser would; return the single reply (event or reject)."""
        self.counter += 1
        replies = self.browser({"kind": "op", "rid": f"{client}-{self.counter}", "op": op})
        assert len(replies) == 1, replies
        return replies[0]


@pytest.fixture
def widget(thread: Thread) -> ThreadWidget:
    return ThreadWidget(thread=thread, user="Chris")


@pytest.fixture
def rec(widget: ThreadWidget) -> Recorder:
    return Recorder(widget)


@pytest.fixture
def reported(caplog: pytest.LogCaptureFixture) -> Any:
    """``with reported("text"):`` asserts the block logged an error of user code matching it
    (errors of callbacks, validators and actions are logged, never warned)."""
    import contextlib
    import re

    @contextlib.contextmanager
    def check(match: str = "raised") -> Any:
        start = len(caplog.records)
        yield
        messages = [r.getMessage() for r in caplog.records[start:] if r.name == "threadwidget"]
        assert any(re.search(match, m) for m in messages), messages

    return check


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The hub tests run first: each of their modules drives its own Playwright, which must be
    stopped before the browser tests start their session-wide one (Playwright's sync API allows
    one running instance per thread)."""
    hub = [item for item in items if "/tests/hub/" in str(item.path).replace("\\", "/")]
    if hub:
        rest = [item for item in items if item not in hub]
        items[:] = hub + rest
