"""The service and its web page from the built wheel installed in a fresh virtual environment
(``pip install`` of the wheel, not an editable checkout): every data file the page needs is
served from site-packages (issue #25 item 0).

``scripts/test.sh`` runs this after building the wheel, with ``THREADWIDGET_WHEEL`` naming it;
run alone, the test builds the wheel itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hubserver import REPO, TEACHER, Hub, request
from playwright.sync_api import expect

from conftest import login

ITEM = '[role="treeitem"][data-comment-id]'


def _wheel(tmp: Path) -> Path:
    named = os.environ.get("THREADWIDGET_WHEEL")
    if named:
        return Path(named).resolve()
    out = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("threadwidget-*.whl"))


@pytest.fixture(scope="module")
def venv_python() -> Iterator[Path]:
    """A fresh venv (the test dependencies from the system site) with the wheel installed."""
    tmp = Path(tempfile.mkdtemp(prefix="tw-wheel-"))
    try:
        wheel = _wheel(tmp)
        subprocess.run(
            [sys.executable, "-m", "venv", "--system-site-packages", str(tmp / "venv")], check=True
        )
        python = tmp / "venv" / "bin" / "python"
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
            check=True,
        )
        yield python
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def wheel_hub(venv_python: Path) -> Iterator[Hub]:
    tmp = Path(tempfile.mkdtemp(prefix="tw-hub-wheel-"))
    running = Hub(tmp, python=str(venv_python))
    try:
        running.start()
        yield running
    finally:
        running.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _installed(python: Path, code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(python), "-c", code], check=True, capture_output=True, text=True, env=env, cwd="/"
    )
    return done.stdout.strip()


def test_the_installed_package_is_the_wheel(venv_python: Path) -> None:
    """No source tree on the path: the package, its widget bundle and the page's files all
    come from the venv's site-packages."""
    venv = str(venv_python.parent.parent)
    where = _installed(venv_python, "import threadwidget; print(threadwidget.__file__)")
    assert where.startswith(venv), where
    esm = _installed(
        venv_python,
        "from threadwidget.widget import bundle as t\nprint(t.esm_source(), bool(t.css_source()))",
    )
    assert esm == f"{Path(where).parent / 'static' / 'widget.js'} True", esm
    # the presets' CSS files are package data too (a wheel without them fails on import)
    looks = _installed(
        venv_python,
        "from threadwidget import ThreadWidget\n"
        "w = ThreadWidget(preset='youtube')\nprint(w.layout, w._config['style'][:10])",
    )
    assert looks == "two-level /* youtube", looks


def test_page_from_the_installed_wheel_draws_the_thread(
    wheel_hub: Hub, venv_python: Path, playwright_instance: object
) -> None:
    hub = wheel_hub
    pid = hub.service_pid()
    exe = os.readlink(f"/proc/{pid}/exe")
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert cmdline[0].decode() == str(venv_python), (exe, cmdline)
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert not [v for v in environ if v.startswith(b"PYTHONPATH=")]
    thread = {
        "post": {"title": "From the wheel", "author": TEACHER},
        "comments": [{"id": "c1", "author": TEACHER, "body": "Drawn from site-packages"}],
    }
    status, data = request(
        f"{hub.service_url}api/threads",
        "POST",
        {"id": "wheel", "thread": thread},
        token=hub.user_token(TEACHER),
    )
    assert status == 201, data
    context, page = login(playwright_instance, hub, "student1")
    failed: list[str] = []
    page.on(  # type: ignore[attr-defined]
        "response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    try:
        page.goto(f"{hub.service_url}threads/wheel")  # type: ignore[attr-defined]
        status_el = page.locator('[data-role="page-status"]')  # type: ignore[attr-defined]
        expect(status_el).to_have_attribute("data-state", "live", timeout=20000)
        body = page.locator(f'{ITEM}[data-comment-id="c1"] [data-role="body"]')  # type: ignore[attr-defined]
        expect(body.first).to_have_text("Drawn from site-packages")
        assert not failed, failed
        for name in ("page.js", "page.css"):
            answer = page.request.get(f"{hub.service_url}static/page/{name}")  # type: ignore[attr-defined]
            assert answer.status == 200 and len(answer.body()) > 100, name
    finally:
        context.close()  # type: ignore[attr-defined]
