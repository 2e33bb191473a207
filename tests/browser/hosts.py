"""Start and stop the other notebook hosts on 127.0.0.1 for browser tests: Notebook 7, Voilà and
marimo (JupyterLab itself is ``labserver.py``).

Each server gets a free port, a random token, and a fresh temporary folder holding everything it
reads or writes (Jupyter config/data/runtime, Lab settings, IPython, XDG dirs for marimo), so no
earlier state leaks in. A server is ready when an HTTP request answers 200; ``stop_host`` ends it
(and its kernels, which run in its process group) and removes the folder unless
``THREADWIDGET_KEEP_TMP`` is set. Start failures raise ``ServerError`` with the end of the log.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from labserver import (
    _LOG_NOISE,
    SERVER_START_TIMEOUT,
    JupyterServer,
    ServerError,
    _free_port,
    _write_lab_settings,
)

__all__ = [
    "HostServer",
    "ServerError",
    "start_marimo",
    "start_notebook7",
    "start_voila",
    "stop_host",
]


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
) -> HostServer:
    """Start ``cmd``; return once GET ``ready_url`` answers 200 (or raise ServerError)."""
    log_path = base / "server.log"
    logf = open(log_path, "wb")  # noqa: SIM115  (closed by stop_host, after the server)
    proc = subprocess.Popen(
        cmd, env=env, cwd=str(cwd), stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = HostServer(kind, url, token, base, base / "root", log_path, proc, log_file=logf)
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


# --------------------------------------------------------------------------- Notebook 7


def start_notebook7() -> JupyterServer:
    """A running Notebook 7 server (``jupyter notebook``), as a ``labserver.JupyterServer`` so the
    harness's ``Notebook`` (with ``url_path="notebooks"``) and ``labserver.stop_server`` work on it.
    """
    base, dirs = _tmp_base("nb7")
    _write_lab_settings(dirs["JUPYTERLAB_SETTINGS_DIR"])  # Notebook 7 reads Lab's settings
    port, token = _free_port(), secrets.token_hex(16)
    root = base / "root"
    cmd = [
        sys.executable,
        "-m",
        "notebook",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--ServerApp.open_browser=False",
    ]
    url = f"http://127.0.0.1:{port}"
    host = _launch(
        "Notebook 7",
        cmd,
        base=base,
        env=_env(dirs),
        cwd=root,
        url=url,
        ready_url=f"{url}/api/status?token={token}",
        token=token,
    )
    return JupyterServer(
        url, token, root, host.log_path, host.proc, base=base, log_file=host.log_file
    )


# --------------------------------------------------------------------------- Voilà


def start_voila(notebook: Path, theme: str = "light") -> HostServer:
    """Voilà serving one notebook as an app (``voila <nb>``); ``notebook`` is copied into the
    server's root first. The app page is ``server.url``."""
    base, dirs = _tmp_base("voila")
    root = base / "root"
    target = root / notebook.name
    if notebook.resolve() != target.resolve():
        shutil.copy(notebook, target)
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(target),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--Voila.root_dir={root}",
        f"--token={token}",
        f"--theme={theme}",
        "--show_tracebacks=True",
    ]
    url = f"http://127.0.0.1:{port}"
    # The app page itself runs the notebook; readiness is the static page handler answering.
    host = _launch(
        "Voilà",
        cmd,
        base=base,
        env=_env(dirs),
        cwd=root,
        url=f"{url}/?token={token}",
        ready_url=f"{url}/voila/static/favicon.ico?token={token}",
        token=token,
    )
    return host


# --------------------------------------------------------------------------- marimo


def start_marimo(app: Path, theme: str = "system") -> HostServer:
    """``marimo run <app> --headless`` with a token; ``theme`` ("light", "dark" or "system") goes
    into a ``.marimo.toml`` in the server's working folder (marimo looks there first)."""
    base, dirs = _tmp_base("marimo")
    root = base / "root"
    (root / ".marimo.toml").write_text(f'[display]\ntheme = "{theme}"\n')
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "marimo",
        "-y",
        "run",
        str(app),
        "--headless",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--token-password={token}",
        "--no-sandbox",
        "--no-skew-protection",
        "--session-ttl=5",
    ]
    env = _env(dirs)
    env["HOME"] = str(base)  # marimo also looks for ~/.marimo.toml
    env["MARIMO_SKIP_UPDATE_CHECK"] = "1"
    url = f"http://127.0.0.1:{port}"
    return _launch(
        "marimo",
        cmd,
        base=base,
        env=env,
        cwd=root,
        url=f"{url}/?access_token={token}",
        ready_url=f"{url}/health",
        token=token,
    )


def stop_host(server: HostServer) -> None:
    """End the host (and its kernels); remove its folder unless THREADWIDGET_KEEP_TMP."""
    _kill(server.proc)
    if server.log_file is not None:
        server.log_file.close()  # type: ignore[attr-defined]
    if os.environ.get("THREADWIDGET_KEEP_TMP"):
        print(f"\n{server.kind} temp dir kept: {server.base}")
    else:
        shutil.rmtree(server.base, ignore_errors=True)


# --------------------------------------------------------------------------- test helpers

#: Colours the page really paints, for theme checks: the widget root's text and (first opaque)
#: background, and the host's background behind it, as [r, g, b] and relative luminance.
_THEME_JS = """(root) => {
  // "rgb(r, g, b[, a])" or "color(srgb r g b[ / a])" (0..1), as Chromium reports them
  const rgb = (s) => {
    const n = (s.match(/[\\d.]+/g) || []).map(Number);
    if (!s.startsWith("color(")) return n;
    return n.map((v, i) => (i < 3 ? v * 255 : v));
  };
  const opaqueBg = (el) => {
    // walk up through shadow roots too (marimo renders widgets in one)
    for (; el; el = el.parentElement || (el.getRootNode && el.getRootNode().host) || null) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const fg = rgb(getComputedStyle(root).color).slice(0, 3);
  const bg = opaqueBg(root);
  const host = opaqueBg(root.parentElement || root.getRootNode().host);
  return {fg, bg, host, fg_lum: lum(fg), bg_lum: lum(bg), host_lum: lum(host)};
}"""


def theme_colours(root) -> dict:
    """``{fg, bg, host, fg_lum, bg_lum, host_lum}`` for a widget root locator."""
    return root.evaluate(_THEME_JS)


def contrast(a: float, b: float) -> float:
    """WCAG contrast ratio of two relative luminances."""
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def assert_follows_theme(colours: dict, dark: bool, where: str) -> None:
    """The widget is readable and matches the host: dark host -> dark widget, light -> light."""
    host_dark = colours["host_lum"] < 0.2
    assert host_dark == dark, (
        f"{where}: the host itself is not {'dark' if dark else 'light'}: {colours}"
    )
    widget_dark = colours["bg_lum"] < 0.2
    assert widget_dark == dark, (
        f"{where}: the widget's background does not follow the host's "
        f"{'dark' if dark else 'light'} theme: {colours}"
    )
    ratio = contrast(colours["fg_lum"], colours["bg_lum"])
    assert ratio >= 4.5, f"{where}: text contrast {ratio:.1f} < 4.5: {colours}"


# DOM helpers (docs/protocol.md's contract), as in test_widget_browser.py.
ITEM = '[role="treeitem"][data-comment-id]'


def _own(cid: str, xpath_step: str) -> str:
    """XPath: `xpath_step` elements whose nearest tree item ancestor is comment `cid`."""
    return (
        f'xpath=.//{xpath_step}[ancestor::*[@role="treeitem"][@data-comment-id][1]'
        f'[@data-comment-id="{cid}"]]'
    )


def comment(root, cid: str):
    return root.locator(f'{ITEM}[data-comment-id="{cid}"]')


def own_button(root, cid: str, action: str):
    return root.locator(_own(cid, f'button[@data-action="{action}"]'))


def own_part(root, cid: str, role: str):
    return root.locator(_own(cid, f'*[@data-role="{role}"]'))


def reply_from_page(root, cid: str, text: str) -> None:
    """Click comment ``cid``'s Reply, type ``text`` in its composer, send with Ctrl+Enter."""
    own_button(root, cid, "reply").click()
    composer = root.locator(_own(cid, 'textarea[@data-role="composer"]'))
    composer.wait_for(state="visible")
    composer.fill(text)
    composer.press("Control+Enter")


def comment_with_body(root, text: str):
    """The tree item whose own body shows ``text`` (exactly one expected)."""
    body = root.locator('[data-role="body"]').filter(has_text=text)
    return body.locator('xpath=ancestor::*[@role="treeitem"][1]')
