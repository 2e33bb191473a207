"""Which ``extra`` keys the cards show, and how (``ThreadWidget.fields``).

A field is ``(key, kind)`` or ``(key, kind, label)``: ``text`` shows the value, ``badge`` a chip,
``number`` a formatted number, ``bar`` a 0..1 value as a small meter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

__all__ = ["FIELD_KINDS", "FieldKind", "valid_fields", "wire_fields"]

FieldKind = Literal["text", "badge", "bar", "number"]
FIELD_KINDS: tuple[FieldKind, ...] = ("text", "badge", "bar", "number")


def valid_fields(fields: Iterable[Any]) -> list[tuple[str, str, str]]:
    """Fields as ``(key, kind, label)`` triples; ``ValueError`` naming ``fields[i]`` otherwise.

    A bare key string means ``(key, "text")``; the label defaults to the key.
    """
    if isinstance(fields, str):
        raise ValueError("fields must be a list such as [('sentiment', 'badge')], not a str")
    out: list[tuple[str, str, str]] = []
    for index, field in enumerate(fields):
        item = (field, "text") if isinstance(field, str) else field
        if (
            not isinstance(item, tuple | list)
            or len(item) not in (2, 3)
            or not all(isinstance(part, str) for part in item)
        ):
            raise ValueError(
                f"fields[{index}] must be (key, kind) or (key, kind, label), not {field!r}"
            )
        key, kind = item[0], item[1]
        label = item[2] if len(item) == 3 else key
        if not 1 <= len(key) <= 64:
            raise ValueError(f"fields[{index}]: the key must be 1 to 64 characters")
        if kind not in FIELD_KINDS:
            raise ValueError(
                f"fields[{index}]: kind must be one of {', '.join(FIELD_KINDS)}, not {kind!r}"
            )
        if any(key == k for k, _, _ in out):
            raise ValueError(f"fields[{index}]: {key!r} is listed twice")
        out.append((key, kind, label))
    return out


def wire_fields(fields: Iterable[tuple[str, str, str]]) -> list[dict[str, str]]:
    """The fields as the frontend reads them (``_config.fields``)."""
    return [{"key": k, "kind": kind, "label": label} for k, kind, label in fields]
