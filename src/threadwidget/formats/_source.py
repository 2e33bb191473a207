"""Bytes, JSON and XML out of a file safely: size limit first, XML only through defusedxml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from . import _common
from .native import ThreadFileError, atomic_write_text

__all__ = ["XmlDoc", "atomic_write_text", "decode_text", "parse_json", "parse_xml", "read_bytes"]


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

    def __init__(self, root: Element, lines: dict[int, int]) -> None:
        self.root = root
        self._lines = lines

    def line(self, element: Element) -> str:
        """``line N`` for an element of this document."""
        return f"line {self._lines.get(id(element), 0)}"


class _LineBuilder(TreeBuilder):
    """A TreeBuilder that remembers the source line of every element it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:  # type: ignore[override]
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def parse_xml(data: bytes, name: str, label: str) -> XmlDoc:
    """Parse XML with defusedxml; entity declarations (bombs, XXE) and DTD tricks are refused."""
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
        raise ThreadFileError(
            f"{name} ({label}), line {line}, column {column + 1}: not well-formed XML"
        ) from None
    return XmlDoc(root, builder.lines)
