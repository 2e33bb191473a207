"""An interface study on the hub (docs/studies.md): the teacher's variant plan reaches each
student's kernel as their own variant only; students' logs are kept under the name the hub
verified; only teachers read the log and the table."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hubserver import TEACHER, Hub, request
from playwright.sync_api import expect

from conftest import login
from threadwidget import Post, Thread, ThreadWidget
from threadwidget.core.study import VariantPlan

PLAN = {"A": {"sort": "newest"}, "B": {"density": "compact", "sort": "top"}}


def _connect(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, user: str, **settings: object
) -> ThreadWidget:
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub.user_token(user))
    monkeypatch.setenv("JUPYTERHUB_USER", user)
    thread = Thread(post=Post(title="Study", author=TEACHER))
    return ThreadWidget.connect(hub.service_url, "study", thread=thread, **settings)  # type: ignore[arg-type]


def _thread_with_plan(
    hub: Hub, token: str, thread_id: str, thread: dict[str, object], plan: dict[str, object]
) -> None:
    """A teacher creates a thread and sets its variant plan over the service's HTTP API."""
    status, data = request(
        f"{hub.service_url}api/threads", "POST", {"id": thread_id, "thread": thread}, token=token
    )
    assert status == 201, data
    plan = {"seed": 0, "table": {}, **plan}
    status, data = request(
        f"{hub.service_url}api/threads/{thread_id}/variants", "PUT", {"plan": plan}, token=token
    )
    assert status == 200, data


def test_variants_and_logs_on_the_hub_students_cannot_read_logs(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    teacher = _connect(hub, monkeypatch, TEACHER)
    opened = [teacher]
    try:
        c = teacher.add_comment("What do you think?")
        teacher.set_variants(PLAN, seed=11, table={"student2": "B"})
        plan = VariantPlan(PLAN, seed=11, table={"student2": "B"})
        s1 = _connect(hub, monkeypatch, "student1", log_interactions=True)
        opened.append(s1)
        assert s1.variant == plan.assign("student1")
        assert s1.sort == PLAN[s1.variant]["sort"]
        # the student's kernel learns its own variant only, not the table or the others'
        known = s1.engine.storage.variant_plan()
        assert known is not None and set(known.variants) == {s1.variant}
        assert set(known.table) == {"student1"}
        s2 = _connect(hub, monkeypatch, "student2", log_interactions=True)
        opened.append(s2)
        assert s2.variant == "B" and s2.options["density"] == "compact"
        # student1's page logs; a forging kernel names student2: the hub's name is kept
        now = int(time.time() * 1000)
        s1._on_custom_message(
            s1,
            {
                "kind": "interactions",
                "client": "v",
                "rows": [{"t": now, "k": "seen", "id": c.id, "ms": 800}],
            },
            [],
        )
        s1.engine.storage.add_interactions(
            "student2",
            [
                {
                    "at": datetime.now(timezone.utc).isoformat(),
                    "kind": "why",
                    "id": None,
                    "value": None,
                    "ms": None,
                }
            ],
        )
        # students read neither the log nor the table, through the widget or raw HTTP
        with pytest.raises(PermissionError):
            s1.interactions()
        with pytest.raises(PermissionError):
            s2.variants()
        token = hub.user_token("student2")
        status, answer = request(f"{hub.service_url}api/threads/study/interactions", token=token)
        assert status == 403, answer
        status, answer = request(
            f"{hub.service_url}api/threads/study/variants",
            "PUT",
            {"plan": {"variants": {"A": {}}, "seed": 0, "table": {"student2": "A"}}},
            token=token,
        )
        assert status == 403, answer
        # the teacher reads everything
        rows = teacher.interaction_rows()
        assert sorted((r["user"], r["kind"]) for r in rows) == [
            ("student1", "seen"),
            ("student1", "why"),
        ]
        frame = teacher.interactions()
        assert set(frame["variant"]) == {plan.assign("student1")}
        table = teacher.variants()
        by_user = dict(zip(table["user"], table["variant"], strict=True))
        assert by_user["student2"] == "B" and by_user["student1"] == plan.assign("student1")
        assert teacher.variant is None  # the teacher keeps their own view
    finally:
        for w in opened:
            w.close()


def test_the_hub_page_lays_a_thread_out_as_the_students_variant(
    hub: Hub, playwright_instance: object
) -> None:
    """student2's variant is the flat stream: their page shows every comment at level 1, a
    reply under its parent's quote; the teacher's page is the tree."""
    teacher = hub.user_token(TEACHER)
    thread = {
        "post": {"title": "Laid out", "author": TEACHER},
        "comments": [
            {"id": "c1", "author": "student1", "body": "First point."},
            {"id": "c2", "author": TEACHER, "body": "An answer.", "parent_id": "c1"},
        ],
    }
    _thread_with_plan(hub, teacher, "laid", thread, {"variants": {"F": {"layout": "flat"}}})
    for user, levels in (("student2", ["1", "1"]), (TEACHER, ["1", "2"])):
        context, page = login(playwright_instance, hub, user)
        try:
            page.goto(f"{hub.service_url}threads/laid")  # type: ignore[attr-defined]
            items = page.locator('[role="treeitem"][data-comment-id]')  # type: ignore[attr-defined]
            expect(items).to_have_count(2)
            assert [items.nth(i).get_attribute("aria-level") for i in range(2)] == levels
            quote = page.locator('[data-comment-id="c2"] [data-role="quote"]')  # type: ignore[attr-defined]
            expect(quote).to_have_count(1 if user == "student2" else 0)
            if user == "student2":
                expect(quote).to_contain_text("First point.")
                page.screenshot(path=str(Path(tempfile.gettempdir()) / "tw-hub-variant-flat.png"))  # type: ignore[attr-defined]
        finally:
            context.close()  # type: ignore[attr-defined]


def test_the_hub_page_draws_a_preset_variant_and_logs_what_the_student_did(
    hub: Hub, playwright_instance: object
) -> None:
    """A plan with the youtube preset and the log on: student1's page is two-level in the
    preset's look, says it logs, and what they read and opened reaches the teacher's log under
    the name the hub verified; the teacher's own page neither logs nor wears the preset."""
    teacher = hub.user_token(TEACHER)
    thread = {
        "post": {"title": "Preset and log", "author": TEACHER},
        "comments": [
            {"id": "p1", "author": "student2", "body": "A first point."},
            {"id": "p2", "author": TEACHER, "body": "An answer.", "parent_id": "p1"},
            {"id": "p3", "author": "student2", "body": "A reply to the answer.", "parent_id": "p2"},
        ],
    }
    plan = {"variants": {"Y": {"preset": "youtube"}}, "log_interactions": True}
    _thread_with_plan(hub, teacher, "looks", thread, plan)
    for user in ("student1", TEACHER):
        context, page = login(playwright_instance, hub, user)
        try:
            page.goto(f"{hub.service_url}threads/looks")  # type: ignore[attr-defined]
            items = page.locator('[role="treeitem"][data-comment-id]')  # type: ignore[attr-defined]
            expect(items).to_have_count(3)
            levels = [items.nth(i).get_attribute("aria-level") for i in range(3)]
            notice = page.locator('[data-role="interaction-notice"]')  # type: ignore[attr-defined]
            avatar = page.evaluate(  # type: ignore[attr-defined]
                "getComputedStyle(document.querySelector('.tw-root'))"
                ".getPropertyValue('--tw-avatar-size').trim()"
            )
            if user == TEACHER:
                assert levels == ["1", "2", "3"] and avatar != "40px"
                expect(notice).to_have_count(0)
                continue
            assert levels == ["1", "2", "2"]  # two levels, as YouTube
            assert avatar == "40px"  # the preset's CSS, scoped to this page's widget
            expect(notice).to_be_visible()
            page.screenshot(path=str(Path(tempfile.gettempdir()) / "tw-hub-preset-log.png"))  # type: ignore[attr-defined]
            page.wait_for_timeout(900)  # the replies stay on screen past the shortest "seen"
            page.locator('[data-role="why-toggle"]').first.click()  # type: ignore[attr-defined]
            # closing p1's replies ends their time on screen: two "seen" rows
            page.locator('[data-action="collapse"]').first.click()  # type: ignore[attr-defined]
            page.wait_for_timeout(2500)  # the page sends its log every 2 s
        finally:
            context.close()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    rows: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        status, data = request(f"{hub.service_url}api/threads/looks/interactions", token=teacher)
        assert status == 200, data
        rows = data["rows"]
        if {"seen", "why", "collapse"} <= {r["kind"] for r in rows}:
            break
        time.sleep(0.5)
    assert {r["user"] for r in rows} == {"student1"}, rows  # never the teacher's own page
    seen = {r["id"] for r in rows if r["kind"] == "seen"}
    assert seen and seen <= {"p1", "p2", "p3"}, rows
    assert {"why", "collapse"} <= {r["kind"] for r in rows}, rows
