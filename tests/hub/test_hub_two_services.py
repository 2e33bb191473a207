"""Beyond one service process (issue #25): two ``threadwidget serve`` processes on one real
PostgreSQL server behind one JupyterHub (two routes), students split across them. Every student
sees every reply; roles set through one hold on the other; one process is SIGKILLed mid-lesson:
nothing acknowledged is lost and its students go on through the other (their
``THREADWIDGET_SERVICE_URL`` names both, as docs/hub.md shows)."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hubserver import Hub, free_port, request
from tests.pgserver import TemporaryPostgres

from threadwidget.core import operations, rules
from threadwidget.core.engine import Engine
from threadwidget.storage.service_client import ServiceStorage

STUDENTS = tuple(f"s{n}" for n in range(6))

ADMIN = """
c.JupyterHub.load_groups = {{"teachers": {{"users": ["teacher"]}}}}
c.JupyterHub.services = [
    {{
        "name": name,
        "url": f"http://127.0.0.1:{{port}}",
        "command": [sys.executable, "-m", "threadwidget", "serve"],
        "environment": {{"THREADWIDGET_DATA_DIR": {tmp!r} + "/" + name,
                         "THREADWIDGET_STORE": {store!r}}},
        "oauth_no_confirm": True,
    }}
    for name, port in (("threadwidget-a", {a}), ("threadwidget-b", {b}))
]
c.JupyterHub.load_roles = [
    {{"name": "threadwidget-service", "services": ["threadwidget-a", "threadwidget-b"],
      "scopes": ["read:users", "read:users:groups", "read:groups"]}},
    {{"name": "user", "scopes": ["self", "access:services!service=threadwidget-a",
                                "access:services!service=threadwidget-b"]}},
    {{"name": "server", "scopes": ["users:activity!user", "access:servers!server",
                                  "access:services!service=threadwidget-a",
                                  "access:services!service=threadwidget-b"]}},
]
"""


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    tmp = Path(tempfile.mkdtemp(prefix="tw-hub-two-"))
    with TemporaryPostgres() as postgres:
        a, b = free_port(), free_port()
        running = Hub(
            tmp,
            users=("teacher", *STUDENTS),
            service_port=a,
            service="threadwidget-a",
            admin_config=ADMIN.format(tmp=str(tmp), store=postgres.url, a=a, b=b),
        )
        running.b_port = b  # type: ignore[attr-defined]
        try:
            running.start()
            yield running
        finally:
            running.stop()
            shutil.rmtree(tmp, ignore_errors=True)


def until(check: Any, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_two_processes_one_class(hub: Hub) -> None:
    a_url = f"{hub.public}services/threadwidget-a/"
    b_url = f"{hub.public}services/threadwidget-b/"
    teacher = hub.user_token("teacher")
    status, data = request(f"{a_url}api/threads", "POST", {"id": "class"}, token=teacher)
    assert status == 201, data
    # a role set through B holds on A (roles live in the store)
    status, data = request(
        f"{b_url}api/threads/class/roles", "PUT", {"user": "s5", "role": "reader"}, token=teacher
    )
    assert status == 200, data
    until(
        lambda: (
            request(f"{a_url}api/threads/class", token=hub.user_token("s5"))[1]["role"] == "reader"
        ),
        "A never saw B's role change",
        10,
    )
    request(f"{b_url}api/threads/class/roles", "PUT", {"user": "s5", "role": None}, token=teacher)
    engines: dict[str, Engine] = {}
    for n, name in enumerate(STUDENTS):  # half on A first, half on B first
        urls = f"{a_url} {b_url}" if n % 2 == 0 else f"{b_url} {a_url}"
        storage = ServiceStorage("class", urls, token=hub.user_token(name), claimed_user=name)
        engines[name] = Engine(storage=storage)
    acked: set[str] = set()

    def post_round(tag: str) -> None:
        for name, engine in engines.items():
            cid = f"{name}-{tag}"
            try:
                engine.submit(operations.AddComment(id=cid, body=cid), rules.Context(actor=name))
            except rules.OperationRejected:
                continue  # refused: not acknowledged, may not count
            acked.add(cid)

    def everyone_has_everything() -> bool:
        return all(acked <= set(e.state.comments) for e in engines.values())

    try:
        post_round("1")
        assert len(acked) == len(STUDENTS)
        until(everyone_has_everything, "a reply did not reach every student across processes")
        on_a = [n for n, e in engines.items() if e.storage.url == a_url]  # type: ignore[attr-defined]
        assert len(on_a) == 3
        os.kill(hub.service_pid(), signal.SIGKILL)  # A dies mid-lesson
        for tag in ("2", "3"):
            post_round(tag)
        until(everyone_has_everything, "after the kill, a reply did not reach every student")
        for name in on_a:  # A's students went on through B
            assert engines[name].storage.url == b_url  # type: ignore[attr-defined]
        assert len(acked) >= 3 * len(STUDENTS) - len(on_a)  # at most one lost try each
        # nothing acknowledged is lost: all of it is in the store, once
        status, data = request(f"{b_url}api/threads/class", token=teacher)
        stored = [c["id"] for c in data["thread"]["comments"]]
        assert acked <= set(stored) and len(stored) == len(set(stored))
    finally:
        for engine in engines.values():
            engine.close()
            engine.storage.close()
