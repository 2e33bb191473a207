"""The standalone HTML export renders the thread in a browser with no Jupyter and no network."""

from __future__ import annotations

import subprocess
import sys

import pytest
from harness import ARTIFACTS, REPO
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ITEM = '[role="treeitem"][data-comment-id]'


def test_standalone_html_renders_offline(browser_context, tmp_path):
    out = tmp_path / "power-trip.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "threadwidget",
            "html",
            str(REPO / "examples/data/power-trip.json"),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    page = browser_context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def refuse_network(route):  # nothing may come from the network
        requests.append(route.request.url)
        route.abort()

    page.route("http://**/*", refuse_network)
    page.route("https://**/*", refuse_network)
    try:
        page.goto(out.as_uri())
        root = page.locator(".tw-root")
        expect(root.locator('[data-role="post-title"]')).to_have_text(
            "On a social media power trip?"
        )
        expect(root.locator(ITEM)).to_have_count(9)
        expect(page.locator(".tw-standalone-banner")).to_contain_text("read-only")
        expect(page.locator(".tw-standalone-banner")).to_contain_text("Snapshot of")
        # a snapshot: nothing to edit
        controls = root.locator(
            'button[data-action="reply"], button[data-action="edit"], '
            'button[data-action="delete"], textarea[data-role="composer"]'
        )
        expect(controls.filter(visible=True)).to_have_count(0)
        expect(root.locator('[data-role="post"] img')).to_be_visible()  # the inline picture
        expect(root.locator('[data-role="post"]')).to_contain_text("Staff A La Carte")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "standalone-html.png"), full_page=True)
        assert errors == []
        assert requests == []
    finally:
        page.close()
