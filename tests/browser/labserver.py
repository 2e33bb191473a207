"""Start and stop a private JupyterLab server on 127.0.0.1 for browser tests and benchmarks.

Everything JupyterLab reads or writes (config, data, runtime, settings, workspaces, IPython)
lives in a fresh temporary folder, so no earlier state leaks in; the news pop-up and cell
virtualisation are switched off there. ``ANYWIDGET_HMR`` is removed from the server's environment.
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

SERVER_START_TIMEOUT = 60  # seconds


class ServerError(RuntimeError):
    """JupyterLab did not start; the message carries the end of its log."""


# Server log lines that never help explain a failure.
_LOG_NOISE = (
    "running over TCP without encryption",
    "websocket_ping_timeout",
    "Skipped non-installed server",
    "extension was successfully loaded",
    "Build is up to date",
    "Adapting from protocol version",
)


@dataclass
class JupyterServer:
    url: str  # http://127.0.0.1:<port>
    token: str
    root_dir: Path
    log_path: Path
    proc: subprocess.Popen
    base: Path = field(default_factory=Path)
    log_file: object = None

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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def start_server() -> JupyterServer:
    """A running JupyterLab server (ready: ``/api/status`` answers 200)."""
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
    logf = open(log_path, "wb")  # noqa: SIM115  (closed by stop_server, after the server)
    proc = subprocess.Popen(
        cmd, env=env, cwd=str(root), stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = JupyterServer(
        f"http://127.0.0.1:{port}", token, root, log_path, proc, base=base, log_file=logf
    )
    deadline = t0 + SERVER_START_TIMEOUT
    while True:
        if proc.poll() is not None:
            logf.close()
            raise ServerError(
                f"JupyterLab exited at start (rc={proc.returncode}):\n{server.log_tail()}"
            )
        try:
            status, _ = server.api("GET", "/api/status", timeout=2)
            if status == 200:
                return server
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            proc.kill()
            logf.close()
            raise ServerError(
                f"JupyterLab not ready after {SERVER_START_TIMEOUT}s:\n{server.log_tail()}"
            )
        time.sleep(0.1)


def stop_server(server: JupyterServer) -> None:
    """Shut the server and its kernels down; remove its folder unless THREADWIDGET_KEEP_TMP."""
    with contextlib.suppress(Exception):
        server.api("POST", "/api/shutdown", timeout=10)
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(server.proc.pid, signal.SIGKILL)
        except OSError:
            server.proc.kill()
        server.proc.wait(timeout=10)
    if server.log_file is not None:
        server.log_file.close()  # type: ignore[attr-defined]
    if os.environ.get("THREADWIDGET_KEEP_TMP"):
        print(f"\nbrowser test temp dir kept: {server.base}")
    else:
        shutil.rmtree(server.base, ignore_errors=True)
