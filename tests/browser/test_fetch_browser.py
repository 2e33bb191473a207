"""A thread fetched from the web, in a real JupyterLab page: the kernel fetches a Blogger post and
its comment feed from a local server replaying captured answers (tests/data/SOURCES.md), the
widget shows where it came from in its header, and ``w.follow`` brings in a comment the server
gains while the page watches."""

from __future__ import annotations

import pytest
from harness import REPO, WIDGET_SETUP, Notebook
from hosts import comment
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SOURCES = REPO / "tests" / "data" / "sources"

# A replay server inside the kernel: /feeds/posts/default answers the captured post, the comment
# feed answers the captured comments; `serve_comments(n)` chooses how many of them (newest last).
SETUP = (
    WIDGET_SETUP
    + f"""
import re, tempfile, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threadwidget

SOURCES = {str(SOURCES)!r}
POST = open(SOURCES + "/blogger_post_captured.xml", "rb").read()
FEED = open(SOURCES + "/blogger_comments_captured.xml", "rb").read().decode("utf-8")
HEAD, *ENTRIES = re.split(r"(?=<entry>)", FEED.removesuffix("</feed>"))
SHOWN = {{"n": len(ENTRIES)}}

def serve_comments(n):
    SHOWN["n"] = n

class Replay(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/feeds/posts/default":
            body = POST
        elif path == "/feeds/7363549676454738514/comments/default":
            # the feed lists newest first: the last n entries are the n oldest comments
            body = (HEAD + "".join(ENTRIES[len(ENTRIES) - SHOWN["n"]:]) + "</feed>").encode()
        else:
            self.send_response(404); self.end_headers(); return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = {{"blogger": f"http://127.0.0.1:{{server.server_address[1]}}"}}
URL = "http://www.hradiska.sk/2023/01/bronzovy-poklad-z-hradiska-na-strednom.html"
OPTS = dict(base_urls=BASE, cache_dir=tempfile.mkdtemp(), progress=False, min_interval=0.0)
"""
)

OLDER, NEWER = "7325823601297060803", "6748192159515915561"  # NEWER replies to OLDER


def test_fetched_thread_says_where_from_and_follow_brings_in_a_reply(nb: Notebook):
    nb.run(
        """
        serve_comments(1)
        w_f = ThreadWidget(thread=threadwidget.fetch(URL, **OPTS), user="teacher")
        display(w_f)
        """
    )
    root = nb.widget(nb.last_cell)
    title = root.locator('[data-role="post-title"]')
    expect(title).to_have_text("Bronzový poklad z hradiska na strednom Považí")
    source = root.locator('[data-role="source"]')
    expect(source).to_contain_text("From hradiska.sk · fetched")  # "www." left out
    link = root.locator('[data-role="source-link"]')
    expect(link).to_have_attribute(
        "href", "http://www.hradiska.sk/2023/01/bronzovy-poklad-z-hradiska-na-strednom.html"
    )
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(comment(root, OLDER)).to_be_visible()
    expect(comment(root, NEWER)).to_have_count(0)

    # The server gains the reply; following the thread brings it in, under its parent.
    nb.run(
        """
        serve_comments(2)
        follower = w_f.follow(URL, every=0.5, **OPTS)
        """
    )
    expect(comment(root, NEWER)).to_be_visible(timeout=20_000)
    expect(comment(root, NEWER)).to_have_attribute("aria-level", "2")
    nb.screenshot("fetch-blogger-followed.png", root)
    assert nb.eval_json("[c.parent_id for c in w_f.thread.comments if c.parent_id]") == [OLDER]
    nb.run("w_f.close()")
    assert nb.eval_json("follower.running") is False
