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


#: Scroll the notebook around the widget's tree in a seeded random sequence (jumps anywhere in the
#: tree, flicks of ±10,000 px, small steps); after each, wait two frames and count the comments
#: on screen. Returns the steps where none was.
RANDOM_SCROLLS = """async (root, [seed, steps]) => {
  let x = seed >>> 0;
  const rnd = () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 4294967296; };
  let sc = root.parentElement;
  while (sc && !(sc.scrollHeight > sc.clientHeight + 10
      && ['auto', 'scroll', 'overlay'].includes(getComputedStyle(sc).overflowY))) {
    sc = sc.parentElement;
  }
  const tree = root.querySelector('[data-role="tree"]');
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const bad = [];
  for (let i = 0; i < steps; i++) {
    const box = sc.getBoundingClientRect();
    const t = tree.getBoundingClientRect();
    const top = t.top - box.top + sc.scrollTop;          // the tree's place in the scrolled content
    const lo = top, hi = Math.max(top, top + t.height - sc.clientHeight);
    const r = rnd();
    let to;
    if (r < 0.4) to = lo + rnd() * (hi - lo);            // a jump (a scrollbar drag, Home/End)
    else if (r < 0.8) to = sc.scrollTop + (rnd() < 0.5 ? -10000 : 10000);   // a flick
    else to = sc.scrollTop + (rnd() - 0.5) * 1200;        // a few wheel notches
    sc.scrollTop = Math.min(hi, Math.max(lo, to));
    await frame(); await frame();
    const view = sc.getBoundingClientRect();
    let shown = 0;
    for (const li of tree.querySelectorAll('[role="treeitem"] > .tw-card')) {
      const c = li.getBoundingClientRect();
      if (c.height > 0 && c.bottom > view.top && c.top < view.bottom) shown++;
    }
    const height = Math.round(tree.getBoundingClientRect().height);
    if (shown === 0) bad.push({step: i, scrollTop: Math.round(sc.scrollTop), height});
  }
  return bad;
}"""


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "size",
    [
        # NOT DONE (issue 29 item 3): the range is now recomputed until stable and anchored,
        # but 2 of 60 seeded steps at 10,000 still end past the tree's end after the estimates
        # shrink it under the reader; at 100,000 the page did not finish loading in 120 s on
        # the loaded 2-core machine. Kept as the measure of what is left.
        pytest.param(10_000, marks=pytest.mark.xfail(reason="2 of 60 steps blank", strict=False)),
        pytest.param(100_000, marks=pytest.mark.xfail(reason="not verified", run=False)),
    ],
)
def test_random_scrolls_always_show_comments(nb: Notebook, size: int):
    """Issue 29, item 3: after every scroll of a random sequence (jumps, 10,000 px flicks, small
    steps) at least one comment is on screen within two frames, at 10,000 and 100,000 comments."""
    name = f"w_scroll{size}"
    nb.run(
        f"t_scroll = synthetic.thread({size}, seed=7)\n"
        f"{name} = ThreadWidget(thread=t_scroll, user='Chris')\n"
        f"display({name})\n"
        "print(sum(1 for c in t_scroll.comments if c.parent_id is None))",
        timeout=120_000,
    )
    root = nb.widget(nb.last_cell, timeout=60_000)
    expect(root).to_have_attribute("data-complete", "true", timeout=120_000)
    expect(root.locator(TOP).first).to_be_visible()
    bad = root.evaluate(RANDOM_SCROLLS, [size, 60])
    assert not bad, f"no comment on screen after these scrolls: {bad[:10]} (of {len(bad)})"
    # real wheel flicks too (the browser's own scrolling, not a script's)
    root.locator(TOP).first.scroll_into_view_if_needed()
    box = root.bounding_box()
    nb.page.mouse.move(box["x"] + box["width"] / 2, 300)
    for _ in range(8):
        nb.page.mouse.wheel(0, 10_000)
        nb.page.wait_for_timeout(50)
        seen = root.evaluate(
            """(r) => { const v = r.ownerDocument.defaultView;
              return [...r.querySelectorAll('[role="treeitem"] > .tw-card')].filter((c) => {
                const b = c.getBoundingClientRect();
                return b.height > 0 && b.bottom > 0 && b.top < v.innerHeight;
              }).length; }"""
        )
        assert seen > 0
    nb.run(f"{name}.close()")
