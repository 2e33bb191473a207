"""Small helpers for reading namespaced XML exports element by element."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from ._common import Bad

__all__ = ["attr", "child", "local", "namespace", "text"]


def local(tag: str) -> str:
    """The tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    """The namespace URI of a tag ("" when it has none)."""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def child(element: Element, name: str, ns_prefix: str | None = None) -> Element | None:
    """The first child whose local name is ``name`` (and whose namespace starts with the prefix)."""
    for item in element:
        if local(item.tag) == name and (
            ns_prefix is None or namespace(item.tag).startswith(ns_prefix)
        ):
            return item
    return None


def text(
    element: Element,
    name: str,
    ns_prefix: str | None = None,
    *,
    required: bool = False,
    what: str = "",
) -> str | None:
    """A child element's text (``""`` if empty); None, or ``Bad`` if required, when absent."""
    found = child(element, name, ns_prefix)
    if found is None:
        if required:
            raise Bad(f"<{what or local(element.tag)}> has no <{name}>")
        return None
    return "".join(found.itertext())


def attr(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (``dsq:id`` is found as ``id``)."""
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return None
