"""Session fixtures for the real-browser tests: one JupyterLab server, one Chromium context.

Run with ``pytest -m browser tests/browser -x -q``.  See README.md in this folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from chromium import CHROMIUM, launch
from embed_runtime import embed_modules  # noqa: F401  (saved pages opened offline)
from harness import REPO, TIMINGS, Notebook
from labserver import JupyterServer, ServerError, start_server, stop_server

DEFAULT_TEST_TIMEOUT = 150  # seconds, per test (pytest-timeout), unless the test sets its own


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: real-browser test (JupyterLab + headless Chromium); slow"
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(DEFAULT_TEST_TIMEOUT))


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.write_sep("-", "browser harness timings")
        for k, v in TIMINGS.items():
            terminalreporter.write_line(f"{k:<28} {v:6.2f} s")


# --------------------------------------------------------------------------- console capture


@dataclass
class ConsoleLog:
    """Browser console errors and page errors, collected per test."""

    entries: list[str] = field(default_factory=list)
    #: anywidget's deprecation notices (any level): every host test fails on one
    deprecations: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.entries.clear()
        self.deprecations.clear()

    def attach(self, page) -> None:
        def on_console(msg):
            text = msg.text
            if "deprecat" in text.lower() and ("anywidget" in text.lower() or "render" in text):
                self.deprecations.append(f"[console.{msg.type}] {text}")
            if msg.type in ("error", "assert"):
                loc = msg.location or {}
                where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc else ""
                self.entries.append(f"[console.{msg.type}] {msg.text}{where}")

        def on_pageerror(err):
            self.entries.append(f"[pageerror] {err}")

        def on_crash(_page):
            self.entries.append("[crash] page crashed")

        page.on("console", on_console)
        page.on("pageerror", on_pageerror)
        page.on("crash", on_crash)


CONSOLE = ConsoleLog()


_SERVER: JupyterServer | None = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)  # lets fixtures see the outcome (screenshots)
    if report.when not in ("setup", "call") or not report.failed:
        return
    if CONSOLE.entries:
        report.sections.append(("browser console errors", "\n".join(CONSOLE.entries[-60:])))
    if _SERVER is not None:
        since = getattr(item, "_tw_log_offset", 0)
        tail = _SERVER.log_tail(since)
        if tail:
            report.sections.append(("jupyter server log (this test)", tail))


@pytest.fixture(autouse=True)
def _no_anywidget_deprecations():
    """No page of any browser test may print an anywidget deprecation notice (issue #15)."""
    yield
    assert not CONSOLE.deprecations, "anywidget warned: " + "; ".join(CONSOLE.deprecations)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # A hook, not an autouse fixture: module/session fixtures set up before function fixtures,
    # and their errors must not be reported with the previous test's console.
    CONSOLE.clear()
    if _SERVER is not None:
        item._tw_log_offset = _SERVER.log_size()


# --------------------------------------------------------------------------- server


def _require_tools() -> None:
    problems = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        problems.append(
            f"Chromium not found at {CHROMIUM} (apt-get install -y chromium fonts-liberation "
            "fonts-dejavu-core; never `playwright install`)"
        )
    for mod, pipname in (
        ("jupyterlab", "jupyterlab"),
        ("playwright", "playwright"),
        ("anywidget", "anywidget"),
        ("nbformat", "nbformat"),
    ):
        try:
            __import__(mod)
        except ImportError as e:
            problems.append(f"Python package {pipname!r} is not importable ({e})")
    if problems:
        pytest.fail("browser tests cannot run:\n  - " + "\n  - ".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def jupyter_server():
    global _SERVER
    _require_tools()
    t0 = time.monotonic()
    try:
        server = start_server()
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    TIMINGS["server ready"] = time.monotonic() - t0
    _SERVER = server
    try:
        yield server
    finally:
        _SERVER = None
        stop_server(server)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser_context(jupyter_server):
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="tw-chromium-")
    t0 = time.monotonic()
    pw = sync_playwright().start()
    try:
        ctx = launch(pw, profile, viewport={"width": 1280, "height": 1000})
    except Exception as e:
        pw.stop()
        shutil.rmtree(profile, ignore_errors=True)
        pytest.fail(f"could not launch {CHROMIUM}: {e}", pytrace=False)
    TIMINGS["browser launch"] = time.monotonic() - t0
    ctx.set_default_timeout(30_000)
    ctx.on("page", CONSOLE.attach)
    for p in ctx.pages:  # the persistent context opens with one blank page
        CONSOLE.attach(p)
    try:
        yield ctx
    finally:
        try:
            ctx.close()
        finally:
            pw.stop()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


# ------------------------------------------------------------------ one notebook per module


@pytest.fixture(scope="module")
def nb(request, jupyter_server, browser_context):
    """One notebook (one kernel, one page) per test module, started with the module's ``SETUP``
    cell; each test displays its own widget in a new cell and addresses only that output."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    name = f"threadwidget-{module.removeprefix('test_')}.ipynb"
    with Notebook(jupyter_server, browser_context, [request.module.SETUP], name=name) as notebook:
        notebook.run_all()
        yield notebook


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request):
    """A test that used ``nb`` and failed leaves ``artifacts/FAILED-<test>.png`` behind."""
    notebook = request.getfixturevalue("nb") if "nb" in request.fixturenames else None
    yield
    rep = getattr(request.node, "rep_call", None)
    if notebook is not None and rep is not None and rep.failed and notebook.page is not None:
        with contextlib.suppress(Exception):
            notebook.screenshot(f"FAILED-{request.node.name}")
