"""Static HTML of a widget saved with its state (``ipywidgets.embed``): the thread renders with no
kernel and no network. (``threadwidget html`` output: see test_export_browser.py.)

The exported page loads requirejs, ``@jupyter-widgets/html-manager`` and anywidget's frontend from
CDNs, which are unreachable here: those npm packages are installed once (cached) and answer the CDN
URLs through ``page.route``; every other request is refused (``embed_runtime.py``). The page pins
requirejs with a Subresource Integrity hash of cdnjs's *minified* file, which npm does not ship,
so that one ``integrity`` attribute is dropped from the test's copy of the page.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from embed_runtime import open_offline
from harness import ARTIFACTS, REPO
from hosts import ITEM, comment, own_part
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DATA = REPO / "examples" / "data" / "power-trip.json"
CONTROLS = (
    'button[data-action="reply"], button[data-action="edit"], button[data-action="delete"], '
    'textarea[data-role="composer"]'
)


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

    page, refused, errors = open_offline(browser_context, embed_modules, html)
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
    page, _refused, errors = open_offline(browser_context, embed_modules, html)
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
