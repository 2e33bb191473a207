"""threadwidget in a real JupyterLab page: the DOM contract and sync protocol of docs/protocol.md.

One notebook (one kernel, one page) for the module; every test displays its own widget in a new
cell and addresses only that cell's output, so tests do not see each other's state.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict

import pytest
from harness import WIDGET_SETUP, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


SETUP = WIDGET_SETUP

ITEM = '[role="treeitem"][data-comment-id]'
# Every comment's own parts: elements whose nearest enclosing tree item is the comment itself, so a
# parent's locator never picks up a nested reply's buttons or body.
COLLECT_JS = """
(root) => {
  const ITEM = '[role="treeitem"][data-comment-id]';
  const shown = (el) => !!el && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const own = (item, sel) => [...item.querySelectorAll(sel)]
    .filter((x) => x.closest(ITEM) === item);
  const ownText = (item) => {
    const clone = item.cloneNode(true);
    clone.querySelectorAll(ITEM).forEach((n) => n.remove());
    return clone.textContent;
  };
  return [...root.querySelectorAll(ITEM)].map((el) => {
    const body = own(el, '[data-role="body"]')[0];
    const likes = own(el, '[data-role="likes"]')[0];
    return {
      id: el.dataset.commentId,
      status: el.dataset.status || null,
      pending: el.dataset.pending === 'true',
      visible: shown(el),
      body: body ? body.innerText : null,
      likes: likes ? likes.innerText : null,
      edited: own(el, '[data-role="edited"]').some(shown),
      badge: own(el, '[data-role="author-badge"]').some(shown),
      actions: own(el, 'button[data-action]').filter(shown).map((b) => b.dataset.action),
      text: ownText(el).replace(/\\s+/g, ' ').trim().slice(0, 300),
    };
  });
}
"""

CONTROLS = (
    'button[data-action="reply"], button[data-action="edit"], '
    'button[data-action="delete"], textarea[data-role="composer"]'
)


# --------------------------------------------------------------------------- helpers


def _own(cid: str, xpath_step: str) -> str:
    """XPath: `xpath_step` elements whose nearest tree item ancestor is comment `cid`."""
    return (
        f'xpath=.//{xpath_step}[ancestor::*[@role="treeitem"][@data-comment-id][1]'
        f'[@data-comment-id="{cid}"]]'
    )


def comment(root, cid):
    return root.locator(f'{ITEM}[data-comment-id="{cid}"]')


def own_button(root, cid, action):
    return root.locator(_own(cid, f'button[@data-action="{action}"]'))


def own_part(root, cid, role):
    return root.locator(_own(cid, f'*[@data-role="{role}"]'))


def comment_composer(root):
    """The open composer that is not the top-level "new comment" one (reply or edit)."""
    return root.locator('textarea[data-role="composer"]:not([data-role="new-comment"] *)').filter(
        visible=True
    )


def view_state(root) -> list[dict]:
    return root.evaluate(COLLECT_JS)


def wait_view(root, predicate, what: str, timeout: float = 20.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        state = view_state(root)
        if predicate(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what}: not reached after {timeout}s; the view shows:\n"
                + json.dumps(state, indent=1)[:6000]
            )
        time.sleep(0.1)


def norm(text) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def like_count(text) -> int:
    m = re.search(r"\d+", text or "")
    return int(m.group()) if m else 0


def expected_visible(comments: list[dict]) -> set[str]:
    """Ids a view shows: visible comments, and deleted ones while they have a shown reply."""
    kids = defaultdict(list)
    for c in comments:
        kids[c["parent_id"]].append(c)
    shown: set[str] = set()

    def walk(c) -> bool:
        any_kid = [walk(k) for k in kids[c["id"]]]
        if c["status"] == "visible" or any(any_kid):
            shown.add(c["id"])
            return True
        return False

    for c in kids[None]:
        walk(c)
    return shown


def show(nb: Notebook, code: str, count: int = 1):
    """Run a cell that displays a widget; return the widget view(s) in that cell's output."""
    nb.run(code)
    views = [nb.widget(nb.last_cell, nth=i) for i in range(count)]
    return views[0] if count == 1 else views


def submit(composer, text: str) -> None:
    composer.fill(text)
    composer.press("Control+Enter")


# --------------------------------------------------------------------------- fixtures


# --------------------------------------------------------------------------- tests


def test_quickstart_thread_renders(nb):
    root = show(nb, "w_qs = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_qs)")
    py = nb.eval_json("{'post': w_qs.post.model_dump(mode='json'), 'comments': tw_comments(w_qs)}")
    comments, post = py["comments"], py["post"]
    assert len(comments) >= 8 and "instagram" in comments[-1]["body"]  # the seed thread, spam last

    expect(root.locator('[data-role="post"] [data-role="post-title"]')).to_have_text(post["title"])
    expect(root.locator('[data-role="tree"]')).to_have_attribute("role", "tree")
    ids = {c["id"] for c in comments}
    state = wait_view(
        root, lambda s: {d["id"] for d in s if d["visible"]} == ids, "every seed comment visible"
    )
    by_id = {d["id"]: d for d in state}
    for c in comments:
        d = by_id[c["id"]]
        assert d["status"] == "visible" and not d["pending"], d
        assert norm(d["body"]) == norm(c["body"]), (c["id"], d["body"], c["body"])
        assert like_count(d["likes"]) == c["likes"], (c["id"], d["likes"], c["likes"])
        # The badge marks the post author's own comments only ("Steve", not "Steve Browne").
        assert d["badge"] == (c["author"] == post["author"]), (c["id"], c["author"], d)
    assert any(c["author"] == post["author"] for c in comments)

    # Default sort "oldest": depth-first, siblings by creation time.
    kids = defaultdict(list)
    for c in comments:
        kids[c["parent_id"]].append(c)
    order: list[str] = []

    def walk(pid):
        for c in sorted(kids[pid], key=lambda c: c["created_at"]):
            order.append(c["id"])
            walk(c["id"])

    walk(None)
    assert [d["id"] for d in state] == order

    expect(root.locator('[data-role="count"]')).to_have_text(re.compile(rf"\b{len(comments)}\b"))
    nb.screenshot("quickstart", root)


def test_reply_from_browser_reaches_python(nb):
    root = show(
        nb,
        """
        w_rp = ThreadWidget.load(DATA, user="Chris")
        seen_rp = []
        off_rp = w_rp.on_comment(lambda c: seen_rp.append(c.model_dump(mode="json")))
        display(w_rp)
    """,
    )
    text = "A reply typed in the browser."
    own_button(root, "c3", "reply").click()
    composer = comment_composer(root)
    expect(composer).to_have_count(1)
    submit(composer, text)

    found = nb.wait_py(f"[c for c in tw_comments(w_rp) if c['body'] == {text!r}]")
    assert len(found) == 1, found
    new = found[0]
    assert new["parent_id"] == "c3" and new["author"] == "Chris" and new["status"] == "visible", new
    seen = nb.eval_json("seen_rp")
    assert [c["id"] for c in seen] == [new["id"]], seen

    item = comment(root, new["id"])
    expect(item).to_be_visible()
    expect(item).not_to_have_attribute("data-pending", "true")  # confirmed by its event
    expect(own_part(root, new["id"], "body")).to_have_text(text)


def test_python_add_edit_delete_show_in_page(nb):
    root = show(
        nb,
        """
        w_py = ThreadWidget(post=Post(title="From Python", author="Steve", body="The post."),
                            comments=[Comment(id="c1", author="Ann", body="hi")], user="Chris")
        display(w_py)
    """,
    )
    expect(comment(root, "c1")).to_be_visible()

    cid = nb.eval_json("w_py.add_comment('added from python', author='Bob').id")
    expect(comment(root, cid)).to_be_visible()
    expect(own_part(root, cid, "body")).to_have_text("added from python")
    expect(own_part(root, cid, "edited")).to_be_hidden()

    nb.run(f"w_py.edit_comment({cid!r}, 'edited from python')")
    expect(own_part(root, cid, "body")).to_have_text("edited from python")
    expect(own_part(root, cid, "edited")).to_be_visible()

    nb.run(f"w_py.delete_comment({cid!r})")
    expect(comment(root, cid)).to_be_hidden()  # no replies: gone from view
    expect(comment(root, "c1")).to_be_visible()

    # A deleted comment with a reply stays as a "[deleted]" placeholder above the reply.
    parent, child = json.loads(
        nb.run("""
        p = w_py.add_comment("parent", author="Bob")
        ch = w_py.add_comment("child", author="Ann", parent_id=p.id)
        print(json.dumps([p.id, ch.id]))
    """)
    )
    expect(own_part(root, child, "body")).to_have_text("child")
    nb.run(f"w_py.delete_comment({parent!r})")
    expect(comment(root, parent)).to_have_attribute("data-status", "deleted")
    state = wait_view(
        root,
        lambda s: any(d["id"] == parent and "[deleted]" in d["text"] for d in s),
        "tombstone shows [deleted]",
    )
    assert not any(d["id"] == parent and "parent" in norm(d["body"]) for d in state), state
    expect(comment(root, child)).to_be_visible()


def test_like_click_reaches_python(nb):
    root = show(nb, "w_lk = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_lk)")
    before = nb.eval_json("w_lk.get('c5-r1').model_dump(mode='json')")
    assert "Chris" not in before["liked_by"], before
    n = before["likes"]
    expect(own_part(root, "c5-r1", "likes")).to_have_text(re.compile(rf"\b{n}\b"))

    own_button(root, "c5-r1", "like").click()
    after = nb.wait_py(f"(c := w_lk.get('c5-r1')).likes == {n + 1} and c.model_dump(mode='json')")
    assert "Chris" in after["liked_by"], after
    expect(own_part(root, "c5-r1", "likes")).to_have_text(re.compile(rf"\b{n + 1}\b"))

    # The same button takes the like back.
    own_button(root, "c5-r1", "like").click()
    nb.wait_py(f"w_lk.get('c5-r1').likes == {n} and 'Chris' not in w_lk.get('c5-r1').liked_by")
    expect(own_part(root, "c5-r1", "likes")).to_have_text(re.compile(rf"\b{n}\b"))


def test_reload_shows_python_state(nb):
    root = show(nb, "w_rl = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_rl)")
    cell = nb.last_cell
    own_button(root, "c5-r1", "like").click()  # a change from the browser
    nb.wait_py("'Chris' in w_rl.get('c5-r1').liked_by")
    new_id = nb.run("""
        r = w_rl.add_comment("a reply written in Python", author="Dana", parent_id="c1")
        w_rl.edit_comment("c3", "c3, edited before the reload")
        w_rl.delete_comment("c6")
        w_rl.like("c2", user="Zed")
        print(r.id)
    """).strip()
    expect(own_part(root, new_id, "body")).to_be_visible()
    expect(comment(root, "c6")).to_be_hidden()

    nb.reload()
    root = nb.widget(cell)
    comments = nb.eval_json("tw_comments(w_rl)")
    want = expected_visible(comments)
    assert new_id in want and "c6" not in want
    state = wait_view(
        root,
        lambda s: {d["id"] for d in s if d["visible"]} == want,
        "after reload the visible comments are Python's",
    )
    by_id = {d["id"]: d for d in state}
    for c in comments:
        if c["id"] not in want:
            continue
        d = by_id[c["id"]]
        assert not d["pending"] and d["status"] == c["status"], (c, d)
        if c["status"] == "visible":
            assert norm(d["body"]) == norm(c["body"]), (c["id"], d["body"], c["body"])
        assert like_count(d["likes"]) == c["likes"], (c["id"], d["likes"], c["likes"])
        assert d["edited"] == (c["edited_at"] is not None), (c["id"], d)


def test_read_only_hides_editing_controls(nb):
    root = show(nb, "w_ro = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_ro)")
    expect(own_button(root, "c3", "edit")).to_be_visible()  # c3 is Chris's own comment
    expect(own_button(root, "c3", "delete")).to_be_visible()
    own_button(root, "c3", "reply").click()  # an open reply composer must go away too
    expect(comment_composer(root)).to_have_count(1)

    nb.run("w_ro.read_only = True")
    expect(root.locator(CONTROLS).filter(visible=True)).to_have_count(0)
    expect(comment(root, "c3")).to_be_visible()  # the thread itself stays

    nb.run("w_ro.read_only = False")
    expect(own_button(root, "c3", "reply")).to_be_visible()
    expect(root.locator('[data-role="new-comment"] textarea[data-role="composer"]')).to_be_visible()


def test_rejected_edit_shows_error_and_keeps_draft(nb):
    root = show(nb, "w_ed = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_ed)")
    original = nb.eval_json("w_ed.get('c3').model_dump(mode='json')")
    assert original["author"] == "Chris"
    own_button(root, "c3", "edit").click()
    composer = comment_composer(root)
    expect(composer).to_have_count(1)

    # One character over max_body (20,000).  Set like a paste that ignores any maxlength
    # attribute (Playwright's fill() would be truncated by one), then submit from the keyboard.
    draft = ("Far too long. " * 1430)[:20_001]
    composer.evaluate(
        """(el, v) => {
             const proto = HTMLTextAreaElement.prototype;
             Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);
             el.dispatchEvent(new Event('input', {bubbles: true}));
           }""",
        draft,
    )
    composer.press("Control+Enter")

    error = root.locator('[data-role="error"]').filter(visible=True)
    expect(error.first).to_be_visible()
    assert norm(error.first.inner_text()), "the error element is empty"
    composer = comment_composer(root)
    expect(composer).to_have_count(1)
    kept = composer.input_value()
    assert kept == draft, f"draft not kept: {len(kept)} chars, starts {kept[:60]!r}"

    now = nb.eval_json("w_ed.get('c3').model_dump(mode='json')")
    assert now["body"] == original["body"] and now["edited_at"] is None, now["edited_at"]
    expect(own_part(root, "c3", "body")).to_have_text(norm(original["body"]))
    expect(comment(root, "c3")).not_to_have_attribute("data-pending", "true")
    nb.screenshot("edit-rejected", root)


def test_two_views_of_one_widget_share_replies(nb):
    a, b = show(
        nb,
        """
        w_2v = ThreadWidget(post=Post(title="Two views", author="Steve", body="The post."),
                            comments=[Comment(id="c1", author="Ann", body="hi")], user="Chris")
        display(w_2v)
        display(w_2v)
    """,
        count=2,
    )
    text = "Reply from the first view."
    own_button(a, "c1", "reply").click()
    submit(comment_composer(a), text)

    found = nb.wait_py(f"[c for c in tw_comments(w_2v) if c['body'] == {text!r}]")
    assert len(found) == 1 and found[0]["parent_id"] == "c1", found
    new_id = found[0]["id"]
    for view in (a, b):
        expect(comment(view, new_id)).to_be_visible()
        expect(comment(view, new_id)).not_to_have_attribute("data-pending", "true")
        expect(own_part(view, new_id, "body")).to_have_text(text)
    # The composer opened in view a is view a's own state.
    expect(comment_composer(b)).to_have_count(0)


def test_kernel_reject_shows_error_and_keeps_draft(nb):
    """A reply the kernel refuses (its parent was deleted meanwhile) shows the reason, keeps the
    draft and leaves no pending comment.

    The race is made deterministic in the kernel: this widget instance deletes c4 just before it
    handles the next browser operation, so the view cannot know and the refusal comes from the
    kernel.  (A busy cell is not enough: JupyterLab may send widget messages on a kernel subshell,
    handled while a cell runs.)"""
    root = show(nb, "w_rj = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_rj)")
    nb.run("""
        _rj_handle = w_rj._handle_op_request
        def _rj_delete_first(request):
            if w_rj.get("c4").status == "visible":
                w_rj.delete_comment("c4")
            return _rj_handle(request)
        w_rj._handle_op_request = _rj_delete_first
    """)
    # c4 has a reply (c4-r1), so once deleted it stays in view as "[deleted]".
    own_button(root, "c4", "reply").click()
    composer = comment_composer(root)
    expect(composer).to_have_count(1)
    draft = "A reply whose parent goes away."
    composer.fill(draft)

    composer.press("Control+Enter")
    nb.wait_py("[e.type for e in w_rj.events] == ['delete']")

    error = root.locator('[data-role="error"]').filter(visible=True)
    expect(error.first).to_be_visible()
    assert norm(error.first.inner_text()), "the error element is empty"
    expect(comment_composer(root)).to_have_count(1)
    assert comment_composer(root).input_value() == draft
    assert nb.eval_json(f"[c['id'] for c in tw_comments(w_rj) if c['body'] == {draft!r}]") == []
    state = wait_view(root, lambda s: not any(d["pending"] for d in s), "no pending comment left")
    assert not any(norm(d["body"]) == draft for d in state), state
    expect(comment(root, "c4")).to_have_attribute("data-status", "deleted")
    nb.screenshot("reply-rejected", root)


def test_rate_limit_reject_shows_error_and_keeps_draft(nb):
    """A kernel refusal whose target stays in view: the browser's operations beyond the rate
    limit are refused ("Too many actions at once"); the reply's draft and the reason stay."""
    root = show(nb, "w_rt = ThreadWidget.load(DATA, user='Chris')\ndisplay(w_rt)")
    limit = nb.eval_json(
        "__import__('threadwidget.widget.thread_widget').widget.thread_widget.RATE_LIMIT"
    )
    n = nb.eval_json("w_rt.get('c5-r1').likes")
    for i in range(limit):  # like / unlike, each confirmed before the next click
        own_button(root, "c5-r1", "like").click()
        want = n + 1 if i % 2 == 0 else n
        expect(own_part(root, "c5-r1", "likes")).to_have_text(re.compile(rf"\b{want}\b"))

    draft = "One action too many."
    own_button(root, "c3", "reply").click()
    submit(comment_composer(root), draft)
    error = root.locator('[data-role="error"]').filter(visible=True)
    expect(error.first).to_contain_text("Too many")
    expect(comment_composer(root)).to_have_count(1)
    assert comment_composer(root).input_value() == draft
    assert nb.eval_json(f"[c['id'] for c in tw_comments(w_rt) if c['body'] == {draft!r}]") == []
    wait_view(root, lambda s: not any(d["pending"] for d in s), "no pending comment left")
