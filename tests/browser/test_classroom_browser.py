"""The labelling exercise and the chronological replay in a real JupyterLab page.

One notebook for both: the teacher sets a label set from Python, the student labels comments by
clicking, Python reads the labels and the agreement with an answer key; then the replay timeline
walks the thread back to its first comment and returns to live.
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


SETUP = WIDGET_SETUP

ITEM = '[role="treeitem"][data-comment-id]'
ALL = ["c1", "c2", "c2-r1", "c3", "c4", "c4-r1", "c5", "c5-r1", "c6"]


def item(root, cid):
    return root.locator(f'{ITEM}[data-comment-id="{cid}"]')


def chip(root, cid, label):
    return item(root, cid).locator(
        f':scope > .tw-card button[data-action="label"][data-label="{label}"]'
    )


def shown_ids(root) -> list[str]:
    return sorted(root.locator(ITEM).evaluate_all("(els) => els.map((e) => e.dataset.commentId)"))


def test_labelling_then_replay(nb: Notebook):
    nb.run("w_c = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_c)")
    root = nb.widget(nb.last_cell)
    nb.run("display(w_c)")  # a second view of the same widget: it must stay live while replaying
    other = nb.widget(nb.last_cell)
    expect(item(root, "c6")).to_be_visible()
    assert root.locator('[data-role="labels"]').count() == 0

    # ---- labelling: the teacher defines the labels, the student clicks ---------------------
    nb.run("w_c.label_set = ['spam', 'off-topic', 'supportive']")
    expect(chip(root, "c6", "spam")).to_have_attribute("aria-pressed", "false")
    chip(root, "c6", "spam").click()
    expect(chip(root, "c6", "spam")).to_have_attribute("aria-pressed", "true")
    expect(chip(root, "c6", "spam")).to_be_focused()
    chip(root, "c1", "supportive").click()
    chip(root, "c4", "off-topic").click()
    nb.wait_py("len(w_c.label_rows()) == 3")
    rows = nb.eval_json("[(r['comment_id'], r['user'], r['label']) for r in w_c.label_rows()]")
    assert sorted(map(tuple, rows)) == [
        ("c1", "Chris", "supportive"),
        ("c4", "Chris", "off-topic"),
        ("c6", "Chris", "spam"),
    ]
    # clicking the current label clears it
    chip(root, "c4", "off-topic").click()
    expect(chip(root, "c4", "off-topic")).to_have_attribute("aria-pressed", "false")
    nb.wait_py("len(w_c.label_rows()) == 2")
    # another student's label from Python: the page shows no trace of it to Chris
    nb.run("w_c.label('c6', 'spam', user='Ann'); w_c.label('c1', 'spam', user='Ann')")
    expect(chip(root, "c1", "spam")).to_have_attribute("aria-pressed", "false")
    assert root.locator('[data-role="label-count"]').count() == 0
    table = nb.eval_json(
        "w_c.agreement({'c6': 'spam', 'c1': 'supportive', 'c4': 'supportive'})"
        ".reset_index().to_dict('records')"
    )
    by_user = {r["user"]: r for r in table}
    assert by_user["Chris"]["labelled"] == 2 and by_user["Chris"]["matches"] == 2
    assert by_user["Chris"]["agreement"] == pytest.approx(2 / 3)
    assert by_user["Ann"]["matches"] == 1 and by_user["Ann"]["accuracy"] == pytest.approx(0.5)

    # the teacher sees every student's counts
    nb.run("w_c.role = 'moderator'")
    counts = chip(root, "c6", "spam").locator('[data-role="label-count"]')
    expect(counts).to_have_text("2")
    expect(chip(root, "c1", "supportive").locator('[data-role="label-count"]')).to_have_text("1")
    nb.screenshot("classroom-labels.png", item(root, "c6"))
    nb.run("w_c.role = 'participant'")
    expect(counts).to_have_count(0)

    # ---- replay: an edit in class, then back to the first comment ---------------------------
    nb.run("w_c.edit_comment('c4', 'Nice post, edited in class.')")
    expect(item(root, "c4").locator(":scope > .tw-card [data-role='body']")).to_contain_text(
        "edited in class"
    )
    moments = nb.eval_json("len(w_c.moments())")
    toggle = root.locator('button[data-role="replay-toggle"]')
    expect(toggle).to_have_text("Replay")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    bar = root.locator('[data-role="replay-bar"]')
    expect(bar).to_be_visible()
    pos = bar.locator('[data-role="replay-pos"]')
    expect(pos).to_have_text(f"{moments} of {moments}")
    expect(bar.locator('[data-role="replay-banner"]')).to_contain_text("Replaying: as of")
    expect(root.locator('[data-role="new-comment"]')).to_be_hidden()
    assert root.locator('.tw-tree button[data-action="reply"]').count() == 0
    assert root.locator('[data-role="labels"]').count() == 0

    # the slider works with the keyboard: Home goes to the first moment
    slider = bar.locator('input[data-role="replay-slider"]')
    slider.focus()
    slider.press("Home")
    expect(pos).to_have_text(f"1 of {moments}")
    expect(root.locator(ITEM)).to_have_count(1)
    assert shown_ids(root) == ["c1"]
    expect(bar.locator('[data-role="replay-banner"]')).to_contain_text("2012")
    bar.locator('button[data-action="replay-next"]').click()
    expect(root.locator(ITEM)).to_have_count(2)
    assert shown_ids(root) == ["c1", "c2"]
    # the moment of the last imported comment: c4 as it was before the edit
    slider.focus()
    for _ in range(7):
        slider.press("ArrowRight")
    expect(pos).to_have_text(f"9 of {moments}")
    expect(root.locator(ITEM)).to_have_count(9)
    expect(item(root, "c4").locator(":scope > .tw-card [data-role='body']")).to_have_text(
        "Nice post."
    )
    nb.screenshot("classroom-replay.png", root.locator(".tw-comments"))
    # the other view stayed live all along
    assert shown_ids(other) == sorted(ALL)
    expect(other.locator('[data-role="new-comment"]')).to_be_visible()

    # a comment written meanwhile is not in the replay, and is there again when back to live
    nb.run("w_c.add_comment('Written during the replay', author='Ann')")
    expect(other.locator(ITEM)).to_have_count(10)
    expect(root.locator(ITEM)).to_have_count(9)
    bar.locator('button[data-action="replay-live"]').click()
    expect(bar).to_be_hidden()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(root.locator(ITEM)).to_have_count(10)
    expect(item(root, "c4").locator(":scope > .tw-card [data-role='body']")).to_contain_text(
        "edited in class"
    )
    expect(root.locator('[data-role="new-comment"]')).to_be_visible()
    expect(chip(root, "c6", "spam")).to_have_attribute("aria-pressed", "true")
