"""Bytes, JSON and XML out of a file safely: size limit first, XML only through defusedxml."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from . import _common
from .native import ThreadFileError

__all__ = ["XmlDoc", "decode_text", "parse_json", "parse_xml", "read_bytes"]


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing files over ``MAX_FILE_BYTES`` before reading them."""
    limit = _common.MAX_FILE_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise ThreadFileError(
                f"{path}: the file is {size / 1e6:,.1f} MB; files over {limit / 1e6:,.0f} MB are "
                "refused (split the export, or raise threadwidget.formats.MAX_FILE_BYTES)"
            )
        return path.read_bytes()
    except OSError as error:
        raise ThreadFileError(f"{path}: cannot read the file ({error.strerror})") from error


def decode_text(data: bytes, name: str, label: str) -> str:
    """UTF-8 text (a byte-order mark is allowed), or an error naming the byte offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ThreadFileError(f"{name} ({label}): not UTF-8 text (byte {error.start})") from error


def parse_json(text: str, name: str, label: str) -> Any:
    """Parsed JSON, or an error naming the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ThreadFileError(
            f"{name} ({label}), line {error.lineno}, column {error.colno}: "
            f"not valid JSON: {error.msg}"
        ) from error
    except RecursionError as error:
        raise ThreadFileError(f"{name} ({label}): JSON nested too deeply") from error


class XmlDoc:
    """A parsed XML tree plus the line each element started on (for error messages)."""

    def __init__(
        self, root: Element, lines: dict[int, int], notes: list[str] | None = None
    ) -> None:
        self.root = root
        self._lines = lines
        #: what parsing had to repair (prefixes used without a declaration), for the load report
        self.notes = notes or []

    def line(self, element: Element) -> str:
        """``line N`` for an element of this document."""
        return f"line {self._lines.get(id(element), 0)}"


class _LineBuilder(TreeBuilder):
    """A TreeBuilder that remembers the source line of every element it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


#: Namespaces of prefixes that exports use without declaring them (Blogger's ``app:``, say).
KNOWN_PREFIXES = {
    "app": "http://www.w3.org/2007/app",
    "thr": "http://purl.org/syndication/thread/1.0",
    "gd": "http://schemas.google.com/g/2005",
    "georss": "http://www.georss.org/georss",
    "openSearch": "http://a9.com/-/spec/opensearchrss/1.0/",
    "blogger": "http://schemas.google.com/blogger/2008",
    "media": "http://search.yahoo.com/mrss/",
    "wp": "http://wordpress.org/export/1.2/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dsq": "http://disqus.com/disqus-internals",
    "atom": "http://www.w3.org/2005/Atom",
}
_UNBOUND_PREFIX = 27  # expat's XML_ERROR_UNBOUND_PREFIX
_USED_PREFIX = re.compile(
    rb"<(?!/)([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*="
)
_ROOT_TAG = re.compile(rb"<(?![?!])[A-Za-z_][\w.:-]*")


def _declare_prefixes(data: bytes) -> tuple[bytes, list[str]] | None:
    """The document with undeclared prefixes declared on its root element, and which they were."""
    used = {m.group(1) or m.group(2) for m in _USED_PREFIX.finditer(data)}
    declared = set(re.findall(rb"xmlns:([A-Za-z_][\w.-]*)\s*=", data))
    missing = sorted(p.decode("ascii") for p in used - declared - {b"xml", b"xmlns"})
    root = _ROOT_TAG.search(data)
    if not missing or root is None:
        return None
    extra = "".join(
        f' xmlns:{p}="{KNOWN_PREFIXES.get(p, f"urn:threadwidget:undeclared:{p}")}"' for p in missing
    )
    end = root.end()
    return data[:end] + extra.encode("ascii") + data[end:], missing


def parse_xml(data: bytes, name: str, label: str) -> XmlDoc:
    """Parse XML with defusedxml; entity declarations (bombs, XXE) and DTD tricks are refused.

    Prefixes used without a namespace declaration (some Blogger and WordPress exports do this)
    are declared with their well-known namespace and the document is parsed again, still
    through defusedxml; ``XmlDoc.notes`` says which.
    """
    try:
        return _parse_xml(data, name, label)
    except _Unbound:
        repaired = _declare_prefixes(data)
        if repaired is None:
            raise ThreadFileError(
                f"{name} ({label}): not well-formed XML (unbound prefix)"
            ) from None
        try:
            doc = _parse_xml(repaired[0], name, label)
        except _Unbound as error:
            raise ThreadFileError(error.message) from None
        prefixes = ", ".join(f"{p}:" for p in repaired[1])
        doc.notes.append(
            f"the file uses {prefixes} without declaring it; read with the usual namespace"
        )
        return doc


class _Unbound(Exception):
    """The document uses a namespace prefix it does not declare."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _parse_xml(data: bytes, name: str, label: str) -> XmlDoc:
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as error:
        line = parser.parser.CurrentLineNumber
        raise ThreadFileError(
            f"{name} ({label}), line {line}: refused: the file declares XML entities or external "
            f"references ({type(error).__name__}); exports never need them, and they are how "
            "'billion laughs' and XXE attacks work"
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        if getattr(error, "code", None) == _UNBOUND_PREFIX:
            raise _Unbound(
                f"{name} ({label}), line {line}, column {column + 1}: not well-formed XML "
                "(a namespace prefix is used without being declared)"
            ) from None
        raise ThreadFileError(
            f"{name} ({label}), line {line}, column {column + 1}: not well-formed XML"
        ) from None
    return XmlDoc(root, builder.lines)
