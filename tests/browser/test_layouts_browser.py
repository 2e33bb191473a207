"""Layouts and presets in a real JupyterLab page (issue 28): the seed thread in each layout (the
keyboard, aria-level as displayed, the marks, the sort) and in each preset (its screenshot in
artifacts/; ``THREADWIDGET_DOCS_IMAGES=1`` writes them to docs/studies/ too); the flat layout at
100,000 comments: test_layouts_window_browser.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "studies"
#: The docs' pictures are rewritten only when asked (a test run leaves the checkout as it was).
WRITE_DOCS = os.environ.get("THREADWIDGET_DOCS_IMAGES") == "1"
SETUP = (
    WIDGET_SETUP
    + """
import threadwidget
from threadwidget.analysis import synthetic
seed = threadwidget.load(DATA)
by_time = [c.id for c in sorted(seed.comments, key=lambda c: c.created_at)]
"""
)
ITEM = '[role="treeitem"][data-comment-id]'
PRESETS = ("reddit", "hackernews", "youtube", "discourse", "blogger")


def items(root) -> list[tuple[str, str]]:
    """(id, aria-level) of every drawn comment, in document order."""
    return root.evaluate(
        f"(r) => [...r.querySelectorAll('{ITEM}')].map(e => [e.dataset.commentId, "
        "e.getAttribute('aria-level')])"
    )


def show(nb: Notebook, name: str, settings: str):
    nb.run(f"{name} = ThreadWidget(thread=seed, user='Chris', {settings})\ndisplay({name})")
    root = nb.widget(nb.last_cell)
    expect(root).to_have_attribute("data-state", "idle")
    return root


def test_tree_two_level_and_flat_order_levels_marks(nb: Notebook):
    root = show(nb, "w_l", "layout='two-level'")
    # the seed: six top-level comments, three replies to them (no deeper replies)
    got = items(root)
    assert [lvl for _, lvl in got] == nb.eval_json(
        "['1' if c.parent_id is None else '2' for c in "
        "sorted([c for c in seed.comments if c.parent_id is None], key=lambda c: c.created_at) "
        "for c in [c] + [k for k in seed.comments if k.parent_id == c.id]]"
    )
    expect(root.locator('[data-role="reply-to"]')).to_have_count(0)  # replies to top level only
    # a reply to a reply: flattened under its top-level comment with "in reply to @name"
    nb.run("d = w_l.add_comment('deeper, from Python', parent_id='c2-r1', user='Ann')")
    deep = root.locator(f'[data-comment-id="{nb.eval_json("d.id")}"]')
    expect(deep).to_have_attribute("aria-level", "2")
    expect(deep.locator('[data-role="reply-to"]')).to_have_text("in reply to @Steve")
    expect(root.locator('[data-comment-id="c2"] > .tw-group > [data-comment-id]')).to_have_count(2)

    # keyboard: the roving tab stop walks the display order; Left goes to the top-level comment
    first = root.locator(ITEM).first
    first.focus()
    page = nb.page
    page.keyboard.press("End")
    focused = root.locator(f"{ITEM}:focus")
    expect(focused).to_have_attribute("data-comment-id", "c6")
    page.keyboard.press("ArrowUp")
    expect(focused).to_have_attribute("data-comment-id", "c5-r1")
    expect(focused).to_have_attribute("aria-level", "2")
    expect(focused).to_have_attribute("aria-posinset", "1")
    page.keyboard.press("ArrowLeft")
    expect(focused).to_have_attribute("data-comment-id", "c5")
    page.keyboard.press("ArrowLeft")  # two-level: the top-level comment's replies collapse
    expect(root.locator('[data-comment-id="c5"]')).to_have_attribute("aria-expanded", "false")
    expect(root.locator('[data-comment-id="c5-r1"]')).to_be_hidden()
    assert root.locator('[role="treeitem"][tabindex="0"]').count() == 1

    # the same widget, flat from Python: one stream, oldest first, quotes link to the parent
    nb.run("w_l.layout = 'flat'")
    expect(root.locator(ITEM).first).to_have_attribute("aria-level", "1")
    expect(root.locator('[role="treeitem"][aria-level="2"]')).to_have_count(0)
    order = [i for i, _ in items(root)]
    assert order == nb.eval_json(
        "[c.id for c in sorted(w_l.thread.comments, key=lambda c: c.created_at)]"
    )
    quote = root.locator('[data-comment-id="c4-r1"] [data-role="quote"]')
    expect(quote).to_contain_text("Chris wrote: Nice post.")
    quote.locator('button[data-action="goto"]').click()
    expect(root.locator(f"{ITEM}:focus")).to_have_attribute("data-comment-id", "c4")
    expect(root.locator("[aria-expanded]")).to_have_count(0)  # nothing to collapse
    # the sort orders the whole stream; the kernel hears the choice
    root.locator('select[data-role="sort"]').select_option("newest")
    assert [i for i, _ in items(root)] == order[::-1]
    assert nb.wait_py("w_l.sort == 'newest'")
    # search: a match alone (its parent is quoted, not shown)
    root.locator('input[data-role="search"]').fill("absolute believer")
    expect(root.locator(ITEM)).to_have_count(1)
    root.locator('button[data-action="clear-search"]').click()

    # moderation in a layout: a hidden comment leaves the stream; its reply quotes a placeholder
    nb.run("w_l.hide('c4', reason='test')")
    expect(root.locator('[data-comment-id="c4-r1"] [data-role="quote"]')).to_contain_text(
        "[deleted] wrote:"
    )
    nb.run("w_l.layout = 'tree'")  # (c5 stays collapsed: the view keeps what the reader did)
    expect(root.locator('[data-comment-id="c2-r1"]')).to_have_attribute("aria-level", "2")
    expect(deep).to_have_attribute("aria-level", "3")
    nb.run("w_l.close()")


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_looks_like_its_platform(nb: Notebook, preset: str):
    """Each preset on the seed thread: its layout and settings in the page, its CSS scoped to
    the widget, a screenshot into docs/studies/."""
    name = f"w_{preset}"
    root = show(nb, name, f"preset={preset!r}")
    layout = nb.eval_json(f"{name}.layout")
    levels = {lvl for _, lvl in items(root)}
    assert levels == ({"1"} if layout == "flat" else {"1", "2"})
    if layout == "flat":
        expect(root.locator('[data-role="quote"]')).to_have_count(3)
    voting = nb.eval_json(f"{name}.voting")
    expect(root.locator('[data-role="votes"]')).to_have_count(9 if voting == "updown" else 0)
    # the preset's CSS is inside the widget, before w.css; the notebook around it is untouched
    style = root.locator('style[data-role="custom-css"]')
    expect(style).to_have_count(1)
    assert style.text_content().startswith(f"/* {preset}:")
    nb.page.set_viewport_size({"width": 900, "height": 1000})
    try:
        shot = nb.screenshot(f"preset-{preset}", root.locator(".tw-comments"))
    finally:
        nb.page.set_viewport_size({"width": 1280, "height": 900})
    if WRITE_DOCS:
        shutil.copy(shot, DOCS / f"preset-{preset}.png")
    # an explicit setting after the preset wins; the preset again sets its own
    nb.run(f"{name}.sort = 'newest'")
    expect(root.locator('select[data-role="sort"]')).to_have_value("newest")
    nb.run(f"{name}.close()")


def test_presets_side_by_side(nb: Notebook):
    """The five presets next to each other (artifacts/presets.png; with THREADWIDGET_DOCS_IMAGES=1
    docs/studies/presets.png, the README's picture too):
    the comments of the seed thread, read-only, the post hidden by ``w.css`` (which wins)."""
    nb.page.set_viewport_size({"width": 1900, "height": 1100})
    try:
        nb.run(
            "import ipywidgets\n"
            "side = ipywidgets.Box([ThreadWidget(thread=seed, user='Chris', preset=p, "
            "read_only=True, css='.tw-root .tw-post, .tw-root .tw-toolbar { display: none; }') "
            f"for p in {PRESETS!r}], layout=ipywidgets.Layout(display='grid', "
            "grid_template_columns='repeat(5, minmax(0, 1fr))', grid_gap='12px'))\n"
            "display(side)"
        )
        box = nb.cell(nb.last_cell).locator(".widget-box")
        roots = box.locator(".tw-root")
        expect(roots).to_have_count(len(PRESETS))
        for i in range(len(PRESETS)):
            expect(roots.nth(i)).to_have_attribute("data-state", "idle")
            expect(roots.nth(i).locator(".tw-post")).to_be_hidden()
        # each keeps its own look: the presets' rules are scoped to their widget
        fonts = [
            roots.nth(i).evaluate("(r) => getComputedStyle(r.querySelector('.tw-body')).fontFamily")
            for i in range(len(PRESETS))
        ]
        assert fonts[1].startswith("Verdana") and fonts[4].startswith("Georgia"), fonts
        assert not fonts[0].startswith(("Verdana", "Georgia")), fonts
        box.scroll_into_view_if_needed()
        top = box.bounding_box()
        path = nb.screenshot_path("presets.png")
        nb.page.screenshot(
            path=str(path),
            clip={"x": top["x"], "y": top["y"], "width": top["width"], "height": 900},
        )
        assert path.stat().st_size > 20_000
        if WRITE_DOCS:
            shutil.copy(path, DOCS / "presets.png")
    finally:
        nb.page.set_viewport_size({"width": 1280, "height": 900})
