"""Static HTML of a widget saved with its state (``ipywidgets.embed``): the thread renders with no
kernel and no network. (``threadwidget html`` output: see test_export_browser.py.)

The exported page loads requirejs, ``@jupyter-widgets/html-manager`` and anywidget's frontend from
CDNs, which are unreachable here: the test installs those npm packages once (cached) and answers
the CDN URLs with them through ``page.route``; every other request is refused. The page pins
requirejs with a Subresource Integrity hash of cdnjs's *minified* file, which npm does not ship,
so that one ``integrity`` attribute is dropped from the test's copy of the page.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import anywidget
import pytest
from harness import ARTIFACTS, REPO
from hosts import ITEM, comment, own_part
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DATA = REPO / "examples" / "data" / "power-trip.json"
#: The page's own pins: ipywidgets 8 asks for html-manager ^1.0.1 and requirejs 2.3.4; anywidget's
#: frontend must match the Python package's major.minor.
NPM = {
    "@jupyter-widgets/html-manager": "1.0.15",
    "requirejs": "2.3.4",
    "anywidget": anywidget.__version__,
}
CONTROLS = (
    'button[data-action="reply"], button[data-action="edit"], button[data-action="delete"], '
    'textarea[data-role="composer"]'
)


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


def _local_file(modules: Path, url: str) -> Path | None:
    """The local copy of a CDN URL the exported page asks for, or None."""
    if re.match(
        r"https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/[\d.]+/require(\.min)?\.js$", url
    ):
        return modules / "requirejs" / "require.js"
    m = re.match(r"https://cdn\.jsdelivr\.net/npm/(@[^/@]+/[^/@]+|[^/@]+)@[^/]+/(.+)$", url)
    if m:
        path = modules / m[1] / m[2]
        return path if path.suffix else path.with_suffix(".js")
    return None


def _export(tmp_path: Path, cells: str) -> Path:
    """Run ``cells`` in a fresh Python (as a notebook kernel would) and return the page it wrote."""
    out = tmp_path / "saved.html"
    code = f"""
from ipywidgets.embed import dependency_state, embed_minimal_html
from threadwidget import ThreadWidget
w = ThreadWidget.load({str(DATA)!r}, user="Chris")
reply = w.add_comment("Added in Python before saving.", parent_id="c3")
w.edit_comment("c3", "c3, edited before saving")
w.delete_comment("c6")
{cells}
embed_minimal_html({str(out)!r}, views=[w], state=state, title="Saved discussion")
print(reply.id)
"""
    proc = subprocess.run(
        [os.environ.get("PYTHON", "python"), "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = out.read_text(encoding="utf-8")
    # Offline stand-in for cdnjs's minified requirejs: see the module docstring.
    page, n = re.subn(
        r'(<script src="[^"]*require(?:\.min)?\.js")\s+integrity="[^"]*"', r"\1", page
    )
    assert n == 1, "the exported page no longer pins requirejs as expected"
    out.write_text(page, encoding="utf-8")
    (tmp_path / "reply-id").write_text(proc.stdout.strip().splitlines()[-1])
    return out


def _open_offline(browser_context, modules: Path, html: Path):
    page = browser_context.new_page()
    refused: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def serve(route):
        local = _local_file(modules, route.request.url)
        if local is not None and local.is_file():
            route.fulfill(path=str(local), content_type="application/javascript")
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("http://**/*", serve)
    page.route("https://**/*", serve)
    page.goto(html.as_uri())
    return page, refused, errors


def test_saved_widget_state_renders_without_kernel(browser_context, embed_modules, tmp_path):
    html = _export(tmp_path, "state = dependency_state(w, drop_defaults=False)")
    reply_id = (tmp_path / "reply-id").read_text()
    saved = json.loads(
        re.search(
            r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
            html.read_text(encoding="utf-8"),
            re.S,
        )[1]
    )
    assert saved["state"], "no widget state saved"

    page, refused, errors = _open_offline(browser_context, embed_modules, html)
    try:
        root = page.locator(".tw-root")
        expect(root.locator('[data-role="post-title"]')).to_have_text(
            "On a social media power trip?", timeout=30_000
        )
        # The state is the thread as it was when saved, edits included.
        expect(own_part(root, reply_id, "body")).to_have_text("Added in Python before saving.")
        expect(own_part(root, "c3", "body")).to_have_text("c3, edited before saving")
        expect(comment(root, "c6")).to_be_hidden()  # deleted, no replies: gone from view
        expect(root.locator(ITEM).filter(visible=True)).to_have_count(9)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "host-static-embed.png"), full_page=True)
        assert errors == [], errors
        # Only requirejs' first guess at a local `anywidget.js` next to the page may go unanswered.
        assert [u for u in refused if not u.startswith("file:")] == [], refused
    finally:
        page.close()


def test_saved_widget_state_is_a_read_only_snapshot(browser_context, embed_modules, tmp_path):
    html = _export(tmp_path, "state = w.embed_state()")
    page, _refused, errors = _open_offline(browser_context, embed_modules, html)
    try:
        root = page.locator(".tw-root")
        expect(root.locator('[data-role="post-title"]')).to_be_visible(timeout=30_000)
        expect(root.locator(ITEM).filter(visible=True)).to_have_count(9)
        expect(root.locator(CONTROLS).filter(visible=True)).to_have_count(0)
        note = page.locator('[data-role="snapshot-note"]')
        expect(note).to_be_visible()
        expect(note).to_contain_text("read-only")
        expect(note).to_contain_text("Snapshot")
        assert errors == [], errors
    finally:
        with contextlib.suppress(Exception):
            page.close()
