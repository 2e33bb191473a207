"""Threads only for those invited (issue #25 item 5), in a real JupyterHub: the teacher names
a thread's readers and writers (hub users, ``group:NAME``) from Python
(``ThreadWidget.connect(..., readers=..., writers=...)``, ``storage.set_access``) and from the
page; everyone else cannot list, read, stream, open or write it, and loses an open stream
when taken off the readers (here or in the hub's groups)."""

from __future__ import annotations

import shutil
import tempfile
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
from hubserver import TEACHER, Hub, request
from playwright.sync_api import expect
from sse import Stream

from conftest import login

CACHE = 3.0


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    tmp = Path(tempfile.mkdtemp(prefix="tw-hub-access-"))
    running = Hub(tmp, service_env={"THREADWIDGET_AUTH_CACHE_SECONDS": str(CACHE)})
    try:
        running.start()
        running.api("POST", "groups/staff", {"users": [TEACHER]})
        running.api("POST", "groups/cs101", {"users": ["student1"]})
        yield running
    finally:
        running.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def teacher_connects(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, thread_id: str, **access: object
) -> object:
    """``ThreadWidget.connect`` as the teacher's kernel would call it (their hub token)."""
    from threadwidget import Post, Thread, ThreadWidget

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub.user_token(TEACHER))
    monkeypatch.setenv("JUPYTERHUB_USER", TEACHER)
    thread = Thread(post=Post(title=f"{thread_id} only", author=TEACHER))
    return ThreadWidget.connect(hub.service_url, thread_id, thread=thread, **access)


def can_read(hub: Hub, user: str, thread_id: str) -> bool:
    token = hub.user_token(user)
    listed = thread_id in request(f"{hub.service_url}api/threads", token=token)[1]["threads"]
    status, _ = request(f"{hub.service_url}api/threads/{thread_id}", token=token)
    paths = ["/events?since=0", "/history", "/page", "/timeline", "/access", "/roles"]
    statuses = {
        request(f"{hub.service_url}api/threads/{thread_id}{p}", token=token)[0] for p in paths
    }
    if status == 200:
        assert listed and 404 not in statuses, (user, thread_id, statuses)
        return True
    assert status == 404 and not listed and statuses == {404}, (user, thread_id, statuses)
    status, _ = request(  # nor write
        f"{hub.service_url}api/threads/{thread_id}/ops",
        "POST",
        {"op": {"type": "add", "body": "let me in"}},
        token=token,
    )
    assert status == 404
    with pytest.raises(urllib.error.HTTPError) as refused:  # nor stream
        Stream(hub, token, 0, thread=thread_id)
    refused.value.close()
    assert refused.value.code == 404
    return False


def post(hub: Hub, user: str, thread_id: str, body: str) -> int:
    status, _ = request(
        f"{hub.service_url}api/threads/{thread_id}/ops",
        "POST",
        {"op": {"type": "add", "body": body}},
        token=hub.user_token(user),
    )
    return status


def test_default_is_every_hub_user(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    w = teacher_connects(hub, monkeypatch, "open")
    try:
        assert w.engine.storage.access() == {"readers": None, "writers": None}  # type: ignore[attr-defined]
        for user in ("student1", "student2"):
            assert can_read(hub, user, "open")
            assert post(hub, user, "open", f"hello from {user}") == 200
    finally:
        w.close()  # type: ignore[attr-defined]


def test_staff_only_and_course_threads_from_python(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = teacher_connects(hub, monkeypatch, "staffroom", readers=["group:staff"])
    course = teacher_connects(
        hub, monkeypatch, "cs101", readers=["group:cs101", "student2"], writers=["group:cs101"]
    )
    try:
        assert staff.engine.storage.access() == {"readers": ["group:staff"], "writers": None}  # type: ignore[attr-defined]
        for user in ("student1", "student2"):
            assert not can_read(hub, user, "staffroom")
        assert can_read(hub, TEACHER, "staffroom")  # hub moderators always
        assert can_read(hub, "student1", "cs101") and can_read(hub, "student2", "cs101")
        assert post(hub, "student1", "cs101", "a member writes") == 200
        status, data = request(  # student2 reads but does not write
            f"{hub.service_url}api/threads/cs101/ops",
            "POST",
            {"op": {"type": "add", "body": "a guest writes"}},
            token=hub.user_token("student2"),
        )
        assert status == 409 and "Readers cannot" in data["reason"], data
        # the index page lists only what each may read
        token = hub.user_token("student2")
        status, page = request(hub.service_url, token=token)
        assert status == 200 and "cs101" in page and "staffroom" not in page
        # a student cannot change access; bad names are refused naming the field
        status, data = request(
            f"{hub.service_url}api/threads/cs101/access", "PUT", {"readers": None}, token=token
        )
        assert status == 403, data
        status, data = request(
            f"{hub.service_url}api/threads/cs101/access",
            "PUT",
            {"readers": ["no spaces allowed"]},
            token=hub.user_token(TEACHER),
        )
        assert status == 400 and data["field"] == "readers", data
        # from a direct store, readers/writers are refused (it cannot keep anyone out)
        from threadwidget import ThreadWidget

        with pytest.raises(ValueError, match="only the hub's threadwidget service"):
            ThreadWidget.connect(str(Path(tempfile.mkdtemp()) / "x.db"), "t", readers=["a"])
    finally:
        staff.close()  # type: ignore[attr-defined]
        course.close()  # type: ignore[attr-defined]


def test_taken_off_the_readers_an_open_stream_ends(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = teacher_connects(hub, monkeypatch, "club", readers=["group:cs101"])
    try:
        token = hub.user_token("student1")
        stream = Stream(hub, token, 0, thread="club")
        stream.wait_for("event: hello")
        # the hub's group changes: noticed within the auth cache interval
        hub.api("DELETE", "groups/cs101/users", {"users": ["student1"]})
        text = stream.wait_for("event: denied", timeout=CACHE * 2 + 10)
        assert "no longer read" in text and stream.ended.wait(10)
        w.add_comment("after student1 left")  # type: ignore[attr-defined]
        time.sleep(1)
        assert "after student1 left" not in stream.text
        assert not can_read(hub, "student1", "club")
        stream.close()
    finally:
        hub.api("POST", "groups/cs101/users", {"users": ["student1"]})
        w.close()  # type: ignore[attr-defined]


def test_teacher_sets_access_from_the_page(hub: Hub, playwright_instance: object) -> None:
    status, data = request(
        f"{hub.service_url}api/threads",
        "POST",
        {"id": "paged", "thread": {"post": {"title": "Set from the page", "author": TEACHER}}},
        token=hub.user_token(TEACHER),
    )
    assert status == 201, data
    student_ctx, student_page = login(playwright_instance, hub, "student2")
    context, page = login(playwright_instance, hub, TEACHER)
    try:
        student_page.goto(f"{hub.service_url}threads/paged")  # type: ignore[attr-defined]
        student_status = student_page.locator('[data-role="page-status"]')  # type: ignore[attr-defined]
        expect(student_status).to_have_attribute("data-state", "live")
        expect(student_page.locator('[data-role="page-access"]')).to_have_count(0)  # type: ignore[attr-defined]
        page.goto(f"{hub.service_url}threads/paged")  # type: ignore[attr-defined]
        form = page.locator('[data-role="page-access"]')  # type: ignore[attr-defined]
        expect(form.locator('input[name="readers"]')).to_have_attribute(
            "placeholder", "every hub user"
        )
        form.locator('input[name="readers"]').fill("group:staff, student1 bad")
        form.locator('button[type="submit"]').click()
        note = form.locator('[data-role="page-access-note"]')
        expect(note).to_have_attribute("data-state", "error")
        expect(note).to_contain_text("readers")
        expect(form.locator('input[name="readers"]')).to_have_value("group:staff, student1 bad")
        form.locator('input[name="readers"]').fill("group:staff, student1")
        form.locator('button[type="submit"]').click()
        expect(note).to_have_attribute("data-state", "saved")
        # student2's open page is told at once, and the thread leaves it
        expect(student_status).to_have_attribute("data-state", "denied", timeout=15000)
        expect(student_page.locator('[role="treeitem"]')).to_have_count(0)  # type: ignore[attr-defined]
        assert not can_read(hub, "student2", "paged") and can_read(hub, "student1", "paged")
        page.screenshot(path=str(Path(tempfile.gettempdir()) / "tw-hub-access-page.png"))  # type: ignore[attr-defined]
        # the logged-in browser without the service's xsrf token: told so, not "log in"
        answer = page.request.post(  # type: ignore[attr-defined]
            f"{hub.service_url}api/threads/paged/ops",
            data={"op": {"type": "add", "body": "no xsrf"}},
        )
        assert answer.status == 403 and "xsrf token" in answer.json()["reason"], answer.text()
    finally:
        context.close()  # type: ignore[attr-defined]
        student_ctx.close()  # type: ignore[attr-defined]
