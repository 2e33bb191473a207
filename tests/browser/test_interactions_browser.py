"""The interaction log in a real JupyterLab page (docs/studies.md): a scripted reader scrolls the
tree, collapses and expands a thread, starts a reply, abandons it, replies; the kernel's log
holds what they did, with on-screen times for the comments that were on screen."""

from __future__ import annotations

import time

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = WIDGET_SETUP

#: The ids of the cards at least half on screen now: inside the window and every scrolling box
#: around them (the tree's own box, JupyterLab's notebook panel).
ON_SCREEN = """(root) => {
  const clip = (c) => {
    let top = 0, bottom = window.innerHeight;
    for (let e = c.parentElement; e; e = e.parentElement) {
      const o = getComputedStyle(e).overflowY;
      if (o === 'auto' || o === 'scroll') {
        const b = e.getBoundingClientRect();
        top = Math.max(top, b.top);
        bottom = Math.min(bottom, b.bottom);
      }
    }
    return [top, bottom];
  };
  return [...root.querySelectorAll('.tw-card')].filter((c) => {
    const r = c.getBoundingClientRect();
    const [top, bottom] = clip(c);
    const seen = Math.min(r.bottom, bottom) - Math.max(r.top, top);
    return r.height > 0 && seen >= r.height / 2;
  }).map((c) => c.parentElement.dataset.commentId);
}"""


def test_a_scripted_reader_leaves_the_log_of_what_they_did(nb: Notebook) -> None:
    nb.run(
        "w_log = ThreadWidget.load(DATA, user='Chris', log_interactions=True,"
        " options={'max_height': 260})\ndisplay(w_log)"
    )
    root = nb.widget(nb.last_cell)
    page = nb.page
    notice = root.locator("xpath=..").locator('[data-role="interaction-notice"]')
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("records what you do here")
    notice.scroll_into_view_if_needed()
    nb.screenshot("interactions-notice")
    expect(root.locator('[data-comment-id="c1"]')).to_be_attached()
    root.evaluate(  # the tree's own scrolling box in the middle of the window
        "(root) => [...root.querySelectorAll('*')].find((e) => e.scrollHeight > e.clientHeight"
        " && getComputedStyle(e).overflowY === 'auto').scrollIntoView({block: 'center'})"
    )
    time.sleep(0.3)
    first = root.evaluate(ON_SCREEN)
    assert "c1" in first and "c6" not in first
    time.sleep(1.5)  # reading the top
    tree = root.locator('[data-comment-id="c1"] > .tw-card')
    tree.hover()
    for _ in range(10):  # the reader scrolls down with the wheel
        page.mouse.wheel(0, 400)
        time.sleep(0.05)
    time.sleep(0.3)
    last = root.evaluate(ON_SCREEN)
    assert "c6" in last and "c1" not in last, last
    time.sleep(1.5)  # reading the bottom
    nb.screenshot("interactions-log-on")
    # collapse and expand c5 by click, then a reply to c6 started and abandoned, then sent
    collapse = root.locator('[data-comment-id="c5"] > .tw-card button[data-action="collapse"]')
    collapse.click()
    expect(root.locator('[data-comment-id="c5"]')).to_have_attribute("aria-expanded", "false")
    collapse.click()
    expect(root.locator('[data-comment-id="c5"]')).to_have_attribute("aria-expanded", "true")
    reply = root.locator('[data-comment-id="c6"] > .tw-card button[data-action="reply"]')
    reply.click()
    box = root.locator('[data-comment-id="c6"] .tw-composer textarea')
    box.press_sequentially("not sure")
    root.locator('[data-comment-id="c6"] .tw-composer button[data-action="cancel"]').click()
    reply.click()
    box.press_sequentially("I agree with this.")
    root.locator('[data-comment-id="c6"] .tw-composer button[data-action="submit"]').click()
    nb.wait_py("any(c.body == 'I agree with this.' for c in w_log.comments)")
    nb.wait_py("any(r['kind'] == 'draft_send' for r in w_log.interaction_rows())")
    # back to the top: the bottom's spans end
    root.evaluate(
        "(root) => [...root.querySelectorAll('*')]"
        ".forEach((e) => { if (e.scrollTop) e.scrollTop = 0; })"
    )
    time.sleep(0.5)
    nb.wait_py("any(r['kind'] == 'seen' and r['id'] == 'c6' for r in w_log.interaction_rows())")
    rows = nb.eval_json("w_log.interaction_rows()")
    assert {r["user"] for r in rows} == {"Chris"}
    acts = [(r["kind"], r["id"]) for r in rows if r["kind"] != "seen"]
    assert acts == [
        ("collapse", "c5"),
        ("expand", "c5"),
        ("draft_start", "c6"),
        ("draft_abandon", "c6"),
        ("draft_start", "c6"),
        ("draft_send", "c6"),
    ], rows
    seen: dict[str, int] = {}
    for r in rows:
        if r["kind"] == "seen":
            seen[r["id"]] = seen.get(r["id"], 0) + r["ms"]
    # what was on screen while the reader read is logged, about as long as it was there
    for cid in first:
        assert seen.get(cid, 0) >= 1200, (cid, seen)
    for cid in last:
        assert seen.get(cid, 0) >= 1200, (cid, seen)
    # a comment that only passed by during the scroll is not counted as read for long
    assert all(ms < 60_000 for ms in seen.values())
    # the teacher's DataFrame holds the same rows
    assert nb.eval_json("len(w_log.interactions())") == len(rows)
