"""The widget embed runtime answered locally, for saved pages opened with no kernel and no network
(test_hosts_static.py, test_saved_notebooks_browser.py).

Exported pages load requirejs, ``@jupyter-widgets/html-manager`` and anywidget's frontend from
CDNs (cdnjs, jsdelivr, unpkg), which are unreachable here: :func:`embed_modules` installs those npm
packages once (cached) and :func:`open_offline` answers the CDN URLs with them through
``page.route``; every other request is refused.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import anywidget
import pytest

#: The pages' own pins: ipywidgets 8 asks for html-manager ^1.0.1 and requirejs 2.3.4; anywidget's
#: frontend must match the Python package's major.minor.
NPM = {
    "@jupyter-widgets/html-manager": "1.0.15",
    "requirejs": "2.3.4",
    "anywidget": anywidget.__version__,
}


@pytest.fixture(scope="module")
def embed_modules() -> Path:
    """node_modules with the embed runtime, installed from the npm registry once per version."""
    key = "-".join(f"{k.replace('/', '_')}@{v}" for k, v in NPM.items())
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = cache / "threadwidget-browser-tests" / key
    modules = folder / "node_modules"
    if all((modules / name / "package.json").is_file() for name in NPM):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to fetch the widget embed runtime (apt-get install npm)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"private": true}')
    cmd = [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save"]
    cmd += [f"{k}@{v}" for k, v in NPM.items()]
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(
            f"npm install of the embed runtime failed (offline?): {' '.join(cmd[1:])}\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}",
            pytrace=False,
        )
    return modules


def local_file(modules: Path, url: str) -> Path | None:
    """The local copy of a CDN URL an exported page asks for, or None."""
    if re.match(r"https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/[\d.]+/require", url):
        return modules / "requirejs" / "require.js"
    m = re.match(
        r"https://(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/(@[^/@]+/[^/@]+|[^/@]+)@[^/]+/(.+?)(\?.*)?$",
        url,
    )
    if m:
        path = modules / m[1] / m[2]
        return path if path.suffix else path.with_suffix(".js")
    return None


def open_offline(context, modules: Path, html: Path):
    """Open ``html`` with the CDN answered locally; returns (page, refused URLs, page errors)."""
    page = context.new_page()
    refused: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def serve(route):
        local = local_file(modules, route.request.url)
        if local is not None and local.is_file():
            route.fulfill(path=str(local), content_type="application/javascript")
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("http://**/*", serve)
    page.route("https://**/*", serve)
    page.goto(html.as_uri())
    return page, refused, errors
