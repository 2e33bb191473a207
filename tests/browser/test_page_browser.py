"""The widget owns its keys in a real JupyterLab page (issue 29, item 4): keys pressed on its own
buttons and selects never reach JupyterLab's command-mode shortcuts (``d d`` does not delete the
widget's cell, ``a`` inserts nothing, ``j``/ArrowDown move no cell, ArrowDown on the sort select
changes the sort), while the notebook's shortcuts still work once the focus is outside the widget.
Notebook 7 is checked in ``test_hosts_notebook7.py``."""

from __future__ import annotations

import pytest
from harness import REPO, WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = WIDGET_SETUP

#: The open notebook's cell count and active cell index.
NB_STATE = """(path) => {
  const app = window.jupyterapp;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path) {
      const nb = w.content;
      return {cells: nb.model.sharedModel.cells.length, active: nb.activeCellIndex, mode: nb.mode};
    }
  }
  return null;
}"""

#: Make cell `idx` the active one in command mode, the focus on the notebook (outside the widget).
COMMAND_MODE_ON = """([path, idx]) => {
  for (const w of window.jupyterapp.shell.widgets('main')) {
    if (w.context && w.context.path === path) {
      const nb = w.content;
      nb.activeCellIndex = idx;
      nb.mode = 'command';
      nb.activeCell.node.focus();
      const a = document.activeElement;
      return !!a && nb.node.contains(a) && !a.closest('.tw-root');
    }
  }
  return false;
}"""


def state(nb: Notebook) -> dict:
    return nb.page.evaluate(NB_STATE, nb.name)


def test_keys_on_widget_controls_never_reach_notebook_shortcuts(nb: Notebook):
    nb.run("w_keys = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_keys)")
    cell = nb.last_cell
    root = nb.widget(cell)
    page = nb.page
    # a click in the output makes the widget's cell the active one, in command mode
    root.locator('[data-role="post-title"]').click()
    before = state(nb)
    assert before["mode"] == "command" and before["active"] == cell, before

    like = root.locator('[data-comment-id="c1"] > .tw-card button[data-action="like"]')
    like.focus()
    for key in ("d", "d", "a", "b", "j", "k", "ArrowDown", "x", "m", "Shift+M"):
        page.keyboard.press(key)
    expect(like).to_be_focused()
    after = state(nb)
    assert after["cells"] == before["cells"], f"a key on the Like button changed the cells: {after}"
    assert after["active"] == cell, f"a key on the Like button moved to another cell: {after}"
    assert nb.eval_json("list(w_keys.get('c1').liked_by)") == ["Steve", "Chris"]  # no key unliked

    # the sort select takes its arrow keys: the sort changes, the active cell does not
    cells = state(nb)["cells"]
    sort = root.locator('select[data-role="sort"]')
    sort.focus()
    page.keyboard.press("ArrowDown")
    expect(sort).to_have_value("newest")
    now = state(nb)
    assert now["active"] == cell and now["cells"] == cells, now
    assert nb.wait_py("w_keys.sort == 'newest'")

    # a tree item and a link-free card part too: `d d` on a focused comment deletes nothing
    cells = state(nb)["cells"]
    item = root.locator('[role="treeitem"][data-comment-id="c2"]')
    item.focus()
    page.keyboard.press("d")
    page.keyboard.press("d")
    page.keyboard.press("a")
    assert state(nb)["cells"] == cells

    # outside the widget, the notebook's own shortcuts still work: `a` inserts a cell above
    assert page.evaluate(COMMAND_MODE_ON, [nb.name, 0])
    page.keyboard.press("a")
    page.wait_for_function(
        "([path, n]) => { for (const w of window.jupyterapp.shell.widgets('main'))"
        " if (w.context && w.context.path === path)"
        " return w.content.model.sharedModel.cells.length === n; return false; }",
        arg=[nb.name, cells + 1],
        timeout=10_000,
    )
    # remove the inserted (empty) cell again; later tests append at the end
    page.evaluate(
        "([path, idx]) => { for (const w of window.jupyterapp.shell.widgets('main'))"
        " if (w.context && w.context.path === path) w.content.model.sharedModel.deleteCell(idx); }",
        [nb.name, 0],
    )
    nb.tag_cells()


# --------------------------------------------------------------------------- drafts (item 8)


def test_typing_survives_redraws_around_the_draft(nb: Notebook):
    """Python changes the sort, the words and a lock, and others' likes move the comment being
    replied to, while the reader types: every keystroke lands, focus and caret stay."""
    nb.run("w_typing = ThreadWidget.load(DATA, user='Chris', sort='top')\ndisplay(w_typing)")
    root = nb.widget(nb.last_cell)
    root.locator('[data-comment-id="c3"] > .tw-card button[data-action="reply"]').click()
    composer = root.locator('[data-comment-id="c3"] > .tw-slot textarea[data-role="composer"]')
    expect(composer).to_be_focused()
    # redraws from the kernel while the reader types (timers: a cell would take the focus)
    nb.run(
        "import threading\n"
        "def _likes():\n"
        "    for u in ('u1', 'u2', 'u3', 'u4', 'u5'):\n"
        "        w_typing.like('c3', user=u)\n"
        "_steps = [(1.5, lambda: setattr(w_typing, 'sort', 'newest')),\n"
        "          (2.5, lambda: setattr(w_typing, 'sort', 'top')),\n"
        "          (3.5, _likes),\n"
        "          (4.5, lambda: setattr(w_typing, 'strings', {'reply': 'Answer'})),\n"
        "          (5.5, lambda: w_typing.lock('c1', 'Settled'))]\n"
        "for _t, _f in _steps:\n"
        "    threading.Timer(_t, _f).start()"
    )
    composer.click()
    composer.press("End")
    text = "Typed while the tree moved around me: every key lands. " * 2
    nb.page.keyboard.type(text, delay=55)
    nb.page.wait_for_timeout(500)
    expect(composer).to_have_value(text)
    expect(composer).to_be_focused()
    caret = composer.evaluate("(t) => [t.selectionStart, t.selectionEnd]")
    assert caret == [len(text), len(text)]
    # the redraws did happen: c3 moved to the top, the words changed, c1 is locked
    expect(root.locator(".tw-tree > [data-comment-id]").first).to_have_attribute(
        "data-comment-id", "c3"
    )
    expect(
        root.locator('[data-comment-id="c3"] > .tw-slot button[data-action="submit"]')
    ).to_have_text("Answer")
    expect(root.locator('[data-comment-id="c1"] [data-role="mod-locked"]').first).to_be_visible()


def test_the_newest_refused_text_wins(nb: Notebook):
    nb.run(
        "w_refuse = ThreadWidget.load(DATA, user='Jennifer')\n"
        "def _slow_no(op, ctx):\n"
        "    if op.type == 'edit' and 'refuse' in op.body:\n"
        "        time.sleep(1.5)\n"
        "        raise ValueError('Refused: ' + op.body)\n"
        "import time\n"
        "w_refuse.add_validator(_slow_no)\n"
        "display(w_refuse)"
    )
    root = nb.widget(nb.last_cell)
    edit = root.locator('[data-comment-id="c1"] > .tw-card button[data-action="edit"]')
    composer = root.locator('[data-comment-id="c1"] > .tw-slot textarea[data-role="composer"]')
    edit.click()
    composer.fill("refuse one: the older text")
    composer.press("Control+Enter")
    expect(composer).to_have_count(0)
    edit.click()  # the second edit while the first is still waiting for the kernel
    composer.fill("refuse two: the newer text")
    composer.press("Control+Enter")
    # both are refused, the older first: the newer text is what the composer shows
    error = root.locator('[data-comment-id="c1"] > .tw-slot [data-role="error"]')
    expect(error).to_contain_text("Refused: refuse two", timeout=20_000)
    expect(composer).to_have_value("refuse two: the newer text")
    nb.page.wait_for_timeout(1000)
    expect(composer).to_have_value("refuse two: the newer text")


# ------------------------------------------------------------ moderation menu keys (item 9)


def test_escape_closes_the_moderation_menu_and_focus_goes_in_order(nb: Notebook):
    nb.run("w_mod = ThreadWidget.load(DATA, user='Ms. R', role='moderator')\ndisplay(w_mod)")
    root = nb.widget(nb.last_cell)
    toggle = root.locator('[data-comment-id="c2"] > .tw-card button[data-action="moderate"]')
    toggle.click()
    menu = root.locator('[data-comment-id="c2"] > .tw-card [data-role="mod-menu"]')
    expect(menu).to_be_visible()
    first = menu.locator("button").first
    expect(first).to_be_focused()  # the opened menu takes the focus
    nb.page.keyboard.press("Tab")
    expect(menu.locator("button").nth(1)).to_be_focused()  # the next action, not Collapse
    nb.page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    # Escape on the toggle of an open menu closes it too
    toggle.click()
    expect(menu).to_be_visible()
    toggle.focus()
    nb.page.keyboard.press("Escape")
    expect(menu).to_have_count(0)


# ------------------------------------------------------------------- narrow and dark (item 9)

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHANGE_THEME = "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})"

#: WCAG contrast of every avatar's initials on the avatar's colour.
AVATARS = """(root) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number).slice(0, 3);
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  return [...root.querySelectorAll('.tw-avatar')].filter((a) => a.textContent.trim()).map((a) => {
    const s = getComputedStyle(a);
    const x = lum(rgb(s.color)), y = lum(rgb(s.backgroundColor));
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  });
}"""

#: What sticks out of the widget, and how wide the deepest comments' bodies are.
LAYOUT = """(root) => {
  const r = root.getBoundingClientRect();
  const out = [];
  for (const el of root.querySelectorAll('button, select, input, textarea, [data-role="body"]')) {
    const b = el.getBoundingClientRect();
    if (b.width === 0 && b.height === 0) continue;
    const what = el.dataset.action || el.dataset.role || el.tagName;
    if (b.right > r.right + 1 || b.left < r.left - 1)
      out.push(what + ' ' + Math.round(b.left) + '..' + Math.round(b.right));
  }
  const sel = '[role="treeitem"][aria-level] > .tw-card [data-role="body"]';
  const bodies = [...root.querySelectorAll(sel)].map((b) => [
    Number(b.closest('[aria-level]').getAttribute('aria-level')),
    Math.round(b.getBoundingClientRect().width)]);
  return {out, bodies, width: Math.round(r.width), overflow: root.scrollWidth - root.clientWidth};
}"""

NARROW_THREAD = """
_seed = ThreadWidget.load(DATA).thread
_chain = tuple(Comment(id=f"d{i}", parent_id=("c1" if i == 1 else f"d{i-1}"),
                       author=f"Deep Replier {i}",
                       body=f"Reply at depth {i + 1}, long enough for a few lines at this width.")
               for i in range(1, 11))
w_narrow = ThreadWidget(thread=Thread(post=_seed.post, comments=_seed.comments + _chain),
                        user='Ms. R', role='moderator', label_set=['supportive', 'spam'])
_spam = w_narrow.add_comment("Buy followers at [this link](https://example.org/buy) now!",
                             author="Spammer")
w_narrow.mark_spam(_spam.id, "Advert")
display(w_narrow)
"""


def test_narrow_and_dark_is_readable_and_reachable(nb: Notebook):
    page = nb.page
    nb.run(NARROW_THREAD)
    cell = nb.last_cell
    viewport = page.viewport_size
    try:
        page.evaluate(CHANGE_THEME, "JupyterLab Dark")
        expect(page.locator("body")).to_have_attribute(
            "data-jp-theme-light", "false", timeout=20_000
        )
        expect(page.locator("#jupyterlab-splash")).to_have_count(0)
        page.set_viewport_size({"width": 320, "height": 800})
        page.evaluate(
            "() => { const s = window.jupyterapp.shell; s.collapseLeft(); s.collapseRight(); }"
        )
        root = nb.widget(cell)
        page.wait_for_timeout(500)
        layout = root.evaluate(LAYOUT)
        nb.screenshot("narrow-dark-320", root)
        assert layout["overflow"] <= 1 and not layout["out"], layout
        # indentation stops growing: the deepest reply's body is most of a top-level one's width
        top = max(w for level, w in layout["bodies"] if level == 1)
        deepest = max(layout["bodies"])
        assert deepest[0] >= 10 and deepest[1] >= 0.6 * top, layout["bodies"]
        # a reply from the deepest comment: its composer's buttons are on screen and work
        last = root.locator('[data-comment-id="d10"] > .tw-card button[data-action="reply"]')
        last.click()
        composer = root.locator('[data-comment-id="d10"] > .tw-slot textarea[data-role="composer"]')
        composer.fill("Sent from a phone-sized page.")
        for action in ("cancel", "submit"):
            btn = root.locator(f'[data-comment-id="d10"] > .tw-slot button[data-action="{action}"]')
            box = btn.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, (action, box)
        root.locator('[data-comment-id="d10"] > .tw-slot button[data-action="submit"]').click()
        assert nb.wait_py(
            "any(c.body == 'Sent from a phone-sized page.' for c in w_narrow.thread.comments)"
        )
        # contrast: every avatar's initials, and axe-core's WCAG AA colour-contrast rule
        ratios = root.evaluate(AVATARS)
        assert ratios and min(ratios) >= 4.5, sorted(ratios)[:5]
        page.add_script_tag(path=str(AXE))
        result = root.evaluate(
            "(root) => window.axe.run(root, {runOnly: {type: 'rule', values: ['color-contrast']}})"
            ".then((r) => r.violations.flatMap((v) => v.nodes.map("
            "(n) => n.target.join(' ') + ': ' + n.failureSummary)))"
        )
        assert not result, "\n".join(result[:10])
    finally:
        page.set_viewport_size(viewport)
        page.evaluate(CHANGE_THEME, "JupyterLab Light")
        expect(page.locator("body")).to_have_attribute(
            "data-jp-theme-light", "true", timeout=20_000
        )


# ------------------------------------------------------------------------- bursts (item 7)


@pytest.mark.timeout(400)
def test_a_burst_of_20000_python_calls_ends_equal_in_the_page(nb: Notebook):
    """20,000 calls in one cell: the page ends where Python is (no IOPub message dropped), each
    comment's likes equal to Python's; 1,000 new comments among them, all in the page."""
    nb.run("w_burst = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_burst)")
    root = nb.widget(nb.last_cell)
    out = nb.run(
        "_ids = [c.id for c in w_burst.thread.comments if c.status == 'visible']\n"
        "_new = [w_burst.add_comment(f'burst {i}', author='Bot', parent_id=_ids[i % 3]).id\n"
        "        for i in range(1000)]\n"
        "_all = _ids + _new\n"
        "_n = len(_all)\n"
        "for i in range(19000):\n"
        "    _verb = w_burst.like if i // _n % 2 == 0 else w_burst.unlike\n"
        "    _verb(_all[i % _n], user=f'reader{i % _n}')\n"
        "print(w_burst.seq)",
        timeout=300_000,
    )
    assert out.strip() == "20000", out
    assert "rate exceeded" not in nb.cell(nb.last_cell).inner_text()
    expect(root).to_have_attribute("data-seq", "20000", timeout=120_000)
    likes = nb.eval_json(
        "{c.id: c.likes for c in w_burst.thread.comments if c.status == 'visible'}"
    )
    shown = root.evaluate(
        """(r) => Object.fromEntries([...r.querySelectorAll('[data-comment-id]')].map((li) => [
          li.dataset.commentId,
          Number(li.querySelector(':scope > .tw-card [data-role="likes"]')?.textContent ?? -1)]))"""
    )
    # every comment Python has is in the page with Python's like count (replies past the
    # first 20 of a comment wait behind "Show more": those are counted, not drawn)
    drawn = {k: v for k, v in likes.items() if k in shown}
    assert len(drawn) >= 60 and all(shown[k] == v for k, v in drawn.items()), [
        (k, shown[k], v) for k, v in drawn.items() if shown[k] != v
    ][:10]
    expect(root.locator('[data-role="count"]')).to_contain_text(f"{len(likes):,}")
