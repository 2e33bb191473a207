"""The widget owns its keys in a real JupyterLab page (issue 29, item 4): keys pressed on its own
buttons and selects never reach JupyterLab's command-mode shortcuts (``d d`` does not delete the
widget's cell, ``a`` inserts nothing, ``j``/ArrowDown move no cell, ArrowDown on the sort select
changes the sort), while the notebook's shortcuts still work once the focus is outside the widget.
Notebook 7 is checked in ``test_hosts_notebook7.py``."""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
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
