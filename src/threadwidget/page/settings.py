"""Validation of the widget's settings (roles, voting, words, locale, layout options, CSS).

Each function takes the value a user assigned and returns the value to keep, or raises a
``ValueError`` naming the setting; the widget's traits call them, so does the hub service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..core import rules
from ..strings import DEFAULT_STRINGS

__all__ = [
    "COUNT_KINDS",
    "DEFAULT_OPTIONS",
    "LAYOUTS",
    "valid_badges",
    "valid_css",
    "valid_layout",
    "valid_locale",
    "valid_options",
    "valid_roles",
    "valid_strings",
]

#: Layout options (``w.options``) and their defaults.
DEFAULT_OPTIONS: dict[str, Any] = {
    "max_indent": 6,
    "density": "comfortable",
    "avatars": "initials",
    "timestamps": "relative",
    "collapsed_depth": None,
    "counts": ["votes", "replies", "comments"],
    "max_height": None,
}
#: Counts a view may show: like/vote/reaction counts, "N replies" on collapsed comments, the total.
COUNT_KINDS = ("votes", "replies", "comments")
_OPTION_CHOICES = {
    "density": ("comfortable", "compact"),
    "avatars": ("initials", "none"),  # or an https URL template with {author}
    "timestamps": ("relative", "absolute"),
}
#: How a view lays out the thread: the nested tree; two levels (replies under their top-level
#: comment, oldest first, "in reply to"); one stream with the quoted parent above each reply.
LAYOUTS = ("tree", "two-level", "flat")
#: Smallest ``max_height`` (CSS pixels) that still shows a comment or two.
MIN_HEIGHT = 120
#: A BCP 47 language tag, simplified: language, optional script, region and variants.
_LOCALE_RE = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)


def _avatar_template(value: str) -> bool:
    """An image URL template for avatars: https, with ``{author}`` where the name goes."""
    return (
        value.startswith("https://")
        and "{author}" in value
        and len(value) <= 500
        and not any(ch.isspace() or ch in "\"'<>" for ch in value)
    )


def _check_counts(value: object) -> None:
    if (
        not isinstance(value, list | tuple)
        or any(v not in COUNT_KINDS for v in value)
        or len(set(value)) != len(value)
    ):
        raise ValueError(
            f"option 'counts' must be a list of distinct items from {', '.join(COUNT_KINDS)}, "
            f"not {value!r}"
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def valid_options(value: Mapping[str, Any]) -> dict[str, Any]:
    """Layout options merged over :data:`DEFAULT_OPTIONS`; unknown keys and bad values refused."""
    for key, option in value.items():
        if key not in DEFAULT_OPTIONS:
            raise ValueError(
                f"unknown option {key!r}; valid options: {', '.join(sorted(DEFAULT_OPTIONS))}"
            )
        if key == "avatars" and isinstance(option, str) and _avatar_template(option):
            continue
        if key == "counts":
            _check_counts(option)
        elif key == "max_height":
            if option is not None and (not _is_int(option) or option < MIN_HEIGHT):
                raise ValueError(
                    f"option 'max_height' must be None or an int >= {MIN_HEIGHT} (CSS pixels), "
                    f"not {option!r}"
                )
        elif key in _OPTION_CHOICES:
            if option not in _OPTION_CHOICES[key]:
                extra = " or an https URL template with {author}" if key == "avatars" else ""
                raise ValueError(
                    f"option {key!r} must be one of {', '.join(_OPTION_CHOICES[key])}"
                    f"{extra}, not {option!r}"
                )
        elif (key == "max_indent" or option is not None) and (  # collapsed_depth: None ok
            not _is_int(option) or option < 1
        ):
            raise ValueError(f"option {key!r} must be an int >= 1, not {option!r}")
    return {**DEFAULT_OPTIONS, **value}


def valid_layout(value: object) -> str:
    """One of :data:`LAYOUTS`."""
    if value not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {value!r}")
    return str(value)


def valid_roles(value: Mapping[Any, Any]) -> dict[str, str]:
    """Per-user roles: non-empty names mapped to one of :data:`threadwidget.core.rules.ROLES`."""
    roles = dict(value)
    for user, role in roles.items():
        if not isinstance(user, str) or not user:
            raise ValueError(f"roles: user names must be non-empty str, not {user!r}")
        if role not in rules.ROLES:
            choices = ", ".join(rules.ROLES)
            raise ValueError(f"roles[{user!r}] must be one of {choices}, not {role!r}")
    return roles


def valid_badges(value: Mapping[Any, Any]) -> dict[str, str]:
    """Badges after author names: each a str of 1 to 40 characters."""
    badges = dict(value)
    for author, text in badges.items():
        if not isinstance(text, str) or not 1 <= len(text) <= 40:
            raise ValueError(f"badges[{author!r}] must be a str of 1 to 40 characters")
    return badges


def valid_strings(value: Mapping[Any, Any]) -> dict[str, str]:
    """Replacements for UI words, by a key of ``strings.json``."""
    for key, text in value.items():
        if key not in DEFAULT_STRINGS:
            raise ValueError(
                f"unknown string key {key!r}; valid keys: {', '.join(sorted(DEFAULT_STRINGS))}"
            )
        if not isinstance(text, str):
            raise ValueError(f"strings[{key!r}] must be a str, not {type(text).__name__}")
    return dict(value)


def valid_locale(value: str) -> str:
    """A BCP 47 language tag ("de", "pt-BR"), or "" for the page's own locale."""
    if value and not _LOCALE_RE.match(value):
        raise ValueError(f"locale {value!r} is not a BCP 47 language tag (like 'de', 'pt-BR')")
    return value


def valid_css(value: str) -> str:
    """Extra CSS for the views: it lives in a <style>, so it may not close it."""
    if "</style" in value.lower():
        raise ValueError("css must not contain '</style'")
    return value
