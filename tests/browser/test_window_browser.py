"""The windowed tree in a real JupyterLab page (issue 16), smoke size: a synthetic thread with more
top-level threads than the windowing threshold. Only the threads near the screen are drawn; the
keyboard, the search box, `w.selected` and scrolling reach the others; screen readers hear each
item's place in the whole thread.
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
big = synthetic.thread(6000, seed=4)
tops = [c.id for c in big.comments if c.parent_id is None]
"""
)

TOP = '.tw-tree > [role="treeitem"][data-comment-id]'


def drawn(root) -> list[str]:
    return root.evaluate(f"(r) => [...r.querySelectorAll('{TOP}')].map((e) => e.dataset.commentId)")


def test_windowed_tree_keyboard_search_focus_and_aria(nb: Notebook):
    n_top = nb.eval_json("len(tops)")
    assert n_top > 1000
    nb.run("w_win = ThreadWidget(thread=big, user='Chris')\ndisplay(w_win)")
    root = nb.widget(nb.last_cell)
    page = nb.page
    expect(root.locator(TOP).first).to_be_visible()
    # only a window of the thread is in the DOM, with its place in the whole set
    first = drawn(root)
    assert 0 < len(first) < 200
    assert root.locator("[data-comment-id]").count() < 1500
    head = root.locator(TOP).first
    expect(head).to_have_attribute("aria-setsize", str(n_top))
    expect(head).to_have_attribute("aria-posinset", "1")
    expect(head).to_have_attribute("aria-level", "1")

    # keyboard: End reaches the last thread (not drawn before), Home comes back
    last_top = nb.eval_json("tops[-1]")  # (running a cell takes the focus: ask first)
    head.focus()
    page.keyboard.press("End")
    last = root.locator(f'[data-comment-id="{last_top}"]')
    expect(last).to_be_attached()
    assert last_top not in first
    page.keyboard.press("Home")
    expect(head).to_be_focused()
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    assert root.locator('[role="treeitem"][tabindex="0"]').count() == 1

    # the search box covers the whole thread: a comment far below the window is found and marked
    nb.run("w_win.add_comment('a zzneedle at the very end', author='Ann')")
    search = root.locator('input[data-role="search"]')
    search.fill("zzneedle")
    expect(root.locator('[data-role="search-count"]')).to_have_text("1 match")
    expect(root.locator("mark.tw-mark")).to_have_text("zzneedle")
    root.locator('button[data-action="clear-search"]').click()
    expect(root.locator(TOP).first).to_have_attribute("aria-posinset", "1")

    # scrolling the notebook draws what comes on screen and drops what left it
    before = set(drawn(root))
    root.evaluate(
        """(r) => { let el = r.parentElement;
          while (el && !(el.scrollHeight > el.clientHeight + 10
            && getComputedStyle(el).overflowY !== 'visible')) el = el.parentElement;
          el.scrollTop += 4000; }"""
    )
    page.wait_for_timeout(300)
    after = set(drawn(root))
    assert after and after != before
    assert root.locator("[data-comment-id]").count() < 1500


def test_max_height_box_scrolls_by_itself(nb: Notebook):
    nb.run("w_box = ThreadWidget(thread=big, user='Chris', options={'max_height': 400})")
    nb.run("display(w_box)")
    root = nb.widget(nb.last_cell)
    box = root.locator(".tw-tree-box")
    expect(box).to_have_class("tw-tree-box tw-scrollbox")
    height = box.evaluate("(b) => b.getBoundingClientRect().height")
    assert 380 <= height <= 420
    before = drawn(root)
    box.evaluate("(b) => { b.scrollTop = 20000; }")
    root.page.wait_for_timeout(300)
    after = drawn(root)
    assert after[0] != before[0]
    nb.screenshot("window-max-height", root)


def test_selected_from_the_kernel_reaches_a_far_comment(nb: Notebook):
    nb.run("w_sel = ThreadWidget(thread=big, user='Chris')\ndisplay(w_sel)")
    root = nb.widget(nb.last_cell)
    expect(root.locator(TOP).first).to_be_visible()
    target = nb.eval_json("tops[len(tops) * 2 // 3]")
    nb.run(f"w_sel.selected = {target!r}")
    focused = root.locator(f'[data-comment-id="{target}"]')
    expect(focused).to_be_attached()
    expect(focused).to_have_attribute("tabindex", "0")  # the tab stop (the flash may be over)
    expect(focused).to_be_in_viewport()
    # a click in the page selects: the kernel hears it
    focused.locator('[data-role="body"]').first.click()
    assert nb.wait_py(f"w_sel.selected == {target!r}")
