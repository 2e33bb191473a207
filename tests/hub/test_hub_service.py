"""The threadwidget service in a real JupyterHub: identity from the hub, one authority, live
kernels and pages (issue #14). One hub for the module; the tests run in order and build on
each other's thread (``week1``)."""

from __future__ import annotations

import os
import signal
import time

import pytest
from hubserver import STUDENTS, TEACHER, Hub, request
from kernels import Kernel, KernelError
from playwright.sync_api import expect

from conftest import login

ITEM = '[role="treeitem"][data-comment-id]'


def item(page: object, cid: str) -> object:
    return page.locator(f'{ITEM}[data-comment-id="{cid}"]')  # type: ignore[attr-defined]


def head(hub: Hub) -> int:
    status, data = request(f"{hub.service_url}api/threads/week1", token=hub.user_token(TEACHER))
    assert status == 200, data
    return int(data["seq"])


def test_web_page_refuses_anonymous_visitors(hub: Hub, playwright_instance: object) -> None:
    status, data = request(f"{hub.service_url}api/threads/week1")
    assert status == 401 and "Log in to JupyterHub first" in data["reason"]
    context, page = login(playwright_instance, hub, None)
    try:
        page.goto(f"{hub.service_url}threads/week1")
        expect(page.locator("#username_input")).to_be_visible()  # the hub's login form
        assert "/hub/login" in page.url
        expect(page.locator(ITEM)).to_have_count(0)
    finally:
        context.close()


def test_reply_reaches_other_kernel_and_page_live(
    hub: Hub, kernels: dict[str, Kernel], pages: dict[str, object]
) -> None:
    s1, s2 = kernels["student1"], kernels["student2"]
    s1.run(
        'eng.submit(ops.AddComment(id="q1", body="Who is on a power trip?"),'
        ' ops.Context(actor="student1"))'
    )
    s2.wait("'q1' in seen")
    s2.run(
        'ev = eng.submit(ops.AddComment(id="r1", parent_id="q1", body="Not me!"),'
        ' ops.Context(actor="student2"))'
    )
    assert s1.wait("seen.get('r1')") == ["student2", "Not me!"]
    page = pages["student1"]
    expect(item(page, "r1")).to_be_visible(timeout=10000)
    expect(item(page, "r1").locator('[data-role="body"]').first).to_have_text("Not me!")
    # the page writes too: its reply reaches both kernels, authored by the page's hub user
    page.locator('[data-role="new-comment"] textarea').fill("Typed in the web page")
    page.locator('[data-role="new-comment"] button[data-action="submit"]').click()
    found = s2.wait("[v for v in seen.values() if v[1] == 'Typed in the web page']")
    assert found == [["student1", "Typed in the web page"]]
    expect(page.locator(f'{ITEM}[data-pending="true"]')).to_have_count(0)


def test_claimed_name_is_ignored_and_cannot_moderate(hub: Hub, kernels: dict[str, Kernel]) -> None:
    s1 = kernels["student1"]
    # the kernel claims to be the teacher, a moderator, trusted Python code: none of it counts
    fake = "ops.Context(actor='teacher', role='moderator', trusted=True)"
    actor = s1.value(
        f"eng.submit(ops.AddComment(id='fake', body='I am the teacher'), {fake}).actor"
    )
    assert actor == "student1"
    before = head(hub)
    with pytest.raises(KernelError, match="Only moderators can do this"):
        s1.run(f"eng.submit(ops.Moderate(id='r1', action='hide'), {fake})")
    with pytest.raises(KernelError, match="Only the author can change this comment"):
        s1.run(f"eng.submit(ops.EditComment(id='r1', body='edited by someone else'), {fake})")
    assert head(hub) == before
    # a kernel whose JUPYTERHUB_USER says teacher, with student1's token: refused by name
    with pytest.raises(KernelError, match="This token belongs to student1, not to teacher"):
        s1.run("ServiceStorage('week1', claimed_user='teacher').load()")
    # the widget, once it runs on the engine: w.user = "teacher" changes nothing on the service
    widget = s1.run(
        "from threadwidget import ThreadWidget\n"
        "try:\n"
        "    w = ThreadWidget.connect('week1')\n"
        "except Exception as error:\n"
        "    print('no-widget', type(error).__name__, error)\n"
        "else:\n"
        "    w.user = 'teacher'\n"
        "    print(w.add_comment('From the widget').author)\n"
    ).strip()
    if not widget.startswith("no-widget"):
        assert widget.splitlines()[-1] == "student1"


def test_forged_expired_or_other_users_token_is_refused(
    hub: Hub, kernels: dict[str, Kernel]
) -> None:
    url = f"{hub.service_url}api/threads/week1/ops"
    op = {"op": {"type": "add", "body": "sneaky"}}
    before = head(hub)
    status, data = request(url, "POST", op, token="0123456789abcdef0123456789abcdef")
    assert status == 401 and "forged, expired or revoked" in data["reason"], data
    expired = hub.user_token("student1", expires_in=1)
    time.sleep(2.5)
    status, data = request(url, "POST", op, token=expired)
    assert status == 401 and "forged, expired or revoked" in data["reason"], data
    # student2's token used by a client that says it is student1
    import urllib.request

    req = urllib.request.Request(
        url, data=b'{"op": {"type": "add", "body": "sneaky"}}', method="POST"
    )
    req.add_header("Authorization", f"token {hub.user_token('student2')}")
    req.add_header("X-Threadwidget-User", "student1")
    req.add_header("Content-Type", "application/json")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 403
    assert b"This token belongs to student2, not to student1" in refused.value.read()
    # a student may not moderate, change roles or create threads over HTTP either
    student = hub.user_token("student2")
    status, data = request(
        url, "POST", {"op": {"type": "moderate", "id": "q1", "action": "hide"}}, token=student
    )
    assert status == 409 and data == {"reason": "Only moderators can do this.", "field": "type"}
    status, data = request(
        f"{hub.service_url}api/threads/week1/roles",
        "PUT",
        {"user": "student2", "role": "moderator"},
        token=student,
    )
    assert status == 403 and "Only moderators can change roles" in data["reason"]
    status, data = request(f"{hub.service_url}api/threads", "POST", {"id": "mine"}, token=student)
    assert status == 403 and "'teachers' group" in data["reason"]
    assert head(hub) == before


def test_teacher_hides_a_comment(
    hub: Hub, kernels: dict[str, Kernel], pages: dict[str, object]
) -> None:
    teacher, s2 = kernels[TEACHER], kernels["student2"]
    student_page, teacher_page = pages["student1"], pages[TEACHER]
    expect(item(student_page, "fake")).to_be_visible()
    teacher.run(
        "eng.submit(ops.Moderate(id='fake', action='hide', reason='pretending'),"
        " ops.Context(actor='teacher'))"
    )
    expect(item(student_page, "fake")).to_have_count(0)
    card = item(teacher_page, "fake").locator(":scope > .tw-card")
    expect(card).to_have_class("tw-card tw-moderated")
    expect(item(teacher_page, "fake").locator('[data-role="mod-status"]')).to_contain_text(
        "by teacher · pretending"
    )
    assert s2.wait("eng.get('fake').status") == "hidden"
    # per-thread roles from Python: the teacher makes student2 a reader, then back
    teacher.run("storage.set_role('student2', 'reader')")
    with pytest.raises(KernelError, match="Readers cannot change this discussion"):
        s2.run("eng.submit(ops.Like(id='q1'), ops.Context(actor='student2'))")
    teacher.run("storage.set_role('student2', None)")
    s2.run("eng.submit(ops.Like(id='q1'), ops.Context(actor='student2'))")


def test_service_killed_and_restarted(
    hub: Hub, kernels: dict[str, Kernel], pages: dict[str, object]
) -> None:
    s1, s2 = kernels["student1"], kernels["student2"]
    acknowledged = set(s1.value("sorted(eng.state.comments)"))
    seq = head(hub)
    os.kill(hub.service_pid(), signal.SIGKILL)
    page = pages["student1"]
    expect(page.locator('[data-role="page-status"]')).to_have_attribute(
        "data-state", "reconnecting", timeout=20000
    )
    with pytest.raises(KernelError, match=r"Could not reach the threadwidget service|answered 50"):
        s2.run("eng.submit(ops.AddComment(body='while down'), ops.Context(actor='student2'))")
    # the hub restarts its service (it polls every 30 s)
    hub.wait_for(hub.service_up, 60, "the hub to restart the service")
    assert head(hub) == seq  # nothing acknowledged lost, nothing half-done stored
    s2.run(
        "eng.submit(ops.AddComment(id='back', body='We are back'), ops.Context(actor='student2'))"
    )
    assert s1.wait("seen.get('back')", timeout=30) == ["student2", "We are back"]
    expect(item(page, "back")).to_be_visible(timeout=20000)
    expect(page.locator('[data-role="page-status"]')).to_have_attribute("data-state", "live")
    expect(item(pages[TEACHER], "back")).to_be_visible(timeout=20000)
    assert acknowledged <= set(s1.value("sorted(eng.state.comments)"))
    for user in STUDENTS:
        assert kernels[user].value("eng.seq") == head(hub)
