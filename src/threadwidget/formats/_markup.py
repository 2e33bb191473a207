"""HTML from other sites turned into safe Markdown: tags become Markdown or disappear, never pass.

Only ``http``, ``https`` and ``mailto`` links survive; scripts, styles and images are dropped
(an image keeps its alt text). Text is escaped so that ``<b>`` typed by a person stays text.
The HTML is parsed by Beautiful Soup and converted by markdownify; ``_Converter`` below only
says what this project does differently (links, dropped tags, escaping, headings, fences).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeGuard

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement
from markdownify import MarkdownConverter

if TYPE_CHECKING:
    # markdownify's own stub (its __init__.pyi) leaves out names this module uses; declared here
    # as markdownify 1.2 defines them.
    def chomp(text: str) -> tuple[str, str, str]: ...

    class _MarkdownConverter(MarkdownConverter):
        class DefaultOptions: ...

        def process_text(self, el: NavigableString, parent_tags: set[str] | None = None) -> str: ...
        def convert_div(self, el: Tag, text: str, parent_tags: set[str]) -> str: ...

else:
    from markdownify import MarkdownConverter as _MarkdownConverter
    from markdownify import chomp

__all__ = ["html_to_markdown", "text_to_markdown"]

# Dropped with everything inside them.
_DROP = ("script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math")
# Elements markdownify does not know that still make a paragraph of their own.
_EXTRA_BLOCKS = ("header", "footer", "figure", "main", "aside", "nav", "address", "details")
# Elements after which, or at the start of which, text begins a Markdown line.
_LINE_BREAKERS = {
    *("p", "div", "section", "article", "blockquote", "pre", "hr", "br", "table", "tr"),
    *("ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption"),
    *_EXTRA_BLOCKS,
}
_BLOCKS = _LINE_BREAKERS - {"br"}
# Inline elements whose Markdown puts a marker before their text (``**``, ``[``, `` ` ``).
_MARKED = {"b", "strong", "i", "em", "del", "s", "strike", "code", "kbd", "samp", "q"}
# markdownify converts recursively; deeper nesting than this is flattened (text kept).
_MAX_DEPTH = 100

_ESCAPE = re.compile(r"([\\`*_\[\]~|])")
# A "<" or "&" at the end of a text node too: the next node's text could complete a tag or entity.
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?]|$)")
_ENTITY_LIKE = re.compile(r"&(?=#?\w*(?:;|$))")
# What makes a line a heading, quote, list item or setext underline (``*``, ``_``, ``` ` ```,
# ``~`` and ``|`` are escaped everywhere already).
_LINE_START = re.compile(
    r"^([ \t]*)(?:(#{1,6}(?=[ \t]|$)|>|[-+](?=[ \t]|$)|[-=]+[ \t]*$)|(\d{1,9})([.)])(?=[ \t]|$))",
    re.MULTILINE,
)
_SAFE_SCHEME = re.compile(r"(?i)^(https?://|mailto:)")
_URL_ENCODE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


def _escape(text: str) -> str:
    """Backslash-escape what Markdown or HTML would treat as markup."""
    text = _ESCAPE.sub(r"\\\1", text)
    text = _TAG_LIKE.sub(r"\\<", text)
    return _ENTITY_LIKE.sub(r"\\&", text)


def _escape_line_starts(text: str) -> str:
    """Escape a ``#``, ``>``, ``-``, ``+``, ``===`` or ``1.`` that would start a block."""

    def fix(m: re.Match[str]) -> str:
        if m.group(2) is not None:
            return f"{m.group(1)}\\{m.group(2)}"
        return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"  # 1\. (a backslash before 1 would show)

    return _LINE_START.sub(fix, text)


def _safe_href(href: object) -> str | None:
    """The link target if it is http(s) or mailto, with characters Markdown cares about encoded."""
    if not isinstance(href, str):
        return None
    href = re.sub(r"[\t\n\r]", "", href.strip())  # as browsers do
    if not _SAFE_SCHEME.match(href):
        return None
    return "".join(_URL_ENCODE.get(c, c) for c in href)


def _emits_nothing(el: PageElement) -> bool:
    """Whitespace, comments and dropped elements: nothing of them reaches the Markdown."""
    if isinstance(el, Tag):
        return el.name in _DROP
    return type(el) is not NavigableString or not el.strip()  # comments, doctypes are subclasses


def _sibling(el: PageElement, step: str) -> PageElement | None:
    """The nearest ``previous_sibling`` or ``next_sibling`` that puts something in the Markdown."""
    sibling: PageElement | None = getattr(el, step)
    while sibling is not None and _emits_nothing(sibling):
        sibling = getattr(sibling, step)
    return sibling


def _is(el: PageElement | None, names: set[str] | tuple[str, ...]) -> TypeGuard[Tag]:
    return isinstance(el, Tag) and el.name in names


def _starts_line(el: PageElement) -> bool:
    """Whether the Markdown of a text node begins a line (where ``# `` or ``1. `` is markup)."""
    node: PageElement = el
    while True:
        prev = _sibling(node, "previous_sibling")
        if prev is not None:
            return _is(prev, _LINE_BREAKERS)
        parent = node.parent
        if parent is None or parent.name in _LINE_BREAKERS or parent.name == "[document]":
            return True
        if parent.name in _MARKED or (parent.name == "a" and _safe_href(parent.get("href"))):
            return False
        node = parent  # a transparent inline element (span, u, font, a link dropped...)


def _inline(mark: str) -> Callable[[_Converter, Tag, str, set[str]], str]:
    """A ``convert_*`` wrapping the text in ``mark``, outside any whitespace at its ends."""

    def convert(self: _Converter, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_noformat" in parent_tags:
            return text
        stripped = text.strip()
        if not stripped:
            return ""
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        return f"{lead}{mark}{stripped}{mark}{trail}"

    return convert


def _drop(self: _Converter, el: Tag, text: str, parent_tags: set[str]) -> str:
    return ""


class _Converter(_MarkdownConverter):
    """markdownify with this project's safety rules and Markdown flavour."""

    class Options(_MarkdownConverter.DefaultOptions):
        bullets = "-"
        strong_em_symbol = "*"
        wrap = True  # collapse whitespace (newlines included: the widget renders breaks) ...
        wrap_width = None  # ... without re-wrapping paragraphs

    convert_script = convert_style = convert_template = convert_iframe = _drop
    convert_object = convert_embed = convert_noscript = convert_svg = convert_math = _drop
    convert_b = convert_strong = _inline("**")
    convert_i = convert_em = _inline("*")
    convert_del = convert_s = convert_strike = _inline("~~")

    def escape(self, text: str, parent_tags: set[str]) -> str:
        return _escape(text)

    def process_text(self, el: NavigableString, parent_tags: set[str] | None = None) -> str:
        text = super().process_text(el, parent_tags=parent_tags)
        tags = parent_tags or set()
        if "pre" in tags:
            return text
        # Like markdownify does at block edges: no spaces around a line break.
        if _is(_sibling(el, "previous_sibling"), ("br",)):
            text = text.lstrip(" ")
        if _is(_sibling(el, "next_sibling"), ("br",)):
            text = text.rstrip(" ")
        if text and "_noformat" not in tags and "_inline" not in tags and _starts_line(el):
            text = _escape_line_starts(text)
        return text

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_noformat" in parent_tags:
            return text
        raw_href = el.get("href")
        href = _safe_href(raw_href)
        if href is None or not isinstance(raw_href, str):
            return text  # not a link we keep: its text only
        prefix, suffix, label = chomp(text)
        image = el.find("img")
        if isinstance(image, Tag) and not "".join(el.strings).strip():
            # a linked picture (blogs link each image to its full size): say so, not the address
            alt = " ".join(str(image.get("alt") or "").split())
            label = f"image: {_escape(alt)}" if alt else "image"
        if not label or re.sub(r"\\(.)", r"\1", label) in (href, raw_href.strip()):
            return f"{prefix}<{href}>{suffix}"
        return f"{prefix}[{label}]({href}){suffix}"

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        alt = el.get("alt")
        if not isinstance(alt, str):
            return ""
        return alt if "_noformat" in parent_tags else _escape(" ".join(alt.split()))

    def convert_video(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return text  # its fallback text; never its src

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_inline" in parent_tags:
            return " "
        prev, after = _sibling(el, "previous_sibling"), _sibling(el, "next_sibling")
        if _is(prev, _BLOCKS) or _is(after, _BLOCKS):
            return ""  # a paragraph break is there already
        if _is(prev, ("br",)) and _is(_sibling(prev, "previous_sibling"), ("br",)):
            return ""  # two breaks make a blank line; Markdown has nothing taller
        return "\n"

    def convert_hN(self, n: int, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = " ".join(text.split())
        if "_inline" in parent_tags or not text:
            return text
        if "**" not in text:
            text = f"**{text}**"  # comments get bold lines, not page headings
        return f"\n\n{text}\n\n"

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        code = text.strip("\n")
        if not code.strip():
            return ""
        longest = max((len(run) for run in re.findall("`+", code)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"\n\n{fence}\n{code}\n{fence}\n\n"

    convert_header = convert_footer = convert_figure = _MarkdownConverter.convert_div
    convert_main = convert_aside = convert_nav = _MarkdownConverter.convert_div
    convert_address = convert_details = _MarkdownConverter.convert_div
    convert_dt = convert_dd = _MarkdownConverter.convert_div  # not Pandoc's "term / :   definition"


_CONVERTER = _Converter()  # keeps no state between documents


def _text(tag: Tag) -> str:
    """The text inside ``tag``, less what dropped elements hold (a loop: no recursion)."""
    parts: list[str] = []
    stack = [iter(tag.contents)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, Tag):
                if child.name not in _DROP:
                    stack.append(iter(child.contents))
                    break
            elif type(child) is NavigableString:
                parts.append(child)
        else:
            stack.pop()
    return "".join(parts)


def _flatten_deep(soup: BeautifulSoup) -> None:
    """Turn what is nested deeper than ``_MAX_DEPTH`` into plain text (markdownify recurses)."""
    depth = {id(soup): 0}
    deepest = []
    for tag in soup.find_all(True):  # document order: a parent comes before its children
        depth[id(tag)] = depth[id(tag.parent)] + 1
        if depth[id(tag)] == _MAX_DEPTH:
            deepest.append(tag)
    for tag in deepest:
        text = "" if tag.name in _DROP else _text(tag)
        tag.clear()
        tag.append(text)


def html_to_markdown(html: str | None) -> str:
    """Markdown for an HTML fragment from another site; safe to render with any Markdown viewer."""
    if not html:
        return ""
    # The newline keeps Beautiful Soup from warning that a bare URL "looks like a URL, not markup".
    soup = BeautifulSoup(html.replace("\x00", "") + "\n", "html.parser")
    _flatten_deep(soup)
    return _CONVERTER.convert_soup(soup).strip()


def text_to_markdown(text: str | None) -> str:
    """Markdown that shows plain text exactly as typed (markup characters escaped)."""
    if not text:
        return ""
    return _escape_line_starts(_escape(text)).strip()
