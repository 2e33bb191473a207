"""HTML from other sites turned into safe Markdown: tags become Markdown or disappear, never pass.

Only ``http``, ``https`` and ``mailto`` links survive; scripts, styles and images are dropped
(an image keeps its alt text). Text is escaped so that ``<b>`` typed by a person stays text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_markdown", "text_to_markdown"]

_SKIP = {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math"}
_BLOCK = {"p", "div", "section", "article", "header", "footer", "figure", "table", "tr", "dl"}
_INLINE_WRAP = {"em": "*", "i": "*", "strong": "**", "b": "**", "del": "~~", "s": "~~"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "source"}
_ESCAPE = re.compile(r"([\\`*_\[\]~|])")
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def _escape(text: str) -> str:
    """Backslash-escape what Markdown or HTML would treat as markup."""
    text = _ESCAPE.sub(r"\\\1", text)
    text = _TAG_LIKE.sub(r"\\<", text)
    return _ENTITY_LIKE.sub(r"\\&", text)


def _safe_href(href: str | None) -> str | None:
    """The link target if it is http(s) or mailto, with characters Markdown cares about encoded."""
    if not href:
        return None
    href = href.strip()
    if not re.match(r"(?i)^(https?://|mailto:)", href):
        return None
    return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")


class _Converter(HTMLParser):
    """Builds Markdown while parsing; nested elements collect into buffers on a stack."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, list[str], dict[str, str | None]]] = [("", [], {})]
        self.skip = 0
        self.pre = 0
        self.code = 0
        self.blocks: list[str] = []
        self.lists: list[list[int]] = []

    @property
    def out(self) -> list[str]:
        return self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag in _SKIP:
                self.skip += 1
            return
        if tag in _SKIP:
            self.skip = 1
            return
        if tag == "br":
            self.out.append("\n")
        elif tag == "hr":
            self.out.append("\n\n---\n\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(_escape(alt))
        elif tag in _VOID:
            return
        else:
            if tag == "pre":
                self.pre += 1
            if tag == "code":
                self.code += 1
            if tag in ("ul", "ol"):
                self.lists.append([0 if tag == "ol" else -1])
            self.stack.append((tag, [], dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in _SKIP:
                self.skip -= 1
            return
        if not any(open_tag == tag for open_tag, _, _ in self.stack[1:]):
            return
        while True:
            open_tag = self.stack[-1][0]
            self._close()
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.out.append(data.replace("\x00", ""))
            return
        text = re.sub(r"\s+", " ", data.replace("\x00", ""))
        self.out.append(text if self.code else _escape(text))

    def _close(self) -> None:
        tag, parts, attrs = self.stack.pop()
        inner = "".join(parts)
        out = self.out
        if tag == "pre":
            self.pre -= 1
            code = inner.strip("\n")
            fence = "~~~~" if "```" in code else "```"
            self.blocks.append(f"{fence}\n{code}\n{fence}")
            out.append(f"\n\n\x00{len(self.blocks) - 1}\x00\n\n")
        elif tag == "code" and self.pre:
            self.code -= 1
            out.append(inner)
        elif tag == "code":
            self.code -= 1
            ticks = "``" if "`" in inner else "`"
            pad = " " if inner.startswith("`") or inner.endswith("`") else ""
            out.append(f"{ticks}{pad}{inner}{pad}{ticks}" if inner else "")
        elif tag in _INLINE_WRAP:
            mark = _INLINE_WRAP[tag]
            stripped = inner.strip()
            if stripped:
                lead = " " if inner[:1].isspace() else ""
                trail = " " if inner[-1:].isspace() else ""
                out.append(f"{lead}{mark}{stripped}{mark}{trail}")
        elif tag == "a":
            href = _safe_href(attrs.get("href"))
            text = inner.strip()
            if href is None:
                out.append(inner)
            elif not text or text.replace("\\", "") == href:
                out.append(f"<{href}>")
            else:
                out.append(f"[{text}]({href})")
        elif tag == "blockquote":
            body = _tidy(inner)
            quoted = "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))
            out.append(f"\n\n{quoted}\n\n")
        elif tag in ("ul", "ol"):
            self.lists.pop()
            out.append(f"\n\n{_tidy(inner)}\n\n")
        elif tag == "li":
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
                bullet = f"{counter[0]}. "
            else:
                bullet = "- "
            body = _tidy(inner)
            pad = " " * len(bullet)
            lines = body.split("\n")
            rest = [f"{pad}{line}" if line else "" for line in lines[1:]]
            out.append("\n".join([bullet + lines[0], *rest]) + "\n")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = " ".join(inner.split())
            out.append(f"\n\n**{text}**\n\n" if text else "")
        elif tag in _BLOCK or tag in ("td", "th", "dt", "dd"):
            sep = " " if tag in ("td", "th") else "\n\n"
            out.append(f"{sep}{inner}{sep}")
        else:
            out.append(inner)

    def result(self) -> str:
        self.close()
        while len(self.stack) > 1:
            self._close()
        text = _tidy("".join(self.stack[0][1]))
        return re.sub(r"\x00(\d+)\x00", lambda m: self.blocks[int(m.group(1))], text)


def _tidy(text: str) -> str:
    """Trim spaces at line breaks (keeping list indents), collapse blank runs, strip the ends."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n (?! )", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _escape_line_starts(text: str) -> str:
    """Escape a ``#``, ``>``, ``-`` or ``1.`` that starts a line of plain text (not a real list)."""
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def html_to_markdown(html: str | None) -> str:
    """Markdown for an HTML fragment from another site; safe to render with any Markdown viewer."""
    if not html:
        return ""
    converter = _Converter()
    converter.feed(html)
    return converter.result()


def text_to_markdown(text: str | None) -> str:
    """Markdown that shows plain text exactly as typed (markup characters escaped)."""
    if not text:
        return ""
    return _escape_line_starts(_escape(text)).strip()
