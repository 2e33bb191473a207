"""docs/hub.md followed literally (issue #25 item 7): ``jupyterhub_config.py`` is built from the
docs' own set-up code block (extracted from the Markdown, only the deployment's names replaced:
address, data directory, public URL), the teacher's and the access code blocks run as the docs
show them with the hub's tokens in the environment a kernel has, and a class runs on it."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hubserver import REPO, Hub, free_port, request
from playwright.sync_api import expect

from conftest import login

DOCS = REPO / "docs" / "hub.md"
TEACHER = "ms-rivera"  # the docs' teacher


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text, in order."""
    return [m.group(1) for m in re.finditer(r"```python\n(.*?)```", text, re.S)]


def block(containing: str) -> str:
    found = [b for b in python_blocks(DOCS.read_text()) if containing in b]
    assert len(found) == 1, f"docs/hub.md has {len(found)} python blocks with {containing!r}"
    return found[0]


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    tmp = Path(tempfile.mkdtemp(prefix="tw-hub-docs-"))
    port = free_port()
    running = Hub(tmp, users=(TEACHER, "student1", "student2"), service_port=port)
    config = block('"name": "threadwidget",')  # the set-up block (not the two-process one)
    for docs_value, ours in (
        ("http://127.0.0.1:10101", f"http://127.0.0.1:{port}"),
        ("/srv/threadwidget", str(tmp / "service")),
        ("https://hub.example.org/", running.public),
    ):
        assert docs_value in config, docs_value
        config = config.replace(docs_value, ours)
    running.admin_config = config
    try:
        running.start()
        running.api("POST", "groups/cs101", {"users": ["student1"]})
        yield running
    finally:
        running.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def until(check: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def body(widget: Any, comment_id: str) -> str | None:
    """A comment's text as ``widget`` holds it (None: not there yet)."""
    comment = widget.engine.state.comments.get(comment_id)
    return None if comment is None else str(comment.body)


def as_kernel_of(monkeypatch: pytest.MonkeyPatch, hub: Hub, user: str) -> None:
    """The environment the hub gives a kernel of ``user`` (docs: c.Spawner.environment)."""
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub.user_token(user))
    monkeypatch.setenv("JUPYTERHUB_USER", user)
    monkeypatch.setenv("THREADWIDGET_SERVICE_URL", f"{hub.public}services/threadwidget/")


def test_the_docs_class(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, playwright_instance: object
) -> None:
    from threadwidget import ThreadWidget

    # the teacher's block, then the access block, as written
    as_kernel_of(monkeypatch, hub, TEACHER)
    scope: dict[str, Any] = {}
    exec(block('ThreadWidget.connect("week1"'), scope)
    exec(block("readers="), scope)
    teacher = scope["w"]
    assert teacher.engine.storage.role == "moderator"
    # every student opens it with ThreadWidget.connect("week1")
    students = {}
    for user in ("student1", "student2"):
        as_kernel_of(monkeypatch, hub, user)
        students[user] = ThreadWidget.connect("week1")
    try:
        s1, s2 = students["student1"], students["student2"]
        question = s1.add_comment("Who is on a power trip here?")
        reply = s2.add_comment("LEAKED-PHONE 555-0199", parent_id=question.id)
        assert reply.author == "student2"
        until(lambda: body(s1, reply.id) == "LEAKED-PHONE 555-0199", "student1 sees it")
        until(lambda: reply.id in teacher.engine.state.comments, "the teacher sees it")
        teacher.hide(reply.id, "TEACHER-NOTE doxxing")
        until(lambda: body(s1, reply.id) == "", "the hide reaches student1")
        assert "TEACHER-NOTE" not in str(s1.thread) and "LEAKED-PHONE" not in str(s1.thread)
        # the page of the docs' URL, as student1
        context, page = login(playwright_instance, hub, "student1")
        try:
            page.goto(f"{hub.public}services/threadwidget/threads/week1")  # type: ignore[attr-defined]
            item = page.locator(f'[data-comment-id="{question.id}"]')  # type: ignore[attr-defined]
            expect(item.first).to_be_visible(timeout=20000)
            assert "LEAKED-PHONE" not in page.content()  # type: ignore[attr-defined]
        finally:
            context.close()  # type: ignore[attr-defined]
        # the access block: staff only, and a course thread student2 is not in
        for user, visible in (("student1", {"week1", "cs101-week1"}), ("student2", {"week1"})):
            threads = request(f"{hub.service_url}api/threads", token=hub.user_token(user))[1]
            assert set(threads["threads"]) == visible, (user, threads)
        # the service's data is where the docs say
        assert (Path(hub.tmp) / "service" / "threads.db").exists()
    finally:
        for widget in students.values():
            widget.close()
        for value in scope.values():
            if isinstance(value, ThreadWidget):
                value.close()
