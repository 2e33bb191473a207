"""HTML to Markdown: formatting kept, links checked, scripts dropped, text escaped."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        # Other schemes (also disguised) keep the text only.
        ('<a href="data:text/html,x">d</a>', "d"),
        ('<a href="vbscript:x">v</a>', "v"),
        ('<a href="java\nscript:alert(1)">j</a>', "j"),
        ('<a href="jav&#x09;ascript:alert(1)">j</a>', "j"),
        ('<a href=" JavaScript:alert(1)">j</a>', "j"),
        ("<a>no target</a>", "no target"),
        ('<a href="https://x.org/a b<c>">t</a>', "[t](https://x.org/a%20b%3Cc%3E)"),
        ('<a href="https://x.org/a>b">https://x.org/a>b</a>', "<https://x.org/a%3Eb>"),
        ('<a href="https://x.org/a_b">https://x.org/a_b</a>', "<https://x.org/a_b>"),
        ('<a href="mailto:a@b.example">write</a>', "[write](mailto:a@b.example)"),
        # a linked picture says so (blogs link each image to its full size), never loads it
        ('<a href="https://x.org"><img src="y"></a>', "[image](https://x.org)"),
        (
            '<a href="https://x.org"><img src="y" alt=" A  map*"></a>',
            r"[image: A map\*](https://x.org)",
        ),
        ('<a href="https://x.org">[x]</a>', "[\\[x\\]](https://x.org)"),
        # Media: never a source URL.
        ('<video src="https://x.org/v.mp4">fallback</video>', "fallback"),
        ('<img src="x" alt="a *b* [c] <i>">', "a \\*b\\* \\[c\\] \\<i>"),
        # Every dropped element goes with its content; a void <embed> does not swallow the rest.
        (
            "<iframe>i</iframe><object>o</object><embed src=x><noscript>n</noscript>"
            "<svg><text>s</text></svg><math><mi>m</mi></math><template>t</template>ok",
            "ok",
        ),
        ("<svg><a href='https://x.org'><script>x</script>s</a></svg>after", "after"),
        # Entity-like and tag-like text stays text.
        ("a &amp;lt; b &amp;amp; c &amp; d", "a \\&lt; b \\&amp; c & d"),
        ("&lt;/b&gt; &lt;!-- c --&gt; &lt;?x", "\\</b> \\<!-- c --> \\<?x"),
        ("~x~ |y| `z`", "\\~x\\~ \\|y\\| \\`z\\`"),
        ("a\x00b", "ab"),
        # Nor when the tag or entity is split across text nodes.
        ("&lt;<b></b>img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)>"),
        ("&amp;<script>x</script>lt;", "\\&lt;"),
        ("https://example.com/x", "https://example.com/x"),  # no "looks like a URL" warning
        # A line that HTML shows as text must not become a Markdown block.
        (
            "<p># no heading</p><p>1. no list</p><p>- no list</p><p>&gt; no quote</p>",
            "\\# no heading\n\n1\\. no list\n\n\\- no list\n\n\\> no quote",
        ),
        ("one<br>+ two<br>3) three<br>===", "one\n\\+ two\n3\\) three\n\\==="),
        ("<span># x</span>", "\\# x"),
        ('<a href="javascript:x"># y</a>', "\\# y"),
        ("<ul><li># x</li></ul>", "- \\# x"),
        ("<p>a - b, 3. c, x # y, #tag</p>", "a - b, 3. c, x # y, #tag"),
        ("<p>x\n# y</p>", "x # y"),
        (
            '<a href="https://m.example/t/t">#t</a> <b>- b</b>',
            "[#t](https://m.example/t/t) **- b**",
        ),
        # Formatting.
        ("<del>a</del> <s>b</s> <strike>c</strike>", "~~a~~ ~~b~~ ~~c~~"),
        ("<b> spaced </b>x", "**spaced** x"),
        ("<b>a<br></b>b", "**a**\nb"),
        ("<p>unclosed <i>it <b>both", "unclosed *it **both***"),
        ("</p></b>stray</i>", "stray"),
        ("x <code>a`b</code> y", "x `` a`b `` y"),
        ("<pre>a ``` b\n```</pre>", "````\na ``` b\n```\n````"),
        ("<pre>a\n\n\n\nb</pre>", "```\na\n\n\n\nb\n```"),
        ("<pre><b>x</b> <a href='https://x.org'>y</a></pre>", "```\nx y\n```"),
        ("<h2>Title</h2><p>body</p>", "**Title**\n\nbody"),
        ("<h1>a <b>b</b></h1>", "a **b**"),
        ("<hr>", "---"),
        ("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n  - b\n- c"),
        ("<ul><li><p>a</p><p>b</p></li></ul>", "- a\n\n  b"),
        ("<ol start=3><li>x</li><li>y</li></ol>", "3. x\n4. y"),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>", "> a\n> > b"),
        ("<blockquote><p>q</p><ul><li>x</li></ul></blockquote>after", "> q\n>\n> - x\n\nafter"),
        ("<dl><dt>term</dt><dd>definition</dd></dl>", "term\n\ndefinition"),
        ("<header>h</header>x<footer>f</footer>", "h\n\nx\n\nf"),
        ("<table><tr><th>h</th></tr><tr><td>1|2</td></tr></table>", "| h |\n| --- |\n| 1\\|2 |"),
        # Line breaks and blank lines.
        ("a <br> b", "a\nb"),
        ("<p>a<br><br><br>b</p>", "a\n\nb"),
        ("<p>a</p><br><br><p>b</p>", "a\n\nb"),
        ("line\n\n\nline", "line line"),
        ("<!-- comment -->x<!DOCTYPE html>", "x"),
    ],
)
def test_html_to_markdown_more(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


def test_deep_nesting_is_flattened_not_a_crash() -> None:
    assert html_to_markdown("<div>" * 5000 + "deep") == "deep"
    assert html_to_markdown("<span>" * 5000 + "# deep") == "\\# deep"
    hidden = "<div>" * 500 + "<script>" * 50 + "alert(1)" + "</script>" * 50 + "<svg>" * 500 + "x"
    assert html_to_markdown(hidden + "</svg>" * 500 + "ok") == "ok"


_TAGS = ["p", "b", "i", "a", "span", "li", "ul", "blockquote", "script", "svg", "img", "br"]
_FRAGMENT = st.one_of(
    st.sampled_from([f"<{t}>" for t in _TAGS] + [f"</{t}>" for t in _TAGS]),
    st.sampled_from(['<a href="javascript:alert(1)">', '<a href="https://x.org/(a)">']),
    st.sampled_from(["&lt;b&gt;", "&lt;script&gt;", "&amp;lt;", "<img src=x alt='<i>'>", "&#"]),
    st.sampled_from(["<", "&", "lt;", "img src=x onerror=alert(1)>"]),
    st.text(alphabet="ab #>-+=1.*_[]`~|<&;\n", max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENT, max_size=12))
def test_no_markup_survives(parts: list[str]) -> None:
    markdown = html_to_markdown("".join(parts))
    assert all(re.match(r"https?://", url) for url in re.findall(r"\]\(([^)]*)\)", markdown))
    # Every tag-like "<" is escaped or opens an autolink; no raw tag or entity reaches the renderer.
    assert not re.search(r"(?<!\\)<(?=[A-Za-z/!?])(?!https?://|mailto:)", markdown)
    assert not re.search(r"(?<!\\)&(?=#?\w+;)", markdown)


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        # A backslash before "1" would be shown; "1\." is the escape Markdown knows.
        ("# no heading\n- no list\n1. no list", "\\# no heading\n\\- no list\n1\\. no list"),
        ("> no quote\n+ no list\n2) no\n===", "\\> no quote\n\\+ no list\n2\\) no\n\\==="),
        ("a - b, 3. c, x # y, #tag", "a - b, 3. c, x # y, #tag"),
        ("<b>x</b> *y* &amp;", "\\<b>x\\</b> \\*y\\* \\&amp;"),
        ("", ""),
    ],
)
def test_text_to_markdown(text: str, markdown: str) -> None:
    assert text_to_markdown(text) == markdown
