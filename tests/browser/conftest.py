"""Session fixtures for the real-browser tests: one JupyterLab server, one Chromium context.

Run with ``pytest -m browser tests/browser -x -q``.  See README.md in this folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from harness import REPO, TIMINGS

CHROMIUM = os.environ.get("THREADWIDGET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60  # seconds
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

    def clear(self) -> None:
        self.entries.clear()

    def attach(self, page) -> None:
        def on_console(msg):
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


@dataclass
class JupyterServer:
    url: str  # http://127.0.0.1:<port>
    token: str
    root_dir: Path
    log_path: Path
    proc: subprocess.Popen

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 10):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)

    def log_tail(self, since: int = 0, max_lines: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        lines = [ln for ln in lines if not any(n in ln for n in _LOG_NOISE)]
        return "\n".join(lines[-max_lines:])

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0


_SERVER: JupyterServer | None = None
# Server log lines that never help explain a failure.
_LOG_NOISE = (
    "running over TCP without encryption",
    "websocket_ping_timeout",
    "Skipped non-installed server",
    "extension was successfully loaded",
    "Build is up to date",
    "Adapting from protocol version",
)


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


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # A hook, not an autouse fixture: module/session fixtures set up before function fixtures,
    # and their errors must not be reported with the previous test's console.
    CONSOLE.clear()
    if _SERVER is not None:
        item._tw_log_offset = _SERVER.log_size()


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def _write_lab_settings(settings_dir: Path) -> None:
    def put(plugin: str, name: str, data: dict) -> None:
        d = settings_dir / plugin
        d.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(json.dumps(data))

    # No "Would you like to receive official Jupyter news?" pop-up, no update check.
    put(
        "@jupyterlab/apputils-extension",
        "notification.jupyterlab-settings",
        {"fetchNews": "false", "checkForUpdates": False},
    )
    # Keep every cell (and its outputs) attached to the DOM: no virtualisation surprises.
    put("@jupyterlab/notebook-extension", "tracker.jupyterlab-settings", {"windowingMode": "none"})


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory):
    global _SERVER
    _require_tools()
    base = Path(tempfile.mkdtemp(prefix="tw-browser-"))
    root = base / "root"
    root.mkdir()
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": base / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "lab-workspaces",
        "IPYTHONDIR": base / "ipython",
    }
    for d in dirs.values():
        d.mkdir()
    _write_lab_settings(dirs["JUPYTERLAB_SETTINGS_DIR"])

    env = {k: v for k, v in os.environ.items() if k != "ANYWIDGET_HMR"}
    env.update({k: str(v) for k, v in dirs.items()})
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("JUPYTER_TOKEN", None)

    port = _free_port()
    token = secrets.token_hex(16)
    log_path = base / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.open_browser=False",
    ]
    t0 = time.monotonic()
    logf = open(log_path, "wb")  # noqa: SIM115  (closed at teardown, after the server)
    proc = subprocess.Popen(
        cmd, env=env, cwd=str(root), stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = JupyterServer(f"http://127.0.0.1:{port}", token, root, log_path, proc)

    deadline = t0 + SERVER_START_TIMEOUT
    while True:
        if proc.poll() is not None:
            logf.close()
            pytest.fail(
                f"JupyterLab exited at start (rc={proc.returncode}):\n{server.log_tail()}",
                pytrace=False,
            )
        try:
            status, _ = server.api("GET", "/api/status", timeout=2)
            if status == 200:
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            proc.kill()
            logf.close()
            pytest.fail(
                f"JupyterLab not ready after {SERVER_START_TIMEOUT}s:\n{server.log_tail()}",
                pytrace=False,
            )
        time.sleep(0.1)
    TIMINGS["server ready"] = time.monotonic() - t0
    _SERVER = server
    try:
        yield server
    finally:
        _SERVER = None
        with contextlib.suppress(Exception):
            server.api("POST", "/api/shutdown", timeout=10)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.wait(timeout=10)
        logf.close()
        if os.environ.get("THREADWIDGET_KEEP_TMP"):
            print(f"\nbrowser test temp dir kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser_context(jupyter_server):
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="tw-chromium-")
    t0 = time.monotonic()
    pw = sync_playwright().start()
    try:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1000},
        )
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
