"""Hostile text and concurrent pages in a real JupyterLab page (docs/security.md).

- 176 well-known XSS payloads as comment bodies, author names, the post title and caption: none
  runs (a probe each payload calls, a dialog listener, synthetic mouse/focus events on every
  element), no dangerous markup survives in the DOM, and plain-text fields show the payload as text.
- Two browser pages on one kernel edit at the same time and both end up showing Python's state.
"""

from __future__ import annotations

import json
import sys
import time

import pytest
from harness import REPO, Notebook
from playwright.sync_api import expect

sys.path.insert(0, str(REPO))
from tests.xss_corpus import hostile_image_urls, payloads

pytestmark = pytest.mark.browser

ITEM = '[role="treeitem"][data-comment-id]'

PROBE_JS = """
() => {
  window.__tw_hits = [];
  window.__twx = (n) => { window.__tw_hits.push(n); };
  window.__tw_dialogs = 0;
}
"""

# Everything a surviving payload could hang on: handlers, script-capable elements, bad URLs.
AUDIT_JS = """
(root) => {
  const bad = [];
  const all = [root, ...root.querySelectorAll('*')];
  for (const el of all) {
    const tag = el.tagName.toLowerCase();
    // the one trusted <style>: w.css, set from Python, a direct child of the root
    const ownCss = tag === 'style' && el.dataset.role === 'custom-css' && el.parentNode === root;
    const dangerous = ['script', 'iframe', 'object', 'embed', 'frame', 'frameset', 'base', 'meta',
      'link', 'form', 'math', 'style', 'template', 'foreignobject', 'animate', 'set'];
    if (!ownCss && dangerous.includes(tag)
        && !el.closest('.tw-root')?.isSameNode(null)) {
      bad.push('element <' + tag + '>');
    }
    if (tag === 'svg' && !el.closest('button, [data-role="icon"]')) bad.push('svg outside icons');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) bad.push(tag + '[' + name + ']');
      if (['href', 'src', 'xlink:href', 'action', 'formaction', 'background', 'data',
           'srcdoc'].includes(name)) {
        if (value.startsWith('javascript:') || value.startsWith('vbscript:')
            || value.startsWith('data:text') || name === 'srcdoc') {
          bad.push(tag + '[' + name + '=' + attr.value.slice(0, 40) + ']');
        }
      }
      if (name === 'style' && el.closest('[data-role="body"], [data-role="post-body"]')) {
        bad.push(tag + '[style] inside user text');
      }
    }
  }
  return bad;
}
"""

POKE_JS = """
(root) => {
  // Fire what inline handlers wait for, on every element, as a user moving around would.
  const events = ['mouseover', 'mouseenter', 'pointerover', 'pointerenter', 'focus', 'focusin',
                  'animationstart', 'toggle', 'wheel', 'scroll', 'load', 'error'];
  for (const el of root.querySelectorAll('[data-role="body"] *, [data-role="post"] *')) {
    for (const type of events) el.dispatchEvent(new Event(type, { bubbles: true }));
  }
  return true;
}
"""


@pytest.fixture(scope="module")
def nb(jupyter_server, browser_context):
    setup = f"""
        import json, sys
        sys.path.insert(0, {str(REPO)!r})
        from IPython.display import display
        from threadwidget import ThreadWidget, Post, Comment, Image
        from tests.xss_corpus import payloads, hostile_image_urls
    """
    with Notebook(
        jupyter_server, browser_context, [setup], name="threadwidget-security.ipynb"
    ) as nb:
        nb.run_all()
        yield nb


def test_no_xss_payload_runs(nb):
    page = nb.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.evaluate(PROBE_JS)
    corpus = payloads()
    assert len(corpus) >= 150
    nb.run(
        """
        P = payloads()
        w_x = ThreadWidget(
            post=Post(title=P[0] + " " + P[17], author=P[1], body="\\n\\n".join(P[:40]),
                      image=Image(url=hostile_image_urls()[0], caption=P[5], credit=P[6])),
            comments=[Comment(id=f"x{i}", author=p[:200], body=p) for i, p in enumerate(P)]
                     + [Comment(id="plain", author="Ann", body="plain text survives")],
            user="Chris",
        )
        display(w_x)
        """
    )
    root = nb.widget(nb.last_cell)
    # every comment rendered (progressively), including the plain one at the end
    expect(root.locator(ITEM)).to_have_count(len(corpus) + 1, timeout=30_000)
    page.evaluate(POKE_JS, root.element_handle())
    # hover and focus real elements too, the way a person would
    for cid in ("x0", "x2", "x3", "x55", "x120"):
        root.locator(f'{ITEM}[data-comment-id="{cid}"]').first.hover()
    page.wait_for_timeout(1500)  # onerror of broken images, timers, animations
    hits = page.evaluate("() => window.__tw_hits")
    assert hits == [], f"payloads ran: {[corpus[n] for n in hits if n < len(corpus)]}"
    assert dialogs == []
    assert root.evaluate(AUDIT_JS) == []

    # Plain-text fields show the payload as text, exactly.
    expect(root.locator('[data-role="post-title"]')).to_have_text(corpus[0] + " " + corpus[17])
    authors = root.locator(f'{ITEM}[data-comment-id="x3"]').locator(".tw-author").first
    expect(authors).to_have_text(corpus[3][:200])
    expect(root.locator(f'{ITEM}[data-comment-id="plain"] [data-role="body"]')).to_have_text(
        "plain text survives"
    )
    # Markdown that is text stays visible as text: inline code shows its content literally
    text = root.locator(f'{ITEM}[data-comment-id="x{corpus.index(_code_payload(corpus))}"]')
    expect(text.locator('[data-role="body"] code').first).to_have_text("code")
    nb.screenshot("xss-corpus", root)


def _code_payload(corpus: list[str]) -> str:
    return next(p for p in corpus if p.startswith("`code`"))


def test_hostile_post_image_urls_are_not_used(nb):
    page = nb.page
    page.evaluate(PROBE_JS)
    for index, url in enumerate(hostile_image_urls()):
        nb.run(
            f"""
            w_img{index} = ThreadWidget(post=Post(title="img", author="A", body="b",
                image=Image(url=hostile_image_urls()[{index}], caption="c", credit="d")))
            display(w_img{index})
            """
        )
        root = nb.widget(nb.last_cell)
        srcs = root.evaluate("(r) => [...r.querySelectorAll('img')].map((i) => i.src)")
        assert all(not s.lower().startswith(("javascript:", "data:text")) for s in srcs), srcs
        assert url not in srcs or url.startswith("data:image/svg+xml"), srcs
    page.wait_for_timeout(800)
    assert page.evaluate("() => window.__tw_hits") == []


def _open_second_page(nb: Notebook, browser_context) -> Notebook:
    """The same notebook (and kernel) in another browser page, as a second person would."""
    other = Notebook(nb.server, browser_context, [], name=nb.name)
    other.page = browser_context.new_page()
    other.page.on("dialog", lambda d: d.accept())
    other.page.goto(other.url, wait_until="domcontentloaded")
    other.wait_ready()
    return other


def test_two_pages_on_one_kernel_converge(nb, browser_context):
    nb.run(
        """
        w_2p = ThreadWidget(post=Post(title="Two pages", author="Steve", body="Discuss."),
                            comments=[Comment(id="c1", author="Ann", body="first")], user="Chris")
        display(w_2p)
        """
    )
    cell = nb.last_cell
    root_a = nb.widget(cell)
    expect(root_a.locator(f'{ITEM}[data-comment-id="c1"]')).to_be_visible()
    nb.save()
    other = _open_second_page(nb, browser_context)
    try:
        root_b = other.widget(cell)
        expect(root_b.locator(f'{ITEM}[data-comment-id="c1"]')).to_be_visible()
        # both pages write at once: each posts a top-level comment and likes c1 / replies
        composer_a = root_a.locator('[data-role="new-comment"] textarea[data-role="composer"]')
        composer_b = root_b.locator('[data-role="new-comment"] textarea[data-role="composer"]')
        composer_a.fill("from page A")
        composer_b.fill("from page B")
        composer_a.press("Control+Enter")
        composer_b.press("Control+Enter")
        root_b.locator(f'{ITEM}[data-comment-id="c1"] button[data-action="like"]').first.click()
        nb.run('w_2p.add_comment("from Python", author="Steve", parent_id="c1")')

        truth = nb.wait_py(
            "len(w_2p.comments) == 4 and [[c.id, c.body, c.likes] for c in w_2p.comments]"
        )
        want = {cid: (body, likes) for cid, body, likes in truth}
        assert {b for b, _ in want.values()} == {
            "first",
            "from page A",
            "from page B",
            "from Python",
        }
        for root in (root_a, root_b):
            deadline = time.monotonic() + 20
            while True:
                shown = root.evaluate(
                    """(r) => Object.fromEntries([...r.querySelectorAll(
                         '[role="treeitem"][data-comment-id]')].map((el) => [
                         el.dataset.commentId,
                         [el.querySelector('[data-role="body"]')?.innerText.trim(),
                          parseInt(el.querySelector('[data-role="likes"]')?.innerText || '0')
                            || 0,
                          el.dataset.pending === 'true']]))"""
                )
                if {k: (v[0], v[1]) for k, v in shown.items()} == want and not any(
                    v[2] for v in shown.values()
                ):
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"page did not converge: {json.dumps(shown)} != {want}")
                time.sleep(0.1)
        other.screenshot("second-page")
    finally:
        other.page.close()
        other.page = None
