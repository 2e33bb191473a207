"""Notebook 7 (``jupyter notebook``): the quickstart's code runs, its widget renders, edits
round-trip (page -> Python and Python -> page), and the widget follows Notebook 7's light and
dark themes."""

from __future__ import annotations

import contextlib
import shutil

import nbformat
import pytest
from harness import ARTIFACTS, REPO, Notebook
from hosts import (
    ITEM,
    ServerError,
    assert_follows_theme,
    comment,
    own_part,
    reply_from_page,
    start_notebook7,
    theme_colours,
)
from labserver import stop_server
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _quickstart_code() -> list[str]:
    nb = nbformat.read(REPO / "examples" / "quickstart.ipynb", as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(scope="module")
def nb7_server():
    try:
        server = start_notebook7()
    except ServerError as e:
        pytest.fail(str(e), pytrace=False)
    shutil.copytree(REPO / "examples" / "data", server.root_dir / "data")
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def quickstart(nb7_server, browser_context):
    """The quickstart's code cells in a Notebook 7 page, all run once."""
    with Notebook(
        nb7_server,
        browser_context,
        _quickstart_code(),
        name="quickstart.ipynb",
        url_path="notebooks",
    ) as nb:
        nb.run_all()
        yield nb


@pytest.fixture(autouse=True)
def _on_failure(request, nb7_server):
    since = nb7_server.log_size()
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        print(f"--- Notebook 7 server log ---\n{nb7_server.log_tail(since)}")
        nb = request.node.funcargs.get("quickstart")
        if nb is not None and nb.page is not None:
            with contextlib.suppress(Exception):
                nb.screenshot(f"FAILED-{request.node.name}")


def test_notebook7_quickstart_renders_and_round_trips(quickstart):
    nb = quickstart
    assert "/notebooks/" in nb.page.url  # Notebook 7's own page, not JupyterLab
    root = nb.widget(0)  # `w`, displayed by the first code cell
    expect(root.locator('[data-role="post-title"]')).to_have_text("On a social media power trip?")

    # Python -> page: the quickstart's later cells added, edited and deleted comments.
    answer = nb.eval_json("answer.id")
    expect(comment(root, answer)).to_be_visible()
    expect(own_part(root, answer, "body")).to_contain_text("(edited)")
    expect(comment(root, "c6")).to_have_attribute("data-status", "deleted")
    expect(root.locator(ITEM)).to_have_count(nb.eval_json("len(w.thread.comments)"))

    # page -> Python: a reply typed in the page reaches `w`, and the quickstart's callback log.
    nb.run("stop_announcing = w.on_comment(announce)")  # the last quickstart cell removed it
    text = "A reply from Notebook 7."
    reply_from_page(root, "c3", text)
    found = nb.wait_py(
        f"[c.model_dump(mode='json') for c in w.thread.comments if c.body == {text!r}]"
    )
    assert len(found) == 1 and found[0]["parent_id"] == "c3" and found[0]["author"] == "Chris"
    expect(comment(root, found[0]["id"])).not_to_have_attribute("data-pending", "true")
    expect(nb.cell(1)).to_contain_text("new comment by Chris: 'A reply from Notebook 7.'")
    nb.screenshot("host-notebook7", root)


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_notebook7_theme(quickstart, theme):
    nb = quickstart
    page = nb.page
    try:
        page.evaluate(
            "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
        )
        want_dark = theme.endswith("Dark")
        expect(page.locator("body")).to_have_attribute(
            "data-jp-theme-light", "false" if want_dark else "true", timeout=20_000
        )
        expect(page.locator("#jupyterlab-splash")).to_have_count(0)  # the theme-change splash
        root = nb.widget(0)
        root.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = "dark" if want_dark else "light"
        page.screenshot(path=str(ARTIFACTS / f"theme-notebook7-{shot}.png"))
        assert_follows_theme(theme_colours(root), want_dark, f"Notebook 7 {theme}")
    finally:
        if theme != "JupyterLab Light":
            with contextlib.suppress(Exception):
                page.evaluate(
                    "() => window.jupyterapp.commands.execute('apputils:change-theme', "
                    "{theme: 'JupyterLab Light'})"
                )


def test_notebook7_keys_on_widget_controls_stay_in_the_widget(quickstart):
    """Issue 29, item 4 in Notebook 7: `d d`, `a`, `j` on a focused widget button change no
    cell; outside the widget Notebook 7's own `b` still inserts a cell."""
    from test_page_browser import COMMAND_MODE_ON, NB_STATE

    nb = quickstart
    page = nb.page
    root = nb.widget(0)
    root.locator('[data-role="post-title"]').click()
    before = page.evaluate(NB_STATE, nb.name)
    like = root.locator('[data-comment-id="c1"] > .tw-card button[data-action="like"]')
    like.focus()
    for key in ("d", "d", "a", "b", "j", "k", "ArrowDown"):
        page.keyboard.press(key)
    expect(like).to_be_focused()
    after = page.evaluate(NB_STATE, nb.name)
    assert after["cells"] == before["cells"] and after["active"] == before["active"], after
    assert page.evaluate(COMMAND_MODE_ON, [nb.name, 0])
    page.keyboard.press("b")
    page.wait_for_function(
        "([path, n]) => { for (const w of window.jupyterapp.shell.widgets('main'))"
        " if (w.context && w.context.path === path)"
        " return w.content.model.sharedModel.cells.length === n; return false; }",
        arg=[nb.name, before["cells"] + 1],
        timeout=10_000,
    )
    page.evaluate(
        "([path]) => { for (const w of window.jupyterapp.shell.widgets('main'))"
        " if (w.context && w.context.path === path) w.content.model.sharedModel.deleteCell(1); }",
        [nb.name],
    )
    nb.tag_cells()
