"""Moderation and roles in a real JupyterLab page: a moderator marks the seed thread's spam comment
from the page, Python sees it; role switches from Python redraw the page at once; a participant
reports a comment; a reader has no controls; a thread lock from Python closes the composer.

One notebook (one kernel, one page) for the module, as in test_search_browser.py. Reasons are typed
with Playwright's keyboard (real key events through JupyterLab's handlers).
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = WIDGET_SETUP

ITEM = '[role="treeitem"][data-comment-id]'
#: every control that changes the thread (the collapse toggles only change the view)
WRITE_CONTROLS = (
    'button[data-action="like"], button[data-action="reply"], button[data-action="edit"], '
    'button[data-action="delete"], button[data-action="report"], button[data-action="unflag"], '
    'button[data-action="moderate"], button[data-mod], textarea[data-role="composer"]'
)


def item(root, cid):
    return root.locator(f'{ITEM}[data-comment-id="{cid}"]')


def card_button(root, cid, action):
    return item(root, cid).locator(f':scope > .tw-card button[data-action="{action}"]')


def test_moderation_and_roles(nb: Notebook):
    nb.run(
        "w_m = ThreadWidget.load(DATA, user='Ms. Rivera', role='moderator')\n"
        "w_m.flag('c4', 'just a one-liner', user='Jennifer')\n"
        "w_m.flag('c4', '', user='Steve M.')\n"
        "w_m.pin('c2', 'the blogger answers here')\n"
        "display(w_m)"
    )
    root = nb.widget(nb.last_cell)
    page = nb.page
    spam = item(root, "c6")
    expect(spam).to_be_visible()
    expect(spam.locator(':scope > .tw-card [data-role="body"]')).to_contain_text("instagram")

    # the moderator marks the spam comment as spam from the page, with a reason
    card_button(root, "c6", "moderate").click()
    menu = spam.locator('[data-role="mod-menu"]')
    expect(menu.locator("button")).to_have_text(["Hide", "Spam", "Remove", "Pin", "Lock replies"])
    menu.locator('button[data-mod="spam"]').click()
    reason = spam.locator('input[data-role="mod-reason"]')
    expect(reason).to_be_focused()
    page.keyboard.type("selling Instagram followers")
    nb.screenshot("moderation-form.png", spam)
    page.keyboard.press("Enter")
    nb.wait_py("w_m.get('c6').status == 'spam'")
    record = nb.eval_json("w_m.get('c6').moderation.model_dump(mode='json')")
    assert record["action"] == "spam" and record["by"] == "Ms. Rivera"
    assert record["reason"] == "selling Instagram followers"
    assert nb.eval_json("[r['action'] for r in w_m.audit()]") == ["flag", "flag", "pin", "spam"]

    # a moderator sees it greyed with who and why; the reports and the pin show too
    expect(spam.locator(":scope > .tw-card")).to_have_class("tw-card tw-moderated")
    expect(spam.locator('[data-role="mod-status"]')).to_have_text(
        "Spam · by Ms. Rivera · selling Instagram followers"
    )

    # greyed by colour (the muted text colour), not by opacity, so its text keeps AA contrast
    def colour(cid: str) -> str:
        body = root.locator(f'[data-comment-id="{cid}"] > .tw-card [data-role="body"]')
        return str(body.evaluate("(el) => getComputedStyle(el).color"))

    assert colour("c6") != colour("c1"), colour("c6")
    nb.screenshot("moderation-spam-card.png", spam)
    expect(card_button(root, "c4", "reports")).to_have_text("⚑ 2 reports")
    card_button(root, "c4", "reports").click()
    expect(item(root, "c4").locator('[data-role="mod-reports"] li')).to_have_text(
        ["Jennifer: just a one-liner", "Steve M. (no reason given)"]
    )
    expect(item(root, "c2").locator('[data-role="mod-pinned"]')).to_have_text("Pinned")
    tops = root.locator(f'[data-role="tree"] > {ITEM}')
    expect(tops.first).to_have_attribute("data-comment-id", "c2")  # pinned first
    card_button(root, "c5", "moderate").click()  # an open menu, for the picture
    expect(item(root, "c5").locator('[data-role="mod-menu"]')).to_be_visible()
    nb.screenshot("moderation-moderator.png", root)
    card_button(root, "c5", "moderate").click()

    # a participant (switched from Python) no longer sees the spam, nor any moderation control
    nb.run("w_m.role = 'participant'; w_m.user = 'Ann'")
    expect(spam).to_have_count(0)
    expect(root.locator('button[data-action="moderate"]')).to_have_count(0)
    expect(root.locator('[data-action="reports"]')).to_have_count(0)

    # she reports a comment with a reason
    card_button(root, "c3", "report").click()
    expect(item(root, "c3").locator('input[data-role="mod-reason"]')).to_be_focused()
    page.keyboard.type("off-topic advertising")
    item(root, "c3").locator('button[data-role="mod-confirm"]').click()
    flags = nb.wait_py("[f.model_dump(mode='json') for f in w_m.get('c3').flags]")
    assert [(f["user"], f["reason"]) for f in flags] == [("Ann", "off-topic advertising")]
    reported = card_button(root, "c3", "unflag")
    expect(reported).to_have_text("Reported")
    expect(reported).to_have_attribute("aria-pressed", "true")

    # a reader sees the thread and no control that changes it
    nb.run("w_m.role = 'reader'")
    expect(root.locator(WRITE_CONTROLS)).to_have_count(0)
    expect(root.locator('[data-role="new-comment"]')).to_be_hidden()
    expect(item(root, "c1")).to_be_visible()

    # a thread lock from Python closes the composer of participants and says why
    nb.run("w_m.role = 'participant'")
    expect(root.locator('[data-role="new-comment"] textarea')).to_be_visible()
    nb.run("w_m.lock(None, 'closed for the exam', user='Ms. Rivera')")
    expect(root.locator('[data-role="lock-notice"]')).to_have_text(
        "Locked by Ms. Rivera: closed for the exam"
    )
    expect(root.locator('[data-role="new-comment"]')).to_be_hidden()
    expect(root.locator('button[data-action="reply"]')).to_have_count(0)
    nb.screenshot("moderation-locked.png", root.locator(".tw-comments"))
