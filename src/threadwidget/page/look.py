"""How a page without a kernel (the hub service's web page) draws a participant's variant: the
settings of a variant that are the page's to draw, each checked, a preset's first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.ranking import SORTS
from .presets import PRESETS
from .settings import (
    DEFAULT_OPTIONS,
    valid_css,
    valid_layout,
    valid_locale,
    valid_options,
    valid_strings,
)

__all__ = ["Look", "look_of"]


@dataclass(frozen=True)
class Look:
    """What the page is told to draw: ``layout``, ``sort`` (None: the page's own), the layout
    ``options`` given, the preset's CSS (``style``), the variant's ``css``, words and locale."""

    layout: str = "tree"
    sort: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    style: str = ""
    css: str = ""
    strings: dict[str, str] = field(default_factory=dict)
    locale: str = ""


def look_of(settings: Mapping[str, Any] | None) -> Look:
    """The look a variant's ``settings`` give. A value the page cannot take (a plan written over
    raw HTTP is checked by nobody else) is left out, as is what a page does not draw: voting,
    fields, badges and labels stay the thread's."""
    settings = dict(settings or {})
    name = settings.get("preset")
    preset = PRESETS.get(name) if isinstance(name, str) else None
    layout = _checked(valid_layout, settings.get("layout"), preset.layout if preset else "tree")
    given_sort = settings.get("sort")
    sort = given_sort if given_sort in SORTS else preset.sort if preset is not None else None
    options = preset.options({}) if preset is not None else {}
    given = settings.get("options")
    pairs = list(given.items()) if isinstance(given, Mapping) else []
    pairs += [(k, v) for k, v in settings.items() if k in DEFAULT_OPTIONS]
    for key, value in pairs:  # each option alone: a bad one leaves the others drawn
        if _checked(valid_options, {key: value}, None) is not None:
            options[key] = value
    return Look(
        layout=layout,
        sort=sort,
        options=options,
        style=preset.css if preset is not None else "",
        css=_checked(valid_css, settings.get("css"), ""),
        strings=_checked(valid_strings, settings.get("strings"), {}),
        locale=_checked(valid_locale, settings.get("locale"), ""),
    )


def _checked(valid: Callable[[Any], Any], value: Any, otherwise: Any) -> Any:
    """``valid(value)``, or ``otherwise`` when it is refused (or absent)."""
    if value is None:
        return otherwise
    try:
        return valid(value)
    except (ValueError, TypeError, AttributeError):
        return otherwise
