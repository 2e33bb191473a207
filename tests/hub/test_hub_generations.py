"""A thread deleted and created again under the same id is a new generation (issue #25 item 6),
in a real JupyterHub: open push channels are told (``deleted``), a client that read the earlier
one is told (``recreated``) instead of silently skipping the new thread's first events, a kernel's
engine (the service client) re-reads and goes on, a page reloads, and an operation meant for the
earlier thread is refused."""

from __future__ import annotations

import time

from hubserver import TEACHER, Hub, request
from playwright.sync_api import expect
from sse import Stream

from conftest import login
from threadwidget.core import operations, rules
from threadwidget.core.engine import Engine
from threadwidget.storage.service_client import ServiceStorage

ITEM = '[role="treeitem"][data-comment-id]'


def create(hub: Hub, title: str, rows: list[dict[str, str]]) -> None:
    status, data = request(
        f"{hub.service_url}api/threads",
        "POST",
        {
            "id": "gen",
            "thread": {"post": {"title": title, "author": TEACHER}, "comments": rows},
        },
        token=hub.user_token(TEACHER),
    )
    assert status == 201, data


def add(hub: Hub, user: str, cid: str, body: str) -> int:
    status, data = request(
        f"{hub.service_url}api/threads/gen/ops",
        "POST",
        {"op": {"type": "add", "id": cid, "body": body}},
        token=hub.user_token(user),
    )
    assert status == 200, data
    return int(data["seq"])


def wait(check: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_a_recreated_thread_is_read_afresh(hub: Hub, playwright_instance: object) -> None:
    create(hub, "First generation", [])
    for n in range(4):
        old = add(hub, "student1", f"old{n}", f"OLD-{n}")
    # a kernel's engine on the service, a raw stream and a page, all on the first generation
    storage = ServiceStorage("gen", hub.service_url, token=hub.user_token("student2"))
    engine = Engine(storage=storage)
    context, page = login(playwright_instance, hub, "student2")
    stream = Stream(hub, hub.user_token("student1"), old, thread="gen")
    try:
        stream.wait_for("event: hello")
        page.goto(f"{hub.service_url}threads/gen")  # type: ignore[attr-defined]
        expect(page.locator(f'{ITEM}[data-comment-id="old3"]')).to_be_visible()  # type: ignore[attr-defined]
        first = request(f"{hub.service_url}api/threads/gen", token=hub.user_token("student2"))[1]
        wait(lambda: engine.seq == old, "the engine never caught up")
        status, _ = request(
            f"{hub.service_url}api/threads/gen", "DELETE", token=hub.user_token(TEACHER)
        )
        assert status == 200
        stream.wait_for("event: deleted")
        assert stream.ended.wait(10)
        # created again, with fewer events than the first had: seqs 1 and 2 again
        create(hub, "Second generation", [{"id": "new0", "author": TEACHER, "body": "NEW-0"}])
        add(hub, TEACHER, "new1", "NEW-1")
        seq = add(hub, TEACHER, "new2", "NEW-2")
        assert seq < old
        # a client that read the first generation is told, not fed from seq 4 on
        told = Stream(
            hub,
            hub.user_token("student1"),
            old,
            thread="gen",
            query=f"&generation={first['generation']}",
        )
        text = told.wait_for("event: recreated")
        assert "NEW-" not in text and told.ended.wait(10)
        told.close()
        status, data = request(  # an operation meant for the first generation: refused
            f"{hub.service_url}api/threads/gen/ops",
            "POST",
            {"op": {"type": "add", "body": "late"}, "generation": first["generation"]},
            token=hub.user_token("student1"),
        )
        assert status == 409 and data["field"] == "generation", data
        # the kernel's engine shows the new thread and nothing of the old
        wait(lambda: engine.post.title == "Second generation", "the engine kept the old thread")
        wait(lambda: "new2" in engine.state.comments, "the engine missed the new events")
        assert not [c for c in engine.state.comments if c.startswith("old")]
        # and goes on: its next operation is stored in the new thread
        engine.submit(
            operations.AddComment(id="after", body="AFTER"), rules.Context(actor="student2")
        )
        thread = request(f"{hub.service_url}api/threads/gen", token=hub.user_token(TEACHER))[1]
        assert {c["id"] for c in thread["thread"]["comments"]} == {"new0", "new1", "new2", "after"}
        # the page reloaded itself onto the new thread
        expect(page.locator(f'{ITEM}[data-comment-id="new2"]')).to_be_visible(timeout=20000)  # type: ignore[attr-defined]
        expect(page.locator(f'{ITEM}[data-comment-id="old3"]')).to_have_count(0)  # type: ignore[attr-defined]
    finally:
        stream.close()
        engine.close()
        storage.close()
        context.close()  # type: ignore[attr-defined]
