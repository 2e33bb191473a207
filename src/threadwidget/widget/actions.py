"""Custom actions: a button in every view that runs a Python function in the kernel.

``ThreadWidget.add_action`` registers an :class:`Action`. Clicking its button sends an ``action``
request; the handler gets the comment (or the post, or the thread) and the clicking user, and
returns operations to apply, a short message to show, or nothing; raising refuses the click with
the exception's message shown next to the button.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from ..core import operations
from ..core.models import Comment

__all__ = ["Action", "ActionResult", "ActionTarget", "outcome"]

ActionTarget = Literal["comment", "post", "thread"]
_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

#: What a handler may return: nothing, a message, one operation, or several.
ActionResult = (
    None
    | str
    | operations.Operation
    | Mapping[str, Any]
    | Iterable[operations.Operation | Mapping[str, Any]]
)


@dataclass(frozen=True)
class Action:
    """A registered custom action (see ``ThreadWidget.add_action``)."""

    name: str
    label: str
    handler: Callable[..., ActionResult]
    icon: str | None = None
    when: Callable[[Comment], bool] | None = None
    target: ActionTarget = "comment"
    actor: str | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"name: {self.name!r} must be 1-64 letters, digits or _.:-")
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError("label: must be a non-empty str")
        if not callable(self.handler):
            raise TypeError(f"handler must be callable, not {type(self.handler).__name__}")
        if self.when is not None and not callable(self.when):
            raise TypeError(f"when must be callable or None, not {type(self.when).__name__}")
        if self.when is not None and self.target != "comment":
            raise ValueError("when: only comment actions take a predicate")
        if self.target not in ("comment", "post", "thread"):
            raise ValueError(f"target must be 'comment', 'post' or 'thread', not {self.target!r}")
        if self.icon is not None and (not isinstance(self.icon, str) or len(self.icon) > 8):
            raise ValueError("icon: must be a short str (an emoji or a symbol) or None")

    def wire(self, ids: list[str] | None) -> dict[str, Any]:
        """The action as the frontend reads it (``_config.actions``)."""
        return {
            "name": self.name,
            "label": self.label,
            "icon": self.icon,
            "target": self.target,
            "ids": ids,
        }


def outcome(result: ActionResult) -> tuple[list[operations.Operation], str | None]:
    """A handler's return value as (operations to apply, message to show)."""
    if result is None:
        return [], None
    if isinstance(result, str):
        return [], result
    if isinstance(result, Mapping):
        return [operations.parse_operation(result)], None
    if isinstance(result, Iterable) and not isinstance(result, (bytes, BaseModel)):
        items = list(result)
        return [operations.parse_operation(i) if isinstance(i, Mapping) else i for i in items], None
    if not isinstance(result, BaseModel):
        raise TypeError(
            "an action handler must return None, a message str, an operation or a list of "
            f"operations, not {type(result).__name__}"
        )
    return [result], None
