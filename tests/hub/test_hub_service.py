"""The threadwidget service in a real JupyterHub: identity from the hub, one authority, live
kernels and pages (issue #14). One hub for the module; the tests run in order and build on
each other's thread (``week1``)."""

from __future__ import annotations

import json
import os
import re
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
        ' Context(actor="student1"))'
    )
    s2.wait("'q1' in seen")
    s2.run(
        'ev = eng.submit(ops.AddComment(id="r1", parent_id="q1", body="Not me!"),'
        ' Context(actor="student2"))'
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
    fake = "Context(actor='teacher', role='moderator', trusted=True)"
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
        " Context(actor='teacher'))"
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
        s2.run("eng.submit(ops.Like(id='q1'), Context(actor='student2'))")
    teacher.run("storage.set_role('student2', None)")
    s2.run("eng.submit(ops.Like(id='q1'), Context(actor='student2'))")


def test_service_killed_and_restarted(
    hub: Hub, kernels: dict[str, Kernel], pages: dict[str, object]
) -> None:
    s1, s2 = kernels["student1"], kernels["student2"]
    acknowledged = set(s1.value("sorted(eng.state.comments)"))
    seq = head(hub)
    os.kill(hub.service_pid(), signal.SIGKILL)
    page = pages["student1"]
    try:  # at once, while the service is down: a clear refusal
        s2.run("eng.submit(ops.AddComment(body='while down'), Context(actor='student2'))")
    except KernelError as error:
        refusal = str(error)
        stored = 0
    else:  # the hub's 30 s check happened to restart it in between: then it is stored once
        assert hub.service_up()
        stored = 1
    if not stored:
        assert re.search(r"Could not reach the threadwidget service|answered 50", refusal)
        expect(page.locator('[data-role="page-status"]')).to_have_attribute(
            "data-state", "reconnecting", timeout=20000
        )
    # the hub restarts its service (it polls every 30 s)
    hub.wait_for(hub.service_up, 60, "the hub to restart the service")
    assert head(hub) == seq + stored  # nothing acknowledged lost, nothing half-done stored
    s2.run("eng.submit(ops.AddComment(id='back', body='We are back'), Context(actor='student2'))")
    assert s1.wait("seen.get('back')", timeout=30) == ["student2", "We are back"]
    expect(item(page, "back")).to_be_visible(timeout=20000)
    expect(page.locator('[data-role="page-status"]')).to_have_attribute("data-state", "live")
    expect(item(pages[TEACHER], "back")).to_be_visible(timeout=20000)
    assert acknowledged <= set(s1.value("sorted(eng.state.comments)"))
    for user in STUDENTS:
        assert kernels[user].value("eng.seq") == head(hub)


def test_connect_in_a_students_kernel_posts_as_them_and_cannot_hide(
    hub: Hub, kernels: dict[str, Kernel]
) -> None:
    """``ThreadWidget.connect("week1")`` finds the service from the environment the hub gave the
    kernel; ``w.user = "teacher"`` changes nothing the service decides."""
    out = kernels["student1"].run(
        "from threadwidget import ThreadWidget\n"
        "from threadwidget.storage.service_client import ServiceStorage as _SS\n"
        "w = ThreadWidget.connect('week1')\n"
        "print('connected', type(w.engine.storage).__name__, w.engine.storage.user, w.user)\n"
        "w.user = 'teacher'\n"
        "mine = w.add_comment('Signed: the teacher (really)')\n"
        "print('author', mine.author, mine.id)\n"
        "try:\n"
        "    w.hide(mine.id, 'I can moderate now')\n"
        "except Exception as error:\n"
        "    print('refused', type(error).__name__, error)\n"
        "else:\n"
        "    print('hidden', w.get(mine.id).status)\n"
        "print('seq', w.seq)\n"
    )
    lines = out.strip().splitlines()
    assert lines[0] == "connected ServiceStorage student1 student1", out
    author, cid = lines[1].split()[1:]
    assert author == "student1", out
    assert lines[2] == "refused OperationRejected Only moderators can do this.", out
    assert int(lines[3].split()[1]) == head(hub), out
    status, data = request(f"{hub.service_url}api/threads/week1", token=hub.user_token(TEACHER))
    assert status == 200, data
    stored = {c["id"]: c for c in data["thread"]["comments"]}[cid]
    assert (stored["author"], stored["status"]) == ("student1", "visible")


def test_open_storage_takes_the_services_url(hub: Hub, kernels: dict[str, Kernel]) -> None:
    """An ``http(s)://`` target is the service itself: ``ServiceStorage(thread_id, url)``."""
    out = kernels["student2"].run(
        "import os\n"
        "from threadwidget import ThreadWidget\n"
        "from threadwidget.storage.open import open_storage\n"
        "url = os.environ['THREADWIDGET_SERVICE_URL'].rstrip('/')\n"
        "st = open_storage(url, 'week1')\n"
        "state, seq = st.load()\n"
        "print(type(st).__name__, st.url == url + '/', st.thread_id, st.user, st.role, seq)\n"
        "st.close()\n"
        "w2 = ThreadWidget.connect(url + '/', 'week1')\n"
        "print(type(w2.engine.storage).__name__, w2.seq)\n"
        "w2.close()\n"
    )
    seq = head(hub)
    assert out.strip().splitlines() == [
        f"ServiceStorage True week1 student2 participant {seq}",
        f"ServiceStorage {seq}",
    ]


def test_open_storage_url_without_a_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadwidget.storage.open import open_storage
    from threadwidget.storage.service_client import ServiceStorage

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "not-checked-until-a-request")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    for url in ("https://hub.example.org/services/threadwidget", "http://127.0.0.1:9/x/"):
        storage = open_storage(url, "week1")
        try:
            assert isinstance(storage, ServiceStorage)
            assert storage.url == url.rstrip("/") + "/" and storage.thread_id == "week1"
        finally:
            storage.close()
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN")
    monkeypatch.delenv("JPY_API_TOKEN", raising=False)
    with pytest.raises(ValueError, match="no JupyterHub token"):
        open_storage("https://hub.example.org/services/threadwidget/", "week1")
    with pytest.raises(ValueError, match="write a path to an SQLite file"):
        open_storage("ftp://hub.example.org/x", "week1")


SECRET = "My phone number is 555-0199"
NOTE = "MODNOTE-doxxing"
REPORT = "REPORT-by-student1"
#: the page's own state (what devtools show): the model, its log and waiting events
PAGE_STATE = (
    "JSON.stringify({attrs: window.threadwidgetPage.attrs, log: window.threadwidgetPage.log,"
    " pending: [...window.threadwidgetPage.pending.values()]})"
)


def sse(hub: Hub, token: str, until: int, since: int = 0, wire: bool = False) -> str:
    """The raw push channel of ``token``'s user from ``since`` until event ``until`` arrived."""
    import urllib.request

    url = f"{hub.service_url}api/threads/week1/stream?since={since}" + ("&wire=1" if wire else "")
    req = urllib.request.Request(url)
    req.add_header("Authorization", f"token {token}")
    lines = []
    with urllib.request.urlopen(req, timeout=20) as response:
        for raw in response:
            line = raw.decode()
            lines.append(line)
            if line.strip() == f"id: {until}":
                break
    return "".join(lines)


def everything_served_to(hub: Hub, token: str) -> str:
    """Every answer of the API for ``token``'s user, as text: thread, page, events (plain and
    wire), history, every replay moment and the push channel from the start."""
    base = f"{hub.service_url}api/threads/week1"
    texts = []
    seq = head(hub)
    for path in ("", "/page", "/events?since=0", "/events?since=0&wire=1", "/history", "/timeline"):
        status, data = request(base + path, token=token)
        assert status == 200, (path, data)
        texts.append(json.dumps(data))
    moments = request(base + "/timeline", token=token)[1]["moments"]
    for index in range(len(moments)):
        status, data = request(f"{base}/replay?index={index}", token=token)
        assert status == 200, data
        texts.append(json.dumps(data))
    texts.append(sse(hub, token, seq))
    texts.append(sse(hub, token, seq, wire=True))
    return "\n".join(texts)


KERNEL_TRACES = (
    "_j.dumps([w.thread.model_dump(mode='json'), w._snapshot, eng.thread.model_dump(mode='json'),"
    " [e.model_dump(mode='json') for e in storage._known.values()],"
    " [e.model_dump(mode='json') for e in w.engine.storage._known.values()],"
    " [e.model_dump(mode='json') for e in w.events]])"
)


LATE_TRACES = (
    "_j.dumps([w.thread.model_dump(mode='json'), w._snapshot,"
    " [e.model_dump(mode='json') for e in w.engine.storage._known.values()],"
    " [e.model_dump(mode='json') for e in w.events]])"
)


def test_hidden_text_never_reaches_students(
    hub: Hub, kernels: dict[str, Kernel], pages: dict[str, object], playwright_instance: object
) -> None:
    """The teacher hides a comment: no student's kernel, page or HTTP answer holds its text,
    author, the reports on it (but one's own) or the teacher's note; a student who connects
    afterwards gets none of it either; unhidden, it comes back everywhere."""
    teacher, s1, s2 = kernels[TEACHER], kernels["student1"], kernels["student2"]
    page = pages["student1"]
    # student2 posts, student1 reports it; both kernels hold a widget on the service
    s2.run(
        "from threadwidget import ThreadWidget\n"
        "w = ThreadWidget.connect('week1')\n"
        f"eng.submit(ops.AddComment(id='doxx', body={SECRET!r}), Context(actor='student2'))"
    )
    s1.run(f"eng.submit(ops.FlagComment(id='doxx', reason={REPORT!r}), Context(actor='student1'))")
    expect(item(page, "doxx").locator('[data-role="body"]').first).to_have_text(SECRET)
    assert s1.wait("w.get('doxx').body") == SECRET
    s2.wait(f"w.seq == {head(hub)} and eng.seq == {head(hub)}")
    assert REPORT not in s2.value(KERNEL_TRACES)  # another's report never reaches student2
    teacher.run(
        f"eng.submit(ops.Moderate(id='doxx', action='hide', reason={NOTE!r}),"
        " Context(actor='teacher'))"
    )
    seq = head(hub)
    for kernel in (s1, s2):
        kernel.wait(f"w.seq == {seq} and eng.seq == {seq}")
        assert kernel.value("[w.get('doxx').status, w.get('doxx').author, w.get('doxx').body]") == [
            "hidden",
            "[moderated]",
            "",
        ]
        traces = kernel.value(KERNEL_TRACES)
        assert SECRET not in traces and NOTE not in traces
        assert (REPORT in traces) == (kernel is s1)  # one's own report stays
    expect(item(page, "doxx")).to_have_count(0)
    for text in (page.content(), page.evaluate(PAGE_STATE)):  # type: ignore[attr-defined]
        assert SECRET not in text and NOTE not in text
    for user in STUDENTS:
        served = everything_served_to(hub, hub.user_token(user))
        assert SECRET not in served and NOTE not in served, user
        assert (REPORT in served) == (user == "student1"), user
    # moderators keep everything
    served = everything_served_to(hub, hub.user_token(TEACHER))
    assert SECRET in served and NOTE in served and REPORT in served
    teacher_card = item(pages[TEACHER], "doxx").locator(":scope > .tw-card")
    expect(teacher_card).to_have_class("tw-card tw-moderated")
    # connecting after the hide: a new kernel of student2 (widget) and a new page of student2
    late = Kernel(hub, "student2", hub.user_token("student2"))
    context, late_page = login(playwright_instance, hub, "student2")
    try:
        late.run("from threadwidget import ThreadWidget\nw = ThreadWidget.connect('week1')")
        late_traces = late.value(LATE_TRACES)
        assert SECRET not in late_traces and NOTE not in late_traces and REPORT not in late_traces
        assert late.value("w.get('doxx').author") == "[moderated]"
        late_page.goto(f"{hub.service_url}threads/week1")  # type: ignore[attr-defined]
        status_el = late_page.locator('[data-role="page-status"]')  # type: ignore[attr-defined]
        expect(status_el).to_have_attribute("data-state", "live")
        expect(item(late_page, "q1")).to_be_visible()
        for text in (late_page.content(), late_page.evaluate(PAGE_STATE)):  # type: ignore[attr-defined]
            assert SECRET not in text and NOTE not in text and REPORT not in text
        # the teacher unhides it: every student sees it again, live
        teacher.run(
            "eng.submit(ops.Moderate(id='doxx', action='unhide'), Context(actor='teacher'))"
        )
        for shown in (page, late_page):
            expect(item(shown, "doxx").locator('[data-role="body"]').first).to_have_text(SECRET)
        seq = head(hub)
        for kernel in (s1, s2, late):
            kernel.wait(f"w.seq == {seq}")
            assert kernel.value(
                "[w.get('doxx').status, w.get('doxx').author, w.get('doxx').body]"
            ) == [
                "visible",
                "student2",
                SECRET,
            ]
        # every student's engine is exactly the service's view for them, at the same seq
        for kernel, user in ((s1, "student1"), (s2, "student2"), (late, "student2")):
            status, data = request(
                f"{hub.service_url}api/threads/week1", token=hub.user_token(user)
            )
            assert status == 200, data
            assert data["seq"] == kernel.value("w.seq") == kernel.value("w.engine.seq")
            mine = kernel.value("w.thread.model_dump(mode='json')")
            assert mine == data["thread"], user
        assert s1.value("eng.thread.model_dump(mode='json')") == s1.value(
            "w.thread.model_dump(mode='json')"
        )
        # and the page's next event still applies in order (no gap, nothing twice)
        s2.run(
            "eng.submit(ops.AddComment(id='after-unhide', body='Sorry!'),"
            " Context(actor='student2'))"
        )
        expect(item(page, "after-unhide")).to_be_visible(timeout=10000)
        expect(item(late_page, "after-unhide")).to_be_visible(timeout=10000)
        expect(item(page, "doxx")).to_have_count(1)
    finally:
        context.close()  # type: ignore[attr-defined]
        late.close()
