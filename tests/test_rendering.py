"""Markdown is rendered once, in the kernel (markdown-it-py), and travels as ``html``."""

from __future__ import annotations

from threadwidget import Comment, Post, ThreadWidget
from threadwidget.page.messages import wire_comment, wire_event, wire_post
from threadwidget.page.rendering import markdown_html
from threadwidget.widget.saved_state import folded

SAMPLE = "\n".join(
    [
        "Some *emphasis*, **strong**, ~~gone~~ and `code`.",
        "",
        "A [link](https://example.com/a?b=1) and <mailto:me@example.com>.",
        "",
        "- one",
        "- two",
        "",
        "1. first",
        "2. second",
        "",
        "> a quote",
        "",
        "```",
        "let x = 1 < 2;",
        "```",
        "",
        "![pic](https://example.com/p.png)",
    ]
)


def test_ordinary_markdown() -> None:
    out = markdown_html(SAMPLE)
    for fragment in (
        "<em>emphasis</em>",
        "<strong>strong</strong>",
        "<s>gone</s>",
        "<code>code</code>",
        '<a href="https://example.com/a?b=1">link</a>',
        '<a href="mailto:me@example.com">',
        "<ul>\n<li>one</li>",
        "<ol>\n<li>first</li>",
        "<blockquote>",
        "let x = 1 &lt; 2;",
        '<img src="https://example.com/p.png" alt="pic" />',
    ):
        assert fragment in out
    # the frontend test js/tests/markdown.test.ts feeds exactly this HTML to the sanitiser
    assert not out.endswith("\n")


def test_line_breaks_tables_and_bare_links() -> None:
    assert markdown_html("one\ntwo") == "<p>one<br />\ntwo</p>"
    table = markdown_html("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<table>" in table and "<td>1</td>" in table
    assert '<a href="http://www.example.com">www.example.com</a>' in markdown_html(
        "see www.example.com"
    )


def test_raw_html_is_escaped_and_bad_links_are_not_linked() -> None:
    out = markdown_html("<script>alert(1)</script> <img src=x onerror=alert(1)>")
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out
    for source in ("[x](javascript:alert(1))", "[x](vbscript:msgbox(1))", "[x](data:text/html,hi)"):
        assert "<a" not in markdown_html(source)


def test_plain_fast_path_matches_the_parser() -> None:
    from threadwidget.page.rendering import _MD

    for text in ("Nice post.", "It's \"quoted\" (really); isn't it? Yes!", "Numbers 12 and 3.5"):
        assert markdown_html(text) == _MD.render(text).rstrip("\n")
    assert markdown_html("") == "" and markdown_html("  \n") == ""


def test_every_wire_form_carries_html() -> None:
    c = Comment(id="a", body="**hi**")
    assert wire_comment(c)["html"] == "<p><strong>hi</strong></p>"
    assert wire_post(Post(body="*p*"))["html"] == "<p><em>p</em></p>"
    edit = {"type": "edit", "id": "a", "body": "`x`", "actor": "u", "at": "2020-01-01T00:00:00Z"}
    assert wire_event(edit)["html"] == "<p><code>x</code></p>"
    sent: list[dict] = []
    w = ThreadWidget(Post(body="**post**"), [c], user="u")
    assert w._snapshot["post"]["html"] == "<p><strong>post</strong></p>"
    whole = folded(w.get_state())
    assert whole is not None and whole["comments"][0]["html"] == "<p><strong>hi</strong></p>"
    w.send = sent.append  # type: ignore[method-assign]
    w.edit_comment("a", "*new*")
    w._outbox.flush()  # (a change right after another waits up to 10 ms: outbox.py)
    assert sent[-1]["event"]["html"] == "<p><em>new</em></p>"
    # the event log (journal, replay, w.events) keeps the plain event
    assert "html" not in w.events[-1].model_dump()
    assert w.events[-1].body == "*new*"
