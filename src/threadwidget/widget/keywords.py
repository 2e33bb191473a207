"""The widget constructor's setting keywords, typed once: ``**settings: Unpack[WidgetSettings]``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypedDict

from ..core.ranking import Sort
from ..core.rules import Role

__all__ = ["SETTING_NAMES", "WidgetSettings", "unknown_settings"]


class WidgetSettings(TypedDict, total=False):
    """Keywords of :class:`~threadwidget.ThreadWidget` (and ``load``/``connect``) that set its
    traits; None (or leaving one out) keeps the default."""

    user: str | None
    read_only: bool
    sort: Sort
    strings: Mapping[str, str] | None
    locale: str
    options: Mapping[str, Any] | None
    css: str
    role: Role
    roles: Mapping[str, Role] | None
    voting: object
    label_set: Iterable[str]
    fields: Iterable[Any]
    badges: Mapping[str, str] | None
    notebook_state: Literal["published", "full"]
    # ipywidgets' own
    layout: Any
    tabbable: bool | None
    tooltip: str | None


#: Every keyword :class:`WidgetSettings` names.
SETTING_NAMES = frozenset(WidgetSettings.__annotations__)


def unknown_settings(given: Iterable[str]) -> None:
    """Refuse keywords that are no setting (``TypeError`` naming them, as Python would)."""
    unknown = set(given) - SETTING_NAMES
    if unknown:
        raise TypeError(
            f"ThreadWidget got unexpected keyword argument(s): {', '.join(sorted(unknown))}"
        )
