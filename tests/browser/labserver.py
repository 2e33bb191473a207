"""Start and stop private notebook servers on 127.0.0.1 for browser tests and benchmarks.

Each server gets a free port, a random token and a fresh temporary folder holding everything it
reads or writes (Jupyter config/data/runtime, Lab settings and workspaces, IPython, XDG dirs), so no
earlier state leaks in; the news pop-up and cell virtualisation are switched off there, and
``ANYWIDGET_HMR`` is removed from the environment. A server is ready when an HTTP request answers
200; stopping ends it and its kernels (its process group) and removes the folder unless
``THREADWIDGET_KEEP_TMP`` is set. Start failures raise ``ServerError`` with the end of the log.
JupyterLab and Notebook 7 are started here; Voilà and marimo in ``hosts.py``.
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
    """A server did not start; the message carries the end of its log."""


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
class HostServer:
    """A running host: ``url`` is the page to open (token included where the host needs one)."""

    kind: str
    url: str
    token: str
    base: Path  # the temp folder (root/, logs, config dirs)
    root_dir: Path
    log_path: Path
    proc: subprocess.Popen
    log_file: object = None
    extra: dict = field(default_factory=dict)

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


@dataclass
class JupyterServer(HostServer):
    """A Jupyter server (JupyterLab or Notebook 7) with its REST API."""

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


def _tmp_base(kind: str) -> tuple[Path, dict[str, Path]]:
    base = Path(tempfile.mkdtemp(prefix=f"tw-{kind}-"))
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": base / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "lab-workspaces",
        "IPYTHONDIR": base / "ipython",
        "XDG_CONFIG_HOME": base / "xdg-config",
        "XDG_CACHE_HOME": base / "xdg-cache",
        "XDG_STATE_HOME": base / "xdg-state",
        "XDG_DATA_HOME": base / "xdg-data",
    }
    (base / "root").mkdir()
    for d in dirs.values():
        d.mkdir()
    return base, dirs


def _env(dirs: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ANYWIDGET_HMR", "JUPYTER_TOKEN")}
    env.update({k: str(v) for k, v in dirs.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _launch(
    kind: str,
    cmd: list[str],
    *,
    base: Path,
    env: dict[str, str],
    cwd: Path,
    url: str,
    ready_url: str,
    token: str,
    timeout: float = SERVER_START_TIMEOUT,
    server_class: type[HostServer] = HostServer,
) -> HostServer:
    """Start ``cmd``; return once GET ``ready_url`` answers 200 (or raise ServerError)."""
    log_path = base / "server.log"
    logf = open(log_path, "wb")  # noqa: SIM115  (closed by stop_host, after the server)
    proc = subprocess.Popen(
        cmd, env=env, cwd=str(cwd), stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = server_class(kind, url, token, base, base / "root", log_path, proc, log_file=logf)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            logf.close()
            raise ServerError(
                f"{kind} exited at start (rc={proc.returncode}):\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(ready_url, timeout=2) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            _kill(proc)
            logf.close()
            raise ServerError(f"{kind} not ready after {timeout:g}s:\n{server.log_tail()}")
        time.sleep(0.1)


def _kill(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (kernels included), then SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except OSError:
            proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait)
    # kernels started in the group may outlive the server by a moment
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)


def start_jupyter(app: str = "jupyterlab") -> JupyterServer:
    """A running JupyterLab (``app="jupyterlab"``) or Notebook 7 (``"notebook"``) server with
    ``window.jupyterapp`` exposed, so the harness can drive notebooks through its commands."""
    kind = {"jupyterlab": "JupyterLab", "notebook": "Notebook 7"}[app]
    expose = {"jupyterlab": "LabApp", "notebook": "JupyterNotebookApp"}[app]
    base, dirs = _tmp_base(app)
    _write_lab_settings(dirs["JUPYTERLAB_SETTINGS_DIR"])  # Notebook 7 reads Lab's settings too
    port, token = _free_port(), secrets.token_hex(16)
    root = base / "root"
    cmd = [
        sys.executable,
        "-m",
        app,
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--{expose}.expose_app_in_browser=True",
        "--ServerApp.open_browser=False",
    ]
    url = f"http://127.0.0.1:{port}"
    return _launch(
        kind,
        cmd,
        base=base,
        env=_env(dirs),
        cwd=root,
        url=url,
        ready_url=f"{url}/api/status?token={token}",
        token=token,
        server_class=JupyterServer,
    )


def start_server() -> JupyterServer:
    """A running JupyterLab server."""
    return start_jupyter("jupyterlab")


def stop_server(server: HostServer) -> None:
    """Shut the server and its kernels down; remove its folder unless THREADWIDGET_KEEP_TMP."""
    if isinstance(server, JupyterServer):
        with contextlib.suppress(Exception):
            server.api("POST", "/api/shutdown", timeout=10)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.proc.wait(timeout=15)
    _kill(server.proc)
    if server.log_file is not None:
        server.log_file.close()  # type: ignore[attr-defined]
    if os.environ.get("THREADWIDGET_KEEP_TMP"):
        print(f"\n{server.kind} temp dir kept: {server.base}")
    else:
        shutil.rmtree(server.base, ignore_errors=True)
