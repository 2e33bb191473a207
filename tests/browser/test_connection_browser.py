"""The page when the kernel goes away, in a real JupyterLab page (issue 29, items 1, 2 and 5).

A kernel restart (with and without running the widget's cell again), the connection dropped and
back, a lost answer to the first sync, and a view removed while an operation waits: each view
says in one line what happened, holds back what it cannot send, keeps every draft and refused
text, catches up by itself when the kernel is back, and never throws a page error; a removed
view stops asking.
"""

from __future__ import annotations

import time

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

from conftest import CONSOLE

pytestmark = pytest.mark.browser

SETUP = (
    WIDGET_SETUP
    + """
import time
from threadwidget.analysis import synthetic
import threadwidget.widget.saved_state as saved_state

SYNCS = []   # (client, monotonic time) of every sync a hooked widget answered

def hook_syncs(w, drop_first=False):
    # record every sync the widget answers; drop_first: the first answer is lost on the way
    # (as when the kernel is interrupted while it answers)
    orig = w._page.answer_sync  # every sync, answered at once or from the background
    def answer_sync(client, rid, at, head, thread):
        SYNCS.append((client, time.monotonic()))
        if drop_first and len([c for c, _ in SYNCS if c == client]) == 1:
            return None
        return orig(client, rid, at, head, thread)
    w._page.answer_sync = answer_sync
"""
)

ITEM = '[role="treeitem"][data-comment-id]'
PAGE_ERRORS = ("[pageerror]", "Cannot send", "Uncaught")


def page_errors() -> list[str]:
    return [e for e in CONSOLE.entries if any(p in e for p in PAGE_ERRORS)]


def card_button(root, cid: str, action: str):
    return root.locator(f'[data-comment-id="{cid}"] > .tw-card button[data-action="{action}"]')


def composer_of(root, cid: str):
    return root.locator(f'[data-comment-id="{cid}"] > .tw-slot textarea[data-role="composer"]')


RESTART = """async (path) => {
  for (const w of window.jupyterapp.shell.widgets('main')) {
    if (w.context && w.context.path === path) {
      await w.sessionContext.session.kernel.restart();
      return true;
    }
  }
  return false;
}"""

RECONNECT = """async (path) => {
  for (const w of window.jupyterapp.shell.widgets('main')) {
    if (w.context && w.context.path === path) {
      await w.sessionContext.session.kernel.reconnect();
      return true;
    }
  }
  return false;
}"""

#: Record every value `data-link` takes on the widget roots from now on (window.__twLinks).
WATCH_LINKS = """() => {
  window.__twLinks = [];
  new MutationObserver((rs) => {
    for (const r of rs) window.__twLinks.push(r.target.dataset.link);
  })
    .observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-link']});
}"""

RERUN = """async ([path, idx]) => {
  const app = window.jupyterapp;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path) {
      app.shell.activateById(w.id);
      w.content.activeCellIndex = idx;
      w.content.deselectAll();
      await app.commands.execute('notebook:run-cell');
      return true;
    }
  }
  return false;
}"""


def test_connection_lost_and_back_resyncs_by_itself(nb: Notebook):
    nb.run("w_back = ThreadWidget.load(DATA, user='Chris')\nhook_syncs(w_back)\ndisplay(w_back)")
    root = nb.widget(nb.last_cell)
    expect(root.locator(ITEM).first).to_be_visible()
    synced = nb.eval_json("len(SYNCS)")
    nb.page.evaluate(WATCH_LINKS)
    assert nb.page.evaluate(RECONNECT, nb.name)
    nb.page.wait_for_function("() => window.__twLinks.includes('lost')", timeout=10_000)
    expect(root).to_have_attribute("data-link", "live", timeout=20_000)
    expect(root.locator('[data-role="connection"]')).to_be_hidden()
    # back: the view asked what it missed, by itself
    assert nb.wait_py(f"len(SYNCS) > {synced}")
    # and works as before
    text = "Still here after the connection came back."
    card_button(root, "c3", "reply").click()
    composer_of(root, "c3").fill(text)
    composer_of(root, "c3").press("Control+Enter")
    assert nb.wait_py(f"any(c.body == {text!r} for c in w_back.thread.comments)")
    assert not page_errors(), page_errors()


def test_lost_first_sync_is_asked_again(nb: Notebook):
    # a thread big enough (here: a small limit) that the view paints a first screen and needs the
    # answer to its first sync for the rest; that answer is lost
    nb.run(
        "saved_state.SNAPSHOT_LIMIT, _limit = 2000, saved_state.SNAPSHOT_LIMIT\n"
        "w_lost = ThreadWidget(thread=synthetic.thread(300, seed=3), user='Chris')\n"
        "saved_state.SNAPSHOT_LIMIT = _limit\n"
        "hook_syncs(w_lost, drop_first=True)\n"
        "display(w_lost)"
    )
    root = nb.widget(nb.last_cell)
    expect(root).to_have_attribute("data-complete", "false")
    # asked again after the retry time (10 s): the whole thread arrives, the controls with it
    expect(root).to_have_attribute("data-complete", "true", timeout=30_000)
    assert nb.eval_json("len(SYNCS)") >= 2
    new = nb.eval_json("w_lost.add_comment('Python speaks after the lost sync', author='Ann').id")
    expect(root.locator(f'[data-comment-id="{new}"]')).to_be_visible()
    expect(root.locator('button[data-action="reply"]').first).to_be_visible()
    assert not page_errors(), page_errors()


def test_removed_view_stops_asking(nb: Notebook):
    code = (
        "w_gone = ThreadWidget.load(DATA, user='Chris')\n"
        "hook_syncs(w_gone)\n"
        "w_gone._server.operation = lambda request: None   # operations never answered\n"
        "display(w_gone)"
    )
    nb.run(code)
    cell = nb.last_cell
    root = nb.widget(cell)
    card_button(root, "c1", "like").click()  # (c1 is liked by Chris: an unlike, never answered)
    expect(root.locator('[data-comment-id="c1"]')).to_have_attribute("data-pending", "true")
    clients = nb.eval_json("sorted({c for c, _ in SYNCS})")
    # the cell runs again while the operation waits: the old view is removed, its model stays
    assert nb.page.evaluate(RERUN, [nb.name, cell])
    root = nb.widget(cell)
    expect(root.locator(ITEM).first).to_be_visible()
    t0 = nb.eval_json("time.monotonic()")
    time.sleep(18)  # past the 15 s after which a waiting view asks again
    late = nb.eval_json(f"[c for c, t in SYNCS if t > {t0} and c in {clients!r}]")
    assert late == [], f"the removed view kept asking: {late}"
    assert not page_errors(), page_errors()


def test_kernel_restart_keeps_drafts_and_says_so(jupyter_server, browser_context):
    cells = [
        WIDGET_SETUP,
        "w_r = ThreadWidget.load(DATA, user='Chris')\n"
        "w_r.add_validator(\n"
        "    lambda op, ctx: time.sleep(60) if getattr(op, 'body', '') == 'in flight' else None)\n"
        "import time\n"
        "display(w_r)",
        "display(w_r)",
    ]
    with Notebook(jupyter_server, browser_context, cells, name="tw-restart.ipynb") as nb:
        nb.run_all()
        a, b = nb.widget(1), nb.widget(2)
        # view A: a reply being written; view B: a comment sent (its answer held by the kernel)
        card_button(a, "c1", "reply").click()
        draft = "A draft written before the restart"
        composer_of(a, "c1").fill(draft)
        new = b.locator('[data-role="new-comment"] textarea')
        new.fill("in flight")
        new.press("Control+Enter")
        expect(b.locator('[data-pending="true"]')).to_have_count(1)
        composer_of(a, "c1").focus()

        assert nb.page.evaluate(RESTART, nb.name)
        for root in (a, b):
            expect(root).to_have_attribute("data-link", "gone", timeout=30_000)
            note = root.locator('[data-role="connection"]')
            expect(note).to_be_visible()
            expect(note).to_contain_text("run this widget's cell again")
        # the text in flight is back in its composer, with why; nothing stays "sending…"
        expect(new).to_have_value("in flight")
        expect(b.locator('[data-role="new-comment"] [data-role="error"]')).to_contain_text(
            "restarted"
        )
        expect(b.locator('[data-pending="true"]')).to_have_count(0)
        # the draft is kept, with its focus; sending it says why it cannot go, and keeps it
        expect(composer_of(a, "c1")).to_have_value(draft)
        expect(composer_of(a, "c1")).to_be_focused()
        composer_of(a, "c1").press("Control+Enter")
        expect(a.locator('[data-comment-id="c1"] > .tw-slot [data-role="error"]')).to_contain_text(
            "restarted"
        )
        expect(composer_of(a, "c1")).to_have_value(draft)
        # what would send is marked unavailable; a click does nothing but say so
        like = card_button(a, "c2", "like")
        expect(like).to_have_attribute("aria-disabled", "true")
        like.click(force=True)  # (Playwright clicks only enabled-looking controls by itself)
        expect(a.locator('[data-role="error"].tw-banner')).to_contain_text("restarted")
        nb.screenshot("kernel-restarted", a)
        assert not page_errors(), page_errors()

        # the widget's first cell runs again (setup first: the kernel is new): that view is live
        nb.page.evaluate(RERUN, [nb.name, 0])
        nb.page.evaluate(RERUN, [nb.name, 1])
        fresh = nb.widget(1)
        expect(fresh).not_to_have_attribute("data-link", "gone")
        expect(fresh.locator('[data-role="connection"]')).to_be_hidden()
        text = "After running the cell again"
        card_button(fresh, "c3", "reply").click()
        composer_of(fresh, "c3").fill(text)
        composer_of(fresh, "c3").press("Control+Enter")
        assert nb.wait_py(f"any(c.body == {text!r} for c in w_r.thread.comments)")
        # the view in the cell not run again still says so, with its text kept
        old = nb.widget(2)
        expect(old).to_have_attribute("data-link", "gone")
        expect(old.locator('[data-role="new-comment"] textarea')).to_have_value("in flight")
        assert not page_errors(), page_errors()
