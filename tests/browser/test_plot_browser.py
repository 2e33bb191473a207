"""Charts linked to the widget in a real JupyterLab page (threadwidget.plot.link).

A click on a block of the reply tree selects and focuses that comment in the widget; a comment
selected in the widget (a click on it in the page) is outlined in the tree and the timeline.
The charts are drawn with Vega's SVG renderer so each mark is an element to click and inspect;
Vega-Lite labels each mark (aria-label) with its tooltip fields, the comment's time among them.
"""

from __future__ import annotations

import pytest
from harness import WIDGET_SETUP, Notebook
from hosts import WATCH_FOCUS_JS, comment
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = (
    WIDGET_SETUP
    + """
from threadwidget import plot
"""
)

# Creation times (as the tooltips show them) of the seed comments the test clicks or selects.
WHEN = {"c2": "2012-05-14 17:10 UTC", "c4": "2012-05-15 09:03 UTC"}


def mark(chart, kind: str, cid: str):
    """The SVG element Vega drew for comment ``cid`` in a mark group (rect, symbol)."""
    return chart.locator(f'g.mark-{kind} path[aria-label*="{WHEN[cid]}"]')


def test_click_a_chart_mark_focuses_the_comment_and_a_selection_is_highlighted(nb: Notebook):
    nb.run(
        """
        w_p = ThreadWidget.load(DATA, user='Chris')
        svg = {"renderer": "svg"}
        tree_p = plot.link(w_p, plot.ThreadChart(plot.tree(w_p), embed_options=svg))
        time_p = plot.link(w_p, plot.ThreadChart(plot.timeline(w_p), embed_options=svg))
        display(w_p, tree_p, time_p)
        """
    )
    cell = nb.last_cell
    root = nb.widget(cell)
    tree = nb.widget(cell, selector=".vega-embed", nth=0)
    timeline = nb.widget(cell, selector=".vega-embed", nth=1)
    expect(mark(tree, "rect", "c4")).to_have_count(1)
    expect(mark(timeline, "symbol", "c4")).to_have_count(1)
    root.evaluate(WATCH_FOCUS_JS)

    # chart -> widget: a click on c4's block selects it and the widget focuses it
    mark(tree, "rect", "c4").click()
    nb.wait_py("w_p.selected == 'c4'")
    nb.page.wait_for_function("() => (window.__twFocused || []).includes('c4')", timeout=10_000)
    expect(comment(root, "c4")).to_be_visible()
    # ... and both charts outline it
    expect(mark(tree, "rect", "c4")).to_have_attribute("stroke-width", "3")
    expect(mark(timeline, "symbol", "c4")).to_have_attribute("stroke-width", "3")
    nb.screenshot("plot-linked-click.png", tree)

    # widget -> charts: a click on c2 in the page selects it; the charts move the outline
    comment(root, "c2").locator(":scope > .tw-card [data-role='body']").click()
    nb.wait_py("w_p.selected == 'c2'")
    expect(mark(tree, "rect", "c2")).to_have_attribute("stroke-width", "3")
    expect(mark(timeline, "symbol", "c2")).to_have_attribute("stroke-width", "3")
    expect(mark(tree, "rect", "c4")).not_to_have_attribute("stroke-width", "3")
    assert nb.eval_json("[tree_p.params.highlight, time_p.params.highlight]") == ["c2", "c2"]

    # the same chart mark again, after the widget moved on: it reaches Python again
    mark(timeline, "symbol", "c4").click()
    nb.wait_py("w_p.selected == 'c4'")
    expect(mark(tree, "rect", "c4")).to_have_attribute("stroke-width", "3")
    nb.screenshot("plot-linked-select.png", timeline)


def test_linked_charts_load_nothing_from_the_network(nb: Notebook):
    requests: list[str] = []
    nb.page.on("request", lambda r: requests.append(r.url))
    nb.run("display(plot.link(w_p, plot.tree(w_p)))")
    nb.widget(nb.last_cell, selector=".vega-embed canvas, .vega-embed svg")
    # blob: URLs are the widget's own module, made in the page; nothing else may leave it
    outside = [u for u in requests if u.startswith("http") and not u.startswith(nb.server.url)]
    assert outside == [], outside
