"""HTML to Markdown: formatting kept, links checked, scripts dropped, text escaped."""

from __future__ import annotations

import pytest

from threadwidget.formats._markup import html_to_markdown, text_to_markdown


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("one<br>two", "one\ntwo"),
        ("<b>bold</b> and <em>it</em>", "**bold** and *it*"),
        ('<a href="https://x.org/p(1)">x</a>', "[x](https://x.org/p%281%29)"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ('<a href="https://x.org">https://x.org</a>', "<https://x.org>"),
        ("<script>alert(1)</script>ok<style>p{}</style>", "ok"),
        ("<pre><code>  a &lt; b\n    c</code></pre>", "```\n  a < b\n    c\n```"),
        ("use <code>a_b</code>", "use `a_b`"),
        ("<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2"),
        ("<ul><li>x</li><li>y</li></ul>", "- x\n- y"),
        ("<ol><li>x</li><li>y</li></ol>", "1. x\n2. y"),
        ("&lt;img src=x onerror=alert(1)&gt;", "\\<img src=x onerror=alert(1)>"),
        ("5 * 3 = 15 [sic] a_b", "5 \\* 3 = 15 \\[sic\\] a\\_b"),
        ('<img src="https://t.example/x.gif" alt="tracker">', "tracker"),
        ("<p>unclosed <b>bold", "unclosed **bold**"),
        ("", ""),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


def test_text_to_markdown_escapes_line_starts() -> None:
    assert (
        text_to_markdown("# no heading\n- no list\n1. no list")
        == "\\# no heading\n\\- no list\n\\1. no list"
    )
