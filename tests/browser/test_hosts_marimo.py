"""marimo: ``examples/marimo_app.py`` under ``marimo run``: the widget renders, a reply typed in
the page reaches Python, and marimo's reactive cell (the ``mo.state`` + ``on_change`` pattern)
shows the new comment; the theme follows marimo's light and dark modes."""

from __future__ import annotations

import contextlib
import re

import pytest
from harness import ARTIFACTS, REPO
from hosts import (
    ServerError,
    assert_follows_theme,
    comment_with_body,
    reply_from_page,
    start_marimo,
    stop_host,
    theme_colours,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

APP = REPO / "examples" / "marimo_app.py"
SUMMARY = re.compile(r"(\d+) comments \(version (\d+)\)")


@pytest.fixture(scope="module")
def marimo_server():
    try:
        __import__("marimo")
    except ImportError as e:
        pytest.fail(f"marimo is not installed ({e}); pip install -e '.[test]'", pytrace=False)
    try:
        server = start_marimo(APP, theme="system")  # the page's colour scheme decides
    except ServerError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield server
    finally:
        stop_host(server)


@pytest.fixture
def open_app(marimo_server, browser_context, request):
    """Open the app in a new page (``dark`` or light colour scheme); one marimo session each."""
    pages = []
    since = marimo_server.log_size()

    def _open(dark: bool = False):
        page = browser_context.new_page()
        pages.append(page)
        page.emulate_media(color_scheme="dark" if dark else "light")
        page.goto(marimo_server.url, wait_until="domcontentloaded")
        root = page.locator(".tw-root")
        expect(root).to_have_count(1, timeout=60_000)
        expect(root.locator('[role="treeitem"][data-comment-id]').first).to_be_visible()
        return page, root

    yield _open
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        for i, page in enumerate(pages):
            with contextlib.suppress(Exception):
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-{i}.png"))
        print(f"--- marimo log ---\n{marimo_server.log_tail(since)}")
    for page in pages:
        with contextlib.suppress(Exception):
            page.close()


def _summary(page) -> tuple[int, int, str]:
    text = page.get_by_text(SUMMARY).first.inner_text()
    m = SUMMARY.search(text)
    assert m, text
    return int(m[1]), int(m[2]), text


def test_marimo_reply_reaches_python_and_reactive_cell(open_app):
    page, root = open_app()
    expect(root.locator('[data-role="post-title"]')).to_have_text("On a social media power trip?")
    expect(root.locator('[role="treeitem"][data-comment-id]')).to_have_count(9)
    count, version, _ = _summary(page)
    assert (count, version) == (9, 0)

    text = "A reply typed in marimo."
    reply_from_page(root, "c3", text)

    # The reactive cell is computed in Python from the widget's thread: seeing the new comment
    # there proves the reply reached Python and that marimo re-ran the cell.
    summary = page.get_by_text(SUMMARY).first
    expect(summary).to_contain_text("10 comments (version 1)", timeout=20_000)
    expect(summary).to_contain_text(f"Latest, by Chris: “{text}”")
    new = comment_with_body(root, text)
    expect(new).to_have_count(1)
    expect(new).not_to_have_attribute("data-pending", "true")  # confirmed by the kernel's event
    page.screenshot(path=str(ARTIFACTS / "host-marimo.png"))


@pytest.mark.parametrize("dark", [pytest.param(False, id="light"), pytest.param(True, id="dark")])
def test_marimo_theme(open_app, dark):
    page, root = open_app(dark=dark)
    expect(page.locator("body.dark, body.dark-theme, html.dark")).to_have_count(1 if dark else 0)
    shot = ARTIFACTS / f"theme-marimo-{'dark' if dark else 'light'}.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    assert_follows_theme(theme_colours(root), dark, f"marimo {'dark' if dark else 'light'}")
