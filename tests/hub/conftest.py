"""One real JupyterHub per test module (with the threadwidget service, a teacher and two
students, their single-user servers and kernels), and logged-in Chromium pages.

Run with ``pytest -m hub tests/hub -x -q``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hubserver import PASSWORD, PROXY, STUDENTS, TEACHER, Hub
from kernels import Kernel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from chromium import CHROMIUM, launch

#: What every test kernel runs first: the engine on the service, as the widget will use it.
KERNEL_SETUP = """
from threadwidget.core import operations as ops
from threadwidget.core.rules import Context
from threadwidget.core.engine import Engine
from threadwidget.storage.service_client import ServiceStorage, from_environment
storage = from_environment("week1")
assert isinstance(storage, ServiceStorage), storage
eng = Engine(storage=storage)
seen = {}
eng.on_comment(lambda c: seen.__setitem__(c.id, [c.author, c.body]))
print(storage.user, storage.role)
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/hub/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.hub)
            item.add_marker(pytest.mark.timeout(240))


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    if not PROXY.exists():
        pytest.fail(
            f"{PROXY} is missing: run `npm ci` (configurable-http-proxy is a devDependency)"
        )
    tmp = Path(tempfile.mkdtemp(prefix="tw-hub-"))
    running = Hub(tmp)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def kernels(hub: Hub) -> Iterator[dict[str, Kernel]]:
    """A kernel in each user's own single-user server, on thread ``week1`` (created by the
    teacher with a post)."""
    users = (TEACHER, *STUDENTS)
    for user in users:
        hub.start_server(user)
    from hubserver import request

    status, answer = request(
        f"{hub.service_url}api/threads",
        "POST",
        {"id": "week1", "thread": {"post": {"title": "Week 1: power trips", "author": TEACHER}}},
        token=hub.user_token(TEACHER),
    )
    assert status == 201, answer
    started = {user: Kernel(hub, user, hub.user_token(user)) for user in users}
    for user, kernel in started.items():
        assert kernel.run(KERNEL_SETUP).split() == [
            user,
            "moderator" if user == TEACHER else "participant",
        ]
    yield started
    for kernel in started.values():
        kernel.close()


@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def login(playwright: object, hub: Hub, user: str | None) -> tuple[object, object]:
    """A fresh browser profile logged in to the hub as ``user`` (None: anonymous)."""
    profile = tempfile.mkdtemp(prefix="tw-hub-browser-")
    context = launch(playwright, profile, viewport={"width": 1000, "height": 900})
    page = context.new_page()
    if user is not None:
        page.goto(f"{hub.public}hub/login")
        page.fill("#username_input", user)
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(lambda url: "/hub/login" not in url)
    return context, page


@pytest.fixture(scope="module")
def pages(hub: Hub, kernels: dict[str, Kernel], playwright_instance: object) -> Iterator[dict]:
    """The thread's web page, logged in as student1 and as the teacher."""
    opened = {}
    contexts = []
    for user in ("student1", TEACHER):
        context, page = login(playwright_instance, hub, user)
        contexts.append(context)
        logs: list[str] = []
        page.on("console", lambda msg, logs=logs: logs.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda err, logs=logs: logs.append(f"pageerror: {err}"))
        page.goto(f"{hub.service_url}threads/week1")
        try:
            page.locator('[data-role="page-status"][data-state="live"]').wait_for(timeout=20000)
        except Exception as error:
            text = page.content()[:1500]
            raise AssertionError(f"{user}'s page at {page.url}: {text} {logs}") from error
        opened[user] = page
    yield opened
    for context in contexts:
        context.close()
