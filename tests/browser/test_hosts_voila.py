"""Voilà: a notebook served as an app shows the widget (no code cells), and a reply typed in the
page reaches the kernel: the notebook's ``on_comment`` callback writes it to a file and into an
``ipywidgets.Label`` that the page then shows."""

from __future__ import annotations

import contextlib
import json
import textwrap

import nbformat
import pytest
from harness import ARTIFACTS, REPO
from hosts import ServerError, comment_with_body, reply_from_page, start_voila, stop_host
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DATA = REPO / "examples" / "data" / "power-trip.json"


def _write_app(path, received) -> None:
    cells = [
        f"""
        import json
        import ipywidgets
        from threadwidget import ThreadWidget

        w = ThreadWidget.load({str(DATA)!r}, user="Chris")
        status = ipywidgets.Label("no reply yet")
        status.add_class("tw-test-status")

        def received(comment):
            with open({str(received)!r}, "a", encoding="utf-8") as f:
                f.write(json.dumps(comment.model_dump(mode="json")) + "\\n")
            status.value = f"kernel got {{comment.id}} from {{comment.author}}: {{comment.body}}"

        w.on_comment(received)
        """,
        "display(w, status)",
    ]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(c).strip()) for c in cells]
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def voila_app(tmp_path_factory):
    try:
        __import__("voila")
    except ImportError as e:
        pytest.fail(f"voila is not installed ({e}); pip install -e '.[test]'", pytrace=False)
    folder = tmp_path_factory.mktemp("voila-app")
    received = folder / "received.jsonl"
    app = folder / "discussion.ipynb"
    _write_app(app, received)
    try:
        server = start_voila(app)
    except ServerError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield server, received
    finally:
        stop_host(server)


def test_voila_app_shows_widget_and_reply_reaches_kernel(voila_app, browser_context, request):
    server, received = voila_app
    since = server.log_size()
    page = browser_context.new_page()
    try:
        page.goto(server.url, wait_until="domcontentloaded")
        root = page.locator(".tw-root")
        expect(root).to_have_count(1, timeout=60_000)  # the kernel runs the notebook first
        expect(root.locator('[data-role="post-title"]')).to_have_text(
            "On a social media power trip?"
        )
        expect(root.locator('[role="treeitem"][data-comment-id]')).to_have_count(9)
        expect(page.locator(".jp-InputArea, .jp-CodeCell .jp-Editor")).to_have_count(0)  # an app
        status = page.locator(".tw-test-status")
        expect(status).to_have_text("no reply yet")

        text = "A reply typed in a Voilà app."
        reply_from_page(root, "c3", text)
        expect(status).to_contain_text(f"from Chris: {text}", timeout=20_000)
        new = comment_with_body(root, text)
        expect(new).not_to_have_attribute("data-pending", "true")

        lines = received.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1, lines
        got = json.loads(lines[0])
        assert (got["body"], got["parent_id"], got["author"]) == (text, "c3", "Chris"), got
        expect(status).to_contain_text(f"kernel got {got['id']} ")
        expect(new).to_have_attribute("data-comment-id", got["id"])
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "host-voila.png"), full_page=True)
    except Exception:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
        print(f"--- Voilà log ---\n{server.log_tail(since)}")
        raise
    finally:
        page.close()
