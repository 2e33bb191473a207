"""Search / filter and `w.focus(id)` permalinks in a real JupyterLab page.

One notebook (one kernel, one page) for the module, as in test_keyboard_browser.py. The search box
is typed into with Playwright's keyboard (real key events through JupyterLab's handlers).
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from hosts import WATCH_FOCUS_JS, comment
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


SETUP = WIDGET_SETUP

# The scroll offset of the nearest scrolling ancestor (JupyterLab's notebook panel).
SCROLL_JS = """
(root) => {
  let el = root.parentElement;
  while (el && el.scrollHeight <= el.clientHeight) el = el.parentElement;
  return el ? el.scrollTop : null;
}
"""


def show(nb: Notebook, code: str):
    nb.run(code)
    return nb.widget(nb.last_cell)


def test_search_then_focus(nb):
    root = show(nb, "w_s = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_s)")
    page = nb.page
    expect(comment(root, "c6")).to_be_visible()
    box = root.locator('input[data-role="search"]')
    sort = root.locator('select[data-role="sort"]')
    expect(box).to_have_attribute("aria-label", "Search comments")
    expect(root.locator('select[data-role="filter"]')).to_be_visible()
    # native-looking: same row, same height (±2 px) as the sort select
    b, s = box.bounding_box(), sort.bounding_box()
    assert b and s and abs(b["height"] - s["height"]) <= 2, (b, s)
    assert abs((b["y"] + b["height"] / 2) - (s["y"] + s["height"] / 2)) <= 2, (b, s)

    box.click()
    scroll_before = root.evaluate(SCROLL_JS)
    assert scroll_before, scroll_before  # the toolbar is below the fold of the long post
    page.keyboard.type("social")
    count = root.locator('[data-role="search-count"]')
    expect(count).to_have_text("4 matches")
    for cid in ("c1", "c2", "c3", "c5-r1"):
        expect(comment(root, cid)).to_be_visible()
        expect(
            comment(root, cid).locator(":scope > .tw-card [data-role='body'] mark").first
        ).to_have_text("social", ignore_case=True)
    # c5 is kept (dimmed) as the context of its matching reply; leaves that do not match go
    expect(comment(root, "c5")).to_have_class("tw-comment tw-context")
    for cid in ("c2-r1", "c4", "c4-r1", "c6"):
        expect(comment(root, cid)).to_have_count(0)
    nb.screenshot("search.png", root)

    root.locator('button[data-action="clear-search"]').click()
    expect(box).to_have_value("")
    expect(count).to_be_hidden()
    expect(comment(root, "c6")).to_be_visible()
    expect(comment(root, "c2-r1")).to_be_visible()
    assert root.locator("mark").count() == 0
    assert root.evaluate(SCROLL_JS) == scroll_before  # the reader is back where they were

    # Esc in the search box clears it too
    box.click()
    page.keyboard.type("nice")
    expect(count).to_have_text("1 match")
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    expect(comment(root, "c6")).to_be_visible()

    # w.focus(): collapse c5 first; the focus opens it, scrolls to c5-r1 and highlights it
    comment(root, "c5").locator(':scope > .tw-card button[data-action="collapse"]').click()
    expect(comment(root, "c5")).to_have_attribute("aria-expanded", "false")
    expect(comment(root, "c5-r1")).to_be_hidden()
    # scroll back up to the post: the comment is well below the fold
    root.evaluate(
        "(r) => r.querySelector('[data-role=\"post\"]').scrollIntoView({ block: 'start' })"
    )
    expect(comment(root, "c5").locator(":scope > .tw-card")).not_to_be_in_viewport()
    root.evaluate(WATCH_FOCUS_JS)
    nb.run('w_s.focus("c5-r1")')
    page.wait_for_function("() => (window.__twFocused || []).includes('c5-r1')", timeout=10_000)
    expect(comment(root, "c5")).to_have_attribute("aria-expanded", "true")
    target = comment(root, "c5-r1")
    expect(target).to_be_visible()
    expect(target.locator(":scope > .tw-card")).to_be_in_viewport()
    expect(target).to_have_attribute("tabindex", "0")
    # the highlight goes away again after about 2.5 s
    expect(target).not_to_have_class("tw-comment tw-focused", timeout=6_000)
    assert "tw-focused" not in (target.get_attribute("class") or "")
