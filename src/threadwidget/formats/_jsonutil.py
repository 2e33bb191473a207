"""Reading fields of parsed JSON with JSON-path places in every complaint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ._common import Bad, parse_time

__all__ = ["as_dict", "as_list", "field", "obj", "time_field"]

_MISSING = object()


def obj(value: Any, place: str, what: str = "an object") -> dict[str, Any]:
    """The value if it is a JSON object, else ``Bad`` at ``place``."""
    if not isinstance(value, dict):
        raise Bad(f"expected {what}, found {type(value).__name__}", place)
    return value


def field(
    data: dict[str, Any], key: str, place: str, kind: type | tuple[type, ...] = object
) -> Any:
    """``data[key]`` checked for presence and type; ``Bad`` naming ``place.key`` otherwise."""
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        raise Bad("missing", f"{place}.{key}")
    if not isinstance(value, kind) or (kind is not object and isinstance(value, bool)):
        expected = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise Bad(f"expected {expected}, found {type(value).__name__}", f"{place}.{key}")
    return value


def time_field(data: dict[str, Any], key: str, place: str) -> datetime:
    """A time field, parsed to UTC; ``Bad`` naming ``place.key`` when missing or malformed."""
    try:
        return parse_time(data.get(key))
    except Bad as error:
        raise Bad(error.message, f"{place}.{key}") from None


def as_dict(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one (for optional parts)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """The value if it is a JSON list, else an empty one (for optional parts)."""
    return value if isinstance(value, list) else []
