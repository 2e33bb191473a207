"""Keyboard-only use of threadwidget in a real JupyterLab page (WAI-ARIA tree, roving tabindex).

One notebook (one kernel, one page) for the module, as in test_widget_browser.py; each test shows
its own widget in a new cell. Keys go through Playwright's keyboard (real key events through
JupyterLab's own handlers), never dispatched by script.
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


SETUP = WIDGET_SETUP

ITEM = '[role="treeitem"][data-comment-id]'


def item(root, cid):
    return root.locator(f'{ITEM}[data-comment-id="{cid}"]')


def focused_id(root) -> str | None:
    return root.evaluate(
        "(root) => { const a = document.activeElement;"
        " return a && root.contains(a) ? (a.dataset.commentId || a.tagName) : null; }"
    )


def tab_stops(root) -> list[str]:
    return root.evaluate(
        "(root) => [...root.querySelectorAll('[role=treeitem][tabindex=\"0\"]')]"
        ".map((e) => e.dataset.commentId)"
    )


def show(nb: Notebook, code: str):
    nb.run(code)
    return nb.widget(nb.last_cell)


def test_keyboard_walk_collapse_reply_like(nb):
    root = show(nb, "w_kb = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_kb)")
    page = nb.page
    key = page.keyboard.press
    expect(item(root, "c6")).to_be_attached()
    # The seed thread, oldest first: c1, c2 > c2-r1, c3, c4 > c4-r1, c5 > c5-r1, c6.
    assert tab_stops(root) == ["c1"]

    # Tab from the top-level composer's last button lands on the tree's one tab stop.
    root.locator('[data-role="new-comment"] button[data-action="submit"]').focus()
    key("Tab")
    expect(item(root, "c1")).to_be_focused()

    walk = []
    for _ in range(3):
        key("ArrowDown")
        walk.append(focused_id(root))
    assert walk == ["c2", "c2-r1", "c3"]
    key("k")
    expect(item(root, "c2-r1")).to_be_focused()
    key("ArrowLeft")  # a leaf: to its parent
    expect(item(root, "c2")).to_be_focused()
    key("ArrowLeft")  # expanded: collapse
    expect(item(root, "c2")).to_have_attribute("aria-expanded", "false")
    expect(item(root, "c2-r1")).to_be_hidden()
    key("j")  # skips the collapsed replies
    expect(item(root, "c3")).to_be_focused()
    key("ArrowUp")
    key("ArrowRight")  # collapsed: expand
    expect(item(root, "c2")).to_have_attribute("aria-expanded", "true")
    expect(item(root, "c2")).to_be_focused()
    key("ArrowRight")  # expanded: first reply
    expect(item(root, "c2-r1")).to_be_focused()
    key("End")
    expect(item(root, "c6")).to_be_focused()
    key("Home")
    expect(item(root, "c1")).to_be_focused()
    assert tab_stops(root) == ["c1"]

    for _ in range(4):
        key("ArrowDown")
    expect(item(root, "c4")).to_be_focused()
    key("Enter")  # toggles collapse, focus stays
    expect(item(root, "c4")).to_have_attribute("aria-expanded", "false")
    expect(item(root, "c4-r1")).to_be_hidden()
    expect(item(root, "c4")).to_be_focused()
    key("ArrowDown")
    expect(item(root, "c5")).to_be_focused()
    assert tab_stops(root) == ["c5"]
    expect(item(root, "c5")).to_have_attribute("aria-posinset", "5")
    expect(item(root, "c5")).to_have_attribute("aria-setsize", "6")

    # The focus ring: visible (an outline in the theme's brand colour) round the card only.
    ring = item(root, "c5").evaluate(
        """(li) => {
          const card = li.querySelector(':scope > .tw-card');
          const s = getComputedStyle(card);
          return { visible: li.matches(':focus-visible'), style: s.outlineStyle,
                   width: s.outlineWidth, color: s.outlineColor,
                   brand: getComputedStyle(li).getPropertyValue('--jp-brand-color1').trim(),
                   liOutline: getComputedStyle(li).outlineStyle };
        }"""
    )
    assert ring["visible"] and ring["style"] == "solid" and ring["width"] == "2px", ring
    assert ring["liOutline"] == "none", ring
    assert ring["brand"], ring  # JupyterLab's theme variable is there to use
    nb.screenshot("keyboard", root)

    # r: reply to the focused comment; typed letters are text, not shortcuts.
    key("r")
    composer = item(root, "c5").locator(':scope > .tw-slot textarea[data-role="composer"]')
    expect(composer).to_be_focused()
    text = "Typed with the keyboard only: j k r l, Home and End stay text."
    page.keyboard.type(text)
    key("Home")
    key("End")
    expect(composer).to_have_value(text)
    expect(composer).to_be_focused()
    key("Control+Enter")
    found = nb.wait_py(f"[c for c in tw_comments(w_kb) if c['body'] == {text!r}]")
    assert len(found) == 1 and found[0]["parent_id"] == "c5" and found[0]["author"] == "Chris"
    new = item(root, found[0]["id"])
    expect(new).to_be_visible()
    expect(new).not_to_have_attribute("data-pending", "true")

    # l: like the focused comment, from the keyboard, confirmed by Python.
    item(root, "c5").focus()
    key("l")
    nb.wait_py("'Chris' in next(c for c in w_kb.thread.comments if c.id == 'c5').liked_by")
    expect(
        item(root, "c5").locator(':scope > .tw-card button[data-action="like"]')
    ).to_have_attribute("aria-pressed", "true")
    assert len(tab_stops(root)) == 1


def test_keyboard_more_replies_button(nb):
    root = show(
        nb,
        """
        w_km = ThreadWidget(post=Post(title="Busy", author="Steve", body="Discuss."),
                            comments=[Comment(id="p", author="Ann", body="top")]
                            + [Comment(id=f"r{i:02}", parent_id="p", author="Bob",
                                       body=f"reply {i}") for i in range(25)]
                            + [Comment(id="z", author="Ann", body="last")], user="Chris")
        display(w_km)
        """,
    )
    more = root.locator('button[data-action="more"]')
    expect(more).to_have_text("Show 5 more replies")
    item(root, "r19").focus()
    nb.page.keyboard.press("ArrowDown")
    expect(more).to_be_focused()
    nb.page.keyboard.press("Enter")
    expect(item(root, "r20")).to_be_focused()
    expect(root.locator(ITEM)).to_have_count(27)
    expect(more).to_have_count(0)
    # a reply from Python to the busy comment shows at once now that every reply is shown
    new = nb.eval_json("w_km.add_comment('late', author='Eve', parent_id='p').id")
    expect(item(root, new)).to_be_visible()
