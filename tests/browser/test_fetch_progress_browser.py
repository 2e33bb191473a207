"""A slow fetch in a real JupyterLab page: while the cell runs, the notebook shows tqdm's progress
bar with the requests made, the pages and comments read so far, and a wait with its reason; then
the widget's header says the thread is incomplete. The kernel fetches the whole captured graw
Reddit thread (125 ``more`` stubs, tests/data/SOURCES.md) from a local server that answers slowly
and rate-limits once, with ``more_limit=3``: three batched requests of 100 ids, the rest left."""

from __future__ import annotations

import pytest
from harness import REPO, WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SOURCES = REPO / "tests" / "data" / "sources"

SETUP = (
    WIDGET_SETUP
    + f"""
import json, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
import threadwidget

SOURCES = {str(SOURCES)!r}
PAGE = open(SOURCES + "/reddit_thread_full_captured.json", "rb").read()
CAPTURED = json.load(open(SOURCES + "/reddit_more.json"))["json"]["data"]["things"]
PARENTS = {{}}

def _walk(children):
    for child in children:
        if child["kind"] == "more":
            PARENTS.update({{i: child["data"]["parent_id"] for i in child["data"]["children"]}})
        elif isinstance(child["data"].get("replies"), dict):
            _walk(child["data"]["replies"]["data"]["children"])

_walk(json.loads(PAGE)[1]["data"]["children"])
ASKED = []

class Replay(BaseHTTPRequestHandler):
    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path == "/comments/1cebxh.json":
            body = PAGE
        elif parts.path == "/api/morechildren.json":
            ASKED.append(parse_qs(parts.query)["children"][0].split(","))
            if len(ASKED) == 1:  # rate-limited once, as Reddit does
                self.send_response(429)
                self.send_header("Retry-After", "4")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            time.sleep(2.5)  # a slow server
            things = []
            for n, cid in enumerate(ASKED[-1]):
                thing = json.loads(json.dumps(CAPTURED[n % len(CAPTURED)]))
                thing["data"].update(id=cid, name="t1_" + cid, parent_id=PARENTS[cid])
                things.append(thing)
            body = json.dumps({{"json": {{"errors": [], "data": {{"things": things}}}}}}).encode()
        else:
            self.send_response(404); self.end_headers(); return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = {{"reddit": f"http://127.0.0.1:{{server.server_address[1]}}"}}
URL = "https://www.reddit.com/r/self/comments/1cebxh/my_wife_passed_away/"
OPTS = dict(base_urls=BASE, cache_dir=tempfile.mkdtemp(), min_interval=0.0)
"""
)


def test_a_slow_fetch_shows_its_progress_then_the_header_says_incomplete(nb: Notebook):
    index = nb.start(
        """
        import warnings
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            thread_r = threadwidget.fetch(URL, more_limit=3, **OPTS)
        """
    )
    out = nb.cell(index).locator(".jp-OutputArea")
    # tqdm.auto in a kernel: an ipywidgets progress bar, its text updated while the cell runs
    bar = out.locator(".widget-hprogress, .jupyter-widget-hprogress, progress, .progress").first
    expect(out).to_contain_text("rate limited by 127.0.0.1", timeout=30_000)
    expect(out).to_contain_text("retrying in 4 s")
    expect(bar).to_be_visible()
    nb.screenshot("fetch-progress-rate-limited.png", nb.cell(index))
    expect(out).to_contain_text("asking 127.0.0.1", timeout=30_000)
    expect(out).to_contain_text("199 comments")
    nb.screenshot("fetch-progress-slow.png", nb.cell(index))
    nb.finish(index, timeout=120_000)
    expect(out).to_contain_text("499 comments, done")
    expect(out).to_contain_text("5 requests")
    nb.screenshot("fetch-progress-done.png", nb.cell(index))
    assert nb.eval_json("[len(ids) for ids in ASKED]") == [100, 100, 100, 100]  # 1st: the 429
    assert nb.eval_json("thread_r.completeness.not_loaded") >= 782
    warned = nb.eval_json(
        "[str(w.message) for w in said if w.category is threadwidget.FetchWarning]"
    )
    assert len(warned) == 1 and "replies not loaded" in warned[0]

    nb.run("w_r = ThreadWidget(thread=thread_r, user='teacher'); display(w_r)")
    root = nb.widget(nb.last_cell)
    note = root.locator('[data-role="incomplete"]')
    n = nb.eval_json("thread_r.completeness.not_loaded")
    expect(note).to_have_text(f"incomplete: {n:,}+ replies not loaded")
    expect(note).to_have_attribute(
        "title",
        "behind Reddit 'more' stubs (load more comments); "
        "behind Reddit 'continue this thread' links",
    )
    expect(root.locator('[data-role="source"]')).to_contain_text("From reddit.com")
    nb.screenshot("fetch-reddit-incomplete-header.png", root.locator('[data-role="post"]'))
