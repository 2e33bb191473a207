"""Extension points in a real JupyterLab page: a custom action's reply appears, a refusal shows
its reason, fields and badges show, the @helper bot answers, up/down votes and reactions reach
Python.

One notebook (one kernel, one page) for the module, as in test_search_browser.py.
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


SETUP = (
    WIDGET_SETUP
    + '''
from threadwidget.core import operations


def translate(comment, user):
    """A custom action: answer with a (pretend) translation."""
    return operations.AddComment(parent_id=comment.id, body=f"FR: {comment.body[:40]}")


def summarise(comment, user):
    """A custom action that refuses."""
    raise ValueError("Too short to summarise.")


def helper_bot(w):
    """The @helper bot of docs/extending.md."""

    def answer(comment):
        if comment.author != "helper" and "@helper" in comment.body:
            n = len(comment.body.split())
            w.add_comment(f"Your comment has {n} words.", author="helper", parent_id=comment.id)

    w.badges = {**w.badges, "helper": "bot"}
    w.on_comment(answer)
'''
)

ITEM = '[role="treeitem"][data-comment-id]'


def item(root, cid):
    return root.locator(f'{ITEM}[data-comment-id="{cid}"]')


def card(root, cid):
    return item(root, cid).locator(":scope > .tw-card")


def show(nb: Notebook, code: str):
    nb.run(code)
    return nb.widget(nb.last_cell)


def test_custom_action_fields_badges_and_bot(nb):
    root = show(
        nb,
        """
        w_x = ThreadWidget.load(DATA, user="Chris", badges={"Jennifer": "teacher"},
                                fields=[("sentiment", "badge"), ("toxicity", "bar", "Toxicity")])
        w_x.set_extra("c1", sentiment="positive", toxicity=0.3)
        w_x.add_action("translate", "Translate", translate, icon="⇄", actor="translator")
        w_x.add_action("summarise", "Summarise", summarise, when=lambda c: c.id == "c2")
        w_x.add_action("stats", "Stats", lambda t, u: f"{len(t.comments)} comments",
                       target="thread")
        helper_bot(w_x)
        display(w_x)
        """,
    )
    # fields and the badge
    expect(card(root, "c1").locator('[data-field="sentiment"]')).to_contain_text("positive")
    meter = card(root, "c1").locator('[role="meter"]')
    expect(meter).to_have_attribute("aria-valuenow", "0.3")
    expect(card(root, "c1").locator('[data-role="user-badge"]')).to_have_text("teacher")
    assert card(root, "c3").locator('[data-role="fields"]').count() == 0

    # click a custom action: its reply appears under the comment (the requirement)
    translate_btn = card(root, "c1").locator(
        'button[data-action="custom-action"][data-name="translate"]'
    )
    expect(translate_btn).to_have_text("⇄Translate")
    translate_btn.click()
    reply = item(root, "c1").locator(f":scope > .tw-group > {ITEM}")
    expect(reply).to_have_count(1)
    expect(reply.locator(":scope > .tw-card .tw-author")).to_have_text("translator")
    expect(reply.locator(":scope > .tw-card [data-role='body']")).to_contain_text("FR: ")
    expect(translate_btn).not_to_have_attribute("aria-busy", "true")
    nb.wait_py("[c.author for c in w_x.comments if c.parent_id == 'c1'] == ['translator']")

    # an action that raises: its reason next to the button, nothing changed
    assert card(root, "c3").locator('[data-name="summarise"]').count() == 0
    card(root, "c2").locator('[data-name="summarise"]').click()
    alert = card(root, "c2").locator('[role="alert"][data-role="action-error"]')
    expect(alert).to_have_text("Too short to summarise.")

    # a thread action in the toolbar, with a message
    root.locator('[data-role="thread-actions"] [data-name="stats"]').click()
    expect(root.locator('[data-role="thread-actions"] [data-role="action-message"]')).to_have_text(
        "10 comments"
    )

    # the bot: a browser comment mentioning @helper gets its answer, with the bot badge
    box = root.locator('[data-role="new-comment"] textarea')
    box.fill("Hey @helper how many words is this")
    root.locator('[data-role="new-comment"] button[data-action="submit"]').click()
    bot = root.locator(f"{ITEM}:has(> .tw-card [data-role='user-badge']:text-is('bot'))")
    expect(bot).to_have_count(1)
    expect(bot.locator(":scope > .tw-card [data-role='body']")).to_have_text(
        "Your comment has 7 words."
    )
    nb.screenshot("extensions-actions.png", root)


def test_updown_and_reactions_reach_python(nb):
    root = show(nb, 'w_v = ThreadWidget.load(DATA, user="Chris", voting="updown")\ndisplay(w_v)')
    c1 = card(root, "c1")
    expect(c1.locator('button[data-action="like"]')).to_have_count(0)
    up = c1.locator('button[data-choice="up"]')
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(c1.locator('[data-role="score"]')).to_have_text("1")
    nb.wait_py("w_v.votes_of('c1') == {'up': ['Chris'], 'down': []}")
    c1.locator('button[data-choice="down"]').click()
    nb.wait_py("w_v.votes_of('c1') == {'up': [], 'down': ['Chris']}")
    expect(c1.locator('[data-role="score"]')).to_have_text("-1")
    nb.run('w_v.vote("c2", "up", user="Ann"); w_v.vote("c2", "up", user="Bo")')
    expect(card(root, "c2").locator('[data-role="score"]')).to_have_text("2")
    nb.screenshot("extensions-updown.png", root.locator('[data-role="tree"]'))

    # switch to reactions live: chips, one per user (symbols the test browser's fonts draw; any
    # short str works, emoji included)
    nb.run('w_v.voting = {"✓": "Agree", "?": "Unsure", "★": "Celebrate"}')
    chips = card(root, "c3").locator("button.tw-reaction")
    expect(chips).to_have_count(3)
    chips.nth(1).click()
    nb.wait_py("w_v.votes_of('c3')['?'] == ['Chris']")
    chips.nth(0).click()
    nb.wait_py("w_v.votes_of('c3') == {'✓': ['Chris'], '?': [], '★': []}")
    expect(chips.nth(0)).to_have_attribute("aria-pressed", "true")
    expect(chips.nth(1)).to_have_attribute("aria-pressed", "false")
    nb.run('w_v.vote("c3", "✓", user="Ann"); w_v.vote("c3", "★", user="Bo")')
    expect(chips.nth(0)).to_have_attribute("title", "Agree: Chris, Ann")
    nb.screenshot("extensions-reactions.png", root.locator('[data-role="tree"]'))
