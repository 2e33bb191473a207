"""Python hooks that decide, and an anonymised thread, in a real JupyterLab page (issue #6).

A validator refuses a reply typed in the page (the reason shows, the draft stays, nothing is
added), another rewrites one (the page shows the rewritten text), a validator that crashes refuses
without breaking the widget, and an anonymised thread shows no real name anywhere in the page.
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect
from test_widget_browser import comment, comment_composer, own_button, own_part, submit

pytestmark = pytest.mark.browser

SETUP = (
    WIDGET_SETUP
    + '''
import re
from threadwidget import OperationRejected

def no_followers(op, ctx):
    """Refuse adverts for followers."""
    if op.type == "add" and re.search(r"buy .*followers", op.body, re.I):
        raise OperationRejected("Adverts for followers are not allowed here.", "body")

def mask(op, ctx):
    """Rewrite instead of refusing: mask one word."""
    if op.type == "add" and "stupid" in op.body:
        return op.model_copy(update={"body": op.body.replace("stupid", "s*****")})

def broken(op, ctx):
    """A hook with a bug: it raises something that is not a refusal."""
    if op.type == "add" and "crash" in op.body:
        return 1 / 0
'''
)


def show(nb: Notebook, code: str):
    nb.run(code)
    return nb.widget(nb.last_cell)


def test_validators_refuse_rewrite_and_survive_bugs(nb):
    root = show(
        nb,
        """
        w_h = ThreadWidget.load(DATA, user="Chris")
        events_h = []
        w_h.on_change(lambda e: events_h.append(e.type))
        for hook in (no_followers, mask, broken):
            w_h.add_validator(hook)
        display(w_h)
    """,
    )
    before = nb.eval_json("len(w_h.comments)")

    # 1. refused: the reason is shown, the draft is kept, nothing was added
    own_button(root, "c3", "reply").click()
    composer = comment_composer(root)
    spam = "Want to buy 10k real followers? DM me"
    submit(composer, spam)
    error = root.locator('[data-role="error"]').filter(visible=True)
    expect(error.first).to_contain_text("Adverts for followers are not allowed here.")
    expect(comment_composer(root)).to_have_value(spam)
    assert nb.eval_json("len(w_h.comments)") == before
    nb.screenshot("hook-refused", root)

    # 2. rewritten: what Python applied is what every view shows
    comment_composer(root).fill("That was a stupid question, but a good post.")
    comment_composer(root).press("Control+Enter")
    new = nb.wait_py("[c for c in tw_comments(w_h) if c['body'].startswith('That was')]")
    assert new[0]["body"] == "That was a s***** question, but a good post."
    expect(own_part(root, new[0]["id"], "body")).to_have_text(
        "That was a s***** question, but a good post."
    )

    # 3. a crashing hook refuses with a generic reason, is reported, and the widget keeps working
    own_button(root, "c4", "reply").click()
    submit(comment_composer(root), "this will crash the hook")
    expect(root.locator('[data-role="error"]').filter(visible=True).first).to_contain_text(
        "nothing changed"
    )
    assert nb.eval_json("[type(e).__name__ for e in w_h.errors]") == ["ZeroDivisionError"]
    comment_composer(root).fill("A calm reply after all.")
    comment_composer(root).press("Control+Enter")
    calm = nb.wait_py(
        "[c['id'] for c in tw_comments(w_h) if c['body'] == 'A calm reply after all.']"
    )
    expect(comment(root, calm[0])).to_be_visible()
    assert nb.eval_json("events_h") == ["add", "add"]


def test_anonymised_thread_shows_no_real_name(nb):
    root = show(
        nb,
        """
        anon_h, key_h = ThreadWidget.load(DATA).thread.anonymize(seed=7, keep=["Steve"])
        w_anon = ThreadWidget(thread=anon_h, user="student")
        display(w_anon)
    """,
    )
    expect(comment(root, "c6")).to_be_visible()
    text = root.inner_text()
    for real in ("Jennifer", "Chris", "Steve Browne", "Steve M.", "Reality Show Followers"):
        assert real not in text, real
    pseudonym = nb.eval_json("key_h.pseudonyms['Jennifer']")
    expect(comment(root, "c1")).to_contain_text(pseudonym)
    assert nb.eval_json("key_h.real_name(anon_h.get('c1').author)") == "Jennifer"
