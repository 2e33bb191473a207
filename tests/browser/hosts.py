"""Start and stop the other notebook hosts on 127.0.0.1 for browser tests: Notebook 7, Voilà and
marimo (JupyterLab itself is ``labserver.py``).

Each server gets a free port, a random token, and a fresh temporary folder holding everything it
reads or writes (Jupyter config/data/runtime, Lab settings, IPython, XDG dirs for marimo), so no
earlier state leaks in. A server is ready when an HTTP request answers 200; ``stop_host`` ends it
(and its kernels, which run in its process group) and removes the folder unless
``THREADWIDGET_KEEP_TMP`` is set. Start failures raise ``ServerError`` with the end of the log.
"""

from __future__ import annotations

import secrets
import shutil
import sys
from pathlib import Path

from labserver import (
    HostServer,
    JupyterServer,
    ServerError,
    _env,
    _free_port,
    _launch,
    _tmp_base,
    start_jupyter,
    stop_server,
)

__all__ = [
    "HostServer",
    "ServerError",
    "start_marimo",
    "start_notebook7",
    "start_voila",
    "stop_host",
]


# --------------------------------------------------------------------------- Notebook 7


def start_notebook7() -> JupyterServer:
    """A running Notebook 7 server (the harness's ``Notebook`` with ``url_path="notebooks"``)."""
    return start_jupyter("notebook")


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
    stop_server(server)


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


#: ``root.evaluate(WATCH_FOCUS_JS)``: from then on, ``window.__twFocused`` lists every comment that
#: gets the widget's focus highlight (it lasts only ~2.5 s).
WATCH_FOCUS_JS = """
(root) => {
  window.__twFocused = [];
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (el.classList && el.classList.contains('tw-focused')) {
        window.__twFocused.push(el.dataset.commentId);
      }
    }
  }).observe(root, { subtree: true, attributes: true, attributeFilter: ['class'] });
}
"""


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
