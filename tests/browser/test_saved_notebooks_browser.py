"""Saved notebooks show the current thread in a real browser with no kernel (issue #13).

(a) A notebook executed by nbclient (``store_widget_state=True``) and converted by nbconvert's
    HTML exporter, as JupyterBook / nbsphinx publish it: the widget was displayed with 3 comments
    (carried by the creation-time state) and given 4 in the next cell, which also edits, deletes
    and hides one carried comment each (issue #22); the page shows the published thread now:
    the edits, and no deleted or moderated text.
(b) A notebook run in JupyterLab with the widget manager's ``saveState`` setting on, given a
    comment typed in the page, saved with ``docmanager:save``; its kernel shut down. Opened again
    in JupyterLab (a new kernel starts, which does not hold the widget: the widget manager draws
    it from the saved state) and, with no kernel at all, as nbconvert HTML.

    JupyterLab 4 itself cannot show saved widgets with *no* kernel: jupyterlab_widgets 3.0.x
    (``restoreWidgets``) skips loading the notebook's widget state when ``_loadFromKernel``
    throws "Kernel not set", and the output stays "Loading widget..." (found here with
    ``docmanager:open`` and ``kernelPreference: {shouldStart: false}``; upstream
    jupyter-widgets/ipywidgets#3773, open). The no-kernel check is therefore the HTML page.

The HTML pages load requirejs, ``@jupyter-widgets/html-manager`` and anywidget's frontend from CDNs
(unpkg, jsdelivr, cdnjs); these are answered from local npm copies (``embed_runtime.py``, shared
with test_hosts_static.py) and every other request is refused.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from pathlib import Path

import nbclient
import nbconvert
import nbformat
import pytest
from embed_runtime import open_offline
from harness import ARTIFACTS, Notebook
from hosts import ITEM, comment_with_body
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIDGETS_PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"
HIDDEN_TEXT = "Ann is an idiot and everyone knows it"
REASON = "personal attack on Ann"
TYPED = "Typed in the page before saving."
TITLE = "A saved discussion"

DELETED_TEXT = "Call me at 555-0100"
CARRIED_HIDDEN = "Dave lives at 12 Elm St"
CREATE = f"""
from threadwidget import ThreadWidget, Comment
w = ThreadWidget(post={{"title": {TITLE!r}, "author": "Steve", "body": "Hello"}}, user="Chris",
                 comments=[Comment(id="k0", author="Eve", body="Carried original"),
                           Comment(id="k1", author="Eve", body={DELETED_TEXT!r}),
                           Comment(id="k2", author="Dave", body={CARRIED_HIDDEN!r})])
w
"""
CHANGE = f"""
ids = [w.add_comment(f"Comment {{i}}").id for i in range(3)]
ids.append(w.add_comment({HIDDEN_TEXT!r}, author="Dave").id)
w.edit_comment(ids[1], "Comment 1, edited")
w.hide(ids[3], {REASON!r})
w.edit_comment("k0", "Carried, edited", user="Eve")
w.delete_comment("k1", user="Eve")
w.hide("k2", {REASON!r})
print(len(w.thread.comments))
"""
SHOWN = ["Comment 0", "Comment 1, edited", "Comment 2", "Carried, edited"]
#: what the published thread no longer shows: none of it may be in the page or the saved state
GONE = (HIDDEN_TEXT, DELETED_TEXT, CARRIED_HIDDEN, "Carried original", REASON)


# --------------------------------------------------------------------------- helpers


def _to_html(nb: nbformat.NotebookNode, out: Path) -> Path:
    assert "widgets" in nb.metadata, "the notebook carries no widget state"
    html, _resources = nbconvert.HTMLExporter().from_notebook_node(nb)
    out.write_text(html, encoding="utf-8")
    return out


def _check_thread(root, extra: tuple[str, ...] = ()) -> None:
    """The current thread: the title, the 4 visible comments (the edits), the hidden ones' text
    nowhere, ``extra`` comments too; no deleted, moderated or pre-edit text."""
    expect(root.locator('[data-role="post-title"]')).to_have_text(TITLE, timeout=30_000)
    for text in (*SHOWN, *extra):
        expect(comment_with_body(root, text)).to_have_count(1)
    expect(root.locator('[data-role="count"]')).to_contain_text(str(len(SHOWN) + len(extra)))
    expect(root.locator(ITEM).filter(has_text="Comment 1, edited")).to_have_count(1)
    # no creation-time or pre-edit body: exactly the comments above
    bodies = root.locator(f'{ITEM} [data-role="body"]').filter(visible=True)
    expect(bodies).to_have_count(len(SHOWN) + len(extra))
    shown_html = root.evaluate("(el) => el.outerHTML")
    for secret in GONE:
        assert secret not in root.inner_text() and secret not in shown_html, secret


def _shot(page, name: str, locator=None) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    (locator or page).screenshot(path=str(path))
    return path


@pytest.fixture(scope="module")
def save_widget_state(jupyter_server):
    """JupyterLab's "Save widget state" on for this module's pages (written to the server's
    settings dir through the settings API), restored afterwards."""
    path = f"/lab/api/settings/{WIDGETS_PLUGIN}"
    _status, before = jupyter_server.api("GET", path)
    status, _ = jupyter_server.api("PUT", path, {"raw": json.dumps({"saveState": True})})
    assert status == 204, status
    _status, now = jupyter_server.api("GET", path)
    assert now["settings"]["saveState"] is True, now
    yield
    jupyter_server.api("PUT", path, {"raw": before.get("raw") or "{}"})


# --------------------------------------------------------------------------- tests


def test_nbclient_notebook_as_html_shows_current_thread(
    browser_context,
    embed_modules,
    tmp_path,
):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(c.strip()) for c in (CREATE, CHANGE)]
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", store_widget_state=True
    ).execute()
    html = _to_html(nb, tmp_path / "executed.html")
    for secret in GONE:
        assert secret not in json.dumps(nb.metadata["widgets"]), secret

    page, refused, errors = open_offline(browser_context, embed_modules, html)
    try:
        root = page.locator(".tw-root")
        _check_thread(root)
        _shot(page, "saved-nbclient-html.png", root)
        assert errors == [], errors
        # MathJax (which nbconvert's page asks for) and requirejs' guesses next to the file may
        # go unanswered; nothing of the widget runtime may.
        assert [u for u in refused if "mathjax" not in u and not u.startswith("file:")] == []
    finally:
        page.close()


def test_jupyterlab_saved_notebook_shows_current_thread_without_kernel(
    jupyter_server,
    browser_context,
    embed_modules,
    save_widget_state,
    tmp_path,
):
    name = f"tw-saved-{uuid.uuid4().hex[:8]}.ipynb"
    nb = Notebook(jupyter_server, browser_context, [CREATE, CHANGE], name=name).open()
    try:
        nb.run_all()
        root = nb.widget(0)
        expect(comment_with_body(root, "Comment 1, edited")).to_have_count(1)
        composer = root.locator('[data-role="new-comment"] textarea[data-role="composer"]')
        composer.fill(TYPED)
        composer.press("Control+Enter")
        nb.wait_py(f"[c.id for c in w.thread.comments if c.body == {TYPED!r}]")
        expect(comment_with_body(root, TYPED)).to_have_count(1)
        nb.save()
        sessions = jupyter_server.api("GET", "/api/sessions")[1]
        old_kernel = next(s["kernel"]["id"] for s in sessions if s["path"].endswith(name))
    finally:
        nb.close()  # shuts its kernel down

    saved = nbformat.read(str(jupyter_server.root_dir / name), as_version=4)
    state = saved.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    mine = [m["state"] for m in state.values() if m["model_name"] == "AnyModel"]
    assert len(mine) == 1 and mine[0].get("_tn", 0) > 0, sorted(mine[0]) if mine else state
    for secret in GONE:
        assert secret not in json.dumps(saved.metadata["widgets"]), secret

    # 1. Reopened in JupyterLab after its kernel was shut down: a new kernel starts that does not
    # hold the widget, and the widget manager draws it from the saved state.
    assert old_kernel not in {k["id"] for k in jupyter_server.api("GET", "/api/kernels")[1]}
    page = browser_context.new_page()
    page.on("dialog", lambda d: d.accept())
    try:
        workspace = f"tw-reopen-{uuid.uuid4().hex[:8]}"  # empty: restores no earlier tab
        page.goto(
            f"{jupyter_server.url}/lab/workspaces/{workspace}/tree/{name}"
            f"?token={jupyter_server.token}",
            wait_until="domcontentloaded",
        )
        lab_root = page.locator(".jp-NotebookPanel .tw-root").first
        lab_root.wait_for(state="visible", timeout=60_000)
        _check_thread(lab_root, (TYPED,))
        _shot(page, "saved-jupyterlab-reopened.png")
    finally:
        with contextlib.suppress(Exception):
            page.close()
        for session in jupyter_server.api("GET", "/api/sessions")[1]:
            if session["path"].endswith(name):
                jupyter_server.api("DELETE", f"/api/sessions/{session['id']}")

    # 2. The same file as nbconvert HTML.
    html = _to_html(saved, tmp_path / "lab-saved.html")
    page, refused, errors = open_offline(browser_context, embed_modules, html)
    try:
        html_root = page.locator(".tw-root")
        _check_thread(html_root, (TYPED,))
        _shot(page, "saved-jupyterlab-html.png", html_root)
        assert errors == [], errors
        assert [u for u in refused if "mathjax" not in u and not u.startswith("file:")] == []
    finally:
        page.close()
