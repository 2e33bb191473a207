"""Transparent ranking in a real JupyterLab page: the sort menu, "Why this order?" and
``w.ranking()`` agree.

One notebook for the module. The seed thread gets likes and reports from Python; the test picks
"Best" in the page, checks that Python sees the sort and that the page's order, ranks and
formulas are the ones ``w.ranking()`` computes, then likes a comment in the page and watches it
move.
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = WIDGET_SETUP

ITEM = '[role="treeitem"][data-comment-id]'
# Every shown comment in page order (depth first) with its why line's rank and formula.
PAGE_ROWS_JS = """
(root) => [...root.querySelectorAll('[role="treeitem"][data-comment-id]')].map((li) => {
  const card = li.querySelector(':scope > .tw-card');
  const rank = card.querySelector('[data-role="why-rank"]');
  const formula = card.querySelector('[data-role="why-formula"]');
  const text = (el) => (el ? el.textContent : null);
  return [li.dataset.commentId, text(rank), text(formula)];
})
"""


def page_rows(root) -> list[list[str | None]]:
    return root.evaluate(PAGE_ROWS_JS)


def python_rows(nb: Notebook, sort: str) -> list[list[object]]:
    """``w_r.ranking(sort)`` as [id, rank, formula, number of shown siblings] in page order."""
    return nb.eval_json(f"ranking_rows(w_r, {sort!r})")


RANKING_ROWS = """
def ranking_rows(w, sort):
    df = w.ranking(sort)
    parents = df.parent_id.fillna("")
    return [[r.id, int(r.rank), r.formula, int((parents == (r.parent_id or "")).sum())]
            for r in df.itertuples()]
"""


def test_best_sort_and_why_this_order(nb):
    nb.run(RANKING_ROWS)
    nb.run(
        "w_r = ThreadWidget.load(DATA, user='Chris')\n"
        "for u in ('ann', 'bo', 'cy', 'di'):\n"
        "    w_r.like('c4', user=u)\n"
        "for u in ('ann', 'bo'):\n"
        "    w_r.flag('c5', 'off topic', user=u)\n"
        "w_r.flag('c2', 'rude', user='cy')\n"
        "w_r.mark_spam('c6', 'sells followers', user='teacher')\n"
        "display(w_r)"
    )
    root = nb.widget(nb.last_cell)
    page = nb.page
    sort = root.locator('select[data-role="sort"]')
    expect(sort).to_have_value("oldest")
    labels = sort.locator("option").all_inner_texts()
    assert labels == ["Oldest", "Newest", "Top", "Best", "Controversial", "Hot"], labels

    # choose "Best" in the page: Python's trait follows, the page order is w.ranking()'s
    sort.select_option("best")
    assert nb.wait_py("w_r.sort == 'best'")
    expected = python_rows(nb, "best")
    assert [r[0] for r in page_rows(root)] == [r[0] for r in expected]
    assert "c6" not in [r[0] for r in expected]  # spam: not shown to a participant
    top = [r[0] for r in page_rows(root) if r[0] and "-" not in r[0]]
    assert top == ["c4", "c1", "c2", "c3", "c5"], top  # 4 likes and no report: the surest share

    # "Why this order?": off by default, then each card shows rank and formula as Python has them
    toggle = root.locator('button[data-role="why-toggle"]')
    note = root.locator('[data-role="why-note"]')
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(note).to_be_hidden()
    assert root.locator('[data-role="why"]').count() == 0
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Wilson lower bound")
    shown = page_rows(root)
    for (cid, rank, formula), (pid, prank, pformula, siblings) in zip(shown, expected, strict=True):
        assert cid == pid
        assert rank == f"#{prank} of {siblings}", (cid, rank)
        assert formula == pformula, (cid, formula, pformula)
    c5 = root.locator(f'{ITEM}[data-comment-id="c5"] > .tw-card [data-role="why-formula"]')
    expect(c5).to_have_text("best: Wilson lower bound of 4 likes / 2 reports = 0.3")
    nb.screenshot("ranking-best-why.png", root)

    # a like in the page moves c3 (2 likes -> 3) past c2 (5 likes, 1 report); the ranks follow
    c3 = root.locator(f'{ITEM}[data-comment-id="c3"] > .tw-card')
    c3.locator('button[data-action="like"]').click()
    assert nb.wait_py("w_r.get('c3').likes == 3")
    expect(c3.locator('[data-role="why-formula"]')).to_contain_text("3 likes / 0 reports")
    expected = python_rows(nb, "best")
    page.wait_for_function(
        "([root, ids]) => [...root.querySelectorAll('[role=\"treeitem\"]')]"
        ".map((li) => li.dataset.commentId).join() === ids.join()",
        arg=[root.element_handle(), [r[0] for r in expected]],
        timeout=10_000,
    )
    for (cid, rank, _), (_, prank, _, siblings) in zip(page_rows(root), expected, strict=True):
        assert rank == f"#{prank} of {siblings}", cid
    top = [r[0] for r in page_rows(root) if r[0] and "-" not in r[0]]
    assert top == ["c4", "c1", "c3", "c2", "c5"], top  # c1 and c3 tie: the older first

    # the other sorts, switched from Python: the page follows w.ranking() again
    notes = {"controversial": "as on Reddit", "hot": "as on Hacker News", "newest": "Newest first"}
    for name, text in notes.items():
        nb.run(f"w_r.sort = {name!r}")
        expect(sort).to_have_value(name)
        expect(note).to_contain_text(text)
        expected = python_rows(nb, name)
        assert [r[0] for r in page_rows(root)] == [r[0] for r in expected], name
        if name == "controversial":  # hot's age and the time sorts' dates differ by design
            assert [r[2] for r in page_rows(root)] == [r[2] for r in expected]
    nb.run("w_r.sort = 'hot'")
    hot_line = root.locator(f'{ITEM}[data-comment-id="c4"] > .tw-card [data-role="why-formula"]')
    expect(hot_line).to_contain_text("hot: (4 likes \u2212 0 reports) / (")
    nb.screenshot("ranking-hot-why.png", root)

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(note).to_be_hidden()
    assert root.locator('[data-role="why"]').count() == 0
