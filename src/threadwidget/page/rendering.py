"""Markdown to HTML for the views, rendered once in the kernel (markdown-it-py).

The browser receives each body's HTML next to its Markdown source and runs it through its
DOMPurify pass before display (``js/src/markdown.ts``), so the bundle carries no Markdown parser.
Raw HTML in a body is escaped, never passed through; links are validated by markdown-it-py
(``javascript:``, ``vbscript:``, ``file:`` and non-image ``data:`` URLs are not linked).
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

__all__ = ["markdown_html"]

# GitHub-flavoured enough for comments: tables, ~~strike~~, hard line breaks, bare links.
_MD = MarkdownIt("commonmark", {"breaks": True, "html": False}).enable(["table", "strikethrough"])
_MD_LINKS = MarkdownIt("commonmark", {"breaks": True, "html": False, "linkify": True}).enable(
    ["table", "strikethrough", "linkify"]
)
# Finding bare links is the slow part (6x): only bodies that may hold one take that path.
_MAY_LINK = re.compile(r"www\.|://|@", re.IGNORECASE)
# One plain paragraph: no markup, nothing to link or escape (most comments) -- no parser needed.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'\"?!;()]*")


@lru_cache(maxsize=32_768)
def markdown_html(source: str) -> str:
    """The HTML of a Markdown body ("" for an empty one); cached by text."""
    if not source.strip():
        return ""
    text = source.rstrip()
    may_link = _MAY_LINK.search(source) is not None
    if not may_link and _PLAIN.fullmatch(text):
        return "<p>" + text.replace('"', "&quot;") + "</p>"  # what markdown-it escapes here
    parser = _MD_LINKS if may_link else _MD
    html: str = parser.render(source)  # typed Any: a custom renderer may return anything
    return html.rstrip("\n")
