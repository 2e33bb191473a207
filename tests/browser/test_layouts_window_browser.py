"""The flat layout (issue 28) windowed at 100,000 comments in a real JupyterLab page: one stream,
only what is on screen drawn, aria-setsize the whole stream, w.focus and the keyboard reach its
far end, w.focus (sent before any keyboard use) and in two-level too.
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = (
    WIDGET_SETUP
    + """
from threadwidget.analysis import synthetic
"""
)
ITEM = '[role="treeitem"][data-comment-id]'


def _big(nb: Notebook, layout: str, css: str = ""):
    """A 100,000-comment thread in `layout`, shown and fully ordered; returns the widget root."""
    nb.run(
        "t_big = synthetic.thread(100_000, seed=3)\n"
        f"w_big = ThreadWidget(thread=t_big, user='Chris', layout={layout!r}, css={css!r})\n"
        "deep = max((c for c in t_big.comments if c.parent_id), key=lambda c: c.created_at)\n"
        "display(w_big)",
        timeout=300_000,
    )
    root = nb.widget(nb.last_cell, timeout=120_000)
    expect(root).to_have_attribute("data-complete", "true", timeout=300_000)
    expect(root.locator(".tw-tree")).to_have_class("tw-tree tw-windowed", timeout=120_000)
    # the whole stream ordered (in slices, render/order.ts) before the reader acts
    expect(root).to_have_attribute("data-state", "idle", timeout=120_000)
    return root


@pytest.mark.timeout(600)
def test_flat_layout_windowed_at_100000(nb: Notebook):
    """100,000 comments in the flat layout: one windowed stream; aria-setsize is the whole
    stream, w.focus reaches a deep reply before any keyboard use, End and Home reach the ends."""
    # cards of 320 px at least: the stream (32,000,000 px) is taller than Chromium scrolls (2^24 px)
    root = _big(nb, "flat", css=".tw-root .tw-card { min-height: 320px; }")
    head = root.locator(ITEM).first
    expect(head).to_have_attribute("aria-setsize", "100000", timeout=60_000)
    expect(head).to_have_attribute("aria-level", "1")
    assert root.locator("[data-comment-id]").count() < 1500
    # w.focus first, no keyboard used in this view: a reply far down the stream, with its quote
    deep = nb.eval_json("deep.id")
    nb.run("w_big.focus(deep.id)")
    target = root.locator(f'[data-comment-id="{deep}"]')
    expect(target).to_be_in_viewport(timeout=30_000)
    nb.page.wait_for_timeout(1500)  # the windower measures and re-anchors: it stays on screen
    expect(target).to_be_in_viewport()
    expect(target).to_have_attribute("aria-level", "1")
    expect(target.locator('[data-role="quote"]')).to_have_count(1)
    nb.screenshot("flat-100000-focus", target)
    assert root.locator("[data-comment-id]").count() < 1500
    head = root.locator(ITEM).first
    head.focus()
    nb.page.keyboard.press("End")
    expect(root.locator(f"{ITEM}:focus")).to_have_attribute("aria-posinset", "100000")
    nb.page.keyboard.press("Home")
    expect(root.locator(f"{ITEM}:focus")).to_have_attribute("aria-posinset", "1")
    nb.run("w_big.close()")


@pytest.mark.timeout(600)
def test_two_level_focus_windowed_at_100000(nb: Notebook):
    """Two-level at 100,000 comments: w.focus, before any keyboard use, brings a deep reply (shown
    at level 2 under its top-level comment, with its "in reply to" mark when deeper) on screen."""
    root = _big(nb, "two-level")
    deep = nb.eval_json("deep.id")
    nb.run("w_big.focus(deep.id)")
    target = root.locator(f'[data-comment-id="{deep}"]')
    expect(target).to_be_in_viewport(timeout=30_000)
    nb.page.wait_for_timeout(1500)
    expect(target).to_be_in_viewport()
    expect(target).to_have_attribute("aria-level", "2")
    nb.screenshot("two-level-100000-focus", target)
    assert root.locator("[data-comment-id]").count() < 1500
    nb.run("w_big.close()")
